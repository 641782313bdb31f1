/* analytics.c: /api/analytics/{security,usage,categories,summary}, the /analytics pages with
 * their server-drawn charts, the dashboard's summary, and /admin/operations */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"
#include "handlers/library.h"
#include "handlers/pages.h"
#include "http/parse.h"
#include "render/svg.h"
#include "services/analytics.h"

#define CHART_MAX 400	/* a chart's bars or days (days <= 365, categories listed) */

/* The filters of the request: 0, or -1 after answering 400 (an unknown parameter, days out of
 * 7..365, a categoryId that is not an id). */
static int
req_analytics_filter(struct http_ctx *c, struct analytics_filter *f)
{
	struct svc_err err = { 0 };
	enum pss_err e;

	for (size_t i = 0; i < c->req->query.n; i++) {
		const char *k = c->req->query.items[i].key;

		if (!analytics_param_known(k)) {
			field_error(c, k, "Unknown filter: the analytics take days (7 to 365) and categoryId.");
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->req->query.items[j].key, k) == 0) {
				field_error(c, k, "Given more than once.");
				return -1;
			}
	}
	e = analytics_filter_parse(http_query(c->req, "days"), http_query(c->req, "categoryId"), f, &err);
	if (e != PSS_OK) {
		error_from_svc(c, e, &err, NULL);
		return -1;
	}
	return 0;
}

static void
api(struct http_ctx *c, enum analytics_part part)
{
	struct analytics_filter f;
	struct viewer vw = req_viewer(c);
	struct json_object *o;
	char key[96];
	enum pss_err e;

	if (req_analytics_filter(c, &f) != 0)
		return;
	analytics_cache_key(key, sizeof(key), part, &vw, &f);
	if (reply_cached(c, key, NULL, NULL) == 1)
		return;
	if ((e = analytics_build(&c->app->svc, &vw, part, &f, &o)) != PSS_OK) {
		error_from(c, e, NULL);
		return;
	}
	reply_cache_put(c, key, o, ANALYTICS_TTL, NULL);
}

void h_analytics_security(struct http_ctx *c) { api(c, ANALYTICS_SECURITY); }
void h_analytics_usage(struct http_ctx *c) { api(c, ANALYTICS_USAGE); }
void h_analytics_categories(struct http_ctx *c) { api(c, ANALYTICS_CATEGORIES); }
void h_analytics_summary(struct http_ctx *c) { api(c, ANALYTICS_SUMMARY); }

/* ---- the page ---- */

static struct json_object *
member(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, a, &v))
		return NULL;
	if (b != NULL && (v == NULL || !json_object_object_get_ex(v, b, &v)))
		return NULL;
	return v;
}

static double
num(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v = member(o, a, b);

	return v != NULL ? json_object_get_double(v) : 0;
}

/* {svg, rows: [{label, value, href?}]}: a horizontal bar chart and its table. */
static struct json_object *
hbar_chart(const struct svg_chart *ch, const struct svg_bar *bars, size_t n, const char *fmt)
{
	struct json_object *o = json_object_new_object(), *rows = json_object_new_array();
	struct buf b;

	buf_init(&b);
	svg_hbars(&b, ch, bars, n, fmt);
	json_object_object_add(o, "svg", json_object_new_string(buf_cstr(&b)));
	buf_free(&b);
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_new_object();

		json_object_object_add(r, "label", json_object_new_string(bars[i].label));
		json_object_object_add(r, "value", json_object_new_double(bars[i].value));
		if (bars[i].href != NULL)
			json_object_object_add(r, "href", json_object_new_string(bars[i].href));
		json_object_array_add(rows, r);
	}
	json_object_object_add(o, "rows", rows);
	json_object_object_add(o, "title", json_object_new_string(ch->title));
	return o;
}

