/* chat_history.c: the asker's private chat history: list, get, delete, search
 * (services/chat.h); every query is the owner's own (db/chat.h) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/embed.h"
#include "core/text.h"
#include "db/chat.h"
#include "db/jobs.h"
#include "services/chat-int.h"
#include "services/library.h"

#define PAGE_MAX 10000
#define LIST_TTL 300	/* seconds a cached page of a user's list lives (writes drop it) */

/* The cache of a user's list pages: chathist:{user}:{page}:{limit}, dropped by every write
 * of that user's history (chat_history_changed), so the key names whose it is. */
void
chat_history_changed(const struct svc *s, int64_t user_id)
{
	char pat[64];

	if (s->cache == NULL)
		return;
	snprintf(pat, sizeof(pat), "chathist:%lld:*", (long long)user_id);
	cache_invalidate(s->cache, pat);
}

static enum pss_err
page_check(int64_t *page, int64_t *limit, struct svc_err *err)
{
	if (*page == 0)
		*page = 1;
	if (*limit == 0)
		*limit = CHAT_LIMIT_DEFAULT;
	if (*page < 1 || *page > PAGE_MAX)
		return svc_fail(err, PSS_EINVAL, "page", "must be a whole number from 1 to 10000");
	if (*limit < 1 || *limit > CHAT_LIMIT_MAX)
		return svc_fail(err, PSS_EINVAL, "limit", "must be a whole number from 1 to 100");
	return PSS_OK;
}

/* the list's page and totalPages beside its total */
static void
paged(struct json_object *o, int64_t page, int64_t limit)
{
	struct json_object *t;
	int64_t total = json_object_object_get_ex(o, "total", &t) ? json_object_get_int64(t) : 0;

	json_object_object_add(o, "page", json_object_new_int64(page));
	json_object_object_add(o, "totalPages", json_object_new_int64((total + limit - 1) / limit));
}

int
chat_history_list_key(char *key, size_t n, const struct viewer *v, int64_t page, int64_t limit)
{
	if (v == NULL || v->user_id <= 0 || page_check(&page, &limit, &(struct svc_err){ 0 }) != PSS_OK)
		return -1;
	snprintf(key, n, "chathist:%lld:%lld:%lld", (long long)v->user_id, (long long)page,
	    (long long)limit);
	return 0;
}

enum pss_err
chat_history_list(const struct svc *s, const struct viewer *v, int64_t page, int64_t limit,
    struct json_object **out, struct svc_err *err)
{
	enum pss_err e;
	char key[96];

	*out = NULL;
	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if ((e = page_check(&page, &limit, err)) != PSS_OK)
		return e;
	(void)chat_history_list_key(key, sizeof(key), v, page, limit);
	/* the library's cached form, whose bytes the API answers with (reply_cached) */
	if ((*out = library_cache_get(s, key)) != NULL) {
		if (json_object_is_type(*out, json_type_object))
			return PSS_OK;
		json_object_put(*out);
		*out = NULL;
	}
	if ((e = db_chat_list(s->db, v->user_id, limit, (page - 1) * limit, out)) != PSS_OK)
		return e;
	paged(*out, page, limit);
	library_cache_put(s, key, *out, LIST_TTL);
	return PSS_OK;
}

enum pss_err
chat_history_get(const struct svc *s, const struct viewer *v, int64_t id, struct json_object **out)
{
	*out = NULL;
	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	return db_chat_get(s->db, v->user_id, id, out);
}

enum pss_err
chat_history_get_session(const struct svc *s, const struct viewer *v, const char *session_id,
    struct json_object **out)
{
	*out = NULL;
	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if (session_id == NULL || !text_uuid_valid(session_id))
		return PSS_ENOTFOUND;
	return db_chat_get_session(s->db, v->user_id, session_id, out);
}

enum pss_err
chat_history_delete(const struct svc *s, const struct viewer *v, int64_t id)
{
	enum pss_err e;

	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	if ((e = db_chat_delete(s->db, v->user_id, id)) == PSS_OK)
		chat_history_changed(s, v->user_id);
	return e;
}

enum pss_err
chat_history_delete_all(const struct svc *s, const struct viewer *v, int64_t *n)
{
	enum pss_err e;

	*n = 0;
	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if ((e = db_chat_delete_all(s->db, v->user_id, n)) == PSS_OK)
		chat_history_changed(s, v->user_id);
	return e;
}

/* ---- embeddings: the embedding.compute job's {chatId} (docs/chat.md, "Embeddings") ---- */

