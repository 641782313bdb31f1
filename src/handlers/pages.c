/* pages.c: how the handlers' replies become pages: the site context of the layout, rendering,
 * post/redirect/get with flash messages, error pages, forms and their CSRF tokens */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/pages.h"
#include "render/escape.h"

#define FLASH_MAX_BYTES 300
#define COOKIE_ATTRS "; Path=/; HttpOnly; Secure; SameSite=Lax"

/* The navigation of the layout: who sees which entry. */
static const struct {
	const char	*href;
	const char	*label;
	unsigned	 need;		/* ROUTE_AUTH, ROUTE_ADMIN or 0 */
} nav[] = {
	{ "/", "Dashboard", 0 },
	{ "/scripts", "Scripts", 0 },
	{ "/analyze", "Analyse", 0 },
	{ "/categories", "Categories", 0 },
	{ "/tags", "Tags", 0 },
	{ "/docs", "Docs", 0 },
	{ "/chat", "Chat", ROUTE_AUTH },
	{ "/analytics", "Analytics", ROUTE_AUTH },
	{ "/account", "Account", ROUTE_AUTH },
	{ "/admin/users", "Users", ROUTE_ADMIN },
	{ "/admin/categories", "Manage categories", ROUTE_ADMIN },
	{ "/admin/docs", "Manage docs", ROUTE_ADMIN },
	{ "/admin/operations", "Operations", ROUTE_ADMIN },
};

static bool
unsafe(const struct http_ctx *c)
{
	enum http_method m = c->req->method;

	return m == HTTP_POST || m == HTTP_PUT || m == HTTP_PATCH || m == HTTP_DELETE;
}

static bool
path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

bool
page_active(const struct http_ctx *c)
{
	const char *p = c->req->path;

	if (c->route != NULL)
		return c->route->page != NULL;
	return p != NULL && !path_under(p, "/api") && !path_under(p, "/metrics");
}

static void
set_cookie(struct http_ctx *c, const char *name, const char *value, int64_t max_age)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s=%s%s", name, value, COOKIE_ATTRS);
	if (max_age >= 0)
		buf_printf(&b, "; Max-Age=%lld", (long long)max_age);
	resp_header(c->resp, "Set-Cookie", buf_cstr(&b));
	buf_free(&b);
}

/* The double-submit token of a visitor without a session: the cookie's, or a new one (then
 * the cookie is set; it lasts for the browser session). */
static const char *
anon_csrf(struct http_ctx *c)
{
	const char *v = http_cookie(c->req, PAGE_CSRF_COOKIE);
	char *t;

	if (auth_token_valid(v))
		return v;
	t = arena_alloc(c->req->arena, AUTH_TOKEN_LEN + 1);
	rand_hex(t, AUTH_TOKEN_LEN / 2);
	set_cookie(c, PAGE_CSRF_COOKIE, t, -1);
	return t;
}

static bool
anon_csrf_ok(const struct http_ctx *c, const char *sent)
{
	const char *v = http_cookie(c->req, PAGE_CSRF_COOKIE);

	return sent != NULL && auth_token_valid(v) && strlen(sent) == AUTH_TOKEN_LEN &&
	    ct_equal(sent, v, AUTH_TOKEN_LEN);
}

/* The flash message of the previous response (shown once: the cookie is cleared). */
static const char *
flash_take(struct http_ctx *c)
{
	const char *v = http_cookie(c->req, PAGE_FLASH_COOKIE);
	char *out;
	size_t n;

	if (v == NULL)
		return NULL;
	set_cookie(c, PAGE_FLASH_COOKIE, "", 0);
	n = strlen(v);
	if (n == 0 || n > FLASH_MAX_BYTES * 3)
		return NULL;
	out = arena_alloc(c->req->arena, n + 1);
	if (urlenc_decode(out, v, n, 0, &n) != PSS_OK || !utf8_valid(out, n) ||
	    memchr(out, '\0', n) != NULL)
		return NULL;
	out[n] = '\0';
	return out;
}

