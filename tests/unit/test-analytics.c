/* test-analytics.c: unit tests of the analytics' pure parts: the SVG charts (well-formed by
 * xmllint, escaped, accessible), the latency quantiles of the shared counters, the filters
 * and the cache keys */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "core/metrics.h"
#include "render/svg.h"
#include "services/analytics.h"
#include "t.h"

/* xmllint's verdict on s: 0 well-formed, 1 not, -1 when xmllint is missing (skipped). */
static int
xml_wellformed(const char *s)
{
	char path[] = "/tmp/pss-svg-XXXXXX", cmd[128];
	FILE *f;
	int fd, rc;

	if (system("command -v xmllint >/dev/null 2>&1") != 0)
		return -1;
	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL)
		return 1;
	fputs(s, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "xmllint --noout %s 2>/dev/null", path);
	rc = system(cmd) == 0 ? 0 : 1;
	unlink(path);
	return rc;
}

static void
test_hbars_escape_labels_and_are_wellformed(void)
{
	struct buf b = BUF_INIT;
	struct svg_bar bars[] = {
		{ "<script>alert(1)</script>", 3, 0, "/x?a=1&b=\"2\"" },
		{ "O'Brien & co", 0, 1, NULL },
		{ "Zero-width", 12, 7, NULL },
	};
	int wf;

	svg_hbars(&b, &(struct svg_chart){ "chart-t", "Title <b>", "Desc & more" }, bars, 3, "%.0f");
	T_ASSERT(strstr(buf_cstr(&b), "<script>") == NULL);
	T_CONTAINS(buf_cstr(&b), "&lt;script&gt;alert(1)&lt;/script&gt;");
	T_CONTAINS(buf_cstr(&b), "href=\"/x?a=1&amp;b=&quot;2&quot;\"");
	T_CONTAINS(buf_cstr(&b), "<title id=\"chart-t-title\">Title &lt;b&gt;</title>");
	T_CONTAINS(buf_cstr(&b), "<desc id=\"chart-t-desc\">Desc &amp; more</desc>");
	T_CONTAINS(buf_cstr(&b), "role=\"img\" aria-labelledby=\"chart-t-title chart-t-desc\"");
	/* every value is printed; series 7 uses pattern 3, a pattern besides its colour */
	T_CONTAINS(buf_cstr(&b), ">12</text>");
	T_CONTAINS(buf_cstr(&b), ">0</text>");
	T_CONTAINS(buf_cstr(&b), "fill=\"url(#chart-t-p3)\"");
	T_CONTAINS(buf_cstr(&b), "fill=\"url(#chart-t-p1)\"");
	T_ASSERT(strstr(buf_cstr(&b), "style=") == NULL);
	if ((wf = xml_wellformed(buf_cstr(&b))) >= 0)
		T_EQ(wf, 0);
	buf_free(&b);
}

static void
test_hbars_empty_says_no_data(void)
{
	struct buf b = BUF_INIT;

	svg_hbars(&b, &(struct svg_chart){ "e", "Empty", "Nothing" }, NULL, 0, "%.0f");
	T_CONTAINS(buf_cstr(&b), "No data");
	if (xml_wellformed(buf_cstr(&b)) >= 0)
		T_EQ(xml_wellformed(buf_cstr(&b)), 0);
	buf_free(&b);
}

static void
test_columns_legend_axis_and_labels(void)
{
	struct buf b = BUF_INIT;
	const char *labels[30];
	double a[30], c[30];
	char names[30][8];

	for (int i = 0; i < 30; i++) {
		snprintf(names[i], sizeof(names[i]), "d%02d", i);
		labels[i] = names[i];
		a[i] = i % 5;
		c[i] = i == 29 ? 40 : 0;
	}
	svg_columns(&b, &(struct svg_chart){ "daily", "Per day", "Scripts & analyses" }, labels, 30,
	    (struct svg_series[]){ { "New <scripts>", a }, { "Analyses", c } }, 2, 7);
	T_CONTAINS(buf_cstr(&b), "New &lt;scripts&gt;");
	T_CONTAINS(buf_cstr(&b), ">Analyses</text>");
	T_CONTAINS(buf_cstr(&b), ">40</text>");	/* the axis maximum */
	T_CONTAINS(buf_cstr(&b), ">d00</text>");
	T_CONTAINS(buf_cstr(&b), ">d07</text>");
	T_CONTAINS(buf_cstr(&b), ">d29</text>");	/* the last day is always labelled */
	T_ASSERT(strstr(buf_cstr(&b), ">d01</text>") == NULL);
	T_CONTAINS(buf_cstr(&b), "fill=\"url(#daily-p1)\"");	/* the second series is hatched */
	if (xml_wellformed(buf_cstr(&b)) >= 0)
		T_EQ(xml_wellformed(buf_cstr(&b)), 0);
	buf_free(&b);
}

