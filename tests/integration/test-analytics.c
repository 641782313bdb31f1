/* test-analytics.c: the analytics API, pages and `psscript stats` against the harness's stack
 * (3 FastCGI workers, hot copies on): the figures against SQL written here, independently
 * of src/db/analytics.c (the findings straight from the analyses' JSONB, not from 0026's
 * table); the scope (an administrator, a user, and another user's private script whose
 * score and findings would move the figures); bad input; and every write path's
 * invalidation seen by every worker at once */
#include "config.h"

#include <math.h>

#include "integration/itest-auth.h"

#define PRIVATE_RULE "PSZzAnalyticsPrivateOnly"

static struct acct admin, user, other;
static long long user_script, other_script, cat_id;
static char user_title[64], other_title[64];
static bool scripts_moved;	/* test_rollup_follows_writes changed the setup's scripts */

/* str: a value of it_psqlf, "" when the statement failed */
static const char *
str(const char *v)
{
	return v != NULL ? v : "";
}

static long long
qi(const char *fmt, const char *vis)
{
	return strtoll(str(it_psqlf(fmt, vis)), NULL, 10);
}

/* The scripts a viewer sees, as this test writes the rule (API.md: public and their own). */
static void
vis_of(const struct acct *a, char *out, size_t n)
{
	if (a == &admin)
		snprintf(out, n, "true");
	else
		snprintf(out, n, "(s.is_public OR s.user_id = %lld)", a->id);
}

static long long
new_script(const struct acct *a, const char *title, bool pub)
{
	struct it_resp r;
	char body[512];
	long long id = 0;
	const char *v;

	snprintf(body, sizeof(body), "{\"title\":\"%s\",\"content\":\"Write-Output '%s'\\nGet-Date\\n\","
	    "\"isPublic\":%s,\"analyze\":false,\"categoryId\":%lld}", title, title, pub ? "true" : "false",
	    cat_id);
	T_EQ(it_json(&r, "POST", "/api/scripts", a->token, body), 0);
	T_ASSERTF(r.status == 201, "create %s: %ld %.200s", title, r.status, r.body);
	if ((v = it_str(&r, "script.id")) != NULL)
		id = strtoll(v, NULL, 10);
	it_resp_free(&r);
	return id;
}

/* An analysis stored as the job would, with chosen scores and findings of rule (n times). */
static void
set_analysis(long long id, double sec, double risk, const char *rule, int n)
{
	char issues[4096] = "[";
	size_t o = 1;

	for (int i = 0; i < n && o < sizeof(issues) - 100; i++)	/* at most ~60 */
		o += (size_t)snprintf(issues + o, sizeof(issues) - o, "%s{\"ruleId\":\"%s\",\"severity\":\"warning\"}",
		    i ? "," : "", rule);
	snprintf(issues + o, sizeof(issues) - o, "]");
	it_psqlf("INSERT INTO script_analysis (script_id, security_score, quality_score, risk_score, security_issues,"
	    " best_practice_violations) VALUES (%lld, %g, 5, %g, '%s', '[{\"ruleId\":\"PSAvoidUsingWriteHost\"}]')"
	    " ON CONFLICT (script_id) DO UPDATE SET security_score = EXCLUDED.security_score,"
	    " risk_score = EXCLUDED.risk_score, security_issues = EXCLUDED.security_issues",
	    id, sec, risk, issues);
}

static double
jnum(const struct it_resp *r, const char *path)
{
	const char *v = it_str(r, path);

	return v != NULL ? strtod(v, NULL) : NAN;
}

static struct it_resp
get(const struct acct *a, const char *path)
{
	struct it_resp r;

	T_EQ(it_json(&r, "GET", path, a ? a->token : NULL, NULL), 0);
	return r;
}

/* Wait (at most 30 s) until no job is queued or running. */
static void
jobs_drain(void)
{
	for (int i = 0; i < 300; i++) {
		if (strcmp(str(it_psqlf("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")), "0") == 0)
			return;
		usleep(100 * 1000);
	}
	T_FAIL_("jobs still queued after 30 s");
}

