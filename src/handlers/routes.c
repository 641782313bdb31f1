/* routes.c: the route table: one line per endpoint, in the order of API.md */
#include "config.h"

#include "handlers/app.h"

const struct route app_routes[] = {
	{ HTTP_GET, "/", 0, h_home, "home" },
	{ HTTP_GET, "/api", 0, h_api_index, "api.index" },
	{ HTTP_GET, "/api/health", 0, h_health, "health" },
	{ HTTP_GET, "/api/health/ready", 0, h_health_ready, "health.ready" },
	{ HTTP_GET, "/metrics", ROUTE_LOOPBACK, h_metrics, "metrics" },

	{ HTTP_POST, "/api/auth/register", 0, h_auth_register, "auth.register" },
	{ HTTP_POST, "/api/auth/login", 0, h_auth_login, "auth.login" },
	{ HTTP_POST, "/api/auth/refresh", 0, h_auth_refresh, "auth.refresh" },
	{ HTTP_POST, "/api/auth/logout", ROUTE_AUTH | ROUTE_CSRF, h_auth_logout, "auth.logout" },
	{ HTTP_GET, "/api/auth/me", ROUTE_AUTH, h_auth_me, "auth.me" },
	{ HTTP_PUT, "/api/auth/user", ROUTE_AUTH | ROUTE_CSRF, h_auth_update, "auth.update" },
	{ HTTP_POST, "/api/auth/password", ROUTE_AUTH | ROUTE_CSRF, h_auth_password, "auth.password" },

	{ HTTP_GET, "/api/users", ROUTE_AUTH | ROUTE_ADMIN, h_users_list, "users.list" },
	{ HTTP_GET, "/api/users/:id", ROUTE_AUTH, h_users_get, "users.get" },
	{ HTTP_POST, "/api/users", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_users_create, "users.create" },
	{ HTTP_PUT, "/api/users/:id", ROUTE_AUTH | ROUTE_CSRF, h_users_update, "users.update" },
	{ HTTP_DELETE, "/api/users/:id", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF, h_users_delete, "users.delete" },
	{ HTTP_POST, "/api/users/:id/reset-password", ROUTE_AUTH | ROUTE_ADMIN | ROUTE_CSRF,
	  h_users_reset_password, "users.reset_password" },
};
const size_t app_nroutes = PSS_ARRAY_LEN(app_routes);

/* Names for /metrics, indexed like app_routes; the last one counts unrouted requests. */
static const char *const names[] = {
	"home", "api.index", "health", "health.ready", "metrics",
	"auth.register", "auth.login", "auth.refresh", "auth.logout", "auth.me", "auth.update",
	"auth.password",
	"users.list", "users.get", "users.create", "users.update", "users.delete",
	"users.reset_password",
	"unrouted",
};
_Static_assert(PSS_ARRAY_LEN(names) == PSS_ARRAY_LEN(app_routes) + 1, "route names");
const char *const *app_route_names = names;
