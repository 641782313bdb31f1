/* test-embed.c: unit tests of the built-in embedding model, the enrichment and the exact scan */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/embed.h"
#include "analyzer/lexicon.h"
#include "core/core.h"
#include "t.h"

static char *model_bytes;
static size_t model_len;
static struct ps_embed_model model;

static void
load_model(void)
{
	const char *top = getenv("PSS_SRCDIR");
	char path[4096];
	struct buf b = BUF_INIT;

	snprintf(path, sizeof(path), "%s/data/embed/builtin-lsi.bin", top ? top : "..");
	if (file_read(path, &b, SIZE_MAX) != PSS_OK) {
		fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
		exit(1);
	}
	model_len = b.len;
	model_bytes = buf_detach(&b);
}

static void
collect(const char *tok, size_t n, void *arg)
{
	struct buf *b = arg;

	if (b->len)
		buf_putc(b, ' ');
	buf_append(b, tok, n);
}

static char *
toks(const char *s)
{
	struct buf b = BUF_INIT;

	ps_embed_tokens(s, strlen(s), collect, &b);
	return buf_detach(&b);
}

static void
test_tokens_match_the_generator(void)
{
	char *t;

	/* tools/gen-embed-model.py's tokens() of the same strings */
	t = toks("Get-ChildItem -Path C:\\logs");
	T_STREQ(t, "get childitem child item path log");
	free(t);
	t = toks("HTTPServer files policies class x9");
	T_STREQ(t, "httpserver http server file policy class x9");
	free(t);
	t = toks("Invoke-WebRequest");
	T_STREQ(t, "invoke webrequest web request");
	free(t);
}

static void
test_model_opens(void)
{
	char err[200];

	T_EQ(ps_embed_model_open(&model, model_bytes, model_len, err, sizeof(err)), 0);
	T_EQ(model.dim, 256);
	T_ASSERT(model.nterms > 1000);
	T_ASSERT(strncmp(model.version, "lsi-", 4) == 0 && strlen(model.version) == 20);
}

static void
test_model_refuses_truncated_and_corrupt(void)
{
	struct ps_embed_model m;
	char err[200];
	char *copy = xmalloc(model_len);

	T_EQ(ps_embed_model_open(&m, model_bytes, model_len - 1, err, sizeof(err)), -1);
	T_CONTAINS(err, "truncated");
	memcpy(copy, model_bytes, model_len);
	copy[0] = 'X';
	T_EQ(ps_embed_model_open(&m, copy, model_len, err, sizeof(err)), -1);
	T_CONTAINS(err, "magic");
	memcpy(copy, model_bytes, model_len);
	copy[model_len - 1] = 'z';	/* the last term loses its NUL */
	T_EQ(ps_embed_model_open(&m, copy, model_len, err, sizeof(err)), -1);
	free(copy);
}

static void
test_embedding_is_deterministic_and_unit(void)
{
	const char *s = "Remove old log files from the web server folder\nGet-ChildItem | Remove-Item";
	float a[256], b[256];
	double n = 0;

	T_ASSERT(ps_embed_text(&model, s, strlen(s), a) > 3);
	T_ASSERT(ps_embed_text(&model, s, strlen(s), b) > 3);
	T_ASSERT(memcmp(a, b, sizeof(a)) == 0);
	for (int i = 0; i < 256; i++)
		n += (double)a[i] * a[i];
	T_ASSERTF(fabs(n - 1.0) < 1e-4, "norm^2 %f", n);
	T_EQ(ps_embed_text(&model, "", 0, a), 0);
	T_EQ(ps_embed_text(&model, "zzqx qqzzx", 10, a), 0);
	T_ASSERT(a[0] == 0 && a[255] == 0);
}

static float
sim(const char *x, const char *y)
{
	float a[256], b[256];

	ps_embed_text(&model, x, strlen(x), a);
	ps_embed_text(&model, y, strlen(y), b);
	return ps_embed_cosine(a, b, 256);
}

