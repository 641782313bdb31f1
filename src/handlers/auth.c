/* auth.c: /api/auth: register, login, refresh, logout, me, profile, password */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "handlers/app.h"
#include "handlers/library.h"

#define LOGIN_MAX_BYTES		254	/* the longest email */
#define PASSWORD_MAX_BYTES	1024	/* 128 characters of up to 4 bytes, with room */

struct auth_origin
auth_origin_of(struct http_ctx *c)
{
	const char *dev = http_header(c->req, "x-device-token");
	struct auth_origin o = { c->req->remote_addr, http_header(c->req, "user-agent"),
		dev != NULL ? dev : http_cookie(c->req, AUTH_DEVICE_COOKIE) };

	return o;
}

void
auth_locked_reply(struct http_ctx *c, const struct auth_lock *lock)
{
	struct json_object *d = json_object_new_object();
	char ra[24];

	json_object_object_add(d, "lockoutRemaining", json_object_new_int64(lock->remaining_s));
	json_object_object_add(d, "lockScope", json_object_new_string(lock->device ? "device" : "account"));
	snprintf(ra, sizeof(ra), "%lld", (long long)lock->remaining_s);
	resp_header(c->resp, "Retry-After", ra);
	error_reply(c, 423, "account_locked", lock->device ?
	    "Too many failed attempts from this device: it is locked for a while." :
	    "Too many failed logins: the account is locked for a while.", d);
}

void
session_cookie_set(struct http_ctx *c, const struct auth_tokens *t)
{
	char v[256];

	snprintf(v, sizeof(v), AUTH_COOKIE "=%s; Path=/; Max-Age=%lld; HttpOnly; Secure; SameSite=Lax",
	    t->access, (long long)t->access_ttl_s);
	resp_header(c->resp, "Set-Cookie", v);
}

void
session_cookie_clear(struct http_ctx *c)
{
	resp_header(c->resp, "Set-Cookie",
	    AUTH_COOKIE "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax");
}

/* {success, token, refreshToken, csrfToken, expiresIn, refreshExpiresIn, user, deviceToken
 * (when one was issued)}, and the cookies for the pages. */
static void
tokens_reply(struct http_ctx *c, int status, const struct auth_tokens *t,
    const struct auth_user *u, bool cookie)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "token", json_object_new_string(t->access));
	json_object_object_add(o, "refreshToken", json_object_new_string(t->refresh));
	json_object_object_add(o, "csrfToken", json_object_new_string(t->csrf));
	json_object_object_add(o, "expiresIn", json_object_new_int64(t->access_ttl_s));
	json_object_object_add(o, "refreshExpiresIn", json_object_new_int64(t->refresh_ttl_s));
	json_object_object_add(o, "user", users_to_json(u, false));
	if (t->device[0] != '\0')
		json_object_object_add(o, "deviceToken", json_object_new_string(t->device));
	if (cookie)
		session_cookie_set(c, t);
	if (cookie && t->device[0] != '\0') {
		char v[AUTH_DEVICE_TOKEN_MAX + 128];

		snprintf(v, sizeof(v), AUTH_DEVICE_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; Secure; "
		    "SameSite=Strict", t->device, AUTH_DEVICE_TTL_S);
		resp_header(c->resp, "Set-Cookie", v);
	}
	json_reply(c, status, o);
}

static void
user_reply(struct http_ctx *c, const struct auth_user *u)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "user", users_to_json(u, false));
	json_reply(c, 200, o);
}

/* A required or optional string member; answers 400 and returns -1 when it is not a string
 * (or is required and absent), or longer than max bytes, or holds a NUL. */
static int
field(struct http_ctx *c, struct json_object *b, const char *name, const char *alias,
    bool required, size_t max, const char **out, size_t *len)
{
	char msg[128];
	size_t n;
	int rc = json_field_str(b, name, alias, out, &n);

	if (len != NULL)
		*len = n;
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "%s must be a string.", name);
		field_error(c, name, msg);
		return -1;
	}
	if (rc == 0 && required) {
		snprintf(msg, sizeof(msg), "%s is required.", name);
		field_error(c, name, msg);
		return -1;
	}
	if (rc == 1 && (n > max || strlen(*out) != n)) {
		snprintf(msg, sizeof(msg), "%s is too long or holds a NUL character.", name);
		field_error(c, name, msg);
		return -1;
	}
	return 0;
}

void
h_auth_register(struct http_ctx *c)
{
	struct json_object *b = json_body(c);
	struct user_input in = { 0 };
	struct svc_err err = { 0 };
	struct auth_tokens t;
	struct auth_user u;
	struct auth_origin o = auth_origin_of(c);
	enum pss_err e;

	if (b == NULL)
		return;
	if (field(c, b, "username", NULL, true, 1024, &in.username, NULL) == 0 &&
	    field(c, b, "email", NULL, true, 1024, &in.email, NULL) == 0 &&
	    field(c, b, "password", NULL, true, PASSWORD_MAX_BYTES, &in.password, &in.password_len) == 0) {
		if ((e = auth_register(&c->app->svc, c->req->arena, &in, &o, &t, &u, &err)) != PSS_OK)
			error_from_svc(c, e, &err, NULL);
		else
			tokens_reply(c, 201, &t, &u, true);
	}
	json_object_put(b);
}