static void
flash_set(struct http_ctx *c, const char *message)
{
	struct buf b = BUF_INIT;

	esc_url_arg(&b, message, strnlen(message, FLASH_MAX_BYTES));
	set_cookie(c, PAGE_FLASH_COOKIE, buf_cstr(&b), 60);
	buf_free(&b);
}

/* The current path and query, for "next" after a login. */
static const char *
here(const struct http_ctx *c)
{
	if (c->req->raw_query != NULL && *c->req->raw_query != '\0')
		return arena_printf(c->req->arena, "%s?%s", c->req->path, c->req->raw_query);
	return c->req->path;
}

/* site.pager for a list view with page and totalPages: links that keep the other query
 * arguments. */
static struct json_object *
pager(const struct http_ctx *c, struct json_object *view)
{
	struct json_object *p, *t, *o;
	int64_t page, pages;

	if (view == NULL || !json_object_object_get_ex(view, "page", &p) ||
	    !json_object_object_get_ex(view, "totalPages", &t) ||
	    !json_object_is_type(p, json_type_int) || !json_object_is_type(t, json_type_int))
		return NULL;
	page = json_object_get_int64(p);
	pages = json_object_get_int64(t);
	if (pages <= 1)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "page", json_object_new_int64(page));
	json_object_object_add(o, "totalPages", json_object_new_int64(pages));
	for (int dir = -1; dir <= 1; dir += 2) {
		struct buf b = BUF_INIT;
		int64_t to = page + dir;

		if (to < 1 || to > pages)
			continue;
		buf_puts(&b, c->req->path);
		buf_putc(&b, '?');
		for (size_t i = 0; i < c->req->query.n; i++) {
			const struct kv *kv = &c->req->query.items[i];

			if (strcmp(kv->key, "page") == 0)
				continue;
			esc_url_arg(&b, kv->key, strlen(kv->key));
			buf_putc(&b, '=');
			esc_url_arg(&b, kv->val, kv->val_len);
			buf_putc(&b, '&');
		}
		buf_printf(&b, "page=%lld", (long long)to);
		json_object_object_add(o, dir < 0 ? "prevHref" : "nextHref",
		    json_object_new_string(buf_cstr(&b)));
		buf_free(&b);
	}
	return o;
}

/* The "site" member every template gets: title, user, CSRF token, flash, navigation,
 * asset URLs, the path's parameters. */
/* A path no route matched ran no session gate: the cookie's user, for the layout only. */
static void
unrouted_user(struct http_ctx *c)
{
	const char *tok = http_cookie(c->req, AUTH_COOKIE);
	struct auth_session *se;
	struct auth_user *u;
	enum auth_fail why;

	if (c->route != NULL || c->user != NULL || tok == NULL || c->app->db == NULL)
		return;
	se = arena_alloc(c->req->arena, sizeof(*se));
	u = arena_alloc(c->req->arena, sizeof(*u));
	if (auth_authenticate(&c->app->svc, c->req->arena, tok, se, u, &why) == PSS_OK) {
		c->user = u;
		c->session = se;
		c->via_cookie = true;
	}
}

