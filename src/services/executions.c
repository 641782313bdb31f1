/* executions.c: recording a run of a script (a signed-in user, a script they see) and the
 * owner's history of runs */
#include "config.h"

#include <string.h>

#include "core/core.h"
#include "services/library-int.h"

enum pss_err
library_execution_record(const struct svc *s, const struct viewer *v, const struct exec_record *x,
    struct json_object **out, struct svc_err *err)
{
	struct json_object *params;
	enum pss_err e;

	*out = NULL;
	if (x->script_id <= 0 || x->script_id > INT32_MAX)
		return PSS_ENOTFOUND;
	if (v->user_id <= 0)
		return PSS_EAUTH;
	if (x->status >= EXEC__MAX)
		return svc_fail(err, PSS_EINVAL, "status", "one of success, failure, timeout, cancelled");
	if (x->has_time && !(x->time_ms >= 0 && x->time_ms <= 1e12))
		return svc_fail(err, PSS_EINVAL, "executionTime", "a time in milliseconds, 0 or more");
	if (x->parameters != NULL) {
		params = json_tokener_parse(x->parameters);
		if (!json_object_is_type(params, json_type_object) || strlen(x->parameters) > 65536) {
			json_object_put(params);
			return svc_fail(err, PSS_EINVAL, "parameters", "an object of at most 64 KB");
		}
		json_object_put(params);
	}
	if (x->error_message != NULL && (strlen(x->error_message) > 65536 ||
	    !utf8_valid(x->error_message, strlen(x->error_message))))
		return svc_fail(err, PSS_EINVAL, "errorMessage", "at most 64 KB of text");
	if (x->ip != NULL && strlen(x->ip) > 45)
		return svc_fail(err, PSS_EINVAL, "ip", "an address of at most 45 characters");
	/* the count, the mean and the last run are in the script's cached copy and the lists */
	if ((e = db_execution_record(s->db, v, x, out)) == PSS_OK)
		cache_invalidate_library(s->cache, x->script_id, CACHE_LIB_SCRIPT | CACHE_LIB_LISTS);
	return e;
}

enum pss_err
library_executions_list(const struct svc *s, const struct viewer *v, int64_t script_id,
    int64_t limit, int64_t offset, struct json_object **out)
{
	enum pss_err e;

	*out = NULL;
	if (limit == 0)
		limit = LIBRARY_LIMIT_DEFAULT;
	if (limit < 1 || limit > LIBRARY_LIMIT_MAX || offset < 0 || offset > INT32_MAX)
		return PSS_EINVAL;
	if ((e = library_access(s->db, v, script_id, true, false)) != PSS_OK)
		return e;
	return db_executions_list(s->db, script_id, limit, offset, out);
}
