/* fcgi_main.c: psscript-fcgi, the FastCGI responder: one request at a time, forever */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/metrics.h"
#include "handlers/app.h"

static struct http_server *server;

static void
on_term(int sig)
{
	(void)sig;
	if (server != NULL)
		http_stop(server);
}

static const struct {
	int	 status;
	const char *code;
	const char *message;
} rejects[HTTP_REJECT__MAX] = {
	[HTTP_REJECT_NONE] = { 200, "", "" },
	[HTTP_REJECT_BAD_PATH] = { 400, "validation_error", "The request path is malformed." },
	[HTTP_REJECT_BAD_QUERY] = { 400, "validation_error", "The query string is malformed." },
	[HTTP_REJECT_BAD_METHOD] = { 405, "method_not_allowed", "This method is not supported." },
	[HTTP_REJECT_TOO_MANY_HEADERS] = { 431, "validation_error", "Too many request headers." },
	[HTTP_REJECT_BODY_TOO_LARGE] = { 413, "payload_too_large", "The request body is too large." },
	[HTTP_REJECT_BAD_BODY] = { 400, "validation_error", "The request body is incomplete." },
};

static bool
is_loopback(const char *addr)
{
	return strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "::1") == 0 ||
	    strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::ffff:127.0.0.1") == 0;
}

/* Counters kept by the db and cache layers, added to the shared metrics as deltas. */
static void
flush_layer_stats(struct app *a)
{
	static struct db_stats dlast;
	static struct cache_stats clast;
	static struct http_gzip_stats glast;
	static struct http_answer_file_stats alast;
	const struct http_answer_file_stats *af = http_answer_file_stats();
	const struct db_stats *d = db_stats(a->db);
	const struct http_gzip_stats *g = http_gzip_stats();
	const struct cache_stats *cs = cache_stats(a->cache);

	metrics_add(M_DB_RECONNECTS, d->reconnects - dlast.reconnects);
	metrics_add(M_DB_DEADLOCK_RETRIES, d->deadlock_retries - dlast.deadlock_retries);
	metrics_add(M_DB_ERRORS, d->errors - dlast.errors);
	metrics_add(M_CACHE_HITS, cs->hits - clast.hits);
	metrics_add(M_CACHE_MISSES, cs->misses - clast.misses);
	metrics_add(M_CACHE_ERRORS, cs->errors - clast.errors);
	metrics_add(M_CACHE_RECONNECTS, cs->reconnects - clast.reconnects);
	metrics_add(M_CACHE_HOT_HITS, cs->hot_hits - clast.hot_hits);
	metrics_add(M_GZIP_COMPRESSED, g->compressed - glast.compressed);
	metrics_add(M_GZIP_MEMO_HITS, g->memo_hits - glast.memo_hits);
	metrics_add(M_GZIP_PAGES, g->pages - glast.pages);
	metrics_add(M_GZIP_PIECES, g->pieces - glast.pieces);
	metrics_add(M_GZIP_UNCACHED, g->uncached - glast.uncached);
	metrics_add(M_ANSWER_FILES_SENT, af->sent - alast.sent);
	metrics_add(M_ANSWER_FILES_WRITTEN, af->written - alast.written);
	metrics_add(M_ANSWER_FILES_FAILED, af->failed - alast.failed);
	metrics_add(M_ANSWER_FILES_FALLBACKS, af->fallbacks - alast.fallbacks);
	dlast = *d;
	clast = *cs;
	glast = *g;
	alast = *af;
}

/* The credential of a request: "Authorization: Bearer <token>" wins over the cookie. */
static const char *
credential(const struct request *req, bool *via_cookie)
{
	const char *h = http_header(req, "authorization");

	*via_cookie = false;
	if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0) {
		h += 7;
		while (*h == ' ')
			h++;
		return h;
	}
	*via_cookie = true;
	return http_cookie(req, AUTH_COOKIE);
}

static bool
unsafe_method(enum http_method m)
{
	return m == HTTP_POST || m == HTTP_PUT || m == HTTP_PATCH || m == HTTP_DELETE;
}

