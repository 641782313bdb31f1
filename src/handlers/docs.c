/* docs.c: /api/documentation: recent, search, sources, tags, stats, one document (cached),
 * and the administrators' upsert by URL, bulk upsert and delete */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "handlers/library.h"
#include "services/docs.h"

#define DOC_NOT_FOUND "Document not found."
#define QUERY_READ_MAX 4096	/* a query parameter list's bytes; the service checks the rest */

/* The original frontend's documentationApi reads every answer under data (docs/compat.md):
 * data_of makes that value (a new reference) from API.md's object. */
typedef struct json_object *(*data_of_fn)(struct http_ctx *, struct json_object *);

/* serve: a read through the cache: the API answer from the cached bytes (1), or the object
 * for a page (0); on a miss fetch makes it (NULL after answering: -1) and it is cached.
 * Asked as the original frontend asks (axios's Accept) and with data_of, the API answer
 * carries data beside API.md's members, made from the cached object. */
static int
serve(struct http_ctx *c, const char *key, int ttl, const char *name, bool api,
    struct json_object *(*fetch)(struct http_ctx *, void *), void *arg, struct json_object **out,
    data_of_fn data_of)
{
	struct json_object *o;

	*out = NULL;
	if (api && data_of != NULL && req_asks_as_axios(c)) {
		if ((o = view_cache_get(c, key)) == NULL) {
			if ((o = fetch(c, arg)) == NULL)
				return -1;
			view_cache_put(c, key, o, ttl);
		}
		if (name != NULL) {
			struct json_object *w = json_object_new_object();

			json_object_object_add(w, name, o);
			o = w;
		}
		json_object_object_add(o, "data", data_of(c, name != NULL ?
		    json_object_object_get(o, name) : o));
		reply_success(c, 200, NULL, o);
		return 1;
	}
	if (api ? reply_cached(c, key, name, NULL) == 1 : (*out = view_cache_get(c, key)) != NULL)
		return api ? 1 : 0;
	if ((*out = fetch(c, arg)) == NULL)
		return -1;
	if (api) {
		reply_cache_put(c, key, *out, ttl, name);
		*out = NULL;
		return 1;
	}
	view_cache_put(c, key, *out, ttl);
	return 0;
}

/* data_of: the whole object (a document) */
static struct json_object *
data_whole(struct http_ctx *c, struct json_object *o)
{
	(void)c;
	return json_object_get(o);
}

/* data_of: the documents of a list */
static struct json_object *
data_documents(struct http_ctx *c, struct json_object *o)
{
	(void)c;
	return json_object_get(json_object_object_get(o, "documents"));
}

/* the member m of each item of o's list as an array of strings */
static struct json_object *
names_of(struct json_object *o, const char *list, const char *m)
{
	struct json_object *arr = json_object_object_get(o, list), *names = json_object_new_array();

	for (size_t i = 0; i < json_object_array_length(arr); i++)
		json_object_array_add(names, json_object_get(json_object_object_get(
		    json_object_array_get_idx(arr, i), m)));
	return names;
}

static struct json_object *
data_sources(struct http_ctx *c, struct json_object *o)
{
	(void)c;
	return names_of(o, "sources", "source");
}

static struct json_object *
data_tags(struct http_ctx *c, struct json_object *o)
{
	(void)c;
	return names_of(o, "tags", "tag");
}

/* answered: the object of a service read, or NULL after answering its error. */
static struct json_object *
answered(struct http_ctx *c, enum pss_err e, struct json_object *o, const struct svc_err *err)
{
	if (e == PSS_OK)
		return o;
	json_object_put(o);
	error_from_svc(c, e, err, DOC_NOT_FOUND);
	return NULL;
}

/* query_list: a comma-separated query parameter as a list in request memory: 0 (absent or
 * empty: n 0), -1 after answering 400. */
