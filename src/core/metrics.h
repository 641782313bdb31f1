/* metrics.h: request, query, cache and job counters shared by all worker processes */
#ifndef PSS_METRICS_H
#define PSS_METRICS_H

#include <stdint.h>

#include "core/core.h"

#define METRICS_MAX_ROUTES 160

enum metric_counter {
	M_DB_RECONNECTS,
	M_DB_DEADLOCK_RETRIES,
	M_DB_ERRORS,
	M_CACHE_HITS,
	M_CACHE_MISSES,
	M_CACHE_ERRORS,
	M_CACHE_RECONNECTS,
	M_CACHE_HOT_HITS,
	M_REJECTED_REQUESTS,
	M_JOBS_DONE,
	M_JOBS_FAILED,
	/* psscript_ai_requests_total{outcome=...}: each request of the analysis job to an AI
	 * provider by how it ended; in the order of ai.h's enum ai_outcome */
	M_AI_OK,
	M_AI_REFUSED,
	M_AI_TIMEOUT,
	M_AI_SLOW,
	M_AI_TOO_BIG,
	M_AI_REDIRECT,
	M_AI_TLS,
	M_AI_IO,
	M_AI_STATUS,
	M_AI_BAD_JSON,
	M_AI_BAD_ANSWER,
	M_ANALYSES_STALE_QUEUED,
	M_GZIP_COMPRESSED,
	M_GZIP_MEMO_HITS,
	M_GZIP_PAGES,
	M_GZIP_PIECES,
	M_GZIP_UNCACHED,
	M_ANSWER_FILES_SENT,
	M_ANSWER_FILES_WRITTEN,
	M_ANSWER_FILES_FAILED,
	M_ANSWER_FILES_FALLBACKS,
	M__MAX
};

/* metrics_open: maps the shared counters file (created if missing) and claims a slot for this
 * process; with path NULL or "" the counters are this process's only. 0 or -1 (logged). */
int	 metrics_open(const char *path);
void	 metrics_close(void);
void	 metrics_request(unsigned route, int status, int64_t us);	/* route < METRICS_MAX_ROUTES */
void	 metrics_query(int64_t us);
void	 metrics_add(enum metric_counter, uint64_t delta);
/* metrics_render: Prometheus text summed over every slot; route_names[i] names route i,
 * gauges are extra "name value\n" lines appended by the caller. */
void	 metrics_render(struct buf *, const char *const *route_names, unsigned nroutes);

/* What the operations page and `psscript stats` read: the counters summed over every slot,
 * the live processes that share the file, and when the file's counting began. */
#define METRICS_NBUCKETS 12	/* 11 bounds (metrics_bucket_bound) and +Inf */
#define METRICS_MAX_PIDS 64
struct metrics_route {
	uint64_t status[6];	/* 1xx..5xx, other */
	uint64_t bucket[METRICS_NBUCKETS];
	uint64_t sum_us;
};
struct metrics_view {
	struct metrics_route routes[METRICS_MAX_ROUTES];
	uint64_t query_bucket[METRICS_NBUCKETS];
	uint64_t query_sum_us;
	uint64_t counters[M__MAX];
	int64_t	 started_ms;	/* wall clock when the file began counting; 0 if unknown */
	int32_t	 pids[METRICS_MAX_PIDS];	/* live processes with a slot */
	unsigned npids;
};
/* metrics_read: fills v (large: allocate it). */
void	 metrics_read(struct metrics_view *v);
/* metrics_bucket_bound: bucket k's upper bound in seconds (+Inf for the last). */
double	 metrics_bucket_bound(unsigned k);
/* metrics_quantile: the q-quantile (0..1) in seconds of a histogram, by linear interpolation
 * inside its bucket (the last bucket answers its lower bound); -1 when empty. */
double	 metrics_quantile(const uint64_t bucket[METRICS_NBUCKETS], double q);

#endif
