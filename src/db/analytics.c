/* analytics.c: the analytics' aggregates, each one statement returning one JSON object, over
 * the scripts the viewer may see ($1 viewer id or NULL, $2 admin, $3 category or NULL) */
#include "config.h"

#include <stdio.h>

#include "core/core.h"
#include "db/analytics.h"

/* The visible scripts of the filter: the library's visibility rule (db/scripts.c). */
#define VISIBLE_SCRIPTS(cols) \
	"v AS (SELECT " cols " FROM scripts s" \
	" WHERE ($2::bool OR s.is_public OR s.user_id = $1::int)" \
	" AND ($3::int IS NULL OR s.category_id = $3::int))"

/* UTC dates: today and the first day of the window ($4 days) and of the one before. */
#define TODAY "(now() AT TIME ZONE 'UTC')::date"

static enum pss_err
json_query(struct db *db, int nparams, const char *sql, const struct viewer *vw,
    const struct analytics_filter *f, struct json_object **out)
{
	char uid[24], cat[24], days[24];
	const char *id, *admin;
	struct db_res *r;
	enum pss_err e;

	*out = NULL;
	db_viewer_params(vw, uid, &id, &admin);
	db_id(cat, f != NULL ? f->category_id : 0);
	db_id(days, f != NULL ? f->days : 0);
	/* $4, the days, only where the statement uses it */
	e = db_exec_row(db, &r, sql, nparams, (const char *[]){ id, admin,
	    f != NULL && f->category_id > 0 ? cat : NULL, days });
	if (e != PSS_OK)
		return e;
	*out = db_json_parse(db_res_get(r, 0, 0));
	db_res_free(r);
	return *out != NULL ? PSS_OK : PSS_EINTERNAL;
}

enum pss_err
db_analytics_security(struct db *db, const struct viewer *vw, const struct analytics_filter *f,
    struct json_object **out)
{
	return json_query(db, 3,
	    "WITH " VISIBLE_SCRIPTS("s.id") ","
	    " a AS (SELECT v.id, sa.security_score AS sc, sa.risk_score AS rk"
	    "  FROM v JOIN script_analysis sa ON sa.script_id = v.id),"
	    " t AS (SELECT count(*) AS n, round(avg(sc)::numeric, 1) AS avg,"
	    "  count(*) FILTER (WHERE sc >= 8) AS hi, count(*) FILTER (WHERE sc >= 5 AND sc < 8) AS mid,"
	    "  count(*) FILTER (WHERE sc < 5) AS lo, count(*) FILTER (WHERE rk >= 8) AS rhi,"
	    "  count(*) FILTER (WHERE rk >= 5 AND rk < 8) AS rmid, count(*) FILTER (WHERE rk < 5) AS rlo"
	    "  FROM a)"
	    " SELECT json_build_object('averageScore', t.avg, 'totalScriptsAnalyzed', t.n,"
	    "  'highSecurityCount', t.hi, 'mediumSecurityCount', t.mid, 'lowSecurityCount', t.lo,"
	    "  'riskBuckets', json_build_object('high', t.rhi, 'medium', t.rmid, 'low', t.rlo),"
	    "  'scoreDistribution', (SELECT json_agg(json_build_object('score', g, 'count', COALESCE(d.n, 0))"
	    "   ORDER BY g) FROM generate_series(0, 10) g"
	    "   LEFT JOIN (SELECT floor(sc)::int AS b, count(*) AS n FROM a GROUP BY 1) d ON d.b = g),"
	    "  'commonIssues', (SELECT COALESCE(json_agg(json_build_object('ruleId', x.rule_id,"
	    "   'count', x.n, 'scriptCount', x.k) ORDER BY x.n DESC, x.rule_id), '[]')"
	    "   FROM (SELECT rc.rule_id, sum(rc.occurrences) AS n, count(*) AS k"
	    "    FROM analysis_rule_counts rc WHERE rc.script_id IN (SELECT id FROM v)"
	    "     OR ($2::bool AND $3::int IS NULL)"	/* everything: no join (the planner folds it) */
	    "    GROUP BY rc.rule_id ORDER BY n DESC, rc.rule_id LIMIT 10) x),"
	    "  'riskiestScripts', (SELECT COALESCE(json_agg(json_build_object('id', y.id, 'title', y.title,"
	    "   'isPublic', y.is_public, 'riskScore', round(y.rk::numeric, 1),"
	    "   'securityScore', round(y.sc::numeric, 1)) ORDER BY y.rk DESC, y.sc, y.id), '[]')"
	    "   FROM (SELECT r.*, s.title, s.is_public FROM (SELECT * FROM a ORDER BY rk DESC, sc, id LIMIT 10) r"
	    "    JOIN scripts s ON s.id = r.id) y))"
	    " FROM t", vw, f, out);
}

/* The window's counts and its days, zero days included, of a set of dates w. */
#define PERIOD(name, w) \
	"'" name "LastPeriod', (SELECT count(*) FROM " w " WHERE d >= " TODAY " - ($4::int - 1))," \
	"'" name "PreviousPeriod', (SELECT count(*) FROM " w " WHERE d >= " TODAY " - (2 * $4::int - 1)" \
	"  AND d < " TODAY " - ($4::int - 1))," \
	"'" name "ByDate', (SELECT json_agg(json_build_object('date', to_char(g, 'YYYY-MM-DD')," \
	"  'count', COALESCE(c.n, 0)) ORDER BY g)" \
	"  FROM generate_series(" TODAY " - ($4::int - 1), " TODAY ", interval '1 day') g" \
	"  LEFT JOIN (SELECT d, count(*) AS n FROM " w " GROUP BY d) c ON c.d = g::date)"