static int
query_list(struct http_ctx *c, const char *name, const char ***out, size_t *n)
{
	const char *v = http_query(c->req, name);
	const char **list;
	char *s, *save = NULL, *t;

	*out = NULL;
	*n = 0;
	if (v == NULL || *v == '\0')
		return 0;
	if (strlen(v) > QUERY_READ_MAX) {
		field_error(c, name, "at most 20 comma-separated values");
		return -1;
	}
	s = arena_strdup(c->req->arena, v);
	list = arena_alloc(c->req->arena, (DOCS_FILTER_MAX + 1) * sizeof(*list));
	for (t = strtok_r(s, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		size_t len;
		const char *tt = text_trim(t, &len);

		if (len == 0)
			continue;
		if (*n == DOCS_FILTER_MAX) {
			field_error(c, name, "at most 20 comma-separated values");
			return -1;
		}
		t[tt - t + (ptrdiff_t)len] = '\0';
		list[(*n)++] = tt;
	}
	*out = list;
	return 0;
}

/* page_params: limit and offset. */
static int
page_params(struct http_ctx *c, int64_t *limit, int64_t *offset)
{
	*limit = DOCS_LIMIT_DEFAULT;
	*offset = 0;
	if (req_query_int(c, "limit", 1, DOCS_LIMIT_MAX, limit) < 0 ||
	    req_query_int(c, "offset", 0, DOCS_OFFSET_MAX, offset) < 0)
		return -1;
	return 0;
}

/* ---- recent ---- */

struct page_arg {
	int64_t limit, offset;
};

static struct json_object *
fetch_recent(struct http_ctx *c, void *arg)
{
	struct page_arg *a = arg;
	struct json_object *o = NULL;
	struct svc_err err = { 0 };
	enum pss_err e = docs_recent(&c->app->svc, a->limit, a->offset, &o, &err);

	return answered(c, e, o, &err);
}

static int
recent(struct http_ctx *c, bool api, struct json_object **out)
{
	struct page_arg a;
	char key[64];

	*out = NULL;
	if (page_params(c, &a.limit, &a.offset) != 0)
		return -1;
	snprintf(key, sizeof(key), "docs:recent:%lld:%lld", (long long)a.limit, (long long)a.offset);
	return serve(c, key, DOCS_LIST_TTL, NULL, api, fetch_recent, &a, out, data_documents);
}

int
view_docs_recent(struct http_ctx *c, struct json_object **out)
{
	return recent(c, false, out);
}

void
h_docs_recent(struct http_ctx *c)
{
	struct json_object *o;

	(void)recent(c, true, &o);
}

/* ---- search ---- */

static struct json_object *
fetch_search(struct http_ctx *c, void *arg)
{
	struct json_object *o = NULL, *arr;
	struct svc_err err = { 0 };
	enum pss_err e = docs_search(&c->app->svc, arg, &o, &err);

	o = answered(c, e, o, &err);
	if (o != NULL && json_object_object_get_ex(o, "documents", &arr))
		view_snippets_html(arr);
	return o;
}

/* req_docs_search: the search's query parameters into in (strings in request memory). */
static int
req_docs_search(struct http_ctx *c, struct docs_search_in *in)
{
	memset(in, 0, sizeof(*in));
	in->query = http_query(c->req, "query");
	if (in->query == NULL)
		in->query = http_query(c->req, "q");
	in->sort = http_query(c->req, "sortBy");
	if (page_params(c, &in->limit, &in->offset) != 0 ||
	    query_list(c, "sources", (const char ***)&in->sources, &in->nsources) != 0 ||
	    query_list(c, "tags", (const char ***)&in->tags, &in->ntags) != 0 ||
	    query_list(c, "contentTypes", (const char ***)&in->types, &in->ntypes) != 0)
		return -1;
	return 0;
}

static int
search(struct http_ctx *c, bool api, struct json_object **out)
{
	struct docs_search_in in;
	char *key;
	int rc;

	*out = NULL;
	if (req_docs_search(c, &in) != 0)
		return -1;
	key = docs_search_key(&in);
	rc = serve(c, key, DOCS_LIST_TTL, NULL, api, fetch_search, &in, out, data_documents);
	free(key);
	return rc;
}

int
view_docs_search(struct http_ctx *c, struct json_object **out)
{
	return search(c, false, out);
}

void
h_docs_search(struct http_ctx *c)
{
	struct json_object *o;

	(void)search(c, true, &o);
}

/* ---- sources, tags, stats ---- */

static struct json_object *
fetch_sources(struct http_ctx *c, void *arg)
{
	struct json_object *o = NULL;

	enum pss_err e = docs_sources(&c->app->svc, &o);

	(void)arg;
	return answered(c, e, o, NULL);
}

static struct json_object *
fetch_stats(struct http_ctx *c, void *arg)
{
	struct json_object *o = NULL;

	enum pss_err e = docs_stats(&c->app->svc, &o);

	(void)arg;
	return answered(c, e, o, NULL);
}

static struct json_object *
fetch_tags(struct http_ctx *c, void *arg)
{
	struct json_object *o = NULL;
	struct svc_err err = { 0 };
	enum pss_err e = docs_tags(&c->app->svc, *(int64_t *)arg, &o, &err);

	return answered(c, e, o, &err);
}

int
view_docs_sources(struct http_ctx *c, struct json_object **out)
{
	return serve(c, "docs:sources", DOCS_LIST_TTL, NULL, false, fetch_sources, NULL, out, NULL);
}

int
view_docs_stats(struct http_ctx *c, struct json_object **out)
{
	return serve(c, "docs:stats", DOCS_LIST_TTL, NULL, false, fetch_stats, NULL, out, NULL);
}

/* data_of: {total, sources (each source's document count), tagsCount, lastCrawled} */
static struct json_object *
data_stats(struct http_ctx *c, struct json_object *o)
{
	struct json_object *d = json_object_new_object(), *src = NULL, *by = json_object_new_object();
	struct json_object *arr;

	json_object_object_add(d, "total", json_object_get(json_object_object_get(o, "total")));
	if (docs_sources(&c->app->svc, &src) == PSS_OK && json_object_object_get_ex(src, "sources", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *it = json_object_array_get_idx(arr, i);
			const char *name = json_object_get_string(json_object_object_get(it, "source"));

			if (name != NULL)
				json_object_object_add(by, name, json_object_get(json_object_object_get(it, "count")));
		}
	json_object_put(src);
	json_object_object_add(d, "sources", by);
	json_object_object_add(d, "tagsCount", json_object_get(json_object_object_get(o, "tagsCount")));
	json_object_object_add(d, "lastCrawled", json_object_get(json_object_object_get(o, "lastCrawled")));
	return d;
}

void
h_docs_sources(struct http_ctx *c)
{
	struct json_object *o;

	(void)serve(c, "docs:sources", DOCS_LIST_TTL, NULL, true, fetch_sources, NULL, &o, data_sources);
}

void
h_docs_stats(struct http_ctx *c)
{
	struct json_object *o;

	(void)serve(c, "docs:stats", DOCS_LIST_TTL, NULL, true, fetch_stats, NULL, &o, data_stats);
}

void
h_docs_tags(struct http_ctx *c)
{
	struct json_object *o;
	int64_t limit = 50;
	char key[48];

	if (req_query_int(c, "limit", 1, 500, &limit) < 0)
		return;
	snprintf(key, sizeof(key), "docs:tags:%lld", (long long)limit);
	(void)serve(c, key, DOCS_LIST_TTL, NULL, true, fetch_tags, &limit, &o, data_tags);
}

/* ---- one document ---- */

static struct json_object *
fetch_doc(struct http_ctx *c, void *arg)
{
	struct json_object *o = NULL;
	enum pss_err e = docs_get(&c->app->svc, *(int64_t *)arg, &o);

	return answered(c, e, o, NULL);
}

static int
doc_get(struct http_ctx *c, bool api, struct json_object **out)
{
	int64_t id = req_path_id(c, "id", "id");
	char key[40];

	*out = NULL;
	if (id == 0)
		return -1;
	snprintf(key, sizeof(key), "doc:%lld", (long long)id);
	return serve(c, key, DOCS_DOC_TTL, "document", api, fetch_doc, &id, out, data_whole);
}

int
view_doc_get(struct http_ctx *c, struct json_object **out)
{
	return doc_get(c, false, out);
}

void
h_docs_get(struct http_ctx *c)
{
	struct json_object *o;

	(void)doc_get(c, true, &o);
}

/* ---- writes (administrators) ---- */

/* doc_in_of: a document object's members into in (json-c's memory: valid while o lives).
 * NULL, or the member that has the wrong type (*why says what it should be). */
static const char *
doc_in_of(struct json_object *o, struct doc_in *in, const char **tags, const char **why)
{
	static const struct { const char *name; size_t off; } strs[] = {
		{ "url", offsetof(struct doc_in, url) }, { "title", offsetof(struct doc_in, title) },
		{ "content", offsetof(struct doc_in, content) }, { "summary", offsetof(struct doc_in, summary) },
		{ "source", offsetof(struct doc_in, source) },
		{ "contentType", offsetof(struct doc_in, content_type) },
		{ "category", offsetof(struct doc_in, category) },
		{ "lastUpdated", offsetof(struct doc_in, last_updated) },
	};
	struct json_object *v;

	memset(in, 0, sizeof(*in));
	if (!json_object_is_type(o, json_type_object)) {
		*why = "a document object";
		return "document";
	}
	for (size_t i = 0; i < PSS_ARRAY_LEN(strs); i++) {
		const char *s;
		size_t len;
		int r = json_field_str(o, strs[i].name, NULL, &s, &len);

		if (r < 0 || (r == 1 && strlen(s) != len)) {
			*why = "a string without NUL characters";
			return strs[i].name;
		}
		*(const char **)((char *)in + strs[i].off) = r == 1 ? s : NULL;
	}
	if (json_object_object_get_ex(o, "metadata", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_object)) {
			*why = "a JSON object";
			return "metadata";
		}
		in->metadata = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	}
	if (json_object_object_get_ex(o, "tags", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) > DOCS_TAGS_MAX) {
			*why = "an array of at most 50 strings";
			return "tags";
		}
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			struct json_object *t = json_object_array_get_idx(v, i);

			if (!json_object_is_type(t, json_type_string)) {
				*why = "an array of at most 50 strings";
				return "tags";
			}
			tags[in->ntags++] = json_object_get_string(t);
		}
		in->tags = tags;
	}
	return NULL;
}

