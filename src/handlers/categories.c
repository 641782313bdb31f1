/* categories.c: /api/categories: list, get, the scripts of one, create, update, delete */
#include "config.h"

#include <stdio.h>

#include "handlers/library.h"

#define CATEGORY_NOT_FOUND "Category not found."
#define NAME_MAX_BYTES 1024		/* read limit; the library allows 255 */
#define DESCRIPTION_MAX_BYTES (64 * 1024)	/* read limit; the library allows 10,000 */

/* categories:all is the anonymous answer (counts of public scripts), kept until a change;
 * a signed-in user's counts include their private scripts, so theirs is keyed per scope
 * (categories:all:admin, kept until a change; categories:all:u<id>, 5 minutes). */
int
view_categories_list(struct http_ctx *c, struct json_object **out)
{
	struct viewer v = req_viewer(c);
	char key[64];
	int ttl = library_categories_key(key, sizeof(key), &v);
	enum pss_err e;

	if ((*out = view_cache_get(c, key)) != NULL)
		return 0;
	if ((e = library_categories_list(&c->app->svc, &v, out)) != PSS_OK) {
		error_from_svc(c, e, NULL, CATEGORY_NOT_FOUND);
		return -1;
	}
	view_cache_put(c, key, *out, ttl);
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
