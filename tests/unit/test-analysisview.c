/* test-analysisview.c: the analysis view of the pages (render/analysisview.c): the filter's
 * values, findings grouped, counted and numbered whatever the filter, the marked source
 * rows (extent inside <mark> cut at the tags, multi-line extents, the note under the line
 * escaped and linked), and the rows without marks exactly hl_html_rows's */
#include "config.h"

#include <json-c/json.h>
#include <string.h>

#include "core/core.h"
#include "render/analysisview.h"
#include "t.h"

/* An analysis object with the findings of the tests: security (line 2, warning; line 3,
 * error over lines 3-4), best practice (line 1, information, quoting markup). */
static struct json_object *
analysis(void)
{
	return json_tokener_parse("{\"securityScore\": 5.5, \"codeQualityScore\": 9, \"riskScore\": 8.6,"
	    "\"purpose\": \"Tests.\", \"securityIssues\": ["
	    " {\"ruleId\": \"R1\", \"severity\": \"warning\", \"message\": \"m1\", \"line\": 2, \"column\": 6,"
	    "  \"endLine\": 2, \"endColumn\": 11},"
	    " {\"ruleId\": \"R2\", \"severity\": \"error\", \"message\": \"m2\", \"line\": 3, \"column\": 3,"
	    "  \"endLine\": 4, \"endColumn\": 2}],"
	    "\"bestPracticeViolations\": [{\"ruleId\": \"R<3>\", \"severity\": \"information\","
	    " \"message\": \"quotes <img src=x onerror=alert(1)>\", \"line\": 1, \"column\": 1, \"endLine\": 1,"
	    " \"endColumn\": 2}],"
	    "\"commandDetails\": [{\"name\": \"Get-Item\", \"type\": \"cmdlet\", \"availability\": \"both\","
	    " \"lines\": [1, 2]}, {\"name\": \"git\", \"type\": \"external\"}],"
	    "\"executionSummary\": {\"touches\": {\"network\": true, \"filesRead\": false},"
	    " \"evidence\": {\"network\": \"Invoke-WebRequest (line 2)\"}}}");
}

