/* chat_clean.c: a model's text made safe for the chat (pure: the fuzz driver's; docs/chat.md
 * "Model") */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "services/chat-int.h"

enum pass { PASS_CONTROLS, PASS_TAGS, PASS_CITATIONS, PASS_LT };

/* One pass over text (n bytes) into b: control bytes but tab and newline dropped; or, outside
 * ``` code blocks, HTML tags and comments (a '<' and a letter, '/', '!' or '?', up to the
 * next '>' within 400 bytes) dropped; or citations [n] of no passage (n > np) dropped and the
 * others marked; or, last, every '<' outside code blocks that could still open a tag (one
 * left by the rounds of tag passes, or made by a citation dropped between '<' and 'b>'). In
 * passes, so that what one drops cannot join its neighbours into what an earlier pass would
 * have dropped ("[<b>9</b>]" is "[9]" once its tags went: then checked). */
static void
pass(struct buf *b, const char *text, size_t n, enum pass what, size_t np,
    bool cited[CHAT_SOURCES_MAX])
{
	bool code = false, bol = true;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (what == PASS_CONTROLS) {
			if ((ch >= 0x20 && ch != 0x7f) || ch == '\n' || ch == '\t')
				buf_putc(b, (char)ch);
			continue;
		}
		if (bol && n - i >= 3 && strncmp(text + i, "```", 3) == 0)
			code = !code;
		bol = ch == '\n';
		if (code) {
			buf_putc(b, (char)ch);
			continue;
		}
		if (what == PASS_TAGS && ch == '<' && i + 1 < n && (isalpha((unsigned char)text[i + 1]) ||
		    strchr("/!?", text[i + 1]) != NULL)) {
			const char *gt = memchr(text + i, '>', n - i < 400 ? n - i : 400);

			if (gt != NULL) {
				i = (size_t)(gt - text);
				continue;
			}
		}
		if (what == PASS_LT && ch == '<') {
			size_t j = i;

			while (j < n && text[j] == '<')
				j++;
			if (j < n && (isalpha((unsigned char)text[j]) || strchr("/!?", text[j]) != NULL))
				continue;	/* a '<' that could open a tag, even without its '>' */
		}
		if (what == PASS_CITATIONS && ch == '[' && i + 1 < n && isdigit((unsigned char)text[i + 1])) {
			size_t j = i + 1;
			unsigned long v = 0;

			while (j < n && isdigit((unsigned char)text[j])) {
				if (v < 1000)
					v = v * 10 + (unsigned long)(text[j] - '0');
				j++;
			}
			if (j < n && text[j] == ']') {
				if (v >= 1 && v <= np) {
					cited[v - 1] = true;
					buf_append(b, text + i, j + 1 - i);
				} else	/* a number of no source: a space, which joins nothing */
					buf_putc(b, ' ');
				i = j;
				continue;
			}
		}
		buf_putc(b, (char)ch);
	}
}

char *
chat_model_clean(const char *text, size_t np, bool cited[CHAT_SOURCES_MAX])
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	char *out;

	pass(&a, text, strlen(text), PASS_CONTROLS, np, cited);
	/* dropping tags can join two tags' halves into a new tag ("<<b>b>"): until none is left */
	for (int round = 0; round < 8; round++) {
		size_t before = a.len;

		buf_reset(&b);
		pass(&b, buf_cstr(&a), a.len, PASS_TAGS, np, cited);
		buf_reset(&a);
		buf_append(&a, b.data != NULL ? b.data : "", b.len);
		if (a.len == before)
			break;
	}
	buf_reset(&b);
	pass(&b, buf_cstr(&a), a.len, PASS_CITATIONS, np, cited);
	buf_reset(&a);
	pass(&a, buf_cstr(&b), b.len, PASS_LT, np, cited);
	out = a.len > 0 ? buf_detach(&a) : xstrdup("");
	buf_free(&a);
	buf_free(&b);
	return out;
}