static struct json_object *
scores_chart(struct json_object *sec)
{
	static const char *const labels[11] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10" };
	struct json_object *dist = member(sec, "scoreDistribution", NULL);
	struct svg_bar bars[11];
	char desc[200];

	for (size_t i = 0; i < 11; i++) {
		struct json_object *it = dist != NULL ? json_object_array_get_idx(dist, i) : NULL;

		/* the bucket's class (low, medium, high) is its pattern too */
		bars[i] = (struct svg_bar){ labels[i], num(it, "count", NULL), i >= 8 ? 0 : i >= 5 ? 1 : 2, NULL };
	}
	snprintf(desc, sizeof(desc), "How many analysed scripts have each security score (0 to 10, "
	    "rounded down); %.0f scripts analysed, average %.1f.", num(sec, "totalScriptsAnalyzed", NULL),
	    num(sec, "averageScore", NULL));
	return hbar_chart(&(struct svg_chart){ "chart-scores", "Security score distribution", desc },
	    bars, 11, "%.0f");
}

static struct json_object *
risk_chart(struct json_object *sec)
{
	struct svg_bar bars[3] = {
		{ "High risk (8 to 10)", num(sec, "riskBuckets", "high"), 2, NULL },
		{ "Medium risk (5 to under 8)", num(sec, "riskBuckets", "medium"), 1, NULL },
		{ "Low risk (under 5)", num(sec, "riskBuckets", "low"), 0, NULL },
	};
	char desc[200];

	snprintf(desc, sizeof(desc), "Analysed scripts by risk score: %.0f high, %.0f medium, %.0f low.",
	    bars[0].value, bars[1].value, bars[2].value);
	return hbar_chart(&(struct svg_chart){ "chart-risk", "Risk buckets", desc }, bars, 3, "%.0f");
}

static struct json_object *
categories_chart(struct json_object *cats)
{
	struct json_object *arr = member(cats, "categories", NULL), *o;
	struct svg_bar bars[CHART_MAX];
	size_t n = 0;
	char desc[200], hrefs[CHART_MAX][40];

	for (size_t i = 0; arr != NULL && i < json_object_array_length(arr) && n < CHART_MAX - 1; i++) {
		struct json_object *it = json_object_array_get_idx(arr, i);

		snprintf(hrefs[n], sizeof(hrefs[n]), "/categories/%lld", (long long)num(it, "id", NULL));
		bars[n] = (struct svg_bar){ json_object_get_string(member(it, "name", NULL)),
		    num(it, "count", NULL), (unsigned)(n % SVG_PATTERNS), hrefs[n] };
		n++;
	}
	bars[n++] = (struct svg_bar){ "No category", num(cats, "uncategorized", NULL), 0, NULL };
	snprintf(desc, sizeof(desc), "Scripts in each category, of %.0f scripts.", num(cats, "totalScripts", NULL));
	o = hbar_chart(&(struct svg_chart){ "chart-categories", "Scripts by category", desc }, bars, n, "%.0f");
	return o;
}

static struct json_object *
issues_chart(struct json_object *sec)
{
	struct json_object *arr = member(sec, "commonIssues", NULL);
	struct svg_bar bars[10];
	size_t n = 0;

	for (size_t i = 0; arr != NULL && i < json_object_array_length(arr) && n < 10; i++) {
		struct json_object *it = json_object_array_get_idx(arr, i);

		bars[n++] = (struct svg_bar){ json_object_get_string(member(it, "ruleId", NULL)),
		    num(it, "count", NULL), 1, json_object_get_string(member(it, "url", NULL)) };
	}
	return hbar_chart(&(struct svg_chart){ "chart-issues", "The ten most common findings",
	    "Findings by rule across the analysed scripts, most frequent first; each links to the "
	    "scripts that have it." }, bars, n, "%.0f");
}

