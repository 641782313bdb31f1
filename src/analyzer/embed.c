/* embed.c: the built-in embedding model, the catalog enrichment and the exact scan (embed.h) */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/catalog.h"
#include "analyzer/embed.h"

#define MAGIC		"PSSEMB01"
#define HEADER		24
#define TOK_MIN		2
#define TOK_MAX		32

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int
ps_embed_model_open(struct ps_embed_model *m, const void *buf, size_t len, char *err,
    size_t errsz)
{
	const unsigned char *p = buf;
	uint32_t dim, nterms, sbytes;
	size_t off, need;
	uint8_t sum[32];

	memset(m, 0, sizeof(*m));
	if (len < HEADER || memcmp(p, MAGIC, 8) != 0) {
		snprintf(err, errsz, "not an embedding model (bad magic or truncated header)");
		return -1;
	}
	dim = le32(p + 8);
	nterms = le32(p + 12);
	sbytes = le32(p + 16);
	if (dim == 0 || dim > PS_EMBED_MAX_DIM || nterms == 0 || nterms > 10000000) {
		snprintf(err, errsz, "bad sizes (dim %u, terms %u)", dim, nterms);
		return -1;
	}
	need = HEADER + (size_t)nterms * 8 + (size_t)nterms * dim + sbytes;
	if (len != need) {
		snprintf(err, errsz, "size %zu, expected %zu (truncated or corrupt)", len, need);
		return -1;
	}
	if (((uintptr_t)(p + HEADER)) % _Alignof(float) != 0) {
		snprintf(err, errsz, "misaligned model buffer");
		return -1;
	}
	m->dim = dim;
	m->nterms = nterms;
	m->weights = (const float *)(const void *)(p + HEADER);
	m->proj = (const int8_t *)(p + HEADER + (size_t)nterms * 8);
	m->terms = xcalloc(nterms, sizeof(*m->terms));
	off = HEADER + (size_t)nterms * 8 + (size_t)nterms * dim;
	for (uint32_t i = 0; i < nterms; i++) {
		const char *s = (const char *)p + off;
		const char *nul = memchr(s, '\0', len - off);

		if (nul == NULL || (i > 0 && strcmp(m->terms[i - 1], s) >= 0)) {
			snprintf(err, errsz, "term %u missing, unterminated or out of order", i);
			ps_embed_model_close(m);
			return -1;
		}
		m->terms[i] = s;
		off = (size_t)(nul - (const char *)p) + 1;
	}
	if (off != len) {
		snprintf(err, errsz, "%zu bytes after the last term", len - off);
		ps_embed_model_close(m);
		return -1;
	}
	for (uint32_t i = 0; i < nterms; i++)
		if (!isfinite(m->weights[2 * i]) || !isfinite(m->weights[2 * i + 1])) {
			snprintf(err, errsz, "term %u has a weight that is not a finite number", i);
			ps_embed_model_close(m);
			return -1;
		}
	sha256(buf, len, sum);
	memcpy(m->version, "lsi-", 4);
	for (int i = 0; i < 8; i++)
		snprintf(m->version + 4 + 2 * i, 3, "%02x", sum[i]);
	return 0;
}

void
ps_embed_model_close(struct ps_embed_model *m)
{
	free(m->terms);
	m->terms = NULL;
	m->nterms = 0;
}

