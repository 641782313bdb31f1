/* pages-account.c: the dashboard, the form pages, and a user's own logins (sessions) */
#include "config.h"

#include <string.h>

#include "handlers/library.h"
#include "handlers/pages.h"

#define DASHBOARD_ITEMS 5

void
h_page_form(struct http_ctx *c)
{
	json_reply(c, 200, json_object_new_object());
}

/* A page of scripts for the dashboard through the library's cached view builder: its items go
 * to view[name], its total to *total. -1 after the builder has answered an error. */
static int
dashboard_list(struct http_ctx *c, bool mine, struct json_object *view, const char *name,
    int64_t *total)
{
	struct script_filter f;
	struct json_object *out, *items, *t;

	library_filter_init(&f, false);
	f.mine = mine;
	f.limit = DASHBOARD_ITEMS;
	if (view_list_with(c, &f, false, &out) != 0)
		return -1;
	if (json_object_object_get_ex(out, "scripts", &items))
		json_object_object_add(view, name, json_object_get(items));
	*total = json_object_object_get_ex(out, "total", &t) ? json_object_get_int64(t) : 0;
	json_object_put(out);
	return 0;
}

/*
 * GET /: counts, the latest scripts the viewer may see and, signed in, their own, from the
 * library's view builders (and so its cache).
 * {counts: {scripts, mine, categories}, recent: [summary], mine: [summary]}
 */
void
h_dashboard(struct http_ctx *c)
{
	struct json_object *view = json_object_new_object(), *counts = json_object_new_object();
	struct json_object *cats = NULL, *arr;
	int64_t total = 0, mine = 0;

	json_object_object_add(view, "counts", counts);
	if (dashboard_list(c, false, view, "recent", &total) != 0 ||
	    (c->user != NULL && dashboard_list(c, true, view, "mine", &mine) != 0) ||
	    view_categories_list(c, &cats) != 0) {
		json_object_put(view);
		return;
	}
	json_object_object_add(counts, "scripts", json_object_new_int64(total));
	json_object_object_add(counts, "mine", json_object_new_int64(mine));
	json_object_object_add(counts, "categories", json_object_new_int64(
	    json_object_object_get_ex(cats, "categories", &arr) ? (int64_t)json_object_array_length(arr) : 0));
	json_object_put(cats);
	dashboard_analytics(c, view);
	json_reply(c, 200, view);
}

/*
 * GET /api/auth/sessions and the page /account: {success, user, sessions: [{id, createdAt,
 * expiresAt, ipAddress, userAgent, current}]}: the caller's live logins.
 */
void
h_auth_sessions(struct http_ctx *c)
{
	struct json_object *list, *o;
	enum pss_err e;

	if ((e = auth_sessions_list(&c->app->svc, c->user->id, c->session->family, &list)) != PSS_OK) {
		error_from(c, e, NULL);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "user", users_to_json(c->user, false));
	json_object_object_add(o, "sessions", list);
	json_reply(c, 200, o);
}

/*
 * DELETE /api/auth/sessions/:id and POST /account/sessions/:id/revoke: ends one of the
 * caller's logins (the current one too: then the cookie is cleared, as at logout).
 */
void
h_auth_sessions_revoke(struct http_ctx *c)
{
	const char *id = http_param(c->req, "id");
	bool current = id != NULL && strcmp(id, c->session->family) == 0;
	enum pss_err e = auth_revoke_login(&c->app->svc, c->user->id, id);

	if (e != PSS_OK) {
		error_from(c, e, "No such session.");
		return;
	}
	if (current)
		session_cookie_clear(c);
	ok_reply(c, current ? "Logged out." : "The session was signed out.");
}
