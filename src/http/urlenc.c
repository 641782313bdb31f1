/* urlenc.c: application/x-www-form-urlencoded parsing, percent-decoding and pair lists */
#include "config.h"

#include <string.h>

#include "http/parse.h"

void
kvlist_add(struct arena *a, struct kvlist *l, const char *key, const char *val,
    size_t val_len)
{
	l->items = arena_grow(a, l->items, l->n, &l->cap, sizeof(*l->items));
	l->items[l->n].key = key;
	l->items[l->n].val = val;
	l->items[l->n].val_len = val_len;
	l->n++;
}

const char *
kv_get(const struct kvlist *l, const char *key)
{
	if (l == NULL || key == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return l->items[i].val;
	return NULL;
}

enum pss_err
urlenc_decode(char *dst, const char *src, size_t n, int plus_is_space, size_t *outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				return PSS_EINVAL;
			hi = hex_digit((unsigned char)src[i + 1]);
			lo = hex_digit((unsigned char)src[i + 2]);
			if (hi < 0 || lo < 0)
				return PSS_EINVAL;
			dst[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space)
			dst[o++] = ' ';
		else
			dst[o++] = (char)c;
	}
	*outlen = o;
	return PSS_OK;
}

/* decode_field: decode one key or value into a fresh NUL-terminated arena string,
 * rejecting bad escapes, NUL bytes and invalid UTF-8. */
static enum pss_err
decode_field(struct arena *a, const char *s, size_t n, char **out, size_t *outlen)
{
	char *d = arena_alloc(a, n + 1);
	size_t dn;

	if (urlenc_decode(d, s, n, 1, &dn) != PSS_OK)
		return PSS_EINVAL;
	if (memchr(d, '\0', dn) != NULL || !utf8_valid(d, dn))
		return PSS_EINVAL;
	d[dn] = '\0';
	*out = d;
	*outlen = dn;
	return PSS_OK;
}

enum pss_err
urlenc_parse(struct arena *a, const char *s, size_t len, size_t max_pairs,
    struct kvlist *out)
{
	const char *p, *end;
	enum pss_err err = PSS_OK;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return PSS_OK;
	p = s;
	end = s + len;
	for (;;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pend = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(pend - p));
		const char *kend = eq ? eq : pend;
		char *key, *val;
		size_t klen, vlen;

		if (pend > p) {
			if ((err = decode_field(a, p, (size_t)(kend - p), &key, &klen)) != PSS_OK)
				goto fail;
			if (eq != NULL) {
				err = decode_field(a, eq + 1, (size_t)(pend - eq - 1), &val, &vlen);
				if (err != PSS_OK)
					goto fail;
			} else {
				val = arena_strdup(a, "");
				vlen = 0;
			}
			if (klen > 0) {
				if (out->n >= max_pairs) {
					err = PSS_ETOOBIG;
					goto fail;
				}
				kvlist_add(a, out, key, val, vlen);
			}
		}
		if (amp == NULL)
			break;
		p = amp + 1;
	}
	return PSS_OK;
fail:
	memset(out, 0, sizeof(*out));
	return err;
}
