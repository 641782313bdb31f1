/* fuzz-ai.c: libFuzzer driver for ai_prose_parse (an AI provider's answer: untrusted bytes) */
/*
 * Built and run by tests/fuzz/run.sh (with src/ai/ai.c, src/ai/http.c, libcurl and json-c).
 * The first byte chooses the shape (odd: an OpenAI chat completion, even: the AI service's
 * object); the rest is the body. Checks: on AI_OK a purpose or a suggestion exists, each is
 * valid UTF-8 without control bytes or bidirectional controls, within its size bound, at
 * most AI_MAX_SUGGESTIONS; on any other outcome nothing is left.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/text.h"
#include "ai/ai.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max || !utf8_valid(s, n) || !text_no_controls(s, n) ||
	    text_bidi_control(s, n) != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ai_prose p;
	enum ai_outcome r;

	if (size < 1)
		return 0;
	r = ai_prose_parse((const char *)data + 1, size - 1, data[0] & 1, &p);
	if (r != AI_OK) {
		if (p.purpose != NULL || p.nsuggestions != 0)
			abort();
		return 0;
	}
	if ((p.purpose == NULL && p.nsuggestions == 0) || p.nsuggestions > AI_MAX_SUGGESTIONS)
		abort();
	if (p.purpose != NULL)
		check(p.purpose, AI_MAX_PURPOSE);
	for (size_t i = 0; i < p.nsuggestions; i++)
		check(p.suggestions[i], AI_MAX_SUGGESTION);
	ai_prose_free(&p);
	return 0;
}
