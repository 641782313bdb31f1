/* analytics.h: the analytics (security, usage, categories, their summary) over what the
 * caller may see, cached per part, scope and filter; and the operations figures (the
 * workers' shared counters, the job queue, the processes, the versions against the spec's
 * targets) that /admin/operations and `psscript stats` show */
#ifndef PSS_SERVICES_ANALYTICS_H
#define PSS_SERVICES_ANALYTICS_H

#include <json-c/json.h>

#include "core/metrics.h"
#include "db/analytics.h"
#include "services/svc.h"

enum analytics_part {
	ANALYTICS_SECURITY,
	ANALYTICS_USAGE,
	ANALYTICS_CATEGORIES,
	ANALYTICS_SUMMARY,	/* the three above, each under its name (each from its own entry) */
	ANALYTICS__MAX
};
extern const char *const analytics_parts[ANALYTICS__MAX];	/* "security", ... */

#define ANALYTICS_DAYS_DEFAULT	30
#define ANALYTICS_DAYS_MIN	7
#define ANALYTICS_DAYS_MAX	365
#define ANALYTICS_TTL		CACHE_TTL_ANALYTICS	/* 3600 s */

/* analytics_filter_parse: the query parameters days and categoryId (NULL when absent; an
 * empty categoryId, the page form's "every category", too) into f; PSS_EINVAL with err naming the field when out of range. analytics_param_known: whether
 * name is one of them (any other parameter is a 400). */
enum pss_err analytics_filter_parse(const char *days, const char *category_id,
	struct analytics_filter *f, struct svc_err *err);
bool	 analytics_param_known(const char *name);

/* analytics_cache_key: analytics:{part}:{scope}:{filters} into key (n bytes): scope "all"
 * for an administrator, "u{id}" for a user (public scripts and theirs); filters
 * "d{days}.c{categoryId or 0}" (security and categories do not depend on days: "c{id}"). */
void	 analytics_cache_key(char *key, size_t n, enum analytics_part, const struct viewer *,
	const struct analytics_filter *);

/* analytics_build: the part's object for a signed-in viewer (caller puts), uncached: API.md's
 * members plus scope {kind: all or visible, description}, filters {days, categoryId}, and
 * what the pages draw (db/analytics.h). commonIssues items gain name (the rule's title, or
 * its id for a rule the analyzer does not know), docsUrl (or null) and url (the page of the
 * scripts that have it); categories gain percentage (of totalScripts, one decimal);
 * scriptsChange and analysesChange are the percentage change from the previous period (one
 * decimal; null when that period had none). */
enum pss_err analytics_build(const struct svc *, const struct viewer *, enum analytics_part,
	const struct analytics_filter *, struct json_object **out);
/* analytics_get: analytics_build through the cache (library_cache_get / _put, hot copies
 * included) under analytics_cache_key. */
enum pss_err analytics_get(const struct svc *, const struct viewer *, enum analytics_part,
	const struct analytics_filter *, struct json_object **out);

/* analytics_page_key: analytics:page:{scope}:{filters}, the /analytics page's content as
 * HTML (dropped with every other analytics entry). analytics_text_get: the text under key
 * (caller frees; hot copies included), NULL on a miss; analytics_text_put: stores it for
 * ANALYTICS_TTL. */
void	 analytics_page_key(char *key, size_t n, const struct viewer *, const struct analytics_filter *);
char	*analytics_text_get(const struct svc *, const char *key, size_t *len);
void	 analytics_text_put(const struct svc *, const char *key, const char *text, size_t len);

/* analytics_rule: the page of a finding: {ruleId, name, docsUrl, scripts, total} (the
 * visible scripts with it, at most 100). PSS_EINVAL for an id that is not a rule id's shape
 * (1..100 of [A-Za-z0-9_.-]). Not cached. */
enum pss_err analytics_rule(const struct svc *, const struct viewer *, const char *rule_id,
	struct json_object **out);

/* The spec's monitoring targets (DATABASE.md, Monitoring Recommendations). */
#define OPS_TARGET_QUERY_MS	100.0	/* query time (p95) under */
#define OPS_TARGET_POOL_PCT	80.0	/* connections in use of PostgreSQL's max, under */
#define OPS_TARGET_HIT_PCT	90.0	/* cache hit rate, over */
#define OPS_TARGET_DEADLOCKS	0.0	/* deadlock retries an hour */

/*
 * ops_snapshot: the operations figures (caller puts): {generatedAt, countingSince, uptimeSeconds,
 * requests {total, perSecond}, routes [{route, requests, perSecond, errors (5xx), p50Ms,
 * p95Ms, meanMs}] (busiest first, routes with requests only), query {count, meanMs, p50Ms,
 * p95Ms}, database {reconnects, deadlockRetries, deadlocksPerHour, errors, connections,
 * maxConnections, poolPercent}, cache {hits, misses, hotHits, errors, reconnects, hitRate,
 * redisUp}, jobs {queueDepth, oldestQueuedSeconds, done, failedAttempts, byType [{type,
 * queued, running, failed, done, retried}]}, processes [{pid, program, rssKb}], versions
 * {psscript, postgres, redis, nginx}, targets [{metric, target, value, unit, exceeded,
 * text}]}. route_names[i] names metrics route i. A figure the database cannot give (down)
 * is null; the counters never need it.
 */
struct json_object *ops_snapshot(const struct svc *, const char *const *route_names,
	unsigned nroutes);
/* ops_text: the snapshot as the plain text `psscript stats` prints, each exceeded target
 * marked "EXCEEDED". */
void	 ops_text(struct json_object *snapshot, struct buf *out);

#endif
