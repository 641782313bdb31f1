/* analysisview.c: an analysis object as a page's view (scores explained, findings grouped
 * and filtered) and the highlighted source with the flagged lines marked */
#include "config.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/analysisview.h"
#include "render/escape.h"

#define PUT_LIT(b, s) buf_append((b), (s), sizeof(s) - 1)

const char *const av_kind_names[AV_KIND__MAX] = { "security", "practice", "performance", "risk" };
const char *const av_sev_names[AV_SEV__MAX] = { "error", "warning", "information" };

/* The analysis object's member of each kind, and its heading. */
static const char *const kind_members[AV_KIND__MAX] = {
	"securityIssues", "bestPracticeViolations", "performanceInsights", "potentialRisks"
};
static const char *const kind_labels[AV_KIND__MAX] = {
	"Security", "Best practice", "Performance", "Risk"
};
static const char *const sev_labels[AV_SEV__MAX] = { "Error", "Warning", "Information" };

/* What a script touches (executionSummary.touches), in words. */
static const struct {
	const char *name, *label;
} touch_labels[] = {
	{ "filesRead", "Reads files" }, { "filesWrite", "Writes files" },
	{ "filesDelete", "Deletes files" }, { "registryRead", "Reads the registry" },
	{ "registryWrite", "Changes the registry" }, { "network", "Talks to the network" },
	{ "processes", "Starts or stops processes" }, { "services", "Manages services" },
	{ "users", "Manages user accounts" }, { "remoteHosts", "Runs commands on remote computers" },
	{ "scheduledTasks", "Manages scheduled tasks" }, { "eventLogs", "Works with event logs" },
	{ "systemConfiguration", "Changes system configuration" },
	{ "dynamicCode", "Runs dynamically generated code" },
};

/* The complexity metrics shown, in order. */
static const struct {
	const char *name, *label;
} metric_labels[] = {
	{ "lines", "Lines" }, { "codeLines", "Lines of code" }, { "commentLines", "Comment lines" },
	{ "blankLines", "Blank lines" }, { "commentRatio", "Comment ratio" },
	{ "functions", "Functions" }, { "classes", "Classes" }, { "commands", "Commands" },
	{ "distinctCommands", "Distinct commands" }, { "pipelines", "Pipelines" },
	{ "maxPipelineLength", "Longest pipeline" },
	{ "cyclomaticComplexity", "Cyclomatic complexity" },
	{ "maxNestingDepth", "Deepest nesting" },
	{ "maxFunctionComplexity", "Most complex function" },
	{ "averageFunctionComplexity", "Average function complexity" },
	{ "statements", "Statements" }, { "parseErrors", "Syntax errors" },
	{ "tokenErrors", "Token errors" },
};

