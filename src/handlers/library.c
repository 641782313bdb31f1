/* library.c: what the library's handlers share: the viewer, path ids, list parameters,
 * JSON body members, success answers, and the cached reads' bytes */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "handlers/library.h"
#include "handlers/pages.h"

#define CURSOR_MAX_BYTES 2048
#define PAGE_MAX 1000000

struct viewer
req_viewer(const struct http_ctx *c)
{
	struct viewer v = { 0, false };

	if (c->user != NULL) {
		v.user_id = c->user->id;
		v.admin = c->user->role == ROLE_ADMIN;
	}
	return v;
}

int64_t
req_path_id(struct http_ctx *c, const char *name, const char *field)
{
	int64_t id;
	char msg[96];

	if (parse_int64(http_param(c->req, name), 1, INT32_MAX, &id) != 0) {
		snprintf(msg, sizeof(msg), "%s must be a positive whole number.", field);
		field_error(c, field, msg);
		return 0;
	}
	return id;
}

/* A boolean query parameter: 1 or 0, -1 when absent, -2 after answering 400. */
static int
query_bool(struct http_ctx *c, const char *name)
{
	const char *v = http_query(c->req, name);
	char msg[96];

	if (v == NULL || *v == '\0')
		return -1;
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		return 1;
	if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		return 0;
	snprintf(msg, sizeof(msg), "%s must be true or false.", name);
	field_error(c, name, msg);
	return -2;
}

/* A whole-number query parameter in min..max: 1 with *out, 0 when absent, -1 after
 * answering 400. */
static int
query_int(struct http_ctx *c, const char *name, int64_t min, int64_t max, int64_t *out)
{
	const char *v = http_query(c->req, name);
	char msg[128];

	if (v == NULL || *v == '\0')
		return 0;
	if (parse_int64(v, min, max, out) != 0) {
		snprintf(msg, sizeof(msg), "%s must be a whole number from %lld to %lld.", name,
		    (long long)min, (long long)max);
		field_error(c, name, msg);
		return -1;
	}
	return 1;
}

int
req_query_int(struct http_ctx *c, const char *name, int64_t min, int64_t max, int64_t *out)
{
	return query_int(c, name, min, max, out);
}

/* query_int_alias: query_int of the first of names that was sent. */
static int
query_int_alias(struct http_ctx *c, const char *const *names, int64_t min, int64_t max,
    int64_t *out)
{
	for (; *names != NULL; names++)
		if (http_query(c->req, *names) != NULL && *http_query(c->req, *names) != '\0')
			return query_int(c, *names, min, max, out);
	return 0;
}

/* add_tag: one tag name of the filter; -1 after answering 400. */
static int
add_tag(struct http_ctx *c, struct script_filter *f, const char *v, size_t n)
{
	const char *t;

	while (n > 0 && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n == 0)
		return 0;
	if (n > LIBRARY_TAG_MAX_LEN * 4 || !text_no_controls(v, n)) {
		field_error(c, "tag", "tag must be a tag name (no control characters).");
		return -1;
	}
	if (f->tag != NULL && f->n_and_tags == PSS_ARRAY_LEN(f->and_tags)) {
		field_error(c, "tags", "At most 10 tags: a script carries no more.");
		return -1;
	}
	t = arena_strndup(c->req->arena, v, n);
	if (f->tag == NULL)
		f->tag = t;
	else
		f->and_tags[f->n_and_tags++] = t;
	return 0;
}

/* req_tags: tag (one name), tags (a comma-separated list) and tags[] (repeated, as the
 * original frontend's axios writes an array): a script must carry every one. */
static int
req_tags(struct http_ctx *c, struct script_filter *f)
{
	const struct kvlist *q = &c->req->query;

	for (size_t i = 0; i < q->n; i++) {
		const char *k = q->items[i].key, *v = q->items[i].val;

		if (strcmp(k, "tag") == 0 || strcmp(k, "tags[]") == 0) {
			if (add_tag(c, f, v, strlen(v)) < 0)
				return -1;
		} else if (strcmp(k, "tags") == 0) {
			for (const char *p = v; *p != '\0';) {
				size_t span = strcspn(p, ",");

				if (add_tag(c, f, p, span) < 0)
					return -1;
				p += span + (p[span] == ',');
			}
		}
	}
	return 0;
}

