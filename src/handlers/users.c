/* users.c: /api/users: the administration of accounts (and a user's own record) */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "handlers/app.h"
#include "handlers/library.h"
#include "handlers/pages.h"

#define FIELD_MAX_BYTES 1024

/* The :id of the path, or 0 after answering 400. */
static int64_t
path_id(struct http_ctx *c)
{
	int64_t id;

	if (parse_int64(http_param(c->req, "id"), 1, INT32_MAX, &id) != 0) {
		field_error(c, "id", "The user id must be a positive whole number.");
		return 0;
	}
	return id;
}

static bool
is_admin(const struct http_ctx *c)
{
	return c->user->role == ROLE_ADMIN;
}

static void
one_reply(struct http_ctx *c, int status, const struct auth_user *u)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "user", users_to_json(u, true));
	json_reply(c, status, o);
}

/* Reads the members of a user body; answers 400 and returns -1 when one is not a string. */
static int
read_input(struct http_ctx *c, struct json_object *b, struct user_input *in)
{
	static const char *const names[] = { "username", "email", "password", "role" };
	const char **dst[] = { &in->username, &in->email, &in->password, &in->role };

	memset(in, 0, sizeof(*in));
	for (size_t i = 0; i < PSS_ARRAY_LEN(names); i++) {
		size_t len;
		int rc = json_field_str(b, names[i], NULL, dst[i], &len);
		char msg[96];

		if (rc < 0 || (rc == 1 && (len > FIELD_MAX_BYTES || strlen(*dst[i]) != len))) {
			snprintf(msg, sizeof(msg), "%s must be a string of at most %d bytes.",
			    names[i], FIELD_MAX_BYTES);
			field_error(c, names[i], msg);
			return -1;
		}
		if (i == 2)
			in->password_len = len;
	}
	return 0;
}

static int64_t
query_int(struct http_ctx *c, const char *name, int64_t def, int64_t max, bool *bad)
{
	const char *v = http_query(c->req, name);
	int64_t n;
	char msg[96];

	if (v == NULL || *bad)
		return def;
	if (parse_int64(v, 1, max, &n) != 0) {
		snprintf(msg, sizeof(msg), "%s must be a whole number from 1 to %lld.", name,
		    (long long)max);
		field_error(c, name, msg);
		*bad = true;
		return def;
	}
	return n;
}

/* The original frontend's users page (its January 2026 form, docs/compat.md) asks GET
 * /api/users with axios's default Accept and no parameter, and reads the answer as a bare
 * array of users with snake_case dates. Asked exactly so, it gets that array (the first
 * USERS_BARE_MAX by id; X-Total-Count says how many there are); any other request (a page or
 * limit, another Accept) gets API.md's {users, total, page, totalPages}. */
#define USERS_BARE_MAX 1000

static bool
asks_as_original(const struct http_ctx *c)
{
	return (c->req->raw_query == NULL || c->req->raw_query[0] == '\0') && req_asks_as_axios(c);
}

static void
users_bare_reply(struct http_ctx *c, const struct auth_user *items, size_t n, int64_t total)
{
	struct json_object *arr = json_object_new_array(), *u, *v;
	char count[24];

	for (size_t i = 0; i < n; i++) {
		u = users_to_json(&items[i], true);
		json_object_object_get_ex(u, "createdAt", &v);
		json_object_object_add(u, "created_at", json_object_get(v));
		json_object_object_get_ex(u, "lastLoginAt", &v);
		json_object_object_add(u, "last_login_at", json_object_get(v));
		json_object_array_add(arr, u);
	}
	snprintf(count, sizeof(count), "%lld", (long long)total);
	resp_header(c->resp, "X-Total-Count", count);
	json_reply(c, 200, arr);
}

void
h_users_list(struct http_ctx *c)
{
	bool bad = false, bare = asks_as_original(c);
	int64_t page = query_int(c, "page", 1, 1000000, &bad);
	int64_t limit = bare ? USERS_BARE_MAX : query_int(c, "limit", 20, 100, &bad);
	struct auth_user *items;
	size_t n;
	int64_t total;
	struct json_object *o, *arr;
	enum pss_err e;

	if (bad)
		return;
	if ((e = users_list(&c->app->svc, c->req->arena, page, limit, &items, &n, &total)) != PSS_OK) {
		error_from(c, e, NULL);
		return;
	}
	if (bare) {
		users_bare_reply(c, items, n, total);
		return;
	}
	o = json_object_new_object();
	arr = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, users_to_json(&items[i], true));
	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "users", arr);
	json_object_object_add(o, "total", json_object_new_int64(total));
	json_object_object_add(o, "page", json_object_new_int64(page));
	json_object_object_add(o, "totalPages", json_object_new_int64((total + limit - 1) / limit));
	json_reply(c, 200, o);
}

