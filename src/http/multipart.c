/* multipart.c: multipart/form-data parsing (RFC 7578, RFC 2046 framing, RFC 5987 filenames) */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "http/parse.h"

/*
 * Bodies are read by index, never past len. Every loop moves forward: the
 * delimiter search is linear (see find_delim), header lines are bounded by
 * MULTIPART_HEADER_MAX, and parameter values are measured before they are copied.
 */

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 7230 tchar: the characters of a header or parameter name. */
static int
is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 2045 tspecials: a backslash before one of them in a quoted string is an
 * escape; before anything else it is a literal backslash (MSIE sends Windows
 * paths unescaped: "C:\Users\x\a.ps1"). */
static int
is_tspecial(char c)
{
	return c != '\0' && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

/* RFC 2046 bchars (space allowed, but not last). */
static int
is_bchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("'()+_,-./:=? ", c) != NULL);
}

static int
boundary_valid(const char *b, size_t n)
{
	if (n < 1 || n > MULTIPART_BOUNDARY_MAX || b[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_bchar(b[i]))
			return 0;
	return 1;
}

/* span_ieq: the n bytes at s equal the literal, ignoring ASCII case. */
static int
span_ieq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

/* has_ctl: a control byte other than HTAB (header field values allow only those). */
static int
has_ctl(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 1;
	}
	return 0;
}

struct param {
	const char	*name;
	size_t		 nlen;
	char		*val;		/* NUL-terminated, arena */
	size_t		 vlen;
};

/* quoted_scan: the decoded length of the quoted string opening at s[*i] (a '"'),
 * advancing *i past its closing quote; -1 when it is not closed. With dst set,
 * also writes the decoded bytes there. */
static int
quoted_scan(const char *s, size_t n, size_t *i, char *dst, size_t *outlen)
{
	size_t j = *i + 1, o = 0;

	while (j < n) {
		char c = s[j];

		if (c == '"') {
			*i = j + 1;
			*outlen = o;
			return 0;
		}
		if (c == '\\' && j + 1 < n && is_tspecial(s[j + 1]))
			c = s[++j];
		if (dst != NULL)
			dst[o] = c;
		o++;
		j++;
	}
	return -1;
}

/* param_next: parse one `; name=value` at s[*i]: 1 with *pr filled, 0 at the end
 * of the header value, -1 when malformed. Stray ';' and a trailing ';' are fine. */
static int
param_next(struct arena *a, const char *s, size_t n, size_t *i, struct param *pr)
{
	size_t j = *i, start;

	for (;;) {
		while (j < n && is_ows(s[j]))
			j++;
		if (j == n)
			return 0;
		if (s[j] != ';')
			return -1;
		j++;
		while (j < n && is_ows(s[j]))
			j++;
		if (j < n && s[j] != ';')
			break;
	}
	if (j == n)
		return 0;
	start = j;
	while (j < n && is_tchar(s[j]))
		j++;
	if (j == start)
		return -1;
	pr->name = s + start;
	pr->nlen = j - start;
	while (j < n && is_ows(s[j]))
		j++;
	if (j == n || s[j] != '=')
		return -1;
	j++;
	while (j < n && is_ows(s[j]))
		j++;
	if (j < n && s[j] == '"') {
		size_t q = j, vlen;

		if (quoted_scan(s, n, &q, NULL, &vlen) < 0)
			return -1;
		pr->val = arena_alloc(a, vlen + 1);
		quoted_scan(s, n, &j, pr->val, &pr->vlen);
	} else {
		start = j;
		while (j < n && !is_ows(s[j]) && s[j] != ';' && s[j] != '"')
			j++;
		if (j == start)
			return -1;
		pr->val = arena_strndup(a, s + start, j - start);
		pr->vlen = j - start;
	}
	*i = j;
	return 1;
}

/* media_type: the length of the leading type (or disposition) token of a header
 * value, after leading whitespace (*i is set past it). */
static size_t
media_type(const char *s, size_t n, size_t *i, const char **type)
{
	size_t j = 0, start;

	while (j < n && is_ows(s[j]))
		j++;
	start = j;
	while (j < n && s[j] != ';' && !is_ows(s[j]))
		j++;
	*type = s + start;
	*i = j;
	return j - start;
}

