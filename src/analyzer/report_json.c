#include "config.h"
/* report_json.c: the analysis as the API.md analysis object (json-c) */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "analyzer/rules.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;

	if (s[0] < 0x80)
		return 1;
	len = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
	if (len == 0 || len > n || !utf8_valid((const char *)s, len))
		return 0;
	return len;
}

struct json_object *
ps_json_string_len(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	struct json_object *o;

	if (s == NULL)
		return json_object_new_string("");
	if (utf8_valid(s, n))
		return json_object_new_string_len(s, (int)n);
	/* Scripts may hold any bytes; JSON (and PostgreSQL jsonb) need UTF-8: U+FFFD instead. */
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq((const unsigned char *)s + i, n - i);

		if (k == 0) {
			buf_puts(&b, "\xEF\xBF\xBD");
			i++;
		} else {
			buf_append(&b, s + i, k);
			i += k;
		}
	}
	o = json_object_new_string_len(b.data ? b.data : "", (int)b.len);
	buf_free(&b);
	return o;
}

struct json_object *
ps_json_string(const char *s)
{
	return ps_json_string_len(s, s != NULL ? strlen(s) : 0);
}

static struct json_object *
jstr(const char *s)
{
	return ps_json_string(s);
}

static struct json_object *
jstrn(const char *s, size_t n)
{
	return ps_json_string_len(s, n);
}

static struct json_object *
jscore(double v)
{
	char txt[16];

	snprintf(txt, sizeof(txt), "%.1f", v);
	return json_object_new_double_s(v, txt);
}

static void
add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

struct json_object *
ps_finding_to_json(const struct ps_finding *f)
{
	struct json_object *o = json_object_new_object();

	add(o, "ruleId", jstr(f->rule->id));
	add(o, "severity", jstr(ps_severity_names[f->severity]));
	add(o, "message", jstr(f->message));
	add(o, "line", json_object_new_int((int)f->line));
	add(o, "column", json_object_new_int((int)f->column));
	add(o, "endLine", json_object_new_int((int)f->end_line));
	add(o, "endColumn", json_object_new_int((int)f->end_column));
	add(o, "extent", jstr(f->extent));
	add(o, "suggestion", jstr(f->suggestion));
	if (f->rule->docs_url != NULL)
		add(o, "docsUrl", jstr(f->rule->docs_url));
	if (f->mitre != NULL)
		add(o, "properties", ps_attack_properties(f, false));
	if (f->fix != NULL) {
		struct json_object *fx = json_object_new_object();

		add(fx, "replacement", jstr(f->fix));
		add(fx, "start", json_object_new_int64((int64_t)f->start));
		add(fx, "end", json_object_new_int64((int64_t)f->end));
		add(o, "fix", fx);
	}
	return o;
}

struct json_object *
ps_attack_properties(const struct ps_finding *f, bool sarif)
{
	struct json_object *o = json_object_new_object(), *ids = json_object_new_array(),
	    *names = json_object_new_array(), *tags = sarif ? json_object_new_array() : NULL;

	for (const char *p = f->mitre; *p != '\0';) {
		size_t n = strcspn(p, ",");
		const char *nm = ps_mitre_name(p, n);
		char tag[48];

		json_object_array_add(ids, jstrn(p, n));
		json_object_array_add(names, jstr(nm != NULL ? nm : ""));
		if (tags != NULL) {
			snprintf(tag, sizeof(tag), "external/mitre-attack/%.*s", (int)(n > 16 ? 16 : n), p);
			json_object_array_add(tags, jstr(tag));
		}
		p += n + (p[n] == ',');
	}
	add(o, "mitreAttack", ids);
	add(o, "techniques", names);
	if (f->chain != NULL)
		add(o, "chain", jstr(f->chain));
	if (tags != NULL) {
		json_object_array_add(tags, jstr("security"));
		add(o, "tags", tags);
	}
	return o;
}

/* ---- findings written as text (ps_analysis_to_json_text_findings) ---- */

/* s as a JSON string, as json-c writes it with JSON_C_TO_STRING_NOSLASHESCAPE (", \\ and
 * \b \f \n \r \t by name, other bytes below 0x20 as \u00xx), after ps_json_string_len's
 * repair of invalid UTF-8 (U+FFFD). */
