/* jobs.h: the job queue in PostgreSQL (SKIP LOCKED, LISTEN/NOTIFY, retries with backoff) */
#ifndef PSS_JOBS_H
#define PSS_JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

#define JOBS_CHANNEL "jobs"

struct job {
	int64_t	 id;
	char	*type;
	char	*payload;	/* JSON text */
	int	 attempts;	/* including this one */
	int	 max_attempts;
};

/* jobs_enqueue: adds a job (payload is JSON text, NULL for {}); *id gets its id when not NULL.
 * Runs inside the caller's transaction when there is one. */
enum pss_err jobs_enqueue(struct db *, const char *type, const char *payload, int max_attempts,
	int64_t *id);
/* jobs_enqueue_keyed: adds a job with dedup_key key unless one with that key is queued or
 * running already (then nothing happens); *added (may be NULL) says which. */
enum pss_err jobs_enqueue_keyed(struct db *, const char *type, const char *payload, const char *key,
	int max_attempts, bool *added);
/* jobs_claim: takes the next runnable job: queued and due, or running with a heartbeat older
 * than lock_timeout_s (its worker died). PSS_ENOTFOUND when there is none. */
enum pss_err jobs_claim(struct db *, const char *worker_id, int64_t lock_timeout_s, struct job *);
enum pss_err jobs_heartbeat(struct db *, int64_t id);
enum pss_err jobs_complete(struct db *, int64_t id);
/* jobs_fail: back to the queue after base_ms * 2^(attempts-1) (capped at an hour), or failed
 * for good after its last attempt or when permanent (it can never succeed); the reason is
 * kept either way. */
enum pss_err jobs_fail(struct db *, const struct job *, const char *reason, int64_t base_ms,
	bool permanent);
void	 job_free(struct job *);
/* jobs_set_priority: a queued job's priority (higher runs first; the default is 0). */
enum pss_err jobs_set_priority(struct db *, int64_t id, int priority);
/* jobs_done_queued: the queued jobs of type whose payload member key is value are marked
 * done (their work was done another way). */
enum pss_err jobs_done_queued(struct db *, const char *type, const char *key, const char *value);
/* jobs_queue_depth: queued jobs (for /metrics); -1 on error. */
int64_t	 jobs_queue_depth(struct db *);

#endif
