/* diff.c: line diff: Myers' bisection in linear space, bounded by max_d, hunks, unified text */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/diff.h"

const char *const diff_line_types[DIFF__MAX] = { "context", "added", "removed" };

struct dline {
	const char	*s;
	size_t		 len;		/* bytes before '\n' (a CR included) */
	uint64_t	 h;
	bool		 nl;
};

struct side {
	struct dline	*v;
	long		 n;
	bool		*mark;		/* removed (old side) or added (new side) */
};

struct ctx {
	struct side	 a, b;
	long		 dlim;		/* bisection never needs d beyond this */
};

static void
split(char *s, size_t len, struct side *out)
{
	size_t cap = 16, n = 0, i = 0;

	out->v = xmalloc(cap * sizeof(*out->v));
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (s + i)) : len - i;
		uint64_t h = 1469598103934665603ULL;

		if (n == cap) {
			cap *= 2;
			out->v = xrealloc(out->v, cap * sizeof(*out->v));
		}
		for (size_t k = 0; k < l; k++)
			h = (h ^ (unsigned char)s[i + k]) * 1099511628211ULL;
		out->v[n] = (struct dline){ s + i, l, h, nl != NULL };
		n++;
		i += l + (nl != NULL);
	}
	out->n = (long)n;
	out->mark = xcalloc(n + 1, sizeof(bool));
}

static bool
eq(const struct ctx *c, long i, long j)
{
	const struct dline *x = &c->a.v[i], *y = &c->b.v[j];

	return x->h == y->h && x->len == y->len && x->nl == y->nl &&
	    memcmp(x->s, y->s, x->len) == 0;
}

/* greedy_d: the edit distance between a[a0..a1) and b[b0..b1), or -1 when over cap. */
static long
greedy_d(const struct ctx *c, long a0, long a1, long b0, long b1, long cap)
{
	long n = a1 - a0, m = b1 - b0, off = cap + 1, d, res = -1;
	long *v = xmalloc((size_t)(2 * cap + 3) * sizeof(long));

	v[off + 1] = 0;
	for (d = 0; d <= cap && res < 0; d++)
		for (long k = -d; k <= d; k += 2) {
			long x, y;

			if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
				x = v[off + k + 1];
			else
				x = v[off + k - 1] + 1;
			y = x - k;
			while (x < n && y < m && eq(c, a0 + x, b0 + y))
				x++, y++;
			v[off + k] = x;
			if (x >= n && y >= m) {
				res = d;
				break;
			}
		}
	free(v);
	return res;
}

static void
mark_all(const struct ctx *c, long a0, long a1, long b0, long b1)
{
	for (long i = a0; i < a1; i++)
		c->a.mark[i] = true;
	for (long j = b0; j < b1; j++)
		c->b.mark[j] = true;
}

/* bisect: finds the middle snake of a[a0..a1) x b[b0..b1) (Myers 1986, section 4b, as in
 * diff-match-patch). Sets *sx, *sy to a split point and returns true, or false when the
 * two share nothing within dlim steps. */