/* The CSRF token a cookie request sent: the X-CSRF-Token header or the csrf_token field
 * of a form body (urlencoded or multipart). NULL when none. */
static const char *
csrf_sent(struct request *req)
{
	const char *v = http_header(req, "x-csrf-token"), *boundary;
	struct kvlist kv;
	struct mpartlist parts;

	if (v != NULL || req->content_type == NULL)
		return v;
	if (strcmp(req->content_type, "application/x-www-form-urlencoded") == 0 &&
	    urlenc_parse(req->arena, req->body, req->body_len, 1000, &kv) == PSS_OK)
		return kv_get(&kv, "csrf_token");
	if (strcmp(req->content_type, "multipart/form-data") == 0 &&
	    multipart_boundary(req->arena, req->content_type_full, &boundary) == PSS_OK &&
	    multipart_parse(req->arena, boundary, req->body, req->body_len, 1000, &parts) == PSS_OK &&
	    multipart_fields(req->arena, &parts, &kv) == PSS_OK)
		return kv_get(&kv, "csrf_token");
	return NULL;
}

/* same_origin: whether the browser says a cookie request comes from this site's own pages
 * (docs/compat.md): Fetch Metadata's "Sec-Fetch-Site: same-origin" when the browser sends it
 * (any other value, "same-site" included, is not), else an Origin equal to this request's
 * own origin (scheme and Host) or to PUBLIC_URL. A browser sets both headers itself: a page
 * of another site can neither leave them out nor forge them, so a request without either
 * (or with "Origin: null") is refused, as before, unless it carries the CSRF token. */
static bool
same_origin(const struct http_ctx *ctx)
{
	const struct request *req = ctx->req;
	const char *site = http_header(req, "sec-fetch-site");
	const char *origin = http_header(req, "origin"), *host = http_header(req, "host");
	const char *pub = ctx->app->conf->public_url;
	char own[320];

	if (site != NULL)
		return strcmp(site, "same-origin") == 0;
	if (origin == NULL || strcmp(origin, "null") == 0)
		return false;
	if (host != NULL && *host != '\0') {
		snprintf(own, sizeof(own), "%s://%s", req->https ? "https" : "http", host);
		if (strcmp(origin, own) == 0)
			return true;
	}
	return pub != NULL && *pub != '\0' && strcmp(origin, pub) == 0;
}

/* gate: resolves the session of the request (any route: public pages and lists show more to
 * a signed-in user) and enforces the route's flags before its handler runs. false when it
 * has answered: 401 unauthorized / invalid_token / token_expired, 403 forbidden /
 * csrf_failed, 503 when the database is away. */
static bool
gate(struct http_ctx *ctx, struct auth_session *se, struct auth_user *u)
{
	const struct route *rt = ctx->route;
	bool needs = (rt->flags & (ROUTE_AUTH | ROUTE_ADMIN)) != 0, via_cookie;
	const char *tok = credential(ctx->req, &via_cookie), *sent;
	enum auth_fail why = AUTH_OK;
	enum pss_err e = PSS_EAUTH;

	if (tok != NULL && *tok != '\0') {
		e = auth_authenticate(&ctx->app->svc, ctx->req->arena, tok, se, u, &why);
		if (e == PSS_OK) {
			ctx->user = u;
			ctx->session = se;
			ctx->via_cookie = via_cookie;
		} else if (e != PSS_EAUTH && needs) {
			error_from(ctx, e, NULL);
			return false;
		}
	}
	if (ctx->user != NULL && ctx->via_cookie && unsafe_method(ctx->req->method)) {
		/* the token, or a browser's word that the request comes from this site */
		if (!same_origin(ctx) && ((sent = csrf_sent(ctx->req)) == NULL || se->csrf == NULL ||
		    strlen(sent) != strlen(se->csrf) || !ct_equal(sent, se->csrf, strlen(sent)))) {
			if (needs || (rt->flags & ROUTE_CSRF)) {
				error_reply(ctx, 403, "csrf_failed",
				    "The form is missing its CSRF token or it does not match.", NULL);
				return false;
			}
			/* A public route: the cookie's identity is not used for this request. */
			ctx->user = NULL;
			ctx->session = NULL;
		}
	}
	if (needs && ctx->user == NULL) {
		if (tok == NULL || *tok == '\0')
			error_reply(ctx, 401, "unauthorized", "Authentication required.", NULL);
		else if (why == AUTH_TOKEN_EXPIRED)
			error_reply(ctx, 401, "token_expired", "The session has expired. Please log in again.", NULL);
		else
			error_reply(ctx, 401, "invalid_token", "The session token is not valid.", NULL);
		if (via_cookie && tok != NULL && *tok != '\0')
			session_cookie_clear(ctx);
		return false;
	}
	if ((rt->flags & ROUTE_ADMIN) && ctx->user->role != ROLE_ADMIN) {
		error_reply(ctx, 403, "forbidden", "This needs an administrator.", NULL);
		return false;
	}
	return true;
}

