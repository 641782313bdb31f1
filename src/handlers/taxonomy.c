/* taxonomy.c: /api/categories and /api/tags */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "handlers/library.h"

#define CATEGORY_NOT_FOUND "Category not found."
#define TAG_NOT_FOUND "Tag not found."
#define NAME_MAX_BYTES 1024		/* read limit; the library allows 255 */
#define DESCRIPTION_MAX_BYTES (64 * 1024)	/* read limit; the library allows 10,000 */
#define TAGS_LIST_DEFAULT 50

/* ---- categories ---- */

/* categories:all is the anonymous answer (counts of public scripts), kept until a change;
 * a signed-in user's counts include their private scripts, so theirs is keyed per scope
 * (categories:all:admin, kept until a change; categories:all:u<id>, 5 minutes). */
int
view_categories_list(struct http_ctx *c, struct json_object **out)
{
	struct viewer v = req_viewer(c);
	char key[64];
	int ttl = CACHE_TTL_CATEGORIES;
	enum pss_err e;

	if (v.admin)
		snprintf(key, sizeof(key), "categories:all:admin");
	else if (v.user_id > 0) {
		snprintf(key, sizeof(key), "categories:all:u%lld", (long long)v.user_id);
		ttl = CACHE_TTL_SCRIPTS;
	} else
		snprintf(key, sizeof(key), "categories:all");
	if ((*out = view_cache_get(c->app->cache, key)) != NULL)
		return 0;
	if ((e = library_categories_list(&c->app->svc, &v, out)) != PSS_OK) {
		error_from_svc(c, e, NULL, CATEGORY_NOT_FOUND);
		return -1;
	}
	view_cache_put(c->app->cache, key, *out, ttl);
	return 0;
}

static int
category_by_id(struct http_ctx *c, int64_t id, struct json_object **out)
{
	struct viewer v = req_viewer(c);
	enum pss_err e;

	if ((e = library_category_get(&c->app->svc, &v, id, out)) != PSS_OK) {
		error_from_svc(c, e, NULL, CATEGORY_NOT_FOUND);
		return -1;
	}
	return 0;
}

int
view_category_get(struct http_ctx *c, struct json_object **out)
{
	int64_t id = req_path_id(c, "id", "id");

	*out = NULL;
	return id == 0 ? -1 : category_by_id(c, id, out);
}

/* {category, scripts, total, page, totalPages, nextCursor}: the list filters, with the
 * category of the path. */
int
view_category_scripts(struct http_ctx *c, struct json_object **out)
{
	int64_t id = req_path_id(c, "id", "id");
	struct script_filter f;
	struct json_object *cat;

	*out = NULL;
	if (id == 0 || req_filter(c, false, &f) != 0 || category_by_id(c, id, &cat) != 0)
		return -1;
	f.category_id = id;
	if (view_list_with(c, &f, false, out) != 0) {
		json_object_put(cat);
		return -1;
	}
	json_object_object_add(*out, "category", cat);
	return 0;
}

void
h_categories_list(struct http_ctx *c)
{
	reply_view(c, view_categories_list, NULL);
}

void
h_categories_get(struct http_ctx *c)
{
	reply_view(c, view_category_get, "category");
}

void
h_categories_scripts(struct http_ctx *c)
{
	reply_view(c, view_category_scripts, NULL);
}

/* Reads {name, description}: 0, or -1 after answering. */
static int
category_body(struct http_ctx *c, struct json_object *b, bool create, const char **name,
    const char **description)
{
	if (req_body_str(c, b, "name", NULL, NAME_MAX_BYTES, create, name, NULL) < 0 ||
	    req_body_str(c, b, "description", NULL, DESCRIPTION_MAX_BYTES, false, description, NULL) < 0)
		return -1;
	if (!create && *name == NULL && *description == NULL) {
		field_error(c, "name", "Nothing to change: give name or description.");
		return -1;
	}
	return 0;
}

static void
category_reply(struct http_ctx *c, int status, int64_t id)
{
	struct json_object *o;

	if (category_by_id(c, id, &o) == 0)
		reply_success(c, status, "category", o);
}

void
h_categories_create(struct http_ctx *c)
{
	struct json_object *b = json_body(c);
	struct svc_err err = { 0 };
	const char *name, *desc;
	int64_t id;
	enum pss_err e;

	if (b == NULL)
		return;
	if (category_body(c, b, true, &name, &desc) == 0) {
		if ((e = library_category_create(&c->app->svc, name, desc, &id, &err)) != PSS_OK)
			error_from_svc(c, e, &err, CATEGORY_NOT_FOUND);
		else
			category_reply(c, 201, id);
	}
	json_object_put(b);
}

