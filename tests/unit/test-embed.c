/* test-embed.c: unit tests of the built-in embedding model, the enrichment and the exact scan */
#include "config.h"

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
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/data/embed/builtin-lsi.bin", top ? top : "..");
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	model_bytes = xmalloc((size_t)n);
	if (fread(model_bytes, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	fclose(f);
	model_len = (size_t)n;
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
	ps_embed_model_close(&model);
	free(model_bytes);
	return t_done();
}
