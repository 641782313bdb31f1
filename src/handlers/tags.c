/* tags.c: /api/tags: list (autocomplete), get with its scripts, create, delete */
#include "config.h"

#include <string.h>

#include "handlers/library.h"

#define TAG_NOT_FOUND "Tag not found."
#define NAME_MAX_BYTES 1024		/* read limit; the library allows 50 */
#define TAGS_LIST_DEFAULT 50

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
	bool created = false;
	enum pss_err e;

	if (b == NULL)
		return;
	if (req_body_str(c, b, "name", NULL, NAME_MAX_BYTES, true, &name, NULL) < 0)
		goto out;
	if ((e = library_tag_create(&c->app->svc, &v, name, &o, &created, &err)) != PSS_OK) {
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
