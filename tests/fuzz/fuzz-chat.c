/* fuzz-chat.c: libFuzzer driver for chat_model_clean, what makes a model's text safe
 *
 * Built and run by tests/fuzz/run.sh (seed corpus tests/fuzz/corpus/chat). The first byte is
 * the number of retrieved sources (0..CHAT_SOURCES_MAX), the rest the model's text (up to
 * its first NUL, as the JSON string would end). Checks, besides the sanitizers: the output is
 * no longer than the text; it holds no control byte but tab and newline; outside ``` code
 * blocks no '<' is followed by a letter, '/', '!' or '?' (nothing could open a tag), every
 * citation [digits] names a source 1..n that is marked cited, and nothing else is marked.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "services/chat-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool cited[CHAT_SOURCES_MAX] = { false };
	size_t np, n;
	char *text, *out;
	bool code = false, bol = true;

	if (size == 0)
		return 0;
	np = data[0] % (CHAT_SOURCES_MAX + 1);
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	out = chat_model_clean(text, np, cited);
	n = strlen(out);
	if (n > strlen(text))
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)out[i];

		if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
			abort();
		if (bol && strncmp(out + i, "```", 3) == 0)
			code = !code;
		bol = ch == '\n';
		if (code)
			continue;
		if (ch == '<' && i + 1 < n && (isalpha((unsigned char)out[i + 1]) ||
		    strchr("/!?", out[i + 1]) != NULL))
			abort();
		if (ch == '[' && i + 1 < n && isdigit((unsigned char)out[i + 1])) {
			size_t j = i + 1;
			unsigned long v = 0;

			while (j < n && isdigit((unsigned char)out[j])) {
				if (v < 1000)
					v = v * 10 + (unsigned long)(out[j] - '0');
				j++;
			}
			if (j < n && out[j] == ']') {
				if (v < 1 || v > np || !cited[v - 1])
					abort();
			}
		}
	}
	for (size_t i = 0; i < CHAT_SOURCES_MAX; i++)
		if (cited[i] && (i >= np))
			abort();
	free(out);
	free(text);
	return 0;
}
