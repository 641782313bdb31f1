/* escape.c: every output escaper in one file (HTML text, attribute, URL argument, header, JS string) */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "core/core.h"
#include "render/escape.h"

static const char replacement[] = "\xEF\xBF\xBD";	/* U+FFFD in UTF-8 */
static const char hexdig[] = "0123456789ABCDEF";

/*
 * utf8_len: the length (2..4) of the valid multi-byte UTF-8 sequence at p (p[0] >= 0x80),
 * or 0 when it is invalid: a stray continuation byte, an overlong form, a surrogate, a code
 * point above U+10FFFF, or a sequence cut short by the end of the input.
 */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len, i;

	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return len;
}

enum esc_mode { ESC_HTML, ESC_ATTR, ESC_JS };

/*
 * special[mode][c]: 1 when the ASCII byte c needs a replacement in that context (bytes from
 * 0x80 are checked as UTF-8 instead). The replacements are in ref().
 */
static const uint8_t special[3][128] = {
	[ESC_HTML] = { [0 ... 8] = 1, [11] = 1, [12] = 1, [14 ... 31] = 1, ['&'] = 1, ['<'] = 1,
	    ['>'] = 1, ['"'] = 1, ['\''] = 1 },
	[ESC_ATTR] = { [0 ... 31] = 1, [127] = 1, ['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1,
	    ['\''] = 1 },
	[ESC_JS] = { [0 ... 31] = 1, [127] = 1, ['\\'] = 1, ['"'] = 1, ['\''] = 1, ['<'] = 1,
	    ['>'] = 1, ['&'] = 1 },
};

/* ref: append the replacement of the special ASCII byte c in that context. */
static void
ref(struct buf *b, unsigned char c, enum esc_mode mode)
{
	const char *rep = NULL;
	char num[8];

	if (mode == ESC_JS) {
		switch (c) {
		case '\\': rep = "\\\\"; break;
		case '"': rep = "\\\""; break;
		case '\'': rep = "\\'"; break;
		case '\n': rep = "\\n"; break;
		case '\r': rep = "\\r"; break;
		case '\t': rep = "\\t"; break;
		case '<': rep = "\\u003C"; break;
		case '>': rep = "\\u003E"; break;
		case '&': rep = "\\u0026"; break;
		case '\0': rep = "\\uFFFD"; break;
		default:
			memcpy(num, "\\u00", 4);
			num[4] = hexdig[c >> 4];
			num[5] = hexdig[c & 15];
			buf_append(b, num, 6);
			return;
		}
	} else {
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '\0': rep = replacement; break;
		default:
			if (mode == ESC_HTML) {	/* a control character XML does not allow */
				rep = replacement;
				break;
			}
			buf_printf(b, "&#%u;", (unsigned)c);
			return;
		}
	}
	esc_none(b, rep, strlen(rep));
}

/*
 * esc_text: the shared loop of the HTML, attribute and JS escapers. Runs of bytes that need
 * no change (ordinary ASCII and valid UTF-8) are copied in one append each.
 */
static void
esc_text(struct buf *b, const char *s, size_t len, enum esc_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	const uint8_t *spec = special[mode];
	size_t i = 0, run = 0, n;

	while (i < len) {
		while (i < len && p[i] < 0x80 && !spec[p[i]])
			i++;
		if (i == len)
			break;
		if (p[i] < 0x80) {
			esc_none(b, s + run, i - run);
			ref(b, p[i], mode);
			run = ++i;
			continue;
		}
		n = utf8_len(p + i, len - i);
		if (n == 0) {
			esc_none(b, s + run, i - run);
			buf_puts(b, mode == ESC_JS ? "\\uFFFD" : replacement);
			run = ++i;
			continue;
		}
		/* U+2028 and U+2029 end a line in older JavaScript parsers. */
		if (mode == ESC_JS && n == 3 && p[i] == 0xE2 && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) {
			esc_none(b, s + run, i - run);
			buf_puts(b, p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
			run = i += n;
			continue;
		}
		i += n;
	}
	esc_none(b, s + run, len - run);
}

void
esc_html(struct buf *b, const char *s, size_t len)
{
	esc_text(b, s, len, ESC_HTML);
}

void
esc_attr(struct buf *b, const char *s, size_t len)
{
	esc_text(b, s, len, ESC_ATTR);
}

void
esc_js_string(struct buf *b, const char *s, size_t len)
{
	esc_text(b, s, len, ESC_JS);
}

void
esc_url_arg(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;
	char *o;

	if (len > SIZE_MAX / 3)
		pss_die("esc_url_arg: input too large");
	buf_grow(b, len * 3);
	o = b->data + b->len;
	for (i = 0; i < len; i++) {
		unsigned char c = p[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			*o++ = (char)c;
		else {
			*o++ = '%';
			*o++ = hexdig[c >> 4];
			*o++ = hexdig[c & 15];
		}
	}
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
}

size_t
esc_header(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, run = 0, dropped = 0;

	for (i = 0; i < len; i++) {
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7F) {
			buf_append(b, s + run, i - run);
			run = i + 1;
			dropped++;
		}
	}
	buf_append(b, s + run, len - run);
	return dropped;
}

void
esc_marked(struct buf *out, const char *s, size_t len)
{
	static const struct { const char *from, *to; } marks[] = {
		{ "&lt;mark&gt;", "<mark>" }, { "&lt;/mark&gt;", "</mark>" },
	};
	struct buf esc = BUF_INIT;
	const char *p;

	esc_html(&esc, s, len);
	p = buf_cstr(&esc);
	while (*p != '\0') {
		size_t i;

		for (i = 0; i < PSS_ARRAY_LEN(marks); i++)
			if (strncmp(p, marks[i].from, strlen(marks[i].from)) == 0)
				break;
		if (i < PSS_ARRAY_LEN(marks)) {
			buf_puts(out, marks[i].to);
			p += strlen(marks[i].from);
		} else
			buf_putc(out, *p++);
	}
	buf_free(&esc);
}
