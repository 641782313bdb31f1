/* taxonomy.c: categories (with script counts) and tags (lower-cased, autocomplete, <= 10 a script) */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/scripts.h"

char *
lib_tags_check(const char *const *tags, size_t n, const char *field, struct lib_err *err)
{
	struct json_object *a;
	char *out;

	if (n > LIB_MAX_TAGS) {
		lib_fail(err, PSS_EINVAL, field, "at most 10 tags");
		return NULL;
	}
	a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *t = tags[i] != NULL ? lib_trim(tags[i], &len) : NULL;

		if (t == NULL || len == 0 || len > LIB_TAG_MAX_LEN || !utf8_valid(t, len) ||
		    !lib_no_controls(t, len)) {
			json_object_put(a);
			lib_fail(err, PSS_EINVAL, field, "a tag is 1 to 50 bytes of text");
			return NULL;
		}
		json_object_array_add(a, json_object_new_string_len(t, (int)len));
	}
	out = xstrdup(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
	json_object_put(a);
	return out;
}

enum pss_err
lib_tags_set(struct db *db, int64_t script_id, const char *tags_json, bool replace,
    struct lib_err *err)
{
	struct db_res *r;
	char sid[24];
	enum pss_err e;
	int64_t count;

	lib_id(sid, script_id);
	if (replace && (e = db_exec(db, NULL, "DELETE FROM script_tags WHERE script_id = $1", 1,
	    (const char *[]){ sid })) != PSS_OK)
		return e;
	/* Two statements: the second one's snapshot sees tags another transaction just made. */
	if ((e = db_exec(db, NULL, "INSERT INTO tags (name) SELECT DISTINCT lower(x)"
	    " FROM json_array_elements_text($1::json) x ON CONFLICT (name) DO NOTHING", 1,
	    (const char *[]){ tags_json })) != PSS_OK)
		return e;
	if ((e = db_exec(db, NULL, "INSERT INTO script_tags (script_id, tag_id) SELECT $1, id FROM tags"
	    " WHERE name IN (SELECT lower(x) FROM json_array_elements_text($2::json) x)"
	    " ON CONFLICT DO NOTHING", 2, (const char *[]){ sid, tags_json })) != PSS_OK)
		return e;
	if ((e = db_exec(db, &r, "SELECT count(*) FROM script_tags WHERE script_id = $1", 1,
	    (const char *[]){ sid })) != PSS_OK)
		return e;
	count = db_res_int(r, 0, 0);
	db_res_free(r);
	return count > LIB_MAX_TAGS ? lib_fail(err, PSS_EINVAL, "tags", "at most 10 tags a script") : PSS_OK;
}

/* The scripts a viewer sees, as a condition on s with the viewer id in $1 and admin in $2. */
#define SEES "($2::bool OR s.is_public OR s.user_id = $1::int)"

static void
viewer_params(const struct viewer *v, char uid[24], const char **p)
{
	lib_viewer_params(v, uid, &p[0], &p[1]);
}

#define CATEGORY_JSON \
	"json_build_object('id', c.id, 'name', c.name, 'description', c.description," \
	" 'scriptCount', (SELECT count(*) FROM scripts s WHERE s.category_id = c.id AND " SEES ")," \
	" 'createdAt', c.created_at, 'updatedAt', c.updated_at)"

enum pss_err
db_categories_list(struct db *db, const struct viewer *v, struct json_object **out)
{
	struct db_res *r;
	char uid[24];
	const char *p[2];
	enum pss_err e;

	*out = NULL;
	viewer_params(v, uid, p);
	if ((e = db_exec(db, &r, "SELECT " CATEGORY_JSON " FROM categories c ORDER BY lower(c.name), c.id",
	    2, p)) != PSS_OK)
		return e;
	*out = json_object_new_object();
	json_object_object_add(*out, "categories", lib_json_rows(r));
	db_res_free(r);
	return PSS_OK;
}

