/* test-analysis-jobs.c: the analysis job with AI providers (stand-ins on loopback: the
 * OpenAI-compatible API and the PSScript AI service, each failure mode) and re-analysis after
 * an analyzer version change (psscript reanalyze, the job runner's own sweep, priorities) */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/core.h"
#include "itest.h"
#include "standin/standin.h"
#include "t.h"

static struct standin S;
static long script_id;		/* the script the AI tests analyse */
static char fixed[512];		/* its built-in analysis: scores and findings (FIXED) */
static char prose[512];		/* and its prose (PROSE) */
static long nsuggestions;	/* the built-in suggestions */
static int nworker;		/* job runners this suite started */

/* The parts of an analysis that the AI may not change, and the prose it may change. */
#define FIXED "security_score || '/' || quality_score || '/' || risk_score || '/' ||" \
	" md5(security_issues::text || best_practice_violations::text ||" \
	" performance_insights::text || potential_risks::text || command_details::text ||" \
	" code_complexity_metrics::text || execution_summary::text)"
#define PROSE "md5(coalesce(purpose, '') || suggestions::text) || '/' || provider"

static const char *
analysis(long id, const char *expr)
{
	return it_psqlf("SELECT %s FROM script_analysis WHERE script_id = %ld", expr, id);
}

/* new_script: a script of the suite's user with content (SQL text literal), analysed by the
 * running job runner when analyse; its id, or -1. */
static long
new_script(const char *title, const char *content_sql)
{
	char sql[1024];
	const char *v;
	int64_t id;

	snprintf(sql, sizeof(sql), "INSERT INTO scripts (title, content, user_id, file_hash) "
	    "SELECT '%s', c, u.id, encode(sha256(convert_to(c, 'UTF8')), 'hex') FROM users u, "
	    "(SELECT %s AS c) t WHERE u.username = 'aijobs-user' RETURNING id", title, content_sql);
	v = it_psql(sql);
	return v != NULL && parse_int64(v, 1, INT32_MAX, &id) == 0 ? (long)id : -1;
}

/* enqueue: an analysis.run job of script id at priority; the job's id, or -1. */
static long
enqueue(long id, int priority)
{
	char sql[300];
	const char *v;
	int64_t j;

	snprintf(sql, sizeof(sql), "INSERT INTO jobs (type, payload, priority, max_attempts) VALUES "
	    "('analysis.run', jsonb_build_object('scriptId', %ld), %d, 1) RETURNING id", id, priority);
	v = it_psql(sql);
	return v != NULL && parse_int64(v, 1, INT64_MAX, &j) == 0 ? (long)j : -1;
}

/* worker: replaces the job runner by one with env (VAR=value words) logging to log (a path
 * written into log, 512 bytes); 0 once it is ready. */
static int
worker(const char *env, char *log)
{
	char pid[600];

	(void)it_harness("worker-kill");
	snprintf(pid, sizeof(pid), "%s/log/aijobs-worker.pid", getenv("PSS_TEST_STATE"));
	(void)it_run("[ -f '%s' ] && kill $(cat '%s') 2>/dev/null; sleep 0.2; true", pid, pid);
	snprintf(log, 512, "%s/log/aijobs-worker-%d.log", getenv("PSS_TEST_STATE"), ++nworker);
	if (it_run("env %s \"$PSS_BIN/psscript-worker\" >'%s' 2>&1 & echo $! >'%s'", env, log,
	    pid) != 0)
		return -1;
	return it_log_has(log, " ready", 10) ? 0 : -1;
}

static void
harness_worker(void)
{
	char pid[600];

	snprintf(pid, sizeof(pid), "%s/log/aijobs-worker.pid", getenv("PSS_TEST_STATE"));
	(void)it_run("[ -f '%s' ] && kill $(cat '%s') 2>/dev/null; rm -f '%s'; true", pid, pid, pid);
	(void)it_harness("worker-start");
}

static void
set_mode(const char *mode)
{
	T_EQ(it_run("curl -sf -o /dev/null '%s/_mode?set=%s'", S.url, mode), 0);
}

