/* worker_main.c: psscript-worker, the job runner: claim, run, complete or retry, forever */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/conf.h"
#include "core/metrics.h"
#include "core/text.h"
#include "ai/ai.h"
#include "cache/cache.h"
#include "db/db.h"
#include "db/jobs.h"
#include "http/http.h"	/* the answer files' ages (the sweep) */
#include "services/chat.h"
#include "services/crawls.h"
#include "services/library.h"
#include "services/reanalysis.h"

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

struct worker {
	struct conf	*conf;
	struct db	*db;
	struct cache	*cache;
	struct svc	 svc;		/* conf, db and cache for the library's operations */
	char		 id[96];
	int64_t		 job_id;	/* the job running now */
	struct ps_analyze_opts analyze;	/* ANALYZER_SETTINGS */
};

/* A job handler returns PSS_OK, or an error with a reason for the job's last_error. */
typedef enum pss_err (*job_fn)(struct worker *, struct json_object *payload, char *why, size_t);

/* maintenance.cleanup: drops expired sessions and finished jobs older than a week. */
static enum pss_err
job_cleanup(struct worker *w, struct json_object *payload, char *why, size_t whysz)
{
	static const char *const stmts[] = {
		"DELETE FROM user_sessions WHERE expires_at < now() - interval '1 day'",
		"DELETE FROM jobs WHERE status IN ('done', 'failed') AND finished_at < now() - interval '7 days'",
	};
	enum pss_err e;

	(void)payload;
	for (size_t i = 0; i < PSS_ARRAY_LEN(stmts); i++)
		if ((e = db_exec(w->db, NULL, stmts[i], 0, NULL)) != PSS_OK) {
			snprintf(why, whysz, "cleanup failed: %s", db_last_error(w->db));
			return e;
		}
	return PSS_OK;
}

/* upload.process {uploadId}: one file of an async upload batch becomes a script (or a
 * duplicate, or a failure with its reason); see library_upload_process. */
static enum pss_err
job_upload(struct worker *w, struct json_object *payload, char *why, size_t whysz)
{
	struct json_object *v;
	const char *id;
	enum pss_err e;

	if (!json_object_object_get_ex(payload, "uploadId", &v) ||
	    !text_uuid_valid(id = json_object_get_string(v))) {
		snprintf(why, whysz, "payload needs a uploadId (a UUID)");
		return PSS_EINVAL;
	}
	if ((e = library_upload_process(&w->svc, id, NULL)) != PSS_OK)
		snprintf(why, whysz, "upload %s: %s", id, pss_strerror(e));
	return e;
}

/* The payload's scriptId (> 0), or 0 with why said. */
static int64_t
payload_script_id(struct json_object *payload, char *why, size_t whysz)
{
	struct json_object *v;
	int64_t id;

	if (!json_object_object_get_ex(payload, "scriptId", &v) ||
	    (id = json_object_get_int64(v)) <= 0) {
		snprintf(why, whysz, "payload needs a scriptId");
		return 0;
	}
	return id;
}

/* analysis.run {scriptId}: analyse and store, with an AI provider's prose when one is
 * configured (library_analysis_job). */
static enum pss_err
job_analysis(struct worker *w, struct json_object *payload, char *why, size_t whysz)
{
	int64_t id = payload_script_id(payload, why, whysz);

	return id == 0 ? PSS_EINVAL : library_analysis_job(&w->svc, id, &w->analyze, why, whysz);
}

/* embedding.compute {scriptId}: embed and store (library_embedding_compute); {chatId}: a
 * conversation's (chat_history_embed). */
static enum pss_err
job_embedding(struct worker *w, struct json_object *payload, char *why, size_t whysz)
{
	struct json_object *v;
	int64_t id;

	if (json_object_object_get_ex(payload, "chatId", &v)) {
		if ((id = json_object_get_int64(v)) > 0)
			return chat_history_embed(&w->svc, id, why, whysz);
		snprintf(why, whysz, "payload needs a chatId > 0");
		return PSS_EINVAL;
	}
	id = payload_script_id(payload, why, whysz);

	return id == 0 ? PSS_EINVAL : library_embedding_compute(&w->svc, id, why, whysz);
}

/* embedding.index {}: the flat vector file brought up to date (library_embedding_index). */
static enum pss_err
job_embed_index(struct worker *w, struct json_object *payload, char *why, size_t whysz)
{
	int64_t rows;

	(void)payload;
	return library_embedding_index(&w->svc, &rows, why, whysz);
}

/* The crawl's heartbeat: the job stays ours while the crawl runs; false once asked to stop. */
static bool
crawl_alive(void *arg)
{
	struct worker *w = arg;

	(void)jobs_heartbeat(w->db, w->job_id);
	return !stopping;
}

