/* analysis.c: script_analysis rows: the analysis object's camelCase keys to the spec's columns */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/analysis.h"

enum pss_err
db_analysis_store(struct db *db, int64_t script_id, const char *json)
{
	struct db_res *r;
	char id[24];
	enum pss_err e;

	snprintf(id, sizeof(id), "%lld", (long long)script_id);
	/* The whole object goes as one jsonb parameter; the statement picks it apart, so a
	 * missing member gets the column's empty default rather than NULL. */
	e = db_exec(db, &r,
	    "INSERT INTO script_analysis (script_id, purpose, security_score, quality_score, risk_score,"
	    " parameter_docs, suggestions, command_details, ms_docs_references, security_issues,"
	    " best_practice_violations, performance_insights, potential_risks, code_complexity_metrics,"
	    " compatibility_notes, execution_summary, analysis_version, provider)"
	    " SELECT s.id, a->>'purpose', (a->>'securityScore')::float8, (a->>'codeQualityScore')::float8,"
	    "  (a->>'riskScore')::float8, COALESCE(a->'parameters', '{}'), COALESCE(a->'suggestions', '[]'),"
	    "  COALESCE(a->'commandDetails', '[]'), COALESCE(a->'msDocsReferences', '[]'),"
	    "  COALESCE(a->'securityIssues', '[]'), COALESCE(a->'bestPracticeViolations', '[]'),"
	    "  COALESCE(a->'performanceInsights', '[]'), COALESCE(a->'potentialRisks', '[]'),"
	    "  COALESCE(a->'codeComplexityMetrics', '{}'), COALESCE(a->'compatibilityNotes', '[]'),"
	    "  COALESCE(a->'executionSummary', '{}'), COALESCE(a->>'analysisVersion', '1.0'),"
	    "  COALESCE(a->>'provider', 'builtin')"
	    " FROM scripts s, (SELECT $2::jsonb AS a) j WHERE s.id = $1"
	    /* the script before the analysis row, as a deletion does (0030's triggers lock it) */
	    " FOR SHARE OF s"
	    " ON CONFLICT (script_id) DO UPDATE SET purpose = EXCLUDED.purpose,"
	    "  security_score = EXCLUDED.security_score, quality_score = EXCLUDED.quality_score,"
	    "  risk_score = EXCLUDED.risk_score, parameter_docs = EXCLUDED.parameter_docs,"
	    "  suggestions = EXCLUDED.suggestions, command_details = EXCLUDED.command_details,"
	    "  ms_docs_references = EXCLUDED.ms_docs_references,"
	    "  security_issues = EXCLUDED.security_issues,"
	    "  best_practice_violations = EXCLUDED.best_practice_violations,"
	    "  performance_insights = EXCLUDED.performance_insights,"
	    "  potential_risks = EXCLUDED.potential_risks,"
	    "  code_complexity_metrics = EXCLUDED.code_complexity_metrics,"
	    "  compatibility_notes = EXCLUDED.compatibility_notes,"
	    "  execution_summary = EXCLUDED.execution_summary,"
	    "  analysis_version = EXCLUDED.analysis_version, provider = EXCLUDED.provider"
	    " RETURNING id", 2, (const char *[]){ id, json });
	if (e != PSS_OK)
		return e;
	e = db_res_rows(r) == 1 ? PSS_OK : PSS_ENOTFOUND;
	db_res_free(r);
	return e;
}

enum pss_err
db_analysis_get(struct db *db, const struct viewer *v, int64_t id, bool want_content,
    struct db_analysis *out)
{
	struct db_res *r;
	char sid[24], uid[24];
	const char *p[3];
	enum pss_err e;

	memset(out, 0, sizeof(*out));
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	db_id(sid, id);
	p[0] = sid;
	db_viewer_params(v, uid, &p[1], &p[2]);
	e = db_exec_row(db, &r, want_content ?
	    "SELECT " DB_ANALYSIS_JSON ", " DB_ANALYSIS_JOB_JSON ", s.is_public, s.user_id, s.title,"
	    " s.content FROM scripts s LEFT JOIN script_analysis sa ON sa.script_id = s.id"
	    " WHERE s.id = $1 AND ($3::bool OR s.is_public OR s.user_id = $2::int)" :
	    "SELECT " DB_ANALYSIS_JSON ", " DB_ANALYSIS_JOB_JSON ", s.is_public, s.user_id, s.title"
	    " FROM scripts s LEFT JOIN script_analysis sa ON sa.script_id = s.id"
	    " WHERE s.id = $1 AND ($3::bool OR s.is_public OR s.user_id = $2::int)", 3, p);
	if (e != PSS_OK)
		return e;
	out->analysis = db_res_isnull(r, 0, 0) ? NULL : db_json_parse(db_res_get(r, 0, 0));
	out->job = db_res_isnull(r, 0, 1) ? NULL : db_json_parse(db_res_get(r, 0, 1));
	out->is_public = db_res_bool(r, 0, 2);
	out->user_id = db_res_int(r, 0, 3);
	out->title = xstrdup(db_res_get(r, 0, 4));
	if (want_content)
		out->content = xstrdup(db_res_get(r, 0, 5));
	db_res_free(r);
	return PSS_OK;
}