enum pss_err
chat_history_embed(const struct svc *s, int64_t id, char *why, size_t whysz)
{
	const struct library_embedder *em;
	struct library_vector lv;
	char *text, *version;
	enum pss_err e, se;

	if ((em = library_embedder(s, why, whysz)) == NULL)
		return PSS_EUNAVAIL;
	if ((e = db_chat_embed_source(s->db, id, CHAT_EMBED_TEXT_MAX, &text, &version)) != PSS_OK) {
		if (e == PSS_ENOTFOUND)
			return PSS_OK;	/* deleted meanwhile */
		snprintf(why, whysz, "reading conversation %lld: %s", (long long)id, pss_strerror(e));
		return e;
	}
	e = library_embed(s, text, strlen(text), NULL, false, &lv, why, whysz);
	free(text);
	if (e == PSS_EINVAL) {
		/* nothing the model knows: the zero vector, which matches nothing */
		lv = (struct library_vector){ .em = em, .v = xcalloc((size_t)em->dims, sizeof(float)) };
		e = PSS_OK;
	}
	if (e != PSS_OK) {
		free(version);
		snprintf(why + strlen(why), whysz - strlen(why), " (conversation %lld)", (long long)id);
		return e;
	}
	/* a remote provider that failed: the built-in model's vector meanwhile, and the job is
	 * tried again for the provider's (the conversation itself is never touched); never over
	 * the provider's own vector (a reembed that ran while this job waited for the provider) */
	se = db_chat_store_vector(s->db, id, version, lv.v, lv.em->dims, lv.em->model,
	    lv.fallback ? em->model : NULL);
	if (se == PSS_ENOTFOUND)
		se = PSS_OK;	/* changed or deleted meanwhile (the change queued its own job), or
				 * the provider's vector is there already: nothing left to do */
	else if (se != PSS_OK)
		snprintf(why, whysz, "storing the vector of conversation %lld: %s", (long long)id,
		    db_last_error(s->db));
	else if (lv.fallback) {
		snprintf(why, whysz, "%s (conversation %lld: the built-in vector is stored meanwhile)",
		    lv.reason, (long long)id);
		se = PSS_EUNAVAIL;
	}
	free(version);
	library_vector_free(&lv);
	return se;
}

enum pss_err
chat_history_reembed_next(const struct svc *s, int64_t after, int64_t *ids, int max, int *n)
{
	char why[256];
	const struct library_embedder *em = library_embedder(s, why, sizeof(why));

	*n = 0;
	if (em == NULL)
		return PSS_EUNAVAIL;
	return db_chat_stale_ids(s->db, em->model, em->dims, after, max, ids, n);
}

enum pss_err
chat_history_reembed(const struct svc *s, int64_t *queued, char *why, size_t whysz)
{
	int64_t ids[500], after = 0;
	int n;
	enum pss_err e;

	*queued = 0;
	if (library_embedder(s, why, whysz) == NULL)
		return PSS_EUNAVAIL;
	do {
		if ((e = chat_history_reembed_next(s, after, ids, (int)PSS_ARRAY_LEN(ids), &n)) != PSS_OK)
			goto fail;
		for (int i = 0; i < n; i++) {
			char payload[64], key[64];

			snprintf(payload, sizeof(payload), "{\"chatId\": %lld}", (long long)ids[i]);
			snprintf(key, sizeof(key), "chatembed:%lld", (long long)ids[i]);
			if ((e = jobs_enqueue_keyed(s->db, LIBRARY_JOB_EMBEDDING, payload, key,
			    LIBRARY_JOB_ATTEMPTS, NULL)) != PSS_OK)
				goto fail;
			after = ids[i];
			(*queued)++;
		}
	} while (n == (int)PSS_ARRAY_LEN(ids));
	return PSS_OK;
fail:
	snprintf(why, whysz, "%s", db_last_error(s->db));
	return e;
}

enum pss_err
chat_history_embed_progress(const struct svc *s, int64_t *all, int64_t *done)
{
	char why[256];
	const struct library_embedder *em = library_embedder(s, why, sizeof(why));

	*all = *done = 0;
	if (em == NULL)
		return PSS_EUNAVAIL;
	return db_chat_embed_progress(s->db, em->model, em->dims, all, done);
}

/* ---- search: full-text and meaning, fused ---- */

/* A ranking of conversations, best first. */
struct ranking {
	int64_t	*ids;
	double	*scores;
	size_t	 n;
};

static void
ranking_add(struct ranking *r, int64_t id, double score)
{
	if ((r->n & (r->n + 1)) == 0 || r->n == 0) {	/* at 0, 1, 3, 7...: room for twice */
		r->ids = xrealloc(r->ids, (2 * r->n + 2) * sizeof(*r->ids));
		r->scores = xrealloc(r->scores, (2 * r->n + 2) * sizeof(*r->scores));
	}
	r->ids[r->n] = id;
	r->scores[r->n++] = score;
}

static void
ranking_free(struct ranking *r)
{
	free(r->ids);
	free(r->scores);
	memset(r, 0, sizeof(*r));
}