static int
parse_name(const char *s, const char *const *names, int n)
{
	if (s == NULL || *s == '\0')
		return n;
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

int
av_kind_parse(const char *s)
{
	return parse_name(s, av_kind_names, AV_KIND__MAX);
}

int
av_sev_parse(const char *s)
{
	return parse_name(s, av_sev_names, AV_SEV__MAX);
}

static struct json_object *
member(struct json_object *o, const char *name)
{
	struct json_object *v = NULL;

	return o != NULL && json_object_object_get_ex(o, name, &v) ? v : NULL;
}

static const char *
str_member(struct json_object *o, const char *name)
{
	struct json_object *v = member(o, name);

	return v != NULL && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static unsigned
uint_member(struct json_object *o, const char *name)
{
	struct json_object *v = member(o, name);
	int64_t n = v != NULL ? json_object_get_int64(v) : 0;

	return n < 0 ? 0 : n > UINT_MAX ? UINT_MAX : (unsigned)n;
}

static void
add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

/* Copies o's member name (when present and not null) into dst. */
static void
copy_member(struct json_object *dst, struct json_object *o, const char *name)
{
	struct json_object *v = member(o, name);

	if (v != NULL)
		json_object_object_add(dst, name, json_object_get(v));
}

/* Copies the members names (NULL-terminated) of o that are present into dst. */
static void
copy_members(struct json_object *dst, struct json_object *o, const char *const *names)
{
	for (; *names != NULL; names++)
		copy_member(dst, o, *names);
}

unsigned
av_window_of(unsigned line)
{
	return line > 0 ? (line - 1) / AV_WINDOW * AV_WINDOW + 1 : 1;
}

size_t
av_count_lines(const char *src, size_t len)
{
	size_t n = 0;
	const char *p = src, *e = src + len;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		n++;
		p++;
	}
	if (memchr(src, '\r', len) != NULL)	/* CR alone ends a line too (CRLF is one break) */
		for (size_t i = 0; i < len; i++)
			n += src[i] == '\r' && (i + 1 == len || src[i + 1] != '\n');
	n += len > 0 && src[len - 1] != '\n' && src[len - 1] != '\r';
	return n < HL_MAX_LINES ? n : HL_MAX_LINES;
}

void
av_href(struct buf *b, const char *base, int kind, int sev, unsigned from, bool all)
{
	char sep = '?';

	buf_puts(b, base);
	if (kind >= 0 && kind < AV_KIND__MAX) {
		buf_printf(b, "%ckind=%s", sep, av_kind_names[kind]);
		sep = '&';
	}
	if (sev >= 0 && sev < AV_SEV__MAX) {
		buf_printf(b, "%cseverity=%s", sep, av_sev_names[sev]);
		sep = '&';
	}
	if (all)
		buf_printf(b, "%clines=all", sep);
	else if (from > 1)
		buf_printf(b, "%cfrom=%u", sep, from);
}

/* dst's member name: the link to a source line, "#L<line>" when the page shows that line,
 * else the address of the window holding it (same filter) with that anchor. */
static void
add_line_href(struct json_object *dst, const char *name, unsigned line, const struct av_filter *f)
{
	struct buf b = BUF_INIT;

	if (f->base != NULL && f->from > 0 && (line < f->from || line - f->from >= AV_WINDOW))
		av_href(&b, f->base, f->kind, f->sev, av_window_of(line), false);
	buf_printf(&b, "#L%u", line);
	add_str(dst, name, buf_cstr(&b));
	buf_free(&b);
}

/* n with a comma between groups of three digits ("1,000"), into s (at least 32 bytes). */
static const char *
group_digits(char *s, size_t size, size_t n)
{
	char d[24];
	int len = snprintf(d, sizeof(d), "%zu", n), o = 0;

	for (int i = 0; i < len && (size_t)o + 2 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			s[o++] = ',';
		s[o++] = d[i];
	}
	s[o] = '\0';
	return s;
}

/* dst's member name: the address of the window from (all: every line) with f's filter, at
 * the source's heading. */
static void
add_window_href(struct json_object *dst, const char *name, const struct av_filter *f,
    unsigned from, bool all)
{
	struct buf b = BUF_INIT;

	av_href(&b, f->base, f->kind, f->sev, from, all);
	buf_puts(&b, "#source-h");
	add_str(dst, name, buf_cstr(&b));
	buf_free(&b);
}

struct json_object *
av_pager(const struct av_filter *f, size_t total)
{
	struct json_object *o, *p;
	char a[32], z[32], t[32], text[128];

	if (f->base == NULL || total <= AV_WINDOW)
		return NULL;
	o = json_object_new_object();
	p = json_object_new_object();
	json_object_object_add(o, "window", json_object_new_int(AV_WINDOW));
	group_digits(t, sizeof(t), total);
	if (f->from == 0) {
		snprintf(text, sizeof(text), "All %s lines", t);
		add_str(p, "text", text);
		add_window_href(p, "pagedHref", f, 1, false);
		json_object_object_add(o, "all", p);
		return o;
	}
	snprintf(text, sizeof(text), "Lines %s\u2013%s of %s", group_digits(a, sizeof(a), f->from),
	    group_digits(z, sizeof(z), total - f->from < AV_WINDOW ? total : f->from + AV_WINDOW - 1), t);
	add_str(p, "text", text);
	if (f->from > 1)
		add_window_href(p, "prevHref", f, f->from - AV_WINDOW, false);
	if (total - f->from >= AV_WINDOW)
		add_window_href(p, "nextHref", f, f->from + AV_WINDOW, false);
	add_window_href(p, "allHref", f, 0, true);
	json_object_object_add(o, "paged", p);
	return o;
}

/* ---- scores ---- */

/* good, fair or poor; for risk (higher is worse) low, medium, high as the analyzer's
 * riskLevel, with the colour class of the opposite end. */
static void
score_level(double v, bool risk, const char **level, const char **text)
{
	if (risk) {
		*level = v >= 8 ? "poor" : v >= 5 ? "fair" : "good";
		*text = v >= 8 ? "high risk" : v >= 5 ? "medium risk" : "low risk";
	} else {
		*level = v >= 8 ? "good" : v >= 5 ? "fair" : "poor";
		*text = v >= 8 ? "good" : v >= 5 ? "fair" : "poor";
	}
}

static const struct {
	const char *key, *name, *detail, *meaning, *formula;
	bool risk;
} scores[] = {
	{ "securityScore", "Security", "security",
	  "0 to 10, higher is safer: how few and how mild the security findings are.",
	  "10 minus S, and never below 0. S adds up the points of every security rule that fired: "
	  "3 for an error, 1.5 for a warning, 0.5 for information (the rule's worst finding), a "
	  "quarter more for each further finding of the rule (at most four more), and twice that "
	  "when a finding names an attack technique.", false },
	{ "codeQualityScore", "Code quality", "quality",
	  "0 to 10, higher is better: best-practice and performance findings and complexity, "
	  "weighed against the script's size.",
	  "10 divided by (1 + P / (4 × A)). The penalty P counts 1 per error, 0.5 per warning and "
	  "0.1 per information finding of the best-practice and performance rules (at most ten of "
	  "one rule), 0.2 per cyclomatic point above 10 in each function (at most 2 each), 0.5 per "
	  "nesting level above 5 (at most 2) and 2 for syntax errors; the allowance A is 1 + the "
	  "lines of code / 50. P = 4A gives 5.", false },
	{ "riskScore", "Risk", "risk",
	  "0 to 10, higher is riskier: what running the script could do (low below 5, high from 8).",
	  "10 × (1 − e^(−R/6)). R adds the security points S, two thirds of the points of the "
	  "potential-risk rules, 0.25 to 0.75 for each kind of thing the script touches (files "
	  "written or deleted, registry, network, services, users, remote computers, ...) and 0.5 "
	  "when it needs elevation. R = 3 gives 3.9, R = 6 gives 6.3, R = 12 gives 8.6.", true },
};

/* "S = 4.5" style figures of executionSummary.scoreDetails, as text. */
static struct json_object *
score_details(struct json_object *details, const char *which)
{
	struct json_object *d = member(details, which);
	struct buf b = BUF_INIT;
	struct json_object *s;

	if (d == NULL)
		return NULL;
	json_object_object_foreach(d, k, v) {
		if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
			buf_printf(&b, "%s%s = %s", b.len ? ", " : "", k, json_object_get_string(v));
	}
	s = b.len ? json_object_new_string(buf_cstr(&b)) : NULL;
	buf_free(&b);
	return s;
}

static struct json_object *
scores_view(struct json_object *a)
{
	struct json_object *arr = json_object_new_array();
	struct json_object *details = member(member(a, "executionSummary"), "scoreDetails");

	for (size_t i = 0; i < PSS_ARRAY_LEN(scores); i++) {
		struct json_object *o = json_object_new_object(), *v = member(a, scores[i].key), *d;
		const char *level, *text;

		score_level(v != NULL ? json_object_get_double(v) : 0, scores[i].risk, &level, &text);
		add_str(o, "name", scores[i].name);
		add_str(o, "key", scores[i].key);
		json_object_object_add(o, "value", v != NULL ? json_object_get(v) : json_object_new_int(0));
		add_str(o, "level", level);
		add_str(o, "levelText", text);
		add_str(o, "meaning", scores[i].meaning);
		add_str(o, "formula", scores[i].formula);
		if ((d = score_details(details, scores[i].detail)) != NULL)
			json_object_object_add(o, "details", d);
		json_object_array_add(arr, o);
	}
	return arr;
}

void
av_score_badges(struct json_object *arr)
{
	for (size_t i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
		struct json_object *s = json_object_array_get_idx(arr, i), *a = member(s, "analysis");
		struct json_object *badges;

		if (a == NULL || !json_object_is_type(a, json_type_object))
			continue;
		badges = json_object_new_array();
		for (size_t k = 0; k < PSS_ARRAY_LEN(scores); k++) {
			struct json_object *o = json_object_new_object(), *v = member(a, scores[k].key);
			const char *level, *text;

			score_level(v != NULL ? json_object_get_double(v) : 0, scores[k].risk, &level, &text);
			add_str(o, "name", scores[k].name);
			json_object_object_add(o, "value", v != NULL ? json_object_get(v) : json_object_new_int(0));
			add_str(o, "level", level);
			add_str(o, "levelText", text);
			json_object_array_add(badges, o);
		}
		json_object_object_add(s, "badges", badges);
	}
}

/* ---- findings ---- */

/* The page's address with the filter's arguments, the window shown and the findings' anchor. */
static struct json_object *
filter_href(const struct av_filter *f, int kind, int sev)
{
	struct buf b = BUF_INIT;
	struct json_object *s;

	av_href(&b, f->base, kind, sev, f->from, f->all);
	buf_puts(&b, "#findings");
	s = json_object_new_string(buf_cstr(&b));
	buf_free(&b);
	return s;
}

static struct json_object *
filter_choice(const char *label, unsigned count, struct json_object *href, bool current)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "label", label);
	json_object_object_add(o, "count", json_object_new_int64(count));
	json_object_object_add(o, "href", href);
	json_object_object_add(o, "current", json_object_new_boolean(current));
	return o;
}