void
h_categories_update(struct http_ctx *c)
{
	int64_t id = req_path_id(c, "id", "id");
	struct json_object *b;
	struct svc_err err = { 0 };
	const char *name, *desc;
	enum pss_err e;

	if (id == 0 || (b = json_body(c)) == NULL)
		return;
	if (category_body(c, b, false, &name, &desc) == 0) {
		if ((e = library_category_update(&c->app->svc, id, name, desc, &err)) != PSS_OK)
			error_from_svc(c, e, &err, CATEGORY_NOT_FOUND);
		else
			category_reply(c, 200, id);
	}
	json_object_put(b);
}

void
h_categories_delete(struct http_ctx *c)
{
	int64_t id = req_path_id(c, "id", "id");
	enum pss_err e;

	if (id == 0)
		return;
	if ((e = library_category_delete(&c->app->svc, id)) != PSS_OK) {
		error_from_svc(c, e, NULL, CATEGORY_NOT_FOUND);
		return;
	}
	ok_reply(c, "Category deleted; its scripts have no category now.");
}

/* ---- tags ---- */

int
view_tags_list(struct http_ctx *c, struct json_object **out)
{
	struct viewer v = req_viewer(c);
	int64_t limit = TAGS_LIST_DEFAULT;
	const char *q = http_query(c->req, "q");
	enum pss_err e;

	*out = NULL;
	if (req_query_int(c, "limit", 1, LIBRARY_LIMIT_MAX, &limit) < 0)
		return -1;
	if (q != NULL && strlen(q) > LIBRARY_TAG_MAX_LEN * 4) {
		field_error(c, "q", "q, a tag name prefix, must be at most 200 bytes.");
		return -1;
	}
	if ((e = library_tags_list(&c->app->svc, &v, q, limit, out)) != PSS_OK) {
		error_from_svc(c, e, NULL, TAG_NOT_FOUND);
		return -1;
	}
	return 0;
}

/* {tag: {id, name, count}, scripts, total, page, totalPages, nextCursor}: the tag and the
 * scripts with it this viewer sees (the list filters apply). */
int
view_tag_get(struct http_ctx *c, struct json_object **out)
{
	int64_t id = req_path_id(c, "id", "id");
	struct viewer v = req_viewer(c);
	struct script_filter f;
	struct json_object *tag, *name;
	enum pss_err e;

	*out = NULL;
	if (id == 0 || req_filter(c, false, &f) != 0)
		return -1;
	if ((e = library_tag_get(&c->app->svc, &v, id, &tag)) != PSS_OK) {
		error_from_svc(c, e, NULL, TAG_NOT_FOUND);
		return -1;
	}
	if (!json_object_object_get_ex(tag, "name", &name)) {
		json_object_put(tag);
		error_from(c, PSS_EINTERNAL, "tag without a name");
		return -1;
	}
	f.tag = json_object_get_string(name);
	if (view_list_with(c, &f, false, out) != 0) {
		json_object_put(tag);
		return -1;
	}
	json_object_object_add(*out, "tag", tag);
	return 0;
}

void
h_tags_list(struct http_ctx *c)
{
	reply_view(c, view_tags_list, NULL);
}

void
h_tags_get(struct http_ctx *c)
{
	reply_view(c, view_tag_get, NULL);
}

/* POST /api/tags {name}: 201 {tag, created: true}, or 200 {tag, created: false} with the
 * existing tag of that name. */
void
h_tags_create(struct http_ctx *c)
{
	struct json_object *b = json_body(c), *o, *w;
	struct viewer v = req_viewer(c);
	struct svc_err err = { 0 };
	const char *name;
	int64_t id;
	bool created = false;
	enum pss_err e;

	if (b == NULL)
		return;
	if (req_body_str(c, b, "name", NULL, NAME_MAX_BYTES, true, &name, NULL) < 0)
		goto out;
	if ((e = library_tag_create(&c->app->svc, name, &id, &created, &err)) != PSS_OK ||
	    (e = library_tag_get(&c->app->svc, &v, id, &o)) != PSS_OK) {
		error_from_svc(c, e, &err, TAG_NOT_FOUND);
		goto out;
	}
	w = json_object_new_object();
	json_object_object_add(w, "tag", o);
	json_object_object_add(w, "created", json_object_new_boolean(created));
	reply_success(c, created ? 201 : 200, NULL, w);
out:
	json_object_put(b);
}

void
h_tags_delete(struct http_ctx *c)
{
	int64_t id = req_path_id(c, "id", "id");
	enum pss_err e;

	if (id == 0)
		return;
	if ((e = library_tag_delete(&c->app->svc, id)) != PSS_OK) {
		error_from_svc(c, e, NULL, TAG_NOT_FOUND);
		return;
	}
	ok_reply(c, "Tag deleted.");
}