/* selection sort's stable cousin for a few hundred: best score first, ties in place */
static void
ranking_sort(struct ranking *r)
{
	for (size_t i = 1; i < r->n; i++) {
		int64_t id = r->ids[i];
		double sc = r->scores[i];
		size_t j = i;

		for (; j > 0 && r->scores[j - 1] < sc; j--) {
			r->ids[j] = r->ids[j - 1];
			r->scores[j] = r->scores[j - 1];
		}
		r->ids[j] = id;
		r->scores[j] = sc;
	}
}

struct near {
	struct ranking	*r;
	const float	*q;
	int		 dims;
	size_t		 seen;		/* vectors compared */
};

static void
near_one(int64_t id, const float *v, void *arg)
{
	struct near *nr = arg;
	double cos = ps_embed_cosine(nr->q, v, (size_t)nr->dims);

	nr->seen++;
	if (cos >= CHAT_SEMANTIC_MIN && nr->r->n < LIBRARY_SEMANTIC_MAX)
		ranking_add(nr->r, id, cos);
}

/* The owner's conversations by the cosine of their vectors to q's (at least
 * CHAT_SEMANTIC_MIN). Without a vector to compare, *reason says why (the caller falls back
 * to full-text); *method names the model. */
static enum pss_err
by_meaning(const struct svc *s, int64_t user_id, const char *q, struct ranking *out,
    const char **reason, char *rbuf, size_t rbufsz, char *method, size_t methodsz)
{
	struct library_vector lv;
	struct near nr = { .r = out };
	char why[256];
	enum pss_err e;

	*reason = NULL;
	e = library_embed(s, q, strlen(q), NULL, true, &lv, why, sizeof(why));
	if (e == PSS_EINVAL) {
		*reason = "no word of the query is known to the embedding model";
		return PSS_OK;
	}
	if (e != PSS_OK) {
		snprintf(rbuf, rbufsz, "no embedding model is available on this server (%.180s)", why);
		*reason = rbuf;
		return PSS_OK;
	}
	if (lv.fallback) {
		snprintf(rbuf, rbufsz, "%s", lv.reason);
		*reason = rbuf;
	}
	nr.q = lv.v;
	nr.dims = lv.em->dims;
	e = db_chat_vectors(s->db, user_id, lv.em->model, lv.em->dims, CHAT_VECTORS_MAX, near_one, &nr);
	if (e == PSS_OK && nr.seen == 0) {
		snprintf(rbuf, rbufsz, "no conversation has an embedding of %.64s yet (they are computed "
		    "after each exchange)", lv.em->model);
		*reason = rbuf;
	} else
		snprintf(method, methodsz, "%s:%s", lv.em->type, lv.em->model);
	library_vector_free(&lv);
	ranking_sort(out);
	return e;
}

/* Weighted reciprocal rank fusion, as the scripts' search (LIBRARY_RRF_K, full-text 1,
 * meaning LIBRARY_RRF_W_SEMANTIC): each list adds weight / (k + place). */
static void
fuse(const struct ranking *kw, const struct ranking *sem, struct ranking *out)
{
	const struct ranking *lists[2] = { kw, sem };
	const double weight[2] = { 1.0, LIBRARY_RRF_W_SEMANTIC };

	for (int l = 0; l < 2; l++)
		for (size_t i = 0; i < lists[l]->n; i++) {
			double add = weight[l] / (LIBRARY_RRF_K + (double)i + 1);
			size_t j = 0;

			while (j < out->n && out->ids[j] != lists[l]->ids[i])
				j++;
			if (j < out->n)
				out->scores[j] += add;
			else
				ranking_add(out, lists[l]->ids[i], add);
		}
	ranking_sort(out);
}

