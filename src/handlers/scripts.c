/* scripts.c: /api/scripts: list, keyword search, get, create, update, delete, bulk
 * delete and update, download */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "handlers/library.h"
#include "render/escape.h"

#define SCRIPT_NOT_FOUND "Script not found."
#define DESCRIPTION_MAX_BYTES (1024 * 1024)	/* read limit; the library allows 100,000 */
#define COMMIT_MAX_BYTES (64 * 1024)	/* read limit; the library allows 10,000 */
#define TAGS_READ_MAX 64		/* read limit; the library allows 10 a script */

void
view_snippets_html(struct json_object *items)
{
	for (size_t i = 0; items != NULL && i < json_object_array_length(items); i++) {
		struct json_object *it = json_object_array_get_idx(items, i), *s;
		struct buf out = BUF_INIT;

		if (!json_object_object_get_ex(it, "snippet", &s) || !json_object_is_type(s, json_type_string))
			continue;
		esc_marked(&out, json_object_get_string(s), (size_t)json_object_get_string_len(s));
		json_object_object_add(it, "snippet", json_object_new_string_len(buf_cstr(&out),
		    (int)out.len));
		buf_free(&out);
	}
}

/* list_with: api: an API answer, which a cached entry answers with its bytes (1). A search by
 * meaning is not cached: a script's embedding lands after the write that invalidated the lists
 * (docs/search.md), and its exact scan costs about what a cache round trip does. */
static int
list_with(struct http_ctx *c, const struct script_filter *f, bool search, bool api,
    struct json_object **out)
{
	struct viewer v = req_viewer(c);
	struct svc_err err = { 0 };
	struct json_object *arr;
	bool cached = !search || f->mode == SEARCH_KEYWORD;
	char *key = cached ? library_list_cache_key(&v, f, search) : NULL;
	enum pss_err e;

	*out = NULL;
	if (cached && (api ? reply_cached(c, key, NULL, NULL) == 1 :
	    (*out = view_cache_get(c, key)) != NULL)) {
		free(key);
		return api ? 1 : 0;
	}
	e = search ? library_scripts_search_mode(&c->app->svc, &v, f, out, &err) :
	    library_scripts_list(&c->app->svc, &v, f, out, &err);
	if (e != PSS_OK) {
		free(key);
		error_from_svc(c, e, &err, SCRIPT_NOT_FOUND);
		return -1;
	}
	if (search && json_object_object_get_ex(*out, "scripts", &arr))
		view_snippets_html(arr);
	if (!cached)
		return 0;
	if (api) {
		/* one serialisation for the cache and the answer */
		reply_cache_put(c, key, *out, LIBRARY_LIST_TTL, NULL);
		*out = NULL;
		free(key);
		return 1;
	}
	view_cache_put(c, key, *out, LIBRARY_LIST_TTL);
	free(key);
	return 0;
}

int
view_list_with(struct http_ctx *c, const struct script_filter *f, bool search,
    struct json_object **out)
{
	return list_with(c, f, search, false, out);
}

static int
scripts_list(struct http_ctx *c, bool search, bool api, struct json_object **out)
{
	struct script_filter f;

	*out = NULL;
	if (req_filter(c, search, &f) != 0)
		return -1;
	/* the pages' search box matches words and meaning unless told otherwise; a sort other
	 * than rank keeps to words, which sort every way */
	if (search && !api && http_query(c->req, "mode") == NULL)
		f.mode = SEARCH_HYBRID;
	if (search && !api && f.sort != SCRIPT_SORT_RANK)
		f.mode = SEARCH_KEYWORD;
	return list_with(c, &f, search, api, out);
}

int
view_scripts_list(struct http_ctx *c, struct json_object **out)
{
	return scripts_list(c, false, false, out);
}

int
view_scripts_search(struct http_ctx *c, struct json_object **out)
{
	return scripts_list(c, true, false, out);
}

