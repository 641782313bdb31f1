/* app.h: what every handler sees: the request, the response, and the process's services */
#ifndef PSS_APP_H
#define PSS_APP_H

#include <json-c/json.h>

#include "core/core.h"
#include "core/conf.h"
#include "http/http.h"
#include "db/db.h"
#include "cache/cache.h"
#include "services/auth.h"
#include "render/mustache.h"

#define PSS_VERSION PACKAGE_VERSION

/* Route flags (struct route.flags). */
enum {
	ROUTE_AUTH = 1 << 0,	/* a signed-in user */
	ROUTE_ADMIN = 1 << 1,	/* role admin */
	ROUTE_CSRF = 1 << 2,	/* cookie sessions need the CSRF token */
	ROUTE_UPLOAD = 1 << 3,	/* multipart bodies up to MAX_UPLOAD_BYTES */
	ROUTE_LOOPBACK = 1 << 4,	/* only from 127.0.0.1 / ::1 */
};

struct app {
	struct conf	*conf;
	struct db	*db;
	struct cache	*cache;
	int64_t		 started_ms;	/* wall clock */
	struct svc	 svc;		/* conf, db and cache for the services layer */
};

struct http_ctx {
	struct app	*app;
	struct request	*req;
	struct response	*resp;
	const struct route *route;
	/* Set by the session gate before the handler runs (NULL: anonymous). */
	const struct auth_user *user;
	const struct auth_session *session;
	bool		 via_cookie;	/* authenticated by the session cookie, not a bearer token */
	/* Members a page handler adds to whatever its page renders, the form re-rendered after
	 * an error included (the categories of a form's select); the handler owns it. */
	struct json_object *page_extra;
	/* Strings of the page's view without a secret, sent as pieces compressed alone to a
	 * client that accepts gzip (pages.h): the same for every viewer and kept by the handler
	 * across requests (page_shared: compressed once, HTTP_GZIP_LEVEL_KEPT), or made for
	 * this response (page_piece: HTTP_GZIP_LEVEL_ONCE). */
	struct json_object *shared[MUS_SPANS_MAX];
	unsigned char	 shared_level[MUS_SPANS_MAX];
	size_t		 nshared;
};

/* The route table (routes.c). */
extern const struct route app_routes[];
extern const size_t app_nroutes;
/* app_large_body_paths (NULL-terminated): the routes whose JSON body may exceed
 * MAX_BODY_BYTES, up to APP_LARGE_BODY bytes (http_limits.large_paths): POST
 * /api/scripts/analyze takes 1 MB of script text, which JSON's escapes (\n, \", \uXXXX for
 * a client that writes ASCII only) make up to about three times as long. */
#define APP_LARGE_BODY ((size_t)4 << 20)
extern const char *const app_large_body_paths[];

/* Replies (reply.c). json_reply takes ownership of obj. */
void	 json_reply(struct http_ctx *, int status, struct json_object *obj);
/* error_reply: the API.md error envelope; details (owned) may be NULL. */
void	 error_reply(struct http_ctx *, int status, const char *code, const char *message,
	struct json_object *details);
/* error_from: maps a pss_err to the right envelope (503 with Retry-After for EUNAVAIL). */
void	 error_from(struct http_ctx *, enum pss_err, const char *what);
/* json_body: parses the request body as a JSON object. On failure it has already replied
 * (415 for another content type, 400 for malformed JSON) and returns NULL. Caller puts. */
struct json_object *json_body(struct http_ctx *);

/* Reading JSON bodies and answering field errors (fields.c). */
/* json_field_str: the string member name, or its alias (may be NULL), of o. 1 with *out and
 * *len set; 0 when absent or null; -1 when present but not a string. */
int	 json_field_str(struct json_object *o, const char *name, const char *alias,
	const char **out, size_t *len);
/* field_error: 400 validation_error with details [{field, message}]. */
void	 field_error(struct http_ctx *, const char *field, const char *message);
/* error_from_svc: THE answer to a service's refusal, for the API and the pages alike:
 * PSS_EINVAL as field_error naming err->field (a phrase printed as "field: phrase."),
 * PSS_ECONFLICT as 409 duplicate_file with existingScriptId, email_already_exists,
 * username_already_exists or conflict, PSS_EFORBIDDEN as 403 (with unauthorizedIds for a
 * bulk operation), PSS_ETOOBIG 413, PSS_EAUTH 401, PSS_ENOTFOUND 404 with notfound as its
 * message (NULL: "Not found."), anything else as error_from (503 with Retry-After when the
 * database is down). err may be NULL. */
void	 error_from_svc(struct http_ctx *, enum pss_err, const struct svc_err *, const char *notfound);
/* ok_reply: 200 {success: true, message}. */
void	 ok_reply(struct http_ctx *, const char *message);

/* Sessions on responses (auth.c). */
void	 session_cookie_set(struct http_ctx *, const struct auth_tokens *);
void	 session_cookie_clear(struct http_ctx *);
/* auth_origin_of: the request's address, user agent and device token (X-Device-Token, else
 * the device cookie). */
struct auth_origin auth_origin_of(struct http_ctx *);
/* auth_locked_reply: 423 account_locked with details {lockoutRemaining, lockScope} and
 * Retry-After. */
void	 auth_locked_reply(struct http_ctx *, const struct auth_lock *);

/* Handlers. */
void	 h_api_index(struct http_ctx *);
void	 h_health(struct http_ctx *);
void	 h_health_ready(struct http_ctx *);
void	 h_metrics(struct http_ctx *);
void	 h_auth_register(struct http_ctx *);
void	 h_auth_login(struct http_ctx *);
void	 h_auth_refresh(struct http_ctx *);
void	 h_auth_logout(struct http_ctx *);
void	 h_auth_me(struct http_ctx *);
void	 h_auth_update(struct http_ctx *);
void	 h_auth_password(struct http_ctx *);
void	 h_users_list(struct http_ctx *);
void	 h_users_get(struct http_ctx *);
void	 h_users_lock_events(struct http_ctx *);
void	 h_users_create(struct http_ctx *);
void	 h_users_update(struct http_ctx *);
void	 h_users_delete(struct http_ctx *);
void	 h_users_reset_password(struct http_ctx *);

#endif
