/* escape.h: escaping at the sink, one escaper per output context (text, attribute, URL, header, JS) */
#ifndef PSS_RENDER_ESCAPE_H
#define PSS_RENDER_ESCAPE_H

#include <stddef.h>
#include <string.h>

#include "core/core.h"

/*
 * Every escaper reads exactly len bytes (NUL bytes included, never treated as the end) and
 * appends to the buffer; none fails and none allocates anything the caller must free beyond
 * the buffer's own memory.
 *
 * esc_html: HTML text content. Escapes & < > " ' (OWASP) as &amp; &lt; &gt; &quot; &#39;.
 * A NUL byte, the other C0 controls but TAB, LF and CR (which XML does not allow, so a page
 * stays well-formed), and every invalid UTF-8 sequence (overlong, surrogate, truncated,
 * > U+10FFFF) become U+FFFD, so the output is always valid UTF-8. Other bytes pass through.
 */
void	 esc_html(struct buf *, const char *, size_t len);

/*
 * esc_attr: a double- or single-quoted attribute value. Everything esc_html does, and also
 * TAB, LF, CR and the other C0 controls and DEL as numeric references (&#9; &#10; ...), so the
 * value survives attribute-value normalisation and cannot break out of the quotes.
 */
void	 esc_attr(struct buf *, const char *, size_t len);

/*
 * esc_url_arg: one query-string argument (name or value) or path segment: every byte except
 * the RFC 3986 unreserved set (A-Z a-z 0-9 - . _ ~) becomes %XX (upper-case hex), so '&',
 * '=', '+', '/', '#', '?' and spaces cannot change the URL's structure. The result still
 * needs esc_attr when it is put into an attribute (it then contains no special characters).
 */
void	 esc_url_arg(struct buf *, const char *, size_t len);

/*
 * esc_header: an HTTP header value. Copies the bytes, dropping CR, LF, NUL, the other
 * C0 controls except TAB, and DEL, so a value can never start a new header or a body.
 * Returns how many bytes were dropped: a caller that must reject such input checks for > 0.
 */
size_t	 esc_header(struct buf *, const char *, size_t len);

/*
 * esc_js_string: the inside of a JavaScript string literal (either quote) or of a JSON string
 * embedded in HTML: \ " ' as \\ \" \', controls as \n \r \t or \u00XX, < > & as \u003C
 * \u003E \u0026 (so "</script>" and "<!--" cannot appear), U+2028/U+2029 as \u2028/\u2029;
 * NUL and invalid UTF-8 become \uFFFD.
 */
void	 esc_js_string(struct buf *, const char *, size_t len);

/*
 * esc_marked: a search snippet: esc_html, then the highlight markers <mark> and </mark> that
 * PostgreSQL's ts_headline put around the matches become tags again (nothing else does).
 */
void	 esc_marked(struct buf *, const char *, size_t len);

/*
 * esc_none: append len bytes unchanged (the raw context: {{{x}}}, and template text). The
 * same as buf_append, with the common case (room in the buffer) inline for the renderer.
 */
static inline void
esc_none(struct buf *b, const char *s, size_t len)
{
	if (b->cap - b->len > len) {
		memcpy(b->data + b->len, s, len);
		b->len += len;
		b->data[b->len] = '\0';
	} else
		buf_append(b, s, len);
}

#endif
