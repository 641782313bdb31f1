/* operations.c: the operations figures: the workers' shared counters (core/metrics.c), the
 * job queue and connections (db/analytics.c), the processes' resident size (/proc) and the
 * versions in use, each against the spec's monitoring targets */
#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "services/analytics.h"

extern char **environ;

#define ROUTES_SHOWN 40

static struct json_object *
ms(double seconds)
{
	return seconds < 0 ? NULL : json_object_new_double(round(seconds * 10000.0) / 10.0);
}

static struct json_object *
rate(uint64_t n, double secs)
{
	return json_object_new_double(secs > 0 ? round((double)n / secs * 100.0) / 100.0 : 0.0);
}

/* A process's program name and resident size from /proc; false when it is gone. */
static bool
proc_info(int32_t pid, char *name, size_t n, int64_t *rss_kb)
{
	char path[64], line[256];
	FILE *f;

	*rss_kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	if (fgets(name, (int)n, f) == NULL)
		name[0] = '\0';
	name[strcspn(name, "\n")] = '\0';
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0) {
			*rss_kb = strtoll(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return true;
}

/* `nginx -v` (it answers on stderr: "nginx version: nginx/1.22.1"), once per process: the
 * nginx of PATH, else /usr/sbin/nginx. NULL when none. */
static const char *
nginx_version(void)
{
	static char version[64];
	static bool tried;
	const char *const cands[] = { "nginx", "/usr/sbin/nginx" };

	if (tried)
		return version[0] ? version : NULL;
	tried = true;
	for (size_t i = 0; i < PSS_ARRAY_LEN(cands) && version[0] == '\0'; i++) {
		posix_spawn_file_actions_t fa;
		char *argv[] = { (char *)cands[i], (char *)"-v", NULL }, out[256];
		int fd[2], st;
		ssize_t len, got = 0;
		pid_t pid;

		if (pipe2(fd, O_CLOEXEC) != 0)
			return NULL;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, fd[1], 2);
		posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		if (posix_spawnp(&pid, cands[i], &fa, NULL, argv, environ) != 0)
			pid = -1;
		posix_spawn_file_actions_destroy(&fa);
		close(fd[1]);
		while (pid > 0 && got < (ssize_t)sizeof(out) - 1 &&
		    (len = read(fd[0], out + got, sizeof(out) - 1 - (size_t)got)) > 0)
			got += len;
		close(fd[0]);
		if (pid > 0)
			(void)waitpid(pid, &st, 0);
		out[got] = '\0';
		{
			const char *p = strstr(out, "nginx/");

			if (p != NULL)
				snprintf(version, sizeof(version), "%.*s", (int)strcspn(p + 6, " \r\n"), p + 6);
		}
	}
	return version[0] ? version : NULL;
}

static void
target(struct json_object *arr, const char *metric, const char *cmp, double goal, double value,
    bool known, const char *unit, bool exceeded)
{
	struct json_object *t = json_object_new_object();
	char text[160];

	json_object_object_add(t, "metric", json_object_new_string(metric));
	json_object_object_add(t, "target", json_object_new_double(goal));
	json_object_object_add(t, "comparison", json_object_new_string(cmp));
	json_object_object_add(t, "value", known ? json_object_new_double(round(value * 10.0) / 10.0) : NULL);
	json_object_object_add(t, "unit", json_object_new_string(unit));
	json_object_object_add(t, "exceeded", json_object_new_boolean(known && exceeded));
	if (!known)
		snprintf(text, sizeof(text), "no data yet (target %s %g %s)", cmp, goal, unit);
	else
		snprintf(text, sizeof(text), "%.1f %s (target %s %g %s): %s", value, unit, cmp, goal, unit,
		    exceeded ? "EXCEEDED" : "ok");
	json_object_object_add(t, "text", json_object_new_string(text));
	json_object_array_add(arr, t);
}

struct route_row {
	unsigned idx;
	uint64_t n;
};

static int
by_requests(const void *a, const void *b)
{
	const struct route_row *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : (x->idx > y->idx) - (x->idx < y->idx);
}

static uint64_t
sum_of(const uint64_t *v, unsigned n)
{
	uint64_t s = 0;

	for (unsigned i = 0; i < n; i++)
		s += v[i];
	return s;
}