/* o as compact JSON text. */
static const char *
J(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

#define SRC "a = 1\n$b = 'xyz' + 2\n  abc\nde\n"

static const char *
rows(const char *src, const struct av_marks *m)
{
	static struct buf b = BUF_INIT;
	struct hl_lines hl;

	buf_reset(&b);
	hl_render(src, strlen(src), &hl);
	av_rows(&b, &hl, m);
	hl_lines_free(&hl);
	return buf_cstr(&b);
}

static void
test_filter_values(void)
{
	T_EQ(av_kind_parse("security"), AV_SECURITY);
	T_EQ(av_kind_parse("risk"), AV_RISK);
	T_EQ(av_kind_parse(""), AV_KIND__MAX);
	T_EQ(av_kind_parse(NULL), AV_KIND__MAX);
	T_EQ(av_kind_parse("Security"), -1);
	T_EQ(av_sev_parse("information"), AV_INFORMATION);
	T_EQ(av_sev_parse("fatal"), -1);
}

static void
test_groups_and_ids(void)
{
	struct json_object *a = analysis(), *v, *g;
	struct av_filter all = { AV_KIND__MAX, AV_SEV__MAX, "/scripts/7", 0, false };
	struct av_filter sec_err = { AV_SECURITY, AV_ERROR, "/scripts/7", 0, false };
	struct av_marks m;

	v = av_view(a, &all, &m);
	T_ASSERT(v != NULL);
	T_STREQ(json_object_get_string(json_object_object_get(v, "total")), "3");
	T_STREQ(json_object_get_string(json_object_object_get(v, "shown")), "3");
	g = json_object_object_get(v, "groups");
	T_EQ(json_object_array_length(g), 2);
	/* security first, its error before its warning */
	T_STREQ(json_object_get_string(json_object_object_get(json_object_array_get_idx(g, 0), "label")), "Security");
	T_CONTAINS(J(json_object_array_get_idx(g, 0)),
	    "\"severity\":\"error\",\"label\":\"Error\"");
	T_ASSERT(strstr(J(g), "\"id\":\"f-2\"") <
	    strstr(J(g), "\"id\":\"f-1\""));
	/* marks sorted by line; the filter links keep the other argument */
	T_EQ(m.n, 3);
	T_EQ(m.v[0].line, 1);
	T_EQ(m.v[2].line, 3);
	T_CONTAINS(J(json_object_object_get(v, "filters")),
	    "\"href\":\"\\/scripts\\/7?kind=practice#findings\"");
	/* the score explained; the risk level of 8.6 is high */
	T_CONTAINS(J(json_object_object_get(v, "scores")), "\"levelText\":\"high risk\"");
	/* what it touches, in words; the local docs only for the catalog's cmdlets */
	T_CONTAINS(J(json_object_object_get(v, "touchList")),
	    "\"label\":\"Talks to the network\",\"evidence\":\"Invoke-WebRequest (line 2)\"");
	T_CONTAINS(J(json_object_object_get(v, "commands")),
	    "\"localDocsHref\":\"\\/docs\\/cmdlet\\/Get-Item\"");
	T_EQ(strstr(J(json_object_object_get(v, "commands")), "cmdlet\\/git") == NULL, 1);
	av_marks_free(&m);
	json_object_put(v);

	/* filtered: the same ids, only the kept findings marked */
	v = av_view(a, &sec_err, &m);
	T_STREQ(json_object_get_string(json_object_object_get(v, "shown")), "1");
	T_STREQ(json_object_get_string(json_object_object_get(v, "total")), "3");
	T_CONTAINS(J(json_object_object_get(v, "groups")), "\"id\":\"f-2\"");
	T_EQ(m.n, 1);
	T_EQ(m.v[0].id, 2);
	av_marks_free(&m);
	json_object_put(v);

	/* no base: no filter links, everything shown */
	all.base = NULL;
	v = av_view(a, &all, NULL);
	T_ASSERT(json_object_object_get(v, "filters") == NULL);
	T_ASSERT(!json_object_get_boolean(json_object_object_get(v, "filterable")));
	json_object_put(v);
	T_ASSERT(av_view(NULL, &all, NULL) == NULL);
	json_object_put(a);
}

static void
test_rows_marked(void)
{
	struct json_object *a = analysis(), *v;
	struct av_filter all = { AV_KIND__MAX, AV_SEV__MAX, NULL, 0, false };
	struct av_marks m;
	const char *out;

	v = av_view(a, &all, &m);
	out = rows(SRC, &m);
	/* line 2: the string token's text from column 6 to 10 underlined inside its span */
	T_CONTAINS(out, "<tr id=\"L2\" class=\"hl-flag hl-warning\"><td><span class=\"hl-mark\" "
	    "aria-hidden=\"true\"></span><a href=\"#L2\" tabindex=\"-1\">2</a></td>");
	T_CONTAINS(out, "<h-s><mark class=\"hl-x\">&#39;xyz&#39;</mark></h-s>");
	/* the note: escaped, linked to the finding */
	T_CONTAINS(out, "<tr class=\"hl-note\"><td></td><td><ul><li class=\"hl-information\">"
	    "<a href=\"#f-3\"><strong>Information</strong> quotes &lt;img src=x onerror=alert(1)&gt; "
	    "<span class=\"hl-rule\">(R&lt;3&gt;)</span></a></li></ul></td></tr>");
	T_ASSERT(strstr(out, "<img") == NULL);
	/* line 3 from column 3 to its end, line 4 up to column 2: continued, no second note */
	T_CONTAINS(out, "<td>  <h-m><mark class=\"hl-x\">abc</mark></h-m></td>");
	T_CONTAINS(out, "<tr id=\"L4\" class=\"hl-flag hl-cont\"><td><a href=\"#L4\" tabindex=\"-1\">4</a>"
	    "</td><td><h-m><mark class=\"hl-x\">d</mark>e</h-m></td></tr>");
	{
		int notes = 0;

		for (const char *p = out; (p = strstr(p, "<tr class=\"hl-note\">")) != NULL; p++)
			notes++;
		T_EQ(notes, 3);	/* lines 1, 2 and 3; none after line 4 */
	}
	av_marks_free(&m);
	json_object_put(v);
	json_object_put(a);
}

static void
test_rows_unmarked_as_hl_html_rows(void)
{
	struct buf want = BUF_INIT;
	struct hl_lines hl;
	struct av_marks none = { NULL, 0 };

	hl_render(SRC, strlen(SRC), &hl);
	hl_html_rows(&want, &hl, NULL);
	hl_lines_free(&hl);
	T_STREQ(rows(SRC, &none), buf_cstr(&want));
	T_STREQ(rows(SRC, NULL), buf_cstr(&want));
	buf_free(&want);
}

/* A bidi control is one column: the mark after it lands on the right character and never
 * splits the [U+202E] span. */
static void
test_rows_bidi_one_column(void)
{
	struct av_mark mk = { 1, 3, 1, 4, AV_ERROR, AV_SECURITY, 1, "R", "m" };
	struct av_marks m = { &mk, 1 };
	const char *out = rows("a\xe2\x80\xae" "bc\n", &m);

	T_CONTAINS(out, "<span class=\"tk-bidi\">[U+202E]</span><mark class=\"hl-x\">b</mark>c");
}

/* Findings saying the same thing (rule, message, suggestion) are one item with the others'
 * anchors and lines under "more"; a different message or severity is its own item; the
 * marks and the counts still have every finding. */
static void
test_repeated_findings(void)
{
	struct json_object *a = json_tokener_parse("{\"bestPracticeViolations\": ["
	    " {\"ruleId\": \"A\", \"severity\": \"warning\", \"message\": \"same\", \"line\": 1, \"column\": 1},"
	    " {\"ruleId\": \"A\", \"severity\": \"warning\", \"message\": \"other\", \"line\": 2, \"column\": 1},"
	    " {\"ruleId\": \"A\", \"severity\": \"warning\", \"message\": \"same\", \"line\": 3, \"column\": 4},"
	    " {\"ruleId\": \"A\", \"severity\": \"information\", \"message\": \"same\", \"line\": 4, \"column\": 1},"
	    " {\"ruleId\": \"A\", \"severity\": \"warning\", \"message\": \"same\", \"line\": 5, \"column\": 1,"
	    "  \"suggestion\": \"s\"},"
	    " {\"ruleId\": \"A\", \"severity\": \"warning\", \"message\": \"same\", \"line\": 6, \"column\": 2}]}");
	struct av_filter all = { AV_KIND__MAX, AV_SEV__MAX, "/scripts/7", 0, false };
	struct av_marks m;
	struct json_object *v, *sevs, *warn, *first;

	T_ASSERT(a != NULL);
	v = av_view(a, &all, &m);
	T_STREQ(json_object_get_string(json_object_object_get(v, "total")), "6");
	T_STREQ(json_object_get_string(json_object_object_get(v, "shown")), "6");
	T_EQ(m.n, 6);
	sevs = json_object_object_get(json_object_array_get_idx(json_object_object_get(v, "groups"), 0), "severities");
	warn = json_object_array_get_idx(sevs, 0);
	T_STREQ(json_object_get_string(json_object_object_get(warn, "count")), "5");
	/* same (1, 3, 6), other (2), same with a suggestion (5) */
	T_EQ(json_object_array_length(json_object_object_get(warn, "findings")), 3);
	first = json_object_array_get_idx(json_object_object_get(warn, "findings"), 0);
	T_STREQ(json_object_get_string(json_object_object_get(first, "id")), "f-1");
	T_STREQ(json_object_get_string(json_object_object_get(first, "moreCount")), "2");
	T_STREQ(J(json_object_object_get(first, "more")), "[{\"id\":\"f-3\",\"lineHref\":\"#L3\",\"line\":3},"
	    "{\"id\":\"f-6\",\"lineHref\":\"#L6\",\"line\":6}]");
	T_ASSERT(json_object_object_get(json_object_array_get_idx(json_object_object_get(warn, "findings"), 1),
	    "more") == NULL);
	T_STREQ(json_object_get_string(json_object_object_get(json_object_array_get_idx(sevs, 1), "count")), "1");
	av_marks_free(&m);
	json_object_put(v);
	json_object_put(a);
}

/* the source's windows: line counts as the highlighter's, one address per window, the pager,
 * and the rows of a window with a mark reaching into it from before */
static void
test_windows(void)
{
	struct av_filter f = { AV_SECURITY, AV_SEV__MAX, "/scripts/7", 201, false };
	struct json_object *p;
	struct buf b = BUF_INIT, src = BUF_INIT;
	struct hl_lines hl;
	struct av_mark mk = { 3, 1, 5, 2, AV_ERROR, AV_SECURITY, 4, "R", "m" };
	struct av_marks m = { &mk, 1 };

	T_EQ(av_count_lines("", 0), 0);
	T_EQ(av_count_lines("a", 1), 1);
	T_EQ(av_count_lines("a\n", 2), 1);
	T_EQ(av_count_lines("a\r\nb\rc\n\n", 8), 4);
	T_EQ(av_window_of(1), 1);
	T_EQ(av_window_of(200), 1);
	T_EQ(av_window_of(201), 201);
	T_EQ(av_window_of(900), 801);
	av_href(&b, "/scripts/7", AV_KIND__MAX, AV_ERROR, 1, false);
	T_STREQ(buf_cstr(&b), "/scripts/7?severity=error");
	buf_reset(&b);
	av_href(&b, "/scripts/7", AV_RISK, AV_ERROR, 401, false);
	T_STREQ(buf_cstr(&b), "/scripts/7?kind=risk&severity=error&from=401");
	buf_reset(&b);
	av_href(&b, "/scripts/7", AV_KIND__MAX, AV_SEV__MAX, 401, true);
	T_STREQ(buf_cstr(&b), "/scripts/7?lines=all");
	T_ASSERT(av_pager(&f, 200) == NULL);
	p = av_pager(&f, 1000);
	T_CONTAINS(J(p), "\"text\":\"Lines 201\u2013400 of 1,000\"");
	T_CONTAINS(J(p), "\"prevHref\":\"\\/scripts\\/7?kind=security#source-h\"");
	T_CONTAINS(J(p), "\"nextHref\":\"\\/scripts\\/7?kind=security&from=401#source-h\"");
	T_CONTAINS(J(p), "\"allHref\":\"\\/scripts\\/7?kind=security&lines=all#source-h\"");
	json_object_put(p);
	f.from = 801;
	p = av_pager(&f, 1000);
	T_CONTAINS(J(p), "Lines 801\u2013" "1,000 of 1,000");
	T_ASSERT(strstr(J(p), "nextHref") == NULL);
	json_object_put(p);
	f.from = 0;
	f.all = true;
	p = av_pager(&f, 1000);
	T_CONTAINS(J(p), "\"text\":\"All 1,000 lines\"");
	json_object_put(p);

	for (int i = 1; i <= 8; i++)
		buf_printf(&src, "line%d\n", i);
	hl_render(src.data, src.len, &hl);
	buf_reset(&b);
	av_rows_window(&b, &hl, &m, 4, 2);
	T_ASSERT(strstr(buf_cstr(&b), "id=\"L3\"") == NULL);
	T_ASSERT(strstr(buf_cstr(&b), "id=\"L6\"") == NULL);
	T_CONTAINS(buf_cstr(&b), "<tr id=\"L4\" class=\"hl-flag hl-cont\">");
	T_CONTAINS(buf_cstr(&b), "<tr id=\"L5\" class=\"hl-flag hl-cont\">");
	T_ASSERT(strstr(buf_cstr(&b), "hl-note") == NULL);	/* the note is under line 3 */
	hl_lines_free(&hl);
	buf_free(&src);
	buf_free(&b);
}

int
main(void)
{
	T_RUN(test_filter_values);
	T_RUN(test_groups_and_ids);
	T_RUN(test_repeated_findings);
	T_RUN(test_rows_marked);
	T_RUN(test_rows_unmarked_as_hl_html_rows);
	T_RUN(test_rows_bidi_one_column);
	T_RUN(test_windows);
	return t_done();
}
