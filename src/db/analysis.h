/* analysis.h: script_analysis rows (one per script) and the state of a script's analysis
 * jobs, as the API shapes them */
#ifndef PSS_DB_ANALYSIS_H
#define PSS_DB_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "db/db.h"
#include "db/rows.h"

/* The full analysis object of API.md, from script_analysis sa (NULL when there is none). */
#define DB_ANALYSIS_JSON \
	"CASE WHEN sa.id IS NULL THEN NULL ELSE json_build_object('id', sa.id, 'scriptId', sa.script_id," \
	" 'purpose', sa.purpose, 'securityScore', round(sa.security_score::numeric, 1)," \
	" 'codeQualityScore', round(sa.quality_score::numeric, 1)," \
	" 'riskScore', round(sa.risk_score::numeric, 1), 'parameters', sa.parameter_docs," \
	" 'suggestions', sa.suggestions, 'commandDetails', sa.command_details," \
	" 'msDocsReferences', sa.ms_docs_references, 'securityIssues', sa.security_issues," \
	" 'bestPracticeViolations', sa.best_practice_violations," \
	" 'performanceInsights', sa.performance_insights, 'potentialRisks', sa.potential_risks," \
	" 'codeComplexityMetrics', sa.code_complexity_metrics," \
	" 'compatibilityNotes', sa.compatibility_notes, 'executionSummary', sa.execution_summary," \
	" 'analysisVersion', sa.analysis_version, 'provider', sa.provider," \
	" 'createdAt', sa.created_at, 'updatedAt', sa.updated_at) END"
/* The newest analysis.run job of script s (NULL when it never had one) as {status,
 * lastError, attempts, maxAttempts, createdAt, lockedAt, finishedAt, afterAnalysis}, where
 * afterAnalysis says it finished after the stored analysis sa was written (or there is
 * none). idx_jobs_analysis_script (0027) finds it. */
#define DB_ANALYSIS_JOB_JSON \
	"(SELECT json_build_object('status', j.status, 'lastError', j.last_error," \
	"  'attempts', j.attempts, 'maxAttempts', j.max_attempts, 'createdAt', j.created_at," \
	"  'lockedAt', j.locked_at, 'finishedAt', j.finished_at," \
	"  'afterAnalysis', sa.id IS NULL OR j.finished_at > sa.updated_at)" \
	" FROM jobs j WHERE j.type = 'analysis.run' AND j.payload->>'scriptId' = s.id::text" \
	" ORDER BY j.id DESC LIMIT 1)"

/* db_analysis_store: upserts the analysis of a script from the API.md analysis object given as
 * JSON text (camelCase keys: purpose, securityScore, codeQualityScore, riskScore, parameters,
 * suggestions, … executionSummary, analysisVersion, provider) into the snake_case columns.
 * PSS_ENOTFOUND when the script is gone (deleted meanwhile); PSS_EINVAL when the object
 * does not fit the columns' checks. */
enum pss_err db_analysis_store(struct db *, int64_t script_id, const char *analysis_json);

/* The stored analysis of a script the viewer sees, and what is needed to answer for it. */
struct db_analysis {
	struct json_object *analysis;	/* DB_ANALYSIS_JSON, or NULL */
	struct json_object *job;	/* DB_ANALYSIS_JOB_JSON, or NULL */
	bool		 is_public;	/* the script's visibility (for a shared cache entry) */
	int64_t		 user_id;
	char		*title;		/* the script's title */
	char		*content;	/* with want_content, else NULL */
};
/* db_analysis_get: fills *out (db_analysis_free); PSS_ENOTFOUND when the script does not
 * exist or the viewer may not see it. */
enum pss_err db_analysis_get(struct db *, const struct viewer *, int64_t script_id,
	bool want_content, struct db_analysis *out);
void	 db_analysis_free(struct db_analysis *);
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

/* db_analysis_scripts_using: {scripts: [{id, title}]}: at most limit scripts the viewer sees
 * whose stored analysis names the command (its catalog spelling, command_details' "name"),
 * the most recently updated first. */
enum pss_err db_analysis_scripts_using(struct db *, const struct viewer *, const char *command,
	int64_t limit, struct json_object **out);

#endif