void
h_users_get(struct http_ctx *c)
{
	int64_t id = path_id(c);
	struct auth_user u;
	enum pss_err e;

	if (id == 0)
		return;
	if (id != c->user->id && !is_admin(c)) {
		error_reply(c, 403, "forbidden", "You may only see your own account.", NULL);
		return;
	}
	if ((e = users_get(&c->app->svc, c->req->arena, id, false, &u)) != PSS_OK) {
		error_from(c, e, "No such user.");
		return;
	}
	if (c->route->page != NULL && is_admin(c)) {
		/* the administration page also lists the locks (GET /api/users/:id/lock-events) */
		struct json_object *o = json_object_new_object(), *ev;

		if ((e = auth_lock_events(&c->app->svc, id, &ev)) != PSS_OK) {
			json_object_put(o);
			error_from(c, e, "No such user.");
			return;
		}
		json_object_object_add(o, "success", json_object_new_boolean(1));
		json_object_object_add(o, "user", users_to_json(&u, true));
		json_object_object_add(o, "lockEventsTotal",
		    json_object_new_int64((int64_t)json_object_array_length(ev)));
		json_object_object_add(o, "lockEvents", ev);
		json_reply(c, 200, o);
		return;
	}
	one_reply(c, 200, &u);
}

void
h_users_lock_events(struct http_ctx *c)
{
	int64_t id = path_id(c);
	struct json_object *events, *o;
	enum pss_err e;

	if (id == 0)
		return;
	if ((e = auth_lock_events(&c->app->svc, id, &events)) != PSS_OK) {
		error_from(c, e, "No such user.");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "events", events);
	json_reply(c, 200, o);
}

void
h_users_create(struct http_ctx *c)
{
	struct json_object *b = json_body(c);
	struct user_input in;
	struct svc_err err = { 0 };
	struct auth_user u;
	enum pss_err e;

	if (b == NULL)
		return;
	if (read_input(c, b, &in) == 0) {
		if ((e = users_create(&c->app->svc, c->req->arena, &in, &u, &err)) != PSS_OK)
			error_from_svc(c, e, &err, NULL);
		else
			one_reply(c, 201, &u);
	}
	json_object_put(b);
}

void
h_users_update(struct http_ctx *c)
{
	int64_t id = path_id(c);
	struct json_object *b;
	struct user_input in;
	struct svc_err err = { 0 };
	struct auth_user u;
	bool self = id == c->user->id;
	const char *cur = NULL;
	size_t curlen = 0;
	enum pss_err e;

	if (id == 0)
		return;
	if (!self && !is_admin(c)) {
		error_reply(c, 403, "forbidden", "You may only change your own account.", NULL);
		return;
	}
	if ((b = json_body(c)) == NULL)
		return;
	if (read_input(c, b, &in) != 0)
		goto out;
	/* Roles: only an admin changes them, and never their own. */
	if (in.role != NULL && user_role_parse(in.role) != c->user->role && (self || !is_admin(c))) {
		error_reply(c, 403, "forbidden", self ? "You cannot change your own role." :
		    "Only an administrator changes roles.", NULL);
		goto out;
	}
	if (in.role != NULL && self)
		in.role = NULL;		/* unchanged */
	/* Your own password needs the current one, as POST /api/auth/password does. */
	if (in.password != NULL && self) {
		if (json_field_str(b, "currentPassword", "current_password", &cur, &curlen) != 1) {
			field_error(c, "currentPassword", "Give the current password to set a new one.");
			goto out;
		}
		struct auth_origin o = auth_origin_of(c);
		enum auth_fail why;
		struct auth_lock lock;

		e = auth_check_password(&c->app->svc, c->req->arena, id, cur, curlen, &o, &why, &lock);
		if (e == PSS_EAUTH && why == AUTH_LOCKED) {
			auth_locked_reply(c, &lock);
			goto out;
		}
		if (e == PSS_EAUTH) {
			error_reply(c, 401, "invalid_credentials", "The current password is not right.", NULL);
			goto out;
		}
		if (e != PSS_OK) {
			error_from(c, e, NULL);
			goto out;
		}
	}
	if (in.username == NULL && in.email == NULL && in.password == NULL && in.role == NULL) {
		field_error(c, "username", "Nothing to change.");
		goto out;
	}
	e = users_update(&c->app->svc, c->req->arena, id, &in, self ? c->session->family : NULL,
	    &u, &err);
	if (e != PSS_OK)
		error_from_svc(c, e, &err, NULL);
	else
		one_reply(c, 200, &u);
out:
	json_object_put(b);
}

void
h_users_delete(struct http_ctx *c)
{
	int64_t id = path_id(c);
	enum pss_err e;

	if (id == 0)
		return;
	if (id == c->user->id) {
		error_reply(c, 403, "forbidden", "You cannot delete your own account.", NULL);
		return;
	}
	if ((e = users_delete(&c->app->svc, id)) != PSS_OK) {
		error_from(c, e, "No such user.");
		return;
	}
	ok_reply(c, "User deleted.");
}

void
h_users_reset_password(struct http_ctx *c)
{
	int64_t id = path_id(c);
	struct json_object *b;
	struct user_input in = { 0 };
	struct svc_err err = { 0 };
	struct auth_user u;
	size_t len;
	int rc;
	enum pss_err e;

	if (id == 0 || (b = json_body(c)) == NULL)
		return;
	rc = json_field_str(b, "password", "newPassword", &in.password, &len);
	if (rc != 1 || len > FIELD_MAX_BYTES || strlen(in.password) != len)
		field_error(c, "password", rc == 0 ? "The new password is required." :
		    "password must be a string of at most 1024 bytes.");
	else {
		in.password_len = len;
		e = users_update(&c->app->svc, c->req->arena, id, &in,
		    id == c->user->id ? c->session->family : NULL, &u, &err);
		if (e != PSS_OK)
			error_from_svc(c, e, &err, NULL);
		else
			one_reply(c, 200, &u);
	}
	json_object_put(b);
}