static void
test_related_texts_are_closer(void)
{
	const char *certs = "Get-ChildItem Cert:\\LocalMachine\\My | Where-Object NotAfter -lt (Get-Date).AddDays(30)";
	const char *procs = "Get-Process | Sort-Object CPU -Descending | Select-Object -First 5";

	T_ASSERT(sim("certificates that expire soon", certs) >
	    sim("certificates that expire soon", procs));
	T_ASSERT(sim("processes using the most cpu", procs) >
	    sim("processes using the most cpu", certs));
}

static void
test_enrich_names_commands_and_aliases(void)
{
	struct buf b = BUF_INIT;
	const char *s = "gci C:\\x | Remove-Item; gci . ; kill 42";

	T_EQ(ps_embed_enrich(s, strlen(s), &b), 3);
	T_CONTAINS(buf_cstr(&b), "Get-ChildItem");
	T_CONTAINS(buf_cstr(&b), "Remove-Item");
	T_CONTAINS(buf_cstr(&b), "Stop-Process");
	buf_free(&b);
}

/* A word's rarity in the reference: its tokens' highest IDF; none for a word it never saw. */
static void
test_idf_orders_words_by_rarity(void)
{
	struct ps_embed_model m;
	char err[256];

	T_EQ(ps_embed_model_open(&m, model_bytes, model_len, err, sizeof(err)), 0);
	T_ASSERT(ps_embed_idf(&m, "get", 3) > 1);
	T_ASSERT(ps_embed_idf(&m, "certificate", 11) > ps_embed_idf(&m, "get", 3));
	/* the plural rule and case as the tokenizer: "Certificates" is "certificate" */
	T_ASSERT(ps_embed_idf(&m, "Certificates", 12) == ps_embed_idf(&m, "certificate", 11));
	/* a dashed name: its rarest part */
	T_ASSERT(ps_embed_idf(&m, "Get-Certificate", 15) == ps_embed_idf(&m, "certificate", 11));
	T_ASSERT(ps_embed_idf(&m, "zqxjv", 5) == 0);
	T_ASSERT(ps_embed_idf(&m, "", 0) == 0);
	ps_embed_model_close(&m);
}

/* The scan against a brute force over random vectors, with ties and a keep mask. */
static void
test_topk_is_exact(void)
{
	enum { N = 2000, D = 32, K = 25 };
	float *v = xmalloc(sizeof(float) * N * D), q[D];
	uint8_t keep[N];
	struct ps_embed_hit hits[K];
	unsigned seed = 7;
	size_t n;

	for (size_t i = 0; i < N * D; i++) {
		seed = seed * 1103515245u + 12345u;
		v[i] = (float)((seed >> 8) % 2001) / 1000.0f - 1.0f;
	}
	memcpy(v + 10 * D, v + 20 * D, sizeof(float) * D);	/* a tie */
	for (int d = 0; d < D; d++)
		q[d] = v[20 * D + d];
	for (size_t r = 0; r < N; r++)
		keep[r] = r % 3 != 0;
	n = ps_embed_topk(q, v, N, D, keep, K, hits);
	T_EQ(n, K);
	for (size_t i = 0; i < n; i++) {
		/* hits[i] is the i-th best kept row: exactly i kept rows rank above it */
		size_t above = 0;
		double s = hits[i].score, bf = 0;

		T_ASSERT(keep[hits[i].row]);
		for (int d = 0; d < D; d++)
			bf += (double)q[d] * v[hits[i].row * D + d];
		T_ASSERTF(fabs(bf - s) < 1e-4, "score %f, brute force %f", s, bf);
		/* rows clearly better than it (beyond rounding) are all ranked above it */
		for (size_t r = 0; r < N; r++) {
			double t = 0;

			if (!keep[r])
				continue;
			for (int d = 0; d < D; d++)
				t += (double)q[d] * v[r * D + d];
			if (t > s + 1e-4)
				above++;
		}
		T_ASSERTF(above <= i, "%zu rows better than hit %zu", above, i);
	}
	T_EQ(hits[0].row, 10);	/* the tie goes to the lower row */
	T_EQ(hits[1].row, 20);
	T_EQ(ps_embed_topk(q, v, 5, D, NULL, K, hits), 5);
	free(v);
}