static void
setup(void)
{
	struct it_resp r;
	char name[64], body[160];
	const char *v;

	T_EQ(acct_admin(&admin, "anadm"), 0);
	T_EQ(acct_register(&user, "anuser"), 0);
	T_EQ(acct_register(&other, "anothr"), 0);
	unique_name(name, sizeof(name), "AnCat");
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	T_EQ(it_json(&r, "POST", "/api/categories", admin.token, body), 0);
	T_EQ(r.status, 201);
	cat_id = (v = it_str(&r, "category.id")) != NULL ? strtoll(v, NULL, 10) : 0;
	it_resp_free(&r);
	T_ASSERT(cat_id > 0);
	unique_name(user_title, sizeof(user_title), "AnPublic");
	unique_name(other_title, sizeof(other_title), "AnSecret");
	user_script = new_script(&user, user_title, true);
	other_script = new_script(&other, other_title, false);
	jobs_drain();
	/* the user's public script: secure; the other user's private one: the worst of all,
	 * with a finding nobody else has, many times over */
	set_analysis(user_script, 9.1, 1.5, "PSAvoidUsingInvokeExpression", 2);
	set_analysis(other_script, 0.2, 9.9, PRIVATE_RULE, 60);
	/* psql bypasses the service: a write through the API drops every analytics entry */
	unique_name(name, sizeof(name), "AnCat2");
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	T_EQ(status_of("POST", "/api/categories", admin.token, body), 201);
}

static void
test_anonymous_is_401(void)
{
	static const char *const paths[] = { "/api/analytics/security", "/api/analytics/usage",
	    "/api/analytics/categories", "/api/analytics/summary" };

	for (size_t i = 0; i < PSS_ARRAY_LEN(paths); i++) {
		struct it_resp r = get(NULL, paths[i]);

		check_error(&r, 401, "unauthorized");
		it_resp_free(&r);
	}
}

static void
test_bad_filters_are_400(void)
{
	static const char *const bad[] = { "?days=6", "?days=366", "?days=abc", "?days=", "?categoryId=0",
	    "?categoryId=-3", "?categoryId=x", "?foo=1", "?days=30&userId=2", "?days=7&days=400" };

	for (size_t i = 0; i < PSS_ARRAY_LEN(bad); i++) {
		char path[128];
		struct it_resp r;

		snprintf(path, sizeof(path), "/api/analytics/summary%s", bad[i]);
		r = get(&user, path);
		T_ASSERTF(r.status == 400, "%s: %ld", bad[i], r.status);
		check_error(&r, 400, "validation_error");
		it_resp_free(&r);
	}
	{
		struct it_resp r = get(&user, "/api/analytics/usage?days=365&categoryId=1");

		T_EQ(r.status, 200);
		T_STREQ(it_str(&r, "filters.days"), "365");
		T_STREQ(it_str(&r, "filters.categoryId"), "1");
		T_EQ((long long)json_object_array_length(json_object_object_get(r.json, "scriptsByDate")), 365);
		it_resp_free(&r);
	}
}

