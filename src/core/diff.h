/* diff.h: a line diff (Myers O(ND), linear space, bounded cost) with hunks and unified text */
#ifndef PSS_DIFF_H
#define PSS_DIFF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Lines are split at '\n'. Two lines are equal when their bytes are equal and both end in
 * '\n' or both do not (a last line without a newline differs from the same text with one,
 * as in diff -u). A CR before the LF is part of the line: "a\r\n" and "a\n" differ, so the
 * unified text is byte for byte what GNU diff -u prints for the same two files.
 *
 * Cost bound: after the common prefix and suffix are taken off, a forward pass measures
 * the edit distance D with at most max_d steps (O((N+M)·max_d) time, O(max_d) memory).
 * When D is larger, the middle is reported as one replacement (every remaining line of
 * the old text removed, every one of the new added) and coarse is set. Otherwise the
 * linear-space divide-and-conquer of Myers' paper finds a minimal diff in O((N+M)·D) time
 * and O(N+M) memory.
 */

enum diff_line_type { DIFF_CONTEXT, DIFF_ADDED, DIFF_REMOVED, DIFF__MAX };
/* "context", "added", "removed" (API.md's type values). */
extern const char *const diff_line_types[DIFF__MAX];

struct diff_line {
	enum diff_line_type type;
	const char	*text;		/* points into the result's own copy of the inputs */
	size_t		 len;		/* without the trailing "\r\n" or "\n" */
	bool		 cr;		/* the line ended in "\r\n" */
	bool		 newline;	/* false for a last line without '\n' */
};

/* A hunk. Starts and counts are those of the unified header "@@ -fromStart,fromLines
 * +toStart,toLines @@": 1-based; for an empty side the start is the line before. */
struct diff_hunk {
	size_t		 from_start, from_lines;
	size_t		 to_start, to_lines;
	struct diff_line *lines;
	size_t		 nlines;
};

struct diff_result {
	struct diff_hunk *hunks;
	size_t		 nhunks;
	size_t		 lines_added, lines_removed;
	bool		 coarse;	/* max_d was exceeded: the middle is one replacement */
	char		*unified;	/* "" when identical; else "--- from\n+++ to\n@@ ..." */
	size_t		 unified_len;
	char		*from_copy_, *to_copy_;	/* owned copies the lines point into */
};

struct diff_opts {
	int		 context;	/* lines of context around a change; < 0 means 3 */
	size_t		 max_d;		/* 0 means DIFF_MAX_D */
	const char	*from_label;	/* NULL means "a" */
	const char	*to_label;	/* NULL means "b" */
};
#define DIFF_MAX_D 4000

/* diff_lines: diffs two texts (any bytes, NULs included). opts may be NULL. Fills *out,
 * which the caller releases with diff_result_free (the inputs may be freed at once). */
void	 diff_lines(const char *from, size_t from_len, const char *to, size_t to_len,
	const struct diff_opts *opts, struct diff_result *out);
void	 diff_result_free(struct diff_result *);

#endif