/* The lexicon's table: sorted, keys in lower case of one or two words, at most six terms a
 * key, and every term a word the model knows (else it could not help the model). */
static void
test_lexicon_table_is_sorted_and_known_to_the_model(void)
{
	T_ASSERT(ps_lexicon_len > 100);
	for (size_t i = 0; i < ps_lexicon_len; i++) {
		const struct ps_lexicon_entry *e = &ps_lexicon[i];
		const char *p, *sp = strchr(e->word, ' ');
		size_t nterms = 0;

		if (i > 0)
			T_ASSERTF(strcmp(ps_lexicon[i - 1].word, e->word) < 0, "%s before %s",
			    ps_lexicon[i - 1].word, e->word);
		for (p = e->word; *p != '\0'; p++)
			T_ASSERTF((*p >= 'a' && *p <= 'z') || (*p == ' ' && p == sp), "key %s", e->word);
		T_ASSERTF(sp == NULL || strchr(sp + 1, ' ') == NULL, "key %s", e->word);
		T_ASSERTF(ps_lexicon_find(e->word, strlen(e->word)) == e, "find %s", e->word);
		for (p = e->terms; *p != '\0'; ) {
			size_t n = strcspn(p, " ");
			char t[64];

			T_ASSERTF(n > 0 && n < sizeof(t), "terms of %s", e->word);
			memcpy(t, p, n);
			t[n] = '\0';
			T_ASSERTF(ps_embed_idf(&model, t, n) > 0, "%s: term %s unknown to the model",
			    e->word, t);
			T_ASSERTF(strcmp(t, e->word) != 0, "%s maps to itself", e->word);
			nterms++;
			p += n;
			p += *p == ' ';
		}
		T_ASSERTF(nterms >= 1 && nterms <= 6, "%s: %zu terms", e->word, nterms);
	}
}

static char *
expand(const char *s, size_t *n)
{
	struct buf b = BUF_INIT;

	char *x;

	*n = ps_lexicon_expand(s, strlen(s), &b);
	x = buf_detach(&b);
	return x != NULL ? x : xstrdup("");
}

static void
test_lexicon_expands_words_plurals_and_phrases(void)
{
	const struct ps_lexicon_entry *folder = ps_lexicon_find("folder", 6), *e;
	struct buf b = BUF_INIT;
	char *x;
	size_t n;

	T_ASSERT(folder != NULL);
	T_ASSERT(ps_lexicon_find("folders", 7) == folder);
	T_ASSERT(ps_lexicon_find("zzqx", 4) == NULL);
	T_ASSERT(ps_lexicon_find("", 0) == NULL);
	x = expand("Delete old FOLDERS, then reboot!", &n);
	T_ASSERT(n >= 2);
	T_CONTAINS(x, folder->terms);
	free(x);
	/* a two-word key wins over its words */
	for (size_t i = 0; i < ps_lexicon_len; i++)
		if (strchr(ps_lexicon[i].word, ' ') != NULL) {
			e = &ps_lexicon[i];
			x = expand(e->word, &n);
			T_EQ(n, 1);
			buf_putc(&b, ' ');
			buf_puts(&b, e->terms);
			T_STREQ(x, buf_cstr(&b));
			free(x);
			break;
		}
	buf_free(&b);
	/* bounded: only the first PS_LEXICON_MAX_WORDS words are looked up; long words are none */
	for (int i = 0; i < 10000; i++)
		buf_puts(&b, "folder ");
	x = buf_detach(&b);
	T_EQ(ps_lexicon_expand(x, strlen(x), &b), PS_LEXICON_MAX_WORDS);
	buf_free(&b);
	free(x);
	x = expand("folderfolderfolderfolderfolder 12345 ---", &n);
	T_EQ(n, 0);
	T_STREQ(x, "");
	free(x);
}

