/* metrics.c: counters in a shared memory file, one slot per process, summed at scrape time */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/core.h"
#include "core/metrics.h"

#define SLOTS		METRICS_MAX_PIDS
#define NBUCKETS	METRICS_NBUCKETS	/* 11 bounds and +Inf */
#define MAGIC		0x7073736d65747238ULL	/* "pssmetr8": the layout's version */

static const double bounds_s[NBUCKETS - 1] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5,
};
static const char *const counter_names[M__MAX][2] = {
	{ "psscript_db_reconnects_total", "Database reconnections" },
	{ "psscript_db_deadlock_retries_total", "Transactions retried after a deadlock or serialization failure" },
	{ "psscript_db_errors_total", "Failed database statements" },
	{ "psscript_cache_hits_total", "Cache hits (Redis or in-process)" },
	{ "psscript_cache_misses_total", "Cache misses" },
	{ "psscript_cache_errors_total", "Redis errors (each served as a miss)" },
	{ "psscript_cache_reconnects_total", "Redis reconnections" },
	{ "psscript_cache_hot_hits_total", "Cache hits answered from a worker's hot copy, with no Redis round trip" },
	{ "psscript_rejected_requests_total", "Requests rejected before routing (bad path, body, headers)" },
	{ "psscript_jobs_done_total", "Jobs completed" },
	{ "psscript_jobs_failed_total", "Job attempts that failed" },
#define AI_HELP "Requests of the analysis job to an AI provider, by outcome"
	{ "psscript_ai_requests_total{outcome=\"ok\"}", AI_HELP },
	{ "psscript_ai_requests_total{outcome=\"refused\"}", AI_HELP },
	{ "psscript_ai_requests_total{outcome=\"timeout\"}", AI_HELP },
	{ "psscript_ai_requests_total{outcome=\"slow\"}", AI_HELP },
	{ "psscript_ai_requests_total{outcome=\"too_big\"}", AI_HELP },
	{ "psscript_ai_requests_total{outcome=\"redirect\"}", AI_HELP },
	{ "psscript_ai_requests_total{outcome=\"tls\"}", AI_HELP },
	{ "psscript_ai_requests_total{outcome=\"io\"}", AI_HELP },
	{ "psscript_ai_requests_total{outcome=\"status\"}", AI_HELP },
	{ "psscript_ai_requests_total{outcome=\"bad_json\"}", AI_HELP },
	{ "psscript_ai_requests_total{outcome=\"bad_answer\"}", AI_HELP },
	{ "psscript_analyses_stale_queued_total", "Analyses of an older analyzer version queued for re-analysis by the job runner" },
	{ "psscript_gzip_compressed_total", "Cached answers gzip-encoded (once per worker and value)" },
	{ "psscript_gzip_memo_hits_total", "Cached answers sent gzip-encoded from a worker's memo" },
	{ "psscript_gzip_pages_total", "Pages sent gzip-encoded: shared fragments as pieces, every other byte stored" },
	{ "psscript_gzip_pieces_total", "Page fragments compressed into pieces (once per worker and fragment)" },
	{ "psscript_gzip_uncached_total", "Answers made for one request (the ad-hoc analysis, an analysis export) gzip-encoded for the client that asked" },
	{ "psscript_answer_files_sent_total", "Cached answers sent by nginx from an answer file (X-Accel-Redirect)" },
	{ "psscript_answer_files_written_total", "Answer files written (once per worker and answer, again every 10 minutes in use)" },
	{ "psscript_answer_files_failed_total", "Answer files that could not be written (the answer went over FastCGI)" },
	{ "psscript_answer_files_fallbacks_total", "Requests nginx passed back because their answer file was gone" },
};

#define route_stats metrics_route

struct slot {
	int32_t	 pid;
	int32_t	 pad;
	struct route_stats routes[METRICS_MAX_ROUTES];
	uint64_t query_bucket[NBUCKETS];
	uint64_t query_sum_us;
	uint64_t counters[M__MAX];
};

struct shared {
	uint64_t magic;
	int64_t	 started_ms;	/* when this layout's counting began */
	struct slot slots[SLOTS];
};

static struct shared *shm;
static size_t shm_size;
static struct slot local_slot;
static struct slot *me = &local_slot;

static bool
pid_dead(int32_t pid)
{
	return pid == 0 || (kill(pid, 0) == -1 && errno == ESRCH);
}