static struct json_object *
site_context(struct http_ctx *c, const char *title, int status, struct json_object *view)
{
	struct json_object *o = json_object_new_object(), *navs = json_object_new_array();
	struct json_object *params = json_object_new_object(), *pg;
	const char *flash = flash_take(c), *next = http_query(c->req, "next");
	const char *path = c->req->path != NULL ? c->req->path : "/";

	unrouted_user(c);
	json_object_object_add(o, "title", json_object_new_string(title));
	json_object_object_add(o, "status", json_object_new_int(status));
	json_object_object_add(o, "requestId", json_object_new_string(c->req->request_id ?
	    c->req->request_id : ""));
	json_object_object_add(o, "path", json_object_new_string(path));
	if (c->user != NULL) {
		struct json_object *u = json_object_new_object();

		json_object_object_add(u, "id", json_object_new_int64(c->user->id));
		json_object_object_add(u, "username", json_object_new_string(c->user->username));
		json_object_object_add(u, "role", json_object_new_string(user_roles[c->user->role]));
		json_object_object_add(u, "isAdmin", json_object_new_boolean(c->user->role == ROLE_ADMIN));
		json_object_object_add(o, "user", u);
	}
	json_object_object_add(o, "csrfToken", json_object_new_string(c->session != NULL &&
	    c->session->csrf != NULL ? c->session->csrf : anon_csrf(c)));
	if (flash != NULL)
		json_object_object_add(o, "flash", json_object_new_string(flash));
	for (size_t i = 0; i < PSS_ARRAY_LEN(nav); i++) {
		struct json_object *n;

		if ((nav[i].need & ROUTE_AUTH) && c->user == NULL)
			continue;
		if ((nav[i].need & ROUTE_ADMIN) && (c->user == NULL || c->user->role != ROLE_ADMIN))
			continue;
		n = json_object_new_object();
		json_object_object_add(n, "href", json_object_new_string(nav[i].href));
		json_object_object_add(n, "label", json_object_new_string(nav[i].label));
		json_object_object_add(n, "current", json_object_new_boolean(strcmp(nav[i].href, "/") == 0 ?
		    strcmp(path, "/") == 0 : path_under(path, nav[i].href)));
		json_object_array_add(navs, n);
	}
	json_object_object_add(o, "nav", navs);
	json_object_object_add(o, "assets", page_assets());
	for (size_t i = 0; i < c->req->nparams; i++)
		json_object_object_add(params, c->req->param_names[i],
		    json_object_new_string(c->req->param_values[i]));
	json_object_object_add(o, "params", params);
	if (page_local_path(next))
		json_object_object_add(o, "next", json_object_new_string(next));
	if ((pg = pager(c, view)) != NULL)
		json_object_object_add(o, "pager", pg);
	return o;
}

/* When the templates cannot be used: a bare page, never JSON. */
static void
bare_page(struct http_ctx *c, int status, const char *message)
{
	struct buf *b = &c->resp->body;

	buf_reset(b);
	buf_printf(b, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head>"
	    "<meta charset=\"utf-8\" /><title>%d %s</title></head><body><main><h1>%d %s</h1><p>",
	    status, http_status_text(status), status, http_status_text(status));
	esc_html(b, message, strlen(message));
	buf_puts(b, "</p><p><a href=\"/\">Home</a></p></main></body></html>\n");
	c->resp->status = status;
	c->resp->content_type = "text/html; charset=utf-8";
}

static void
add_piece(struct http_ctx *c, struct json_object *v, int level)
{
	if (c->nshared < PSS_ARRAY_LEN(c->shared)) {
		c->shared_level[c->nshared] = (unsigned char)level;
		c->shared[c->nshared++] = v;
	}
}

void
page_shared(struct http_ctx *c, struct json_object *v)
{
	add_piece(c, v, HTTP_GZIP_LEVEL_KEPT);
}

void
page_piece(struct http_ctx *c, struct json_object *v)
{
	add_piece(c, v, HTTP_GZIP_LEVEL_ONCE);
}

static void
piece_free(struct json_object *o, void *pc)
{
	(void)o;
	http_gz_piece_free(pc);
	free(pc);
}

/* piece_of: the compressed piece of a string (at level), made on its first use and kept as
 * its userdata: freed with it, so a piece never outlives or mismatches the bytes it was made
 * from (the string is immutable). NULL when zlib fails. */
static const struct http_gz_piece *
piece_of(struct json_object *v, int level)
{
	struct http_gz_piece *pc = json_object_get_userdata(v);

	if (pc != NULL)
		return pc;
	pc = xmalloc(sizeof(*pc));
	if (!http_gz_piece_make(pc, json_object_get_string(v), (size_t)json_object_get_string_len(v),
	    level)) {
		free(pc);
		return NULL;
	}
	json_object_set_userdata(v, pc, piece_free);
	return pc;
}

/*
 * span_piece: the piece of span i of the page: a string written as it is, from its string
 * (piece_of: a kept one made once a process); a page_piece string written escaped, from the
 * page's own bytes there, into *made (the caller frees it). NULL: that span goes stored (a
 * page_shared string written escaped would be compressed on every request: it is not kept,
 * so it is left; zlib failed).
 */
