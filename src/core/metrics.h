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

#endif
