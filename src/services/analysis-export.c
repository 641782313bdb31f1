/* analysis-export.c: a stored analysis as a file: JSON, SARIF 2.1.0 (the CLI's), a printable
 * HTML report (templates/reports/analysis.mustache) and Markdown for a ticket */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "core/core.h"
#include "core/text.h"
#include "db/analysis.h"
#include "render/page.h"
#include "services/library-int.h"

/* The finding lists of the analysis object, in the report's order. */
static const struct {
	const char *member, *title;
} kinds[] = {
	{ "securityIssues", "Security" },
	{ "potentialRisks", "Risk" },
	{ "bestPracticeViolations", "Best practice" },
	{ "performanceInsights", "Performance" },
};

/* The three scores and what they mean (API.md: 0 to 10, one decimal). */
static const struct {
	const char *member, *label, *meaning;
	bool higher_is_better;
} scores[] = {
	{ "securityScore", "Security", "10 minus the points of the security rules that fired (an "
	  "error 3, a warning 1.5, information 0.5, repeats up to twice that; a finding naming an "
	  "attack technique counts twice).", true },
	{ "codeQualityScore", "Code quality", "10 / (1 + P / 4A): P adds the best-practice and "
	  "performance findings (error 1, warning 0.5, information 0.1) and complexity beyond 10 "
	  "branches or 5 levels of nesting; A = 1 + code lines / 50, so longer scripts may have more.",
	  true },
	{ "riskScore", "Risk", "10 × (1 − e^(−R/6)): R adds the security points, two thirds of the "
	  "risk-rule points, what the script changes (files, registry, network, services, users, "
	  "other hosts, dynamic code) and 0.5 when it needs elevation; 0 when it changes nothing.",
	  false },
};

#define EXCERPT_MAX 400		/* bytes of a source line in a report */
#define REPORT_FINDINGS_MAX 2000	/* findings listed (the rest counted) */

static const char *
str_member(struct json_object *o, const char *name)
{
	struct json_object *m;

	return json_object_object_get_ex(o, name, &m) && json_object_is_type(m, json_type_string) ?
	    json_object_get_string(m) : NULL;
}

static int64_t
int_member(struct json_object *o, const char *name)
{
	struct json_object *m;

	return json_object_object_get_ex(o, name, &m) && json_object_is_type(m, json_type_int) ?
	    json_object_get_int64(m) : 0;
}

static double
num_member(struct json_object *o, const char *name, bool *present)
{
	struct json_object *m;

	*present = json_object_object_get_ex(o, name, &m) &&
	    (json_object_is_type(m, json_type_double) || json_object_is_type(m, json_type_int));
	return *present ? json_object_get_double(m) : 0;
}

static const char *
bucket(double v)
{
	return v >= 8 ? "high" : v >= 5 ? "medium" : "low";
}

/* The source's lines, for excerpts. */
struct lines {
	const char	**start;
	size_t		 *len;
	size_t		  n;
};

static void
lines_split(struct lines *l, const char *src)
{
	size_t cap = 0;

	memset(l, 0, sizeof(*l));
	for (const char *p = src; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);

		if (l->n == cap) {
			cap = cap ? cap * 2 : 256;
			l->start = xrealloc(l->start, cap * sizeof(*l->start));
			l->len = xrealloc(l->len, cap * sizeof(*l->len));
		}
		if (n > 0 && p[n - 1] == '\r')
			n--;
		l->start[l->n] = p;
		l->len[l->n++] = n;
		p = nl != NULL ? nl + 1 : p + n;
	}
}

static void
lines_free(struct lines *l)
{
	free(l->start);
	free(l->len);
}

/* line_text: line n (1-based) cut to EXCERPT_MAX bytes at a character boundary. */
static struct json_object *
line_text(const struct lines *l, size_t n)
{
	size_t len = l->len[n - 1];

	if (len > EXCERPT_MAX) {
		len = EXCERPT_MAX;
		while (len > 0 && ((unsigned char)l->start[n - 1][len] & 0xc0) == 0x80)
			len--;
	}
	return json_object_new_string_len(l->start[n - 1], (int)len);
}

/* ---- HTML: the template's context ---- */

