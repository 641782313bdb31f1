/* cookie.c: Cookie request header parsing (RFC 6265 section 5.4 syntax, browser leniency) */
#include "config.h"

#include <string.h>

#include "http/parse.h"

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* trim: drop spaces and tabs from both ends of [*b, *e). */
static void
trim(const char **b, const char **e)
{
	while (*b < *e && is_ows(**b))
		(*b)++;
	while (*e > *b && is_ows((*e)[-1]))
		(*e)--;
}

/* printable: no control bytes (C0, DEL) and valid UTF-8. */
static int
printable(const char *b, const char *e)
{
	for (const char *p = b; p < e; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return utf8_valid(b, (size_t)(e - b));
}

enum pss_err
cookie_parse(struct arena *a, const char *s, size_t len, size_t max_pairs,
    struct kvlist *out)
{
	const char *p, *end;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return PSS_OK;
	p = s;
	end = s + len;
	if (memchr(s, '\0', len) != NULL)
		return PSS_EINVAL;
	for (;;) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *pend = semi ? semi : end;
		const char *eq = memchr(p, '=', (size_t)(pend - p));

		if (eq != NULL) {
			const char *ks = p, *ke = eq, *vs = eq + 1, *ve = pend;

			trim(&ks, &ke);
			trim(&vs, &ve);
			if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
				vs++;
				ve--;
			}
			if (ke > ks && printable(ks, ke) && printable(vs, ve)) {
				if (out->n >= max_pairs) {
					memset(out, 0, sizeof(*out));
					return PSS_ETOOBIG;
				}
				kvlist_add(a, out, arena_strndup(a, ks, (size_t)(ke - ks)),
				    arena_strndup(a, vs, (size_t)(ve - vs)), (size_t)(ve - vs));
			}
		}
		if (semi == NULL)
			break;
		p = semi + 1;
	}
	return PSS_OK;
}
