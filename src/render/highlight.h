/* highlight.h: PowerShell source to escaped HTML with a CSS class per token, one fragment per line */
#ifndef PSS_RENDER_HIGHLIGHT_H
#define PSS_RENDER_HIGHLIGHT_H

#include <stddef.h>

#include "core/core.h"

struct json_object;
struct ps_token;

/*
 * The source is tokenized with the analyzer's tokenizer (ps_tokenize) and each token becomes
 * <h-k>text</h-k>, a custom element named by its class (hl_class says which: one letter,
 * static/css/highlight.css and docs/highlight.md name them; 11 bytes of markup a token where
 * <span class="k"> took 23; white space, bare words, brackets and the punctuation
 * operators "." and "," stay plain text). Two tokens of one class with only blanks between
 * them share one element ("$a $b" is <h-v>$a $b</h-v>; never errors, whose
 * underline would run over the blanks). Tokens nested in a string ($x and $( ) inside "...") are elements
 * inside the string's element. All text goes through esc_html (& < > " ' escaped, NUL and invalid
 * UTF-8 as U+FFFD); other control characters but TAB also become U+FFFD; tabs are kept. A
 * Unicode bidirectional control (U+061C, U+200E-F, U+202A-E, U+2066-9, "Trojan Source") is
 * shown as <span class="tk-bidi">[U+202E]</span> instead of reordering the text around it.
 *
 * Lines are those of the tokenizer (ps_lex.h): they end at LF, CRLF or a lone CR, so line n
 * here is line n of the analyzer's findings. A line's HTML contains no line break and is
 * balanced on its own: a token that spans lines (here-string, block comment) has its span
 * closed at the end of each line and opened again on the next; an empty span is never
 * written. On a following line only the innermost token's span is opened again (its class
 * is the one that shows), so the output stays linear however deep tokens nest. The empty last line after a final newline is not a line (as editors count): ""
 * has 0 lines, "a" and "a\n" 1, "a\n\n" 2.
 *
 * Linear in the input: tokens, spans and bytes are each visited a bounded number of times.
 */

/* Every line's HTML in one buffer: line i (0-based; line number i + 1) is
 * html.data[off[i] .. off[i + 1]). */
struct hl_lines {
	struct buf html;
	size_t	*off;		/* n + 1 offsets */
	size_t	 n;
	size_t	 total_lines;	/* lines of the whole input, counted as n is */
	size_t	 shown_bytes;	/* how much of the input the n lines are */
	bool	 truncated;	/* a bound stopped it: shown_bytes < the input's length */
	size_t	 cap_;
};

/*
 * Bounds of hl_render: the HTML is up to ~15 times the source (a span per short token) and a
 * table row adds ~100 bytes a line, so 10 MB of empty lines would be a gigabyte. hl_render
 * highlights the first HL_MAX_LINES lines or HL_MAX_BYTES bytes, whichever ends first, cut
 * at a line break (inside a longer first line, at a character boundary); the page then says
 * "the first n of total_lines lines" and offers the download.
 */
#define HL_MAX_LINES 20000
#define HL_MAX_BYTES ((size_t)2 << 20)

/* hl_render: highlight src[0..len) (any bytes) into *out, initialised here (old content is not
 * freed), within the bounds above. Never fails. Release with hl_lines_free. */
void	 hl_render(const char *src, size_t len, struct hl_lines *out);
/* hl_render_max: the same with other bounds; 0 means no bound. */
void	 hl_render_max(const char *src, size_t len, size_t max_lines, size_t max_bytes,
	struct hl_lines *out);
void	 hl_lines_free(struct hl_lines *);

/* hl_line: line i's HTML (not NUL-terminated) and its length in *len; i < lines->n. */
const char *hl_line(const struct hl_lines *, size_t i, size_t *len);

/* hl_lines_json: a new json-c array [{"n": 1, "html": "..."}, ...] for a template
 * ({{#lines}}<tr id="L{{n}}">...{{{html}}}...{{/lines}}: the html is already escaped, so it
 * goes in with the triple mustache). Caller releases with json_object_put. */
struct json_object *hl_lines_json(const struct hl_lines *);

/* hl_json: hl_render and hl_lines_json in one call. */
struct json_object *hl_json(const char *src, size_t len);

/*
 * hl_html_rows: every line as a table row, appended to b, for a template that puts it in
 * <table class="hl"><tbody>{{{rows}}}</tbody></table> (the fast path for long scripts: no
 * json-c object per line):
 *   <tr id="L12"><td><a href="#L12" tabindex="-1">12</a></td><td>HTML</td></tr>
 * (no classes on the cells: the CSS tells them apart as td:first-child and td + td)
 * The links are out of the tab order (a long script would be thousands of stops between the
 * page's controls); a click or a shared #L12 address still works. id_prefix replaces "L"
 * (NULL: "L"; it is attribute-escaped) when a page shows two sources.
 */
void	 hl_html_rows(struct buf *b, const struct hl_lines *, const char *id_prefix);

/*
 * hl_view: everything a script page needs in one json-c object, for its view:
 *   {rows: "<tr id=\"L1\">…" (hl_html_rows, for {{{source.rows}}}), lines: n shown,
 *    totalLines, truncated (bool), shownBytes}
 * with hl_render's bounds. Caller releases with json_object_put.
 */
struct json_object *hl_view(const char *src, size_t len);

/* hl_class: the class attribute value of a token ("s", "n x"), or NULL when
 * the token is plain text. A static string. */
const char *hl_class(const struct ps_token *);

/* hl_escape_line: one line of plain text as HTML text (no markup), with hl_render's escaping;
 * every control character but TAB (CR and LF included) becomes U+FFFD, and a bidirectional
 * control the text "[U+202E]". Appends to b. */
void	 hl_escape_line(struct buf *b, const char *s, size_t len);

#endif
