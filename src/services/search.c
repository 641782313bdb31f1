/* search.c: search by keyword, by meaning and both fused, and similar scripts (docs/search.md) */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/catalog.h"
#include "db/embeddings.h"
#include "services/library.h"
#include "services/library-int.h"

/* A ranked list of scripts: ids and scores, best first. */
struct ranked {
	int64_t	*ids;
	double	*scores;
	size_t	 n;
	size_t	 all;	/* keyword's: the first all match every word of the query */
};

static void
ranked_free(struct ranked *r)
{
	free(r->ids);
	free(r->scores);
	r->ids = NULL;
	r->scores = NULL;
	r->n = 0;
}

/* The query with each word that is a command alias replaced by its command ("kill notepad"
 * -> "Stop-Process notepad"), or NULL when it names no alias. Caller frees. */
static char *
alias_expand(const char *q)
{
	struct buf b = BUF_INIT;
	bool any = false;
	const char *p = q;

	while (*p != '\0') {
		const char *s = p;
		const struct ps_alias_info *a = NULL;
		const struct ps_cmdlet_info *c;

		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '"')
			p++;
		if (p > s && (c = ps_catalog_resolve(s, (size_t)(p - s), &a)) != NULL && a != NULL) {
			buf_puts(&b, c->name);
			any = true;
		} else
			buf_append(&b, s, (size_t)(p - s));
		if (*p != '\0')
			buf_putc(&b, *p++);
	}
	if (!any) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* The semantic ranking of q: the scripts the viewer sees that pass f, by cosine, at most
 * LIBRARY_SEMANTIC_MAX with a cosine of at least LIBRARY_SEMANTIC_MIN. On an answer without
 * results, *reason says why (NULL when there simply is no match); when the configured provider
 * failed and the built-in model answered, *reason says that. *em: the model that answered. */
static enum pss_err
semantic_rank(const struct svc *s, const struct viewer *v, const struct script_filter *f,
    struct ranked *out, const struct library_embedder **em, const char **method,
    const char **reason, char *rbuf, size_t rbufsz)
{
	char why[256];
	struct library_vector lv;
	float *q = NULL, *scores = NULL;
	int64_t *ids = NULL;
	uint8_t *keep = NULL;
	int k, n = 0, got;
	enum pss_err e;

	memset(out, 0, sizeof(*out));
	*reason = NULL;
	*method = NULL;
	*em = NULL;
	e = library_embed(s, f->query, strlen(f->query), NULL, true, &lv, why, sizeof(why));
	if (e == PSS_EINVAL) {
		*reason = "no word of the query is known to the embedding model";
		return PSS_OK;
	}
	if (e != PSS_OK) {
		snprintf(rbuf, rbufsz, "no embedding model is available on this server (%.180s)", why);
		*reason = rbuf;
		return PSS_OK;
	}
	*em = lv.em;
	q = lv.v;
	if (lv.fallback) {
		snprintf(rbuf, rbufsz, "%s", lv.reason);
		*reason = rbuf;
	}
	/* candidates, then who may see them; more candidates while too few remain (the scan
	 * answering fewer than asked: it had no more) */
	for (k = LIBRARY_SEMANTIC_MAX; ; k *= 4) {
		ids = xrealloc(ids, sizeof(*ids) * (size_t)k);
		scores = xrealloc(scores, sizeof(*scores) * (size_t)k);
		keep = xrealloc(keep, (size_t)k);
		if ((e = library_nearest(s, *em, q, k, ids, scores, &n, method)) != PSS_OK)
			goto out;
		if (n == 0 && k == LIBRARY_SEMANTIC_MAX) {
			*reason = "no script has an embedding yet (they are being computed)";
			*method = NULL;
			goto out;
		}
		got = n;
		while (n > 0 && scores[n - 1] < LIBRARY_SEMANTIC_MIN)
			n--;
		if ((e = db_scripts_filter_ids(s->db, v, f, ids, (size_t)n, keep)) != PSS_OK)
			goto out;
		out->n = 0;
		out->ids = xrealloc(out->ids, sizeof(*out->ids) * (size_t)(n ? n : 1));
		out->scores = xrealloc(out->scores, sizeof(*out->scores) * (size_t)(n ? n : 1));
		for (int i = 0; i < n && out->n < LIBRARY_SEMANTIC_MAX; i++)
			if (keep[i]) {
				out->ids[out->n] = ids[i];
				out->scores[out->n++] = scores[i];
			}
		/* enough, or every candidate above the least cosine was looked at */
		if (out->n >= LIBRARY_SEMANTIC_MAX || got < k || n < got || k >= (1 << 22))
			break;
	}
out:
	free(q);
	free(ids);
	free(scores);
	free(keep);
	if (e != PSS_OK)
		ranked_free(out);
	return e;
}