/* Every score is, bit for bit, the eight-sum dot product in its order (whichever copy of the
 * scan the CPU runs: the AVX2 one must round as the default one), at dimensions with and
 * without a tail of fewer than eight. */
static void
test_topk_scores_are_the_eight_sums_bit_for_bit(void)
{
	enum { N = 500 };
	unsigned seed = 11;

	for (size_t dim = 250; dim <= 258; dim++) {
		float *v = xmalloc(sizeof(float) * N * dim), *q = xmalloc(sizeof(float) * dim);
		struct ps_embed_hit *hits = xmalloc(sizeof(*hits) * N);
		size_t n, bad = 0;

		for (size_t i = 0; i < N * dim + dim; i++) {
			seed = seed * 1103515245u + 12345u;
			*(i < N * dim ? &v[i] : &q[i - N * dim]) = (float)((seed >> 8) % 20001) / 10000.0f - 1.0f;
		}
		n = ps_embed_topk(q, v, N, dim, NULL, N, hits);
		T_EQ(n, N);
		for (size_t i = 0; i < n; i++) {
			const float *r = v + (size_t)hits[i].row * dim;
			float s[8] = { 0, 0, 0, 0, 0, 0, 0, 0 }, t = 0, want;
			size_t d = 0;

			for (; d + 8 <= dim; d += 8)
				for (int j = 0; j < 8; j++)
					s[j] += q[d + j] * r[d + j];
			for (; d < dim; d++)
				t += q[d] * r[d];
			want = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])) + t;
			bad += memcmp(&want, &hits[i].score, sizeof(want)) != 0;
		}
		T_ASSERTF(bad == 0, "dimension %zu: %zu scores differ", dim, bad);
		free(v);
		free(q);
		free(hits);
	}
}

/* The int8 scan's answer against the float scan's on one set of vectors: the same rows in the
 * same order, the same scores bit for bit. Returns how many rows it rescored. */
static size_t
q8_matches_float(const char *what, const float *v, size_t n, size_t dim, const float *q,
    const uint8_t *keep, size_t k)
{
	int8_t *codes = xmalloc(n * dim + 1);
	float *scale = xmalloc(sizeof(float) * (n + 1)), *bound = xmalloc(sizeof(float) * (n + 1));
	struct ps_embed_hit *want = xmalloc(sizeof(*want) * (k + 1));
	struct ps_embed_hit *got = xmalloc(sizeof(*got) * (k + 1));
	struct ps_embed_q8 qv = { codes, scale, bound };
	size_t nw, ng, rescored = 0, bad = 0;

	for (size_t r = 0; r < n; r++)
		ps_embed_quantize(v + r * dim, dim, codes + r * dim, &scale[r], &bound[r]);
	nw = ps_embed_topk(q, v, n, dim, keep, k, want);
	ng = ps_embed_topk_q8(q, v, &qv, n, dim, keep, k, got, &rescored);
	T_ASSERTF(ng == nw, "%s (n %zu, dim %zu, k %zu): %zu hits, want %zu", what, n, dim, k, ng, nw);
	for (size_t i = 0; i < nw && i < ng; i++)
		if (got[i].row != want[i].row ||
		    memcmp(&got[i].score, &want[i].score, sizeof(float)) != 0) {
			if (bad++ < 3)
				T_FAIL_("%s (n %zu, dim %zu, k %zu): hit %zu is row %u %.9g, want row %u %.9g",
				    what, n, dim, k, i, got[i].row, got[i].score, want[i].row, want[i].score);
		}
	T_ASSERTF(bad == 0, "%s: %zu hits differ", what, bad);
	free(codes);
	free(scale);
	free(bound);
	free(want);
	free(got);
	return rescored;
}