static struct json_object *
excerpt(const struct lines *l, int64_t line, int64_t end_line)
{
	struct json_object *a = json_object_new_array();

	if (line < 1 || (size_t)line > l->n)
		return a;
	if (end_line < line)
		end_line = line;
	if (end_line > line + 4)
		end_line = line + 4;	/* a long extent: its first five lines */
	for (int64_t i = line > 1 ? line - 1 : 1; i <= end_line + 1 && (size_t)i <= l->n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "number", json_object_new_int64(i));
		json_object_object_add(o, "text", line_text(l, (size_t)i));
		json_object_object_add(o, "flagged", json_object_new_boolean(i >= line && i <= end_line));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *
html_context(const struct db_analysis *row, struct json_object *an)
{
	struct json_object *ctx = json_object_new_object(), *sc = json_object_new_array(),
	    *groups = json_object_new_array(), *touches = json_object_new_array(),
	    *metrics = json_object_new_array(), *sum, *cx, *m;
	struct lines l;
	size_t listed = 0, total = 0;
	char *fname = text_filename(row->title, ".ps1");

	lines_split(&l, row->content);
	json_object_object_add(ctx, "title", json_object_new_string(row->title));
	json_object_object_add(ctx, "fileName", json_object_new_string(fname));
	free(fname);
	for (const char *k = "purpose\0analysisVersion\0provider\0updatedAt\0"; *k != '\0';
	    k += strlen(k) + 1)
		if (str_member(an, k) != NULL)
			json_object_object_add(ctx, k, json_object_new_string(str_member(an, k)));
	json_object_object_add(ctx, "scriptId", json_object_new_int64(int_member(an, "scriptId")));
	for (size_t i = 0; i < PSS_ARRAY_LEN(scores); i++) {
		struct json_object *o = json_object_new_object();
		bool have;
		double v = num_member(an, scores[i].member, &have);
		char t[16];

		if (!have) {
			json_object_put(o);
			continue;
		}
		snprintf(t, sizeof(t), "%.1f", v);
		json_object_object_add(o, "label", json_object_new_string(scores[i].label));
		json_object_object_add(o, "value", json_object_new_string(t));
		json_object_object_add(o, "bucket", json_object_new_string(bucket(v)));
		json_object_object_add(o, "direction", json_object_new_string(scores[i].higher_is_better ?
		    "higher is better" : "higher is worse"));
		json_object_object_add(o, "meaning", json_object_new_string(scores[i].meaning));
		json_object_object_add(o, "worse", json_object_new_boolean(!scores[i].higher_is_better));
		json_object_array_add(sc, o);
	}
	json_object_object_add(ctx, "scores", sc);
	if (json_object_object_get_ex(an, "executionSummary", &sum) &&
	    json_object_is_type(sum, json_type_object)) {
		if (json_object_object_get_ex(sum, "touches", &m) && json_object_is_type(m, json_type_object)) {
			json_object_object_foreach(m, what, yes)
				if (json_object_get_boolean(yes))
					json_object_array_add(touches, json_object_new_string(what));
		}
		if (json_object_object_get_ex(sum, "needsElevation", &m) && json_object_get_boolean(m)) {
			json_object_object_add(ctx, "needsElevation", json_object_new_boolean(1));
			if (str_member(sum, "elevationReason") != NULL)
				json_object_object_add(ctx, "elevationReason",
				    json_object_new_string(str_member(sum, "elevationReason")));
		}
	}
	json_object_object_add(ctx, "touches", touches);
	json_object_object_add(ctx, "touchesNothing",
	    json_object_new_boolean(json_object_array_length(touches) == 0));
	if (json_object_object_get_ex(an, "codeComplexityMetrics", &cx) &&
	    json_object_is_type(cx, json_type_object)) {
		json_object_object_foreach(cx, name, val)
			if (json_object_is_type(val, json_type_int) || json_object_is_type(val, json_type_double)) {
				struct json_object *o = json_object_new_object();

				json_object_object_add(o, "name", json_object_new_string(name));
				json_object_object_add(o, "value",
				    json_object_new_string(json_object_get_string(val)));
				json_object_array_add(metrics, o);
			}
	}
	json_object_object_add(ctx, "hasMetrics",
	    json_object_new_boolean(json_object_array_length(metrics) > 0));
	json_object_object_add(ctx, "metrics", metrics);
	for (size_t i = 0; i < PSS_ARRAY_LEN(kinds); i++) {
		struct json_object *list, *g, *out;
		size_t n;

		if (!json_object_object_get_ex(an, kinds[i].member, &list) ||
		    !json_object_is_type(list, json_type_array) || (n = json_object_array_length(list)) == 0)
			continue;
		g = json_object_new_object();
		out = json_object_new_array();
		for (size_t j = 0; j < n; j++) {
			struct json_object *f = json_object_array_get_idx(list, j), *o;

			total++;
			if (!json_object_is_type(f, json_type_object) || listed >= REPORT_FINDINGS_MAX)
				continue;
			listed++;
			o = json_object_new_object();
			for (const char *fk = "ruleId\0severity\0message\0suggestion\0extent\0"; *fk != '\0';
			    fk += strlen(fk) + 1)
				if (str_member(f, fk) != NULL)
					json_object_object_add(o, fk, json_object_new_string(str_member(f, fk)));
			json_object_object_add(o, "line", json_object_new_int64(int_member(f, "line")));
			json_object_object_add(o, "column", json_object_new_int64(int_member(f, "column")));
			json_object_object_add(o, "source", excerpt(&l, int_member(f, "line"),
			    int_member(f, "endLine")));
			json_object_array_add(out, o);
		}
		json_object_object_add(g, "title", json_object_new_string(kinds[i].title));
		json_object_object_add(g, "count", json_object_new_int64((int64_t)n));
		json_object_object_add(g, "findings", out);
		json_object_array_add(groups, g);
	}
	json_object_object_add(ctx, "groups", groups);
	json_object_object_add(ctx, "total", json_object_new_int64((int64_t)total));
	json_object_object_add(ctx, "noFindings", json_object_new_boolean(total == 0));
	if (listed < total)
		json_object_object_add(ctx, "unlisted", json_object_new_int64((int64_t)(total - listed)));
	lines_free(&l);
	return ctx;
}

static enum pss_err
export_html(const struct svc *s, const struct db_analysis *row, struct json_object *an,
    struct buf *out)
{
	struct json_object *ctx;
	struct mus_error merr;
	enum pss_err e;

	memset(&merr, 0, sizeof(merr));
	if ((e = page_setup(s->conf->data_dir, conf_is_dev(s->conf), &merr)) != PSS_OK) {
		log_error("the analysis report: templates: %s", merr.msg);
		return e;
	}
	ctx = html_context(row, an);
	if ((e = page_render("reports/analysis", ctx, NULL, out, &merr)) != PSS_OK)
		log_error("the analysis report: %s", merr.msg);
	json_object_put(ctx);
	return e;
}

/* ---- Markdown ---- */

/* md_code: text as one inline code span, whatever it holds: the fence is one backtick more
 * than its longest run, line breaks become spaces, and a space pads a text that starts or
 * ends with a backtick (CommonMark 6.1). Nothing inside a code span is markup. */
static void
md_code(struct buf *b, const char *s)
{
	size_t run = 0, longest = 0, n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (size_t i = 0; i <= longest; i++)
		buf_putc(b, '`');
	if (n == 0 || s[0] == '`' || s[n - 1] == '`' || s[0] == ' ')
		buf_putc(b, ' ');
	for (size_t i = 0; i < n; i++)
		buf_putc(b, s[i] == '\n' || s[i] == '\r' ? ' ' : s[i]);
	if (n == 0 || s[0] == '`' || s[n - 1] == '`' || s[0] == ' ')
		buf_putc(b, ' ');
	for (size_t i = 0; i <= longest; i++)
		buf_putc(b, '`');
}

/* md_block: text as a fenced code block (a fence longer than any backtick run inside). */
static void
md_block(struct buf *b, const char *s)
{
	size_t run = 0, longest = 2;

	for (const char *p = s; *p != '\0'; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (size_t i = 0; i <= longest; i++)
		buf_putc(b, '`');
	buf_puts(b, "text\n");
	buf_puts(b, s);
	if (*s == '\0' || s[strlen(s) - 1] != '\n')
		buf_putc(b, '\n');
	for (size_t i = 0; i <= longest; i++)
		buf_putc(b, '`');
	buf_putc(b, '\n');
}

static void
export_md(const struct db_analysis *row, struct json_object *an, struct buf *b)
{
	struct json_object *list;
	const char *p;
	size_t listed = 0;

	buf_puts(b, "# Analysis of ");
	md_code(b, row->title);
	buf_printf(b, "\n\nScript %lld", (long long)int_member(an, "scriptId"));
	if ((p = str_member(an, "updatedAt")) != NULL) {
		buf_puts(b, ", analysed at ");
		md_code(b, p);
	}
	buf_puts(b, " by ");
	md_code(b, str_member(an, "provider") ? str_member(an, "provider") : "builtin");
	buf_puts(b, " (analyzer version ");
	md_code(b, str_member(an, "analysisVersion") ? str_member(an, "analysisVersion") : "?");
	buf_puts(b, ").\n\n## Scores\n\n| Score | Value (0-10) | Meaning |\n|---|---|---|\n");
	for (size_t i = 0; i < PSS_ARRAY_LEN(scores); i++) {
		bool have;
		double v = num_member(an, scores[i].member, &have);

		if (have)
			buf_printf(b, "| %s | %.1f (%s; %s) | %s |\n", scores[i].label, v, bucket(v),
			    scores[i].higher_is_better ? "higher is better" : "higher is worse",
			    scores[i].meaning);
	}
	if ((p = str_member(an, "purpose")) != NULL && *p != '\0') {
		buf_puts(b, "\n## Purpose\n\n");
		md_block(b, p);
	}
	buf_puts(b, "\n## Findings\n");
	for (size_t i = 0; i < PSS_ARRAY_LEN(kinds); i++) {
		size_t n;

		if (!json_object_object_get_ex(an, kinds[i].member, &list) ||
		    !json_object_is_type(list, json_type_array) || (n = json_object_array_length(list)) == 0)
			continue;
		buf_printf(b, "\n### %s (%zu)\n\n", kinds[i].title, n);
		for (size_t j = 0; j < n && listed < REPORT_FINDINGS_MAX; j++, listed++) {
			struct json_object *f = json_object_array_get_idx(list, j);

			buf_printf(b, "- **%s** line %lld, column %lld: ",
			    str_member(f, "severity") ? str_member(f, "severity") : "warning",
			    (long long)int_member(f, "line"), (long long)int_member(f, "column"));
			md_code(b, str_member(f, "ruleId") ? str_member(f, "ruleId") : "");
			buf_puts(b, " ");
			md_code(b, str_member(f, "message") ? str_member(f, "message") : "");
			buf_putc(b, '\n');
			if ((p = str_member(f, "extent")) != NULL && *p != '\0') {
				buf_puts(b, "  - Code: ");
				md_code(b, p);
				buf_putc(b, '\n');
			}
			if ((p = str_member(f, "suggestion")) != NULL && *p != '\0') {
				buf_puts(b, "  - Suggestion: ");
				md_code(b, p);
				buf_putc(b, '\n');
			}
		}
	}
	if (listed == 0)
		buf_puts(b, "\nNo findings.\n");
}

/* ---- SARIF: the CLI's log, from the analyzer run again over the stored content ---- */

static enum pss_err
export_sarif(const struct svc *s, const struct db_analysis *row, struct buf *b)
{
	struct ps_analysis *an = NULL;
	struct json_object *log;
	char *uri = text_filename(row->title, ".ps1");
	const char *uris[1] = { uri };
	enum pss_err e;

	if ((e = ps_analyze(row->content, strlen(row->content), library_analyzer_opts(s), &an)) == PSS_OK && an != NULL) {
		log = ps_report_sarif((const struct ps_analysis *const *)&an, uris, 1);
		buf_puts(b, json_object_to_json_string_ext(log, JSON_C_TO_STRING_PRETTY |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
		buf_putc(b, '\n');
		json_object_put(log);
	}
	ps_analysis_free(an);
	free(uri);
	return e;
}

enum pss_err
library_analysis_export(const struct svc *s, const struct viewer *v, int64_t id,
    enum analysis_format fmt, struct analysis_export *out, struct svc_err *err)
{
	static const char *const types[ANALYSIS_FORMAT__MAX] = {
		"application/json; charset=utf-8", "application/sarif+json; charset=utf-8",
		"text/html; charset=utf-8", "text/markdown; charset=utf-8",
	};
	static const char *const exts[ANALYSIS_FORMAT__MAX] = {
		"-analysis.json", "-analysis.sarif", "-analysis.html", "-analysis.md",
	};
	struct db_analysis row;
	enum pss_err e;

	memset(out, 0, sizeof(*out));
	if (fmt >= ANALYSIS_FORMAT__MAX)
		return svc_fail(err, PSS_EINVAL, "format", "one of json, sarif, html, md");
	if ((e = db_analysis_get(s->db, v, id, fmt != ANALYSIS_FORMAT_JSON, &row)) != PSS_OK)
		return e;
	if (row.analysis == NULL) {
		db_analysis_free(&row);
		return svc_fail(err, PSS_ENOTFOUND, "analysis", "the script has no analysis yet");
	}
	switch (fmt) {
	case ANALYSIS_FORMAT_JSON:
		buf_puts(&out->body, json_object_to_json_string_ext(row.analysis,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		buf_putc(&out->body, '\n');
		break;
	case ANALYSIS_FORMAT_SARIF:
		e = export_sarif(s, &row, &out->body);
		break;
	case ANALYSIS_FORMAT_HTML:
		e = export_html(s, &row, row.analysis, &out->body);
		break;
	default:
		export_md(&row, row.analysis, &out->body);
		break;
	}
	if (e == PSS_OK) {
		out->content_type = types[fmt];
		out->disposition = text_content_disposition(row.title, exts[fmt]);
	} else
		buf_free(&out->body);
	db_analysis_free(&row);
	return e;
}

void
library_analysis_export_free(struct analysis_export *x)
{
	buf_free(&x->body);
	free(x->disposition);
	memset(x, 0, sizeof(*x));
}
