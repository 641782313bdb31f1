/* analysis.h: storing an analysis in script_analysis (one row per script) */
#ifndef PSS_DB_ANALYSIS_H
#define PSS_DB_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* db_analysis_store: upserts the analysis of a script from the API.md analysis object given as
 * JSON text (camelCase keys: purpose, securityScore, codeQualityScore, riskScore, parameters,
 * suggestions, … executionSummary, analysisVersion, provider) into the snake_case columns.
 * PSS_ENOTFOUND when the script is gone (deleted meanwhile); PSS_EINVAL when the object
 * does not fit the columns' checks. */
enum pss_err db_analysis_store(struct db *, int64_t script_id, const char *analysis_json);

/* Which scripts a re-analysis covers: one script (script_id > 0), and of those (or of all) every
 * one, or only those whose stored analysis is of another analyzer version than version. */
struct db_reanalysis {
	bool		 stale_only;
	const char	*version;	/* the analyzer's (PS_ANALYZER_VERSION) */
	int64_t		 script_id;	/* 0: every script */
};

/* db_analysis_queue: queues an analysis.run job {scriptId, batch} at priority for each of the
 * next (at most limit) scripts of sel with an id above after, in id order, skipping a script
 * that has an analysis.run job queued or running under its dedup key analysis.run:<id> and,
 * with stale_only, one whose re-analysis failed for good in the last day. *picked: scripts
 * looked at; *queued: jobs added; *last: the highest id looked at (the next call's after). */
enum pss_err db_analysis_queue(struct db *, const struct db_reanalysis *sel, int64_t after,
	int64_t limit, int priority, const char *batch, int64_t *picked, int64_t *queued,
	int64_t *last);
/* db_analysis_count: how many scripts sel covers (the same rule as db_analysis_queue). */
enum pss_err db_analysis_count(struct db *, const struct db_reanalysis *sel, int64_t *n);
/* db_analysis_batch: of the jobs queued with batch, how many are done, failed and still to
 * run (queued or running). */
enum pss_err db_analysis_batch(struct db *, const char *batch, int64_t *done, int64_t *failed,
	int64_t *pending);

#endif