int
req_filter(struct http_ctx *c, bool search, struct script_filter *f)
{
	static const char *const category[] = { "categoryId", "category_id", "category", NULL };
	const char *v;
	int b;

	library_filter_init(f, search);
	if (query_int_alias(c, category, 1, INT32_MAX, &f->category_id) < 0 ||
	    query_int(c, "userId", 1, INT32_MAX, &f->user_id) < 0 ||
	    query_int(c, "page", 1, PAGE_MAX, &f->page) < 0 ||
	    query_int(c, "limit", 1, LIBRARY_LIMIT_MAX, &f->limit) < 0)
		return -1;
	if ((b = query_bool(c, "isPublic")) == -2)
		return -1;
	f->is_public = b;
	if ((b = query_bool(c, "mine")) == -2)
		return -1;
	if (b == 1 && c->user == NULL) {
		error_reply(c, 401, "unauthorized", "mine=true needs a signed-in user.", NULL);
		return -1;
	}
	f->mine = b == 1;
	if (req_tags(c, f) < 0)
		return -1;
	if ((v = http_query(c->req, "minSecurityScore")) != NULL && *v != '\0') {
		if (parse_double(v, 0, 10, &f->min_security) != 0) {
			field_error(c, "minSecurityScore", "minSecurityScore must be a number from 0 to 10.");
			return -1;
		}
		f->has_min_security = true;
	}
	if ((v = http_query(c->req, "sort")) != NULL && *v != '\0') {
		f->sort = library_sort_parse(v);
		if (f->sort == SCRIPT_SORT__MAX || (f->sort == SCRIPT_SORT_RANK && !search)) {
			field_error(c, "sort", search ?
			    "sort must be one of rank, updatedAt, createdAt, title, executionCount, securityScore, "
			    "codeQualityScore." :
			    "sort must be one of updatedAt, createdAt, title, executionCount, securityScore, "
			    "codeQualityScore.");
			return -1;
		}
	}
	if ((v = http_query(c->req, "order")) != NULL && *v != '\0') {
		if (strcasecmp(v, "asc") != 0 && strcasecmp(v, "desc") != 0) {
			field_error(c, "order", "order must be asc or desc.");
			return -1;
		}
		f->asc = strcasecmp(v, "asc") == 0;
	}
	if ((v = http_query(c->req, "cursor")) != NULL && *v != '\0') {
		if (strlen(v) > CURSOR_MAX_BYTES) {
			field_error(c, "cursor", "cursor is not a cursor of this sort and order.");
			return -1;
		}
		f->cursor = v;
	}
	if (!search)
		return 0;
	if ((v = http_query(c->req, "mode")) != NULL && *v != '\0') {
		f->mode = library_search_mode_parse(v);
		if (f->mode == SEARCH__MAX) {
			field_error(c, "mode", "mode must be keyword, semantic or hybrid.");
			return -1;
		}
	}
	if (((v = http_query(c->req, "q")) == NULL || *v == '\0') &&
	    ((v = http_query(c->req, "search")) == NULL || *v == '\0')) {
		field_error(c, "q", "q, the search text, is required.");
		return -1;
	}
	f->query = v;
	return 0;
}

/* also_flat: whether an answer {success, name: OBJ} carries OBJ's members beside success
 * too: a script, as the original frontend reads it (data.title, data.content) while API.md's
 * clients read data.script (docs/compat.md). */
static bool
also_flat(const char *name)
{
	return name != NULL && strcmp(name, "script") == 0;
}

bool
req_asks_as_axios(const struct http_ctx *c)
{
	const char *accept = http_header(c->req, "accept");

	return !page_active(c) && accept != NULL &&
	    strcmp(accept, "application/json, text/plain, */*") == 0;
}

void
reply_success(struct http_ctx *c, int status, const char *name, struct json_object *obj)
{
	struct json_object *o;

	if (name == NULL && json_object_is_type(obj, json_type_object)) {
		o = json_object_new_object();
		json_object_object_add(o, "success", json_object_new_boolean(1));
		json_object_object_foreach(obj, k, v)
			json_object_object_add(o, k, json_object_get(v));
		json_object_put(obj);
	} else {
		o = json_object_new_object();
		json_object_object_add(o, "success", json_object_new_boolean(1));
		if (also_flat(name) && !page_active(c) && json_object_is_type(obj, json_type_object)) {
			json_object_object_foreach(obj, k, v)
				if (strcmp(k, "success") != 0 && strcmp(k, name) != 0)
					json_object_object_add(o, k, json_object_get(v));
		}
		json_object_object_add(o, name ? name : "data", obj);
	}
	json_reply(c, status, o);
}