/* docs.crawl {crawlId}: a documentation crawl (crawls_run). */
static enum pss_err
job_crawl(struct worker *w, struct json_object *payload, char *why, size_t whysz)
{
	struct json_object *v;
	int64_t id;

	if (!json_object_object_get_ex(payload, "crawlId", &v) ||
	    (id = json_object_get_int64(v)) <= 0) {
		snprintf(why, whysz, "payload needs a crawlId");
		return PSS_EINVAL;
	}
	return crawls_run(&w->svc, id, crawl_alive, w, why, whysz);
}

/* test.sleep {ms, fail}: for the test suite only (PSSCRIPT_TEST_JOBS=1): sleeps with
 * heartbeats, then succeeds or fails with the given reason. */
static enum pss_err
job_test_sleep(struct worker *w, struct json_object *payload, char *why, size_t whysz)
{
	struct json_object *v;
	int64_t ms = 0;

	if (json_object_object_get_ex(payload, "ms", &v))
		ms = json_object_get_int64(v);
	while (ms > 0 && !stopping) {
		int64_t step = ms < 200 ? ms : 200;

		time_sleep_ms(step);
		ms -= step;
		(void)jobs_heartbeat(w->db, w->job_id);
	}
	if (json_object_object_get_ex(payload, "fail", &v) && json_object_is_type(v, json_type_string)) {
		snprintf(why, whysz, "%s", json_object_get_string(v));
		return PSS_EINTERNAL;
	}
	return PSS_OK;
}

static const struct {
	const char	*type;
	job_fn		 fn;
	bool		 test_only;
} job_types[] = {
	{ "maintenance.cleanup", job_cleanup, false },
	{ "upload.process", job_upload, false },
	{ "analysis.run", job_analysis, false },
	{ CRAWLS_JOB, job_crawl, false },
	{ LIBRARY_JOB_EMBEDDING, job_embedding, false },
	{ LIBRARY_JOB_EMBED_INDEX, job_embed_index, false },
	{ "test.sleep", job_test_sleep, true },
};

static void
run_job(struct worker *w, struct job *j, bool test_jobs)
{
	job_fn fn = NULL;
	char why[512] = "";
	struct json_object *payload;
	enum pss_err e;
	int64_t t0 = time_mono_ms();

	for (size_t i = 0; i < PSS_ARRAY_LEN(job_types); i++)
		if (strcmp(job_types[i].type, j->type) == 0 && (!job_types[i].test_only || test_jobs))
			fn = job_types[i].fn;
	w->job_id = j->id;
	payload = json_tokener_parse(j->payload);
	if (fn == NULL) {
		snprintf(why, sizeof(why), "unknown job type \"%.100s\"", j->type);
		e = PSS_EINVAL;
	} else if (payload == NULL) {
		snprintf(why, sizeof(why), "payload is not JSON");
		e = PSS_EINVAL;
	} else
		e = fn(w, payload, why, sizeof(why));
	json_object_put(payload);
	if (e == PSS_OK) {
		(void)jobs_complete(w->db, j->id);
		metrics_add(M_JOBS_DONE, 1);
		log_info("job %lld %s done in %lld ms", (long long)j->id, j->type,
		    (long long)(time_mono_ms() - t0));
		return;
	}
	if (why[0] == '\0')
		snprintf(why, sizeof(why), "%s", pss_strerror(e));
	metrics_add(M_JOBS_FAILED, 1);
	log_warn("job %lld %s attempt %d/%d failed: %s", (long long)j->id, j->type, j->attempts,
	    j->max_attempts, why);
	/* PSS_EINVAL: bad type or payload, it will never succeed: no more attempts. */
	if (db_ensure(w->db) == PSS_OK)
		(void)jobs_fail(w->db, j, why, w->conf->job_retry_base_ms, e == PSS_EINVAL);
}

/* reanalyze_due: when a sweep is due (REANALYZE_BATCH > 0), queues the next batch of stale
 * analyses and sets when the next sweep is due; true when it queued any. */
static bool
reanalyze_due(struct worker *w, int64_t *next)
{
	int64_t now = time_mono_ms(), queued = 0;

	if (w->conf->reanalyze_batch <= 0 || now < *next)
		return false;
	if (library_reanalysis_sweep(&w->svc, w->conf->reanalyze_batch, &queued) != PSS_OK) {
		*next = now + 60000;
		return false;
	}
	*next = queued >= w->conf->reanalyze_batch ? now : now + w->conf->reanalyze_interval_s * 1000;
	return queued > 0;
}

/* ANALYZER_SETTINGS: the settings file the analysis jobs use; 0, or -1 with the reason
 * (naming the file and the key) on stderr. Warnings are logged. */