/* count_lines: lines of the file at path that contain needle. */
static int
count_lines(const char *path, const char *needle)
{
	char line[2048];
	int n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static void
test_builtin_analysis_without_a_provider(void)
{
	T_ASSERT(it_psql("INSERT INTO users (username, email, password_hash) VALUES ('aijobs-user', "
	    "'aijobs@example.com', '$2b$12$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01') "
	    "RETURNING id") != NULL);
	script_id = new_script("ai subject", "'param([string]$Url)' || chr(10) || "
	    "'Invoke-Expression (New-Object Net.WebClient).DownloadString($Url)' || chr(10) || "
	    "'Write-Host \"done <img src=x onerror=alert(1)>\"' || chr(10)");
	T_ASSERT(script_id > 0);
	T_STREQ(it_job_wait(enqueue(script_id, 0), "done", 30), "done");
	T_STREQ(analysis(script_id, "provider || ' ' || analysis_version"), "builtin 2.0");
	snprintf(fixed, sizeof(fixed), "%s", analysis(script_id, FIXED) ?: "");
	snprintf(prose, sizeof(prose), "%s", analysis(script_id, PROSE) ?: "");
	nsuggestions = atol(analysis(script_id, "jsonb_array_length(suggestions)") ?: "0");
	T_ASSERT(strstr(prose, "/builtin") != NULL && fixed[0] != '\0' && nsuggestions > 0);
}

/* One analysis job under the AI runner in mode: the job is done and the stored analysis
 * keeps the built-in findings and scores. */
static void
run_in_mode(const char *mode)
{
	char sql[200];

	set_mode(mode);
	snprintf(sql, sizeof(sql), "UPDATE script_analysis SET purpose = 'before %s' "
	    "WHERE script_id = %ld RETURNING 1", mode, script_id);
	T_ASSERT(it_psql(sql) != NULL);
	T_STREQ(it_job_wait(enqueue(script_id, 0), "done", 40), "done");
	T_STREQ(analysis(script_id, FIXED), fixed);
}

static void
test_llm_prose_is_added_and_failures_keep_the_builtin_analysis(void)
{
	static const struct { const char *mode, *outcome; } fails[] = {
		{ "status500", "status" }, { "garbage", "bad_json" }, { "badshape", "bad_answer" },
		{ "huge", "too_big" }, { "drip", "slow" }, { "hang", "timeout" },
	};
	char env[600], log[512], series[128], line[128];
	snprintf(env, sizeof(env), "AI_API_URL=%s/v1 AI_MODEL=standin-model AI_API_KEY=sk-itest "
	    "AI_TIMEOUT_MS=3000 AI_LOW_SPEED_BYTES=100 AI_LOW_SPEED_MS=1000 "
	    "AI_MAX_RESPONSE_BYTES=1048576 REANALYZE_BATCH=0", S.url);
	T_EQ(worker(env, log), 0);
	/* ok: purpose from the model, its two suggestions after the built-in ones */
	run_in_mode("ok");
	T_STREQ(analysis(script_id, "provider"), "builtin+llm:standin-model");
	T_CONTAINS(analysis(script_id, "purpose"), "LLM standin-model: explains a script");
	T_STREQ(analysis(script_id, "suggestions->>-1"), "LLM: log what the script changed.");
	T_EQ(atol(analysis(script_id, "jsonb_array_length(suggestions)") ?: "0"), nsuggestions + 2);
	T_ASSERT(count_lines(log, "ai: script") == 1 && count_lines(log, "answered in") == 1);
	/* the prompt carried the findings and the script; the key went as a bearer */
	T_EQ(it_run("curl -sf '%s/_last' | grep -q 'Bearer sk-itest'", S.url), 0);
	T_EQ(it_run("curl -sf '%s/_last' | grep -q 'PSSAvoidDownloadCradle'", S.url), 0);
	for (size_t i = 0; i < PSS_ARRAY_LEN(fails); i++) {
		long long before;

		snprintf(series, sizeof(series), "psscript_ai_requests_total{outcome=\"%s\"}",
		    fails[i].outcome);
		before = it_metric(series);
		run_in_mode(fails[i].mode);
		/* the built-in analysis, whole: its purpose and suggestions, provider builtin */
		T_ASSERTF(strcmp(analysis(script_id, PROSE) ?: "", prose) == 0,
		    "mode %s: the stored prose is not the built-in one", fails[i].mode);
		snprintf(line, sizeof(line), "the chat API failed (%s)", fails[i].outcome);
		T_ASSERTF(count_lines(log, line) == 1, "mode %s: %d log lines say \"%s\"",
		    fails[i].mode, count_lines(log, line), line);
		T_ASSERTF(it_metric(series) == before + 1, "mode %s: %s went from %lld to %lld",
		    fails[i].mode, series, before, it_metric(series));
	}
}

static void
test_ai_service_prose_and_a_refused_connection(void)
{
	char env[600], log[512];
	long long before = it_metric("psscript_ai_requests_total{outcome=\"refused\"}");

	snprintf(env, sizeof(env), "AI_SERVICE_URL=%s AI_TIMEOUT_MS=3000 REANALYZE_BATCH=0", S.url);
	T_EQ(worker(env, log), 0);
	run_in_mode("ok");
	T_STREQ(analysis(script_id, "provider"), "builtin+ai-service");
	T_STREQ(analysis(script_id, "purpose"), "AI service: a script of 4 lines.");
	T_EQ(it_run("curl -sf '%s/_last' | grep -q '\"path\": \"/analyze\"'", S.url), 0);
	run_in_mode("garbage");
	T_STREQ(analysis(script_id, PROSE), prose);
	T_EQ(count_lines(log, "the AI service failed (bad_json)"), 1);
	/* nobody listens on the discard port of loopback */
	T_EQ(worker("AI_SERVICE_URL=http://127.0.0.1:9 REANALYZE_BATCH=0", log), 0);
	run_in_mode("ok");
	T_STREQ(analysis(script_id, PROSE), prose);
	T_EQ(count_lines(log, "the AI service failed (refused)"), 1);
	T_EQ(it_metric("psscript_ai_requests_total{outcome=\"refused\"}"), before + 1);
}

/* ---- re-analysis ---- */

#define MINE "script_id IN (SELECT id FROM scripts WHERE user_id = (SELECT id FROM users " \
	"WHERE username = 'aijobs-user') AND title LIKE 'stale %')"

static void
make_stale(void)
{
	T_ASSERT(it_psql("UPDATE script_analysis SET analysis_version = '1.0', purpose = 'old' "
	    "WHERE " MINE " RETURNING 1") != NULL);
}

static const char *
stale_count(void)
{
	return it_psql("SELECT count(*) FILTER (WHERE analysis_version <> '2.0' OR purpose = 'old')"
	    " || '/' || count(*) FROM script_analysis WHERE " MINE);
}

static void
test_reanalyze_command_requeues_stale_analyses(void)
{
	char out[600], cmd[900];

	harness_worker();
	for (int i = 0; i < 5; i++) {
		char title[32], content[64];

		snprintf(title, sizeof(title), "stale %d", i);
		snprintf(content, sizeof(content), "'Get-Process | Select-Object -First %d'", i + 1);
		T_STREQ(it_job_wait(enqueue(new_script(title, content), 0), "done", 30), "done");
	}
	T_STREQ(stale_count(), "0/5");
	snprintf(out, sizeof(out), "%s/log/reanalyze.out", getenv("PSS_TEST_STATE"));
	snprintf(cmd, sizeof(cmd), "\"$PSS_BIN/psscript\" reanalyze --stale >'%s' 2>&1", out);
	T_EQ(it_run("%s", cmd), 0);
	T_EQ(count_lines(out, "reanalyze: 0 scripts queued for analyzer version 2.0"), 1);
	make_stale();
	T_STREQ(stale_count(), "5/5");
	T_EQ(it_run("%s", cmd), 0);	/* not a terminal: plain lines, then the summary */
	T_EQ(count_lines(out, "reanalyze: 5 scripts queued for analyzer version 2.0"), 1);
	T_EQ(count_lines(out, "reanalyze: 5/5 finished (re-analysed 5, failed 0)"), 1);
	T_EQ(count_lines(out, "reanalyze: 5 re-analysed, 0 failed"), 1);
	T_STREQ(stale_count(), "0/5");
	T_STREQ(it_psql("SELECT count(*) || ' ' || min(priority) FROM jobs WHERE type = "
	    "'analysis.run' AND payload ? 'batch' AND payload->>'batch' <> 'sweep'"), "5 -10");
	/* --script alone: that one, stale or not; the modes exclude each other */
	snprintf(cmd, sizeof(cmd), "\"$PSS_BIN/psscript\" reanalyze --script %ld --no-wait >'%s' 2>&1",
	    script_id, out);
	T_EQ(it_run("%s", cmd), 0);
	T_EQ(count_lines(out, "reanalyze: 1 script queued"), 1);
	T_STREQ(it_job_wait(atol(it_psql("SELECT max(id) FROM jobs") ?: "0"), "done", 30), "done");
	/* on a terminal (script(1) gives it one): the bar, redrawn in place */
	snprintf(cmd, sizeof(cmd), "script -qec '\"$PSS_BIN/psscript\" reanalyze --script %ld' "
	    "/dev/null >'%s' 2>&1", script_id, out);
	T_EQ(it_run("%s", cmd), 0);
	T_EQ(count_lines(out, "\r[##############################] 1/1  100%  re-analysed 1  failed 0"), 1);
	T_EQ(count_lines(out, "reanalyze: 1/1 finished"), 0);
	T_EQ(it_run("\"$PSS_BIN/psscript\" reanalyze --all --stale >/dev/null 2>&1"), 2);
	T_EQ(it_run("\"$PSS_BIN/psscript\" reanalyze --script 0 >/dev/null 2>&1"), 2);
}

static void
test_job_runner_reanalyses_stale_analyses_by_itself(void)
{
	char log[512];
	long long before = it_metric("psscript_analyses_stale_queued_total");

	make_stale();
	/* batches of 2: the runner sweeps at start and again at once while batches come full */
	T_EQ(worker("REANALYZE_BATCH=2 REANALYZE_INTERVAL_S=3600", log), 0);
	T_STREQ(it_poll_sql("SELECT count(*) FILTER (WHERE analysis_version <> '2.0' OR purpose = "
	    "'old') || '/' || count(*) FROM script_analysis WHERE " MINE, "0/5", 30), "0/5");
	T_ASSERT(it_metric("psscript_analyses_stale_queued_total") >= before + 5);
	T_ASSERT(it_log_has(log, "re-analysis: queued 2 analyses", 1));
}

static void
test_new_work_runs_before_reanalysis(void)
{
	char log[512], sql[900];
	const char *v;
	long fresh, upload_job = 0, first;

	/* no runner while the queue fills: five re-analyses queued first, new work after */
	(void)it_harness("worker-kill");
	(void)it_run("kill $(cat \"$PSS_TEST_STATE/log/aijobs-worker.pid\") 2>/dev/null; sleep 0.3; true");
	first = atol(it_psql("SELECT coalesce(max(id), 0) + 1 FROM jobs") ?: "0");
	make_stale();
	T_EQ(it_run("\"$PSS_BIN/psscript\" reanalyze --stale --no-wait >/dev/null 2>&1"), 0);
	fresh = enqueue(new_script("fresh analysis", "'Get-Date'"), 0);
	T_ASSERT(fresh > 0);
	/* an upload, queued as the upload services queue it (priority 1) */
	v = it_psql("INSERT INTO uploads (batch_id, user_id, filename, content, size) "
	    "SELECT gen_random_uuid(), u.id, 'fresh.ps1', convert_to('Get-Service', 'UTF8'), 11 "
	    "FROM users u WHERE u.username = 'aijobs-user' RETURNING id");
	T_ASSERT(v != NULL && strlen(v) == 36);
	snprintf(sql, sizeof(sql), "INSERT INTO jobs (type, payload, priority) VALUES "
	    "('upload.process', jsonb_build_object('uploadId', '%s'), 1) RETURNING id", v ?: "");
	if ((v = it_psql(sql)) != NULL)
		upload_job = atol(v);
	T_ASSERT(upload_job > 0);
	T_EQ(worker("REANALYZE_BATCH=0", log), 0);
	T_STREQ(it_poll_sql("SELECT count(*) FILTER (WHERE analysis_version <> '2.0' OR purpose = "
	    "'old') FROM script_analysis WHERE " MINE, "0", 30), "0");
	/* the upload ran first, then the new analysis, then every re-analysis */
	snprintf(sql, sizeof(sql), "SELECT (SELECT locked_at FROM jobs WHERE id = %ld) < "
	    "(SELECT locked_at FROM jobs WHERE id = %ld) AND (SELECT locked_at FROM jobs WHERE id = %ld)"
	    " < ALL (SELECT locked_at FROM jobs WHERE id >= %ld AND priority = %d)"
	    " AND (SELECT count(*) FROM jobs WHERE id >= %ld AND priority = %d AND status = 'done') = 5",
	    upload_job, fresh, fresh, first, -10, first, -10);
	T_STREQ(it_psql(sql), "t");
}

int
main(void)
{
	it_init();
	if (standin_start(&S, "ok") != 0) {
		printf("# the stand-in (python3 tests/standin/ai-standin.py) did not start\n");
		t_result(0, "the stand-in starts");
		return t_done();
	}
	T_RUN(test_builtin_analysis_without_a_provider);
	T_RUN(test_llm_prose_is_added_and_failures_keep_the_builtin_analysis);
	T_RUN(test_ai_service_prose_and_a_refused_connection);
	T_RUN(test_reanalyze_command_requeues_stale_analyses);
	T_RUN(test_job_runner_reanalyses_stale_analyses_by_itself);
	T_RUN(test_new_work_runs_before_reanalysis);
	harness_worker();
	(void)it_psql("DELETE FROM users WHERE username = 'aijobs-user'");
	standin_stop(&S);
	return t_done();
}