static const struct http_gz_piece *
span_piece(struct http_ctx *c, const struct mus_span *sp, size_t i, struct http_gz_piece *made)
{
	const struct http_gz_piece *pc;

	if (!sp->found)
		return NULL;
	if (sp->escaped)
		return c->shared_level[i] == HTTP_GZIP_LEVEL_ONCE &&
		    http_gz_piece_make(made, c->resp->body.data + sp->off, sp->len,
		    HTTP_GZIP_LEVEL_ONCE) ? made : NULL;
	pc = piece_of(c->shared[i], c->shared_level[i]);
	return pc != NULL && pc->len == sp->len ? pc : NULL;
}

/*
 * page_gzip: the rendered page gzip-encoded when a piece's string (page_shared, page_piece)
 * is on it and the client accepts gzip (Vary: Accept-Encoding then): each such string as its
 * piece, every other byte stored. The encoding is written into a buffer of the process's that then
 * trades places with the body: once both have grown, no allocation a request.
 */
static void
page_gzip(struct http_ctx *c, const struct mus_spans *sp)
{
	static struct buf gz;
	struct http_gz_span v[MUS_SPANS_MAX];
	struct http_gz_piece made[MUS_SPANS_MAX] = { 0 };
	struct buf t;
	size_t n = 0;

	for (size_t i = 0; i < sp->n; i++)
		if (sp->v[i].found)
			n++;
	if (n == 0 || !http_gzip_accepted(c->resp, c->req))
		return;
	n = 0;
	for (size_t i = 0; i < sp->n; i++) {
		const struct http_gz_piece *pc;
		size_t j;

		if ((pc = span_piece(c, &sp->v[i], i, &made[i])) == NULL)
			continue;
		for (j = n; j > 0 && v[j - 1].off > sp->v[i].off; j--)	/* in the page's order */
			v[j] = v[j - 1];
		v[j].off = sp->v[i].off;
		v[j].piece = pc;
		n++;
	}
	if (n > 0) {
		buf_reset(&gz);
		http_gz_assemble(&gz, c->resp->body.data, c->resp->body.len, v, n);
		t = c->resp->body;
		c->resp->body = gz;
		gz = t;
		resp_header(c->resp, "Content-Encoding", "gzip");
	}
	for (size_t i = 0; i < sp->n; i++)
		http_gz_piece_free(&made[i]);
}

/* Renders tmpl with view (owned) plus the site context. */
static void
render(struct http_ctx *c, int status, const char *tmpl, const char *title,
    struct json_object *view)
{
	struct mus_error err = { 0 };
	struct mus_spans spans = { 0 };
	enum pss_err e;

	if (view == NULL || !json_object_is_type(view, json_type_object)) {
		json_object_put(view);
		view = json_object_new_object();
	}
	if (c->page_extra != NULL) {	/* what the page handler added (app.h) */
		json_object_object_foreach(c->page_extra, k, v) {
			if (!json_object_object_get_ex(view, k, NULL))
				json_object_object_add(view, k, json_object_get(v));
		}
	}
	e = page_setup(c->app->conf->data_dir, conf_is_dev(c->app->conf), &err);
	json_object_object_add(view, "site", site_context(c, title, status, view));
	buf_reset(&c->resp->body);
	for (size_t i = 0; i < c->nshared; i++)	/* spans.v[i] is shared[i] */
		spans.v[spans.n++].value = c->shared[i];
	if (e == PSS_OK)
		e = page_render(tmpl, view, &spans, &c->resp->body, &err);
	if (e != PSS_OK) {
		json_object_put(view);
		log_error("page %s: %s", tmpl, e == PSS_ENOTFOUND ? "no such template" : err.msg);
		bare_page(c, 500, "The page could not be shown.");
		return;
	}
	c->resp->status = status;
	c->resp->content_type = "text/html; charset=utf-8";
	page_gzip(c, &spans);	/* while the view holds the shared strings */
	json_object_put(view);
}

/* A ":name" of a redirect that is not a path parameter: the view's member name ("a.b" walks
 * objects), a string or a number; NULL when it has none. */