static void
jw_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, from = 0;

	buf_putc(b, '"');
	if (s == NULL)
		n = 0;
	while (i < n) {
		unsigned char c;
		const char *esc = NULL;
		char u[7];

		while (i < n && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x80 &&
		    s[i] != '"' && s[i] != '\\')
			i++;	/* the common case: printable ASCII, copied as a run */
		if (i == n)
			break;
		c = (unsigned char)s[i];
		if (c >= 0x80) {
			size_t k = utf8_seq((const unsigned char *)s + i, n - i);

			if (k != 0) {
				i += k;
				continue;
			}
			buf_append(b, s + from, i - from);
			buf_puts(b, "\xEF\xBF\xBD");
			from = ++i;
			continue;
		}
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (c < 0x20) {
				u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
				u[4] = hex[c >> 4]; u[5] = hex[c & 15]; u[6] = '\0';
				esc = u;
			}
		}
		if (esc == NULL) {
			i++;
			continue;
		}
		buf_append(b, s + from, i - from);
		buf_puts(b, esc);
		from = ++i;
	}
	buf_append(b, s + from, i - from);
	buf_putc(b, '"');
}

/* ,"key": (buf_printf's vsnprintf cost more than the rest of a finding) */
static void
jw_key(struct buf *b, const char *key)
{
	buf_puts(b, ",\"");
	buf_puts(b, key);
	buf_puts(b, "\":");
}

static void
jw_key_str(struct buf *b, const char *key, const char *s)
{
	jw_key(b, key);
	jw_str(b, s, s != NULL ? strlen(s) : 0);
}

static void
jw_key_int(struct buf *b, const char *key, long long v)
{
	char d[24];
	size_t i = sizeof(d);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	jw_key(b, key);
	do
		d[--i] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		d[--i] = '-';
	buf_append(b, d + i, sizeof(d) - i);
}

/* ps_finding_to_json's object, as text (the same bytes json-c writes for it). */
static void
finding_write(struct buf *b, const struct ps_finding *f)
{
	buf_puts(b, "{\"ruleId\":");
	jw_str(b, f->rule->id, strlen(f->rule->id));
	jw_key_str(b, "severity", ps_severity_names[f->severity]);
	jw_key_str(b, "message", f->message);
	jw_key_int(b, "line", (int)f->line);
	jw_key_int(b, "column", (int)f->column);
	jw_key_int(b, "endLine", (int)f->end_line);
	jw_key_int(b, "endColumn", (int)f->end_column);
	jw_key_str(b, "extent", f->extent);
	jw_key_str(b, "suggestion", f->suggestion);
	if (f->rule->docs_url != NULL)
		jw_key_str(b, "docsUrl", f->rule->docs_url);
	if (f->mitre != NULL) {	/* rare: through json-c */
		struct json_object *pr = ps_attack_properties(f, false);

		buf_puts(b, ",\"properties\":");
		buf_puts(b, json_object_to_json_string_ext(pr, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(pr);
	}
	if (f->fix != NULL) {
		buf_puts(b, ",\"fix\":{\"replacement\":");
		jw_str(b, f->fix, strlen(f->fix));
		jw_key_int(b, "start", (long long)f->start);
		jw_key_int(b, "end", (long long)f->end);
		buf_putc(b, '}');
	}
	buf_putc(b, '}');
}

/* A placeholder array whose serialization is the findings of cat, written now as text. */
static struct json_object *
findings_text(const struct ps_analysis *a, enum ps_category cat)
{
	struct json_object *arr = json_object_new_array();
	struct buf b = BUF_INIT;
	size_t n = 0;

	buf_putc(&b, '[');
	for (size_t i = 0; i < a->nfindings; i++)
		if (a->findings[i].rule->category == cat) {
			if (n++ > 0)
				buf_putc(&b, ',');
			finding_write(&b, &a->findings[i]);
		}
	buf_putc(&b, ']');
	json_object_set_serializer(arr, json_object_userdata_to_json_string, xstrdup(buf_cstr(&b)),
	    json_object_free_userdata);
	buf_free(&b);
	return arr;
}

struct json_object *
ps_suppressed_to_json(const struct ps_analysis *a)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < a->nsuppressed; i++) {
		struct json_object *o = ps_finding_to_json(&a->suppressed[i]);

		add(o, "justification", jstr(a->suppressed[i].justification));
		json_object_array_add(arr, o);
	}
	return arr;
}