enum pss_err
multipart_boundary(struct arena *a, const char *content_type, const char **boundary)
{
	const char *type, *found = NULL;
	size_t n, i, tlen, flen = 0;
	struct param pr;
	int r;

	*boundary = NULL;
	if (content_type == NULL)
		return PSS_EINVAL;
	n = strlen(content_type);
	if (has_ctl(content_type, n))
		return PSS_EINVAL;
	tlen = media_type(content_type, n, &i, &type);
	if (!span_ieq(type, tlen, "multipart/form-data"))
		return PSS_EINVAL;
	while ((r = param_next(a, content_type, n, &i, &pr)) == 1) {
		if (!span_ieq(pr.name, pr.nlen, "boundary"))
			continue;
		if (found != NULL)
			return PSS_EINVAL;
		found = pr.val;
		flen = pr.vlen;
	}
	if (r < 0 || found == NULL || !boundary_valid(found, flen))
		return PSS_EINVAL;
	*boundary = found;
	return PSS_OK;
}

/* Line end styles: the first delimiter line chooses one for the whole body. */
enum nl { NL_CRLF, NL_LF, NL_UNKNOWN };

/* The framing of one body: its bytes, the delimiter, and the line end style. */
struct frame {
	const char	*s;
	size_t		 len;
	char		*dash;		/* "\r\n--boundary"; the needle skips 0 or 1 bytes */
	size_t		 dashlen;
	enum nl		 nl;
};

enum delim { DELIM_NONE, DELIM_NEXT, DELIM_CLOSE };

/* delim_tail: what follows a "--boundary" ending before s[i]: the close delimiter
 * ("--", then anything: the epilogue), transport padding and a line end (the
 * next part, *after set past the line end), or neither. Before the first part
 * (NL_UNKNOWN) the line end chooses the style for the whole body. */
static enum delim
delim_tail(struct frame *f, size_t i, size_t *after)
{
	const char *s = f->s;
	size_t n = f->len;

	if (n - i >= 2 && s[i] == '-' && s[i + 1] == '-')
		return DELIM_CLOSE;
	while (i < n && is_ows(s[i]))
		i++;
	if (f->nl != NL_LF && n - i >= 2 && s[i] == '\r' && s[i + 1] == '\n') {
		f->nl = NL_CRLF;
		*after = i + 2;
		return DELIM_NEXT;
	}
	if (f->nl != NL_CRLF && i < n && s[i] == '\n') {
		f->nl = NL_LF;
		*after = i + 1;
		return DELIM_NEXT;
	}
	return DELIM_NONE;
}

/*
 * find_delim: the first delimiter at or after s[from], looking for "\r\n--boundary"
 * (skip 0) or "\n--boundary" (skip 1): returns where the needle starts (the data
 * before it ends there), or SIZE_MAX when there is none.
 * Linear: each candidate (an occurrence of the needle's first byte) costs at
 * most one comparison of at most 74 bytes; full matches cannot overlap, since
 * the first byte ('\r', or '\n' in bare-LF mode) occurs nowhere else in the
 * needle, so the padding scans after them in delim_tail cover disjoint bytes.
 */
static size_t
find_delim(struct frame *f, size_t from, size_t skip, enum delim *kind, size_t *after)
{
	const char *needle = f->dash + skip;
	size_t nlen = f->dashlen - skip;

	while (from < f->len && f->len - from >= nlen) {
		const char *c = memchr(f->s + from, needle[0], f->len - from - nlen + 1);
		size_t at;

		if (c == NULL)
			return SIZE_MAX;
		at = (size_t)(c - f->s);
		if (memcmp(c, needle, nlen) == 0) {
			*kind = delim_tail(f, at + nlen, after);
			if (*kind != DELIM_NONE)
				return at;
		}
		from = at + 1;
	}
	return SIZE_MAX;
}

/* first_delim: the dash-boundary line opening the body, at its very start or
 * after a preamble; sets the line-end style. */
static enum delim
first_delim(struct frame *f, size_t *after)
{
	enum delim kind;
	size_t blen = f->dashlen - 2;	/* "--boundary" */

	f->nl = NL_UNKNOWN;
	if (f->len >= blen && memcmp(f->s, f->dash + 2, blen) == 0) {
		kind = delim_tail(f, blen, after);
		if (kind != DELIM_NONE)
			return kind;
	}
	/* In the preamble, look for "\n--boundary" whatever precedes the LF. */
	if (find_delim(f, 0, 1, &kind, after) == SIZE_MAX)
		return DELIM_NONE;
	return kind;
}

