/* pages-admin.c: what the administration pages need beyond /api/users: unlocking an account */
#include "config.h"

#include "handlers/pages.h"

/* POST /api/users/:id/unlock (and the page's form): clears the failed-login count and the
 * lock. {success, user} with lockedUntil null. */
void
h_users_unlock(struct http_ctx *c)
{
	int64_t id;
	struct auth_user u;
	struct json_object *o;
	enum pss_err e;

	if (parse_int64(http_param(c->req, "id"), 1, INT32_MAX, &id) != 0) {
		field_error(c, "id", "The user id must be a positive whole number.");
		return;
	}
	if ((e = users_unlock(&c->app->svc, id)) != PSS_OK ||
	    (e = users_get(&c->app->svc, c->req->arena, id, false, &u)) != PSS_OK) {
		error_from(c, e, "No such user.");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "user", users_to_json(&u, true));
	json_reply(c, 200, o);
}