/* Every figure of the summary for a, against SQL written here. */
static void
check_figures(const struct acct *a)
{
	struct it_resp r = get(a, "/api/analytics/summary");
	char vis[96], sql[1024];
	struct json_object *arr;
	long long sum = 0;

	vis_of(a, vis, sizeof(vis));
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "success"), "true");
	T_STREQ(it_str(&r, "scope.kind"), a == &admin ? "all" : "visible");
	/* security */
	T_EQ(jnum(&r, "security.totalScriptsAnalyzed"), qi("SELECT count(*) FROM script_analysis a JOIN scripts s"
	    " ON s.id = a.script_id WHERE %s", vis));
	T_ASSERTF(fabs(jnum(&r, "security.averageScore") - strtod(str(it_psqlf("SELECT round(avg(a.security_score)::numeric, 1)"
	    " FROM script_analysis a JOIN scripts s ON s.id = a.script_id WHERE %s", vis)), NULL)) < 1e-9,
	    "averageScore %s", it_str(&r, "security.averageScore"));
	T_EQ(jnum(&r, "security.highSecurityCount"), qi("SELECT count(*) FROM script_analysis a JOIN scripts s"
	    " ON s.id = a.script_id WHERE %s AND a.security_score >= 8", vis));
	T_EQ(jnum(&r, "security.mediumSecurityCount"), qi("SELECT count(*) FROM script_analysis a JOIN scripts s"
	    " ON s.id = a.script_id WHERE %s AND a.security_score >= 5 AND a.security_score < 8", vis));
	T_EQ(jnum(&r, "security.lowSecurityCount"), qi("SELECT count(*) FROM script_analysis a JOIN scripts s"
	    " ON s.id = a.script_id WHERE %s AND a.security_score < 5", vis));
	T_EQ(jnum(&r, "security.riskBuckets.high"), qi("SELECT count(*) FROM script_analysis a JOIN scripts s"
	    " ON s.id = a.script_id WHERE %s AND a.risk_score >= 8", vis));
	/* the most common finding, from the JSONB itself */
	snprintf(sql, sizeof(sql), "SELECT f->>'ruleId' || ' ' || count(*) FROM script_analysis a JOIN scripts s"
	    " ON s.id = a.script_id, jsonb_array_elements(a.security_issues || a.best_practice_violations ||"
	    " a.performance_insights || a.potential_risks) f WHERE %s GROUP BY 1 IS NULL, f->>'ruleId'"
	    " ORDER BY count(*) DESC, f->>'ruleId' LIMIT 1", vis);
	{
		char want[160], got[160];

		snprintf(want, sizeof(want), "%s", str(it_psqlf("%s", sql)));
		snprintf(got, sizeof(got), "%s %s", it_str(&r, "security.commonIssues.0.ruleId"),
		    it_str(&r, "security.commonIssues.0.count"));
		T_STREQ(got, want);
	}
	T_ASSERT(it_str(&r, "security.commonIssues.0.name") != NULL);
	T_ASSERT(it_str(&r, "security.commonIssues.0.url") != NULL);
	/* usage */
	T_EQ(jnum(&r, "usage.totalScripts"), qi("SELECT count(*) FROM scripts s WHERE %s", vis));
	T_EQ(jnum(&r, "usage.totalUsers"), qi("SELECT count(*) FROM users WHERE %s IS NOT NULL", "id"));
	T_EQ(jnum(&r, "usage.totalAnalyses"), qi("SELECT count(*) FROM script_analysis a JOIN scripts s"
	    " ON s.id = a.script_id WHERE %s", vis));
	T_EQ(jnum(&r, "usage.totalExecutions"), qi("SELECT count(*) FROM execution_logs e JOIN scripts s"
	    " ON s.id = e.script_id WHERE %s", vis));
	arr = json_object_object_get(json_object_object_get(r.json, "usage"), "scriptsByDate");
	T_EQ((long long)json_object_array_length(arr), 30);
	for (size_t i = 0; arr != NULL && i < json_object_array_length(arr); i++)
		sum += json_object_get_int64(json_object_object_get(json_object_array_get_idx(arr, i), "count"));
	T_EQ(sum, jnum(&r, "usage.scriptsLastPeriod"));
	T_EQ(sum, qi("SELECT count(*) FROM scripts s WHERE %s AND (s.created_at AT TIME ZONE 'UTC')::date"
	    " > (now() AT TIME ZONE 'UTC')::date - 30", vis));
	T_STREQ(it_str(&r, "usage.scriptsByDate.29.date"), it_psqlf("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')"));
	/* categories: the test's category holds exactly what this viewer sees of its two scripts */
	T_EQ(jnum(&r, "categories.totalScripts"), qi("SELECT count(*) FROM scripts s WHERE %s", vis));
	snprintf(sql, sizeof(sql), "/api/analytics/categories?categoryId=%lld", cat_id);
	{
		struct it_resp c = get(a, sql);
		char w[160];

		T_EQ(c.status, 200);
		snprintf(w, sizeof(w), "%s AND s.category_id = %lld", vis, cat_id);
		T_EQ(jnum(&c, "categories.0.count"), qi("SELECT count(*) FROM scripts s WHERE %s", w));
		if (!scripts_moved)	/* and what setup made of them */
			T_EQ(jnum(&c, "categories.0.count"), a == &user ? 1 : 2);
		T_ASSERT(it_str(&c, "categories.1.id") == NULL);
		it_resp_free(&c);
	}
	it_resp_free(&r);
}

