/* page.h: the machinery of the HTML pages below the handlers: the route's page description,
 * the worker's template set and asset manifest, and HTML forms decoded into JSON objects */
#ifndef PSS_RENDER_PAGE_H
#define PSS_RENDER_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/core.h"
#include "http/http.h"
#include "render/mustache.h"

/*
 * A page route is an ordinary route (struct route) whose .page points to a struct page_route.
 * Its handler is the same function as the API route's: the handler builds one view object
 * and calls json_reply / error_reply; on a page route those render the template instead of
 * JSON (handlers/reply.c, docs/pages.md).
 */

/* How a form field becomes a member of the JSON body the handler reads. */
enum form_type {
	FORM_STRING,	/* a string, "" included */
	FORM_OPTIONAL,	/* a string; an empty field is left out (unchanged, not given) */
	FORM_SECRET,	/* a string that is never echoed back into a re-rendered form */
	FORM_INT,	/* a whole number (an empty field is left out) */
	FORM_BOOL,	/* a checkbox: true when sent with a value other than "", "0", "false" */
	FORM_LIST,	/* comma-separated (or repeated) values: an array of trimmed strings */
};

struct form_field {
	const char	*name;
	enum form_type	 type;
};

/* Page flags. */
enum {
	PAGE_NEXT = 1 << 0,	/* after success, go to the form's "next" field when it is local */
	PAGE_RESULT = 1 << 1,	/* after success, render template with the view (a form whose
				 * answer is a result that is not stored: /analyze), no redirect */
};

struct page_route {
	const char	*template;	/* the page ("account/login"); also the form re-rendered
					 * with the message when an unsafe request fails */
	const char	*title;		/* <title> and <h1> unless the view has a "title" */
	const char	*redirect;	/* after a successful unsafe request: 303 here; ":name"
					 * segments come from the path's parameters */
	const char	*flash;		/* the message shown once after that redirect */
	const struct form_field *fields;	/* the form's fields, ended by { NULL }; NULL:
						 * every field as a string */
	unsigned	 flags;
};

/*
 * page_setup: loads the templates of data_dir/templates and hashes the assets of
 * data_dir/static, once per process (later calls return at once). dev: re-read changed
 * templates before each render and re-hash the assets. Returns PSS_OK, or an error with
 * *err saying which file (the next call tries again).
 */
enum pss_err page_setup(const char *data_dir, bool dev, struct mus_error *err);

/*
 * page_derive: adds to every object of ctx (nested objects and arrays too, 8 levels deep) the
 * members Mustache cannot compute, for templates only (the JSON API never sees them):
 * - for a string member whose name ends in "At" or "Until" and that reads as an ISO 8601 time
 *   with a zone ("2026-11-25T05:41:52.466599+00:00", "...Z"): "<name>Text", the time in UTC
 *   for people ("25 Nov 2026, 05:41 UTC"), and "<name>Iso", the same moment as a valid HTML
 *   datetime ("2026-11-25T05:41:52Z"; HTML allows at most 3 digits of fraction);
 * - for an integer member that is 0 or 1: "<name>IsZero" or "<name>IsOne", true
 *   ("{{total}} script{{^totalIsOne}}s{{/totalIsOne}}").
 * - for a string member "role", "status" or "visibility": "<name>Is", an object with the value
 *   as its one true member (Mustache has no comparisons: {{#user.roleIs.admin}}).
 * Members already present are kept. page_render calls it.
 */
void	 page_derive(struct json_object *ctx);

/* page_parse_time: an ISO 8601 date and time with a zone (Z or +hh[:mm]) into *t; false when
 * s is not one (no zone, a bad date, trailing text). */
bool	 page_parse_time(const char *s, time_t *t);

/* page_render: renders the template name with ctx (after page_derive) into out (see
 * mus_set_render), noting where the values of spans went (NULL: none; mus_spans). */
enum pss_err page_render(const char *name, struct json_object *ctx, struct mus_spans *spans,
	struct buf *out, struct mus_error *err);

/*
 * page_assets: {"css_app_css": "/static/css/app.<hash12>.css", ...}: every file of
 * static/ under a key made of its relative path with each byte other than A-Z a-z 0-9
 * replaced by '_', and the URL with the first 12 hex digits of its SHA-256 before the
 * extension (nginx maps the name back). A new reference (put it).
 */
struct json_object *page_assets(void);

/*
 * form_decode: a form body (application/x-www-form-urlencoded, or the text fields of
 * multipart/form-data) into a JSON object by the field list (NULL: every field as a string).
 * The csrf_token field is never copied. With echo, FORM_SECRET fields are left out (the
 * values to show back in a form). Returns PSS_OK, or PSS_EINVAL with *bad naming the field
 * (NULL when the body itself is malformed). *csrf gets the csrf_token field (NULL if none).
 */
enum pss_err form_decode(struct arena *, const struct request *, const struct form_field *,
	bool echo, struct json_object **out, const char **csrf, const char **bad);

/* page_is_form: true when the request body is a form (urlencoded or multipart). */
bool	 page_is_form(const struct request *);

/* page_local_path: true when s is a path on this site ("/x", never "//x" or "/\x"), fit for
 * a redirect: printable ASCII, at most 512 bytes. */
bool	 page_local_path(const char *s);

#endif