/* POST /api/documentation: upsert by url: 201 {document, result: inserted}, or 200 with
 * updated or unchanged. */
void
h_docs_create(struct http_ctx *c)
{
	struct json_object *b = json_body(c), *doc = NULL, *w;
	struct svc_err err = { 0 };
	struct doc_in in;
	const char *tags[DOCS_TAGS_MAX], *bad, *why = NULL;
	enum docs_upsert_result res;
	int64_t id;
	enum pss_err e;

	if (b == NULL)
		return;
	if ((bad = doc_in_of(b, &in, tags, &why)) != NULL) {
		char msg[160];

		snprintf(msg, sizeof(msg), "%s must be %s.", bad, why);
		field_error(c, bad, msg);
		goto out;
	}
	if ((e = docs_upsert(&c->app->svc, &in, &id, &res, &err)) != PSS_OK ||
	    (e = docs_get(&c->app->svc, id, &doc)) != PSS_OK) {
		error_from_svc(c, e, &err, DOC_NOT_FOUND);
		goto out;
	}
	w = json_object_new_object();
	json_object_object_add(w, "document", doc);
	json_object_object_add(w, "result", json_object_new_string(docs_upsert_names[res]));
	reply_success(c, res == DOCS_INSERTED ? 201 : 200, NULL, w);
out:
	json_object_put(b);
}

