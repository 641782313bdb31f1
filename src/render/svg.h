/* svg.h: charts drawn on the server as inline SVG: no script, no style attribute, every mark
 * labelled with its value in text and told apart by a pattern as well as a colour class, a
 * <title> and <desc> for assistive technology (the page puts a table of the same numbers
 * under each chart) */
#ifndef PSS_RENDER_SVG_H
#define PSS_RENDER_SVG_H

#include <stddef.h>

#include "core/core.h"

#define SVG_PATTERNS 4	/* solid, diagonal hatch, dots, cross-hatch; series k uses k % 4 */

struct svg_chart {
	const char	*id;	/* unique on the page, [a-z0-9-]: prefixes the patterns' ids */
	const char	*title;	/* the chart's accessible name */
	const char	*desc;	/* one sentence: what it shows and its main figure */
};

/* One bar: label (user text is escaped), value >= 0, the series or class it belongs to
 * (pattern and colour), href (escaped; NULL: not a link). */
struct svg_bar {
	const char	*label;
	double		 value;
	unsigned	 series;
	const char	*href;
};

/* svg_hbars: horizontal bars, one a row, the label above the bar and the value (printf
 * format value_fmt, e.g. "%.0f", applied to the value) at its end. Appends to out. */
void	 svg_hbars(struct buf *out, const struct svg_chart *, const struct svg_bar *, size_t n,
	const char *value_fmt);

/* A series of a column chart: values[i] for each of the chart's n labels. */
struct svg_series {
	const char	*name;
	const double	*values;
};

/* svg_columns: grouped vertical columns (nseries a group, at most SVG_PATTERNS) over n x
 * labels, a legend naming each series with its pattern, the y axis's maximum and zero,
 * the label of every label_every-th group under the axis (1: all), and each non-zero column's
 * value above it when there is room (n * nseries <= 40). */
void	 svg_columns(struct buf *out, const struct svg_chart *, const char *const *labels, size_t n,
	const struct svg_series *, size_t nseries, size_t label_every);

#endif
