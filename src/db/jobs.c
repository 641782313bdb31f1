/* jobs.c: the job queue's SQL: enqueue, claim with SKIP LOCKED, heartbeat, complete, fail */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/jobs.h"

enum pss_err
jobs_enqueue(struct db *db, const char *type, const char *payload, int max_attempts, int64_t *id)
{
	struct db_res *r;
	char max[16];
	enum pss_err e;

	snprintf(max, sizeof(max), "%d", max_attempts);
	e = db_exec(db, &r, "INSERT INTO jobs (type, payload, max_attempts)"
	    " VALUES ($1, COALESCE($2::jsonb, '{}'), $3) RETURNING id", 3,
	    (const char *[]){ type, payload, max });
	if (e != PSS_OK)
		return e;
	if (id != NULL)
		*id = db_res_rows(r) == 1 ? db_res_int(r, 0, 0) : 0;
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
jobs_enqueue_keyed(struct db *db, const char *type, const char *payload, const char *key,
    int max_attempts, bool *added)
{
	struct db_res *r;
	char max[16];
	enum pss_err e;

	snprintf(max, sizeof(max), "%d", max_attempts);
	e = db_exec(db, &r,
	    "INSERT INTO jobs (type, payload, max_attempts, dedup_key)"
	    " VALUES ($1, COALESCE($2::jsonb, '{}'), $3, $4) ON CONFLICT (dedup_key)"
	    " WHERE dedup_key IS NOT NULL AND status IN ('queued', 'running') DO NOTHING RETURNING id",
	    4, (const char *[]){ type, payload, max, key });
	if (e != PSS_OK)
		return e;
	if (added != NULL)
		*added = db_res_rows(r) == 1;
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
jobs_claim(struct db *db, const char *worker_id, int64_t lock_timeout_s, struct job *j)
{
	struct db_res *r;
	char secs[24];
	enum pss_err e;

	memset(j, 0, sizeof(*j));
	snprintf(secs, sizeof(secs), "%lld", (long long)lock_timeout_s);
	for (;;) {
		e = db_exec(db, &r,
		    "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1,"
		    " locked_at = now(), heartbeat_at = now()"
		    /* A job of a dead worker first, else the next queued one: two scalar
		     * subqueries, each an index scan of its partial index (one query with OR
		     * scanned and sorted the whole table at every claim: quadratic in a backlog). */
		    " WHERE id = COALESCE((SELECT id FROM jobs WHERE status = 'running'"
		    "   AND heartbeat_at < now() - make_interval(secs => $2::int)"
		    "   ORDER BY heartbeat_at LIMIT 1 FOR UPDATE SKIP LOCKED),"
		    "  (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= now()"
		    "   ORDER BY priority DESC, run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED))"
		    " RETURNING id, type, payload::text, attempts, max_attempts",
		    2, (const char *[]){ worker_id, secs });
		if (e != PSS_OK)
			return e;
		if (db_res_rows(r) == 0) {
			db_res_free(r);
			return PSS_ENOTFOUND;
		}
		j->id = db_res_int(r, 0, 0);
		j->attempts = (int)db_res_int(r, 0, 3);
		j->max_attempts = (int)db_res_int(r, 0, 4);
		if (j->attempts > j->max_attempts) {
			/* Taken back from a dead worker after its last attempt: it failed for good. */
			char id[24];

			snprintf(id, sizeof(id), "%lld", (long long)j->id);
			db_res_free(r);
			log_warn("job %s: its worker died during the last attempt; marked failed", id);
			(void)db_exec(db, NULL,
			    "UPDATE jobs SET status = 'failed', finished_at = now(), locked_by = NULL,"
			    " last_error = 'the worker running it stopped (attempts exhausted)'"
			    " WHERE id = $1", 1, (const char *[]){ id });
			continue;
		}
		j->type = xstrdup(db_res_get(r, 0, 1));
		j->payload = xstrdup(db_res_get(r, 0, 2));
		db_res_free(r);
		return PSS_OK;
	}
}

static enum pss_err
by_id(struct db *db, const char *sql, int64_t id)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", (long long)id);
	return db_exec(db, NULL, sql, 1, (const char *[]){ s });
}

enum pss_err
jobs_heartbeat(struct db *db, int64_t id)
{
	return by_id(db, "UPDATE jobs SET heartbeat_at = now() WHERE id = $1", id);
}

enum pss_err
jobs_complete(struct db *db, int64_t id)
{
	return by_id(db, "UPDATE jobs SET status = 'done', finished_at = now(), locked_by = NULL,"
	    " last_error = NULL WHERE id = $1", id);
}

enum pss_err
jobs_fail(struct db *db, const struct job *j, const char *reason, int64_t base_ms,
    bool permanent)
{
	char id[24], delay[32];
	int64_t ms = base_ms;

	for (int i = 1; i < j->attempts && ms < 3600000; i++)
		ms *= 2;
	if (ms > 3600000)
		ms = 3600000;
	snprintf(id, sizeof(id), "%lld", (long long)j->id);
	snprintf(delay, sizeof(delay), "%lld", (long long)ms);
	return db_exec(db, NULL,
	    "UPDATE jobs SET last_error = $2, locked_by = NULL,"
	    " status = CASE WHEN $4 OR attempts >= max_attempts THEN 'failed' ELSE 'queued' END,"
	    " finished_at = CASE WHEN $4 OR attempts >= max_attempts THEN now() END,"
	    " run_at = now() + make_interval(secs => $3::double precision / 1000)"
	    " WHERE id = $1", 4, (const char *[]){ id, reason, delay, permanent ? "true" : "false" });
}

void
job_free(struct job *j)
{
	free(j->type);
	free(j->payload);
	memset(j, 0, sizeof(*j));
}

int64_t
jobs_queue_depth(struct db *db)
{
	struct db_res *r;
	int64_t n;

	if (db_exec(db, &r, "SELECT count(*) FROM jobs WHERE status = 'queued'", 0, NULL) != PSS_OK)
		return -1;
	n = db_res_int(r, 0, 0);
	db_res_free(r);
	return n;
}

enum pss_err
jobs_set_priority(struct db *db, int64_t id, int priority)
{
	char jid[24], prio[16];

	snprintf(jid, sizeof(jid), "%lld", (long long)id);
	snprintf(prio, sizeof(prio), "%d", priority);
	return db_exec(db, NULL, "UPDATE jobs SET priority = $2 WHERE id = $1", 2,
	    (const char *[]){ jid, prio });
}

enum pss_err
jobs_done_queued(struct db *db, const char *type, const char *key, const char *value)
{
	return db_exec(db, NULL, "UPDATE jobs SET status = 'done', finished_at = now()"
	    " WHERE type = $1 AND status = 'queued' AND payload->>$2 = $3", 3,
	    (const char *[]){ type, key, value });
}