void
h_auth_login(struct http_ctx *c)
{
	struct json_object *b = json_body(c);
	const char *login = NULL, *pw, *dev = NULL;
	size_t pwlen;
	struct auth_tokens t;
	struct auth_user u;
	struct auth_origin o = auth_origin_of(c);
	enum auth_fail why;
	struct auth_lock lock;
	enum pss_err e;

	if (b == NULL)
		return;
	if (field(c, b, "deviceToken", NULL, false, AUTH_DEVICE_TOKEN_MAX, &dev, NULL) != 0)
		goto out;
	if (dev != NULL && *dev != '\0')
		o.device = dev;
	if (field(c, b, "email", NULL, false, LOGIN_MAX_BYTES, &login, NULL) != 0 ||
	    (login == NULL && field(c, b, "username", "login", false, LOGIN_MAX_BYTES, &login, NULL) != 0))
		goto out;
	if (login == NULL || *login == '\0') {
		field_error(c, "email", "Give your email address or username.");
		goto out;
	}
	if (field(c, b, "password", NULL, true, PASSWORD_MAX_BYTES, &pw, &pwlen) != 0)
		goto out;
	e = auth_login(&c->app->svc, c->req->arena, login, pw, pwlen, &o, &t, &u, &why, &lock);
	if (e == PSS_OK)
		tokens_reply(c, 200, &t, &u, true);
	else if (e == PSS_EAUTH && why == AUTH_LOCKED)
		auth_locked_reply(c, &lock);
	else if (e == PSS_EAUTH)
		error_reply(c, 401, "invalid_credentials", "Invalid email, username or password.", NULL);
	else
		error_from(c, e, NULL);
out:
	json_object_put(b);
}

static void
token_error(struct http_ctx *c, enum auth_fail why)
{
	if (why == AUTH_TOKEN_EXPIRED)
		error_reply(c, 401, "token_expired", "The token has expired. Please log in again.", NULL);
	else
		error_reply(c, 401, "invalid_token", "The token is not valid.", NULL);
}

void
h_auth_refresh(struct http_ctx *c)
{
	struct json_object *b = json_body(c);
	const char *rt;
	struct auth_tokens t;
	struct auth_user u;
	struct auth_origin o = auth_origin_of(c);
	enum auth_fail why;
	enum pss_err e;

	if (b == NULL)
		return;
	if (field(c, b, "refreshToken", "refresh_token", true, 256, &rt, NULL) == 0) {
		e = auth_refresh(&c->app->svc, c->req->arena, rt, &o, &t, &u, &why);
		if (e == PSS_OK)
			tokens_reply(c, 200, &t, &u, http_cookie(c->req, AUTH_COOKIE) != NULL);
		else if (e == PSS_EAUTH)
			token_error(c, why);
		else
			error_from(c, e, NULL);
	}
	json_object_put(b);
}

void
h_auth_logout(struct http_ctx *c)
{
	enum pss_err e = auth_logout(&c->app->svc, c->session);

	if (e != PSS_OK) {
		error_from(c, e, NULL);
		return;
	}
	session_cookie_clear(c);
	ok_reply(c, "Logged out.");
}

void
h_auth_me(struct http_ctx *c)
{
	user_reply(c, c->user);
}

void
h_auth_update(struct http_ctx *c)
{
	struct json_object *b = json_body(c), *v;
	struct user_input in = { 0 };
	struct svc_err err = { 0 };
	struct auth_user u;
	enum pss_err e;

	if (b == NULL)
		return;
	if (json_object_object_get_ex(b, "role", &v)) {
		error_reply(c, 403, "forbidden", "You cannot change your own role.", NULL);
		goto out;
	}
	if (json_object_object_get_ex(b, "password", &v)) {
		field_error(c, "password", "Change the password with POST /api/auth/password.");
		goto out;
	}
	if (field(c, b, "username", NULL, false, 1024, &in.username, NULL) != 0 ||
	    field(c, b, "email", NULL, false, 1024, &in.email, NULL) != 0)
		goto out;
	if (in.username == NULL && in.email == NULL) {
		field_error(c, "username", "Give a new username or email.");
		goto out;
	}
	e = users_update(&c->app->svc, c->req->arena, c->user->id, &in, NULL, &u, &err);
	if (e != PSS_OK)
		error_from_svc(c, e, &err, NULL);
	else
		user_reply(c, &u);
out:
	json_object_put(b);
}

void
h_auth_password(struct http_ctx *c)
{
	struct json_object *b = json_body(c);
	const char *cur, *nw;
	size_t curlen, nwlen;
	struct svc_err err = { 0 };
	struct auth_origin o = auth_origin_of(c);
	enum auth_fail why;
	struct auth_lock lock;
	enum pss_err e;

	if (b == NULL)
		return;
	if (field(c, b, "currentPassword", "current_password", true, PASSWORD_MAX_BYTES, &cur, &curlen) != 0 ||
	    field(c, b, "newPassword", "new_password", true, PASSWORD_MAX_BYTES, &nw, &nwlen) != 0)
		goto out;
	e = auth_change_password(&c->app->svc, c->req->arena, c->session, &o, cur, curlen, nw, nwlen,
	    &why, &lock, &err);
	if (e == PSS_EAUTH && why == AUTH_LOCKED)
		auth_locked_reply(c, &lock);
	else if (e == PSS_EAUTH)
		error_reply(c, 401, "invalid_credentials", "The current password is not right.", NULL);
	else if (e != PSS_OK)
		error_from_svc(c, e, &err, NULL);
	else
		ok_reply(c, "Password changed. Your other sessions have been signed out.");
out:
	json_object_put(b);
}
