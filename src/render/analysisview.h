/* analysisview.h: an analysis object (API.md) as a page's view: scores explained, findings
 * grouped by kind and severity and filtered, and the highlighted source with every flagged
 * line marked (the script page and /analyze share it) */
#ifndef PSS_RENDER_ANALYSISVIEW_H
#define PSS_RENDER_ANALYSISVIEW_H

/* The version of the markup av_view's template and av_rows write, appended to the script
 * page's cache key of the rendered fragment (handlers/pages-library.c, add_analysis): bump
 * it with any change of that markup, so no worker serves a fragment of the old one. m3:
 * repeated findings listed once with their other lines ("more"). m4: the source in windows of
 * AV_WINDOW lines (links to a line name its window; the window is in the key too). m5: the
 * highlighter's tokens as <h-c> elements instead of <span class="c">. */
#define AV_MARKUP_VERSION "m5"

/* The script page shows a long script's source AV_WINDOW lines at a time (docs/pages.md,
 * "The source in windows"): windows start at lines 1, AV_WINDOW + 1, ... so every line has
 * one window and every link to it one address. */
#define AV_WINDOW 200

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "render/highlight.h"

struct json_object;

/* The four finding lists of an analysis object, in the order the page shows them. */
enum av_kind {
	AV_SECURITY,		/* securityIssues */
	AV_PRACTICE,		/* bestPracticeViolations */
	AV_PERFORMANCE,		/* performanceInsights */
	AV_RISK,		/* potentialRisks */
	AV_KIND__MAX
};
extern const char *const av_kind_names[AV_KIND__MAX];	/* query values: security, practice, ... */

/* Severities, worst first; the values of a finding's "severity". */
enum av_sev {
	AV_ERROR,
	AV_WARNING,
	AV_INFORMATION,
	AV_SEV__MAX
};
extern const char *const av_sev_names[AV_SEV__MAX];	/* error, warning, information */

/* av_kind_parse, av_sev_parse: the value named s; __MAX when s is NULL or empty (no filter)
 * and -1 when it names nothing (the page answers 400). */
int	 av_kind_parse(const char *s);
int	 av_sev_parse(const char *s);

/* The filter of the findings: kind and sev are __MAX for all. base is the page's path
 * ("/scripts/12") for the filter links, or NULL for a page that cannot be filtered (the
 * answer to a POST): then no filter links are made and every finding is shown. from is the
 * first line of the source's window (1, AV_WINDOW + 1, ...; av_window_of) when the page
 * shows one, 0 when it shows every line: then all says whether that was asked for
 * (lines=all, kept by the links) rather than the script being short. */
struct av_filter {
	int		 kind;
	int		 sev;
	const char	*base;
	unsigned	 from;
	bool		 all;
};

/* av_window_of: the first line of the window holding line (1-based; 0 is taken as 1). */
unsigned av_window_of(unsigned line);

/* av_count_lines: the lines of src as hl_render counts them (LF, CRLF or CR ends a line;
 * a last line without one counts), at most HL_MAX_LINES (what the page can show). */
size_t	 av_count_lines(const char *src, size_t len);

/*
 * av_href: appends to b the address base with the query of a filter and a window, in the one
 * order every link uses: kind, severity (each left out when kind or sev is out of range, as
 * __MAX), then lines=all when all, else from=<from> when from > 1 (the first window is the
 * bare address).
 */
void	 av_href(struct buf *b, const char *base, int kind, int sev, unsigned from, bool all);

/*
 * av_pager: the source's pager for a page with filter f over a script of total lines
 * (av_count_lines), or NULL when the script fits one window (nothing to page):
 *   {paged: {text ("Lines 201–400 of 1,000"), prevHref, nextHref (absent at either end),
 *    allHref}} for a window, or {all: {text ("All 1,000 lines"), pagedHref}} for lines=all.
 * Every href keeps the filter; the caller releases it.
 */
struct json_object *av_pager(const struct av_filter *, size_t total);

/* One flagged source position (a finding the filter kept). The strings point into the
 * analysis object given to av_view: keep it until av_rows is done. */
struct av_mark {
	unsigned	 line, column, end_line, end_column;
	enum av_sev	 sev;
	enum av_kind	 kind;
	unsigned	 id;		/* the finding's anchor: #f-<id> */
	const char	*rule, *message;
};

struct av_marks {
	struct av_mark	*v;		/* sorted by line, then column */
	size_t		 n;
};

/*
 * av_view: a new object for the analysis partials (templates/analysis/) built from the
 * analysis object (not changed; may be NULL: then NULL is returned) and the filter:
 *   {scores: [{name, value, outOf, level, levelText, meaning, formula, details}],
 *    purpose, provider, analysisVersion, summary (executionSummary), touchList: [{label,
 *    evidence}] (what it touches, in words),
 *    filterable, filters: {kinds: [...], severities: [...], any, clearHref},
 *    groups: [{kind, label, id, count, severities: [{severity, label, findings: [...]}]}],
 *    total, shown, commands, parameters, metrics, compatibility, suggestions}
 * Each finding: {id ("f-3", the same whatever the filter), ruleId, severity,
 * severityLabel, message, line, column, lineHref ("#L12"), extent, suggestion, docsUrl,
 * techniques}. marks (may be NULL) gets the findings shown, for av_rows; release with
 * av_marks_free. Every string stays text: the templates escape it.
 */
struct json_object *av_view(struct json_object *analysis, const struct av_filter *,
	struct av_marks *marks);
void	 av_marks_free(struct av_marks *);

/*
 * av_rows: hl_html_rows's table rows with the marks: a flagged line's row gets the class
 * hl-flag and hl-<worst severity>, a mark in its number cell, the extent of each finding
 * on it inside <mark class="hl-x"> (cut at the tags so the HTML stays balanced), and under
 * it one row (class hl-note) listing each finding's severity, rule and message as a link
 * to the finding (#f-<id>): readable without hover, on a phone and by a screen reader.
 * Linear in the source and the marks.
 */
void	 av_rows(struct buf *b, const struct hl_lines *, const struct av_marks *);
/* av_rows_window: av_rows for the lines [from, from + count) only (from 1-based; count 0: to
 * the end): a mark from an earlier line still underlines the window's lines it reaches, and
 * only the window's lines get their notes. */
void	 av_rows_window(struct buf *b, const struct hl_lines *, const struct av_marks *,
	size_t from, size_t count);

/* av_score_badges: adds to each script object of arr (a list's scripts) with an analysis a
 * member "badges": [{name, value, level, levelText}] for the three scores. */
void	 av_score_badges(struct json_object *arr);

#endif