static void
add_routes(struct json_object *o, const struct metrics_view *m, const char *const *names,
    unsigned nroutes, double secs)
{
	struct route_row rows[METRICS_MAX_ROUTES];
	struct json_object *arr = json_object_new_array(), *req = json_object_new_object();
	unsigned n = 0;
	uint64_t total = 0;

	for (unsigned r = 0; r < nroutes && r < METRICS_MAX_ROUTES; r++) {
		uint64_t c = sum_of(m->routes[r].status, 6);

		total += c;
		if (c > 0)
			rows[n++] = (struct route_row){ r, c };
	}
	qsort(rows, n, sizeof(rows[0]), by_requests);
	for (unsigned i = 0; i < n && i < ROUTES_SHOWN; i++) {
		const struct metrics_route *rt = &m->routes[rows[i].idx];
		struct json_object *it = json_object_new_object();

		json_object_object_add(it, "route", json_object_new_string(names[rows[i].idx]));
		json_object_object_add(it, "requests", json_object_new_int64((int64_t)rows[i].n));
		json_object_object_add(it, "perSecond", rate(rows[i].n, secs));
		json_object_object_add(it, "errors", json_object_new_int64((int64_t)rt->status[4]));
		json_object_object_add(it, "p50Ms", ms(metrics_quantile(rt->bucket, 0.5)));
		json_object_object_add(it, "p95Ms", ms(metrics_quantile(rt->bucket, 0.95)));
		json_object_object_add(it, "meanMs", ms((double)rt->sum_us / 1e6 / (double)rows[i].n));
		json_object_array_add(arr, it);
	}
	json_object_object_add(req, "total", json_object_new_int64((int64_t)total));
	json_object_object_add(req, "perSecond", rate(total, secs));
	json_object_object_add(o, "requests", req);
	json_object_object_add(o, "routes", arr);
}

static void
add_processes(struct json_object *o, const struct metrics_view *m)
{
	struct json_object *arr = json_object_new_array();

	for (unsigned i = 0; i < m->npids; i++) {
		struct json_object *p;
		char name[64];
		int64_t rss;

		if (!proc_info(m->pids[i], name, sizeof(name), &rss))
			continue;
		p = json_object_new_object();
		json_object_object_add(p, "pid", json_object_new_int(m->pids[i]));
		json_object_object_add(p, "program", json_object_new_string(name));
		json_object_object_add(p, "rssKb", rss >= 0 ? json_object_new_int64(rss) : NULL);
		json_object_array_add(arr, p);
	}
	json_object_object_add(o, "processes", arr);
}

static int64_t
get_int(struct json_object *o, const char *name, bool *known)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, name, &v) || v == NULL) {
		*known = false;
		return 0;
	}
	return json_object_get_int64(v);
}