/* CORS (issue 19 item 6, docs/compat.md): off unless CORS_ORIGINS lists origins; then an
 * /api/ request whose Origin is one of them exactly gets that origin (never a wildcard) with
 * credentials allowed, and its preflight is answered here: 204 with the methods the route
 * table has for the path (404 when none). Other origins get nothing but Vary. CSRF is not
 * loosened: a cross-site cookie request still needs the token (a bearer needs none). */
#define CORS_ALLOW_HEADERS "Authorization, Content-Type, X-CSRF-Token, X-Requested-With, " \
	"X-OpenAI-API-Key"
#define CORS_EXPOSE_HEADERS "X-Total-Count, X-Request-Id, Retry-After, Content-Disposition, Location"

/* cors: 1 when it answered the request (a preflight), else 0 after adding the headers */
static int
cors(struct http_ctx *ctx)
{
	struct request *req = ctx->req;
	const char *org = http_header(req, "origin");
	enum http_method m = req->method;
	char allow[128];
	int status;

	if (ctx->app->conf->cors_origins[0] == '\0' || req->path == NULL ||
	    strncmp(req->path, "/api/", 5) != 0)
		return 0;
	resp_header(ctx->resp, "Vary", "Origin");
	if (!conf_cors_allows(ctx->app->conf->cors_origins, org))
		return 0;
	resp_header(ctx->resp, "Access-Control-Allow-Origin", org);
	resp_header(ctx->resp, "Access-Control-Allow-Credentials", "true");
	if (m != HTTP_OPTIONS || http_header(req, "access-control-request-method") == NULL) {
		resp_header(ctx->resp, "Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
		return 0;
	}
	/* no route answers OPTIONS: the match's 405 names the path's methods */
	(void)router_match(app_routes, app_nroutes, req, &status, allow, sizeof(allow));
	if (status != 405) {
		error_reply(ctx, 404, "not_found", "No such resource.", NULL);
		return 1;
	}
	resp_header(ctx->resp, "Access-Control-Allow-Methods", allow);
	resp_header(ctx->resp, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
	resp_header(ctx->resp, "Access-Control-Max-Age", "600");
	ctx->resp->status = 204;
	return 1;
}

/* serve_one: answers one request; returns the route's index in app_routes, or app_nroutes
 * when the request was not routed (for metrics). */
static unsigned
serve_one(struct app *a, struct request *req, struct response *resp, enum http_reject rej)
{
	struct http_ctx ctx = { .app = a, .req = req, .resp = resp };
	struct auth_session se;
	struct auth_user u;
	char allow[128];
	int status;
	const struct route *rt;

	if (rej != HTTP_REJECT_NONE) {
		log_warn("rejected %s: %s", req->path ? req->path : "(no path)", rejects[rej].message);
		metrics_add(M_REJECTED_REQUESTS, 1);
		error_reply(&ctx, rejects[rej].status, rejects[rej].code, rejects[rej].message, NULL);
		return (unsigned)app_nroutes;
	}
	if (cors(&ctx) == 1)
		return (unsigned)app_nroutes;
	cache_begin(a->cache);
	rt = router_match(app_routes, app_nroutes, req, &status, allow, sizeof(allow));
	if (rt == NULL) {
		if (status == 405) {
			resp_header(resp, "Allow", allow);
			error_reply(&ctx, 405, "method_not_allowed",
			    "This method is not allowed here.", NULL);
		} else
			error_reply(&ctx, 404, "not_found", "No such resource.", NULL);
		return (unsigned)app_nroutes;
	}
	ctx.route = rt;
	if ((rt->flags & ROUTE_LOOPBACK) && !is_loopback(req->remote_addr)) {
		error_reply(&ctx, 404, "not_found", "No such resource.", NULL);
		return (unsigned)app_nroutes;
	}
	if (gate(&ctx, &se, &u))
		rt->fn(&ctx);
	return (unsigned)(rt - app_routes);
}

int
main(int argc, char **argv)
{
	struct conf conf;
	struct app app;
	struct arena arena;
	struct request req;
	struct response resp;
	struct http_limits lim;
	char err[512];
	int rc;

	(void)argc;
	if (conf_load(&conf, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "psscript-fcgi: configuration error: %s\n", err);
		return 2;
	}
	log_init("psscript-fcgi", log_level_parse(conf.log_level));
	mem_keep_heap();
	signal(SIGPIPE, SIG_IGN);
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_term;	/* no SA_RESTART: accept() returns EINTR */
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGUSR1, &sa, NULL);
	}
	if ((server = http_server_open(conf.fcgi_bind[0] ? conf.fcgi_bind : NULL)) == NULL)
		return 1;
	(void)metrics_open(conf.metrics_file);
	(void)http_answer_files_init(conf.answer_files_dir, conf.answer_files_group);
	db_set_observer(metrics_query);
	app.conf = &conf;
	app.started_ms = time_wall_ms();
	app.db = db_open(&conf, true);
	app.cache = cache_open(&conf, app.db);
	app.svc.conf = &conf;
	app.svc.db = app.db;
	app.svc.cache = app.cache;
	lim.max_body = (size_t)conf.max_body_bytes;
	lim.max_upload = (size_t)conf.max_upload_bytes;
	lim.max_headers = (size_t)conf.max_headers;
	lim.large_paths = app_large_body_paths;
	lim.max_large = APP_LARGE_BODY;
	arena_init(&arena);
	resp_init(&resp);
	log_info("%s ready (pid %ld)", argv[0], (long)getpid());
	for (;;) {
		enum http_reject rej;
		int64_t t0;
		unsigned route_idx;

		arena_reset(&arena);
		resp_reset(&resp);
		log_set_request_id(NULL);
		rc = http_accept(server, &arena, &lim, &req, &rej);
		if (rc == 0)
			break;
		if (rc < 0) {
			log_warn("accept failed; continuing");
			continue;
		}
		t0 = time_mono_us();
		if (rej == HTTP_REJECT_NONE && req.answer_fallback)
			http_answer_file_gone(req.answer_name);
		http_stream_attach(server, &resp);
		log_set_request_id(req.request_id);
		route_idx = serve_one(&app, &req, &resp, rej);
		if (req.method == HTTP_HEAD)
			resp.head_only = true;
		if (resp.status >= 500)
			log_error("%s %s -> %d", http_methods[req.method < HTTP_METHOD__MAX ?
			    req.method : HTTP_GET], req.path ? req.path : "?", resp.status);
		http_send(server, &req, &resp);
		metrics_request(route_idx, resp.status, time_mono_us() - t0);
		flush_layer_stats(&app);
	}
	log_info("shutting down");
	resp_free(&resp);
	arena_free(&arena);
	cache_close(app.cache);
	db_close(app.db);
	http_server_close(server);
	metrics_close();
	conf_free(&conf);
	return 0;
}
