/* executions.c: the execution_logs table's queries: record one (the script's counters
 * updated in the same statement), history */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/executions.h"

const char *const db_exec_statuses[EXEC__MAX] = { "success", "failure", "timeout", "cancelled" };

enum exec_status
db_exec_status_parse(const char *s)
{
	if (s == NULL)
		return EXEC_SUCCESS;
	for (int i = 0; i < EXEC__MAX; i++)
		if (strcmp(s, db_exec_statuses[i]) == 0)
			return (enum exec_status)i;
	return EXEC__MAX;
}

enum pss_err
db_execution_record(struct db *db, const struct viewer *v, const struct exec_record *x,
    struct json_object **out)
{
	struct db_res *r;
	char sid[24], uid[24], t[32];
	enum pss_err e;

	*out = NULL;
	db_id(sid, x->script_id);
	db_id(uid, v->user_id);
	snprintf(t, sizeof(t), "%.17g", x->time_ms);
	/* One statement: the row lock of the UPDATE orders concurrent records, and a waiting
	 * UPDATE re-reads the row, so the count is exact and the running mean is the mean of
	 * every reported time. An execution reported without a time leaves the mean as it is
	 * but is counted, so later times weigh a little less (documented in docs/library.md). */
	e = db_exec_row(db, &r,
	    "WITH s AS (UPDATE scripts s SET execution_count = s.execution_count + 1,"
	    "   average_execution_time = CASE WHEN $4::float8 IS NULL THEN s.average_execution_time"
	    "     ELSE COALESCE(s.average_execution_time, 0) + ($4::float8 - COALESCE(s.average_execution_time, 0))"
	    "       / (s.execution_count + 1) END,"
	    "   last_executed_at = now()"
	    "  WHERE s.id = $1 AND ($8::bool OR s.is_public OR s.user_id = $2::int)"
	    "  RETURNING s.id, s.execution_count, s.title)"
	    " INSERT INTO execution_logs (script_id, user_id, status, execution_time, parameters,"
	    "  error_message, ip_address)"
	    " SELECT s.id, $2, $3, $4::float8, COALESCE($5::jsonb, '{}'), $6, $7 FROM s"
	    " RETURNING id, (SELECT execution_count FROM s), (SELECT title FROM s)", 8,
	    (const char *[]){ sid, uid, db_exec_statuses[x->status], x->has_time ? t : NULL,
		x->parameters, x->error_message, x->ip, v->admin ? "true" : "false" });
	if (e != PSS_OK)
		return e;
	*out = json_object_new_object();
	json_object_object_add(*out, "executionLogId", json_object_new_int64(db_res_int(r, 0, 0)));
	json_object_object_add(*out, "executionCount", json_object_new_int64(db_res_int(r, 0, 1)));
	json_object_object_add(*out, "title", json_object_new_string(db_res_get(r, 0, 2)));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_executions_list(struct db *db, int64_t script_id, int64_t limit, int64_t offset,
    struct json_object **out)
{
	struct db_res *r = NULL, *c = NULL;
	struct json_object *pg;
	char sid[24], lim[24], off[24];
	enum pss_err e;
	int64_t total;

	*out = NULL;
	db_id(sid, script_id);
	db_id(lim, limit);
	db_id(off, offset);
	if ((e = db_exec(db, &c, "SELECT count(*) FROM execution_logs WHERE script_id = $1", 1,
	    (const char *[]){ sid })) != PSS_OK)
		goto out;
	if ((e = db_exec(db, &r, "SELECT json_build_object('id', l.id, 'scriptId', l.script_id,"
	    " 'userId', l.user_id, 'status', l.status, 'executionTime', l.execution_time,"
	    " 'parameters', l.parameters, 'errorMessage', l.error_message, 'ipAddress', l.ip_address,"
	    " 'createdAt', l.created_at) FROM execution_logs l WHERE l.script_id = $1"
	    " ORDER BY l.created_at DESC, l.id DESC LIMIT $2 OFFSET $3", 3,
	    (const char *[]){ sid, lim, off })) != PSS_OK)
		goto out;
	total = db_res_int(c, 0, 0);
	*out = json_object_new_object();
	json_object_object_add(*out, "executions", db_json_rows(r));
	pg = json_object_new_object();
	json_object_object_add(pg, "total", json_object_new_int64(total));
	json_object_object_add(pg, "limit", json_object_new_int64(limit));
	json_object_object_add(pg, "offset", json_object_new_int64(offset));
	json_object_object_add(pg, "hasMore", json_object_new_boolean(offset + db_res_rows(r) < total));
	json_object_object_add(*out, "pagination", pg);
out:
	db_res_free(r);
	db_res_free(c);
	return e;
}
