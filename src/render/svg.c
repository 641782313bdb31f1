/* svg.c: server-drawn charts as inline SVG (svg.h); every text goes through esc_html */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/escape.h"
#include "render/svg.h"

#define W		640	/* the viewBox's width: the chart scales to its container */
#define ROW		34	/* a horizontal bar's row: label line and bar */
#define BAR_H		14
#define PAD		8
#define COL_H		180	/* the columns' plot height */
#define AXIS_W		40

static void
text(struct buf *b, const char *s)
{
	esc_html(b, s, strlen(s));
}

/* The patterns, each drawn over the series' colour in a contrasting ink (svg.css: .svg-ink). */
static void
defs(struct buf *b, const char *id)
{
	buf_puts(b, "<defs>");
	buf_printf(b, "<pattern id=\"%s-p0\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\"></pattern>", id);
	buf_printf(b, "<pattern id=\"%s-p1\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\""
	    " patternTransform=\"rotate(45)\"><rect class=\"svg-ink\" x=\"0\" y=\"0\" width=\"2\" height=\"6\"/></pattern>", id);
	buf_printf(b, "<pattern id=\"%s-p2\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">"
	    "<circle class=\"svg-ink\" cx=\"3\" cy=\"3\" r=\"1.3\"/></pattern>", id);
	buf_printf(b, "<pattern id=\"%s-p3\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">"
	    "<rect class=\"svg-ink\" x=\"0\" y=\"0\" width=\"6\" height=\"1.2\"/>"
	    "<rect class=\"svg-ink\" x=\"0\" y=\"0\" width=\"1.2\" height=\"6\"/></pattern>", id);
	buf_puts(b, "</defs>");
}

static void
open_svg(struct buf *b, const struct svg_chart *c, int height)
{
	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 %d %d\""
	    " width=\"100%%\" role=\"img\" aria-labelledby=\"%s-title %s-desc\">", W, height, c->id, c->id);
	buf_printf(b, "<title id=\"%s-title\">", c->id);
	text(b, c->title);
	buf_printf(b, "</title><desc id=\"%s-desc\">", c->id);
	text(b, c->desc);
	buf_puts(b, "</desc>");
	defs(b, c->id);
}

/* A bar: its colour, then its pattern over it, then an outline. */
static void
bar(struct buf *b, const char *id, unsigned series, double x, double y, double w, double h)
{
	unsigned k = series % SVG_PATTERNS;

	buf_printf(b, "<rect class=\"svg-s%u\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
	    k, x, y, w, h);
	if (k != 0)
		buf_printf(b, "<rect fill=\"url(#%s-p%u)\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
		    id, k, x, y, w, h);
}

static double
max_of(const double *v, size_t n, size_t stride)
{
	double m = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i * stride] > m)
			m = v[i * stride];
	return m;
}

void
svg_hbars(struct buf *b, const struct svg_chart *c, const struct svg_bar *bars, size_t n,
    const char *value_fmt)
{
	double max = 0, plot = W - 2 * PAD - 70;
	char val[48];

	for (size_t i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	open_svg(b, c, (int)(n * ROW + PAD) > 40 ? (int)(n * ROW + PAD) : 40);
	if (n == 0)
		buf_printf(b, "<text class=\"svg-text\" x=\"%d\" y=\"24\">No data</text>", PAD);
	for (size_t i = 0; i < n; i++) {
		double y = PAD + (double)i * ROW, w = max > 0 ? bars[i].value / max * plot : 0;

		if (bars[i].href != NULL) {
			buf_puts(b, "<a href=\"");
			esc_attr(b, bars[i].href, strlen(bars[i].href));
			buf_puts(b, "\">");
		}
		buf_printf(b, "<text class=\"svg-text\" x=\"%d\" y=\"%.1f\">", PAD, y + 11);
		text(b, bars[i].label);
		buf_puts(b, "</text>");
		bar(b, c->id, bars[i].series, PAD, y + 15, w > 0 && w < 2 ? 2 : w, BAR_H);
		snprintf(val, sizeof(val), value_fmt, bars[i].value);
		buf_printf(b, "<text class=\"svg-text svg-value\" x=\"%.1f\" y=\"%.1f\">", PAD + w + 6, y + 26);
		text(b, val);
		buf_puts(b, "</text>");
		if (bars[i].href != NULL)
			buf_puts(b, "</a>");
	}
	buf_puts(b, "</svg>");
}

void
svg_columns(struct buf *b, const struct svg_chart *c, const char *const *labels, size_t n,
    const struct svg_series *series, size_t nseries, size_t label_every)
{
	double max = 0, left = AXIS_W + PAD, plot_w = W - left - PAD, top = 34, group, colw;
	bool values = n * nseries <= 40;
	char num[32];

	if (nseries > SVG_PATTERNS)
		nseries = SVG_PATTERNS;
	if (label_every == 0)
		label_every = 1;
	for (size_t s = 0; s < nseries; s++) {
		double m = max_of(series[s].values, n, 1);

		if (m > max)
			max = m;
	}
	open_svg(b, c, (int)(top + COL_H + 40));
	/* the legend: a swatch with the series' pattern and its name */
	for (size_t s = 0; s < nseries; s++) {
		double x = PAD + (double)s * 170;

		bar(b, c->id, (unsigned)s, x, 8, 16, 12);
		buf_printf(b, "<text class=\"svg-text\" x=\"%.1f\" y=\"18\">", x + 22);
		text(b, series[s].name);
		buf_puts(b, "</text>");
	}
	/* the axis: its maximum and zero */
	snprintf(num, sizeof(num), "%.0f", max);
	buf_printf(b, "<text class=\"svg-text svg-axis\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
	    AXIS_W, top + 10, num);
	buf_printf(b, "<text class=\"svg-text svg-axis\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">0</text>",
	    AXIS_W, top + COL_H);
	buf_printf(b, "<line class=\"svg-line\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
	    left, top + COL_H, left + plot_w, top + COL_H);
	group = n > 0 ? plot_w / (double)n : plot_w;
	colw = group * 0.8 / (double)(nseries ? nseries : 1);
	for (size_t i = 0; i < n; i++) {
		double gx = left + (double)i * group + group * 0.1;

		for (size_t s = 0; s < nseries; s++) {
			double v = series[s].values[i], h = max > 0 ? v / max * (COL_H - 14) : 0;
			double x = gx + (double)s * colw;

			if (v > 0)
				bar(b, c->id, (unsigned)s, x, top + COL_H - h, colw > 1.5 ? colw - 0.5 : colw, h);
			if (values && v > 0) {
				snprintf(num, sizeof(num), "%.0f", v);
				buf_printf(b, "<text class=\"svg-text svg-value\" x=\"%.1f\" y=\"%.1f\""
				    " text-anchor=\"middle\">%s</text>", x + colw / 2, top + COL_H - h - 3, num);
			}
		}
		if (i % label_every == 0 || i == n - 1) {
			buf_printf(b, "<text class=\"svg-text svg-axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
			    gx + group * 0.4, top + COL_H + 16);
			text(b, labels[i]);
			buf_puts(b, "</text>");
		}
	}
	buf_puts(b, "</svg>");
}
