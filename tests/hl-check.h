/* hl-check.h: checks of the highlighter's output, shared by its unit test and fuzz driver
 * (header only) */
#ifndef PSS_HL_CHECK_H
#define PSS_HL_CHECK_H

#include <string.h>

#include "core/core.h"
#include "core/text.h"
#include "render/highlight.h"

/*
 * hl_check: checks every line of l and appends the text the lines show (tags taken out,
 * entities decoded, lines joined with "\n") to text. Returns NULL when the markup is good,
 * else what is wrong (static). Good markup: no line break in a line; '<' only in a token's
 * <h-c> (c one lower-case letter: hl_class's) and its </h-c>, or <span class="tk-bidi"> and
 * </span>; every line balanced on its own, each end tag the innermost open one's; no empty
 * element; '>' only closing a tag; '&' only in &amp; &lt; &gt; &quot; &#39;.
 */
static const char *__attribute__((unused))
hl_check(const struct hl_lines *l, struct buf *text)
{
	static const char *const ents[][2] = {
		{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" }, { "&#39;", "'" },
	};
	static const char bidi[] = "<span class=\"tk-bidi\">";
	struct buf open = BUF_INIT;	/* the open elements' classes, '*' for the bidi span */
	const char *why = NULL;

	for (size_t i = 0; i < l->n && why == NULL; i++) {
		size_t n, k = 0;
		const char *s = hl_line(l, i, &n);

		if (i > 0)
			buf_putc(text, '\n');
		buf_reset(&open);
		while (k < n && why == NULL) {
			if (s[k] == '\n' || s[k] == '\r')
				why = "line break inside a line";
			else if (s[k] == '>')
				why = "raw '>' in text";
			else if (s[k] == '<' && k + 1 < n && s[k + 1] == '/') {
				char c = open.len > 0 ? open.data[open.len - 1] : 0;

				if (c == 0)
					why = "an end tag without its start";
				else if (c == '*' ? n - k < 7 || memcmp(s + k, "</span>", 7) != 0 :
				    n - k < 6 || memcmp(s + k, "</h-", 4) != 0 || s[k + 4] != c || s[k + 5] != '>')
					why = "an end tag not the innermost open element's";
				else if (k >= 1 && s[k - 1] == '>' && (c == '*' || (k >= 5 &&
				    memcmp(s + k - 5, "<h-", 3) == 0 && s[k - 2] == c)))
					why = "empty element";
				else {
					k += c == '*' ? 7 : 6;
					open.len--;
				}
			} else if (s[k] == '<') {
				if (n - k >= sizeof(bidi) - 1 && memcmp(s + k, bidi, sizeof(bidi) - 1) == 0) {
					buf_putc(&open, '*');
					k += sizeof(bidi) - 1;
				} else if (n - k >= 5 && memcmp(s + k, "<h-", 3) == 0 && s[k + 3] >= 'a' &&
				    s[k + 3] <= 'z' && s[k + 4] == '>') {
					buf_putc(&open, s[k + 3]);
					k += 5;
				} else
					why = "raw '<' or an unknown tag";
			} else if (s[k] == '&') {
				size_t e;

				for (e = 0; e < PSS_ARRAY_LEN(ents); e++)
					if (n - k >= strlen(ents[e][0]) &&
					    memcmp(s + k, ents[e][0], strlen(ents[e][0])) == 0)
						break;
				if (e == PSS_ARRAY_LEN(ents))
					why = "raw '&' or an unknown entity";
				else {
					buf_puts(text, ents[e][1]);
					k += strlen(ents[e][0]);
				}
			} else
				buf_putc(text, s[k++]);
		}
		if (why == NULL && open.len != 0)
			why = "an element left open at the end of a line";
	}
	buf_free(&open);
	return why;
}

/* hl_expected_text: what hl_check should give back for clean input (valid UTF-8, no control
 * character but TAB, CR, LF): the lines split at CRLF, LF and CR, joined with "\n", without
 * the empty line after a final line break; each Unicode bidirectional control shown as its
 * marker "[U+XXXX]". */
static void __attribute__((unused))
hl_expected_text(const char *s, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		uint32_t cp;
		size_t bidi = text_bidi_at(s + i, len - i, &cp);

		if (bidi != 0) {
			buf_printf(out, "[U+%04X]", (unsigned)cp);
			i += bidi - 1;
			continue;
		}
		if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
			continue;
		if ((s[i] == '\r' || s[i] == '\n') && i + 1 == len)
			break;
		buf_putc(out, s[i] == '\r' ? '\n' : s[i]);
	}
}

#endif