/* last_component: the part of a client path after its last '/' or '\'. */
static const char *
last_component(const char *p)
{
	const char *r = p;

	for (; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			r = p + 1;
	return r;
}

/* ext_value: decode an RFC 5987 ext-value (charset'lang'pct-encoded) to UTF-8. */
static enum pss_err
ext_value(struct arena *a, const char *v, size_t n, char **out)
{
	const char *q1 = memchr(v, '\'', n), *q2, *enc;
	size_t elen, dlen;
	char *d;

	if (q1 == NULL || (q2 = memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - v))) == NULL)
		return PSS_EINVAL;
	enc = q2 + 1;
	elen = n - (size_t)(enc - v);
	d = arena_alloc(a, 2 * elen + 1);
	if (urlenc_decode(d, enc, elen, 0, &dlen) != PSS_OK)
		return PSS_EINVAL;
	if (span_ieq(v, (size_t)(q1 - v), "UTF-8")) {
		d[dlen] = '\0';
	} else if (span_ieq(v, (size_t)(q1 - v), "ISO-8859-1")) {
		/* Widen in place from the back: every byte >= 0x80 takes two. */
		size_t wide = dlen, o;

		for (size_t i = 0; i < dlen; i++)
			wide += ((unsigned char)d[i] >= 0x80);
		o = wide;
		d[o] = '\0';
		for (size_t i = dlen; i-- > 0;) {
			unsigned char c = (unsigned char)d[i];

			if (c >= 0x80) {
				d[--o] = (char)(0x80 | (c & 0x3f));
				d[--o] = (char)(0xc0 | (c >> 6));
			} else
				d[--o] = (char)c;
		}
		dlen = wide;
	} else
		return PSS_EINVAL;
	if (memchr(d, '\0', dlen) != NULL)
		return PSS_EINVAL;
	*out = d;
	return PSS_OK;
}

/* clean_filename: strip client path parts; reject what a header cannot hold. */
static enum pss_err
clean_filename(const char *raw, const char **out)
{
	const char *f = last_component(raw);
	size_t n = strlen(f);

	if (has_ctl(f, n) || memchr(f, '\t', n) != NULL || !utf8_valid(f, n))
		return PSS_EINVAL;
	if (strcmp(f, ".") == 0 || strcmp(f, "..") == 0)
		f = "";
	*out = f;
	return PSS_OK;
}

/* disposition: parse `form-data; name="x"; filename="y"` into part. */
static enum pss_err
disposition(struct arena *a, const char *s, size_t n, struct mpart *part)
{
	const char *type, *name = NULL, *fname = NULL, *fstar = NULL;
	size_t i, tlen, fstarlen = 0;
	struct param pr;
	char *decoded;
	int r;

	tlen = media_type(s, n, &i, &type);
	if (!span_ieq(type, tlen, "form-data"))
		return PSS_EINVAL;
	while ((r = param_next(a, s, n, &i, &pr)) == 1) {
		const char **slot;

		if (span_ieq(pr.name, pr.nlen, "name"))
			slot = &name;
		else if (span_ieq(pr.name, pr.nlen, "filename"))
			slot = &fname;
		else if (span_ieq(pr.name, pr.nlen, "filename*")) {
			slot = &fstar;
			fstarlen = pr.vlen;
		} else
			continue;
		if (*slot != NULL)
			return PSS_EINVAL;
		*slot = pr.val;
	}
	if (r < 0 || name == NULL || !utf8_valid(name, strlen(name)))
		return PSS_EINVAL;
	part->name = name;
	if (fstar != NULL) {
		if (ext_value(a, fstar, fstarlen, &decoded) != PSS_OK)
			return PSS_EINVAL;
		fname = decoded;
	}
	if (fname != NULL && clean_filename(fname, &part->filename) != PSS_OK)
		return PSS_EINVAL;
	return PSS_OK;
}

/* part_headers: parse the header block at s[i] up to and including its empty
 * line; *after is set past it. */