struct fused {
	int64_t	 id;
	double	 score;
};

static int
cmp_fused_id(const void *a, const void *b)
{
	const struct fused *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int
cmp_fused_score(const void *a, const void *b)
{
	const struct fused *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Weighted reciprocal rank fusion of three lists: each adds its weight / (k + its rank) to a
 * script's score. a: keyword's any-two-words ranking, weight 1, and its first a->all scripts
 * (those matching every word: the strict keyword search's) again as a list of their own,
 * LIBRARY_RRF_W_ALL; b: semantic's, LIBRARY_RRF_W_SEMANTIC. */
static void
rrf(const struct ranked *a, const struct ranked *b, struct ranked *out)
{
	size_t n = a->n + b->n, m = 0;
	struct fused *f = xcalloc(n ? n : 1, sizeof(*f));

	for (size_t i = 0; i < a->n; i++)
		f[m++] = (struct fused){ a->ids[i], (1.0 + (i < a->all ? LIBRARY_RRF_W_ALL : 0)) /
		    (LIBRARY_RRF_K + (double)i + 1) };
	for (size_t i = 0; i < b->n; i++)
		f[m++] = (struct fused){ b->ids[i], LIBRARY_RRF_W_SEMANTIC /
		    (LIBRARY_RRF_K + (double)i + 1) };
	qsort(f, m, sizeof(*f), cmp_fused_id);
	n = 0;
	for (size_t i = 0; i < m; i++) {
		if (n > 0 && f[n - 1].id == f[i].id)
			f[n - 1].score += f[i].score;
		else
			f[n++] = f[i];
	}
	qsort(f, n, sizeof(*f), cmp_fused_score);
	out->ids = xcalloc(n ? n : 1, sizeof(*out->ids));
	out->scores = xcalloc(n ? n : 1, sizeof(*out->scores));
	for (size_t i = 0; i < n; i++) {
		out->ids[i] = f[i].id;
		out->scores[i] = f[i].score;
	}
	out->n = n;
	free(f);
}

#define ANY_WORDS	(2 * LIBRARY_SEARCH_MAX_WORDS)	/* the query's and its alias twin's */
#define ANY_WORD_MAX	64

static bool
word_char(char c)
{
	return (unsigned char)c < 128 && isalnum((unsigned char)c);
}

/* The distinct words (runs of ASCII letters and digits, dashes inside: Stop-Process) of q,
 * lower case, into w (n so far, at most ANY_WORDS); a word the query excludes (-word) is not
 * one. Longer words than ANY_WORD_MAX bytes are left out. */
static size_t
query_words(const char *q, char w[][ANY_WORD_MAX + 1], size_t n)
{
	const char *p = q;

	while (*p != '\0' && n < ANY_WORDS) {
		const char *s;
		bool excluded;
		size_t len, k;

		if (!word_char(*p)) {
			p++;
			continue;
		}
		for (s = p; word_char(*p) || (*p == '-' && word_char(p[1])); p++)
			;
		excluded = s > q && s[-1] == '-' && (s - 1 == q || s[-2] == ' ' || s[-2] == '\t');
		if (excluded || (len = (size_t)(p - s)) > ANY_WORD_MAX)
			continue;
		for (size_t i = 0; i < len; i++)
			w[n][i] = (char)tolower((unsigned char)s[i]);
		w[n][len] = '\0';
		for (k = 0; k < n && strcmp(w[k], w[n]) != 0; k++)
			;
		if (k == n)
			n++;
	}
	return n;
}

/* Hybrid's keyword side: the scripts matching any two of the query's words (or of its alias
 * twin's), each word weighing its rarity (library_word_idf): a question in plain words rarely
 * has every one of its words in the script it wants, even with the commands' meaning. */
static enum pss_err
keyword_rank_any(const struct svc *s, const struct viewer *v, const struct script_filter *f,
    struct ranked *out)
{
	char w[ANY_WORDS][ANY_WORD_MAX + 1];
	const char *wp[ANY_WORDS];
	double idf[ANY_WORDS];
	size_t nw;
	int n = 0, all = 0;
	enum pss_err e;

	nw = query_words(f->query, w, 0);
	if (f->query_alt != NULL)
		nw = query_words(f->query_alt, w, nw);
	for (size_t i = 0; i < nw; i++) {
		wp[i] = w[i];
		idf[i] = library_word_idf(s, w[i], strlen(w[i]));
	}
	out->ids = xcalloc(LIBRARY_SEMANTIC_MAX, sizeof(*out->ids));
	out->scores = xcalloc(LIBRARY_SEMANTIC_MAX, sizeof(*out->scores));
	/* the rarest LIBRARY_SEARCH_MAX_WORDS (with the alias twin there may be twice as many):
	 * they carry the question, and bound the pairs to 28 and the tests of a row to 8 */
	e = db_scripts_search_any(s->db, v, f, wp, idf, nw, LIBRARY_SEARCH_MAX_WORDS,
	    LIBRARY_ANY_BUDGET, LIBRARY_SEMANTIC_MAX, out->ids, out->scores, &n, &all);
	out->n = (size_t)n;
	out->all = (size_t)all;
	if (e != PSS_OK)
		ranked_free(out);
	return e;
}

/* The answer's page of a ranked list: {scripts, total, page, totalPages, nextCursor: null}. */
static enum pss_err
page_of(const struct svc *s, const struct viewer *v, const struct script_filter *f,
    const struct ranked *r, struct json_object **out)
{
	size_t off = (size_t)(f->page - 1) * (size_t)f->limit, n;
	struct json_object *arr, *o;
	enum pss_err e;

	n = off >= r->n ? 0 : r->n - off;
	if (n > (size_t)f->limit)
		n = (size_t)f->limit;
	if ((e = db_scripts_summaries(s->db, v, r->ids + (off < r->n ? off : 0), n, f->query,
	    f->query_alt, &arr)) != PSS_OK) {
		json_object_put(arr);
		return e;
	}
	/* a script deleted between the ranking and this read is left out: ranks stay gapless */
	for (size_t i = 0, j = 0; i < json_object_array_length(arr); i++) {
		struct json_object *sc = json_object_array_get_idx(arr, i), *id;
		int64_t sid = json_object_object_get_ex(sc, "id", &id) ? json_object_get_int64(id) : 0;

		while (j < n && r->ids[off + j] != sid)
			j++;
		json_object_object_add(sc, "rank", json_object_new_int64((int64_t)(off + i + 1)));
		json_object_object_add(sc, "score", json_object_new_double(j < n ?
		    round(r->scores[off + j] * 1e6) / 1e6 : 0));
	}
	o = json_object_new_object();
	json_object_object_add(o, "scripts", arr);
	json_object_object_add(o, "total", json_object_new_int64((int64_t)r->n));
	json_object_object_add(o, "page", json_object_new_int64(f->page));
	json_object_object_add(o, "totalPages",
	    json_object_new_int64(((int64_t)r->n + f->limit - 1) / f->limit));
	json_object_object_add(o, "nextCursor", NULL);
	*out = o;
	return PSS_OK;
}

static void
echo(struct json_object *o, const struct script_filter *f, enum search_mode mode,
    const char *method, const char *reason, bool fallback)
{
	json_object_object_add(o, "query", json_object_new_string(f->query));
	json_object_object_add(o, "mode", json_object_new_string(db_search_modes[mode]));
	json_object_object_add(o, "sort", json_object_new_string("rank"));
	if (f->query_alt != NULL)
		json_object_object_add(o, "expandedQuery", json_object_new_string(f->query_alt));
	if (method != NULL)
		json_object_object_add(o, "method", json_object_new_string(method));
	if (fallback)
		json_object_object_add(o, "fallback", json_object_new_string("keyword"));
	if (reason != NULL)
		json_object_object_add(o, "reason", json_object_new_string(reason));
}

/* "builtin:flat-file": the provider and the index that answered */
static const char *
method_name(const struct library_embedder *em, const char *index, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s:%s", em != NULL ? em->type : "none", index != NULL ? index : "none");
	return buf;
}

enum pss_err
library_scripts_search_mode(const struct svc *s, const struct viewer *v,
    const struct script_filter *in, struct json_object **out, struct svc_err *err)
{
	struct script_filter f = *in;
	struct ranked sem = { 0 }, kw = { 0 }, fused = { 0 };
	const struct library_embedder *em = NULL;
	const char *index = NULL, *reason = NULL;
	char *alt = NULL, mbuf[96], rbuf[300];
	enum pss_err e;

	*out = NULL;
	if (f.mode >= SEARCH__MAX)
		return svc_fail(err, PSS_EINVAL, "mode", "mode must be keyword, semantic or hybrid");
	if (f.page == 0)
		f.page = 1;
	if (f.limit == 0)
		f.limit = LIBRARY_LIMIT_DEFAULT;
	if ((e = library_filter_check(v, &f, true, err)) != PSS_OK)
		return e;
	if (f.mode != SEARCH_KEYWORD && f.sort != SCRIPT_SORT_RANK)
		return svc_fail(err, PSS_EINVAL, "sort", "semantic and hybrid search sort by rank only");
	if (f.mode != SEARCH_KEYWORD && f.cursor != NULL)
		return svc_fail(err, PSS_EINVAL, "cursor", "semantic and hybrid search page by page");
	f.query_alt = alt = alias_expand(f.query);
	if (f.mode == SEARCH_KEYWORD) {
		e = db_scripts_search(s->db, v, &f, out);
		if (e == PSS_OK && f.query_alt != NULL)
			json_object_object_add(*out, "expandedQuery", json_object_new_string(f.query_alt));
		free(alt);
		return e;
	}
	if ((e = semantic_rank(s, v, &f, &sem, &em, &index, &reason, rbuf, sizeof(rbuf))) != PSS_OK)
		goto out;
	if (f.mode == SEARCH_SEMANTIC) {
		if ((e = page_of(s, v, &f, &sem, out)) == PSS_OK)
			echo(*out, &f, SEARCH_SEMANTIC, method_name(em, index, mbuf, sizeof(mbuf)),
			    reason, false);
		goto out;
	}
	if (index == NULL && reason != NULL) {
		/* nothing to search by meaning yet: keyword's answer, saying so */
		if ((e = db_scripts_search(s->db, v, &f, out)) == PSS_OK) {
			json_object_object_del(*out, "mode");
			json_object_object_del(*out, "query");
			json_object_object_del(*out, "sort");
			echo(*out, &f, SEARCH_HYBRID, "keyword", reason, true);
		}
		goto out;
	}
	if ((e = keyword_rank_any(s, v, &f, &kw)) != PSS_OK)
		goto out;
	rrf(&kw, &sem, &fused);
	if ((e = page_of(s, v, &f, &fused, out)) == PSS_OK)
		echo(*out, &f, SEARCH_HYBRID, method_name(em, index, mbuf, sizeof(mbuf)), reason, false);
out:
	ranked_free(&sem);
	ranked_free(&kw);
	ranked_free(&fused);
	free(alt);
	return e;
}

enum pss_err
library_similar(const struct svc *s, const struct viewer *v, int64_t id, int limit,
    double threshold, struct json_object **out, struct svc_err *err)
{
	char why[256], mbuf[96];
	const struct library_embedder *em;
	struct json_object *arr = NULL, *list, *o;
	float *q = NULL, *scores = NULL;
	int64_t *ids = NULL;
	size_t ord[LIBRARY_SIMILAR_MAX];
	const char *index = NULL;
	bool has = false, owner;
	int n = 0, k;
	enum pss_err e;

	*out = NULL;
	if (limit < 1 || limit > LIBRARY_SIMILAR_MAX)
		return svc_fail(err, PSS_EINVAL, "limit", "limit must be between 1 and 50");
	if (!(threshold >= 0 && threshold <= 1))
		return svc_fail(err, PSS_EINVAL, "threshold", "threshold must be between 0 and 1");
	if ((em = library_embedder(s, why, sizeof(why))) == NULL) {
		if ((e = db_script_access(s->db, v, id, false, &owner)) != PSS_OK)
			return e;
		list = json_object_new_array();
		goto answer;
	}
	/* whether the viewer sees the script, and its vector, in one statement */
	q = xcalloc((size_t)em->dims, sizeof(*q));
	if ((e = db_embedding_get(s->db, v, id, em->model, em->dims, q, &has)) != PSS_OK) {
		free(q);
		return e;
	}
	list = json_object_new_array();
	if (!has) {
		const struct library_embedder *b = library_embedder_builtin(s, why, sizeof(why));

		/* a remote provider's row not made yet: the built-in model's rows answer */
		if (b != NULL && b != em) {
			em = b;
			q = xrealloc(q, sizeof(*q) * (size_t)em->dims);
			if ((e = db_embedding_get(s->db, v, id, em->model, em->dims, q, &has)) != PSS_OK)
				goto out;
		}
	}
	if (!has)
		goto answer;	/* not embedded yet: no similar scripts to tell */
	/* candidates, then the first limit the viewer sees, the script itself left out, with
	 * their titles and categories in the same statement; more while too few remain */
	for (k = limit * 4 + 1; ; k *= 4) {
		int all;

		ids = xrealloc(ids, sizeof(*ids) * (size_t)k);
		scores = xrealloc(scores, sizeof(*scores) * (size_t)k);
		if ((e = library_nearest(s, em, q, k, ids, scores, &n, &index)) != PSS_OK)
			goto out;
		all = n;
		while (n > 0 && scores[n - 1] < threshold)
			n--;
		json_object_put(arr);
		if ((e = db_scripts_pick(s->db, v, ids, (size_t)n, id, limit, ord, &arr)) != PSS_OK)
			goto out;
		if (json_object_array_length(arr) >= (size_t)limit || all < k || n < all ||
		    k >= (1 << 22))
			break;
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *sc = json_object_array_get_idx(arr, i), *x, *item;
		int64_t sid = json_object_object_get_ex(sc, "id", &x) ? json_object_get_int64(x) : 0;
		/* a cosine of unit vectors, clamped to [0, 1] against rounding */
		double sim = scores[ord[i]] < 0 ? 0 : scores[ord[i]] > 1 ? 1 : scores[ord[i]];

		item = json_object_new_object();
		json_object_object_add(item, "scriptId", json_object_new_int64(sid));
		/* the original frontend's name (docs/compat.md) */
		json_object_object_add(item, "script_id", json_object_new_int64(sid));
		json_object_object_add(item, "title", json_object_object_get_ex(sc, "title", &x) ?
		    json_object_get(x) : NULL);
		json_object_object_add(item, "category", json_object_object_get_ex(sc, "category", &x) ?
		    json_object_get(x) : NULL);
		json_object_object_add(item, "similarity", json_object_new_double(round(sim * 1e4) / 1e4));
		json_object_array_add(list, item);
	}
answer:
	o = json_object_new_object();
	json_object_object_add(o, "similarScripts", list);
	/* the same list under the name the original frontend reads (docs/compat.md) */
	json_object_object_add(o, "similar_scripts", json_object_get(list));
	list = NULL;
	json_object_object_add(o, "method", json_object_new_string(em == NULL ? "none" :
	    method_name(em, index, mbuf, sizeof(mbuf))));
	*out = o;
out:
	json_object_put(list);
	json_object_put(arr);
	free(q);
	free(ids);
	free(scores);
	return e;
}