/* {svg, rows: [{date, scripts, analyses}]} */
static struct json_object *
daily_chart(struct json_object *usage)
{
	struct json_object *s = member(usage, "scriptsByDate", NULL), *a = member(usage, "analysesByDate", NULL);
	struct json_object *o = json_object_new_object(), *rows = json_object_new_array();
	static double vs[CHART_MAX], va[CHART_MAX];
	const char *labels[CHART_MAX];
	size_t n = s != NULL ? json_object_array_length(s) : 0;
	double ts = 0, ta = 0;
	char desc[200];
	struct buf b;

	if (n > CHART_MAX)
		n = CHART_MAX;
	for (size_t i = 0; i < n; i++) {
		struct json_object *si = json_object_array_get_idx(s, i), *ai = a ? json_object_array_get_idx(a, i) : NULL;
		struct json_object *r = json_object_new_object();
		const char *date = json_object_get_string(member(si, "date", NULL));

		labels[i] = date != NULL && strlen(date) == 10 ? date + 5 : "";	/* MM-DD */
		vs[i] = num(si, "count", NULL);
		va[i] = num(ai, "count", NULL);
		ts += vs[i];
		ta += va[i];
		json_object_object_add(r, "date", json_object_new_string(date ? date : ""));
		json_object_object_add(r, "scripts", json_object_new_double(vs[i]));
		json_object_object_add(r, "analyses", json_object_new_double(va[i]));
		json_object_array_add(rows, r);
	}
	snprintf(desc, sizeof(desc), "New scripts and analyses on each of the last %zu days (UTC): "
	    "%.0f scripts and %.0f analyses in all.", n, ts, ta);
	buf_init(&b);
	svg_columns(&b, &(struct svg_chart){ "chart-daily", "Scripts and analyses per day", desc }, labels, n,
	    (struct svg_series[]){ { "New scripts", vs }, { "Analyses", va } }, 2, n > 14 ? (n + 6) / 7 : 1);
	json_object_object_add(o, "svg", json_object_new_string(buf_cstr(&b)));
	buf_free(&b);
	json_object_object_add(o, "rows", rows);
	json_object_object_add(o, "title", json_object_new_string("Scripts and analyses per day"));
	return o;
}

/* The filter form's choices; -1 after the categories' builder answered an error. */
static int
add_choices(struct http_ctx *c, struct json_object *view, const struct analytics_filter *f)
{
	static const int days[] = { 7, 30, 90, 180, 365 };
	struct json_object *arr = json_object_new_array(), *cats, *list = NULL;

	for (size_t i = 0; i < PSS_ARRAY_LEN(days); i++) {
		struct json_object *d = json_object_new_object();

		json_object_object_add(d, "value", json_object_new_int(days[i]));
		json_object_object_add(d, "selected", json_object_new_boolean(days[i] == f->days));
		json_object_array_add(arr, d);
	}
	json_object_object_add(view, "dayChoices", arr);
	if (view_categories_list(c, &cats) != 0)
		return -1;
	if (json_object_object_get_ex(cats, "categories", &list))
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			struct json_object *it = json_object_array_get_idx(list, i);

			json_object_object_add(it, "selected", json_object_new_boolean(
			    (int64_t)num(it, "id", NULL) == f->category_id));
		}
	json_object_object_add(view, "categoryChoices", list != NULL ? json_object_get(list) : NULL);
	json_object_put(cats);
	return 0;
}

/* The page's content (templates/analytics/body.mustache) as HTML into out: the summary
 * with a chart and a table for each part. -1 after answering an error. */
static int
analytics_body(struct http_ctx *c, const struct analytics_filter *f, struct buf *out)
{
	struct viewer vw = req_viewer(c);
	struct json_object *sum, *view, *charts, *sec, *usage, *cats;
	struct mus_error merr;
	enum pss_err e;

	if ((e = analytics_get(&c->app->svc, &vw, ANALYTICS_SUMMARY, f, &sum)) != PSS_OK) {
		error_from(c, e, NULL);
		return -1;
	}
	sec = member(sum, "security", NULL);
	usage = member(sum, "usage", NULL);
	cats = member(sum, "categories", NULL);
	view = json_object_new_object();
	charts = json_object_new_object();
	json_object_object_add(charts, "scores", scores_chart(sec));
	json_object_object_add(charts, "risk", risk_chart(sec));
	json_object_object_add(charts, "daily", daily_chart(usage));
	json_object_object_add(charts, "categories", categories_chart(cats));
	json_object_object_add(charts, "issues", issues_chart(sec));
	json_object_object_add(view, "charts", charts);
	json_object_object_add(view, "summary", sum);
	if (add_choices(c, view, f) != 0) {
		json_object_put(view);
		return -1;
	}
	/* page_setup: the templates, once a process (the layout's render would load them later) */
	if ((e = page_setup(c->app->conf->data_dir, conf_is_dev(c->app->conf), &merr)) == PSS_OK)
		e = page_render("analytics/body", view, NULL, out, &merr);
	json_object_put(view);
	if (e != PSS_OK) {
		log_error("analytics/body: %s (line %d)", merr.msg, merr.line);
		error_from(c, PSS_EINTERNAL, NULL);
		return -1;
	}
	return 0;
}