static const char *
view_member(struct http_ctx *c, struct json_object *view, const char *name)
{
	struct json_object *o = view;

	for (const char *p = name; o != NULL && *p; ) {
		size_t n = strcspn(p, ".");
		char *k = arena_strndup(c->req->arena, p, n);

		if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, k, &o))
			return NULL;
		p += n + (p[n] == '.');
	}
	if (o == NULL || !(json_object_is_type(o, json_type_string) || json_object_is_type(o, json_type_int)))
		return NULL;
	return arena_strdup(c->req->arena, json_object_get_string(o));
}

/* The redirect of a successful form: the route's target with its :params filled in (from the
 * path, else from the view: "/scripts/:script.id" after a create), or the form's "next" when
 * the route allows it and it is a path of this site. */
static void
redirect_after(struct http_ctx *c, const struct page_route *pr, struct json_object *view)
{
	struct buf b = BUF_INIT;
	const char *to = pr->redirect != NULL ? pr->redirect : c->req->path, *next = NULL;

	if ((pr->flags & PAGE_NEXT) && page_is_form(c->req)) {
		struct json_object *f, *v;
		const char *csrf, *bad;

		if (form_decode(c->req->arena, c->req, NULL, true, &f, &csrf, &bad) == PSS_OK) {
			if (json_object_object_get_ex(f, "next", &v) &&
			    page_local_path(json_object_get_string(v)))
				next = arena_strdup(c->req->arena, json_object_get_string(v));
			json_object_put(f);
		}
	}
	if (next != NULL)
		buf_puts(&b, next);
	else
		for (const char *p = to; *p; ) {
			if (*p == ':' && (p == to || p[-1] == '/')) {
				size_t n = strcspn(p + 1, "/");
				char *name = arena_strndup(c->req->arena, p + 1, n);
				const char *v = http_param(c->req, name);

				if (v == NULL)
					v = view_member(c, view, name);
				if (v != NULL)
					esc_url_arg(&b, v, strlen(v));
				p += 1 + n;
			} else
				buf_putc(&b, *p++);
		}
	if (pr->flash != NULL)
		flash_set(c, pr->flash);
	resp_header(c->resp, "Location", buf_cstr(&b));
	buf_reset(&c->resp->body);
	c->resp->status = 303;
	c->resp->content_type = "text/html; charset=utf-8";
	buf_free(&b);
}

static void error_page(struct http_ctx *, int, const char *, const char *, struct json_object *,
	struct json_object *);

void
page_reply(struct http_ctx *c, int status, struct json_object *view)
{
	const struct page_route *pr = c->route != NULL ? c->route->page : NULL;
	struct json_object *code, *msg;

	if (pr != NULL && unsafe(c) && status < 300 && !(pr->flags & PAGE_RESULT)) {
		redirect_after(c, pr, view);
		json_object_put(view);
		return;
	}
	if (status >= 400 && view != NULL && json_object_object_get_ex(view, "error", &code) &&
	    json_object_is_type(code, json_type_string) && json_object_object_get_ex(view, "message", &msg)) {
		/* an error envelope with a member more (409 duplicate_file with existingScriptId):
		 * the error page or the form again, as error_reply's, keeping that member */
		code = json_object_get(code);
		msg = json_object_get(msg);
		json_object_object_del(view, "success");
		json_object_object_del(view, "error");
		json_object_object_del(view, "message");
		json_object_object_del(view, "requestId");
		error_page(c, status, json_object_get_string(code), json_object_get_string(msg), NULL, view);
		json_object_put(code);
		json_object_put(msg);
		return;
	}
	render(c, status, pr != NULL && pr->template != NULL ? pr->template : "errors/error",
	    pr != NULL && pr->title != NULL ? pr->title : "PSScript", view);
}

static const char *
status_title(int status)
{
	switch (status) {
	case 400: return "The request could not be used";
	case 401: return "Please log in";
	case 403: return "Not allowed";
	case 404: return "Page not found";
	case 405: return "Method not allowed";
	case 409: return "Conflict";
	case 413: return "Too large";
	case 423: return "Account locked";
	case 429: return "Too many requests";
	case 503: return "Temporarily unavailable";
	default: return status >= 500 ? "Something went wrong" : http_status_text(status);
	}
}

