/* diffview.h: a version comparison (db_versions_compare's object) as rows for a diff page */
#ifndef PSS_RENDER_DIFFVIEW_H
#define PSS_RENDER_DIFFVIEW_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

/*
 * Both views read the compare object {hunks: [{fromStart, fromLines, toStart, toLines, lines:
 * [{type: "context" | "removed" | "added", content}]}], ...} and answer a new json-c array of
 * hunks, one per input hunk:
 *   {header: "@@ -1,4 +1,5 @@", fromStart, fromLines, toStart, toLines, rows: [...]}
 * The header is written as diff -u writes it (",1" left out). Every html field is the line's
 * content escaped by hl_escape_line (HTML-escaped, no markup; controls but TAB as U+FFFD,
 * bidirectional controls as the text "[U+202E]"), to be put in
 * with the triple mustache. Line numbers are 1-based; a missing side is null. A hunk or line
 * of the wrong shape is skipped, never an error.
 *
 * DV_SPLIT (side by side): rows {leftNo, leftHtml, leftType, rightNo, rightHtml, rightType}.
 * A context line fills both sides (type "context"). A run of changed lines (the removed and
 * added lines between two context lines) pairs its k-th removed line with its k-th added
 * line; the longer side goes on against an empty cell: type "empty", no null, html "".
 *
 * DV_UNIFIED: rows {oldNo, newNo, type, sign, html}: sign " ", "-" or "+"; a removed line has
 * newNo null, an added line oldNo null; the order is the compare object's.
 */
enum dv_mode { DV_SPLIT, DV_UNIFIED, DV__MAX };
/* "split", "unified" */
extern const char *const dv_modes[DV__MAX];

/* dv_mode_parse: NULL or "" means DV_SPLIT; DV__MAX when unknown (a 400). */
enum dv_mode dv_mode_parse(const char *);

/* dv_hunks: the hunks of compare in the given view (an empty array when it has none or mode
 * is out of range), at most DV_MAX_ROWS rows in all. Caller releases with json_object_put;
 * compare is not changed. */
#define DV_MAX_ROWS 10000
struct json_object *dv_hunks(struct json_object *compare, enum dv_mode mode);
/* dv_hunks_max: the same with at most max_rows rows (0: no bound); *truncated (when not NULL)
 * says whether rows were left out (the page then offers the unified text or a download).
 * The rows kept are the first ones; a hunk cut short keeps its header. */
struct json_object *dv_hunks_max(struct json_object *compare, enum dv_mode mode,
	size_t max_rows, bool *truncated);

/*
 * dv_view: a diff page's view in one json-c object: the compare object's fromVersion,
 * toVersion, linesAdded, linesRemoved and coarse, plus {mode: "split" | "unified", split:
 * true or unified: true (for {{#diff.split}} sections), hunks (dv_hunks), truncated}.
 * Caller releases with json_object_put.
 */
struct json_object *dv_view(struct json_object *compare, enum dv_mode mode);

#endif