static unsigned q8_seed = 5;

static float
q8_rand(void)
{
	q8_seed = q8_seed * 1103515245u + 12345u;
	return (float)((q8_seed >> 8) % 20001) / 10000.0f - 1.0f;
}

static void
q8_unit(float *v, size_t dim)
{
	double norm = 0;

	for (size_t d = 0; d < dim; d++)
		norm += (double)v[d] * v[d];
	for (size_t d = 0; d < dim && norm > 0; d++)
		v[d] = (float)(v[d] / sqrt(norm));
}

/* Random unit vectors at dimensions on and off the kernel's 32 and 8, k from 1 to past n (the
 * bar on the lower bounds moves many times at small k), questions that are rows, random or
 * zero, with and without a keep mask, fewer kept rows than k; and the pass has to leave most
 * rows out when k is small, or it would be no first pass at all. */
static void
test_topk_q8_is_the_float_scan_on_random_vectors(void)
{
	const size_t dims[] = { 1, 3, 7, 8, 9, 16, 31, 32, 33, 100, 250, 255, 256, 257 };
	const size_t ks[] = { 1, 2, 21, 100, 1000, 5000 };
	enum { N = 1500 };

	for (size_t di = 0; di < PSS_ARRAY_LEN(dims); di++) {
		size_t dim = dims[di];
		float *v = xmalloc(sizeof(float) * N * dim), *q = xmalloc(sizeof(float) * dim);
		uint8_t *keep = xmalloc(N);

		for (size_t r = 0; r < N; r++) {
			for (size_t d = 0; d < dim; d++)
				v[r * dim + d] = q8_rand();
			q8_unit(v + r * dim, dim);
			keep[r] = (q8_seed >> 12) % 4 != 0;
		}
		for (size_t ki = 0; ki < PSS_ARRAY_LEN(ks); ki++) {
			size_t m;

			memcpy(q, v + (ks[ki] % N) * dim, sizeof(float) * dim);	/* a row */
			m = q8_matches_float("row as question", v, N, dim, q, NULL, ks[ki]);
			if (dim >= 100 && ks[ki] <= 21)
				T_ASSERTF(m < N / 4, "dim %zu, k %zu: %zu rows of %d rescored", dim,
				    ks[ki], m, N);
			for (size_t d = 0; d < dim; d++)
				q[d] = q8_rand() * 3;	/* not unit */
			q8_matches_float("random question", v, N, dim, q, NULL, ks[ki]);
			q8_matches_float("kept rows", v, N, dim, q, keep, ks[ki]);
			memset(q, 0, sizeof(float) * dim);
			q8_matches_float("zero question", v, N, dim, q, keep, ks[ki]);
		}
		for (size_t r = 0; r < N; r++)
			keep[r] = r % 4 == 0;	/* fewer kept than k: every kept row is an answer */
		q8_matches_float("few kept", v, N, dim, v + 8 * dim, keep, N / 2);
		q8_matches_float("k one below n", v, N, dim, v + 8 * dim, NULL, N - 1);
		memset(keep, 0, N);
		q8_matches_float("nothing kept", v, N, dim, q, keep, 10);
		q8_matches_float("no rows", v, 0, dim, q, NULL, 10);
		q8_matches_float("k 0", v, N, dim, q, NULL, 0);
		free(v);
		free(q);
		free(keep);
	}
}

/* Rows built to sit on the bounds: many copies of one vector (one score, ties by row), copies
 * one unit in the last place apart, zero rows, a row of one spike (coarse codes), rows not of
 * unit length from 1e-30 to 1e6 and subnormal ones, a row above 2^50 and one infinite (always
 * rescored; their scores are not NaN for a question with no zero where they are infinite). */