static int
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int
is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_lower(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* One token: lower-cased, the plural rule, then fn. */
static void
emit(const char *s, size_t n, void (*fn)(const char *, size_t, void *), void *arg)
{
	char t[TOK_MAX + 1];

	if (n < TOK_MIN || n > TOK_MAX)
		return;
	for (size_t i = 0; i < n; i++)
		t[i] = is_upper((unsigned char)s[i]) ? (char)(s[i] - 'A' + 'a') : s[i];
	n = ps_embed_singular(t, n);
	t[n] = '\0';
	fn(t, n, arg);
}

/* The case-change parts of a word, as Python's [A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+ finds them. */
static size_t
case_parts(const char *w, size_t n, size_t *start, size_t *plen, size_t max)
{
	size_t k = 0, i = 0;

	while (i < n && k < max) {
		unsigned char c = (unsigned char)w[i];
		size_t j = i;

		if (is_lower(c) || (is_upper(c) && i + 1 < n && is_lower((unsigned char)w[i + 1]))) {
			j = i + 1;
			while (j < n && is_lower((unsigned char)w[j]))
				j++;
		} else if (is_upper(c)) {
			while (j < n && is_upper((unsigned char)w[j]))
				j++;
			/* [A-Z]+(?![a-z]): give back the last capital when a lower-case letter follows */
			if (j < n && is_lower((unsigned char)w[j]))
				j--;
		} else {
			while (j < n && is_digit((unsigned char)w[j]))
				j++;
		}
		start[k] = i;
		plen[k] = j - i;
		k++;
		i = j;
	}
	return k;
}

void
ps_embed_tokens(const char *text, size_t len, void (*fn)(const char *, size_t, void *),
    void *arg)
{
	size_t i = 0;

	while (i < len) {
		size_t s, n;
		int upper_inside = 0, lower = 0;

		if (!is_alnum((unsigned char)text[i])) {
			i++;
			continue;
		}
		s = i;
		while (i < len && is_alnum((unsigned char)text[i])) {
			if (i > s && is_upper((unsigned char)text[i]))
				upper_inside = 1;
			if (is_lower((unsigned char)text[i]))
				lower = 1;
			i++;
		}
		n = i - s;
		emit(text + s, n, fn, arg);
		if (upper_inside && lower) {
			size_t st[64], pl[64], k;

			k = case_parts(text + s, n, st, pl, 64);
			if (k > 1)
				for (size_t j = 0; j < k; j++)
					emit(text + s + st[j], pl[j], fn, arg);
		}
	}
}

size_t
ps_embed_enrich(const char *text, size_t len, struct buf *out)
{
	const struct ps_cmdlet_info *seen[PS_EMBED_MAX_COMMANDS];
	size_t nseen = 0, i = 0;

	if (len > PS_EMBED_MAX_TEXT)
		len = PS_EMBED_MAX_TEXT;
	while (i < len && nseen < PS_EMBED_MAX_COMMANDS) {
		const struct ps_cmdlet_info *c;
		size_t s, n, k;

		/* [A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*, found left to right as the generator's CMD */
		if (!is_alnum((unsigned char)text[i]) || is_digit((unsigned char)text[i])) {
			i++;
			continue;
		}
		s = i;
		while (i < len && (is_alnum((unsigned char)text[i]) ||
		    (text[i] == '-' && i + 1 < len && is_alnum((unsigned char)text[i + 1]))))
			i++;
		n = i - s;
		c = ps_catalog_resolve(text + s, n, NULL);
		if (c == NULL)
			continue;
		for (k = 0; k < nseen && seen[k] != c; k++)
			;
		if (k < nseen)
			continue;
		seen[nseen++] = c;
		buf_printf(out, "\n%s %s", c->name, c->synopsis);
	}
	return nseen;
}

static long
term_find(const struct ps_embed_model *m, const char *t)
{
	size_t lo = 0, hi = m->nterms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->terms[mid], t);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

struct counter {
	const struct ps_embed_model	*m;
	uint32_t			*count;	/* per term, of the text being counted */
	const uint32_t			*other;	/* per term, of the other text (NULL: none) */
	uint32_t			*used;	/* the terms counted, in first-seen order */
	size_t				 nused;
};

static void
count_token(const char *tok, size_t n, void *arg)
{
	struct counter *c = arg;
	long t;

	(void)n;
	t = term_find(c->m, tok);
	if (t < 0)
		return;
	if (c->count[t]++ == 0 && (c->other == NULL || c->other[t] == 0))
		c->used[c->nused++] = (uint32_t)t;
}

struct idf_max {
	const struct ps_embed_model	*m;
	double				 idf;
};

static void
idf_token(const char *tok, size_t n, void *arg)
{
	struct idf_max *x = arg;
	long t;

	(void)n;
	if ((t = term_find(x->m, tok)) >= 0 && x->m->weights[2 * t] > x->idf)
		x->idf = x->m->weights[2 * t];
}

double
ps_embed_idf(const struct ps_embed_model *m, const char *text, size_t len)
{
	struct idf_max x = { m, 0 };

	ps_embed_tokens(text, len > PS_EMBED_MAX_TEXT ? PS_EMBED_MAX_TEXT : len, idf_token, &x);
	return x.idf;
}

/* sublinear TF: 0 for a term not there */
static double
tf(uint32_t count)
{
	return count > 0 ? 1.0 + log((double)count) : 0;
}

/* text's embedding with the terms of extra (elen bytes, may be 0) weighing xw of the text's */
static size_t
embed_weighted(const struct ps_embed_model *m, const char *text, size_t len, const char *extra,
    size_t elen, double xw, float *out)
{
	struct counter c = { m, NULL, NULL, NULL, 0 };
	uint32_t *count, *xcount;
	double *acc, norm = 0;
	double wnorm = 0;

	memset(out, 0, sizeof(float) * m->dim);
	if (len > PS_EMBED_MAX_TEXT)
		len = PS_EMBED_MAX_TEXT;
	if (elen > PS_EMBED_MAX_TEXT)
		elen = PS_EMBED_MAX_TEXT;
	count = c.count = xcalloc(m->nterms, sizeof(*c.count));
	xcount = xcalloc(m->nterms, sizeof(*xcount));
	c.used = xcalloc(m->nterms, sizeof(*c.used));
	ps_embed_tokens(text, len, count_token, &c);
	c.count = xcount;
	c.other = count;
	ps_embed_tokens(extra, elen, count_token, &c);
	acc = xcalloc(m->dim, sizeof(*acc));
	/* sublinear TF times IDF, unit length, then projected: the generator's weighting */
	for (size_t i = 0; i < c.nused; i++) {
		uint32_t t = c.used[i];
		double w = (tf(count[t]) + xw * tf(xcount[t])) * m->weights[2 * t];

		wnorm += w * w;
	}
	wnorm = wnorm > 0 ? sqrt(wnorm) : 1;
	for (size_t i = 0; i < c.nused; i++) {
		uint32_t t = c.used[i];
		double w = (tf(count[t]) + xw * tf(xcount[t])) * m->weights[2 * t] / wnorm;
		double s = w * m->weights[2 * t + 1];
		const int8_t *row = m->proj + (size_t)t * m->dim;

		for (uint32_t d = 0; d < m->dim; d++)
			acc[d] += s * row[d];
	}
	for (uint32_t d = 0; d < m->dim; d++)
		norm += acc[d] * acc[d];
	if (norm > 0) {
		norm = sqrt(norm);
		for (uint32_t d = 0; d < m->dim; d++)
			out[d] = (float)(acc[d] / norm);
	}
	free(acc);
	free(count);
	free(xcount);
	free(c.used);
	return norm > 0 ? c.nused : 0;
}

size_t
ps_embed_text(const struct ps_embed_model *m, const char *text, size_t len, float *out)
{
	return embed_weighted(m, text, len, NULL, 0, 0, out);
}

size_t
ps_embed_query(const struct ps_embed_model *m, const char *text, size_t len, const char *extra,
    size_t elen, float *out)
{
	return embed_weighted(m, text, len, extra, elen, PS_EMBED_EXTRA_WEIGHT, out);
}

float
ps_embed_cosine(const float *a, const float *b, size_t dim)
{
	double ab = 0, aa = 0, bb = 0;

	for (size_t i = 0; i < dim; i++) {
		ab += (double)a[i] * b[i];
		aa += (double)a[i] * a[i];
		bb += (double)b[i] * b[i];
	}
	if (aa == 0 || bb == 0)
		return 0;
	return (float)(ab / sqrt(aa * bb));
}

/* The dot product of q and v (dim floats) in eight independent sums, which the compiler can
 * keep in one vector register (a single running sum serialises every addition). Inlined
 * into each copy of ps_embed_topk and of q8_rescore, so the AVX2 ones compute it with AVX2. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline float
dot(const float *q, const float *v, size_t dim)
{
	float s[8] = { 0, 0, 0, 0, 0, 0, 0, 0 }, t = 0;
	size_t d = 0;

	for (; d + 8 <= dim; d += 8)
		for (int j = 0; j < 8; j++)
			s[j] += q[d + j] * v[d + j];
	for (; d < dim; d++)
		t += q[d] * v[d];
	return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])) + t;
}

/* a ranks before b */
static int
better(const struct ps_embed_hit *a, const struct ps_embed_hit *b)
{
	return a->score > b->score || (a->score == b->score && a->row < b->row);
}

/* Restore the min-heap (worst hit at the root) below i. */
static void
sift_down(struct ps_embed_hit *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;
		struct ps_embed_hit t;

		if (l < n && better(&h[w], &h[l]))
			w = l;
		if (r < n && better(&h[w], &h[r]))
			w = r;
		if (w == i)
			return;
		t = h[i];
		h[i] = h[w];
		h[w] = t;
		i = w;
	}
}