static void
test_figures_match_sql(void)
{
	check_figures(&user);
	check_figures(&other);
	check_figures(&admin);
}

/* A user never sees figures that count another user's private script. */
static void
test_scope_hides_private_scripts(void)
{
	struct it_resp u = get(&user, "/api/analytics/summary"), a = get(&admin, "/api/analytics/summary");
	struct it_resp o = get(&other, "/api/analytics/security");

	char mine[32];

	/* the test can fail: the private script moves the administrator's figures */
	snprintf(mine, sizeof(mine), "%s", str(it_psqlf("SELECT round(avg(security_score)::numeric, 1) FROM script_analysis a"
	    " JOIN scripts s ON s.id = a.script_id WHERE s.is_public OR s.user_id = %lld", user.id)));
	T_ASSERT(strcmp(mine, str(it_psqlf("SELECT round(avg(security_score)::numeric, 1) FROM script_analysis"))) != 0);
	T_ASSERT(u.body != NULL && strstr(u.body, PRIVATE_RULE) == NULL);
	T_ASSERT(strstr(u.body, other_title) == NULL);
	T_CONTAINS(a.body, PRIVATE_RULE);
	T_CONTAINS(a.body, other_title);
	T_CONTAINS(o.body, PRIVATE_RULE);	/* its owner sees it */
	T_STREQ(it_str(&a, "security.commonIssues.0.ruleId"), PRIVATE_RULE);
	T_ASSERT(jnum(&u, "security.averageScore") != jnum(&a, "security.averageScore"));
	T_ASSERT(jnum(&u, "usage.totalScripts") < jnum(&a, "usage.totalScripts"));
	T_CONTAINS(it_str(&u, "scope.description"), "Public scripts and your own");
	it_resp_free(&u);
	it_resp_free(&a);
	it_resp_free(&o);
}

/* WORKER_ROUNDS reads of path as a (each of the 3 workers answers several): how many have
 * the number want at member. */
static int
rounds(const struct acct *a, const char *path, const char *member, double want)
{
	int n = 0;

	for (int i = 0; i < WORKER_ROUNDS; i++) {
		struct it_resp r = get(a, path);

		n += r.status == 200 && jnum(&r, member) == want;
		it_resp_free(&r);
	}
	return n;
}

static double
now_of(const struct acct *a, const char *path, const char *member)
{
	struct it_resp r = get(a, path);
	double v = jnum(&r, member);

	it_resp_free(&r);
	return v;
}

