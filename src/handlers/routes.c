/* routes.c: the route table: one line per endpoint, in the order of API.md */
#include "config.h"

#include "handlers/app.h"

const struct route app_routes[] = {
	{ HTTP_GET, "/", 0, h_home, "home" },
	{ HTTP_GET, "/api", 0, h_api_index, "api.index" },
	{ HTTP_GET, "/api/health", 0, h_health, "health" },
	{ HTTP_GET, "/api/health/ready", 0, h_health_ready, "health.ready" },
	{ HTTP_GET, "/metrics", ROUTE_LOOPBACK, h_metrics, "metrics" },
};
const size_t app_nroutes = PSS_ARRAY_LEN(app_routes);

/* Names for /metrics, indexed like app_routes; the last one counts unrouted requests. */
static const char *const names[] = {
	"home", "api.index", "health", "health.ready", "metrics", "unrouted",
};
_Static_assert(PSS_ARRAY_LEN(names) == PSS_ARRAY_LEN(app_routes) + 1, "route names");
const char *const *app_route_names = names;