static int
cmp_hit(const void *a, const void *b)
{
	return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

/* Add h to the heap of at most k best hits (worst at the root; *nh of them so far). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void
heap_offer(struct ps_embed_hit *hits, size_t *nh, size_t k, struct ps_embed_hit h)
{
	if (*nh < k) {
		/* grow the heap: sift the new hit up */
		size_t i = (*nh)++;

		hits[i] = h;
		while (i > 0 && better(&hits[(i - 1) / 2], &hits[i])) {
			struct ps_embed_hit t = hits[i];

			hits[i] = hits[(i - 1) / 2];
			hits[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
	} else if (better(&h, &hits[0])) {
		hits[0] = h;
		sift_down(hits, *nh, 0);
	}
}

/* The scan is most of a semantic search's instructions in the worker (5 of 8 M at 10,000
 * vectors of 256): where the CPU has AVX2, a copy of it built for AVX2 runs, whose eight sums
 * fit one register; without FMA (not asked for) every product and sum is rounded as in the
 * default copy, in the same order, so both give the same scores bit for bit. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define TOPK_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef TOPK_CLONES
#define TOPK_CLONES
#endif

TOPK_CLONES size_t
ps_embed_topk(const float *q, const float *vecs, size_t n, size_t dim, const uint8_t *keep,
    size_t k, struct ps_embed_hit *hits)
{
	size_t nh = 0;

	if (k == 0)
		return 0;
	for (size_t r = 0; r < n; r++) {
		if (keep != NULL && !keep[r])
			continue;
		heap_offer(hits, &nh, k,
		    (struct ps_embed_hit){ (uint32_t)r, dot(q, vecs + r * dim, dim) });
	}
	qsort(hits, nh, sizeof(*hits), cmp_hit);
	return nh;
}

/*
 * The int8 first pass and why it is exact.
 *
 * A row v (d floats) is kept as codes c_j = round(v_j / s), |c_j| <= 127, s = max|v_j| / 127
 * (a float), and a bound R >= rho, where
 *     rho = ||v - s c|| + gamma(d+1) (||v|| + s ||c||),   gamma(m) = m u / (1 - m u), u = 2^-24.
 * Let F = dot(q, v), the float scan's score, and A = s * fl(sum_j q_j c_j), the int8 pass's
 * approximation (its sum in any order, with or without FMA; s * sum in double, exact).
 *  - An inner product of d terms computed in float in any order, fused or not, is off by at
 *    most gamma(d) sum_j |x_j y_j| (Higham, Accuracy and Stability, 3.1); by Cauchy-Schwarz
 *    |F - q.v| <= gamma(d) ||q|| ||v||, and |A - s q.c| <= gamma(d) ||q|| s ||c|| (the codes
 *    are small integers: exact as floats).
 *  - |q.v - s q.c| = |q.(v - s c)| <= ||q|| ||v - s c||.
 * So |F - A| <= ||q|| rho <= ||q|| R. On top of that, delta, the scan's own rounding:
 *  - ps_embed_quantize computes rho in double (relative error below d 2^-52 for d < 2^20)
 *    and stores R = rho (1 + 2^-20) rounded up to a float.
 *  - The scan takes Q = sqrt(q.q in double) (1 + 2^-20) >= ||q||, e = Q R (1 + 2^-20) in
 *    double, and lo = A - e - 2^-100, hi = A + e + 2^-100 in double. |A| <= Q s ||c|| (1 +
 *    gamma) while e >= Q gamma(d+1) s ||c||, so rounding lo or hi (2^-53 of |A| + e) costs
 *    less than 2^-53 (2 / gamma(2)) e < 2^-28 e, inside e's 2^-20 margin. hi is stored as a
 *    float no smaller, lo kept as a float no larger (float_up, float_down).
 *  - Underflow: each product below 2^-126 may lose up to 2^-150 outright, 2 d of them at most
 *    over F and A: the 2^-100.
 *  - Overflow: the pass leaves rows above 2^50 (and non-finite rows) to the float scan (R
 *    infinite: always rescored) and questions with ||q|| above 2^50 (or zero, or not finite)
 *    to ps_embed_topk; below that no product or sum of d < 2^20 terms overflows.
 * Hence lo <= F <= hi for every row.
 *
 * Let tau be the k-th best lo over the kept rows (-infinity when fewer than k). A row x with
 * hi_x < tau has k rows y with F_y >= lo_y >= tau > hi_x >= F_x: k rows strictly better, so x
 * is not among the k best. The k best are therefore among the rows with hi >= tau, which are
 * rescored with dot(): the same scores, the same order, the same answer as ps_embed_topk.
 */
#define Q8_LIMIT	0x1p50
#define Q8_MARGIN	(1 + 0x1p-20)
#define Q8_TINY		0x1p-100
#define Q8_AHEAD_ROWS	8

/* gamma(d + 1) of the comment above, or infinity past the dimensions it holds for */
static double
q8_gamma(size_t dim)
{
	double mu = (double)(dim + 1) * 0x1p-24;

	return dim < (1u << 20) ? mu / (1 - mu) : INFINITY;
}

/* x as a float no smaller (float_up) or no larger (float_down), without a branch: the
 * conversion rounds to nearest, off by at most 2^-24 of the value or 2^-150 below 2^-126,
 * which the 2^-23 and 2^-140 added first cover. For x finite (float_up also +infinity,
 * float_down also -infinity). */
static inline float
float_up(double x)
{
	return (float)(x + fabs(x) * 0x1p-23 + 0x1p-140);
}

static inline float
float_down(double x)
{
	return (float)(x - fabs(x) * 0x1p-23 - 0x1p-140);
}

void
ps_embed_quantize(const float *v, size_t dim, int8_t *c, float *scale, float *bound)
{
	double m = 0, rr = 0, vv = 0, cc = 0, rho;
	float s;

	for (size_t d = 0; d < dim; d++) {
		if (!(fabs(v[d]) <= Q8_LIMIT)) {	/* too large, infinite or NaN */
			memset(c, 0, dim);
			*scale = 0;
			*bound = INFINITY;
			return;
		}
		if (fabs(v[d]) > m)
			m = fabs(v[d]);
	}
	s = (float)(m / 127);
	for (size_t d = 0; d < dim; d++) {
		double x = s > 0 ? nearbyint(v[d] / (double)s) : 0, res;

		x = x > 127 ? 127 : x < -127 ? -127 : x;
		c[d] = (int8_t)x;
		res = v[d] - (double)s * x;
		rr += res * res;
		vv += (double)v[d] * v[d];
		cc += x * x;
	}
	rho = sqrt(rr) + q8_gamma(dim) * (sqrt(vv) + s * sqrt(cc));
	*scale = s;
	*bound = float_up(rho * Q8_MARGIN);
}

/* q.c of a row's codes (dim of them): portable C in 32 sums */
static inline float
dot_q8(const float *q, const int8_t *c, size_t dim)
{
	float s[32], t = 0;
	size_t d = 0;

	for (int j = 0; j < 32; j++)
		s[j] = 0;
	for (; d + 32 <= dim; d += 32)
		for (int j = 0; j < 32; j++)
			s[j] += q[d + j] * c[d + j];
	for (; d < dim; d++)
		t += q[d] * c[d];
	for (int j = 0; j < 16; j++)
		s[j] += s[j + 16];
	for (int j = 0; j < 8; j++)
		s[j] += s[j + 8];
	return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])) + t;
}

