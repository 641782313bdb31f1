/* analytics.c: the analytics' aggregates over the scripts the viewer may see ($1 viewer id or
 * NULL, $2 admin, $3 category or NULL), every requested part in one statement, one JSON
 * object a part */
#include "config.h"

#include <stdio.h>

#include "core/core.h"
#include "db/analytics.h"

/* The visible scripts of the filter, from 0030's narrow copy (analytics_scripts): the
 * library's visibility rule (db/scripts.c), and the rule totals of the same scripts. */
#define VISIBLE "($2::bool OR is_public OR user_id = $1::int) AND ($3::int IS NULL OR category_id = $3::int)"

/* UTC dates: today and the first day of the window ($4 days) and of the one before. */
#define TODAY "(now() AT TIME ZONE 'UTC')::date"

/* Every part's common expressions; PostgreSQL computes only those a requested part uses.
 * v and a are not materialised: each use reads the narrow table again (10,000 rows in 147
 * pages), which costs less than writing them to a tuple store once and reading that (the
 * whole summary's statement took a third of the time without). */
#define PARTS_WITH \
	"WITH v AS NOT MATERIALIZED (SELECT * FROM analytics_scripts WHERE " VISIBLE ")," \
	" a AS NOT MATERIALIZED (SELECT script_id AS id, security_score AS sc, risk_score AS rk FROM v" \
	"  WHERE analysed_on IS NOT NULL)," \
	" t AS (SELECT count(*) AS n, round(avg(sc)::numeric, 1) AS avg," \
	"  count(*) FILTER (WHERE sc >= 8) AS hi, count(*) FILTER (WHERE sc >= 5 AND sc < 8) AS mid," \
	"  count(*) FILTER (WHERE sc < 5) AS lo, count(*) FILTER (WHERE rk >= 8) AS rhi," \
	"  count(*) FILTER (WHERE rk >= 5 AND rk < 8) AS rmid, count(*) FILTER (WHERE rk < 5) AS rlo" \
	"  FROM a)," \
	" n AS (SELECT category_id, count(*) AS n FROM v GROUP BY category_id)"

/* The usage part's own expressions (they use $4): b, today and the first day of the window
 * ($4 days) and of the one before, computed once (now() is only stable: in a row's condition
 * PostgreSQL computes it and its time zone conversion again for every row, which cost more
 * than the rest of the part); u, its counts in one pass over the visible scripts; sd and ad,
 * the counts a day of the window only, for its zero-filled days. */
#define USAGE_WITH \
	", b AS (SELECT " TODAY " AS today, " TODAY " - ($4::int - 1) AS w1," \
	"  " TODAY " - (2 * $4::int - 1) AS w2)," \
	" u AS (SELECT count(*) AS n, count(analysed_on) AS na, count(*) FILTER (WHERE user_id = $1::int) AS mine," \
	"  round(avg(quality_score)::numeric, 1) AS q," \
	"  count(*) FILTER (WHERE created_on >= b.w1) AS s1," \
	"  count(*) FILTER (WHERE created_on >= b.w2 AND created_on < b.w1) AS s2," \
	"  count(*) FILTER (WHERE analysed_on >= b.w1) AS a1," \
	"  count(*) FILTER (WHERE analysed_on >= b.w2 AND analysed_on < b.w1) AS a2 FROM v, b)," \
	" sd AS (SELECT created_on AS d, count(*) AS n FROM v, b WHERE created_on >= b.w1 GROUP BY 1)," \
	" ad AS (SELECT analysed_on AS d, count(*) AS n FROM v, b WHERE analysed_on >= b.w1 GROUP BY 1)"

#define SECURITY_PART \
	"(SELECT json_build_object('averageScore', t.avg, 'totalScriptsAnalyzed', t.n," \
	"  'highSecurityCount', t.hi, 'mediumSecurityCount', t.mid, 'lowSecurityCount', t.lo," \
	"  'riskBuckets', json_build_object('high', t.rhi, 'medium', t.rmid, 'low', t.rlo)," \
	"  'scoreDistribution', (SELECT json_agg(json_build_object('score', g, 'count', COALESCE(d.n, 0))" \
	"   ORDER BY g) FROM generate_series(0, 10) g" \
	"   LEFT JOIN (SELECT floor(sc)::int AS b, count(*) AS n FROM a GROUP BY 1) d ON d.b = g)," \
	"  'commonIssues', (SELECT COALESCE(json_agg(json_build_object('ruleId', x.rule_id," \
	"   'count', x.n, 'scriptCount', x.k) ORDER BY x.n DESC, x.rule_id), '[]')" \
	"   FROM (SELECT rule_id, sum(occurrences) AS n, sum(scripts) AS k" \
	"    FROM analytics_rule_totals WHERE " VISIBLE \
	"    GROUP BY rule_id HAVING sum(scripts) > 0 ORDER BY n DESC, rule_id LIMIT 10) x)," \
	"  'riskiestScripts', (SELECT COALESCE(json_agg(json_build_object('id', y.id, 'title', y.title," \
	"   'isPublic', y.is_public, 'riskScore', round(y.rk::numeric, 1)," \
	"   'securityScore', round(y.sc::numeric, 1)) ORDER BY y.rk DESC, y.sc, y.id), '[]')" \
	"   FROM (SELECT r.*, s.title, s.is_public FROM (SELECT * FROM a ORDER BY rk DESC, sc, id LIMIT 10) r" \
	"    JOIN scripts s ON s.id = r.id) y))" \
	" FROM t)"