static void
test_writes_reach_every_worker(void)
{
	const char *S = "/api/analytics/summary", *T = "usage.totalScripts", *A = "security.totalScriptsAnalyzed";
	double n = now_of(&user, S, T), na = now_of(&user, S, A), nadmin = now_of(&admin, S, T), users;
	char title[64], path[96];
	long long id;
	struct it_resp r;

	T_EQ(rounds(&user, S, T, n), WORKER_ROUNDS);	/* every worker holds the old answer */
	T_EQ(rounds(&admin, S, T, nadmin), WORKER_ROUNDS);
	/* create */
	unique_name(title, sizeof(title), "AnFresh");
	id = new_script(&user, title, true);
	T_EQ(rounds(&user, S, T, n + 1), WORKER_ROUNDS);
	T_EQ(rounds(&admin, S, T, nadmin + 1), WORKER_ROUNDS);
	/* re-analysis by the job runner (another process) */
	T_EQ(it_run("\"$PSS_BIN/psscript\" job enqueue analysis.run '{\"scriptId\":%lld}' >/dev/null", id), 0);
	jobs_drain();
	T_EQ(rounds(&user, S, A, na + 1), WORKER_ROUNDS);
	/* update: the category moves the script out of the test's category */
	snprintf(path, sizeof(path), "/api/analytics/categories?categoryId=%lld", cat_id);
	{
		double c = now_of(&user, path, "categories.0.count");
		char up[96], body[64];

		T_EQ(rounds(&user, path, "categories.0.count", c), WORKER_ROUNDS);
		snprintf(up, sizeof(up), "/api/scripts/%lld", id);
		snprintf(body, sizeof(body), "{\"categoryId\":null}");
		T_EQ(status_of("PUT", up, user.token, body), 200);
		T_EQ(rounds(&user, path, "categories.0.count", c - 1), WORKER_ROUNDS);
	}
	/* delete */
	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	T_EQ(status_of("DELETE", path, user.token, NULL), 200);
	T_EQ(rounds(&user, S, T, n), WORKER_ROUNDS);
	T_EQ(rounds(&user, S, A, na), WORKER_ROUNDS);
	/* bulk delete */
	unique_name(title, sizeof(title), "AnBulk");
	id = new_script(&user, title, true);
	T_EQ(rounds(&user, S, T, n + 1), WORKER_ROUNDS);
	{
		char body[64];

		snprintf(body, sizeof(body), "{\"ids\":[%lld]}", id);
		T_EQ(status_of("POST", "/api/scripts/delete", user.token, body), 200);
	}
	T_EQ(rounds(&user, S, T, n), WORKER_ROUNDS);
	/* a new account moves totalUsers */
	users = now_of(&user, S, "usage.totalUsers");
	T_EQ(rounds(&user, S, "usage.totalUsers", users), WORKER_ROUNDS);
	{
		struct acct extra;

		T_EQ(acct_register(&extra, "anextra"), 0);
	}
	T_EQ(rounds(&user, S, "usage.totalUsers", users + 1), WORKER_ROUNDS);
	/* deleting a user takes their scripts out of every figure */
	r = get(&admin, S);
	T_CONTAINS(r.body, PRIVATE_RULE);
	it_resp_free(&r);
	nadmin = now_of(&admin, S, T);
	T_EQ(rounds(&admin, S, T, nadmin), WORKER_ROUNDS);
	snprintf(path, sizeof(path), "/api/users/%lld", other.id);
	T_EQ(status_of("DELETE", path, admin.token, NULL), 200);
	T_EQ(rounds(&admin, S, T, nadmin - 1), WORKER_ROUNDS);
	r = get(&admin, S);
	T_ASSERT(r.body != NULL && strstr(r.body, PRIVATE_RULE) == NULL);
	it_resp_free(&r);
}

/* Each <svg>…</svg> of a page well-formed for xmllint, with a title and a description. */
static int
svgs_wellformed(const char *html)
{
	const char *p = html;
	int n = 0;

	while ((p = strstr(p, "<svg")) != NULL) {
		const char *e = strstr(p, "</svg>");
		char path[] = "/tmp/pss-an-svg-XXXXXX";
		FILE *f = NULL;
		int fd;

		T_ASSERT(e != NULL);
		if (e == NULL)
			break;
		e += 6;
		T_ASSERT(memmem(p, (size_t)(e - p), "<title id=", 10) != NULL);
		T_ASSERT(memmem(p, (size_t)(e - p), "<desc id=", 9) != NULL);
		T_ASSERT(memmem(p, (size_t)(e - p), "role=\"img\"", 10) != NULL);
		if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL) {
			T_FAIL_("cannot write %s", path);
			break;
		}
		fwrite(p, 1, (size_t)(e - p), f);
		fclose(f);
		T_EQ(it_run("xmllint --noout %s", path), 0);
		unlink(path);
		n++;
		p = e;
	}
	return n;
}