enum pss_err
chat_history_search(const struct svc *s, const struct viewer *v, const char *q, const char *mode,
    int64_t page, int64_t limit, struct json_object **out, struct svc_err *err)
{
	struct ranking kw = { 0 }, sem = { 0 }, fused = { 0 };
	const struct ranking *r;
	struct json_object *items;
	enum search_mode m = SEARCH_HYBRID;
	const char *bad, *reason = NULL;
	char rbuf[300], method[160] = "";
	size_t off, n;
	int got = 0;
	enum pss_err e;

	*out = NULL;
	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if (q == NULL)
		return svc_fail(err, PSS_EINVAL, "q", "a search text is required");
	if ((bad = library_search_check(q)) != NULL)
		return svc_fail(err, PSS_EINVAL, "q", bad);
	if (mode != NULL && (m = library_search_mode_parse(mode)) == SEARCH__MAX)
		return svc_fail(err, PSS_EINVAL, "mode", "mode must be keyword, semantic or hybrid");
	if ((e = page_check(&page, &limit, err)) != PSS_OK)
		return e;
	/* every list is the owner's alone: the full-text ids, the vectors, the items */
	if (m != SEARCH_KEYWORD && (e = by_meaning(s, v->user_id, q, &sem, &reason, rbuf,
	    sizeof(rbuf), method, sizeof(method))) != PSS_OK)
		goto out;
	if (m != SEARCH_SEMANTIC) {
		kw.ids = xcalloc(LIBRARY_SEMANTIC_MAX, sizeof(*kw.ids));
		kw.scores = xcalloc(LIBRARY_SEMANTIC_MAX, sizeof(*kw.scores));
		if ((e = db_chat_search_ids(s->db, v->user_id, q, LIBRARY_SEMANTIC_MAX, kw.ids,
		    kw.scores, &got)) != PSS_OK)
			goto out;
		kw.n = (size_t)got;
	}
	if (m == SEARCH_HYBRID && method[0] == '\0')
		r = &kw;	/* nothing to compare by meaning: full-text's, saying why */
	else if (m == SEARCH_HYBRID) {
		fuse(&kw, &sem, &fused);
		r = &fused;
	} else
		r = m == SEARCH_KEYWORD ? &kw : &sem;
	off = (size_t)((page - 1) * limit);
	n = off >= r->n ? 0 : r->n - off;
	if (n > (size_t)limit)
		n = (size_t)limit;
	if ((e = db_chat_items(s->db, v->user_id, r->ids + (off < r->n ? off : 0), n, q, &items)) != PSS_OK)
		goto out;
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		struct json_object *it = json_object_array_get_idx(items, i), *id;
		int64_t cid = json_object_object_get_ex(it, "id", &id) ? json_object_get_int64(id) : 0;
		size_t j = off;

		while (j < off + n && r->ids[j] != cid)
			j++;
		json_object_object_add(it, "rank", json_object_new_int64((int64_t)(off + i + 1)));
		json_object_object_add(it, "score", json_object_new_double(j < off + n ?
		    (double)(int64_t)(r->scores[j] * 1e6 + 0.5) / 1e6 : 0));
	}
	*out = json_object_new_object();
	json_object_object_add(*out, "conversations", items);
	json_object_object_add(*out, "total", json_object_new_int64((int64_t)r->n));
	json_object_object_add(*out, "query", json_object_new_string(q));
	json_object_object_add(*out, "mode", json_object_new_string(db_search_modes[m]));
	if (method[0] != '\0')
		json_object_object_add(*out, "method", json_object_new_string(method));
	if (m == SEARCH_HYBRID && method[0] == '\0')
		json_object_object_add(*out, "fallback", json_object_new_string("keyword"));
	if (reason != NULL)
		json_object_object_add(*out, "reason", json_object_new_string(reason));
	paged(*out, page, limit);
out:
	ranking_free(&kw);
	ranking_free(&sem);
	ranking_free(&fused);
	return e;
}

enum pss_err
chat_history_set_category(const struct svc *s, const struct viewer *v, int64_t id,
    const char *category, struct svc_err *err)
{
	char cat[CHAT_CATEGORY_MAX + 1];
	const char *t;
	size_t len = 0;
	enum pss_err e;

	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	t = category != NULL ? text_trim(category, &len) : "";
	if (len > CHAT_CATEGORY_MAX)
		return svc_fail(err, PSS_EINVAL, "category", "at most 50 bytes");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return svc_fail(err, PSS_EINVAL, "category", "no control characters");
	memcpy(cat, t, len);
	cat[len] = '\0';
	if ((e = db_chat_set_category(s->db, v->user_id, id, len > 0 ? cat : NULL)) == PSS_OK)
		chat_history_changed(s, v->user_id);
	return e;
}

enum pss_err
chat_history_categories(const struct svc *s, const struct viewer *v, struct json_object **out)
{
	static const char *const suggested[] = { "general", "scripts", "troubleshooting", "learning" };
	struct json_object *own = NULL, *arr;
	enum pss_err e;

	*out = NULL;
	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if ((e = db_chat_categories(s->db, v->user_id, 100, &own)) != PSS_OK)
		return e;
	arr = json_object_new_array();
	for (size_t i = 0; i < PSS_ARRAY_LEN(suggested); i++)
		json_object_array_add(arr, json_object_new_string(suggested[i]));
	for (size_t i = 0; i < json_object_array_length(own); i++) {
		const char *c = json_object_get_string(json_object_array_get_idx(own, i));
		size_t k;

		for (k = 0; k < PSS_ARRAY_LEN(suggested) && strcmp(c, suggested[k]) != 0; k++)
			;
		if (k == PSS_ARRAY_LEN(suggested))
			json_object_array_add(arr, json_object_new_string(c));
	}
	json_object_put(own);
	*out = arr;
	return PSS_OK;
}