static void
test_topk_q8_is_the_float_scan_on_adversarial_vectors(void)
{
	enum { N = 1200 };
	const size_t dims[] = { 17, 256 };

	for (size_t di = 0; di < PSS_ARRAY_LEN(dims); di++) {
		size_t dim = dims[di];
		float *v = xmalloc(sizeof(float) * N * dim), *q = xmalloc(sizeof(float) * dim);
		float *base = xmalloc(sizeof(float) * dim);
		uint8_t *keep = xmalloc(N);

		for (size_t d = 0; d < dim; d++)
			base[d] = q8_rand();
		q8_unit(base, dim);
		for (size_t r = 0; r < N; r++) {
			float *row = v + r * dim;

			memcpy(row, base, sizeof(float) * dim);
			keep[r] = r % 3 != 1;
			switch (r % 8) {
			case 0:	/* the same vector */
			case 1:
				break;
			case 2:	/* one ulp away, up or down, in one place */
				row[r % dim] = nextafterf(row[r % dim], r % 16 < 8 ? INFINITY : -INFINITY);
				break;
			case 3:
				memset(row, 0, sizeof(float) * dim);
				break;
			case 4:	/* one spike and dust */
				for (size_t d = 0; d < dim; d++)
					row[d] = q8_rand() * 1e-4f;
				row[r % dim] = 1;
				break;
			case 5:	/* the base at another length */
				for (size_t d = 0; d < dim; d++)
					row[d] *= (float)pow(10, (double)(r % 37) - 30);
				break;
			case 6:	/* subnormal */
				for (size_t d = 0; d < dim; d++)
					row[d] = q8_rand() * 1e-39f;
				break;
			default:
				for (size_t d = 0; d < dim; d++)
					row[d] = q8_rand();
				q8_unit(row, dim);
			}
		}
		v[7 * dim] = 0x1p51f;
		v[15 * dim + 1] = INFINITY;
		for (size_t i = 0; i < 4; i++) {
			const size_t ks[] = { 1, 21, 400, N + 1 };

			memcpy(q, base, sizeof(float) * dim);
			for (size_t d = 0; d < dim; d++)
				q[d] += i == 0 ? 0 : q8_rand() * (i == 3 ? 1e-30f : 1e-6f);
			q[1] = q[1] == 0 ? 1 : q[1];	/* the infinite row: inf, not NaN */
			q[0] = q[0] == 0 ? 1 : q[0];
			for (size_t ki = 0; ki < PSS_ARRAY_LEN(ks); ki++) {
				q8_matches_float("near ties", v, N, dim, q, NULL, ks[ki]);
				q8_matches_float("near ties, kept rows", v, N, dim, q, keep, ks[ki]);
			}
		}
		for (size_t d = 0; d < dim; d++)
			q[d] = base[d] * 0x1p60f;	/* too long for the pass: the float scan */
		q8_matches_float("a long question", v, N, dim, q, NULL, 21);
		free(v);
		free(q);
		free(base);
		free(keep);
	}
}

/* Cases where less than the whole bound gives a wrong answer. Rows on a grid of 2^-10 have
 * exact codes (scale 2^-10), so only rounding tells their scores apart: 600 copies of one row
 * moved by a code where the question is below 1e-6 score within a few ulps of each other,
 * and the int8 pass (FMA, 32 sums) rounds them otherwise than the float scan (8 sums): without
 * the rounding terms the best row is lost, and so is a row of the k best when the bar on the
 * lower bounds is set above the k-th. And a row off the grid (error e), asked the
 * question e / ||e||: its score is its int8 score plus exactly ||e||, the whole first term,
 * while a grid row scores 0.75 ||e|| above it: half the bound loses it. */