/* The window's days, zero days included, from the counts a day w. */
#define BY_DATE(w) \
	"(SELECT json_agg(json_build_object('date', to_char(g, 'YYYY-MM-DD'), 'count', COALESCE(c.n, 0))" \
	"  ORDER BY g) FROM b, generate_series(b.w1, b.today, interval '1 day') g" \
	"  LEFT JOIN " w " c ON c.d = g::date)"

#define USAGE_PART \
	"(SELECT json_build_object('totalScripts', u.n, 'totalUsers', (SELECT count(*) FROM users)," \
	"  'totalAnalyses', u.na," \
	"  'totalExecutions', (SELECT count(*) FROM execution_logs e JOIN v ON v.script_id = e.script_id)," \
	"  'executionsToday', (SELECT count(*) FROM execution_logs e JOIN v ON v.script_id = e.script_id" \
	"   WHERE e.created_at >= (SELECT today FROM b)::timestamp AT TIME ZONE 'UTC')," \
	"  'userScripts', u.mine, 'averageQuality', u.q," \
	"  'scriptsLastPeriod', u.s1, 'scriptsPreviousPeriod', u.s2, 'scriptsByDate', " BY_DATE("sd") "," \
	"  'analysesLastPeriod', u.a1, 'analysesPreviousPeriod', u.a2, 'analysesByDate', " BY_DATE("ad") ")" \
	" FROM u)"

#define CATEGORIES_PART \
	"json_build_object('categories', (SELECT COALESCE(json_agg(json_build_object(" \
	"   'id', c.id, 'name', c.name, 'count', COALESCE(n.n, 0))" \
	"   ORDER BY COALESCE(n.n, 0) DESC, lower(c.name), c.id), '[]')" \
	"   FROM categories c LEFT JOIN n ON n.category_id = c.id" \
	"   WHERE $3::int IS NULL OR c.id = $3::int)," \
	"  'uncategorized', COALESCE((SELECT n FROM n WHERE category_id IS NULL), 0)," \
	"  'totalScripts', (SELECT count(*) FROM v))"

enum pss_err
db_analytics_parts(struct db *db, const struct viewer *vw, const struct analytics_filter *f,
    unsigned want, struct json_object *out[DB_ANALYTICS_PARTS])
{
	static const char *const cols[DB_ANALYTICS_PARTS] = { SECURITY_PART, USAGE_PART, CATEGORIES_PART };
	char uid[24], cat[24], days[24];
	const char *id, *admin;
	struct db_res *r;
	struct buf sql = BUF_INIT;
	enum pss_err e;
	int col = 0;

	for (int i = 0; i < DB_ANALYTICS_PARTS; i++)
		out[i] = NULL;
	want &= (1u << DB_ANALYTICS_PARTS) - 1;
	if (want == 0)
		return PSS_OK;
	/* the rule totals' new rows folded first (a no-op but for an index probe when none) */
	if ((want & DB_ANALYTICS_SECURITY) &&
	    (e = db_exec_prepared(db, NULL, "SELECT psscript_analytics_compact()", 0, NULL)) != PSS_OK)
		return e;
	db_viewer_params(vw, uid, &id, &admin);
	db_id(cat, f->category_id);
	db_id(days, f->days);
	buf_puts(&sql, PARTS_WITH);
	if (want & DB_ANALYTICS_USAGE)
		buf_puts(&sql, USAGE_WITH);
	buf_puts(&sql, " SELECT ");
	for (int i = 0; i < DB_ANALYTICS_PARTS; i++)
		if (want & (1u << i))
			buf_printf(&sql, "%s%s", col++ > 0 ? ", " : "", cols[i]);
	/* $4, the days, only where the statement uses it (an unused parameter has no type);
	 * prepared: seven texts (the combinations of parts), each parsed and planned once a
	 * connection instead of on every miss (1.4 ms of parse and 1.4 ms or more of planning
	 * for the summary's) */
	e = db_exec_prepared(db, &r, buf_cstr(&sql), (want & DB_ANALYTICS_USAGE) ? 4 : 3,
	    (const char *[]){ id, admin, f->category_id > 0 ? cat : NULL, days });
	buf_free(&sql);
	if (e != PSS_OK)
		return e;
	col = 0;
	for (int i = 0; i < DB_ANALYTICS_PARTS; i++)
		if ((want & (1u << i)) && (out[i] = db_json_parse(db_res_get(r, 0, col++))) == NULL)
			e = PSS_EINTERNAL;
	db_res_free(r);
	if (e != PSS_OK)
		for (int i = 0; i < DB_ANALYTICS_PARTS; i++) {
			json_object_put(out[i]);
			out[i] = NULL;
		}
	return e;
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