static void
test_quantile_interpolates_inside_the_bucket(void)
{
	uint64_t h[METRICS_NBUCKETS] = { 0 };

	T_ASSERT(metrics_quantile(h, 0.5) < 0);	/* empty */
	/* 100 observations in (5 ms, 10 ms]: the median is 7.5 ms, p95 9.75 ms */
	h[3] = 100;
	T_ASSERT(fabs(metrics_quantile(h, 0.5) - 0.0075) < 1e-9);
	T_ASSERT(fabs(metrics_quantile(h, 0.95) - 0.00975) < 1e-9);
	/* 90 fast (<= 1 ms) and 10 in (100 ms, 250 ms]: p50 under 1 ms, p95 in the slow bucket */
	memset(h, 0, sizeof(h));
	h[0] = 90;
	h[7] = 10;
	T_ASSERT(metrics_quantile(h, 0.5) <= 0.001);
	T_ASSERT(metrics_quantile(h, 0.95) > 0.1 && metrics_quantile(h, 0.95) <= 0.25);
	/* beyond the last bound: the lower bound (5 s) is all that is known */
	memset(h, 0, sizeof(h));
	h[METRICS_NBUCKETS - 1] = 3;
	T_ASSERT(fabs(metrics_quantile(h, 0.95) - 5.0) < 1e-9);
	T_ASSERT(isinf(metrics_bucket_bound(METRICS_NBUCKETS - 1)));
}

static void
test_filter_bounds(void)
{
	struct analytics_filter f;
	struct svc_err err = { 0 };

	T_EQ(analytics_filter_parse(NULL, NULL, &f, &err), PSS_OK);
	T_EQ(f.days, 30);
	T_EQ(f.category_id, 0);
	T_EQ(analytics_filter_parse("7", "3", &f, &err), PSS_OK);
	T_EQ(f.days, 7);
	T_EQ(f.category_id, 3);
	T_EQ(analytics_filter_parse("365", NULL, &f, &err), PSS_OK);
	T_EQ(analytics_filter_parse("6", NULL, &f, &err), PSS_EINVAL);
	T_STREQ(err.field, "days");
	T_EQ(analytics_filter_parse("366", NULL, &f, &err), PSS_EINVAL);
	T_EQ(analytics_filter_parse("30x", NULL, &f, &err), PSS_EINVAL);
	T_EQ(analytics_filter_parse("", NULL, &f, &err), PSS_EINVAL);
	T_EQ(analytics_filter_parse("90", "", &f, &err), PSS_OK);	/* the form's "every category" */
	T_EQ(f.category_id, 0);
	T_EQ(analytics_filter_parse(NULL, "0", &f, &err), PSS_EINVAL);
	T_STREQ(err.field, "categoryId");
	T_EQ(analytics_filter_parse(NULL, "-1", &f, &err), PSS_EINVAL);
	T_EQ(analytics_filter_parse(NULL, "99999999999", &f, &err), PSS_EINVAL);
	T_ASSERT(analytics_param_known("days"));
	T_ASSERT(analytics_param_known("categoryId"));
	T_ASSERT(!analytics_param_known("categoryid"));
	T_ASSERT(!analytics_param_known("userId"));
}

static void
test_cache_keys_name_scope_and_filters(void)
{
	struct analytics_filter f = { 4, 90 };
	struct viewer admin = { 1, true }, user = { 42, false };
	char k[96];

	analytics_cache_key(k, sizeof(k), ANALYTICS_SUMMARY, &admin, &f);
	/* an admin's usage counts their own scripts (userScripts): theirs alone */
	T_STREQ(k, "analytics:summary:a1:d90.c4");
	analytics_cache_key(k, sizeof(k), ANALYTICS_USAGE, &user, &f);
	T_STREQ(k, "analytics:usage:u42:d90.c4");
	/* security and categories do not depend on days: one entry for every period */
	analytics_cache_key(k, sizeof(k), ANALYTICS_SECURITY, &user, &f);
	T_STREQ(k, "analytics:security:u42:c4");
	f.category_id = 0;
	analytics_cache_key(k, sizeof(k), ANALYTICS_CATEGORIES, &admin, &f);
	T_STREQ(k, "analytics:categories:all:c0");
}

int
main(void)
{
	T_RUN(test_hbars_escape_labels_and_are_wellformed);
	T_RUN(test_hbars_empty_says_no_data);
	T_RUN(test_columns_legend_axis_and_labels);
	T_RUN(test_quantile_interpolates_inside_the_bucket);
	T_RUN(test_filter_bounds);
	T_RUN(test_cache_keys_name_scope_and_filters);
	return t_done();
}