enum pss_err
db_analytics_usage(struct db *db, const struct viewer *vw, const struct analytics_filter *f,
    struct json_object **out)
{
	return json_query(db, 4,
	    "WITH " VISIBLE_SCRIPTS("s.id, (s.created_at AT TIME ZONE 'UTC')::date AS d") ","
	    " an AS (SELECT (sa.updated_at AT TIME ZONE 'UTC')::date AS d"
	    "  FROM script_analysis sa JOIN v ON v.id = sa.script_id)"
	    " SELECT json_build_object('totalScripts', (SELECT count(*) FROM v),"
	    "  'totalUsers', (SELECT count(*) FROM users),"
	    "  'totalAnalyses', (SELECT count(*) FROM an),"
	    "  'totalExecutions', (SELECT count(*) FROM execution_logs e JOIN v ON v.id = e.script_id),"
	    PERIOD("scripts", "v") "," PERIOD("analyses", "an") ")", vw, f, out);
}

enum pss_err
db_analytics_categories(struct db *db, const struct viewer *vw, const struct analytics_filter *f,
    struct json_object **out)
{
	return json_query(db, 3,
	    "WITH " VISIBLE_SCRIPTS("s.category_id") ","
	    " n AS (SELECT category_id, count(*) AS n FROM v GROUP BY category_id)"
	    " SELECT json_build_object('categories', (SELECT COALESCE(json_agg(json_build_object("
	    "   'id', c.id, 'name', c.name, 'count', COALESCE(n.n, 0))"
	    "   ORDER BY COALESCE(n.n, 0) DESC, lower(c.name), c.id), '[]')"
	    "   FROM categories c LEFT JOIN n ON n.category_id = c.id"
	    "   WHERE $3::int IS NULL OR c.id = $3::int),"
	    "  'uncategorized', COALESCE((SELECT n FROM n WHERE category_id IS NULL), 0),"
	    "  'totalScripts', (SELECT count(*) FROM v))", vw, f, out);
}

enum pss_err
db_analytics_rule_scripts(struct db *db, const struct viewer *vw, const char *rule_id, int limit,
    struct json_object **out)
{
	char uid[24], lim[24];
	const char *id, *admin;
	struct db_res *r;
	enum pss_err e;

	*out = NULL;
	db_viewer_params(vw, uid, &id, &admin);
	db_id(lim, limit);
	e = db_exec_row(db, &r,
	    "WITH m AS (SELECT s.id, s.title, s.is_public, rc.occurrences, sa.security_score"
	    "  FROM analysis_rule_counts rc JOIN scripts s ON s.id = rc.script_id"
	    "  LEFT JOIN script_analysis sa ON sa.script_id = s.id"
	    "  WHERE rc.rule_id = $3 AND ($2::bool OR s.is_public OR s.user_id = $1::int))"
	    " SELECT json_build_object('scripts', (SELECT COALESCE(json_agg(json_build_object("
	    "   'id', x.id, 'title', x.title, 'isPublic', x.is_public, 'occurrences', x.occurrences,"
	    "   'securityScore', round(x.security_score::numeric, 1))"
	    "   ORDER BY x.occurrences DESC, x.id), '[]')"
	    "   FROM (SELECT * FROM m ORDER BY occurrences DESC, id LIMIT $4::int) x),"
	    "  'total', (SELECT count(*) FROM m))", 4, (const char *[]){ id, admin, rule_id, lim });
	if (e != PSS_OK)
		return e;
	*out = db_json_parse(db_res_get(r, 0, 0));
	db_res_free(r);
	return *out != NULL ? PSS_OK : PSS_EINTERNAL;
}

enum pss_err
db_operations(struct db *db, struct json_object **out)
{
	struct db_res *r;
	enum pss_err e;

	*out = NULL;
	e = db_exec_row(db, &r,
	    "SELECT json_build_object('postgresVersion', current_setting('server_version'),"
	    " 'connections', (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()),"
	    " 'maxConnections', current_setting('max_connections')::int,"
	    " 'jobs', (SELECT COALESCE(json_agg(json_build_object('type', type, 'queued', q,"
	    "  'running', r, 'failed', f, 'done', d, 'retried', rt) ORDER BY type), '[]')"
	    "  FROM (SELECT type, count(*) FILTER (WHERE status = 'queued') AS q,"
	    "   count(*) FILTER (WHERE status = 'running') AS r,"
	    "   count(*) FILTER (WHERE status = 'failed') AS f,"
	    "   count(*) FILTER (WHERE status = 'done') AS d,"
	    "   count(*) FILTER (WHERE attempts > 1) AS rt FROM jobs GROUP BY type) j),"
	    " 'queueDepth', (SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')),"
	    " 'oldestQueuedSeconds', (SELECT COALESCE(floor(extract(epoch FROM now() - min(run_at)))::int, 0)"
	    "  FROM jobs WHERE status = 'queued' AND run_at <= now()))", 0, NULL);
	if (e != PSS_OK)
		return e;
	*out = db_json_parse(db_res_get(r, 0, 0));
	db_res_free(r);
	return *out != NULL ? PSS_OK : PSS_EINTERNAL;
}