static const char *
help_param_text(const struct ps_help *h, const char *name)
{
	if (h == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < h->nparams; i++)
		if (h->params[i].name != NULL && strcasecmp(h->params[i].name, name) == 0)
			return h->params[i].text;
	return NULL;
}

static struct json_object *
param_json(const struct ps_analysis_priv *p, const struct ps_node *pn, const struct ps_help *h)
{
	struct json_object *o = json_object_new_object(), *attrs = json_object_new_array();
	const char *desc = help_param_text(h, pn->u.param.name);
	const struct ps_node *vs = ps_attr_find(&pn->u.param.attributes, "ValidateSet");

	add(o, "name", jstr(pn->u.param.name));
	add(o, "type", pn->u.param.type ? jstr(pn->u.param.type) : NULL);
	add(o, "mandatory", json_object_new_boolean(pn->u.param.mandatory));
	if (pn->u.param.default_value != NULL) {
		size_t n;
		const char *t = ps_node_text(p->ast, pn->u.param.default_value, &n);

		add(o, "defaultValue", jstrn(t, n > 200 ? 200 : n));
	} else {
		add(o, "defaultValue", NULL);
	}
	add(o, "description", desc ? jstr(desc) : NULL);
	for (size_t i = 0; i < pn->u.param.attributes.n; i++) {
		const struct ps_node *a = pn->u.param.attributes.v[i];

		if (a->kind == PS_NODE_ATTRIBUTE && a->u.attr.name != NULL)
			json_object_array_add(attrs, jstr(a->u.attr.name));
	}
	add(o, "attributes", attrs);
	if (vs != NULL) {
		struct json_object *vals = json_object_new_array();

		for (size_t i = 0; i < vs->u.attr.positional.n; i++) {
			const char *s = ps_node_const_string(vs->u.attr.positional.v[i]);

			if (s != NULL)
				json_object_array_add(vals, jstr(s));
		}
		add(o, "validValues", vals);
	}
	add(o, "line", json_object_new_int((int)pn->ext.line));
	return o;
}

static struct json_object *
params_json(const struct ps_analysis_priv *p)
{
	struct json_object *o = json_object_new_object(), *script = json_object_new_array(),
	    *fns = json_object_new_array();
	const struct ps_ast *ast = p->ast;
	const struct ps_node *pb = ast->root->u.sb.param_block;

	if (pb != NULL)
		for (size_t i = 0; i < pb->u.pb.params.n; i++)
			json_object_array_add(script, param_json(p, pb->u.pb.params.v[i], ast->help));
	for (size_t i = 0; i < ast->functions.n && i < 500; i++) {
		const struct ps_node *fn = ast->functions.v[i];
		struct json_object *f = json_object_new_object(), *ps = json_object_new_array();

		add(f, "name", jstr(fn->u.fn.name));
		add(f, "synopsis", fn->u.fn.help && fn->u.fn.help->synopsis ?
		    jstr(fn->u.fn.help->synopsis) : NULL);
		add(f, "line", json_object_new_int((int)fn->ext.line));
		add(f, "cmdletBinding", json_object_new_boolean(fn->u.fn.cmdletbinding));
		add(f, "supportsShouldProcess",
		    json_object_new_boolean(fn->u.fn.supports_should_process));
		for (size_t k = 0; k < fn->u.fn.params.n; k++)
			json_object_array_add(ps, param_json(p, fn->u.fn.params.v[k], fn->u.fn.help));
		add(f, "parameters", ps);
		json_object_array_add(fns, f);
	}
	add(o, "script", script);
	add(o, "functions", fns);
	return o;
}

static const char *
avail_name(unsigned a)
{
	return a == PS_AVAIL_BOTH ? "both" : a == PS_AVAIL_51 ? "5.1" : "7.6";
}

