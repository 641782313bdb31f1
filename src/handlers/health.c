/* health.c: GET /api, /api/health, /api/health/ready and /metrics */
#include "config.h"

#include <string.h>

#include "core/metrics.h"
#include "db/jobs.h"
#include "handlers/app.h"

static bool
db_alive(struct app *a)
{
	struct db_res *r;

	if (db_exec(a->db, &r, "SELECT 1", 0, NULL) != PSS_OK)
		return false;
	db_res_free(r);
	return true;
}

static void
health_reply(struct http_ctx *c, bool index)
{
	struct app *a = c->app;
	bool db_ok = db_alive(a), redis_ok = cache_ping(a->cache);
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "status", json_object_new_string(db_ok && redis_ok ? "ok" : "degraded"));
	json_object_object_add(o, "database", json_object_new_string(db_ok ? "connected" : "disconnected"));
	json_object_object_add(o, "redis", json_object_new_string(redis_ok ? "connected" : "disconnected"));
	json_object_object_add(o, "version", json_object_new_string(PSS_VERSION));
	json_object_object_add(o, "uptime",
	    json_object_new_int64((time_wall_ms() - a->started_ms) / 1000));
	if (index) {
		json_object_object_add(o, "name", json_object_new_string("PSScript API"));
		json_object_object_add(o, "documentation", json_object_new_string("/api/docs"));
	}
	json_reply(c, 200, o);
}

void
h_api_index(struct http_ctx *c)
{
	health_reply(c, true);
}

void
h_health(struct http_ctx *c)
{
	health_reply(c, false);
}

void
h_health_ready(struct http_ctx *c)
{
	struct json_object *o;

	if (!db_alive(c->app)) {
		error_reply(c, 503, "unavailable", "The database is unreachable.", NULL);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_string("ready"));
	json_reply(c, 200, o);
}

void
h_metrics(struct http_ctx *c)
{
	struct buf *b = &c->resp->body;
	int64_t depth = jobs_queue_depth(c->app->db);
	const char *names[METRICS_MAX_ROUTES];

	for (size_t i = 0; i < app_nroutes; i++)
		names[i] = app_routes[i].name;
	names[app_nroutes] = "unrouted";
	buf_reset(b);
	metrics_render(b, names, (unsigned)app_nroutes + 1);
	buf_puts(b, "# HELP psscript_jobs_queued Jobs waiting to run\n# TYPE psscript_jobs_queued gauge\n");
	buf_printf(b, "psscript_jobs_queued %lld\n", (long long)(depth < 0 ? 0 : depth));
	buf_puts(b, "# HELP psscript_up Whether the database answers\n# TYPE psscript_up gauge\n");
	buf_printf(b, "psscript_up %d\n", depth >= 0);
	c->resp->status = 200;
	c->resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
