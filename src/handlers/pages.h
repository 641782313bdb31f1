/* pages.h: the HTML pages: how replies render on a page route, and the page handlers */
#ifndef PSS_HANDLERS_PAGES_H
#define PSS_HANDLERS_PAGES_H

#include "handlers/app.h"
#include "render/page.h"

/*
 * PAGE(template, title, redirect, flash, fields, flags): the last member of a route line,
 * making it a page (render/page.h, docs/pages.md). FIELDS(...) lists a form's fields:
 *	{ HTTP_POST, "/login", 0, h_auth_login, "page.login.post",
 *	  PAGE("account/login", "Log in", "/", "Welcome back.",
 *	      FIELDS({ "login", FORM_STRING }, { "password", FORM_SECRET }), PAGE_NEXT) },
 */
#define PAGE(tmpl, title, redirect, flash, fields, flags) \
	(&(const struct page_route){ (tmpl), (title), (redirect), (flash), (fields), (flags) })
#define FIELDS(...) ((const struct form_field[]){ __VA_ARGS__, { NULL, FORM_STRING } })

/* The cookies of the pages (HttpOnly; Secure; SameSite=Lax; Path=/). */
#define PAGE_CSRF_COOKIE	"__Host-pss_csrf"	/* double-submit token of anonymous forms */
#define PAGE_FLASH_COOKIE	"__Host-pss_flash"	/* the message after a redirect, shown once */

/* Used by reply.c. */
/* page_active: true when replies to this request are HTML: a page route, or a path outside
 * /api and /metrics that no route matched (its 404 and 405 are pages too). */
bool	 page_active(const struct http_ctx *);
/* page_reply: json_reply on a page: renders the route's template with the view (owned)
 * and the site context, or after a successful unsafe request redirects (303) with a flash. */
void	 page_reply(struct http_ctx *, int status, struct json_object *view);
/* page_error: error_reply on a page: a failed form is rendered again with the message and
 * the values sent (not the secrets); a GET that needs a login goes to /login; anything else
 * is the error page in the layout. details is owned. */
void	 page_error(struct http_ctx *, int status, const char *code, const char *message,
	struct json_object *details);
/* page_form_body: json_body on a page route with a form body: the form decoded by the
 * route's field list; anonymous requests must carry the double-submit CSRF token. NULL after
 * replying (400, 403). */
struct json_object *page_form_body(struct http_ctx *);

/* page_shared: v (a string the view holds) is the same for every viewer and request, and
 * the handler keeps it across requests (a memoised fragment): where the page writes it
 * unescaped, a client that accepts gzip gets it as a piece compressed alone, once per
 * process, and the rest of the page in stored blocks (docs/security.md, "Compressed pages").
 * Never for a string with a secret or a request's own text in it. page_piece: v is made for
 * this response and holds no secret (the analysis and source of /analyze, from the text the
 * request posted, and that text echoed in its forms; a fragment the memo did not keep; a
 * document rendered): the same, compressed for this response alone at the fastest level,
 * and where the page writes it escaped too (the piece is then made of the escaped bytes).
 * Each registration stands for one writing: a string written twice is registered twice.
 * The view must still hold v when the page is sent (an error page drops the registrations).
 * At most four of either a page. */
void	 page_shared(struct http_ctx *, struct json_object *v);
void	 page_piece(struct http_ctx *, struct json_object *v);

/* Page handlers (pages-account.c, pages-admin.c). */
void	 h_page_form(struct http_ctx *);	/* an empty view: the page is a form */
void	 h_dashboard(struct http_ctx *);
void	 h_auth_sessions(struct http_ctx *);
void	 h_auth_sessions_revoke(struct http_ctx *);
void	 h_users_unlock(struct http_ctx *);

/* The library's pages (pages-library.c, routes.c, docs/pages.md). */
void	 h_page_scripts(struct http_ctx *);
void	 h_page_category(struct http_ctx *);
void	 h_page_tag(struct http_ctx *);
void	 h_page_script(struct http_ctx *);
void	 h_page_version(struct http_ctx *);
void	 h_page_versions(struct http_ctx *);
void	 h_page_script_new(struct http_ctx *);
void	 h_page_script_create(struct http_ctx *);
void	 h_page_script_edit(struct http_ctx *);
void	 h_page_script_update(struct http_ctx *);
void	 h_page_script_delete(struct http_ctx *);
void	 h_page_script_revert(struct http_ctx *);
void	 h_page_script_upload(struct http_ctx *);
void	 h_page_script_analyze(struct http_ctx *);
void	 h_page_analyze_form(struct http_ctx *);
void	 h_page_analyze(struct http_ctx *);
void	 h_page_upload_batch(struct http_ctx *);
void	 h_page_category_create(struct http_ctx *);
void	 h_page_category_update(struct http_ctx *);

/* The chat's pages (pages-chat.c, services/chat.h, docs/pages.md). */
void	 h_page_chat(struct http_ctx *);
void	 h_page_chat_show(struct http_ctx *);
void	 h_page_chat_ask(struct http_ctx *);
void	 h_page_chat_delete(struct http_ctx *);
void	 h_page_chat_delete_all(struct http_ctx *);

/* Analytics and operations (analytics.c, docs/analytics.md): the API, the pages, and the
 * dashboard's summary (view.analytics for a signed-in user; nothing on failure). */
void	 h_analytics_security(struct http_ctx *);
void	 h_analytics_usage(struct http_ctx *);
void	 h_analytics_categories(struct http_ctx *);
void	 h_analytics_summary(struct http_ctx *);
void	 h_page_analytics(struct http_ctx *);
void	 h_page_analytics_rule(struct http_ctx *);
void	 h_page_operations(struct http_ctx *);
void	 dashboard_analytics(struct http_ctx *, struct json_object *view);

#endif
