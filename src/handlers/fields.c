/* fields.c: typed reading of JSON body members, the answers to field errors, and the one
 * answer to a service's refusal (error_from_svc) */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "handlers/app.h"

int
json_field_str(struct json_object *o, const char *name, const char *alias, const char **out,
    size_t *len)
{
	struct json_object *v = NULL;

	*out = NULL;
	if (len != NULL)
		*len = 0;
	if (!json_object_object_get_ex(o, name, &v) &&
	    (alias == NULL || !json_object_object_get_ex(o, alias, &v)))
		return 0;
	if (v == NULL)
		return 0;	/* JSON null */
	if (!json_object_is_type(v, json_type_string))
		return -1;
	*out = json_object_get_string(v);
	if (len != NULL)
		*len = (size_t)json_object_get_string_len(v);
	return 1;
}

void
field_error(struct http_ctx *c, const char *field, const char *message)
{
	struct json_object *details = json_object_new_array(), *d = json_object_new_object();

	json_object_object_add(d, "field", json_object_new_string(field));
	json_object_object_add(d, "message", json_object_new_string(message));
	json_object_array_add(details, d);
	error_reply(c, 400, "validation_error", message, details);
}

/* The error envelope with one more member (owned). */
static void
envelope_with(struct http_ctx *c, int status, const char *code, const char *message,
    const char *name, struct json_object *value)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "success", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(code));
	json_object_object_add(o, "message", json_object_new_string(message));
	json_object_object_add(o, "requestId", json_object_new_string(c->req->request_id));
	json_object_object_add(o, name, value);
	json_reply(c, status, o);
}

void
error_from_svc(struct http_ctx *c, enum pss_err e, const struct svc_err *err, const char *notfound)
{
	const char *msg = err != NULL ? err->message : NULL, *field = err != NULL ? err->field : NULL;
	struct json_object *ids;
	char m[256];

	switch (e) {
	case PSS_EINVAL:
		if (field != NULL && err->phrase) {
			snprintf(m, sizeof(m), "%s: %s.", field, msg ? msg : "not valid");
			field_error(c, field, m);
		} else if (field != NULL)
			field_error(c, field, msg);
		else
			error_from(c, e, msg);
		break;
	case PSS_ECONFLICT:
		if (err != NULL && err->existing_id > 0)
			envelope_with(c, 409, "duplicate_file", "A script with the same content already exists.",
			    "existingScriptId", json_object_new_int64(err->existing_id));
		else if (field != NULL && strcmp(field, "email") == 0)
			error_reply(c, 409, "email_already_exists", msg, NULL);
		else if (field != NULL && strcmp(field, "username") == 0)
			error_reply(c, 409, "username_already_exists", msg, NULL);
		else
			error_from(c, e, msg);
		break;
	case PSS_EFORBIDDEN:
		if (err != NULL && err->nunauthorized > 0) {
			ids = json_object_new_array();
			for (size_t i = 0; i < err->nunauthorized && i < PSS_ARRAY_LEN(err->unauthorized); i++)
				json_object_array_add(ids, json_object_new_int64(err->unauthorized[i]));
			envelope_with(c, 403, "forbidden",
			    "Some of these scripts are not yours to change; nothing was changed.",
			    "unauthorizedIds", ids);
		} else
			error_reply(c, 403, "forbidden", "Only the owner or an administrator may do this.", NULL);
		break;
	case PSS_ETOOBIG:
		error_from(c, e, msg ? msg : "The content is larger than 10 MB.");
		break;
	case PSS_EAUTH:	/* error_from's 401 has one fixed message */
		error_reply(c, 401, "unauthorized", msg ? msg : "Authentication required.", NULL);
		break;
	case PSS_ENOTFOUND:
		error_from(c, e, notfound);
		break;
	default:
		error_from(c, e, NULL);
		break;
	}
}

void
ok_reply(struct http_ctx *c, const char *message)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "message", json_object_new_string(message));
	json_reply(c, 200, o);
}