/* The filter links: every kind (keeping the severity) and every severity (keeping the
 * kind), with the numbers of findings of each. */
static struct json_object *
filters_view(const struct av_filter *f, unsigned by_kind[AV_KIND__MAX], unsigned by_sev[AV_SEV__MAX],
    unsigned total)
{
	struct json_object *o = json_object_new_object(), *kinds = json_object_new_array();
	struct json_object *sevs = json_object_new_array();

	json_object_array_add(kinds, filter_choice("All kinds", total, filter_href(f, -1, f->sev),
	    f->kind == AV_KIND__MAX));
	for (int k = 0; k < AV_KIND__MAX; k++)
		json_object_array_add(kinds, filter_choice(kind_labels[k], by_kind[k],
		    filter_href(f, k, f->sev), f->kind == k));
	json_object_array_add(sevs, filter_choice("All severities", total, filter_href(f, f->kind, -1),
	    f->sev == AV_SEV__MAX));
	for (int s = 0; s < AV_SEV__MAX; s++)
		json_object_array_add(sevs, filter_choice(sev_labels[s], by_sev[s],
		    filter_href(f, f->kind, s), f->sev == s));
	json_object_object_add(o, "kinds", kinds);
	json_object_object_add(o, "severities", sevs);
	json_object_object_add(o, "any", json_object_new_boolean(f->kind != AV_KIND__MAX ||
	    f->sev != AV_SEV__MAX));
	json_object_object_add(o, "clearHref", filter_href(f, -1, -1));
	return o;
}