/* GET /analytics: the content is cached as HTML under analytics_page_key (the same scope
 * and filters as the figures, dropped with them), so a cached page renders only the layout. */
void
h_page_analytics(struct http_ctx *c)
{
	struct analytics_filter f;
	struct viewer vw = req_viewer(c);
	struct json_object *view;
	char key[96], *html;
	size_t len;

	if (req_analytics_filter(c, &f) != 0)
		return;
	analytics_page_key(key, sizeof(key), &vw, &f);
	view = json_object_new_object();
	if ((html = analytics_text_get(&c->app->svc, key, &len)) != NULL) {
		json_object_object_add(view, "html", json_object_new_string_len(html, (int)len));
		free(html);
	} else {
		struct buf b;

		buf_init(&b);
		if (analytics_body(c, &f, &b) != 0) {
			buf_free(&b);
			json_object_put(view);
			return;
		}
		analytics_text_put(&c->app->svc, key, buf_cstr(&b), b.len);
		json_object_object_add(view, "html", json_object_new_string_len(buf_cstr(&b), (int)b.len));
		buf_free(&b);
	}
	json_reply(c, 200, view);
}

/* GET /analytics/rules/:ruleId: the visible scripts with findings of a rule. */
void
h_page_analytics_rule(struct http_ctx *c)
{
	struct viewer vw = req_viewer(c);
	struct json_object *o;
	enum pss_err e;

	if ((e = analytics_rule(&c->app->svc, &vw, http_param(c->req, "ruleId"), &o)) != PSS_OK) {
		if (e == PSS_EINVAL)
			field_error(c, "ruleId", "A rule id is letters, digits, '_', '.' and '-' (at most 100).");
		else
			error_from(c, e, NULL);
		return;
	}
	json_reply(c, 200, o);
}

/* The dashboard's summary (signed in): {averageScore, totalScriptsAnalyzed, high, medium,
 * low, scriptsLastPeriod, analysesLastPeriod, days, scope} as view.analytics; nothing on
 * failure (the dashboard still shows). */
void
dashboard_analytics(struct http_ctx *c, struct json_object *view)
{
	struct analytics_filter f = { 0, ANALYTICS_DAYS_DEFAULT };
	struct viewer vw = req_viewer(c);
	struct json_object *sum, *o;

	if (c->user == NULL || analytics_get(&c->app->svc, &vw, ANALYTICS_SUMMARY, &f, &sum) != PSS_OK)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "averageScore", json_object_get(member(sum, "security", "averageScore")));
	json_object_object_add(o, "totalScriptsAnalyzed", json_object_get(member(sum, "security", "totalScriptsAnalyzed")));
	json_object_object_add(o, "high", json_object_get(member(sum, "security", "highSecurityCount")));
	json_object_object_add(o, "medium", json_object_get(member(sum, "security", "mediumSecurityCount")));
	json_object_object_add(o, "low", json_object_get(member(sum, "security", "lowSecurityCount")));
	json_object_object_add(o, "highRisk", json_object_get(member(member(sum, "security", NULL),
	    "riskBuckets", "high")));
	json_object_object_add(o, "scriptsLastPeriod", json_object_get(member(sum, "usage", "scriptsLastPeriod")));
	json_object_object_add(o, "analysesLastPeriod", json_object_get(member(sum, "usage", "analysesLastPeriod")));
	json_object_object_add(o, "days", json_object_new_int(f.days));
	json_object_object_add(o, "scope", json_object_get(member(sum, "scope", "description")));
	json_object_object_add(view, "analytics", o);
	json_object_put(sum);
}

/* GET /admin/operations: the operations figures against the spec's targets. */
void
h_page_operations(struct http_ctx *c)
{
	const char *names[METRICS_MAX_ROUTES];

	for (size_t i = 0; i < app_nroutes; i++)
		names[i] = app_routes[i].name;
	names[app_nroutes] = "unrouted";
	json_reply(c, 200, ops_snapshot(&c->app->svc, names, (unsigned)app_nroutes + 1));
}
