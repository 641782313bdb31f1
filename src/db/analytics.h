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

/* The parts, as bits of db_analytics_parts's want and indexes of its out. */
#define DB_ANALYTICS_PARTS	3
#define DB_ANALYTICS_SECURITY	(1u << 0)
#define DB_ANALYTICS_USAGE	(1u << 1)
#define DB_ANALYTICS_CATEGORIES	(1u << 2)

/*
 * db_analytics_parts: each wanted part's object into out[i] (caller puts; all NULL on
 * failure), all of them from ONE statement over 0030's rollup (analytics_scripts,
 * analytics_rule_totals), in API.md's shape plus the members the pages draw; scores have
 * one decimal.
 * [0] security: {averageScore (null when nothing is analysed), totalScriptsAnalyzed,
 *   highSecurityCount, mediumSecurityCount, lowSecurityCount (security score >= 8, >= 5, < 5),
 *   riskBuckets {high, medium, low} (risk score, same bounds), scoreDistribution [{score 0..10,
 *   count}] (floor of the score), commonIssues [{ruleId, count (findings), scriptCount}] (the
 *   ten most frequent), riskiestScripts [{id, title, isPublic, riskScore, securityScore}] (ten)}
 * [1] usage: {totalScripts, scriptsLastPeriod, scriptsPreviousPeriod, totalUsers,
 *   totalAnalyses, analysesLastPeriod, analysesPreviousPeriod, totalExecutions,
 *   scriptsByDate [{date, count}], analysesByDate [{date, count}]}: days UTC dates ending
 *   today, zero days included; the previous period is the days before them.
 * [2] categories: {categories [{id, name, count}] (every category, by count then
 *   name), uncategorized, totalScripts}
 */
enum pss_err db_analytics_parts(struct db *, const struct viewer *, const struct analytics_filter *,
	unsigned want, struct json_object *out[DB_ANALYTICS_PARTS]);
/* db_analytics_rule_scripts: the visible scripts whose analysis has findings of rule_id, most
 * findings first, at most limit: {scripts: [{id, title, isPublic, occurrences,
 * securityScore}], total}. */
enum pss_err db_analytics_rule_scripts(struct db *, const struct viewer *, const char *rule_id,
	int limit, struct json_object **out);

/* db_operations: {postgresVersion, connections, maxConnections, jobs: [{type, queued,
 * running, failed, done}], queueDepth (queued and running), oldestQueuedSeconds}. */
enum pss_err db_operations(struct db *, struct json_object **out);

#endif