/* The error object of a template: {status, code, message, title, details, fields: {name:
 * message}}. details is owned. */
static struct json_object *
error_object(int status, const char *code, const char *message, struct json_object *details)
{
	struct json_object *e = json_object_new_object(), *fields = json_object_new_object();

	json_object_object_add(e, "status", json_object_new_int(status));
	json_object_object_add(e, "code", json_object_new_string(code));
	json_object_object_add(e, "message", json_object_new_string(message));
	json_object_object_add(e, "title", json_object_new_string(status_title(status)));
	if (details != NULL && json_object_is_type(details, json_type_array))
		for (size_t i = 0; i < json_object_array_length(details); i++) {
			struct json_object *d = json_object_array_get_idx(details, i), *f, *m;

			if (json_object_object_get_ex(d, "field", &f) &&
			    json_object_object_get_ex(d, "message", &m))
				json_object_object_add(fields, json_object_get_string(f), json_object_get(m));
		}
	json_object_object_add(e, "fields", fields);
	if (details != NULL)
		json_object_object_add(e, "details", details);
	return e;
}

void
page_error(struct http_ctx *c, int status, const char *code, const char *message,
    struct json_object *details)
{
	error_page(c, status, code, message, details, json_object_new_object());
}

/* page_error with the view (owned) to add the error to. */
static void
error_page(struct http_ctx *c, int status, const char *code, const char *message,
    struct json_object *details, struct json_object *view)
{
	const struct page_route *pr = c->route != NULL ? c->route->page : NULL;

	c->nshared = 0;	/* the handler's pieces were in the view it let go (page_piece) */
	if (status == 401 && !unsafe(c) && strcmp(code, "invalid_credentials") != 0) {
		/* a page that needs a login: go there, and come back after, when here is a path
		 * the login page takes back (page_local_path: a bounded one, so the Location
		 * stays within nginx's header buffer; a longer one is refused there anyway) */
		struct buf b = BUF_INIT;
		const char *h = here(c);

		json_object_put(details);
		json_object_put(view);
		buf_puts(&b, "/login");
		if (page_local_path(h)) {
			buf_puts(&b, "?next=");
			esc_url_arg(&b, h, strlen(h));
		}
		resp_header(c->resp, "Location", buf_cstr(&b));
		buf_free(&b);
		buf_reset(&c->resp->body);
		c->resp->status = 303;
		c->resp->content_type = "text/html; charset=utf-8";
		return;
	}
	json_object_object_add(view, "error", error_object(status, code, message, details));
	if (pr != NULL && pr->template != NULL && unsafe(c) && status >= 400 && status < 500 &&
	    status != 403 && status != 404 && status != 405) {
		/* the form again, with the message and what was typed (never the secrets) */
		struct json_object *form = NULL;
		const char *csrf, *bad;

		if (form_decode(c->req->arena, c->req, pr->fields, true, &form, &csrf, &bad) == PSS_OK)
			json_object_object_add(view, "form", form);
		render(c, status, pr->template, pr->title != NULL ? pr->title : status_title(status), view);
		return;
	}
	render(c, status, "errors/error", status_title(status), view);
}

struct json_object *
page_form_body(struct http_ctx *c)
{
	const struct page_route *pr = c->route->page;
	struct json_object *o;
	const char *csrf, *bad;

	if (form_decode(c->req->arena, c->req, pr->fields, false, &o, &csrf, &bad) != PSS_OK) {
		if (bad != NULL)
			field_error(c, bad, "Give a whole number here.");
		else
			error_reply(c, 400, "validation_error", "The form could not be read.", NULL);
		return NULL;
	}
	if (c->user == NULL && !anon_csrf_ok(c, csrf)) {
		json_object_put(o);
		error_reply(c, 403, "csrf_failed",
		    "The form had expired or came from another site. Please try again.", NULL);
		return NULL;
	}
	return o;
}
