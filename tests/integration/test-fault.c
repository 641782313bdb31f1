/* test-fault.c: PostgreSQL and Redis stopped and restarted under traffic: the service answers
 * 503 or degraded meanwhile, recovers by itself, and loses nothing that was written */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "itest.h"
#include "t.h"

static pid_t traffic_pid;
static char traffic_log[512];

/* A child process requesting /api/health/ready in a loop, one status code per line. */
static void
traffic_start(void)
{
	snprintf(traffic_log, sizeof(traffic_log), "%s/log/fault-traffic.log", getenv("PSS_TEST_STATE"));
	fflush(stdout);
	if ((traffic_pid = fork()) == 0) {
		FILE *f = fopen(traffic_log, "w");
		struct it_resp r;

		it_init();
		for (int i = 0; i < 3000 && f != NULL; i++) {
			if (it_get(&r, "/api/health/ready") != 0)
				fprintf(f, "error\n");
			else {
				fprintf(f, "%ld%s\n", r.status, r.status == 503 &&
				    it_header(&r, "retry-after") == NULL ? " no-retry-after" : "");
				it_resp_free(&r);
			}
			fflush(f);
			usleep(20000);
		}
		_exit(0);
	}
}

static void
traffic_stop(int *ok, int *unavailable, int *other)
{
	char line[128];
	FILE *f;

	kill(traffic_pid, SIGTERM);
	waitpid(traffic_pid, NULL, 0);
	*ok = *unavailable = *other = 0;
	if ((f = fopen(traffic_log, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strcmp(line, "200\n") == 0)
			(*ok)++;
		else if (strcmp(line, "503\n") == 0)
			(*unavailable)++;
		else {
			(*other)++;
			printf("#   unexpected answer under traffic: %s", line);
		}
	}
	fclose(f);
}

static int
wait_health(const char *field, const char *want, int seconds)
{
	struct it_resp r;

	for (int i = 0; i < seconds * 5; i++) {
		if (it_get(&r, "/api/health") == 0) {
			int match = it_str(&r, field) != NULL && strcmp(it_str(&r, field), want) == 0;

			it_resp_free(&r);
			if (match)
				return 1;
		}
		usleep(200000);
	}
	return 0;
}

/* wait_all_ready: 1 once READY_ROUNDS requests in a row (more than the workers, so every
 * worker answers) are 200 on /api/health/ready, within seconds. */
#define READY_ROUNDS 12
static int
wait_all_ready(int seconds)
{
	struct it_resp r;
	int streak = 0;

	for (int i = 0; i < seconds * 10 && streak < READY_ROUNDS; i++) {
		if (it_get(&r, "/api/health/ready") == 0 && r.status == 200)
			streak++;
		else {
			streak = 0;
			usleep(100000);
		}
		it_resp_free(&r);
	}
	return streak >= READY_ROUNDS;
}

/* distinct_searches: n documentation searches, each a query not asked before (a miss of every
 * cache: the workers' prepared statement runs); how many answered 200 */
static int
distinct_searches(int n)
{
	static int serial;
	int ok = 0;

	for (int i = 0; i < n; i++) {
		struct it_resp r;
		char path[96];

		snprintf(path, sizeof(path), "/api/documentation/search?query=fault%dprobe%d", (int)getpid(), ++serial);
		if (it_get(&r, path) == 0 && r.status == 200)
			ok++;
		it_resp_free(&r);
	}
	return ok;
}

static void
test_postgres_restart_under_traffic(void)
{
	struct it_resp r;
	const char *before;
	char count[64];
	int ok, unavail, other;

	T_ASSERT(it_psql("INSERT INTO jobs (type, payload, status) VALUES ('fault.marker', '{\"n\": 1}', 'done')") != NULL);
	before = it_psql("SELECT count(*) FROM jobs WHERE type = 'fault.marker'");
	snprintf(count, sizeof(count), "%s", before ? before : "?");
	/* every worker prepares the search's statement on its connection (db_exec_prepared) */
	T_EQ(distinct_searches(12), 12);
	traffic_start();
	usleep(500000);
	T_EQ(it_harness("pg-stop"), 0);
	/* While it is down: ready is 503 with Retry-After, health says degraded. */
	T_EQ(it_get(&r, "/api/health/ready"), 0);
	T_EQ(r.status, 503);
	T_STREQ(it_str(&r, "error"), "unavailable");
	T_ASSERT(it_header(&r, "retry-after") != NULL);
	it_resp_free(&r);
	T_EQ(it_get(&r, "/api/health"), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "status"), "degraded");
	T_STREQ(it_str(&r, "database"), "disconnected");
	it_resp_free(&r);
	sleep(1);
	T_EQ(it_harness("pg-start"), 0);
	/* Every worker reconnects by itself (each on its own backoff, up to 30 s apart). */
	T_ASSERT(wait_health("database", "connected", 45));
	T_ASSERT(wait_all_ready(60));
	sleep(1);
	traffic_stop(&ok, &unavail, &other);
	printf("#   under traffic: %d ok, %d unavailable (503), %d other\n", ok, unavail, other);
	T_ASSERT(ok > 0);
	T_ASSERT(unavail > 0);
	T_EQ(other, 0);
	T_STREQ(it_psql("SELECT count(*) FROM jobs WHERE type = 'fault.marker'"), count);
	/* the new sessions have none of the old ones' statements: prepared again, not an error */
	T_EQ(distinct_searches(12), 12);
	T_EQ(it_get(&r, "/metrics"), 0);
	T_ASSERT(strstr(r.body, "psscript_db_reconnects_total 0\n") == NULL);
	it_resp_free(&r);
}

static void
test_redis_restart_under_traffic(void)
{
	struct it_resp r;
	int ok, unavail, other;

	traffic_start();
	usleep(300000);
	T_EQ(it_harness("redis-stop"), 0);
	T_ASSERT(wait_health("redis", "disconnected", 10));
	T_EQ(it_get(&r, "/api/health"), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "status"), "degraded");
	T_STREQ(it_str(&r, "database"), "connected");
	it_resp_free(&r);
	T_EQ(it_harness("redis-start"), 0);
	T_ASSERT(wait_health("redis", "connected", 45));
	T_ASSERT(wait_health("status", "ok", 10));
	traffic_stop(&ok, &unavail, &other);
	printf("#   under traffic: %d ok, %d unavailable, %d other\n", ok, unavail, other);
	T_ASSERT(ok > 0);
	T_EQ(unavail, 0);	/* Redis down is never a failed request */
	T_EQ(other, 0);
}

int
main(void)
{
	it_init();
	T_RUN(test_postgres_restart_under_traffic);
	T_RUN(test_redis_restart_under_traffic);
	return t_done();
}