/* POST /api/documentation/bulk {documents: [...]}: each document upserted on its own (one
 * that does not validate is reported and the others go on): {results: [{index, url, id,
 * result} or {index, url, error: {field, message}}], inserted, updated, unchanged, failed}. */
void
h_docs_bulk(struct http_ctx *c)
{
	struct json_object *b = json_body(c), *docs, *results, *w;
	size_t n, counts[DOCS_UPSERT__MAX + 1] = { 0 };
	bool any = false;

	if (b == NULL)
		return;
	if (!json_object_object_get_ex(b, "documents", &docs) || !json_object_is_type(docs, json_type_array) ||
	    (n = json_object_array_length(docs)) == 0 || n > DOCS_BULK_MAX) {
		field_error(c, "documents", "documents must be an array of 1 to 100 document objects.");
		json_object_put(b);
		return;
	}
	results = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_new_object(), *er;
		struct svc_err err = { 0 };
		struct doc_in in;
		const char *tags[DOCS_TAGS_MAX], *bad, *why = NULL;
		enum docs_upsert_result res = DOCS_UPSERT__MAX;
		int64_t id = 0;
		enum pss_err e = PSS_EINVAL;

		json_object_object_add(r, "index", json_object_new_int64((int64_t)i));
		if ((bad = doc_in_of(json_object_array_get_idx(docs, i), &in, tags, &why)) == NULL) {
			json_object_object_add(r, "url", in.url != NULL ? json_object_new_string(in.url) : NULL);
			e = docs_store(&c->app->svc, &in, &id, &res, &err);
		}
		if (e == PSS_EUNAVAIL || e == PSS_EINTERNAL) {
			json_object_put(r);
			json_object_put(results);
			json_object_put(b);
			if (any)
				docs_changed(&c->app->svc, 0);
			error_from(c, e, NULL);
			return;
		}
		if (e == PSS_OK) {
			json_object_object_add(r, "id", json_object_new_int64(id));
			json_object_object_add(r, "result", json_object_new_string(docs_upsert_names[res]));
			any |= res != DOCS_UNCHANGED;
			counts[res]++;
		} else {
			char msg[200];

			er = json_object_new_object();
			snprintf(msg, sizeof(msg), "%s", bad != NULL ? why : err.message != NULL ?
			    err.message : "not valid");
			json_object_object_add(er, "field", json_object_new_string(bad != NULL ? bad :
			    err.field != NULL ? err.field : "document"));
			json_object_object_add(er, "message", json_object_new_string(msg));
			json_object_object_add(r, "error", er);
			counts[DOCS_UPSERT__MAX]++;
		}
		json_object_array_add(results, r);
	}
	if (any)
		docs_changed(&c->app->svc, 0);
	w = json_object_new_object();
	json_object_object_add(w, "results", results);
	for (int i = 0; i < DOCS_UPSERT__MAX; i++)
		json_object_object_add(w, docs_upsert_names[i], json_object_new_int64((int64_t)counts[i]));
	json_object_object_add(w, "failed", json_object_new_int64((int64_t)counts[DOCS_UPSERT__MAX]));
	reply_success(c, 200, NULL, w);
	json_object_put(b);
}

void
h_docs_delete(struct http_ctx *c)
{
	int64_t id = req_path_id(c, "id", "id");
	enum pss_err e;

	if (id == 0)
		return;
	if ((e = docs_delete(&c->app->svc, id)) != PSS_OK) {
		error_from_svc(c, e, NULL, DOC_NOT_FOUND);
		return;
	}
	ok_reply(c, "Document deleted.");
}

/* POST /admin/docs/sources/delete {source} (the admin page): every document of a source. */
void
h_docs_delete_source(struct http_ctx *c)
{
	struct json_object *b = json_body(c), *w;
	struct svc_err err = { 0 };
	const char *source;
	int64_t n;
	enum pss_err e;

	if (b == NULL)
		return;
	if (req_body_str(c, b, "source", NULL, 1024, true, &source, NULL) < 0)
		goto out;
	if ((e = docs_delete_source(&c->app->svc, source, &n, &err)) != PSS_OK) {
		error_from_svc(c, e, &err, DOC_NOT_FOUND);
		goto out;
	}
	w = json_object_new_object();
	json_object_object_add(w, "deleted", json_object_new_int64(n));
	reply_success(c, 200, NULL, w);
out:
	json_object_put(b);
}