/* one_json: the JSON of column 0 of sql's one row; $1, $2 the viewer, $3 the id. */
static enum pss_err
one_json(struct db *db, const struct viewer *v, int64_t id, const char *sql, struct json_object **out)
{
	struct db_res *r;
	char uid[24], sid[24];
	const char *p[3];
	enum pss_err e;

	*out = NULL;
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	viewer_params(v, uid, p);
	lib_id(sid, id);
	p[2] = sid;
	if ((e = lib_exec_row(db, &r, sql, 3, p)) != PSS_OK)
		return e;
	*out = lib_json_parse(db_res_get(r, 0, 0));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_category_get(struct db *db, const struct viewer *v, int64_t id, struct json_object **out)
{
	return one_json(db, v, id, "SELECT " CATEGORY_JSON " FROM categories c WHERE c.id = $3", out);
}

/* category_fields: a trimmed name (caller frees) when name is given and valid. */
static enum pss_err
category_fields(const char *name, const char *description, char **tname, struct lib_err *err)
{
	size_t n;
	const char *t;

	*tname = NULL;
	if (description != NULL && (strlen(description) > 10000 ||
	    !utf8_valid(description, strlen(description))))
		return lib_fail(err, PSS_EINVAL, "description", "at most 10,000 bytes of text");
	if (name == NULL)
		return PSS_OK;
	t = lib_trim(name, &n);
	if (n == 0 || n > 255 || !utf8_valid(t, n) || !lib_no_controls(t, n))
		return lib_fail(err, PSS_EINVAL, "name", "a name of 1 to 255 bytes is required");
	*tname = xstrndup(t, n);
	return PSS_OK;
}

enum pss_err
db_category_create(struct db *db, const char *name, const char *description, int64_t *id,
    struct lib_err *err)
{
	struct db_res *r;
	char *t;
	enum pss_err e;

	*id = 0;
	if (name == NULL)
		return lib_fail(err, PSS_EINVAL, "name", "a name is required");
	if ((e = category_fields(name, description, &t, err)) != PSS_OK)
		return e;
	e = db_exec(db, &r, "INSERT INTO categories (name, description) VALUES ($1, $2) RETURNING id", 2,
	    (const char *[]){ t, description });
	free(t);
	if (e == PSS_ECONFLICT)
		return lib_fail(err, e, "name", "a category of that name exists");
	if (e != PSS_OK)
		return e;
	*id = db_res_int(r, 0, 0);
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_category_update(struct db *db, int64_t id, const char *name, const char *description,
    struct lib_err *err)
{
	struct db_res *r;
	char *t, cid[24];
	enum pss_err e;

	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	if ((e = category_fields(name, description, &t, err)) != PSS_OK)
		return e;
	lib_id(cid, id);
	e = lib_exec_row(db, &r, "UPDATE categories SET name = COALESCE($2, name),"
	    " description = COALESCE($3, description) WHERE id = $1 RETURNING id", 3,
	    (const char *[]){ cid, t, description });
	free(t);
	if (e == PSS_ECONFLICT)
		return lib_fail(err, e, "name", "a category of that name exists");
	db_res_free(r);
	return e;
}

static enum pss_err
delete_by_id(struct db *db, const char *sql, int64_t id)
{
	struct db_res *r;
	char s[24];
	enum pss_err e;

	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	lib_id(s, id);
	if ((e = lib_exec_row(db, &r, sql, 1, (const char *[]){ s })) != PSS_OK)
		return e;
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_category_delete(struct db *db, int64_t id)
{
	return delete_by_id(db, "DELETE FROM categories WHERE id = $1 RETURNING id", id);
}

#define TAG_JSON \
	"json_build_object('id', t.id, 'name', t.name, 'count', (SELECT count(*) FROM script_tags st" \
	" JOIN scripts s ON s.id = st.script_id WHERE st.tag_id = t.id AND " SEES "))"

enum pss_err
db_tags_list(struct db *db, const struct viewer *v, const char *prefix, int64_t limit,
    struct json_object **out)
{
	struct db_res *r;
	struct buf like = BUF_INIT;
	char uid[24], lim[24];
	const char *p[4];
	size_t n = 0;
	const char *t = prefix != NULL ? lib_trim(prefix, &n) : "";
	enum pss_err e;

	*out = NULL;
	if (limit == 0)
		limit = LIB_LIMIT_DEFAULT;
	if (limit < 1 || limit > LIB_LIMIT_MAX || n > 255 || !utf8_valid(t, n))
		return PSS_EINVAL;
	/* LIKE's metacharacters in the prefix are data. */
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '%' || t[i] == '_' || t[i] == '\\')
			buf_putc(&like, '\\');
		buf_putc(&like, t[i]);
	}
	buf_putc(&like, '\0');
	viewer_params(v, uid, p);
	p[2] = like.data;
	lib_id(lim, limit);
	p[3] = lim;
	e = db_exec(db, &r, "SELECT j FROM (SELECT " TAG_JSON " AS j, t.name FROM tags t"
	    " WHERE t.name LIKE lower($3) || '%') x"
	    " ORDER BY (j->>'count')::int DESC, name LIMIT $4", 4, p);
	buf_free(&like);
	if (e != PSS_OK)
		return e;
	*out = json_object_new_object();
	json_object_object_add(*out, "tags", lib_json_rows(r));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_tag_get(struct db *db, const struct viewer *v, int64_t id, struct json_object **out)
{
	return one_json(db, v, id, "SELECT " TAG_JSON " FROM tags t WHERE t.id = $3", out);
}

enum pss_err
db_tag_create(struct db *db, const char *name, int64_t *id, bool *created, struct lib_err *err)
{
	struct db_res *r;
	const char *one[1] = { name };
	char *arr;
	enum pss_err e;

	*id = 0;
	*created = false;
	if ((arr = lib_tags_check(one, 1, "name", err)) == NULL)
		return PSS_EINVAL;
	e = db_exec(db, &r, "WITH n AS (SELECT lower($1::json->>0) AS name),"
	    " ins AS (INSERT INTO tags (name) SELECT name FROM n ON CONFLICT (name) DO NOTHING RETURNING id)"
	    " SELECT id, true FROM ins UNION ALL SELECT t.id, false FROM tags t, n WHERE t.name = n.name",
	    1, (const char *[]){ arr });
	free(arr);
	if (e != PSS_OK)
		return e;
	if (db_res_rows(r) == 0) {
		/* made by a concurrent transaction after our snapshot: look again */
		db_res_free(r);
		return PSS_ECONFLICT;
	}
	*id = db_res_int(r, 0, 0);
	*created = db_res_bool(r, 0, 1);
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_tag_delete(struct db *db, int64_t id)
{
	return delete_by_id(db, "DELETE FROM tags WHERE id = $1 RETURNING id", id);
}