/* One finding for the template. */
static struct json_object *
finding_view(struct json_object *fo, unsigned id, int sev, const struct av_filter *f)
{
	struct json_object *o = json_object_new_object(), *attack;
	char s[32];

	snprintf(s, sizeof(s), "f-%u", id);
	add_str(o, "id", s);
	add_line_href(o, "lineHref", uint_member(fo, "line"), f);
	add_str(o, "severityLabel", sev_labels[sev]);
	add_str(o, "severity", av_sev_names[sev]);
	copy_members(o, fo, (const char *const[]){ "ruleId", "message", "line", "column",
	    "suggestion", "docsUrl", NULL });
	if ((attack = member(member(fo, "properties"), "mitreAttack")) != NULL)
		json_object_object_add(o, "attack", json_object_get(attack));
	return o;
}

/*
 * Adds a finding to its severity's list, or, when an earlier finding of the list says the
 * same (rule, message, suggestion, documentation, ATT&CK ids), to that one's "more": its
 * anchor and line link, so the message, suggestion and rule link are written once for every
 * line that repeats them (the source's note under each line still says it). same maps that
 * text to the first finding; its "" member counts the findings.
 */
static void
finding_add(struct json_object *list, struct json_object *same, struct json_object *fo, unsigned id, int sev,
    const struct av_filter *f)
{
	struct json_object *attack = member(member(fo, "properties"), "mitreAttack"), *first, *more, *o;
	struct buf key = BUF_INIT;
	const char *parts[] = { str_member(fo, "ruleId"), str_member(fo, "message"), str_member(fo, "suggestion"),
	    str_member(fo, "docsUrl"), attack != NULL ? json_object_to_json_string(attack) : NULL };
	char s[32];

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		buf_puts(&key, parts[i] != NULL ? parts[i] : "\x01");
		buf_append(&key, "\x1f", 1);
	}
	if (!json_object_object_get_ex(same, "", &o))
		json_object_object_add(same, "", o = json_object_new_int64(0));
	json_object_set_int64(o, json_object_get_int64(o) + 1);
	if (!json_object_object_get_ex(same, buf_cstr(&key), &first)) {
		first = finding_view(fo, id, sev, f);
		json_object_array_add(list, first);
		json_object_object_add(same, buf_cstr(&key), json_object_get(first));
		buf_free(&key);
		return;
	}
	buf_free(&key);
	if (!json_object_object_get_ex(first, "more", &more))
		json_object_object_add(first, "more", more = json_object_new_array());
	o = json_object_new_object();
	snprintf(s, sizeof(s), "f-%u", id);
	add_str(o, "id", s);
	add_line_href(o, "lineHref", uint_member(fo, "line"), f);
	copy_member(o, fo, "line");
	json_object_array_add(more, o);
	json_object_object_add(first, "moreCount", json_object_new_int64((int64_t)json_object_array_length(more)));
}