/* The scripts count of the /analytics page as a (-1 when absent). */
static long long
page_scripts(const struct acct *a)
{
	struct it_resp r = get(a, "/analytics");
	const char *p = r.body != NULL ? strstr(r.body, "<li><strong>") : NULL;
	long long n = p != NULL && r.status == 200 ? strtoll(p + 12, NULL, 10) : -1;

	it_resp_free(&r);
	return n;
}

/* The page's content is cached as HTML: a write shows on it at once, on every worker. */
static void
test_page_cache_follows_writes(void)
{
	long long n = page_scripts(&user), id;
	char title[64], path[64];
	int same = 0;

	T_ASSERT(n >= 1);
	for (int i = 0; i < WORKER_ROUNDS; i++)
		same += page_scripts(&user) == n;
	T_EQ(same, WORKER_ROUNDS);
	unique_name(title, sizeof(title), "AnPage");
	id = new_script(&user, title, true);
	same = 0;
	for (int i = 0; i < WORKER_ROUNDS; i++)
		same += page_scripts(&user) == n + 1;
	T_EQ(same, WORKER_ROUNDS);
	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	T_EQ(status_of("DELETE", path, user.token, NULL), 200);
	same = 0;
	for (int i = 0; i < WORKER_ROUNDS; i++)
		same += page_scripts(&user) == n;
	T_EQ(same, WORKER_ROUNDS);
}

static void
test_pages(void)
{
	struct it_resp r = get(&user, "/analytics");
	char path[128];

	T_EQ(r.status, 200);
	T_CONTAINS(it_header(&r, "content-type"), "text/html");
	T_EQ(svgs_wellformed(r.body), 5);
	T_ASSERT(strstr(r.body, PRIVATE_RULE) == NULL);
	T_ASSERT(strstr(r.body, other_title) == NULL);
	T_CONTAINS(r.body, "<caption>Security score distribution: the figures of the chart</caption>");
	T_CONTAINS(r.body, "/analytics/rules/PSAvoidUsingInvokeExpression");
	T_CONTAINS(r.body, "Public scripts and your own");
	T_ASSERT(strstr(r.body, "<script>") == NULL && strstr(r.body, " style=") == NULL);
	it_resp_free(&r);
	r = get(&user, "/analytics?days=5");
	T_EQ(r.status, 400);
	T_CONTAINS(it_header(&r, "content-type"), "text/html");
	it_resp_free(&r);
	r = get(&user, "/analytics/rules/PSAvoidUsingInvokeExpression");
	T_EQ(r.status, 200);
	T_CONTAINS(r.body, user_title);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/analytics/rules/%s", PRIVATE_RULE);
	r = get(&user, path);
	T_EQ(r.status, 200);
	T_ASSERT(strstr(r.body, other_title) == NULL);
	T_CONTAINS(r.body, "0 scripts you may see");
	it_resp_free(&r);
	r = get(&user, "/analytics/rules/bad%20id");
	T_EQ(r.status, 400);
	it_resp_free(&r);
	r = get(&user, "/");
	T_EQ(r.status, 200);
	T_CONTAINS(r.body, "Security at a glance");
	it_resp_free(&r);
	r = get(&admin, "/admin/operations");
	T_EQ(r.status, 200);
	T_CONTAINS(r.body, "Query time (p95)");
	T_CONTAINS(r.body, "Cache hit rate");
	T_CONTAINS(r.body, "Deadlocks");
	T_CONTAINS(r.body, "psscript-fcgi");
	T_CONTAINS(r.body, "PostgreSQL 15");
	T_CONTAINS(r.body, "<code>analytics.summary</code>");
	it_resp_free(&r);
	T_EQ(status_of("GET", "/admin/operations", user.token, NULL), 403);
}

