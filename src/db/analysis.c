/* analysis.c: script_analysis rows: the analysis object's camelCase keys to the spec's columns */
#include "config.h"

#include <stdio.h>

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
