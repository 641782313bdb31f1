#include "config.h"
/* fix.c: applying the findings' mechanical fixes to the analysed text */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "core/core.h"

static int
by_start(const void *x, const void *y)
{
	const struct ps_finding *a = *(const struct ps_finding *const *)x,
	    *b = *(const struct ps_finding *const *)y;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	return strcmp(a->rule->id, b->rule->id);
}

size_t
ps_fixes_apply_some(const char *src, size_t len, const struct ps_analysis *a,
    bool (*keep)(const struct ps_finding *, void *), void *arg, struct buf *out,
    const struct ps_finding **applied)
{
	const struct ps_finding **v;
	size_t n = 0, done = 0, at = 0;

	if (a->nfindings == 0) {
		buf_append(out, src, len);
		return 0;
	}
	v = xcalloc(a->nfindings, sizeof(*v));
	for (size_t i = 0; i < a->nfindings; i++) {
		const struct ps_finding *f = &a->findings[i];

		if (f->fix != NULL && f->start <= f->end && f->end <= len &&
		    (keep == NULL || keep(f, arg)))
			v[n++] = f;
	}
	qsort(v, n, sizeof(*v), by_start);
	for (size_t i = 0; i < n; i++) {
		if (v[i]->start < at)	/* inside the text an earlier edit replaced */
			continue;
		buf_append(out, src + at, v[i]->start - at);
		buf_puts(out, v[i]->fix);
		at = v[i]->end;
		if (applied != NULL)
			applied[done] = v[i];
		done++;
	}
	buf_append(out, src + at, len - at);
	free(v);
	return done;
}

size_t
ps_fixes_apply(const char *src, size_t len, const struct ps_analysis *a, struct buf *out)
{
	return ps_fixes_apply_some(src, len, a, NULL, NULL, out, NULL);
}

int
ps_fix_id(const struct ps_finding *f, char *id, size_t n)
{
	return snprintf(id, n, "%s:%zu-%zu", f->rule->id, f->start, f->end);
}
