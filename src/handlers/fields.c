/* fields.c: typed reading of JSON body members and the answers to field errors */
#include "config.h"

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

void
svc_error(struct http_ctx *c, enum pss_err e, const struct svc_err *err)
{
	if (e == PSS_EINVAL && err->field != NULL)
		field_error(c, err->field, err->message);
	else if (e == PSS_ECONFLICT && err->field != NULL && strcmp(err->field, "email") == 0)
		error_reply(c, 409, "email_already_exists", err->message, NULL);
	else if (e == PSS_ECONFLICT && err->field != NULL && strcmp(err->field, "username") == 0)
		error_reply(c, 409, "username_already_exists", err->message, NULL);
	else
		error_from(c, e, e == PSS_EINVAL || e == PSS_ECONFLICT ? err->message : NULL);
}

void
ok_reply(struct http_ctx *c, const char *message)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "message", json_object_new_string(message));
	json_reply(c, 200, o);
}