int
metrics_open(const char *path)
{
	int32_t mypid = (int32_t)getpid();

	if (path == NULL || *path == '\0')
		return 0;
	shm_size = sizeof(struct shared);
	if ((shm = mem_map_shared(path, shm_size)) == NULL) {
		log_error("metrics file %s: %s", path, strerror(errno));
		return -1;
	}
	{
		/* A file of another layout (left by an older version): its first process of this
		 * version starts it again from zero. */
		uint64_t old = __atomic_load_n(&shm->magic, __ATOMIC_ACQUIRE);

		if (old != MAGIC && __atomic_compare_exchange_n(&shm->magic, &old, MAGIC, false,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			memset(shm->slots, 0, sizeof(shm->slots));
			__atomic_store_n(&shm->started_ms, time_wall_ms(), __ATOMIC_RELEASE);
		}
	}
	/* Claim a free slot, or the slot of a process that is gone: counters only grow, so
	 * carrying on from its values keeps every series monotonic. */
	for (int i = 0; i < SLOTS; i++) {
		int32_t old = __atomic_load_n(&shm->slots[i].pid, __ATOMIC_ACQUIRE);

		if (old == mypid || (pid_dead(old) &&
		    __atomic_compare_exchange_n(&shm->slots[i].pid, &old, mypid, false,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))) {
			me = &shm->slots[i];
			return 0;
		}
	}
	log_warn("metrics: all %d slots in use; this process counts locally", SLOTS);
	return 0;
}

void
metrics_close(void)
{
	if (shm != NULL) {
		munmap(shm, shm_size);
		shm = NULL;
	}
	me = &local_slot;
}

static unsigned
bucket_of(int64_t us)
{
	double s = (double)us / 1e6;
	unsigned b = 0;

	while (b < NBUCKETS - 1 && s > bounds_s[b])
		b++;
	return b;
}

void
metrics_request(unsigned route, int status, int64_t us)
{
	struct route_stats *r;
	unsigned cls = status >= 100 && status < 600 ? (unsigned)(status / 100 - 1) : 5;

	if (route >= METRICS_MAX_ROUTES)
		return;
	r = &me->routes[route];
	__atomic_add_fetch(&r->status[cls], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&r->bucket[bucket_of(us)], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&r->sum_us, (uint64_t)(us > 0 ? us : 0), __ATOMIC_RELAXED);
}

void
metrics_query(int64_t us)
{
	__atomic_add_fetch(&me->query_bucket[bucket_of(us)], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&me->query_sum_us, (uint64_t)(us > 0 ? us : 0), __ATOMIC_RELAXED);
}

void
metrics_add(enum metric_counter c, uint64_t delta)
{
	if ((unsigned)c < M__MAX && delta)
		__atomic_add_fetch(&me->counters[c], delta, __ATOMIC_RELAXED);
}

static void
sum_slots(struct slot *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < (shm ? SLOTS : 1); i++) {
		const struct slot *s = shm ? &shm->slots[i] : &local_slot;

		for (unsigned r = 0; r < METRICS_MAX_ROUTES; r++) {
			for (int k = 0; k < 6; k++)
				out->routes[r].status[k] += s->routes[r].status[k];
			for (int k = 0; k < NBUCKETS; k++)
				out->routes[r].bucket[k] += s->routes[r].bucket[k];
			out->routes[r].sum_us += s->routes[r].sum_us;
		}
		for (int k = 0; k < NBUCKETS; k++)
			out->query_bucket[k] += s->query_bucket[k];
		out->query_sum_us += s->query_sum_us;
		for (int k = 0; k < M__MAX; k++)
			out->counters[k] += s->counters[k];
	}
}

static void
histogram(struct buf *b, const char *name, const char *labels, const uint64_t *bucket,
    uint64_t sum_us)
{
	uint64_t cum = 0;

	for (int k = 0; k < NBUCKETS; k++) {
		cum += bucket[k];
		if (k < NBUCKETS - 1)
			buf_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, *labels ? "," : "",
			    bounds_s[k], (unsigned long long)cum);
		else
			buf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels,
			    *labels ? "," : "", (unsigned long long)cum);
	}
	buf_printf(b, "%s_sum{%s} %.6f\n", name, labels, (double)sum_us / 1e6);
	buf_printf(b, "%s_count{%s} %llu\n", name, labels, (unsigned long long)cum);
}

