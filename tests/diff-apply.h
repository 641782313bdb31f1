/* diff-apply.h: applies a diff_result's hunks to the old text, for the diff tests and the
 * fuzz driver (included by both; needs core/core.h and core/diff.h) */
#ifndef PSS_TESTS_DIFF_APPLY_H
#define PSS_TESTS_DIFF_APPLY_H

#include <string.h>

/* The next line of p (with its newline) in [p, end). */
static size_t
da_line_len(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
}

/* diff_apply: appends to out the old text a with r's hunks applied, and counts the hunks'
 * added and removed lines; -1 when a hunk reads past the end of a. */
static int __attribute__((unused))
diff_apply(const char *a, size_t alen, const struct diff_result *r, struct buf *out,
    size_t *added, size_t *removed)
{
	const char *p = a, *end = a + alen;
	size_t line = 1;	/* the next line of a to copy */

	*added = *removed = 0;
	for (size_t h = 0; h < r->nhunks; h++) {
		const struct diff_hunk *hk = &r->hunks[h];
		size_t first = hk->from_lines == 0 ? hk->from_start + 1 : hk->from_start;

		for (; line < first && p < end; line++) {
			size_t l = da_line_len(p, end);

			buf_append(out, p, l);
			p += l;
		}
		for (size_t k = 0; k < hk->nlines; k++) {
			const struct diff_line *dl = &hk->lines[k];

			if (dl->type != DIFF_REMOVED) {
				buf_append(out, dl->text, dl->len);
				if (dl->cr)
					buf_putc(out, '\r');
				if (dl->newline)
					buf_putc(out, '\n');
				*added += dl->type == DIFF_ADDED;
			}
			if (dl->type != DIFF_ADDED) {
				if (p >= end)
					return -1;
				p += da_line_len(p, end);
				line++;
				*removed += dl->type == DIFF_REMOVED;
			}
		}
	}
	buf_append(out, p, (size_t)(end - p));
	return 0;
}

#endif