static int
script_by_id(struct http_ctx *c, int64_t id, bool api, struct json_object **out)
{
	struct viewer v = req_viewer(c);
	char key[48];
	int ttl = library_script_key(key, sizeof(key), id), hit;
	enum pss_err e;

	*out = NULL;
	/* the shared entry: shown only to who may see it */
	if (api && (hit = reply_cached(c, key, "script", &v)) != 0) {
		if (hit == 1)
			return 1;
	} else if (!api && (*out = view_cache_get(c, key)) != NULL) {
		if (library_script_visible(&v, *out))
			return 0;
		json_object_put(*out);
		*out = NULL;
	} else {
		if ((e = library_script_get(&c->app->svc, &v, id, out)) != PSS_OK) {
			error_from_svc(c, e, NULL, SCRIPT_NOT_FOUND);
			return -1;
		}
		if (api) {
			reply_cache_put(c, key, *out, ttl, "script");
			*out = NULL;
			return 1;
		}
		view_cache_put(c, key, *out, ttl);
		return 0;
	}
	error_from_svc(c, PSS_ENOTFOUND, NULL, SCRIPT_NOT_FOUND);
	return -1;
}

int
view_script_by_id(struct http_ctx *c, int64_t id, struct json_object **out)
{
	return script_by_id(c, id, false, out);
}

int
view_script_get(struct http_ctx *c, struct json_object **out)
{
	int64_t id = req_path_id(c, "id", "id");

	*out = NULL;
	return id == 0 ? -1 : script_by_id(c, id, false, out);
}

/* The API's reads: a cached entry is answered with its stored bytes (reply_cached). */
/* A list with search=... (as the original frontend's script manager asks) is a keyword
 * search with the same filters (docs/compat.md). */
static int
api_scripts_list(struct http_ctx *c, struct json_object **out)
{
	const char *q = http_query(c->req, "search");

	return scripts_list(c, q != NULL && *q != '\0', true, out);
}

static int
api_scripts_search(struct http_ctx *c, struct json_object **out)
{
	return scripts_list(c, true, true, out);
}

static int
api_script_get(struct http_ctx *c, struct json_object **out)
{
	int64_t id = req_path_id(c, "id", "id");

	*out = NULL;
	return id == 0 ? -1 : script_by_id(c, id, true, out);
}

/* GET /api/scripts/:id/similar?limit&threshold (library_similar) */
int
view_script_similar(struct http_ctx *c, struct json_object **out)
{
	struct viewer v = req_viewer(c);
	struct svc_err err = { 0 };
	int64_t id = req_path_id(c, "id", "id"), limit = 5;
	double threshold = 0;
	const char *t;
	enum pss_err e;

	*out = NULL;
	if (id == 0 || req_query_int(c, "limit", 1, LIBRARY_SIMILAR_MAX, &limit) < 0)
		return -1;
	if ((t = http_query(c->req, "threshold")) != NULL && *t != '\0' &&
	    parse_double(t, 0, 1, &threshold) != 0) {
		field_error(c, "threshold", "threshold must be a number from 0 to 1.");
		return -1;
	}
	if ((e = library_similar(&c->app->svc, &v, id, (int)limit, threshold, out, &err)) != PSS_OK) {
		error_from_svc(c, e, &err, SCRIPT_NOT_FOUND);
		return -1;
	}
	return 0;
}

void
h_scripts_similar(struct http_ctx *c)
{
	reply_view(c, view_script_similar, NULL);
}

void
h_scripts_list(struct http_ctx *c)
{
	reply_view(c, api_scripts_list, NULL);
}

void
h_scripts_search(struct http_ctx *c)
{
	reply_view(c, api_scripts_search, NULL);
}

void
h_scripts_get(struct http_ctx *c)
{
	reply_view(c, api_script_get, "script");
}

/* Answers {success, script} with the script as stored now (read from the database, after
 * the write's invalidation). */
static void
script_reply(struct http_ctx *c, int status, int64_t id)
{
	struct viewer v = req_viewer(c);
	struct json_object *o;
	enum pss_err e;

	if ((e = library_script_get(&c->app->svc, &v, id, &o)) != PSS_OK)
		error_from_svc(c, e, NULL, SCRIPT_NOT_FOUND);
	else
		reply_success(c, status, "script", o);
}

/* After a create or update: the failure, or {success, script}. */
static void
written_reply(struct http_ctx *c, enum pss_err e, const struct svc_err *err, int64_t id, int status)
{
	if (e != PSS_OK)
		error_from_svc(c, e, err, SCRIPT_NOT_FOUND);
	else
		script_reply(c, status, id);
}