void
metrics_render(struct buf *b, const char *const *route_names, unsigned nroutes)
{
	static const char *const classes[6] = { "1xx", "2xx", "3xx", "4xx", "5xx", "other" };
	struct slot *sum = xmalloc(sizeof(*sum));
	char labels[160];

	sum_slots(sum);
	buf_puts(b, "# HELP psscript_requests_total HTTP requests by route and status class\n"
	    "# TYPE psscript_requests_total counter\n");
	for (unsigned r = 0; r < nroutes && r < METRICS_MAX_ROUTES; r++)
		for (int k = 0; k < 6; k++)
			if (sum->routes[r].status[k])
				buf_printf(b, "psscript_requests_total{route=\"%s\",status=\"%s\"} %llu\n",
				    route_names[r], classes[k],
				    (unsigned long long)sum->routes[r].status[k]);
	buf_puts(b, "# HELP psscript_request_duration_seconds Request latency by route\n"
	    "# TYPE psscript_request_duration_seconds histogram\n");
	for (unsigned r = 0; r < nroutes && r < METRICS_MAX_ROUTES; r++) {
		uint64_t n = 0;

		for (int k = 0; k < NBUCKETS; k++)
			n += sum->routes[r].bucket[k];
		if (n == 0)
			continue;
		snprintf(labels, sizeof(labels), "route=\"%s\"", route_names[r]);
		histogram(b, "psscript_request_duration_seconds", labels, sum->routes[r].bucket,
		    sum->routes[r].sum_us);
	}
	buf_puts(b, "# HELP psscript_db_query_duration_seconds Database statement latency\n"
	    "# TYPE psscript_db_query_duration_seconds histogram\n");
	histogram(b, "psscript_db_query_duration_seconds", "", sum->query_bucket, sum->query_sum_us);
	for (int k = 0; k < M__MAX; k++) {
		/* a family with labels is one name before its '{': one HELP and TYPE for all */
		const char *name = counter_names[k][0];
		int flen = (int)strcspn(name, "{");

		if (k == 0 || strncmp(counter_names[k - 1][0], name, (size_t)flen) != 0 ||
		    counter_names[k - 1][0][flen] != '{')
			buf_printf(b, "# HELP %.*s %s\n# TYPE %.*s counter\n", flen, name,
			    counter_names[k][1], flen, name);
		buf_printf(b, "%s %llu\n", name, (unsigned long long)sum->counters[k]);
	}
	free(sum);
}

void
metrics_read(struct metrics_view *v)
{
	struct slot *sum = xmalloc(sizeof(*sum));

	memset(v, 0, sizeof(*v));
	sum_slots(sum);
	memcpy(v->routes, sum->routes, sizeof(v->routes));
	memcpy(v->query_bucket, sum->query_bucket, sizeof(v->query_bucket));
	v->query_sum_us = sum->query_sum_us;
	memcpy(v->counters, sum->counters, sizeof(v->counters));
	free(sum);
	if (shm == NULL) {
		v->pids[v->npids++] = (int32_t)getpid();
		return;
	}
	v->started_ms = __atomic_load_n(&shm->started_ms, __ATOMIC_ACQUIRE);
	for (int i = 0; i < SLOTS; i++) {
		int32_t pid = __atomic_load_n(&shm->slots[i].pid, __ATOMIC_ACQUIRE);

		if (!pid_dead(pid))
			v->pids[v->npids++] = pid;
	}
}

double
metrics_bucket_bound(unsigned k)
{
	return k < NBUCKETS - 1 ? bounds_s[k] : INFINITY;
}

double
metrics_quantile(const uint64_t bucket[METRICS_NBUCKETS], double q)
{
	uint64_t n = 0, cum = 0;
	double rank;

	for (int k = 0; k < NBUCKETS; k++)
		n += bucket[k];
	if (n == 0)
		return -1;
	rank = q * (double)n;
	for (int k = 0; k < NBUCKETS; k++) {
		double lo = k == 0 ? 0 : bounds_s[k - 1];

		if (bucket[k] == 0 || (double)(cum + bucket[k]) < rank) {
			cum += bucket[k];
			continue;
		}
		if (k == NBUCKETS - 1)
			return lo;
		return lo + (bounds_s[k] - lo) * ((rank - (double)cum) / (double)bucket[k]);
	}
	return bounds_s[NBUCKETS - 2];
}
