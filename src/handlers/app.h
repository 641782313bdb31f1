/* app.h: what every handler sees: the request, the response, and the process's services */
#ifndef PSS_APP_H
#define PSS_APP_H

#include <json-c/json.h>

#include "core/core.h"
#include "core/conf.h"
#include "http/http.h"
#include "db/db.h"
#include "cache/cache.h"

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
};

struct http_ctx {
	struct app	*app;
	struct request	*req;
	struct response	*resp;
	const struct route *route;
};

/* The route table (routes.c). */
extern const struct route app_routes[];
extern const size_t app_nroutes;
extern const char *const *app_route_names;

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

/* Handlers. */
void	 h_api_index(struct http_ctx *);
void	 h_health(struct http_ctx *);
void	 h_health_ready(struct http_ctx *);
void	 h_metrics(struct http_ctx *);
void	 h_home(struct http_ctx *);

#endif