/* One entry per distinct command, in order of first use (at most 300). */
static struct json_object *
commands_json(const struct ps_analysis_priv *p)
{
	struct json_object *arr = json_object_new_array();
	const struct ps_cmd_group *g;
	const size_t *gof;
	size_t ng = ps_cmd_groups(p, &g, &gof);
	struct json_object **objs = xcalloc(ng + 1, sizeof(*objs));
	struct json_object **lines = xcalloc(ng + 1, sizeof(*lines));
	struct json_object **aliases = xcalloc(ng + 1, sizeof(*aliases));
	struct json_object **params = xcalloc(ng + 1, sizeof(*params));

	for (size_t i = 0; i < ng && i < 300; i++) {
		const struct ps_cmd *pc = &p->cmds[g[i].first];
		struct json_object *o = json_object_new_object();

		add(o, "name", jstr(pc->canon));
		if (pc->ci != NULL) {
			add(o, "type", jstr("cmdlet"));
			add(o, "module", jstr(pc->ci->module));
			add(o, "synopsis", jstr(pc->ci->synopsis));
			add(o, "docsUrl", jstr(pc->ci->url));
			add(o, "availability", jstr(avail_name(pc->ci->avail)));
		} else {
			add(o, "type", jstr(pc->local_function ? "function" :
			    pc->name == NULL ? "dynamic" : "external"));
		}
		add(o, "count", json_object_new_int((int)g[i].count));
		lines[i] = json_object_new_array();
		aliases[i] = json_object_new_array();
		params[i] = json_object_new_array();
		add(o, "lines", lines[i]);
		add(o, "aliasesUsed", aliases[i]);
		add(o, "parametersUsed", params[i]);
		objs[i] = o;
		json_object_array_add(arr, o);
	}
	for (size_t k = 0; k < p->ncmds; k++) {
		const struct ps_cmd *q = &p->cmds[k];
		size_t gi = gof[k];

		if (gi >= 300 || objs[gi] == NULL)
			continue;
		if (json_object_array_length(lines[gi]) < 20)
			json_object_array_add(lines[gi], json_object_new_int((int)q->node->ext.line));
		if (q->alias != NULL && json_object_array_length(aliases[gi]) < 10) {
			bool have = false;

			for (size_t m = 0; m < json_object_array_length(aliases[gi]) && !have; m++)
				have = strcasecmp(json_object_get_string(
				    json_object_array_get_idx(aliases[gi], m)), q->name) == 0;
			if (!have)
				json_object_array_add(aliases[gi], jstr(q->name));
		}
		for (size_t a = 0; a < q->node->u.cmd.nargs; a++) {
			const char *an = q->node->u.cmd.args[a].name;
			const struct ps_param_info *pi;
			bool have = false;

			if (an == NULL || json_object_array_length(params[gi]) >= 40)
				continue;
			pi = q->ci ? ps_catalog_param(q->ci, an, strlen(an)) : NULL;
			if (pi != NULL)
				an = pi->name;
			for (size_t m = 0; m < json_object_array_length(params[gi]) && !have; m++)
				have = strcasecmp(json_object_get_string(
				    json_object_array_get_idx(params[gi], m)), an) == 0;
			if (!have)
				json_object_array_add(params[gi], jstr(an));
		}
	}
	free(objs);
	free(lines);
	free(aliases);
	free(params);
	return arr;
}

/* The references: one per distinct url (urls, *n of them, is what is already in arr). */
static void
add_ref(struct json_object *arr, const char **urls, size_t *n, const char *title, const char *url,
    const char *type)
{
	struct json_object *o;

	for (size_t i = 0; i < *n; i++)
		if (urls[i] == url || strcmp(urls[i], url) == 0)
			return;
	urls[(*n)++] = url;
	o = json_object_new_object();
	add(o, "title", jstr(title));
	add(o, "url", jstr(url));
	add(o, "type", jstr(type));
	json_object_array_add(arr, o);
}

static struct json_object *
refs_json(const struct ps_analysis *a)
{
	const struct ps_analysis_priv *p = a->priv;
	struct json_object *arr = json_object_new_array();
	const char *urls[150];
	size_t n = 0;

	for (size_t i = 0; i < p->ncmds && n < 100; i++)
		if (p->cmds[i].ci != NULL)
			add_ref(arr, urls, &n, p->cmds[i].ci->name, p->cmds[i].ci->url, "cmdlet");
	for (size_t i = 0; i < a->nfindings && n < 150; i++)
		if (a->findings[i].rule->docs_url != NULL)
			add_ref(arr, urls, &n, a->findings[i].rule->id, a->findings[i].rule->docs_url, "rule");
	return arr;
}

