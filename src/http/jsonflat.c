/* jsonflat.c: a JSON object whose members are all strings (the usual request body, such as
 * {"content": ..., "fileName": ...}), read without json-c's tokener */
#include "config.h"

#include <string.h>

#include "http/parse.h"

static size_t
skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* the four hex digits at s (n bytes available), or -1 */
static long
hex4(const char *s, size_t n)
{
	long v = 0;

	if (n < 4)
		return -1;
	for (int k = 0; k < 4; k++) {
		int d = hex_digit((unsigned char)s[k]);

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/* The code point of the \u escape at s[0..n) (its backslash first; a surrogate pair is two
 * escapes) into *cp; returns the bytes read, or 0 for what is left to json-c: a bad escape,
 * \u0000 (which a NUL-terminated key or value cannot hold), a lone surrogate (json-c writes
 * U+FFFD for it). */
static size_t
unicode_escape(const char *s, size_t n, uint32_t *cp)
{
	long hi = hex4(s + 2, n - 2), lo;

	if (hi <= 0 || (hi >= 0xDC00 && hi <= 0xDFFF))
		return 0;
	if (hi < 0xD800 || hi > 0xDBFF) {
		*cp = (uint32_t)hi;
		return 6;
	}
	if (n < 12 || s[6] != '\\' || s[7] != 'u' || (lo = hex4(s + 8, n - 8)) < 0xDC00 ||
	    lo > 0xDFFF)
		return 0;
	*cp = 0x10000 + (((uint32_t)hi - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
	return 12;
}

/* The string whose opening quote is s[*i], decoded into the arena (NUL-terminated) as
 * *out, *len; *i moves past its closing quote. -1 for anything left to json-c (see
 * json_flat_parse). */
static int
read_string(struct arena *a, const char *s, size_t n, size_t *i, const char **out, size_t *len)
{
	size_t b = *i + 1, e = b, k = 0;
	char *o;

	/* the closing quote: the first quote not escaped */
	for (;;) {
		e = json_special(s, e, n, false);
		if (e == n || (unsigned char)s[e] < 0x20)
			return -1;
		if (s[e] == '"')
			break;
		if (n - e < 2)
			return -1;
		e += 2;	/* the backslash and the byte it escapes */
	}
	o = arena_alloc_bytes(a, e - b + 1);	/* no escape decodes longer than itself */
	for (size_t j = b; j < e;) {
		/* a run up to the next backslash (within the string, the next special byte) */
		size_t run = json_special(s, j, e, false), r;
		uint32_t cp;

		memcpy(o + k, s + j, run - j);
		k += run - j;
		if ((j = run) == e)
			break;
		switch (s[j + 1]) {
		case '"': case '\\': case '/':
			o[k++] = s[j + 1];
			break;
		case 'b': o[k++] = '\b'; break;
		case 'f': o[k++] = '\f'; break;
		case 'n': o[k++] = '\n'; break;
		case 'r': o[k++] = '\r'; break;
		case 't': o[k++] = '\t'; break;
		case 'u':
			if ((r = unicode_escape(s + j, e - j, &cp)) == 0)
				return -1;
			k += utf8_encode(cp, o + k);
			j += r;
			continue;
		default:
			return -1;
		}
		j += 2;
	}
	o[k] = '\0';
	*out = o;
	*len = k;
	*i = e + 1;
	return 0;
}

enum pss_err
json_flat_parse(struct arena *a, const char *s, size_t n, struct kvlist *out)
{
	size_t i = skip_ws(s, n, 0);

	memset(out, 0, sizeof(*out));
	if (i == n || s[i] != '{')
		return PSS_EINVAL;
	i = skip_ws(s, n, i + 1);
	if (i < n && s[i] == '}')
		return skip_ws(s, n, i + 1) == n ? PSS_OK : PSS_EINVAL;
	for (;;) {
		const char *key, *val;
		size_t klen, vlen;

		if (i == n || s[i] != '"' || read_string(a, s, n, &i, &key, &klen) < 0)
			break;
		i = skip_ws(s, n, i);
		if (i == n || s[i] != ':')
			break;
		i = skip_ws(s, n, i + 1);
		if (i == n || s[i] != '"' || read_string(a, s, n, &i, &val, &vlen) < 0)
			break;
		kvlist_add(a, out, key, val, vlen);
		i = skip_ws(s, n, i);
		if (i < n && s[i] == ',') {
			i = skip_ws(s, n, i + 1);
			continue;
		}
		if (i < n && s[i] == '}' && skip_ws(s, n, i + 1) == n)
			return PSS_OK;
		break;
	}
	out->n = 0;
	return PSS_EINVAL;
}