static int
load_analyzer_settings(const char *path, struct ps_settings **out)
{
	struct buf err = BUF_INIT, warn = BUF_INIT;
	int rc = library_analyzer_load(path, out, &err, &warn);

	if (rc != 0)
		fprintf(stderr, "psscript-worker: configuration error: ANALYZER_SETTINGS=%s: %s\n",
		    path, buf_cstr(&err));
	else if (warn.len > 0)
		log_warn("ANALYZER_SETTINGS=%s: %s", path, buf_cstr(&warn));
	buf_free(&err);
	buf_free(&warn);
	return rc;
}

int
main(int argc, char **argv)
{
	struct conf conf;
	struct worker w;
	struct ps_settings *settings = NULL;
	char err[512], host[64];
	bool test_jobs;
	int64_t next_sweep = 0, next_answer_sweep = 0;
	const char *tj = getenv("PSSCRIPT_TEST_JOBS");

	(void)argc;
	(void)argv;
	if (conf_load(&conf, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "psscript-worker: configuration error: %s\n", err);
		return 2;
	}
	test_jobs = tj != NULL && strcmp(tj, "1") == 0;
	log_init("psscript-worker", log_level_parse(conf.log_level));
	memset(&w, 0, sizeof(w));
	if (conf.analyzer_settings[0] != '\0' &&
	    load_analyzer_settings(conf.analyzer_settings, &settings) != 0) {
		conf_free(&conf);
		return 2;
	}
	w.analyze.settings = settings;
	mem_keep_heap();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(w.id, sizeof(w.id), "%s:%ld", host, (long)getpid());
	w.conf = &conf;
	(void)metrics_open(conf.metrics_file);
	w.db = db_open(&conf, true);
	w.cache = cache_open(&conf, w.db);	/* its invalidations reach the FastCGI workers */
	w.svc = (struct svc){ &conf, w.db, w.cache };
	(void)db_listen(w.db, JOBS_CHANNEL);
	log_info("worker %s ready", w.id);
	if (ai_configured(&conf))
		log_info("analysis prose from %s", conf.ai_api_url[0] != '\0' ?
		    "an OpenAI-compatible API (AI_API_URL)" : "the PSScript AI service (AI_SERVICE_URL)");
	while (!stopping) {
		struct job j;
		enum pss_err e;
		static int64_t next_cleanup;

		/* Housekeeping once an hour: whichever runner gets here first queues it; the
		 * unique dedup_key keeps it to one queued job however many runners there are. */
		if (time_mono_ms() >= next_cleanup && db_connected(w.db)) {
			(void)db_exec(w.db, NULL, "INSERT INTO jobs (type, dedup_key) SELECT 'maintenance.cleanup',"
			    " 'maintenance.cleanup' WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE type ="
			    " 'maintenance.cleanup' AND created_at > now() - interval '1 hour')"
			    " ON CONFLICT DO NOTHING", 0, NULL);
			next_cleanup = time_mono_ms() + 600000;
		}

		/* The FastCGI workers' answer files (http.h): those no worker has written for
		 * their age, then the oldest over the size cap, once a minute. */
		if (conf.answer_files_dir[0] != '\0' && time_mono_ms() >= next_answer_sweep) {
			long n = dir_sweep(conf.answer_files_dir, HTTP_ANSWER_FILES_MAX_AGE_S,
			    (uint64_t)conf.answer_files_max_mb * 1024 * 1024);

			if (n < 0)
				log_warn("answer files: cannot read %s", conf.answer_files_dir);
			else if (n > 0)
				log_info("answer files: %ld removed", n);
			next_answer_sweep = time_mono_ms() + 60000;
		}

		if (db_ensure(w.db) != PSS_OK) {
			time_sleep_ms(1000);
			continue;
		}
		e = jobs_claim(w.db, w.id, conf.job_lock_timeout_s, &j);
		if (e == PSS_OK) {
			run_job(&w, &j, test_jobs);
			job_free(&j);
			continue;
		}
		if (e != PSS_ENOTFOUND) {
			time_sleep_ms(1000);
			continue;
		}
		/* Nothing to do: the analyses of an older analyzer first (a bounded batch at the
		 * lowest priority, so new uploads and analyses still go first), at start and then
		 * every REANALYZE_INTERVAL_S, at once again while batches come back full. */
		if (reanalyze_due(&w, &next_sweep))
			continue;
		/* Nothing to do: sleep until a NOTIFY on "jobs" or the poll interval (which also
		 * catches retries coming due and jobs of dead workers). */
		if (db_wait(w.db, conf.job_poll_interval_ms) > 0)
			(void)db_notifies(w.db, NULL, NULL);
	}
	log_info("worker %s stopping", w.id);
	cache_close(w.cache);
	db_close(w.db);
	metrics_close();
	ps_settings_free(settings);
	conf_free(&conf);
	return 0;
}