static struct json_object *
findings_json(const struct ps_analysis *a, enum ps_category cat)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < a->nfindings; i++)
		if (a->findings[i].rule->category == cat)
			json_object_array_add(arr, ps_finding_to_json(&a->findings[i]));
	return arr;
}

/* Suggestions: one per rule that fired, worst severity first, at most 25. */
static struct json_object *
suggestions_json(const struct ps_analysis *a)
{
	struct json_object *arr = json_object_new_array();
	const struct ps_analysis_priv *p = a->priv;

	for (int sev = PS_SEV_ERROR; sev >= PS_SEV_INFORMATION; sev--) {
		for (size_t i = 0; i < a->nfindings; i++) {
			const struct ps_finding *f = &a->findings[i];
			bool first = true;
			char line[600];

			if ((int)f->severity != sev)
				continue;
			for (size_t k = 0; k < i && first; k++)
				if (a->findings[k].rule == f->rule && (int)a->findings[k].severity == sev)
					first = false;
			for (size_t k = i + 1; k < a->nfindings && first; k++)
				if (a->findings[k].rule == f->rule && (int)a->findings[k].severity > sev)
					first = false;
			/* the same advice from another rule is given once */
			for (size_t k = 0; k < json_object_array_length(arr) && first; k++) {
				const char *have = json_object_get_string(json_object_array_get_idx(arr, k));
				size_t sl = f->suggestion ? strlen(f->suggestion) : 0;

				if (sl > 0 && strncmp(have, f->suggestion, sl) == 0 && have[sl] == ' ' &&
				    have[sl + 1] == '(')
					first = false;
			}
			if (!first || json_object_array_length(arr) >= 25)
				continue;
			snprintf(line, sizeof(line), "%s (%s, line %u)", f->suggestion,
			    f->rule->id, f->line);
			json_object_array_add(arr, jstr(line));
		}
	}
	if (p->ast->help == NULL && p->ast->functions.n == 0 && p->code_lines > 20 &&
	    json_object_array_length(arr) < 25)
		json_object_array_add(arr, jstr("Add comment-based help (.SYNOPSIS, .DESCRIPTION, "
		    ".EXAMPLE) at the top of the script."));
	if (p->min_version_major >= 7 && json_object_array_length(arr) < 25) {
		bool declared = false;

		for (size_t i = 0; i < p->ast->nrequires; i++)
			if (strcasecmp(p->ast->requires[i].key, "Version") == 0)
				declared = true;
		if (!declared)
			json_object_array_add(arr, jstr("Declare '#Requires -Version 7.0': the "
			    "script uses PowerShell 7 features."));
	}
	return arr;
}