/* The members a create and an update share. */
struct script_fields {
	const char	*title, *content, *description, *commit;
	size_t		 content_len;
	int		 has_category;	/* req_body_int's answer: 0 absent, 1 an id, 2 none */
	int64_t		 category_id;
	int		 has_tags;	/* 0 absent, 1 given */
	const char	**tags;
	size_t		 ntags;
	int		 has_public;	/* 0 absent, 1 given */
	bool		 is_public;
	bool		 clear_description;	/* description null or "" */
};

/* Reads them (title and content required for a create): 0, or -1 after answering. */
static int
script_fields(struct http_ctx *c, struct json_object *b, bool create, struct script_fields *f)
{
	struct json_object *dv;

	memset(f, 0, sizeof(*f));
	if (req_body_str(c, b, "title", NULL, 4096, create, &f->title, NULL) < 0 ||
	    req_body_str(c, b, "content", NULL, SIZE_MAX, create, &f->content, &f->content_len) < 0 ||
	    req_body_str(c, b, "description", NULL, DESCRIPTION_MAX_BYTES, false, &f->description, NULL) < 0 ||
	    req_body_str(c, b, "commitMessage", "changelog", COMMIT_MAX_BYTES, false, &f->commit, NULL) < 0 ||
	    (f->has_category = req_body_int(c, b, "categoryId", "category_id", 1, INT32_MAX,
	    &f->category_id)) < 0 ||
	    (f->has_tags = req_body_strings(c, b, "tags", NULL, TAGS_READ_MAX, &f->tags, &f->ntags)) < 0 ||
	    (f->has_public = req_body_bool(c, b, "isPublic", "is_public", &f->is_public)) < 0)
		return -1;
	if (f->has_category == 2)
		f->category_id = 0;
	if ((json_object_object_get_ex(b, "description", &dv) && dv == NULL) ||
	    (f->description != NULL && *f->description == '\0')) {
		f->description = NULL;
		f->clear_description = true;
	}
	return 0;
}

void
h_scripts_create(struct http_ctx *c)
{
	struct json_object *b = json_body(c);
	struct script_fields f;
	struct script_new n = { 0 };
	struct svc_err err = { 0 };
	int64_t id;
	enum pss_err e;

	if (b == NULL)
		return;
	n.analyze = true;
	if (script_fields(c, b, true, &f) < 0 ||
	    req_body_bool(c, b, "analyze", "analyze_with_ai", &n.analyze) < 0)
		goto out;
	n.user_id = c->user->id;
	n.title = f.title;
	n.description = f.description;
	n.content = f.content;
	n.content_len = f.content_len;
	n.category_id = f.category_id;
	n.tags = f.tags;
	n.ntags = f.ntags;
	n.is_public = f.is_public;
	n.commit_message = f.commit;
	e = library_script_create(&c->app->svc, &n, &id, &err);
	written_reply(c, e, &err, id, 201);
out:
	json_object_put(b);
}

void
h_scripts_update(struct http_ctx *c)
{
	int64_t id = req_path_id(c, "id", "id");
	struct viewer v = req_viewer(c);
	struct json_object *b;
	struct script_fields f;
	struct script_update u = { 0 };
	struct svc_err err = { 0 };
	enum pss_err e;

	if (id == 0 || (b = json_body(c)) == NULL)
		return;
	if (script_fields(c, b, false, &f) < 0)
		goto out;
	u.id = id;
	u.title = f.title;
	u.description = f.description;
	u.clear_description = f.clear_description;
	u.content = f.content;
	u.content_len = f.content_len;
	u.has_category = f.has_category > 0;
	u.category_id = f.category_id;
	u.has_tags = f.has_tags > 0;
	u.tags = f.tags;
	u.ntags = f.ntags;
	u.is_public = f.has_public > 0 ? f.is_public : -1;
	u.commit_message = f.commit;
	if (u.title == NULL && u.content == NULL && u.description == NULL && !u.clear_description &&
	    !u.has_category && !u.has_tags && u.is_public < 0) {
		field_error(c, "title", "Nothing to change: give title, description, content, categoryId, "
		    "isPublic or tags.");
		goto out;
	}
	e = library_script_update(&c->app->svc, &v, &u, &err);
	written_reply(c, e, &err, id, 200);
out:
	json_object_put(b);
}