/* The k-th largest of x[0..n-1] (1 <= k <= n, no NaN), which it reorders so that the k
 * largest come first: Hoare's FIND, as Wirth writes it (Algorithms + Data Structures =
 * Programs, 2.3.4), on signed indices. */
static float
kth_largest(float *x, size_t n, size_t k)
{
	ptrdiff_t l = 0, r = (ptrdiff_t)n - 1, m = (ptrdiff_t)k - 1;

	while (l < r) {
		float p = x[m], t;
		ptrdiff_t i = l, j = r;

		do {
			while (x[i] > p)
				i++;
			while (p > x[j])
				j--;
			if (i <= j) {
				t = x[i];
				x[i] = x[j];
				x[j] = t;
				i++;
				j--;
			}
		} while (i <= j);
		if (j < m)
			l = i;
		if (m < i)
			r = j;
	}
	return x[m];
}

/* A row's hi in the first pass, a candidate's row in the second. */
union q8_slot {
	float		 hi;
	uint32_t	 row;
};

/* The first pass: every kept row's hi into sl[r] (NaN for the others); returns tau, the k-th
 * best lo (-infinity when fewer). The lo above the k-th best so far are appended to buf (2 k
 * floats); when it is full, the k best are kept and the k-th is the new bar (a heap of k cost
 * a sift for most rows above the bar: a fifth of the pass at k = 1,000). The k-th best of any
 * k of the rows' lo is at most tau: a bar too low costs time, never an answer. Inlined into
 * each copy below with that copy's kernel. The codes Q8_AHEAD_ROWS rows ahead are asked of
 * memory while a row is scored (without, the pass takes half as long again at 100,000). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline double
q8_bounds_with(float (*kernel)(const float *, const int8_t *, size_t), const float *q,
    double qn, const struct ps_embed_q8 *v, size_t n, size_t dim, const uint8_t *keep, size_t k,
    union q8_slot *sl, float *buf)
{
	size_t nb = 0;
	float bar = -INFINITY;

	for (size_t r = 0; r < n; r++) {
		double a, e;

		if (r + Q8_AHEAD_ROWS < n)
			for (size_t o = 0; o < dim; o += 64)
				__builtin_prefetch(v->codes + (r + Q8_AHEAD_ROWS) * dim + o);
		if (keep != NULL && !keep[r]) {
			sl[r].hi = NAN;
			continue;
		}
		a = (double)v->scale[r] * kernel(q, v->codes + r * dim, dim);
		e = qn * v->bound[r] * Q8_MARGIN + Q8_TINY;
		sl[r].hi = float_up(a + e);
		if ((buf[nb] = float_down(a - e)) > bar && ++nb == 2 * k) {
			bar = kth_largest(buf, nb, k);
			nb = k;
		}
	}
	return nb < k ? -INFINITY : kth_largest(buf, nb, k);
}

static double
q8_bounds(const float *q, double qn, const struct ps_embed_q8 *v, size_t n, size_t dim,
    const uint8_t *keep, size_t k, union q8_slot *sl, float *buf)
{
	return q8_bounds_with(dot_q8, q, qn, v, n, dim, keep, k, sl, buf);
}

/* Where the CPU has AVX2 and FMA, the pass's kernel in intrinsics: GCC 12 vectorizes dot_q8
 * with three shuffles for every eight codes (bytes to words to ints, through vextracti128), on
 * the one port that shuffles, where vpmovsxbd from memory needs one; with it the pass takes
 * about half the time. Written for 32 codes a step in four sums, four chains of FMA. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define Q8_AVX2

__attribute__((target("avx2,fma"))) static inline float
dot_q8_avx2(const float *q, const int8_t *c, size_t dim)
{
	__m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
	__m128 h;
	float t = 0;
	size_t d = 0;

#define Q8_STEP(s, o) s = _mm256_fmadd_ps(_mm256_loadu_ps(q + d + (o)), _mm256_cvtepi32_ps( \
	    _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(c + d + (o))))), s)
	for (; d + 32 <= dim; d += 32) {
		Q8_STEP(s0, 0);
		Q8_STEP(s1, 8);
		Q8_STEP(s2, 16);
		Q8_STEP(s3, 24);
	}
	for (; d + 8 <= dim; d += 8)
		Q8_STEP(s0, 0);
#undef Q8_STEP
	for (; d < dim; d++)
		t += q[d] * c[d];
	s0 = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
	h = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
	h = _mm_add_ps(h, _mm_movehl_ps(h, h));
	h = _mm_add_ss(h, _mm_movehdup_ps(h));
	return _mm_cvtss_f32(h) + t;
}

__attribute__((target("avx2,fma"))) static double
q8_bounds_avx2(const float *q, double qn, const struct ps_embed_q8 *v, size_t n, size_t dim,
    const uint8_t *keep, size_t k, union q8_slot *sl, float *buf)
{
	return q8_bounds_with(dot_q8_avx2, q, qn, v, n, dim, keep, k, sl, buf);
}
#endif

/* The second pass: the rows whose hi reaches tau (a kept row's hi is never NaN, a left out
 * row's is), rescored as ps_embed_topk scores them. They are listed first, in place of their
 * hi (row m over hi[m], m <= r), so that the rows Q8_AHEAD_ROWS ahead can be fetched from
 * memory while one is scored: each is a cache miss, most of this pass's time unfetched. */