static struct json_object *
metrics_json(const struct ps_analysis *a)
{
	const struct ps_analysis_priv *p = a->priv;
	const struct ps_ast *ast = p->ast;
	const struct ps_complexity *cx = &ast->cx;
	struct json_object *o = json_object_new_object(), *d = json_object_new_object();
	unsigned maxfn = 0, sumfn = 0;
	size_t maxpipe = 0, distinct = 0;
	char ratio[16];
	double cr;

	for (size_t i = 0; i < ast->functions.n; i++) {
		unsigned cc = ast->functions.v[i]->u.fn.cx.cyclomatic;

		sumfn += cc;
		if (cc > maxfn)
			maxfn = cc;
	}
	for (size_t i = 0; i < ast->pipelines.n; i++)
		if (ast->pipelines.v[i]->u.pipe.elems.n > maxpipe)
			maxpipe = ast->pipelines.v[i]->u.pipe.elems.n;
	{
		const struct ps_cmd_group *g;

		distinct = ps_cmd_groups(p, &g, NULL);
	}
	add(o, "lines", json_object_new_int((int)a->nlines));
	add(o, "codeLines", json_object_new_int((int)p->code_lines));
	add(o, "commentLines", json_object_new_int((int)p->comment_lines));
	add(o, "blankLines", json_object_new_int((int)p->blank_lines));
	cr = a->nlines ? (double)p->comment_lines / (double)a->nlines : 0;
	snprintf(ratio, sizeof(ratio), "%.2f", cr);
	add(o, "commentRatio", json_object_new_double_s(cr, ratio));
	add(o, "characters", json_object_new_int64((int64_t)p->len));
	add(o, "tokens", json_object_new_int64((int64_t)a->ntokens));
	add(o, "functions", json_object_new_int((int)ast->functions.n));
	add(o, "classes", json_object_new_int((int)ast->classes.n));
	add(o, "commands", json_object_new_int((int)p->ncmds));
	add(o, "distinctCommands", json_object_new_int((int)distinct));
	add(o, "pipelines", json_object_new_int((int)ast->pipelines.n));
	add(o, "maxPipelineLength", json_object_new_int((int)maxpipe));
	add(o, "cyclomaticComplexity", json_object_new_int((int)cx->cyclomatic));
	add(o, "maxNestingDepth", json_object_new_int((int)cx->max_nesting));
	add(o, "maxFunctionComplexity", json_object_new_int((int)maxfn));
	if (ast->functions.n > 0) {
		double avg = (double)sumfn / (double)ast->functions.n;
		char t[16];

		snprintf(t, sizeof(t), "%.1f", avg);
		add(o, "averageFunctionComplexity", json_object_new_double_s(avg, t));
	} else {
		add(o, "averageFunctionComplexity", json_object_new_int(0));
	}
	add(d, "if", json_object_new_int((int)(cx->ifs + cx->elseifs)));
	add(d, "switchClauses", json_object_new_int((int)cx->switch_clauses));
	add(d, "loops", json_object_new_int((int)(cx->fors + cx->foreachs + cx->whiles + cx->dos)));
	add(d, "catch", json_object_new_int((int)(cx->catches + cx->traps)));
	add(d, "logicalOperators", json_object_new_int((int)(cx->ands + cx->ors)));
	add(d, "ternary", json_object_new_int((int)(cx->ternaries + cx->coalesces)));
	add(o, "decisionPoints", d);
	add(o, "statements", json_object_new_int((int)cx->statements));
	add(o, "parseErrors", json_object_new_int((int)ast->ndiags));
	add(o, "tokenErrors", json_object_new_int((int)ast->toks.nerrors));
	return o;
}

