/* reply.c: JSON responses and the API.md error envelope, in one place; on a page route the
 * same calls render HTML (pages.c) */
#include "config.h"

#include <string.h>

#include "handlers/app.h"
#include "handlers/pages.h"

void
json_reply(struct http_ctx *c, int status, struct json_object *obj)
{
	size_t len;
	const char *s;

	if (page_active(c)) {
		page_reply(c, status, obj);
		return;
	}
	s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	c->resp->status = status;
	c->resp->content_type = "application/json; charset=utf-8";
	buf_reset(&c->resp->body);
	resp_body(c->resp, s, len);
	json_object_put(obj);
}

void
error_reply(struct http_ctx *c, int status, const char *code, const char *message,
    struct json_object *details)
{
	struct json_object *o;

	if (status == 503)
		resp_header(c->resp, "Retry-After", "5");
	if (page_active(c)) {
		page_error(c, status, code, message, details);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "success", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(code));
	json_object_object_add(o, "message", json_object_new_string(message));
	json_object_object_add(o, "requestId", json_object_new_string(c->req->request_id));
	if (details != NULL)
		json_object_object_add(o, "details", details);
	json_reply(c, status, o);
}

void
error_from(struct http_ctx *c, enum pss_err e, const char *what)
{
	switch (e) {
	case PSS_EUNAVAIL:
		error_reply(c, 503, "unavailable",
		    "The service is temporarily unavailable. Please retry shortly.", NULL);
		break;
	case PSS_ENOTFOUND:
		error_reply(c, 404, "not_found", what ? what : "Not found.", NULL);
		break;
	case PSS_ECONFLICT:
		error_reply(c, 409, "conflict", what ? what : "Conflict.", NULL);
		break;
	case PSS_EINVAL:
		error_reply(c, 400, "validation_error", what ? what : "Invalid input.", NULL);
		break;
	case PSS_ETOOBIG:
		error_reply(c, 413, "payload_too_large", what ? what : "Too large.", NULL);
		break;
	case PSS_EFORBIDDEN:
		error_reply(c, 403, "forbidden", "You may not do this.", NULL);
		break;
	case PSS_EAUTH:
		error_reply(c, 401, "unauthorized", "Authentication required.", NULL);
		break;
	default:
		log_error("internal error: %s", what ? what : pss_strerror(e));
		error_reply(c, 500, "internal_error", "Something went wrong on our side.", NULL);
		break;
	}
}

struct json_object *
json_body(struct http_ctx *c)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	struct kvlist flat;
	const char *ct = c->req->content_type;

	if (c->route != NULL && c->route->page != NULL && page_is_form(c->req))
		return page_form_body(c);
	if (ct == NULL || strcmp(ct, "application/json") != 0) {
		error_reply(c, 415, "unsupported_media_type",
		    "Send the body as application/json.", NULL);
		return NULL;
	}
	if (!utf8_valid(c->req->body, c->req->body_len) ||
	    memchr(c->req->body, '\0', c->req->body_len) != NULL) {
		error_reply(c, 400, "validation_error", "The body is not valid UTF-8 text.", NULL);
		return NULL;
	}
	if (json_flat_parse(c->req->arena, c->req->body, c->req->body_len, &flat) == PSS_OK) {
		/* an object of strings (most bodies): the same object, without the tokener */
		obj = json_object_new_object();
		for (size_t i = 0; i < flat.n; i++)
			json_object_object_add(obj, flat.items[i].key,
			    json_object_new_string_len(flat.items[i].val, (int)flat.items[i].val_len));
		return obj;
	}
	tok = json_tokener_new_ex(32);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, c->req->body, (int)c->req->body_len);
	jerr = json_tokener_get_error(tok);
	if (obj != NULL && jerr == json_tokener_success &&
	    (size_t)json_tokener_get_parse_end(tok) < c->req->body_len) {
		/* trailing bytes after the value: only white space is allowed */
		for (size_t i = json_tokener_get_parse_end(tok); i < c->req->body_len; i++)
			if (strchr(" \t\r\n", c->req->body[i]) == NULL) {
				jerr = json_tokener_error_parse_unexpected;
				break;
			}
	}
	json_tokener_free(tok);
	if (obj == NULL || jerr != json_tokener_success) {
		json_object_put(obj);
		error_reply(c, 400, "validation_error", jerr == json_tokener_continue ?
		    "The JSON body is incomplete." : "The body is not valid JSON.", NULL);
		return NULL;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		error_reply(c, 400, "validation_error", "The JSON body must be an object.", NULL);
		return NULL;
	}
	return obj;
}
