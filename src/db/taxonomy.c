/* taxonomy.c: the categories, tags and script_tags tables' queries: categories with script
 * counts, tags (autocomplete), a script's tags */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/taxonomy.h"

enum pss_err
db_tags_set(struct db *db, int64_t script_id, const char *tags_json, bool replace, int64_t *count)
{
	struct db_res *r;
	char sid[24];
	enum pss_err e;

	*count = 0;
	db_id(sid, script_id);
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
	*count = db_res_int(r, 0, 0);
	db_res_free(r);
	return PSS_OK;
}

/* The scripts a viewer sees, as a condition on s with the viewer id in $1 and admin in $2. */
#define SEES "($2::bool OR s.is_public OR s.user_id = $1::int)"

static void
viewer_params(const struct viewer *v, char uid[24], const char **p)
{
	db_viewer_params(v, uid, &p[0], &p[1]);
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
	json_object_object_add(*out, "categories", db_json_rows(r));
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
	db_id(sid, id);
	p[2] = sid;
	if ((e = db_exec_row(db, &r, sql, 3, p)) != PSS_OK)
		return e;
	*out = db_json_parse(db_res_get(r, 0, 0));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_category_get(struct db *db, const struct viewer *v, int64_t id, struct json_object **out)
{
	return one_json(db, v, id, "SELECT " CATEGORY_JSON " FROM categories c WHERE c.id = $3", out);
}

enum pss_err
db_category_exists(struct db *db, int64_t id, bool *found)
{
	struct db_res *r;
	char s[24];
	enum pss_err e;

	*found = false;
	db_id(s, id);
	if ((e = db_exec(db, &r, "SELECT 1 FROM categories WHERE id = $1", 1, (const char *[]){ s })) != PSS_OK)
		return e;
	*found = db_res_rows(r) > 0;
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_category_insert(struct db *db, const char *name, const char *description, int64_t *id)
{
	struct db_res *r;
	enum pss_err e;

	*id = 0;
	if ((e = db_exec(db, &r, "INSERT INTO categories (name, description) VALUES ($1, $2) RETURNING id",
	    2, (const char *[]){ name, description })) != PSS_OK)
		return e;
	*id = db_res_int(r, 0, 0);
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_category_update(struct db *db, int64_t id, const char *name, const char *description)
{
	struct db_res *r;
	char cid[24];
	enum pss_err e;

	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	db_id(cid, id);
	if ((e = db_exec_row(db, &r, "UPDATE categories SET name = COALESCE($2, name),"
	    " description = COALESCE($3, description) WHERE id = $1 RETURNING id", 3,
	    (const char *[]){ cid, name, description })) != PSS_OK)
		return e;
	db_res_free(r);
	return PSS_OK;
}

static enum pss_err
delete_by_id(struct db *db, const char *sql, int64_t id)
{
	struct db_res *r;
	char s[24];
	enum pss_err e;

	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	db_id(s, id);
	if ((e = db_exec_row(db, &r, sql, 1, (const char *[]){ s })) != PSS_OK)
		return e;
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_category_delete(struct db *db, int64_t id)
{
	return delete_by_id(db, "DELETE FROM categories WHERE id = $1 RETURNING id", id);
}

/* A tag a viewer sees: in use on a script it sees ($1, $2 as SEES); an admin sees every tag. */
#define TAG_SEEN "($2::bool OR EXISTS (SELECT 1 FROM script_tags st JOIN scripts s ON s.id = st.script_id" \
	" WHERE st.tag_id = t.id AND " SEES "))"

#define TAG_JSON \
	"json_build_object('id', t.id, 'name', t.name, 'count', (SELECT count(*) FROM script_tags st" \
	" JOIN scripts s ON s.id = st.script_id WHERE st.tag_id = t.id AND " SEES "))"

enum pss_err
db_tags_list(struct db *db, const struct viewer *v, const char *t, size_t n, int64_t limit,
    struct json_object **out)
{
	struct db_res *r;
	struct buf like = BUF_INIT;
	char uid[24], lim[24];
	const char *p[4];
	enum pss_err e;

	*out = NULL;
	/* LIKE's metacharacters in the prefix are data. */
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '%' || t[i] == '_' || t[i] == '\\')
			buf_putc(&like, '\\');
		buf_putc(&like, t[i]);
	}
	buf_putc(&like, '\0');
	viewer_params(v, uid, p);
	p[2] = like.data;
	db_id(lim, limit);
	p[3] = lim;
	e = db_exec(db, &r, "SELECT j FROM (SELECT " TAG_JSON " AS j, t.name FROM tags t"
	    " WHERE t.name LIKE lower($3) || '%' AND " TAG_SEEN ") x"
	    " ORDER BY (j->>'count')::int DESC, name LIMIT $4", 4, p);
	buf_free(&like);
	if (e != PSS_OK)
		return e;
	*out = json_object_new_object();
	json_object_object_add(*out, "tags", db_json_rows(r));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_tag_get(struct db *db, const struct viewer *v, int64_t id, bool any, struct json_object **out)
{
	return one_json(db, v, id, any ? "SELECT " TAG_JSON " FROM tags t WHERE t.id = $3" :
	    "SELECT " TAG_JSON " FROM tags t WHERE t.id = $3 AND " TAG_SEEN, out);
}

enum pss_err
db_tag_insert(struct db *db, const char *name, int64_t *id, bool *created)
{
	struct db_res *r;
	enum pss_err e;

	*id = 0;
	*created = false;
	e = db_exec(db, &r, "WITH n AS (SELECT lower($1) AS name),"
	    " ins AS (INSERT INTO tags (name) SELECT name FROM n ON CONFLICT (name) DO NOTHING RETURNING id)"
	    " SELECT id, true FROM ins UNION ALL SELECT t.id, false FROM tags t, n WHERE t.name = n.name",
	    1, (const char *[]){ name });
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
