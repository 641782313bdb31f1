/* rows.c: the library queries' shared helpers: parameters, rows as JSON, savepoints */
#include "config.h"

#include <stdio.h>

#include "core/core.h"
#include "db/rows.h"

void
db_id(char b[24], int64_t v)
{
	snprintf(b, 24, "%lld", (long long)v);
}

enum pss_err
db_exec_row(struct db *db, struct db_res **r, const char *sql, int n, const char *const *p)
{
	enum pss_err e = db_exec(db, r, sql, n, p);

	if (e == PSS_OK && db_res_rows(*r) == 0) {
		db_res_free(*r);
		*r = NULL;
		return PSS_ENOTFOUND;
	}
	return e;
}

void
db_viewer_params(const struct viewer *v, char uid[24], const char **id, const char **admin)
{
	db_id(uid, v->user_id);
	*id = v->user_id > 0 ? uid : NULL;
	*admin = v->admin ? "true" : "false";
}

struct json_object *
db_json_parse(const char *s)
{
	return json_tokener_parse(s);	/* NULL is json-c's null */
}

struct json_object *
db_json_rows(const struct db_res *r)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < db_res_rows(r); i++)
		json_object_array_add(a, db_json_parse(db_res_get(r, i, 0)));
	return a;
}

enum pss_err
db_savepoint(struct db *db, const char *name)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "SAVEPOINT %s", name);
	return db_exec(db, NULL, sql, 0, NULL);
}

enum pss_err
db_savepoint_rollback(struct db *db, const char *name)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "ROLLBACK TO SAVEPOINT %s", name);
	return db_exec(db, NULL, sql, 0, NULL);
}