static bool
bisect(const struct ctx *c, long a0, long a1, long b0, long b1, long *sx, long *sy)
{
	long n = a1 - a0, m = b1 - b0, maxd = (n + m + 1) / 2, delta = n - m;
	long voff, vlen, k1start = 0, k1end = 0, k2start = 0, k2end = 0;
	bool front = (delta % 2) != 0, found = false;
	long *v1, *v2;

	if (maxd > c->dlim)
		maxd = c->dlim;
	voff = maxd + 1;
	vlen = 2 * maxd + 3;
	v1 = xmalloc((size_t)vlen * sizeof(long));
	v2 = xmalloc((size_t)vlen * sizeof(long));
	for (long i = 0; i < vlen; i++)
		v1[i] = v2[i] = -1;
	v1[voff + 1] = 0;
	v2[voff + 1] = 0;
	for (long d = 0; d <= maxd && !found; d++) {
		for (long k1 = -d + k1start; k1 <= d - k1end && !found; k1 += 2) {
			long ko = voff + k1, x1, y1;

			if (k1 == -d || (k1 != d && v1[ko - 1] < v1[ko + 1]))
				x1 = v1[ko + 1];
			else
				x1 = v1[ko - 1] + 1;
			y1 = x1 - k1;
			while (x1 < n && y1 < m && eq(c, a0 + x1, b0 + y1))
				x1++, y1++;
			v1[ko] = x1;
			if (x1 > n)
				k1end += 2;
			else if (y1 > m)
				k1start += 2;
			else if (front) {
				long k2o = voff + delta - k1;

				if (k2o >= 0 && k2o < vlen && v2[k2o] != -1 && x1 >= n - v2[k2o]) {
					*sx = x1;
					*sy = y1;
					found = true;
				}
			}
		}
		for (long k2 = -d + k2start; k2 <= d - k2end && !found; k2 += 2) {
			long ko = voff + k2, x2, y2;

			if (k2 == -d || (k2 != d && v2[ko - 1] < v2[ko + 1]))
				x2 = v2[ko + 1];
			else
				x2 = v2[ko - 1] + 1;
			y2 = x2 - k2;
			while (x2 < n && y2 < m && eq(c, a0 + n - x2 - 1, b0 + m - y2 - 1))
				x2++, y2++;
			v2[ko] = x2;
			if (x2 > n)
				k2end += 2;
			else if (y2 > m)
				k2start += 2;
			else if (!front) {
				long k1o = voff + delta - k2;

				if (k1o >= 0 && k1o < vlen && v1[k1o] != -1) {
					long x1 = v1[k1o], y1 = voff + x1 - k1o;

					if (x1 >= n - x2) {
						*sx = x1;
						*sy = y1;
						found = true;
					}
				}
			}
		}
	}
	free(v1);
	free(v2);
	return found;
}

static void
compare(const struct ctx *c, long a0, long a1, long b0, long b1)
{
	long sx, sy;

	while (a0 < a1 && b0 < b1 && eq(c, a0, b0))
		a0++, b0++;
	while (a0 < a1 && b0 < b1 && eq(c, a1 - 1, b1 - 1))
		a1--, b1--;
	if (a0 == a1 || b0 == b1) {
		mark_all(c, a0, a1, b0, b1);
		return;
	}
	if (!bisect(c, a0, a1, b0, b1, &sx, &sy)) {
		mark_all(c, a0, a1, b0, b1);
		return;
	}
	compare(c, a0, a0 + sx, b0, b0 + sy);
	compare(c, a0 + sx, a1, b0 + sy, b1);
}

struct op {
	enum diff_line_type type;
	long		 i, j;	/* index in a (context, removed) and b (context, added) */
};

static void
put_line(struct buf *u, char sign, const struct dline *l)
{
	buf_putc(u, sign);
	buf_append(u, l->s, l->len);
	buf_putc(u, '\n');
	if (!l->nl)
		buf_puts(u, "\\ No newline at end of file\n");
}

static void
range(struct buf *u, size_t start, size_t count)
{
	if (count == 1)
		buf_printf(u, "%zu", start);
	else
		buf_printf(u, "%zu,%zu", start, count);
}

static void
emit_hunk(const struct ctx *c, const struct op *ops, long lo, long hi, struct diff_result *r,
    struct buf *u)
{
	struct diff_hunk *h = &r->hunks[r->nhunks++];
	long fi = -1, tj = -1;

	memset(h, 0, sizeof(*h));
	h->lines = xcalloc((size_t)(hi - lo), sizeof(*h->lines));
	/* The first line of each side in the hunk: the first op touching it, or where it would
	 * be (the line after the preceding one). */
	for (long k = lo; k < hi; k++) {
		if (fi < 0 && ops[k].type != DIFF_ADDED)
			fi = ops[k].i;
		if (tj < 0 && ops[k].type != DIFF_REMOVED)
			tj = ops[k].j;
		if (ops[k].type != DIFF_ADDED)
			h->from_lines++;
		if (ops[k].type != DIFF_REMOVED)
			h->to_lines++;
	}
	if (fi < 0)
		fi = ops[lo].i;
	if (tj < 0)
		tj = ops[lo].j;
	h->from_start = (size_t)fi + (h->from_lines > 0);
	h->to_start = (size_t)tj + (h->to_lines > 0);
	buf_puts(u, "@@ -");
	range(u, h->from_start, h->from_lines);
	buf_puts(u, " +");
	range(u, h->to_start, h->to_lines);
	buf_puts(u, " @@\n");
	for (long k = lo; k < hi; k++) {
		const struct dline *l = ops[k].type == DIFF_ADDED ? &c->b.v[ops[k].j] : &c->a.v[ops[k].i];
		struct diff_line *dl = &h->lines[h->nlines++];
		bool cr = l->len > 0 && l->s[l->len - 1] == '\r' && l->nl;

		*dl = (struct diff_line){ ops[k].type, l->s, l->len - cr, cr, l->nl };
		put_line(u, ops[k].type == DIFF_ADDED ? '+' : ops[k].type == DIFF_REMOVED ? '-' : ' ', l);
	}
}