void
reply_view(struct http_ctx *c, int (*view)(struct http_ctx *, struct json_object **),
    const char *name)
{
	struct json_object *o;

	if (view(c, &o) == 0)
		reply_success(c, 200, name, o);
}

/* ---- the cached reads (services/library.h, "reads.c") ---- */

struct json_object *
view_cache_get(struct http_ctx *c, const char *key)
{
	return library_cache_get(&c->app->svc, key);
}

void
view_cache_put(struct http_ctx *c, const char *key, struct json_object *o, int ttl_s)
{
	library_cache_put(&c->app->svc, key, o, ttl_s);
}

/* What reply_success writes for the JSON text of an object: {"success":true,"name":OBJ}, or
 * with name NULL OBJ's members after success (a script's after its member too); gzipped for
 * a client that asks (the entry key's bytes compressed once per process: cached answers hold
 * no secret). */
static void
reply_text(struct http_ctx *c, const char *key, const char *json, size_t len, const char *name)
{
	struct buf *b = &c->resp->body;
	struct http_cached how;

	c->resp->status = 200;
	c->resp->content_type = "application/json; charset=utf-8";
	/* a large answer goes as a file nginx sends (its gzip beside it), else gzipped here */
	if (http_cached_reuse(c->resp, c->req, name, key, json, len, &how))
		return;
	buf_reset(b);
	if (name != NULL) {
		buf_puts(b, "{\"success\":true,\"");
		buf_puts(b, name);
		buf_puts(b, "\":");
		buf_append(b, json, len);
		if (also_flat(name) && len > 2 && json[0] == '{') {
			buf_putc(b, ',');
			buf_append(b, json + 1, len - 1);
		} else
			buf_putc(b, '}');
	} else if (len == 2)
		buf_puts(b, "{\"success\":true}");
	else {
		buf_puts(b, "{\"success\":true,");
		buf_append(b, json + 1, len - 1);
	}
	http_cached_keep(c->resp, json, len, &how);
}

int
reply_cached(struct http_ctx *c, const char *key, const char *name, const struct viewer *vw)
{
	struct library_cached v;
	int hit;

	if (page_active(c))
		return 0;
	if ((hit = library_cache_text(&c->app->svc, key, vw, &v)) != 1)
		return hit;
	reply_text(c, key, v.json, v.len, name);
	library_cached_free(&v);
	return 1;
}

void
reply_cache_put(struct http_ctx *c, const char *key, struct json_object *o, int ttl_s,
    const char *name)
{
	size_t len;
	const char *s;

	if (page_active(c) || !json_object_is_type(o, json_type_object)) {
		view_cache_put(c, key, o, ttl_s);
		reply_success(c, 200, name, o);
		return;
	}
	s = library_cache_json(o, &len);
	library_cache_put_text(&c->app->svc, key, o, s, len, ttl_s);
	reply_text(c, key, s, len, name);
	json_object_put(o);
}

/* ---- JSON bodies (also forms: a value may come as a string) ---- */

/* The member name or its alias: 1 with *v (NULL for JSON null), 0 when absent. */
static int
member(struct json_object *b, const char *name, const char *alias, struct json_object **v)
{
	*v = NULL;
	if (json_object_object_get_ex(b, name, v))
		return 1;
	return alias != NULL && json_object_object_get_ex(b, alias, v) ? 1 : 0;
}

static void
type_error(struct http_ctx *c, const char *name, const char *what)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "%s must be %s.", name, what);
	field_error(c, name, msg);
}

int
req_body_str(struct http_ctx *c, struct json_object *b, const char *name, const char *alias,
    size_t max, bool required, const char **out, size_t *len)
{
	size_t n;
	int rc = json_field_str(b, name, alias, out, &n);
	char msg[128];

	if (len != NULL)
		*len = n;
	if (rc < 0) {
		type_error(c, name, "a string");
		return -1;
	}
	if (rc == 0 && required) {
		snprintf(msg, sizeof(msg), "%s is required.", name);
		field_error(c, name, msg);
		return -1;
	}
	if (rc == 1 && strlen(*out) != n) {
		snprintf(msg, sizeof(msg), "%s must not contain a NUL character.", name);
		field_error(c, name, msg);
		return -1;
	}
	if (rc == 1 && n > max) {
		snprintf(msg, sizeof(msg), "%s must be at most %zu bytes.", name, max);
		field_error(c, name, msg);
		return -1;
	}
	return rc;
}