static enum pss_err
part_headers(struct arena *a, const char *s, size_t len, size_t i, size_t *after,
    struct mpart *part)
{
	size_t start = i, lim = len - i > MULTIPART_HEADER_MAX ? i + MULTIPART_HEADER_MAX : len;
	int have_cd = 0;

	for (;;) {
		const char *lf = memchr(s + i, '\n', lim - i);
		size_t ls = i, le, colon, vs, ve;

		if (lf == NULL)	/* over the limit, or the body ends inside the headers */
			return len - start > MULTIPART_HEADER_MAX ? PSS_ETOOBIG : PSS_EINVAL;
		le = (size_t)(lf - s);
		i = le + 1;
		if (le > ls && s[le - 1] == '\r')
			le--;
		if (le == ls)
			break;
		if (has_ctl(s + ls, le - ls) || is_ows(s[ls]))
			return PSS_EINVAL;
		for (colon = ls; colon < le && is_tchar(s[colon]); colon++)
			;
		if (colon == ls || colon == le || s[colon] != ':')
			return PSS_EINVAL;
		for (vs = colon + 1; vs < le && is_ows(s[vs]); vs++)
			;
		for (ve = le; ve > vs && is_ows(s[ve - 1]); ve--)
			;
		if (span_ieq(s + ls, colon - ls, "Content-Disposition")) {
			if (have_cd++)
				return PSS_EINVAL;
			if (disposition(a, s + vs, ve - vs, part) != PSS_OK)
				return PSS_EINVAL;
		} else if (span_ieq(s + ls, colon - ls, "Content-Type")) {
			if (part->content_type != NULL || !utf8_valid(s + vs, ve - vs))
				return PSS_EINVAL;
			part->content_type = arena_strndup(a, s + vs, ve - vs);
		}
	}
	if (!have_cd)
		return PSS_EINVAL;
	*after = i;
	return PSS_OK;
}

enum pss_err
multipart_parse(struct arena *a, const char *boundary, const char *body, size_t len,
    size_t max_parts, struct mpartlist *out)
{
	struct frame f;
	struct mpart part;
	enum delim kind;
	enum pss_err err = PSS_EINVAL;
	size_t blen, i, ds, end;

	memset(out, 0, sizeof(*out));
	if (boundary == NULL || body == NULL)
		return PSS_EINVAL;
	blen = strnlen(boundary, MULTIPART_BOUNDARY_MAX + 1);
	if (!boundary_valid(boundary, blen))
		return PSS_EINVAL;
	f.s = body;
	f.len = len;
	f.dash = arena_printf(a, "\r\n--%s", boundary);
	f.dashlen = blen + 4;
	for (kind = first_delim(&f, &i); kind == DELIM_NEXT;) {
		if (out->n >= max_parts) {
			err = PSS_ETOOBIG;
			goto fail;
		}
		memset(&part, 0, sizeof(part));
		if ((err = part_headers(a, body, len, i, &ds, &part)) != PSS_OK)
			goto fail;
		if ((end = find_delim(&f, ds, f.nl == NL_LF, &kind, &i)) == SIZE_MAX) {
			err = PSS_EINVAL;
			goto fail;
		}
		part.data = body + ds;
		part.len = end - ds;
		out->items = arena_grow(a, out->items, out->n, &out->cap, sizeof(part));
		out->items[out->n++] = part;
	}
	if (kind != DELIM_CLOSE) {
		err = PSS_EINVAL;
		goto fail;
	}
	return PSS_OK;
fail:
	memset(out, 0, sizeof(*out));
	return err;
}

const struct mpart *
multipart_get(const struct mpartlist *l, const char *name)
{
	if (l == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].name, name) == 0)
			return &l->items[i];
	return NULL;
}

enum pss_err
multipart_fields(struct arena *a, const struct mpartlist *l, struct kvlist *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < l->n; i++) {
		const struct mpart *p = &l->items[i];

		if (p->filename != NULL)
			continue;
		if (memchr(p->data, '\0', p->len) != NULL || !utf8_valid(p->data, p->len)) {
			memset(out, 0, sizeof(*out));
			return PSS_EINVAL;
		}
		kvlist_add(a, out, p->name, arena_strndup(a, p->data, p->len), p->len);
	}
	return PSS_OK;
}