static void
test_topk_q8_needs_its_whole_bound(void)
{
	enum { N = 600, D = 64 };
	float *v = xmalloc(sizeof(float) * N * D), q[D], f[D];
	double ff = 0, gain = 0;

	for (int d = 0; d < D; d++)
		q[d] = d < 8 ? (float)((d + 1) * 1e-7) : q8_rand();
	for (int r = 0; r < N; r++)
		for (int d = 0; d < D; d++) {
			float c = d == 8 ? 127 : (float)((int)(q8_rand() * 60));

			v[r * D + d] = ldexpf(d < 8 || r == 0 ? c : v[d] * 1024, -10);
		}
	for (size_t k = 1; k <= 300; k += k < 3 ? 1 : 37)
		q8_matches_float("near ties on the grid", v, N, D, q, NULL, k);

	/* row 0 off the grid by f, row 1 on it, 0.75 ||f|| better along f */
	for (int d = 0; d < D; d++) {
		float c = d == 0 ? 127 : (float)((int)(q8_rand() * 100));

		f[d] = d == 0 ? 0 : q8_rand() * 0.45f;
		v[d] = ldexpf(c + f[d], -10);
		v[D + d] = ldexpf(c, -10);
		ff += (double)f[d] * f[d];
	}
	for (int d = 1; d < D; d++) {
		q[d] = (float)(f[d] / sqrt(ff));
		if (gain + fabs(f[d]) < 0.75 * ff) {
			gain += fabs(f[d]);
			v[D + d] = ldexpf((float)(int)(v[D + d] * 1024) + (f[d] < 0 ? -1 : 1), -10);
		}
	}
	q[0] = 0;
	q8_matches_float("a question along a row's error", v, 2, D, q, NULL, 1);
	free(v);
}

/* The stored bound covers the codes' error: a row rebuilt from its codes and scale is within
 * its bound of the row, and the codes use the range (the largest component is +-127). */
static void
test_quantize_bounds_its_error(void)
{
	enum { D = 256 };
	float v[D], scale, bound;
	int8_t c[D];

	for (int t = 0; t < 100; t++) {
		double err = 0;
		int top = 0;

		for (int d = 0; d < D; d++)
			v[d] = q8_rand();
		q8_unit(v, D);
		ps_embed_quantize(v, D, c, &scale, &bound);
		for (int d = 0; d < D; d++) {
			double e = v[d] - (double)scale * c[d];

			err += e * e;
			top = abs(c[d]) > top ? abs(c[d]) : top;
		}
		T_ASSERTF(sqrt(err) <= bound, "error %g, bound %g", sqrt(err), bound);
		T_ASSERTF(bound < 0.01, "bound %g of a unit vector", bound);
		T_EQ(top, 127);
	}
	v[3] = NAN;
	ps_embed_quantize(v, D, c, &scale, &bound);
	T_ASSERT(isinf(bound) && scale == 0 && c[0] == 0);
}

int
main(void)
{
	load_model();
	T_RUN(test_tokens_match_the_generator);
	T_RUN(test_model_opens);
	T_RUN(test_model_refuses_truncated_and_corrupt);
	T_RUN(test_embedding_is_deterministic_and_unit);
	T_RUN(test_related_texts_are_closer);
	T_RUN(test_enrich_names_commands_and_aliases);
	T_RUN(test_idf_orders_words_by_rarity);
	T_RUN(test_topk_is_exact);
	T_RUN(test_lexicon_table_is_sorted_and_known_to_the_model);
	T_RUN(test_lexicon_expands_words_plurals_and_phrases);
	T_RUN(test_topk_scores_are_the_eight_sums_bit_for_bit);
	T_RUN(test_quantize_bounds_its_error);
	T_RUN(test_topk_q8_is_the_float_scan_on_random_vectors);
	T_RUN(test_topk_q8_is_the_float_scan_on_adversarial_vectors);
	T_RUN(test_topk_q8_needs_its_whole_bound);
	ps_embed_model_close(&model);
	free(model_bytes);
	return t_done();
}