void
diff_lines(const char *from, size_t from_len, const char *to, size_t to_len,
    const struct diff_opts *opts, struct diff_result *r)
{
	struct ctx c;
	struct op *ops;
	struct buf u = BUF_INIT;
	long a0 = 0, b0 = 0, a1, b1, nops = 0, i, j, ctxl, cap;

	memset(r, 0, sizeof(*r));
	ctxl = opts != NULL && opts->context >= 0 ? opts->context : 3;
	cap = opts != NULL && opts->max_d > 0 ? (long)opts->max_d : DIFF_MAX_D;
	r->from_copy_ = xmalloc(from_len + 1);
	r->to_copy_ = xmalloc(to_len + 1);
	if (from_len > 0)
		memcpy(r->from_copy_, from, from_len);
	if (to_len > 0)
		memcpy(r->to_copy_, to, to_len);
	split(r->from_copy_, from_len, &c.a);
	split(r->to_copy_, to_len, &c.b);
	a1 = c.a.n;
	b1 = c.b.n;
	c.dlim = cap / 2 + 2;
	while (a0 < a1 && b0 < b1 && eq(&c, a0, b0))
		a0++, b0++;
	while (a0 < a1 && b0 < b1 && eq(&c, a1 - 1, b1 - 1))
		a1--, b1--;
	if (greedy_d(&c, a0, a1, b0, b1, cap) < 0) {
		r->coarse = true;
		mark_all(&c, a0, a1, b0, b1);
	} else
		compare(&c, a0, a1, b0, b1);

	ops = xmalloc((size_t)(c.a.n + c.b.n + 1) * sizeof(*ops));
	for (i = 0, j = 0; i < c.a.n || j < c.b.n;) {
		if (i < c.a.n && c.a.mark[i]) {
			ops[nops++] = (struct op){ DIFF_REMOVED, i++, j };
			r->lines_removed++;
		} else if (j < c.b.n && c.b.mark[j]) {
			ops[nops++] = (struct op){ DIFF_ADDED, i, j++ };
			r->lines_added++;
		} else
			ops[nops++] = (struct op){ DIFF_CONTEXT, i++, j++ };
	}

	/* Group changes closer than 2*context lines into one hunk. */
	r->hunks = xcalloc((size_t)nops / 2 + 1, sizeof(*r->hunks));
	for (long k = 0; k < nops;) {
		long lo, hi, last;

		while (k < nops && ops[k].type == DIFF_CONTEXT)
			k++;
		if (k == nops)
			break;
		if (r->nhunks == 0) {
			buf_printf(&u, "--- %s\n+++ %s\n",
			    opts != NULL && opts->from_label != NULL ? opts->from_label : "a",
			    opts != NULL && opts->to_label != NULL ? opts->to_label : "b");
		}
		lo = k - ctxl < 0 ? 0 : k - ctxl;
		last = k;
		for (;;) {
			long n = last + 1;

			while (n < nops && ops[n].type == DIFF_CONTEXT)
				n++;
			if (n < nops && n - last - 1 <= 2 * ctxl) {
				last = n;	/* at most 2*context lines apart: one hunk */
				continue;
			}
			break;
		}
		hi = last + 1 + ctxl > nops ? nops : last + 1 + ctxl;
		emit_hunk(&c, ops, lo, hi, r, &u);
		k = last + 1;
	}
	r->unified_len = u.len;
	r->unified = u.data != NULL ? buf_detach(&u) : xstrdup("");
	free(ops);
	free(c.a.v);
	free(c.a.mark);
	free(c.b.v);
	free(c.b.mark);
}

void
diff_result_free(struct diff_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nhunks; i++)
		free(r->hunks[i].lines);
	free(r->hunks);
	free(r->unified);
	free(r->from_copy_);
	free(r->to_copy_);
	memset(r, 0, sizeof(*r));
}