static struct json_object *
compat_json(const struct ps_analysis_priv *p)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < p->ncompat; i++) {
		struct json_object *o = json_object_new_object();

		add(o, "feature", jstr(p->compat[i].feature));
		add(o, "requires", jstr(p->compat[i].requires));
		add(o, "message", jstr(p->compat[i].message));
		add(o, "line", json_object_new_int((int)p->compat[i].line));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* Literal remote hosts and URLs the script names. */
static void
targets_json(const struct ps_analysis_priv *p, struct json_object *hosts, struct json_object *urls)
{
	const struct ps_ast *ast = p->ast;

	for (size_t i = 0; i < p->ncmds && json_object_array_length(hosts) < 50; i++) {
		const struct ps_cmd_arg *a = ps_cmd_arg_find(p->cmds[i].node, "ComputerName");
		const char *v;

		if (a == NULL || a->value == NULL || (v = ps_node_const_string(a->value)) == NULL)
			continue;
		json_object_array_add(hosts, jstr(v));
	}
	for (size_t i = 0; i < ast->strings.n && json_object_array_length(urls) < 50; i++) {
		const char *v = ast->strings.v[i]->u.str.value;
		size_t n = ast->strings.v[i]->u.str.len;

		if (v == NULL || n < 8 || n > 2048)
			continue;
		if (strncasecmp(v, "http://", 7) == 0 || strncasecmp(v, "https://", 8) == 0 ||
		    strncasecmp(v, "ftp://", 6) == 0) {
			bool have = false;

			for (size_t k = 0; k < json_object_array_length(urls) && !have; k++)
				if (strcmp(json_object_get_string(json_object_array_get_idx(urls, k)), v) == 0)
					have = true;
			if (!have)
				json_object_array_add(urls, jstrn(v, n));
		}
	}
}

static struct json_object *
jnum2(double v)
{
	char t[32];

	snprintf(t, sizeof(t), "%.2f", v);
	return json_object_new_double_s(v, t);
}

/* How each score was computed (docs/analyzer.md, "Scores"). */
static struct json_object *
score_details_json(const struct ps_analysis *a)
{
	const struct ps_analysis_priv *p = a->priv;
	struct json_object *o = json_object_new_object(), *sec = json_object_new_object(),
	    *risk = json_object_new_object(), *qual = json_object_new_object(),
	    *rules = json_object_new_array(), *rrules = json_object_new_array();

	for (size_t r = 0; r < R__MAX; r++) {
		struct json_object *e;

		if (p->score.rule_points[r] <= 0)
			continue;
		e = json_object_new_object();
		add(e, "ruleId", jstr(ps_rule_table[r].id));
		add(e, "points", jnum2(p->score.rule_points[r]));
		json_object_array_add(ps_rule_table[r].category == PS_CAT_SECURITY ? rules : rrules, e);
	}
	add(sec, "formula", jstr("max(0, 10 - S)"));
	add(sec, "S", jnum2(p->score.security_points));
	add(sec, "rules", rules);
	add(risk, "formula", jstr("10 * (1 - exp(-R / 6))"));
	add(risk, "R", jnum2(p->score.risk_points));
	add(risk, "fromSecurityRules", jnum2(p->score.security_points));
	add(risk, "fromRiskRules", jnum2(p->score.risk_from_rules));
	add(risk, "riskRules", rrules);
	add(risk, "fromCapabilities", jnum2(p->score.risk_from_caps));
	add(risk, "fromElevation", jnum2(p->score.risk_from_elevation));
	add(qual, "formula", jstr("10 / (1 + P / (4 * A))"));
	add(qual, "P", jnum2(p->score.quality_points));
	add(qual, "A", jnum2(p->score.allowance));
	add(qual, "fromFindings", jnum2(p->score.quality_from_findings));
	add(qual, "fromComplexity", jnum2(p->score.quality_from_complexity));
	add(qual, "fromSyntaxErrors", jnum2(p->score.quality_from_syntax));
	add(o, "security", sec);
	add(o, "risk", risk);
	add(o, "quality", qual);
	return o;
}

static struct json_object *
summary_json(const struct ps_analysis *a)
{
	const struct ps_analysis_priv *p = a->priv;
	struct json_object *o = json_object_new_object(), *touches = json_object_new_object(),
	    *evidence = json_object_new_object(), *hosts = json_object_new_array(),
	    *urls = json_object_new_array(), *counts = json_object_new_object(),
	    *ext = json_object_new_array();
	unsigned sev[PS_SEV__MAX] = { 0, 0, 0 };
	char ver[16];
	unsigned caps = a->capabilities;

	for (size_t k = 0; k < PS_CAP__MAX; k++) {
		add(touches, ps_capability_names[k], json_object_new_boolean((caps >> k) & 1));
		if (p->cap_evidence[k] != NULL) {
			char ev[200];

			snprintf(ev, sizeof(ev), "%s (line %u)", p->cap_evidence[k], p->cap_line[k]);
			add(evidence, ps_capability_names[k], jstr(ev));
		}
	}
	add(o, "touches", touches);
	add(o, "files", json_object_new_boolean((caps & ((1u << PS_CAP_FILES_READ) |
	    (1u << PS_CAP_FILES_WRITE) | (1u << PS_CAP_FILES_DELETE))) != 0));
	add(o, "registry", json_object_new_boolean((caps & ((1u << PS_CAP_REGISTRY_READ) |
	    (1u << PS_CAP_REGISTRY_WRITE))) != 0));
	add(o, "network", json_object_new_boolean((caps >> PS_CAP_NETWORK) & 1));
	add(o, "processes", json_object_new_boolean((caps >> PS_CAP_PROCESSES) & 1));
	add(o, "services", json_object_new_boolean((caps >> PS_CAP_SERVICES) & 1));
	add(o, "users", json_object_new_boolean((caps >> PS_CAP_USERS) & 1));
	add(o, "remoteHosts", json_object_new_boolean((caps >> PS_CAP_REMOTE) & 1));
	add(o, "evidence", evidence);
	add(o, "needsElevation", json_object_new_boolean(a->needs_elevation));
	add(o, "elevationReason", p->elevation_reason ? jstr(p->elevation_reason) : NULL);
	targets_json(p, hosts, urls);
	add(o, "hosts", hosts);
	add(o, "urls", urls);
	for (size_t i = 0; i < p->ncmds && json_object_array_length(ext) < 50; i++) {
		const struct ps_cmd *pc = &p->cmds[i];
		bool have = false;

		if (pc->ci != NULL || pc->local_function || pc->name == NULL ||
		    pc->node->u.cmd.invocation != 0)
			continue;
		for (size_t k = 0; k < json_object_array_length(ext) && !have; k++)
			if (strcasecmp(json_object_get_string(json_object_array_get_idx(ext, k)),
			    pc->name) == 0)
				have = true;
		if (!have)
			json_object_array_add(ext, jstr(pc->name));
	}
	add(o, "otherCommands", ext);
	{
		static const char *const kinds[PS_IMPORT__MAX] = { "module", "usingModule",
			"dotSource", "usingAssembly", "requiresModule", "addType" };
		struct json_object *imps = json_object_new_array();
		const struct ps_ast *ast = p->ast;

		for (size_t i = 0; i < ast->nimports && i < 100; i++) {
			struct json_object *im = json_object_new_object();
			const struct ps_import *x = &ast->imports[i];

			add(im, "kind", jstr(x->kind < PS_IMPORT__MAX ? kinds[x->kind] : "unknown"));
			add(im, "name", x->name ? jstr(x->name) : NULL);
			add(im, "line", json_object_new_int((int)x->ext.line));
			json_object_array_add(imps, im);
		}
		add(o, "imports", imps);
	}
	snprintf(ver, sizeof(ver), "%u.%u", p->min_version_major, p->min_version_minor);
	add(o, "minimumPowerShellVersion", jstr(ver));
	add(o, "windowsPowerShellOnly", json_object_new_boolean(p->windows_only));
	for (size_t i = 0; i < a->nfindings; i++)
		sev[a->findings[i].severity]++;
	for (int s = PS_SEV__MAX - 1; s >= 0; s--)
		add(counts, ps_severity_names[s], json_object_new_int((int)sev[s]));
	add(o, "findings", counts);
	if (p->dropped > 0)
		add(o, "findingsNotListed", json_object_new_int((int)p->dropped));
	if (a->nsuppressed > 0)
		add(o, "findingsSuppressed", json_object_new_int((int)a->nsuppressed));
	add(o, "riskLevel", jstr(a->risk_score >= 8 ? "high" : a->risk_score >= 5 ? "medium" :
	    "low"));
	add(o, "scoreDetails", score_details_json(a));
	return o;
}

struct json_object *
ps_analysis_to_json(const struct ps_analysis *a)
{
	return ps_analysis_to_json_flags(a, 0);
}

struct json_object *
ps_analysis_to_json_flags(const struct ps_analysis *a, unsigned flags)
{
	struct json_object *(*findings)(const struct ps_analysis *, enum ps_category) =
	    (flags & PS_JSON_FINDINGS_TEXT) ? findings_text : findings_json;
	struct json_object *o = json_object_new_object();
	const struct ps_analysis_priv *p = a->priv;

	add(o, "purpose", jstr(a->purpose));
	add(o, "securityScore", jscore(a->security_score));
	add(o, "codeQualityScore", jscore(a->quality_score));
	add(o, "riskScore", jscore(a->risk_score));
	add(o, "parameters", params_json(p));
	add(o, "suggestions", suggestions_json(a));
	add(o, "commandDetails", commands_json(p));
	add(o, "msDocsReferences", refs_json(a));
	add(o, "securityIssues", findings(a, PS_CAT_SECURITY));
	add(o, "bestPracticeViolations", findings(a, PS_CAT_BEST_PRACTICE));
	add(o, "performanceInsights", findings(a, PS_CAT_PERFORMANCE));
	add(o, "potentialRisks", findings(a, PS_CAT_RISK));
	add(o, "codeComplexityMetrics", metrics_json(a));
	add(o, "compatibilityNotes", compat_json(p));
	add(o, "executionSummary", summary_json(a));
	add(o, "analysisVersion", jstr(PS_ANALYZER_VERSION));
	add(o, "provider", jstr(PS_ANALYZER_PROVIDER));
	return o;
}
