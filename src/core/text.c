/* text.c: script text: validation and normalisation (BOMs, UTF-16, UTF-8, control bytes),
 * PowerShell quoting of a command line, download file names */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "core/text.h"

const char *const text_errors[TEXT__MAX] = {
	"",
	"the file is empty",
	"the file is not valid UTF-8 text",
	"the file has a UTF-16 byte order mark but is not valid UTF-16",
	"the file contains a NUL byte (binary data)",
	"the file contains a control character other than tab, CR or LF",
	"the file has nothing but white space",
};

/* UTF-16 (after its BOM) to UTF-8; surrogates must pair. */
static enum text_err
from_utf16(const unsigned char *p, size_t len, bool be, struct buf *b, size_t *where)
{
	if (len % 2 != 0) {
		*where = len;
		return TEXT_EUTF16;
	}
	for (size_t i = 0; i < len; i += 2) {
		uint32_t u = be ? (uint32_t)(p[i] << 8 | p[i + 1]) : (uint32_t)(p[i + 1] << 8 | p[i]);

		if (u >= 0xd800 && u <= 0xdbff) {
			uint32_t lo;

			if (i + 3 >= len) {
				*where = i;
				return TEXT_EUTF16;
			}
			lo = be ? (uint32_t)(p[i + 2] << 8 | p[i + 3]) : (uint32_t)(p[i + 3] << 8 | p[i + 2]);
			if (lo < 0xdc00 || lo > 0xdfff) {
				*where = i;
				return TEXT_EUTF16;
			}
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		} else if (u >= 0xdc00 && u <= 0xdfff) {
			*where = i;
			return TEXT_EUTF16;
		}
		{
			char enc[4];

			buf_append(b, enc, utf8_encode(u, enc));
		}
	}
	return TEXT_OK;
}

/* true when one of the sixteen bytes at s is refused in a script: NUL, a control byte other
 * than tab, CR and LF, or 0x7F (each comparison makes a byte 0xFF where it holds) */
static bool
control16(const char *s)
{
	pss_bytes16 x, m;
	uint64_t half[2];

	memcpy(&x, s, 16);
	m = (pss_bytes16)(((x < 0x20) & (x != '\t') & (x != '\r') & (x != '\n')) | (x == 0x7f));
	memcpy(half, &m, 16);
	return (half[0] | half[1]) != 0;
}

enum text_err
text_normalize(const char *in, size_t len, char **out, size_t *outlen, size_t *where)
{
	const unsigned char *p = (const unsigned char *)in;
	struct buf b = BUF_INIT;
	size_t skip = 0, at = 0;
	enum text_err e = TEXT_OK;
	bool utf16 = false;

	*out = NULL;
	*outlen = 0;
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		skip = 3;
	else if (len >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff))) {
		utf16 = true;
		e = from_utf16(p + 2, len - 2, p[0] == 0xfe, &b, &at);
		at += 2;
	}
	if (e == TEXT_OK && !utf16)
		buf_append(&b, in + skip, len - skip);
	if (e == TEXT_OK && b.len == 0)
		e = TEXT_EEMPTY;
	if (e == TEXT_OK) {
		for (size_t i = 0; i < b.len; i++) {
			unsigned char c;

			/* sixteen bytes with none refused at a time (lines and all) */
			while (b.len - i >= 16 && !control16(b.data + i))
				i += 16;
			if (i == b.len)
				break;
			c = (unsigned char)b.data[i];
			if (c == 0 || (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) {
				e = c == 0 ? TEXT_ENUL : TEXT_ECONTROL;
				at = i + skip;
				break;
			}
		}
	}
	if (e == TEXT_OK && !utf8_valid(b.data, b.len)) {
		e = TEXT_EUTF8;
		at = skip;
		/* where: the first byte of the first invalid sequence */
		for (size_t i = 0; i < b.len;) {
			unsigned char c = (unsigned char)b.data[i];
			size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

			if (i + n > b.len || !utf8_valid(b.data + i, n)) {
				at = i + skip;
				break;
			}
			i += n;
		}
	}
	if (e == TEXT_OK) {
		size_t i = 0;

		while (i < b.len && strchr(" \t\r\n", b.data[i]) != NULL)
			i++;
		if (i == b.len) {
			e = TEXT_EBLANK;
			at = skip;
		}
	}
	if (where != NULL)
		*where = utf16 && e != TEXT_OK && e != TEXT_EUTF16 ? 0 : at;
	if (e != TEXT_OK) {
		buf_free(&b);
		return e;
	}
	*outlen = b.len;
	*out = buf_detach(&b);
	return TEXT_OK;
}

bool
text_extension_allowed(const char *name)
{
	static const char *const ext[] = { ".ps1", ".psm1", ".psd1", ".ps1xml", ".txt" };
	size_t n = strlen(name);

	for (size_t i = 0; i < PSS_ARRAY_LEN(ext); i++) {
		size_t e = strlen(ext[i]);

		if (n > e && strcasecmp(name + n - e, ext[i]) == 0)
			return true;
	}
	return false;
}