struct json_object *
ops_snapshot(const struct svc *s, const char *const *route_names, unsigned nroutes)
{
	struct metrics_view *m = xmalloc(sizeof(*m));
	struct json_object *o = json_object_new_object(), *db = NULL, *d, *c, *q, *j, *v, *t, *arr;
	const uint64_t *k;
	int64_t now = time_wall_ms();
	double secs, p95, hit, pool = 0, perhour;
	uint64_t lookups, jobs_done;
	char redis[64];
	bool dbok, known = true;

	metrics_read(m);
	k = m->counters;
	secs = m->started_ms > 0 && now > m->started_ms ? (double)(now - m->started_ms) / 1000.0 : 0;
	dbok = db_operations(s->db, &db) == PSS_OK;
	json_object_object_add(o, "generatedAt", json_object_new_int64(now / 1000));
	json_object_object_add(o, "countingSince", m->started_ms > 0 ?
	    json_object_new_int64(m->started_ms / 1000) : NULL);
	json_object_object_add(o, "uptimeSeconds", json_object_new_int64((int64_t)secs));
	add_routes(o, m, route_names, nroutes, secs);

	q = json_object_new_object();
	lookups = sum_of(m->query_bucket, METRICS_NBUCKETS);
	p95 = metrics_quantile(m->query_bucket, 0.95);
	json_object_object_add(q, "count", json_object_new_int64((int64_t)lookups));
	json_object_object_add(q, "meanMs", lookups ? ms((double)m->query_sum_us / 1e6 / (double)lookups) : NULL);
	json_object_object_add(q, "p50Ms", ms(metrics_quantile(m->query_bucket, 0.5)));
	json_object_object_add(q, "p95Ms", ms(p95));
	json_object_object_add(o, "query", q);

	d = json_object_new_object();
	perhour = secs > 0 ? (double)k[M_DB_DEADLOCK_RETRIES] * 3600.0 / secs : 0;
	json_object_object_add(d, "reconnects", json_object_new_int64((int64_t)k[M_DB_RECONNECTS]));
	json_object_object_add(d, "deadlockRetries", json_object_new_int64((int64_t)k[M_DB_DEADLOCK_RETRIES]));
	json_object_object_add(d, "deadlocksPerHour", json_object_new_double(round(perhour * 100) / 100));
	json_object_object_add(d, "errors", json_object_new_int64((int64_t)k[M_DB_ERRORS]));
	{
		int64_t conns = get_int(db, "connections", &known), max = get_int(db, "maxConnections", &known);

		json_object_object_add(d, "connections", known ? json_object_new_int64(conns) : NULL);
		json_object_object_add(d, "maxConnections", known ? json_object_new_int64(max) : NULL);
		pool = known && max > 0 ? (double)conns * 100.0 / (double)max : 0;
		json_object_object_add(d, "poolPercent", known ? json_object_new_double(round(pool * 10) / 10) : NULL);
	}
	json_object_object_add(o, "database", d);

	c = json_object_new_object();
	lookups = k[M_CACHE_HITS] + k[M_CACHE_MISSES];
	hit = lookups ? (double)k[M_CACHE_HITS] * 100.0 / (double)lookups : -1;
	json_object_object_add(c, "hits", json_object_new_int64((int64_t)k[M_CACHE_HITS]));
	json_object_object_add(c, "misses", json_object_new_int64((int64_t)k[M_CACHE_MISSES]));
	json_object_object_add(c, "hotHits", json_object_new_int64((int64_t)k[M_CACHE_HOT_HITS]));
	json_object_object_add(c, "redisHits", json_object_new_int64((int64_t)(k[M_CACHE_HITS] - k[M_CACHE_HOT_HITS])));
	json_object_object_add(c, "errors", json_object_new_int64((int64_t)k[M_CACHE_ERRORS]));
	json_object_object_add(c, "reconnects", json_object_new_int64((int64_t)k[M_CACHE_RECONNECTS]));
	json_object_object_add(c, "hitRate", hit >= 0 ? json_object_new_double(round(hit * 10) / 10) : NULL);
	json_object_object_add(c, "redisUp", json_object_new_boolean(s->cache != NULL && cache_redis_up(s->cache)));
	json_object_object_add(o, "cache", c);

	j = json_object_new_object();
	jobs_done = k[M_JOBS_DONE];
	known = true;
	json_object_object_add(j, "queueDepth", dbok ? json_object_new_int64(get_int(db, "queueDepth", &known)) : NULL);
	json_object_object_add(j, "oldestQueuedSeconds", dbok ?
	    json_object_new_int64(get_int(db, "oldestQueuedSeconds", &known)) : NULL);
	json_object_object_add(j, "done", json_object_new_int64((int64_t)jobs_done));
	json_object_object_add(j, "failedAttempts", json_object_new_int64((int64_t)k[M_JOBS_FAILED]));
	json_object_object_add(j, "byType", dbok && json_object_object_get_ex(db, "jobs", &arr) ?
	    json_object_get(arr) : NULL);
	json_object_object_add(o, "jobs", j);

	add_processes(o, m);

	v = json_object_new_object();
	json_object_object_add(v, "psscript", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(v, "postgres", dbok && json_object_object_get_ex(db, "postgresVersion", &t) ?
	    json_object_get(t) : NULL);
	json_object_object_add(v, "redis", s->cache != NULL && cache_redis_version(s->cache, redis, sizeof(redis)) ?
	    json_object_new_string(redis) : NULL);
	json_object_object_add(v, "nginx", nginx_version() ? json_object_new_string(nginx_version()) : NULL);
	json_object_object_add(o, "versions", v);

	arr = json_object_new_array();
	target(arr, "Query time (p95)", "<", OPS_TARGET_QUERY_MS, p95 * 1000.0, p95 >= 0, "ms",
	    p95 * 1000.0 >= OPS_TARGET_QUERY_MS);
	target(arr, "Connection pool usage", "<", OPS_TARGET_POOL_PCT, pool, dbok, "%",
	    pool >= OPS_TARGET_POOL_PCT);
	target(arr, "Cache hit rate", ">", OPS_TARGET_HIT_PCT, hit, hit >= 0, "%", hit <= OPS_TARGET_HIT_PCT);
	target(arr, "Deadlocks", "=", OPS_TARGET_DEADLOCKS, perhour, secs > 0, "per hour",
	    k[M_DB_DEADLOCK_RETRIES] > 0);
	json_object_object_add(o, "targets", arr);

	json_object_put(db);
	free(m);
	return o;
}

static const char *
str(struct json_object *o, const char *path1, const char *path2)
{
	struct json_object *a, *b;

	if (!json_object_object_get_ex(o, path1, &a) || a == NULL)
		return "-";
	if (path2 == NULL)
		return json_object_get_string(a);
	if (!json_object_object_get_ex(a, path2, &b) || b == NULL)
		return "-";
	return json_object_get_string(b);
}

void
ops_text(struct json_object *o, struct buf *b)
{
	struct json_object *arr, *it;

	buf_printf(b, "PSScript %s operations (counters since %s s ago)\n\n", str(o, "versions", "psscript"),
	    str(o, "uptimeSeconds", NULL));
	buf_puts(b, "Targets (DATABASE.md, Monitoring Recommendations)\n");
	if (json_object_object_get_ex(o, "targets", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			it = json_object_array_get_idx(arr, i);
			buf_printf(b, "  %-24s %s\n", str(it, "metric", NULL), str(it, "text", NULL));
		}
	buf_printf(b, "\nRequests: %s (%s/s)\n", str(o, "requests", "total"), str(o, "requests", "perSecond"));
	buf_printf(b, "  %-34s %9s %8s %7s %9s %9s\n", "route", "requests", "per s", "5xx", "p50 ms", "p95 ms");
	if (json_object_object_get_ex(o, "routes", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			it = json_object_array_get_idx(arr, i);
			buf_printf(b, "  %-34s %9s %8s %7s %9s %9s\n", str(it, "route", NULL),
			    str(it, "requests", NULL), str(it, "perSecond", NULL), str(it, "errors", NULL),
			    str(it, "p50Ms", NULL), str(it, "p95Ms", NULL));
		}
	buf_printf(b, "\nDatabase: queries %s, mean %s ms, p50 %s ms, p95 %s ms; connections %s of %s (%s%%);"
	    " reconnects %s; deadlock retries %s (%s an hour); errors %s\n",
	    str(o, "query", "count"), str(o, "query", "meanMs"), str(o, "query", "p50Ms"),
	    str(o, "query", "p95Ms"), str(o, "database", "connections"),
	    str(o, "database", "maxConnections"), str(o, "database", "poolPercent"),
	    str(o, "database", "reconnects"), str(o, "database", "deadlockRetries"),
	    str(o, "database", "deadlocksPerHour"), str(o, "database", "errors"));
	buf_printf(b, "Cache: hit rate %s%% (hits %s: Redis %s, hot copies %s; misses %s); Redis errors %s,"
	    " reconnects %s\n", str(o, "cache", "hitRate"), str(o, "cache", "hits"),
	    str(o, "cache", "redisHits"), str(o, "cache", "hotHits"), str(o, "cache", "misses"),
	    str(o, "cache", "errors"), str(o, "cache", "reconnects"));
	buf_printf(b, "Jobs: queue depth %s (oldest waiting %s s); done %s, failed attempts %s\n",
	    str(o, "jobs", "queueDepth"), str(o, "jobs", "oldestQueuedSeconds"), str(o, "jobs", "done"),
	    str(o, "jobs", "failedAttempts"));
	if (json_object_object_get_ex(o, "jobs", &it) && json_object_object_get_ex(it, "byType", &arr) &&
	    arr != NULL)
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *jt = json_object_array_get_idx(arr, i);

			buf_printf(b, "  %-24s queued %s, running %s, failed %s, done %s, retried %s\n",
			    str(jt, "type", NULL), str(jt, "queued", NULL), str(jt, "running", NULL),
			    str(jt, "failed", NULL), str(jt, "done", NULL), str(jt, "retried", NULL));
		}
	buf_puts(b, "Processes:\n");
	if (json_object_object_get_ex(o, "processes", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			it = json_object_array_get_idx(arr, i);
			buf_printf(b, "  %-8s %-20s %s kB\n", str(it, "pid", NULL), str(it, "program", NULL),
			    str(it, "rssKb", NULL));
		}
	buf_printf(b, "Versions: PostgreSQL %s, Redis %s, nginx %s\n", str(o, "versions", "postgres"),
	    str(o, "versions", "redis"), str(o, "versions", "nginx"));
}
