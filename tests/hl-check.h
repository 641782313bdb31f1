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
 * else what is wrong (static). Good markup: no line break in a line; '<' only in
 * <span class="..."> (classes of lower-case letters, '-' and ' ': hl_class's one-letter ones
 * and tk-bidi) and </span>; every line
 * balanced on its own; no empty span; '>' only closing a tag; '&' only in &amp; &lt; &gt;
 * &quot; &#39;.
 */
static const char *__attribute__((unused))
hl_check(const struct hl_lines *l, struct buf *text)
{
	static const char *const ents[][2] = {
		{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" }, { "&#39;", "'" },
	};

	for (size_t i = 0; i < l->n; i++) {
		size_t n, k = 0;
		const char *s = hl_line(l, i, &n);
		int depth = 0;

		if (i > 0)
			buf_putc(text, '\n');
		while (k < n) {
			if (s[k] == '\n' || s[k] == '\r')
				return "line break inside a line";
			if (s[k] == '>')
				return "raw '>' in text";
			if (s[k] == '<' && n - k >= 7 && memcmp(s + k, "</span>", 7) == 0) {
				if (--depth < 0)
					return "</span> without <span>";
				if (k >= 2 && s[k - 1] == '>' && s[k - 2] == '"')
					return "empty span";
				k += 7;
				continue;
			}
			if (s[k] == '<') {
				size_t j;

				if (n - k < 13 || memcmp(s + k, "<span class=\"", 13) != 0)
					return "raw '<' or an unknown tag";
				for (j = k + 13; j < n && ((s[j] >= 'a' && s[j] <= 'z') || s[j] == '-' ||
				    s[j] == ' '); j++)
					;
				if (j == k + 13 || n - j < 2 || s[j] != '"' || s[j + 1] != '>')
					return "bad class attribute";
				depth++;
				k = j + 2;
				continue;
			}
			if (s[k] == '&') {
				size_t e;

				for (e = 0; e < PSS_ARRAY_LEN(ents); e++)
					if (n - k >= strlen(ents[e][0]) &&
					    memcmp(s + k, ents[e][0], strlen(ents[e][0])) == 0)
						break;
				if (e == PSS_ARRAY_LEN(ents))
					return "raw '&' or an unknown entity";
				buf_puts(text, ents[e][1]);
				k += strlen(ents[e][0]);
				continue;
			}
			buf_putc(text, s[k++]);
		}
		if (depth != 0)
			return "span left open at the end of a line";
	}
	return NULL;
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