int
req_body_int(struct http_ctx *c, struct json_object *b, const char *name, const char *alias,
    int64_t min, int64_t max, int64_t *out)
{
	struct json_object *v;
	char what[96];

	if (member(b, name, alias, &v) == 0)
		return 0;
	if (v == NULL)
		return 2;
	snprintf(what, sizeof(what), "a whole number from %lld to %lld", (long long)min, (long long)max);
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		if (*out >= min && *out <= max)
			return 1;
	} else if (json_object_is_type(v, json_type_string)) {
		if (json_object_get_string_len(v) == 0)
			return 2;	/* an empty form field: none */
		if (parse_int64(json_object_get_string(v), min, max, out) == 0)
			return 1;
	}
	type_error(c, name, what);
	return -1;
}

int
req_body_bool(struct http_ctx *c, struct json_object *b, const char *name, const char *alias,
    bool *out)
{
	struct json_object *v;
	const char *s;

	if (member(b, name, alias, &v) == 0 || v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_boolean)) {
		*out = json_object_get_boolean(v);
		return 1;
	}
	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		if (strcmp(s, "true") == 0 || strcmp(s, "on") == 0 || strcmp(s, "1") == 0) {
			*out = true;
			return 1;
		}
		if (strcmp(s, "false") == 0 || strcmp(s, "off") == 0 || strcmp(s, "0") == 0) {
			*out = false;
			return 1;
		}
	}
	type_error(c, name, "true or false");
	return -1;
}

int
req_body_strings(struct http_ctx *c, struct json_object *b, const char *name, const char *alias,
    size_t max, const char ***out, size_t *n)
{
	struct json_object *v;
	const char **list;
	char what[96];
	size_t len;

	*out = NULL;
	*n = 0;
	if (member(b, name, alias, &v) == 0)
		return 0;
	snprintf(what, sizeof(what), "an array of at most %zu strings (or a comma-separated list)", max);
	if (v == NULL)
		return 1;	/* null: the empty list */
	if (json_object_is_type(v, json_type_string)) {
		/* a form's "a, b, c" */
		char *s = arena_strdup(c->req->arena, json_object_get_string(v)), *save = NULL, *t;

		if (strlen(s) != (size_t)json_object_get_string_len(v)) {
			type_error(c, name, what);
			return -1;
		}
		list = arena_alloc(c->req->arena, (max + 1) * sizeof(*list));
		for (t = strtok_r(s, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
			if (text_trim(t, &len), len == 0)
				continue;
			if (*n == max) {
				type_error(c, name, what);
				return -1;
			}
			list[(*n)++] = t;
		}
		*out = list;
		return 1;
	}
	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) > max) {
		type_error(c, name, what);
		return -1;
	}
	len = json_object_array_length(v);
	list = arena_alloc(c->req->arena, (len + 1) * sizeof(*list));
	for (size_t i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);

		if (!json_object_is_type(e, json_type_string) ||
		    strlen(json_object_get_string(e)) != (size_t)json_object_get_string_len(e)) {
			type_error(c, name, what);
			return -1;
		}
		list[i] = json_object_get_string(e);
	}
	*out = list;
	*n = len;
	return 1;
}

int
req_body_ids(struct http_ctx *c, struct json_object *b, const char *name, int64_t **out, size_t *n)
{
	struct json_object *v;
	char what[96];
	size_t len;

	*out = NULL;
	*n = 0;
	snprintf(what, sizeof(what), "an array of 1 to %d script ids", LIBRARY_BULK_MAX);
	if (member(b, name, NULL, &v) == 0 || v == NULL || !json_object_is_type(v, json_type_array) ||
	    (len = json_object_array_length(v)) == 0 || len > LIBRARY_BULK_MAX) {
		type_error(c, name, what);
		return -1;
	}
	*out = arena_alloc(c->req->arena, len * sizeof(**out));
	for (size_t i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		int64_t id;

		if (json_object_is_type(e, json_type_int))
			id = json_object_get_int64(e);
		else if (!json_object_is_type(e, json_type_string) ||
		    parse_int64(json_object_get_string(e), 1, INT32_MAX, &id) != 0)
			id = 0;
		if (id < 1 || id > INT32_MAX) {
			type_error(c, name, what);
			return -1;
		}
		(*out)[i] = id;
	}
	*n = len;
	return 0;
}