static void
test_stats_command(void)
{
	char path[] = "/tmp/pss-an-stats-XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *f;
	char out[65536];
	size_t n;

	T_ASSERT(fd >= 0);
	close(fd);
	rc = it_run("\"$PSS_BIN/psscript\" stats > %s 2>&1", path);
	T_ASSERTF(rc == 0 || rc == 1, "psscript stats: %d", rc);
	T_ASSERT((f = fopen(path, "r")) != NULL);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	T_CONTAINS(out, "Targets");
	T_CONTAINS(out, "Query time (p95)");
	T_CONTAINS(out, "analytics.summary");
	T_CONTAINS(out, "Versions: PostgreSQL 15");
	T_CONTAINS(out, "psscript-fcgi");
	T_EQ(it_run("\"$PSS_BIN/psscript\" stats --json | python3 -c 'import json,sys; d=json.load(sys.stdin);"
	    " assert len(d[\"targets\"]) == 4 and d[\"requests\"][\"total\"] > 0' "), 0);
	T_EQ(it_run("\"$PSS_BIN/psscript\" stats --bogus >/dev/null 2>&1"), 2);
	unlink(path);
}

/* 0030's rollup against the tables it summarises: the rows that differ (0 when exact). */
#define RULES_SQL \
	"SELECT user_id, is_public, category_id, rule_id, sum(occurrences), sum(scripts)" \
	" FROM analytics_rule_totals GROUP BY 1, 2, 3, 4 HAVING sum(scripts) <> 0 OR sum(occurrences) <> 0"
#define RULES_WANT \
	"SELECT COALESCE(s.user_id, 0), s.is_public, COALESCE(s.category_id, 0), rc.rule_id," \
	" sum(rc.occurrences), count(*) FROM analysis_rule_counts rc JOIN scripts s ON s.id = rc.script_id" \
	" GROUP BY 1, 2, 3, 4"
#define SCRIPTS_WANT \
	"SELECT s.id, COALESCE(s.user_id, 0), s.is_public, s.category_id, (s.created_at AT TIME ZONE 'UTC')::date," \
	" (a.updated_at AT TIME ZONE 'UTC')::date, a.security_score, a.risk_score, a.quality_score" \
	" FROM scripts s LEFT JOIN script_analysis a ON a.script_id = s.id"
#define ROLLUP_DIFF \
	"SELECT (SELECT count(*) FROM ((" RULES_SQL " EXCEPT " RULES_WANT ") UNION ALL" \
	" (" RULES_WANT " EXCEPT " RULES_SQL ")) x) + (SELECT count(*) FROM ((SELECT * FROM analytics_scripts" \
	" EXCEPT " SCRIPTS_WANT ") UNION ALL (" SCRIPTS_WANT " EXCEPT SELECT * FROM analytics_scripts)) y)"

/* A write through the API (every analytics entry dropped) after one through psql. */
static void
api_write(void)
{
	char name[64], body[160];

	unique_name(name, sizeof(name), "AnTag");
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	T_EQ(status_of("POST", "/api/tags", admin.token, body), 201);
}

/* The figures follow every kind of write through 0030's triggers: a private script made
 * public (its findings join the user's), moved to another category, re-analysed with other
 * findings and with none, its category deleted, the script deleted; each time the figures
 * against the JSONB (check_figures) and the rollup against its tables. */