void
text_pwsh_quote(struct buf *b, const char *s)
{
	static const char *const quotes[] = { "\xe2\x80\x98", "\xe2\x80\x99", "\xe2\x80\x9a",
		"\xe2\x80\x9b" };

	buf_putc(b, '\'');
	for (; *s != '\0'; s++) {
		bool q = false;

		if (*s == '\'') {
			buf_puts(b, "''");
			continue;
		}
		for (size_t i = 0; i < PSS_ARRAY_LEN(quotes) && !q; i++)
			if (strncmp(s, quotes[i], 3) == 0) {
				buf_append(b, s, 3);
				buf_append(b, s, 3);
				s += 2;
				q = true;
			}
		if (!q)
			buf_putc(b, *s);
	}
	buf_putc(b, '\'');
}

static bool
pwsh_name_ok(const char *n)
{
	size_t len = n != NULL ? strlen(n) : 0;

	if (len == 0 || len > 64 || !(isalpha((unsigned char)n[0]) || n[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && n[i] != '_')
			return false;
	return true;
}

bool
text_pwsh_command(struct buf *b, const char *file, const struct pwsh_arg *args, size_t n)
{
	struct buf t = BUF_INIT;
	double d;

	buf_puts(&t, "pwsh -NoProfile -File ");
	text_pwsh_quote(&t, file);
	for (size_t i = 0; i < n; i++) {
		const struct pwsh_arg *a = &args[i];

		if (!pwsh_name_ok(a->name) || a->value == NULL)
			goto bad;
		buf_printf(&t, " -%s", a->name);
		switch (a->kind) {
		case PWSH_STRING:
			buf_putc(&t, ' ');
			text_pwsh_quote(&t, a->value);
			break;
		case PWSH_NUMBER:
			if (parse_double(a->value, -1e308, 1e308, &d) != 0 ||
			    strspn(a->value, "0123456789+-.eE") != strlen(a->value))
				goto bad;
			buf_printf(&t, " %s", a->value);
			break;
		case PWSH_BOOL:
			if (strcmp(a->value, "true") != 0 && strcmp(a->value, "false") != 0)
				goto bad;
			buf_printf(&t, ":$%s", a->value);
			break;
		default:
			goto bad;
		}
	}
	buf_append(b, t.data, t.len);
	buf_free(&t);
	return true;
bad:
	buf_free(&t);
	return false;
}

/* file_name: text_filename's rule; with utf8, whole non-ASCII characters (not bidirectional
 * controls) are kept too, never cut inside one. */
static char *
file_name(const char *title, const char *ext, bool utf8)
{
	struct buf b = BUF_INIT;
	bool gap = false;

	for (const char *p = title; *p != '\0' && b.len < 100; p++) {
		unsigned char c = (unsigned char)*p;
		size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

		if (isalnum(c) || c == '.' || c == '-' || c == '_' || (utf8 && c >= 0xc2 &&
		    strnlen(p, n) == n && utf8_valid(p, n) && text_bidi_control(p, n) == NULL)) {
			if (b.len + n + (gap && b.len > 0) > 100)
				break;
			if (gap && b.len > 0)
				buf_putc(&b, '_');
			buf_append(&b, p, n);
			p += n - 1;
			gap = false;
		} else
			gap = true;
	}
	while (b.len > 0 && b.data[0] == '.')	/* no hidden files, no ".." */
		memmove(b.data, b.data + 1, b.len--);
	if (b.len == 0)
		buf_puts(&b, "script");
	buf_puts(&b, ext);
	return buf_detach(&b);
}

char *
text_filename(const char *title, const char *ext)
{
	return file_name(title, ext, false);
}

char *
text_content_disposition(const char *title, const char *ext)
{
	struct buf b = BUF_INIT;
	char *ascii = file_name(title, ext, false), *utf8 = file_name(title, ext, true);

	buf_printf(&b, "attachment; filename=\"%s\"", ascii);
	if (strcmp(ascii, utf8) != 0) {
		/* RFC 5987's attr-char stays, every other byte is %XX */
		buf_puts(&b, "; filename*=UTF-8''");
		for (const unsigned char *p = (const unsigned char *)utf8; *p != '\0'; p++)
			if (isalnum(*p) || strchr("!#$&+-.^_`|~", *p) != NULL)
				buf_putc(&b, (char)*p);
			else
				buf_printf(&b, "%%%02X", *p);
	}
	free(ascii);
	free(utf8);
	return buf_detach(&b);
}

const char *
text_trim(const char *s, size_t *n)
{
	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	*n = strlen(s);
	while (*n > 0 && isspace((unsigned char)s[*n - 1]))
		(*n)--;
	return s;
}

bool
text_no_controls(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

bool
text_uuid_valid(const char *s)
{
	if (s == NULL || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

size_t
text_bidi_at(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;

	if (n >= 2 && p[0] == 0xd8 && p[1] == 0x9c) {		/* U+061C */
		*cp = 0x061C;
		return 2;
	}
	if (n < 3 || p[0] != 0xe2)
		return 0;
	if ((p[1] == 0x80 && (p[2] == 0x8e || p[2] == 0x8f ||		/* U+200E-F */
	    (p[2] >= 0xaa && p[2] <= 0xae))) ||				/* U+202A-E */
	    (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)) {		/* U+2066-9 */
		*cp = 0x2000u | (uint32_t)(p[1] & 0x3f) << 6 | (uint32_t)(p[2] & 0x3f);
		return 3;
	}
	return 0;
}

const char *
text_bidi_control(const char *s, size_t n)
{
	uint32_t cp;

	for (size_t i = 0; i + 1 < n; i++)
		if ((s[i] == '\xe2' || s[i] == '\xd8') && text_bidi_at(s + i, n - i, &cp) != 0)
			return s + i;
	return NULL;
}
