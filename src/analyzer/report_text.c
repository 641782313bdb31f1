#include "config.h"
/* report_text.c: compiler-style diagnostics for the command line */

#include <string.h>

#include "analyzer/rules.h"

/* Print the source line of f and a ~~~ underline of its extent (first line only). */
static void
show_line(struct buf *out, const struct ps_analysis *a, const struct ps_finding *f)
{
	const struct ps_analysis_priv *p = a->priv;
	const struct ps_tokens *t = &p->ast->toks;
	size_t s, e, col = 1;

	if (f->line == 0 || f->line > t->nlines)
		return;
	s = t->line_starts[f->line - 1];
	e = s;
	while (e < p->len && p->src[e] != '\n' && p->src[e] != '\r')
		e++;
	if (e - s > 300)
		return;		/* minified or binary: the message is enough */
	buf_puts(out, "    ");
	buf_append(out, p->src + s, e - s);
	buf_puts(out, "\n    ");
	for (size_t i = s; i < e && col < f->column; i++) {
		if (((unsigned char)p->src[i] & 0xC0) == 0x80)
			continue;
		buf_putc(out, p->src[i] == '\t' ? '\t' : ' ');
		col++;
	}
	buf_putc(out, '^');
	if (f->end_line == f->line)
		for (unsigned c = f->column + 1; c < f->end_column; c++)
			buf_putc(out, '~');
	buf_putc(out, '\n');
}

void
ps_report_text(struct buf *out, const char *filename, const struct ps_analysis *a)
{
	unsigned sev[PS_SEV__MAX] = { 0, 0, 0 };

	for (size_t i = 0; i < a->nfindings; i++) {
		const struct ps_finding *f = &a->findings[i];

		sev[f->severity]++;
		buf_printf(out, "%s:%u:%u: %s: %s [%s]\n", filename, f->line, f->column,
		    ps_severity_names[f->severity], f->message, f->rule->id);
		show_line(out, a, f);
		if (f->suggestion != NULL)
			buf_printf(out, "    suggestion: %s\n", f->suggestion);
	}
	buf_printf(out, "%s: %u error%s, %u warning%s, %u information", filename,
	    sev[PS_SEV_ERROR], sev[PS_SEV_ERROR] == 1 ? "" : "s",
	    sev[PS_SEV_WARNING], sev[PS_SEV_WARNING] == 1 ? "" : "s", sev[PS_SEV_INFORMATION]);
	if (a->nsuppressed > 0)
		buf_printf(out, " (%zu suppressed)", a->nsuppressed);
	buf_printf(out, "; security %.1f, quality %.1f, risk %.1f\n", a->security_score,
	    a->quality_score, a->risk_score);
}

void
ps_report_text_suppressed(struct buf *out, const char *filename, const struct ps_analysis *a)
{
	for (size_t i = 0; i < a->nsuppressed; i++) {
		const struct ps_finding *f = &a->suppressed[i];

		buf_printf(out, "%s:%u:%u: suppressed: %s [%s]", filename, f->line, f->column,
		    f->message, f->rule->id);
		if (f->justification != NULL && f->justification[0] != '\0')
			buf_printf(out, " (%s)", f->justification);
		buf_putc(out, '\n');
	}
}
