/* executions.c: POST /api/scripts/:id/execute (a reported execution and the pwsh command
 * line) and GET /:id/execution-history */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "handlers/library.h"

#define SCRIPT_NOT_FOUND "Script not found."
#define EXEC_TEXT_MAX (64 * 1024)
#define EXEC_PARAMS_MAX 100	/* parameters on one command line */

/* The parameters object as command-line arguments (request memory): 0, or -1 after
 * answering 400. */
static int
pwsh_args(struct http_ctx *c, struct json_object *params, struct pwsh_arg **out, size_t *n)
{
	struct pwsh_arg *a;
	size_t i = 0;

	*out = NULL;
	*n = 0;
	if (params == NULL)
		return 0;
	if (json_object_object_length(params) > EXEC_PARAMS_MAX) {
		field_error(c, "parameters", "parameters: at most 100 of them.");
		return -1;
	}
	a = arena_alloc(c->req->arena, (size_t)(json_object_object_length(params) + 1) * sizeof(*a));
	json_object_object_foreach(params, k, v) {
		a[i].name = k;
		switch (json_object_get_type(v)) {
		case json_type_boolean:
			a[i].kind = PWSH_BOOL;
			a[i].value = json_object_get_boolean(v) ? "true" : "false";
			break;
		case json_type_int:
		case json_type_double:
			a[i].kind = PWSH_NUMBER;
			a[i].value = arena_strdup(c->req->arena, json_object_to_json_string_ext(v,
			    JSON_C_TO_STRING_PLAIN));
			break;
		case json_type_string:
			a[i].kind = PWSH_STRING;
			a[i].value = json_object_get_string(v);
			break;
		default:	/* null, arrays, objects: their JSON text, as a string */
			a[i].kind = PWSH_STRING;
			a[i].value = arena_strdup(c->req->arena, json_object_to_json_string_ext(v,
			    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
			break;
		}
		i++;
	}
	*out = a;
	*n = i;
	return 0;
}

/* The body's parameters: an object (or a string holding one, from a form), or NULL. 0, or
 * -1 after answering 400. *owned is set when the object must be put. */
static int
body_params(struct http_ctx *c, struct json_object *b, struct json_object **out, bool *owned)
{
	struct json_object *v;

	*out = NULL;
	*owned = false;
	if (!json_object_object_get_ex(b, "parameters", &v) || v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0) {
		v = json_tokener_parse(json_object_get_string(v));
		*owned = v != NULL;
	}
	if (v == NULL || !json_object_is_type(v, json_type_object)) {
		if (*owned)
			json_object_put(v);
		*owned = false;
		field_error(c, "parameters", "parameters must be an object of names and values.");
		return -1;
	}
	*out = v;
	return 0;
}

/* executionTime: a number of milliseconds (or a numeric string): 1 with *ms, 0 when absent,
 * -1 after answering 400. */
static int
body_time(struct http_ctx *c, struct json_object *b, double *ms)
{
	struct json_object *v;

	if (!json_object_object_get_ex(b, "executionTime", &v) &&
	    !json_object_object_get_ex(b, "execution_time", &v))
		return 0;
	if (v == NULL || (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) == 0))
		return 0;
	if ((json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) &&
	    (*ms = json_object_get_double(v)) >= 0 && *ms <= 1e12)
		return 1;
	if (json_object_is_type(v, json_type_string) &&
	    parse_double(json_object_get_string(v), 0, 1e12, ms) == 0)
		return 1;
	field_error(c, "executionTime", "executionTime must be a number of milliseconds, 0 or more.");
	return -1;
}

void
h_scripts_execute(struct http_ctx *c)
{
	int64_t id = req_path_id(c, "id", "id");
	struct viewer v = req_viewer(c);
	struct json_object *b, *params = NULL, *rec = NULL, *o, *x;
	struct exec_record r = { 0 };
	struct svc_err err = { 0 };
	struct pwsh_arg *args;
	struct buf cmd = BUF_INIT;
	const char *status = NULL;
	char *file = NULL;
	size_t nargs;
	bool owned = false;
	int rt;
	enum pss_err e;

	if (id == 0 || (b = json_body(c)) == NULL)
		return;
	r.script_id = id;
	r.ip = c->req->remote_addr;
	if (body_params(c, b, &params, &owned) < 0 ||
	    req_body_str(c, b, "status", NULL, 32, false, &status, NULL) < 0 ||
	    req_body_str(c, b, "errorMessage", "error_message", EXEC_TEXT_MAX, false, &r.error_message, NULL) < 0 ||
	    (rt = body_time(c, b, &r.time_ms)) < 0 || pwsh_args(c, params, &args, &nargs) < 0)
		goto out;
	r.has_time = rt == 1;
	if ((r.status = library_exec_status_parse(status)) == EXEC__MAX) {
		field_error(c, "status", "status must be one of success, failure, timeout, cancelled.");
		goto out;
	}
	/* the arguments are checked before anything is recorded */
	if (!text_pwsh_command(&cmd, "script.ps1", args, nargs)) {
		field_error(c, "parameters", "parameters: names must be letters, digits and _ "
		    "(not starting with a digit, at most 64), numbers plain decimals.");
		goto out;
	}
	if (params != NULL)
		r.parameters = json_object_to_json_string_ext(params, JSON_C_TO_STRING_PLAIN);
	if ((e = library_execution_record(&c->app->svc, &v, &r, &rec, &err)) != PSS_OK) {
		error_from_svc(c, e, &err, SCRIPT_NOT_FOUND);
		goto out;
	}
	file = text_filename(json_object_object_get_ex(rec, "title", &x) ? json_object_get_string(x) :
	    "", ".ps1");
	buf_reset(&cmd);
	(void)text_pwsh_command(&cmd, file, args, nargs);
	o = json_object_new_object();
	json_object_object_add(o, "command", json_object_new_string(buf_cstr(&cmd)));
	json_object_object_add(o, "executionLogId", json_object_object_get_ex(rec, "executionLogId", &x) ?
	    json_object_get(x) : NULL);
	json_object_object_add(o, "executionCount", json_object_object_get_ex(rec, "executionCount", &x) ?
	    json_object_get(x) : NULL);
	reply_success(c, 200, NULL, o);
out:
	free(file);
	buf_free(&cmd);
	json_object_put(rec);
	if (owned)
		json_object_put(params);
	json_object_put(b);
}

int
view_executions_list(struct http_ctx *c, struct json_object **out)
{
	int64_t id = req_path_id(c, "id", "id"), limit = LIBRARY_LIMIT_DEFAULT, offset = 0;
	struct viewer v = req_viewer(c);
	enum pss_err e;

	*out = NULL;
	if (id == 0 || req_query_int(c, "limit", 1, LIBRARY_LIMIT_MAX, &limit) < 0 ||
	    req_query_int(c, "offset", 0, INT32_MAX, &offset) < 0)
		return -1;
	if ((e = library_executions_list(&c->app->svc, &v, id, limit, offset, out)) != PSS_OK) {
		error_from_svc(c, e, NULL, SCRIPT_NOT_FOUND);
		return -1;
	}
	return 0;
}

void
h_executions_list(struct http_ctx *c)
{
	reply_view(c, view_executions_list, NULL);
}
