/* analytics.h: the analytics' aggregate queries over the scripts a viewer may see, and the
 * operations figures the database holds (job queue, connections, version) */
#ifndef PSS_DB_ANALYTICS_H
#define PSS_DB_ANALYTICS_H

#include "db/rows.h"

/* What the figures cover: the viewer's visible scripts (services/analytics.h validated). */
struct analytics_filter {
	int64_t	 category_id;	/* 0: every category */
	int	 days;		/* 7..365: the usage window */
};

/*
 * Each fills *out with one object (caller puts; NULL on failure) in API.md's shape plus the
 * members the pages draw; scores have one decimal.
 * db_analytics_security: {averageScore (null when nothing is analysed), totalScriptsAnalyzed,
 *   highSecurityCount, mediumSecurityCount, lowSecurityCount (security score >= 8, >= 5, < 5),
 *   riskBuckets {high, medium, low} (risk score, same bounds), scoreDistribution [{score 0..10,
 *   count}] (floor of the score), commonIssues [{ruleId, count (findings), scriptCount}] (the
 *   ten most frequent), riskiestScripts [{id, title, isPublic, riskScore, securityScore}] (ten)}
 * db_analytics_usage: {totalScripts, scriptsLastPeriod, scriptsPreviousPeriod, totalUsers,
 *   totalAnalyses, analysesLastPeriod, analysesPreviousPeriod, totalExecutions,
 *   scriptsByDate [{date, count}], analysesByDate [{date, count}]}: days UTC dates ending
 *   today, zero days included; the previous period is the days before them.
 * db_analytics_categories: {categories [{id, name, count}] (every category, by count then
 *   name), uncategorized, totalScripts}
 */
enum pss_err db_analytics_security(struct db *, const struct viewer *,
	const struct analytics_filter *, struct json_object **out);
enum pss_err db_analytics_usage(struct db *, const struct viewer *,
	const struct analytics_filter *, struct json_object **out);
enum pss_err db_analytics_categories(struct db *, const struct viewer *,
	const struct analytics_filter *, struct json_object **out);
/* db_analytics_rule_scripts: the visible scripts whose analysis has findings of rule_id, most
 * findings first, at most limit: {scripts: [{id, title, isPublic, occurrences,
 * securityScore}], total}. */
enum pss_err db_analytics_rule_scripts(struct db *, const struct viewer *, const char *rule_id,
	int limit, struct json_object **out);

/* db_operations: {postgresVersion, connections, maxConnections, jobs: [{type, queued,
 * running, failed, done}], queueDepth (queued and running), oldestQueuedSeconds}. */
enum pss_err db_operations(struct db *, struct json_object **out);

#endif