void
db_analysis_free(struct db_analysis *a)
{
	json_object_put(a->analysis);
	json_object_put(a->job);
	free(a->title);
	free(a->content);
	memset(a, 0, sizeof(*a));
}

/* The scripts a re-analysis covers, above $1, as a FROM ... WHERE of scripts s: $2 stale only,
 * $3 the version, $4 one script (0: all). */
#define REANALYSIS_SCOPE \
	" FROM scripts s LEFT JOIN script_analysis a ON a.script_id = s.id" \
	" WHERE s.id > $1 AND ($4::int = 0 OR s.id = $4::int)" \
	"  AND (NOT $2::bool OR (a.id IS NOT NULL AND a.analysis_version <> $3" \
	"   AND NOT EXISTS (SELECT 1 FROM jobs f WHERE f.type = 'analysis.run'" \
	"    AND f.dedup_key = 'analysis.run:' || s.id AND f.status = 'failed'" \
	"    AND f.finished_at > now() - interval '1 day')))" \
	"  AND NOT EXISTS (SELECT 1 FROM jobs q WHERE q.dedup_key = 'analysis.run:' || s.id" \
	"   AND q.status IN ('queued', 'running'))"

static void
scope_params(const struct db_reanalysis *sel, int64_t after, char a[24], char id[24])
{
	snprintf(a, 24, "%lld", (long long)after);
	snprintf(id, 24, "%lld", (long long)sel->script_id);
}

enum pss_err
db_analysis_queue(struct db *db, const struct db_reanalysis *sel, int64_t after, int64_t limit,
    int priority, const char *batch, int64_t *picked, int64_t *queued, int64_t *last)
{
	struct db_res *r;
	char a[24], id[24], lim[24], prio[16];
	enum pss_err e;

	scope_params(sel, after, a, id);
	snprintf(lim, sizeof(lim), "%lld", (long long)limit);
	snprintf(prio, sizeof(prio), "%d", priority);
	e = db_exec(db, &r,
	    "WITH pick AS (SELECT s.id" REANALYSIS_SCOPE " ORDER BY s.id LIMIT $5::int),"
	    " ins AS (INSERT INTO jobs (type, payload, priority, dedup_key)"
	    "  SELECT 'analysis.run', jsonb_build_object('scriptId', id, 'batch', $7::text), $6::int,"
	    "   'analysis.run:' || id FROM pick ORDER BY id"
	    "  ON CONFLICT DO NOTHING RETURNING 1)"
	    " SELECT (SELECT count(*) FROM pick), (SELECT count(*) FROM ins),"
	    "  COALESCE((SELECT max(id) FROM pick), $1::int)",
	    7, (const char *[]){ a, sel->stale_only ? "t" : "f", sel->version, id, lim, prio,
	    batch != NULL ? batch : "" });
	if (e != PSS_OK)
		return e;
	*picked = db_res_int(r, 0, 0);
	*queued = db_res_int(r, 0, 1);
	*last = db_res_int(r, 0, 2);
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_analysis_count(struct db *db, const struct db_reanalysis *sel, int64_t *n)
{
	struct db_res *r;
	char a[24], id[24];
	enum pss_err e;

	scope_params(sel, 0, a, id);
	e = db_exec(db, &r, "SELECT count(*)" REANALYSIS_SCOPE, 4,
	    (const char *[]){ a, sel->stale_only ? "t" : "f", sel->version, id });
	if (e != PSS_OK)
		return e;
	*n = db_res_int(r, 0, 0);
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_analysis_batch(struct db *db, const char *batch, int64_t *done, int64_t *failed,
    int64_t *pending)
{
	struct db_res *r;
	enum pss_err e;

	e = db_exec(db, &r,
	    "SELECT count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'failed'),"
	    " count(*) FILTER (WHERE status IN ('queued', 'running'))"
	    " FROM jobs WHERE type = 'analysis.run' AND payload->>'batch' = $1",
	    1, (const char *[]){ batch });
	if (e != PSS_OK)
		return e;
	*done = db_res_int(r, 0, 0);
	*failed = db_res_int(r, 0, 1);
	*pending = db_res_int(r, 0, 2);
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_analysis_scripts_using(struct db *db, const struct viewer *v, const char *command, int64_t limit,
    struct json_object **out)
{
	struct db_res *r;
	char uid[24], l[24];
	const char *p[4];
	enum pss_err e;

	*out = NULL;
	db_viewer_params(v, uid, &p[0], &p[1]);
	db_id(l, limit);
	p[2] = command;
	p[3] = l;
	if ((e = db_exec(db, &r, "SELECT json_build_object('scripts', coalesce(json_agg(json_build_object("
	    "'id', x.id, 'title', x.title) ORDER BY x.updated_at DESC, x.id DESC), '[]'))"
	    " FROM (SELECT s.id, s.title, s.updated_at FROM script_analysis sa"
	    " JOIN scripts s ON s.id = sa.script_id"
	    " WHERE sa.command_details @> jsonb_build_array(jsonb_build_object('name', $3::text))"
	    " AND ($2::bool OR s.is_public OR s.user_id = $1::int)"
	    " ORDER BY s.updated_at DESC, s.id DESC LIMIT $4) x", 4, p)) != PSS_OK)
		return e;
	*out = db_json_parse(db_res_get(r, 0, 0));
	db_res_free(r);
	return PSS_OK;
}