void
h_scripts_delete(struct http_ctx *c)
{
	int64_t id = req_path_id(c, "id", "id");
	struct viewer v = req_viewer(c);
	enum pss_err e;

	if (id == 0)
		return;
	if ((e = library_script_delete(&c->app->svc, &v, id)) != PSS_OK) {
		error_from_svc(c, e, NULL, SCRIPT_NOT_FOUND);
		return;
	}
	ok_reply(c, "Script deleted.");
}

static void
count_reply(struct http_ctx *c, const char *name, int64_t n)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, name, json_object_new_int64(n));
	reply_success(c, 200, NULL, o);
}

void
h_scripts_bulk_delete(struct http_ctx *c)
{
	struct json_object *b = json_body(c);
	struct viewer v = req_viewer(c);
	struct svc_err err = { 0 };
	int64_t *ids, deleted = 0;
	size_t n;
	enum pss_err e;

	if (b == NULL)
		return;
	if (req_body_ids(c, b, "ids", &ids, &n) == 0) {
		if ((e = library_scripts_delete(&c->app->svc, &v, ids, n, &deleted, &err)) != PSS_OK)
			error_from_svc(c, e, &err, SCRIPT_NOT_FOUND);
		else
			count_reply(c, "deleted", deleted);
	}
	json_object_put(b);
}

void
h_scripts_bulk_update(struct http_ctx *c)
{
	struct json_object *b = json_body(c);
	struct viewer v = req_viewer(c);
	struct script_bulk s = { 0 };
	struct svc_err err = { 0 };
	const char **add = NULL, **rem = NULL;
	int64_t *ids, updated = 0;
	bool pub;
	int rc, rp;
	enum pss_err e;

	if (b == NULL)
		return;
	s.is_public = -1;
	if (req_body_ids(c, b, "ids", &ids, &s.nids) < 0 ||
	    (rp = req_body_bool(c, b, "isPublic", "is_public", &pub)) < 0 ||
	    (rc = req_body_int(c, b, "categoryId", "category_id", 1, INT32_MAX, &s.category_id)) < 0 ||
	    req_body_strings(c, b, "addTags", "add_tags", TAGS_READ_MAX, &add, &s.nadd) < 0 ||
	    req_body_strings(c, b, "removeTags", "remove_tags", TAGS_READ_MAX, &rem, &s.nremove) < 0)
		goto out;
	s.ids = ids;
	if (rp > 0)
		s.is_public = pub;
	s.has_category = rc > 0;
	if (rc == 2)
		s.category_id = 0;
	s.add_tags = add;
	s.remove_tags = rem;
	if (s.is_public < 0 && !s.has_category && s.nadd == 0 && s.nremove == 0) {
		field_error(c, "ids", "Nothing to change: give isPublic, categoryId, addTags or removeTags.");
		goto out;
	}
	if ((e = library_scripts_bulk_update(&c->app->svc, &v, &s, &updated, &err)) != PSS_OK) {
		error_from_svc(c, e, &err, SCRIPT_NOT_FOUND);
		goto out;
	}
	count_reply(c, "updated", updated);
out:
	json_object_put(b);
}

/* GET /:id/download: the content as an attachment. The one handler that writes the body
 * itself: the answer is the script's text, not JSON. */
void
h_scripts_download(struct http_ctx *c)
{
	struct json_object *o, *content, *title;
	char *disp;

	if (view_script_get(c, &o) != 0)
		return;
	if (!json_object_object_get_ex(o, "content", &content) ||
	    !json_object_object_get_ex(o, "title", &title)) {
		json_object_put(o);
		error_from(c, PSS_EINTERNAL, "script object without content");
		return;
	}
	disp = text_content_disposition(json_object_get_string(title), ".ps1");
	c->resp->status = 200;
	c->resp->content_type = "text/plain; charset=utf-8";
	resp_header(c->resp, "Content-Disposition", disp);
	resp_header(c->resp, "Cache-Control", "private, no-store");
	buf_reset(&c->resp->body);
	resp_body(c->resp, json_object_get_string(content), (size_t)json_object_get_string_len(content));
	free(disp);
	json_object_put(o);
}