/* How many findings finding_add counted. */
static int64_t
same_count(struct json_object *same)
{
	struct json_object *o;

	return json_object_object_get_ex(same, "", &o) ? json_object_get_int64(o) : 0;
}

static int
mark_cmp(const void *a, const void *b)
{
	const struct av_mark *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * The groups (a kind with its findings by severity, worst first; only kinds with a finding
 * the filter keeps), the filter links and the marks. Findings are numbered over all four
 * lists in order, so a finding's anchor does not depend on the filter.
 */
static void
findings_view(struct json_object *view, struct json_object *a, const struct av_filter *f,
    struct av_marks *marks)
{
	struct json_object *groups = json_object_new_array();
	unsigned by_kind[AV_KIND__MAX] = { 0 }, by_sev[AV_SEV__MAX] = { 0 }, total = 0, shown = 0;
	unsigned id = 0;
	size_t cap = 0;

	if (marks != NULL)
		*marks = (struct av_marks){ NULL, 0 };
	for (int k = 0; k < AV_KIND__MAX; k++) {
		struct json_object *list = member(a, kind_members[k]);
		struct json_object *bysev[AV_SEV__MAX] = { NULL }, *same[AV_SEV__MAX] = { NULL }, *g, *sevs;
		unsigned count = 0;

		for (size_t i = 0; list != NULL && i < json_object_array_length(list); i++) {
			struct json_object *fo = json_object_array_get_idx(list, i);
			int s = av_sev_parse(str_member(fo, "severity"));

			id++;
			if (s < 0 || s == AV_SEV__MAX)
				s = AV_INFORMATION;
			by_kind[k]++;
			by_sev[s]++;
			total++;
			if ((f->kind != AV_KIND__MAX && f->kind != k) || (f->sev != AV_SEV__MAX && f->sev != s))
				continue;
			if (bysev[s] == NULL) {
				bysev[s] = json_object_new_array();
				same[s] = json_object_new_object();
			}
			finding_add(bysev[s], same[s], fo, id, s, f);
			count++;
			if (marks != NULL && uint_member(fo, "line") > 0) {
				struct av_mark *m;

				if (marks->n == cap) {
					cap = cap ? cap * 2 : 64;
					marks->v = xrealloc(marks->v, cap * sizeof(*marks->v));
				}
				m = &marks->v[marks->n++];
				m->line = uint_member(fo, "line");
				m->column = uint_member(fo, "column");
				m->end_line = uint_member(fo, "endLine");
				m->end_column = uint_member(fo, "endColumn");
				if (m->end_line < m->line) {
					m->end_line = m->line;
					m->end_column = m->column + 1;
				}
				m->sev = (enum av_sev)s;
				m->kind = (enum av_kind)k;
				m->id = id;
				m->rule = str_member(fo, "ruleId");
				m->message = str_member(fo, "message");
			}
		}
		if (count == 0)
			continue;
		shown += count;
		g = json_object_new_object();
		sevs = json_object_new_array();
		add_str(g, "kind", av_kind_names[k]);
		add_str(g, "label", kind_labels[k]);
		{
			char hid[32];

			snprintf(hid, sizeof(hid), "findings-%s", av_kind_names[k]);
			add_str(g, "id", hid);
		}
		json_object_object_add(g, "count", json_object_new_int64(count));
		for (int s = 0; s < AV_SEV__MAX; s++) {
			struct json_object *so;

			if (bysev[s] == NULL)
				continue;
			so = json_object_new_object();
			add_str(so, "severity", av_sev_names[s]);
			add_str(so, "label", sev_labels[s]);
			json_object_object_add(so, "count", json_object_new_int64(same_count(same[s])));
			json_object_object_add(so, "findings", bysev[s]);
			json_object_put(same[s]);
			json_object_array_add(sevs, so);
		}
		json_object_object_add(g, "severities", sevs);
		json_object_array_add(groups, g);
	}
	if (marks != NULL && marks->n > 1)
		qsort(marks->v, marks->n, sizeof(*marks->v), mark_cmp);
	json_object_object_add(view, "groups", groups);
	json_object_object_add(view, "total", json_object_new_int64(total));
	json_object_object_add(view, "shown", json_object_new_int64(shown));
	json_object_object_add(view, "filterable", json_object_new_boolean(f->base != NULL));
	if (f->base != NULL)
		json_object_object_add(view, "filters", filters_view(f, by_kind, by_sev, total));
}

void
av_marks_free(struct av_marks *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

/* ---- the other sections ---- */

static struct json_object *
touches_view(struct json_object *es)
{
	struct json_object *arr = json_object_new_array(), *t = member(es, "touches");
	struct json_object *ev = member(es, "evidence");

	for (size_t i = 0; i < PSS_ARRAY_LEN(touch_labels); i++) {
		struct json_object *v = member(t, touch_labels[i].name), *o;
		const char *e;

		if (v == NULL || !json_object_get_boolean(v))
			continue;
		o = json_object_new_object();
		add_str(o, "label", touch_labels[i].label);
		if ((e = str_member(ev, touch_labels[i].name)) != NULL)
			add_str(o, "evidence", e);
		json_object_array_add(arr, o);
	}
	return arr;
}

/* "#L<n>" links for an array of line numbers, at most 20. */
static struct json_object *
line_links(struct json_object *lines, const struct av_filter *f)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; lines != NULL && i < json_object_array_length(lines) && i < 20; i++) {
		struct json_object *o = json_object_new_object();
		unsigned n = (unsigned)json_object_get_int(json_object_array_get_idx(lines, i));

		json_object_object_add(o, "n", json_object_new_int64(n));
		add_line_href(o, "href", n, f);
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *
commands_view(struct json_object *cmds, const struct av_filter *f)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; cmds != NULL && i < json_object_array_length(cmds); i++) {
		struct json_object *c = json_object_array_get_idx(cmds, i), *o = json_object_new_object();
		const char *name = str_member(c, "name"), *type = str_member(c, "type");
		const char *av = str_member(c, "availability");

		copy_members(o, c, (const char *const[]){ "name", "type", "module", "synopsis", "docsUrl",
		    "count", "aliasesUsed", "parametersUsed", NULL });
		json_object_object_add(o, "lineLinks", line_links(member(c, "lines"), f));
		if (av != NULL)
			add_str(o, "availabilityText", strcmp(av, "both") == 0 ? "5.1 and 7.x" :
			    strcmp(av, "5.1") == 0 ? "Windows PowerShell 5.1 only" :
			    strncmp(av, "7", 1) == 0 ? "PowerShell 7.x only" : av);
		/* the catalog's commands have a local documentation page (/docs/cmdlet/<Name>) */
		if (name != NULL && type != NULL && strcmp(type, "cmdlet") == 0) {
			struct buf b = BUF_INIT;

			buf_puts(&b, "/docs/cmdlet/");
			esc_url_arg(&b, name, strlen(name));
			add_str(o, "localDocsHref", buf_cstr(&b));
			buf_free(&b);
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *
metrics_view(struct json_object *m)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < PSS_ARRAY_LEN(metric_labels); i++) {
		struct json_object *v = member(m, metric_labels[i].name), *o;

		if (v == NULL)
			continue;
		o = json_object_new_object();
		add_str(o, "label", metric_labels[i].label);
		add_str(o, "value", json_object_get_string(v));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* compatibilityNotes with a link to each note's line. */
static struct json_object *
compat_view(struct json_object *notes, const struct av_filter *f)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; notes != NULL && i < json_object_array_length(notes); i++) {
		struct json_object *n = json_object_array_get_idx(notes, i), *o = json_object_new_object();

		copy_members(o, n, (const char *const[]){ "feature", "requires", "message", "line", NULL });
		add_line_href(o, "lineHref", uint_member(n, "line"), f);
		json_object_array_add(arr, o);
	}
	return arr;
}

struct json_object *
av_view(struct json_object *a, const struct av_filter *f, struct av_marks *marks)
{
	struct json_object *view, *es;

	if (marks != NULL)
		*marks = (struct av_marks){ NULL, 0 };
	if (a == NULL || !json_object_is_type(a, json_type_object))
		return NULL;
	view = json_object_new_object();
	es = member(a, "executionSummary");
	json_object_object_add(view, "scores", scores_view(a));
	copy_members(view, a, (const char *const[]){ "purpose", "provider", "analysisVersion", "updatedAt",
	    "suggestions", "parameters", NULL });
	if (es != NULL)
		json_object_object_add(view, "summary", json_object_get(es));
	json_object_object_add(view, "touchList", touches_view(es));
	findings_view(view, a, f, marks);
	json_object_object_add(view, "commands", commands_view(member(a, "commandDetails"), f));
	json_object_object_add(view, "metrics", metrics_view(member(a, "codeComplexityMetrics")));
	json_object_object_add(view, "compatibility", compat_view(member(a, "compatibilityNotes"), f));
	return view;
}

/* ---- the marked source ---- */

struct range {
	unsigned from, to;	/* columns [from, to) */
};

static int
range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

/* The line's HTML with the columns inside the (sorted, possibly overlapping) ranges wrapped
 * in <mark class="hl-x">, closed before every tag and opened again after it. A tk-bidi span
 * (one source character shown as [U+...]) counts as one column and is never wrapped. */
static void
mark_line(struct buf *b, const char *s, size_t n, const struct range *r, size_t nr)
{
	unsigned col = 1;
	size_t ri = 0;
	bool open = false;

	for (size_t i = 0; i < n; ) {
		if (s[i] == '<') {
			static const char bidi[] = "<span class=\"tk-bidi\">";
			size_t j = i;

			if (open) {
				PUT_LIT(b, "</mark>");
				open = false;
			}
			if (n - i >= sizeof(bidi) - 1 && memcmp(s + i, bidi, sizeof(bidi) - 1) == 0) {
				const char *e = memmem(s + i, n - i, "</span>", 7);

				j = e != NULL ? (size_t)(e - s) + 7 : n;
				col++;
			} else {
				while (j < n && s[j] != '>')
					j++;
				j = j < n ? j + 1 : n;
			}
			buf_append(b, s + i, j - i);
			i = j;
			continue;
		}
		while (ri < nr && r[ri].to <= col)
			ri++;
		{
			bool in = ri < nr && r[ri].from <= col;
			size_t j = i + 1;

			if (s[i] == '&')
				while (j < n && s[j - 1] != ';')
					j++;
			else
				while (j < n && ((unsigned char)s[j] & 0xC0) == 0x80)
					j++;
			if (in && !open) {
				PUT_LIT(b, "<mark class=\"hl-x\">");
				open = true;
			} else if (!in && open) {
				PUT_LIT(b, "</mark>");
				open = false;
			}
			buf_append(b, s + i, j - i);
			i = j;
			col++;
		}
	}
	if (open)
		PUT_LIT(b, "</mark>");
}

void
av_rows(struct buf *b, const struct hl_lines *l, const struct av_marks *m)
{
	av_rows_window(b, l, m, 1, 0);
}

void
av_rows_window(struct buf *b, const struct hl_lines *l, const struct av_marks *m, size_t from,
    size_t count)
{
	struct range *r = NULL;
	size_t rcap = 0, mi = 0, nactive = 0, acap = 0;
	size_t end;
	const struct av_mark **active = NULL;

	if (from == 0)
		from = 1;
	end = count > 0 && from - 1 + count < l->n ? from - 1 + count : l->n;
	buf_grow(b, end >= from ? l->html.len / l->n * (end - from + 1) + (end - from + 1) * 80 : 0);
	for (size_t i = 0; i < end; i++) {
		unsigned line = (unsigned)(i + 1);
		size_t n, nr = 0, k, first = mi;
		const char *s = hl_line(l, i, &n);
		int worst = AV_SEV__MAX;

		/* the marks over this line: those starting here join the active ones */
		for (k = 0; k < nactive; )
			if (active[k]->end_line < line)
				active[k] = active[--nactive];
			else
				k++;
		while (m != NULL && mi < m->n && m->v[mi].line <= line) {
			if (m->v[mi].line == line) {
				if (nactive == acap) {
					acap = acap ? acap * 2 : 16;
					active = xrealloc(active, acap * sizeof(*active));
				}
				active[nactive++] = &m->v[mi];
				if ((int)m->v[mi].sev < worst)
					worst = (int)m->v[mi].sev;
			}
			mi++;
		}
		if (i + 1 < from)
			continue;	/* before the window: only the marks' state goes on */
		if (nactive == 0) {
			buf_printf(b, "<tr id=\"L%u\"><td><a href=\"#L%u\" tabindex=\"-1\">%u</a>"
			    "</td><td>", line, line, line);
			buf_append(b, s, n);
			PUT_LIT(b, "</td></tr>\n");
			continue;
		}
		if (nactive > rcap) {
			rcap = nactive * 2;
			r = xrealloc(r, rcap * sizeof(*r));
		}
		for (k = 0; k < nactive; k++) {
			const struct av_mark *a = active[k];

			r[nr].from = a->line == line ? (a->column ? a->column : 1) : 1;
			r[nr].to = a->end_line == line ? a->end_column : UINT_MAX;
			if (r[nr].to <= r[nr].from)
				r[nr].to = r[nr].from + 1;
			nr++;
		}
		qsort(r, nr, sizeof(*r), range_cmp);
		/* merge, so the walk needs one index */
		k = 0;
		for (size_t j = 1; j < nr; j++)
			if (r[j].from <= r[k].to) {
				if (r[j].to > r[k].to)
					r[k].to = r[j].to;
			} else
				r[++k] = r[j];
		nr = k + 1;
		if (worst == AV_SEV__MAX)	/* only a finding from an earlier line goes on */
			buf_printf(b, "<tr id=\"L%u\" class=\"hl-flag hl-cont\"><td>", line);
		else
			buf_printf(b, "<tr id=\"L%u\" class=\"hl-flag hl-%s\"><td>"
			    "<span class=\"hl-mark\" aria-hidden=\"true\"></span>", line, av_sev_names[worst]);
		buf_printf(b, "<a href=\"#L%u\" tabindex=\"-1\">%u</a></td><td>", line, line);
		mark_line(b, s, n, r, nr);
		PUT_LIT(b, "</td></tr>\n");
		if (worst == AV_SEV__MAX)
			continue;
		PUT_LIT(b, "<tr class=\"hl-note\"><td></td><td><ul>");
		for (k = first; k < mi; k++) {
			const struct av_mark *a = &m->v[k];

			if (a->line != line)
				continue;
			buf_printf(b, "<li class=\"hl-%s\"><a href=\"#f-%u\"><strong>%s</strong> ",
			    av_sev_names[a->sev], a->id, sev_labels[a->sev]);
			esc_html(b, a->message != NULL ? a->message : "", a->message != NULL ? strlen(a->message) : 0);
			if (a->rule != NULL) {
				PUT_LIT(b, " <span class=\"hl-rule\">(");
				esc_html(b, a->rule, strlen(a->rule));
				PUT_LIT(b, ")</span>");
			}
			PUT_LIT(b, "</a></li>");
		}
		PUT_LIT(b, "</ul></td></tr>\n");
	}
	free(active);
	free(r);
}