static void
test_rollup_follows_writes(void)
{
	char path[96], body[256], name[64];
	long long cat2, id;
	struct acct owner;
	struct it_resp r;
	const char *v;

	T_STREQ(it_psqlf(ROLLUP_DIFF), "0");
	T_EQ(acct_register(&owner, "anroll"), 0);
	scripts_moved = true;
	id = new_script(&owner, "AnRollupSecret", false);
	jobs_drain();
	set_analysis(id, 0.1, 9.95, PRIVATE_RULE, 50);
	api_write();
	r = get(&user, "/api/analytics/security");
	T_ASSERT(r.body != NULL && strstr(r.body, PRIVATE_RULE) == NULL);	/* private */
	it_resp_free(&r);
	T_STREQ(it_psqlf(ROLLUP_DIFF), "0");
	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	T_EQ(status_of("PUT", path, owner.token, "{\"isPublic\":true}"), 200);
	r = get(&user, "/api/analytics/security");
	T_STREQ(it_str(&r, "commonIssues.0.ruleId"), PRIVATE_RULE);	/* public now */
	it_resp_free(&r);
	check_figures(&user);
	T_STREQ(it_psqlf(ROLLUP_DIFF), "0");
	/* another category: the filtered figures move with it */
	unique_name(name, sizeof(name), "AnCat3");
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	T_EQ(it_json(&r, "POST", "/api/categories", admin.token, body), 0);
	cat2 = (v = it_str(&r, "category.id")) != NULL ? strtoll(v, NULL, 10) : 0;
	it_resp_free(&r);
	T_ASSERT(cat2 > 0);
	snprintf(body, sizeof(body), "{\"categoryId\":%lld}", cat2);
	T_EQ(status_of("PUT", path, owner.token, body), 200);
	snprintf(body, sizeof(body), "/api/analytics/security?categoryId=%lld", cat2);
	r = get(&user, body);
	T_STREQ(it_str(&r, "commonIssues.0.ruleId"), PRIVATE_RULE);
	T_EQ(jnum(&r, "totalScriptsAnalyzed"), 1);
	it_resp_free(&r);
	T_STREQ(it_psqlf(ROLLUP_DIFF), "0");
	/* re-analysed: other findings, then none but the shared one */
	set_analysis(id, 3.3, 6.6, "PSZzAnalyticsSecondRule", 3);
	api_write();
	r = get(&admin, "/api/analytics/security");
	T_ASSERT(r.body != NULL && strstr(r.body, PRIVATE_RULE) == NULL);
	T_CONTAINS(r.body, "PSZzAnalyticsSecondRule");
	it_resp_free(&r);
	it_psqlf("UPDATE script_analysis SET security_issues = '[]', best_practice_violations = '[]' WHERE script_id = %lld",
	    id);
	api_write();
	r = get(&admin, "/api/analytics/security");
	T_ASSERT(r.body != NULL && strstr(r.body, "PSZzAnalyticsSecondRule") == NULL);
	it_resp_free(&r);
	check_figures(&admin);
	T_STREQ(it_psqlf(ROLLUP_DIFF), "0");
	/* the category deleted: its scripts have none */
	set_analysis(id, 3.3, 6.6, "PSZzAnalyticsThirdRule", 2);
	snprintf(body, sizeof(body), "/api/categories/%lld", cat2);
	T_EQ(status_of("DELETE", body, admin.token, NULL), 200);
	T_STREQ(it_psqlf("SELECT COALESCE(sum(scripts), 0) FROM analytics_rule_totals WHERE category_id = %lld", cat2), "0");
	T_STREQ(it_psqlf(ROLLUP_DIFF), "0");
	/* deleted: its findings leave every figure */
	T_EQ(status_of("DELETE", path, owner.token, NULL), 200);
	r = get(&admin, "/api/analytics/summary");
	T_ASSERT(r.body != NULL && strstr(r.body, "PSZzAnalyticsThirdRule") == NULL);
	it_resp_free(&r);
	T_STREQ(it_psqlf("SELECT count(*) FROM analytics_scripts WHERE script_id = %lld", id), "0");
	check_figures(&admin);
	T_STREQ(it_psqlf(ROLLUP_DIFF), "0");
	/* the new rows were folded: one a group, none left to fold */
	T_STREQ(it_psqlf("SELECT count(*) FROM analytics_rule_totals WHERE NOT compacted"), "0");
}

int
main(void)
{
	it_init();
	setup();
	T_RUN(test_anonymous_is_401);
	T_RUN(test_bad_filters_are_400);
	T_RUN(test_figures_match_sql);
	T_RUN(test_scope_hides_private_scripts);
	T_RUN(test_writes_reach_every_worker);
	T_RUN(test_pages);
	T_RUN(test_page_cache_follows_writes);
	T_RUN(test_stats_command);
	T_RUN(test_rollup_follows_writes);	/* last: moves the test category's counts */
	return t_done();
}