static TOPK_CLONES size_t
q8_rescore(const float *q, const float *vecs, union q8_slot *sl, double tau, size_t n,
    size_t dim, size_t k, struct ps_embed_hit *hits, size_t *rescored)
{
	size_t nh = 0, m = 0;

	for (size_t r = 0; r < n; r++)
		if (sl[r].hi >= tau)
			sl[m++].row = (uint32_t)r;
	for (size_t i = 0; i < m; i++) {
		size_t r = sl[i].row;

		if (i + Q8_AHEAD_ROWS < m)
			for (size_t o = 0; o < dim; o += 16)
				__builtin_prefetch(vecs + (size_t)sl[i + Q8_AHEAD_ROWS].row * dim + o);
		heap_offer(hits, &nh, k,
		    (struct ps_embed_hit){ (uint32_t)r, dot(q, vecs + r * dim, dim) });
	}
	*rescored = m;
	return nh;
}

size_t
ps_embed_topk_q8(const float *q, const float *vecs, const struct ps_embed_q8 *v, size_t n,
    size_t dim, const uint8_t *keep, size_t k, struct ps_embed_hit *hits, size_t *rescored)
{
	double qq = 0, qn, tau;
	size_t nh, m;
	union q8_slot *sl;
	float *buf;

	for (size_t d = 0; d < dim; d++)
		qq += (double)q[d] * q[d];
	qn = sqrt(qq) * Q8_MARGIN;
	/* k >= n: every kept row is an answer */
	if (k == 0 || k >= n || !(qn > 0 && qn <= Q8_LIMIT) || isinf(q8_gamma(dim))) {
		if (rescored != NULL)
			*rescored = k == 0 ? 0 : n;
		return ps_embed_topk(q, vecs, n, dim, keep, k, hits);
	}
	sl = xmalloc(n * sizeof(*sl));
	buf = xmalloc((2 * k + 1) * sizeof(*buf));
#ifdef Q8_AVX2
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		tau = q8_bounds_avx2(q, qn, v, n, dim, keep, k, sl, buf);
	else
#endif
		tau = q8_bounds(q, qn, v, n, dim, keep, k, sl, buf);
	free(buf);
	nh = q8_rescore(q, vecs, sl, tau, n, dim, k, hits, &m);
	free(sl);
	if (rescored != NULL)
		*rescored = m;
	qsort(hits, nh, sizeof(*hits), cmp_hit);
	return nh;
}
