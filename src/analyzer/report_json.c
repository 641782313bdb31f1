#include "config.h"
/* report_json.c: the analysis as the API.md analysis object: a json-c tree, or written as text */

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

/* s (n bytes) appended to b with each invalid UTF-8 byte as U+FFFD: scripts may hold any
 * bytes; JSON (and PostgreSQL jsonb) need UTF-8. */
static void
utf8_repair(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq((const unsigned char *)s + i, n - i);

		if (k == 0) {
			buf_puts(b, "\xEF\xBF\xBD");
			i++;
		} else {
			buf_append(b, s + i, k);
			i += k;
		}
	}
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
	utf8_repair(&b, s, n);
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

/* ---- JSON text (the findings here; ps_analysis_write_json below) ---- */

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

		/* the common case: printable ASCII, copied as a run */
		i = json_special(s, i, n, true);
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
static inline void
jw_key(struct buf *b, const char *key)
{
	size_t n = strlen(key);
	char *d;

	buf_grow(b, n + 4);
	d = b->data + b->len;
	d[0] = ',';
	d[1] = '"';
	memcpy(d + 2, key, n);
	d[n + 2] = '"';
	d[n + 3] = ':';
	d[n + 4] = '\0';
	b->len += n + 4;
}

static inline void
jw_key_str(struct buf *b, const char *key, const char *s)
{
	jw_key(b, key);
	jw_str(b, s, s != NULL ? strlen(s) : 0);
}

static inline void
jw_int(struct buf *b, long long v)
{
	char d[24];
	size_t i = sizeof(d);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do
		d[--i] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		d[--i] = '-';
	buf_append(b, d + i, sizeof(d) - i);
}

static inline void
jw_key_int(struct buf *b, const char *key, long long v)
{
	jw_key(b, key);
	jw_int(b, v);
}

/*
 * The strings that the findings of one rule share (its id, its suggestion, its documentation
 * address: the same pointers into the rule table) are escaped once a write. The first writing
 * notes where its bytes are in the output, which only grows while the analysis is written, and
 * a later writing of the same pointer copies them. Direct-mapped by address: a collision only
 * costs an escaping, and the analysis does not change while it is written.
 */
#define JW_SEEN_SLOTS 64
struct jw_seen {
	const char	*s[JW_SEEN_SLOTS];
	size_t		 off[JW_SEEN_SLOTS], len[JW_SEEN_SLOTS];
};

static void
jw_str_seen(struct buf *b, struct jw_seen *seen, const char *s)
{
	size_t h = ((uintptr_t)s >> 4) % JW_SEEN_SLOTS, off = b->len;

	if (s != NULL && seen->s[h] == s) {
		buf_grow(b, seen->len[h]);	/* before the source's address is taken */
		memcpy(b->data + b->len, b->data + seen->off[h], seen->len[h]);
		b->len += seen->len[h];
		b->data[b->len] = '\0';
		return;
	}
	jw_str(b, s, s != NULL ? strlen(s) : 0);
	if (s != NULL) {
		seen->s[h] = s;
		seen->off[h] = off;
		seen->len[h] = b->len - off;
	}
}

/* ps_finding_to_json's object, as text (the same bytes json-c writes for it). */
static void
finding_write(struct buf *b, struct jw_seen *seen, const struct ps_finding *f)
{
	buf_puts(b, "{\"ruleId\":");
	jw_str_seen(b, seen, f->rule->id);
	jw_key(b, "severity");
	jw_str_seen(b, seen, ps_severity_names[f->severity]);
	jw_key_str(b, "message", f->message);
	jw_key_int(b, "line", (int)f->line);
	jw_key_int(b, "column", (int)f->column);
	jw_key_int(b, "endLine", (int)f->end_line);
	jw_key_int(b, "endColumn", (int)f->end_column);
	jw_key_str(b, "extent", f->extent);
	jw_key(b, "suggestion");
	jw_str_seen(b, seen, f->suggestion);
	if (f->rule->docs_url != NULL) {
		jw_key(b, "docsUrl");
		jw_str_seen(b, seen, f->rule->docs_url);
	}
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

/* The strings of an array being deduplicated, as the tree held them (ps_json_string_len:
 * invalid UTF-8 repaired), so that a comparison with the next candidate gives what the
 * tree's json_object_get_string gave. */
#define JW_SET_MAX	50
struct jw_set {
	const char	*v[JW_SET_MAX];
	size_t		 len[JW_SET_MAX];
	char		*own[JW_SET_MAX];
	size_t		 n;
};

/* adds s (n bytes); copy: s does not outlive the set */
static void
jw_set_add(struct jw_set *set, const char *s, size_t n, bool copy)
{
	struct buf r = BUF_INIT;
	size_t i = set->n++;

	if (s == NULL) {
		s = "";
		n = 0;
	}
	set->own[i] = NULL;
	if (!utf8_valid(s, n)) {
		utf8_repair(&r, s, n);
		n = r.len;
		set->own[i] = buf_detach(&r);
	} else if (copy)
		set->own[i] = xstrndup(s, n);
	set->v[i] = set->own[i] != NULL ? set->own[i] : s;
	set->len[i] = n;
}

static bool
jw_set_has(const struct jw_set *set, const char *s, bool nocase)
{
	for (size_t i = 0; i < set->n; i++)
		if ((nocase ? strcasecmp(set->v[i], s) : strcmp(set->v[i], s)) == 0)
			return true;
	return false;
}

/* writes the set as an array of strings and empties it */
static void
jw_set_write(struct buf *b, struct jw_set *set)
{
	buf_putc(b, '[');
	for (size_t i = 0; i < set->n; i++) {
		if (i > 0)
			buf_putc(b, ',');
		jw_str(b, set->v[i], set->len[i]);
		free(set->own[i]);
	}
	buf_putc(b, ']');
	set->n = 0;
}

/* the set as a json-c array of strings; the set is emptied */
static struct json_object *
jw_set_to_json(struct jw_set *set)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < set->n; i++) {
		json_object_array_add(arr, jstrn(set->v[i], set->len[i]));
		free(set->own[i]);
	}
	set->n = 0;
	return arr;
}

/* ---- what both forms list (the choices made once, for the tree and the text) ---- */

/* Suggestions: one per rule that fired, worst severity first, at most 25. */
static void
suggestions_collect(const struct ps_analysis *a, struct jw_set *out)
{
	const struct ps_analysis_priv *p = a->priv;

	out->n = 0;
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
			for (size_t k = 0; k < out->n && first; k++) {
				const char *have = out->v[k];
				size_t sl = f->suggestion ? strlen(f->suggestion) : 0;

				if (sl > 0 && strncmp(have, f->suggestion, sl) == 0 && have[sl] == ' ' &&
				    have[sl + 1] == '(')
					first = false;
			}
			if (!first || out->n >= 25)
				continue;
			snprintf(line, sizeof(line), "%s (%s, line %u)", f->suggestion,
			    f->rule->id, f->line);
			jw_set_add(out, line, strlen(line), true);
		}
	}
	if (p->ast->help == NULL && p->ast->functions.n == 0 && p->code_lines > 20 && out->n < 25) {
		static const char help[] = "Add comment-based help (.SYNOPSIS, .DESCRIPTION, "
		    ".EXAMPLE) at the top of the script.";

		jw_set_add(out, help, sizeof(help) - 1, false);
	}
	if (p->min_version_major >= 7 && out->n < 25) {
		bool declared = false;

		for (size_t i = 0; i < p->ast->nrequires; i++)
			if (strcasecmp(p->ast->requires[i].key, "Version") == 0)
				declared = true;
		if (!declared) {
			static const char req[] = "Declare '#Requires -Version 7.0': the script uses "
			    "PowerShell 7 features.";

			jw_set_add(out, req, sizeof(req) - 1, false);
		}
	}
}

/* The distinct commands shown (at most 300), each with its uses chained in order. */
struct cmd_chain {
	const struct ps_cmd_group *g;
	size_t	 n;		/* groups shown */
	size_t	*head;		/* per group: its first use, SIZE_MAX for none */
	size_t	*next;		/* per use: the group's next use, SIZE_MAX at the end */
};

static void
cmd_chain_build(const struct ps_analysis_priv *p, struct cmd_chain *c)
{
	const size_t *gof;
	size_t ng = ps_cmd_groups(p, &c->g, &gof), *tail;

	c->n = ng < 300 ? ng : 300;
	c->head = xcalloc(c->n + 1, sizeof(*c->head));
	c->next = xcalloc(p->ncmds + 1, sizeof(*c->next));
	tail = xcalloc(c->n + 1, sizeof(*tail));
	for (size_t i = 0; i < c->n; i++)
		c->head[i] = SIZE_MAX;
	for (size_t k = 0; k < p->ncmds; k++) {
		size_t gi = gof[k];

		c->next[k] = SIZE_MAX;
		if (gi >= c->n)
			continue;
		if (c->head[gi] == SIZE_MAX)
			c->head[gi] = k;
		else
			c->next[tail[gi]] = k;
		tail[gi] = k;
	}
	free(tail);
}

static void
cmd_chain_free(struct cmd_chain *c)
{
	free(c->head);
	free(c->next);
}

/* One command's uses: the first 20 lines, the distinct aliases (10) and parameters (40). */
struct cmd_uses {
	unsigned	 lines[20];
	size_t		 nlines;
	struct jw_set	 aliases, params;
};

static void
cmd_uses_collect(const struct ps_analysis_priv *p, const struct cmd_chain *c, size_t gi,
    struct cmd_uses *u)
{
	u->nlines = u->aliases.n = u->params.n = 0;
	for (size_t k = c->head[gi]; k != SIZE_MAX; k = c->next[k]) {
		const struct ps_cmd *q = &p->cmds[k];

		if (u->nlines < 20)
			u->lines[u->nlines++] = q->node->ext.line;
		if (q->alias != NULL && u->aliases.n < 10 && !jw_set_has(&u->aliases, q->name, true))
			jw_set_add(&u->aliases, q->name, strlen(q->name), false);
		for (size_t a = 0; a < q->node->u.cmd.nargs; a++) {
			const char *an = q->node->u.cmd.args[a].name;
			const struct ps_param_info *pi;

			if (an == NULL || u->params.n >= 40)
				continue;
			pi = q->ci ? ps_catalog_param(q->ci, an, strlen(an)) : NULL;
			if (pi != NULL)
				an = pi->name;
			if (!jw_set_has(&u->params, an, true))
				jw_set_add(&u->params, an, strlen(an), false);
		}
	}
}

static const char *
cmd_type(const struct ps_cmd *pc)
{
	return pc->ci != NULL ? "cmdlet" : pc->local_function ? "function" :
	    pc->name == NULL ? "dynamic" : "external";
}

/* The distinct literal URLs the script names (at most 50). */
static void
urls_collect(const struct ps_analysis_priv *p, struct jw_set *urls)
{
	const struct ps_ast *ast = p->ast;

	urls->n = 0;
	for (size_t i = 0; i < ast->strings.n && urls->n < 50; i++) {
		const char *v = ast->strings.v[i]->u.str.value;
		size_t n = ast->strings.v[i]->u.str.len;

		if (v == NULL || n < 8 || n > 2048)
			continue;
		if ((strncasecmp(v, "http://", 7) == 0 || strncasecmp(v, "https://", 8) == 0 ||
		    strncasecmp(v, "ftp://", 6) == 0) && !jw_set_has(urls, v, false))
			jw_set_add(urls, v, n, false);
	}
}

/* The distinct commands run that are neither cmdlets nor the script's functions (50). */
static void
other_commands_collect(const struct ps_analysis_priv *p, struct jw_set *ext)
{
	ext->n = 0;
	for (size_t i = 0; i < p->ncmds && ext->n < 50; i++) {
		const struct ps_cmd *pc = &p->cmds[i];

		if (pc->ci != NULL || pc->local_function || pc->name == NULL ||
		    pc->node->u.cmd.invocation != 0)
			continue;
		if (!jw_set_has(ext, pc->name, true))
			jw_set_add(ext, pc->name, strlen(pc->name), false);
	}
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

/* The most bytes of a parameter's description shown (its .PARAMETER help, cut on a character):
 * parameters of one name share theirs, so the list of them would repeat a long one. */
#define PARAM_TEXT_MAX	2000

/* the .PARAMETER text of name in h and, in *len, its length as shown; NULL when none */
static const char *
help_param_text(const struct ps_help *h, const char *name, size_t *len)
{
	if (h == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < h->nparams; i++)
		if (h->params[i].name != NULL && strcasecmp(h->params[i].name, name) == 0) {
			const char *t = h->params[i].text;

			*len = utf8_cut(t, strlen(t), PARAM_TEXT_MAX);
			return t;
		}
	return NULL;
}

static struct json_object *
param_json(const struct ps_analysis_priv *p, const struct ps_node *pn, const struct ps_help *h)
{
	struct json_object *o = json_object_new_object(), *attrs = json_object_new_array();
	size_t dn = 0;
	const char *desc = help_param_text(h, pn->u.param.name, &dn);
	const struct ps_node *vs = ps_attr_find(&pn->u.param.attributes, "ValidateSet");

	add(o, "name", jstr(pn->u.param.name));
	add(o, "type", pn->u.param.type ? jstr(pn->u.param.type) : NULL);
	add(o, "mandatory", json_object_new_boolean(pn->u.param.mandatory));
	if (pn->u.param.default_value != NULL) {
		size_t n;
		const char *t = ps_node_text(p->ast, pn->u.param.default_value, &n);

		add(o, "defaultValue", jstrn(t, utf8_cut(t, n, 200)));
	} else {
		add(o, "defaultValue", NULL);
	}
	add(o, "description", desc ? jstrn(desc, dn) : NULL);
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

/* The parameters shown: the functions (at most PARAM_FUNCTIONS_MAX, in order), and at most
 * PARAMS_BLOCK_MAX of one block and PARAMS_MAX in all (the script's block first): a param of a
 * few bytes of input is a hundred of JSON, so an unbounded list would multiply the input. */
#define PARAM_FUNCTIONS_MAX	500
#define PARAMS_BLOCK_MAX	256
#define PARAMS_MAX		2000

/* how many of a block's n parameters to show, *left of PARAMS_MAX still to give out */
static size_t
params_shown(size_t n, size_t *left)
{
	size_t k = n < PARAMS_BLOCK_MAX ? n : PARAMS_BLOCK_MAX;

	if (k > *left)
		k = *left;
	*left -= k;
	return k;
}

static struct json_object *
params_json(const struct ps_analysis_priv *p)
{
	struct json_object *o = json_object_new_object(), *script = json_object_new_array(),
	    *fns = json_object_new_array();
	const struct ps_ast *ast = p->ast;
	const struct ps_node *pb = ast->root->u.sb.param_block;
	size_t left = PARAMS_MAX;

	if (pb != NULL)
		for (size_t i = 0, k = params_shown(pb->u.pb.params.n, &left); i < k; i++)
			json_object_array_add(script, param_json(p, pb->u.pb.params.v[i], ast->help));
	for (size_t i = 0; i < ast->functions.n && i < PARAM_FUNCTIONS_MAX; i++) {
		const struct ps_node *fn = ast->functions.v[i];
		struct json_object *f = json_object_new_object(), *ps = json_object_new_array();

		add(f, "name", jstr(fn->u.fn.name));
		add(f, "synopsis", fn->u.fn.help && fn->u.fn.help->synopsis ?
		    jstr(fn->u.fn.help->synopsis) : NULL);
		add(f, "line", json_object_new_int((int)fn->ext.line));
		add(f, "cmdletBinding", json_object_new_boolean(fn->u.fn.cmdletbinding));
		add(f, "supportsShouldProcess",
		    json_object_new_boolean(fn->u.fn.supports_should_process));
		for (size_t k = 0, m = params_shown(fn->u.fn.params.n, &left); k < m; k++)
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
	struct cmd_chain c;
	struct cmd_uses u;

	cmd_chain_build(p, &c);
	for (size_t i = 0; i < c.n; i++) {
		const struct ps_cmd *pc = &p->cmds[c.g[i].first];
		struct json_object *o = json_object_new_object(), *lines = json_object_new_array();

		add(o, "name", jstr(pc->canon));
		add(o, "type", jstr(cmd_type(pc)));
		if (pc->ci != NULL) {
			add(o, "module", jstr(pc->ci->module));
			add(o, "synopsis", jstr(pc->ci->synopsis));
			add(o, "docsUrl", jstr(pc->ci->url));
			add(o, "availability", jstr(avail_name(pc->ci->avail)));
		}
		add(o, "count", json_object_new_int((int)c.g[i].count));
		cmd_uses_collect(p, &c, i, &u);
		for (size_t k = 0; k < u.nlines; k++)
			json_object_array_add(lines, json_object_new_int((int)u.lines[k]));
		add(o, "lines", lines);
		add(o, "aliasesUsed", jw_set_to_json(&u.aliases));
		add(o, "parametersUsed", jw_set_to_json(&u.params));
		json_object_array_add(arr, o);
	}
	cmd_chain_free(&c);
	return arr;
}

/* url_seen: url is one of urls[0..n): the same address first (a cmdlet's commands share their
 * catalog entry's url), then the same text */
static bool
url_seen(const char *const *urls, size_t n, const char *url)
{
	for (size_t i = 0; i < n; i++)
		if (urls[i] == url)
			return true;
	for (size_t i = 0; i < n; i++)
		if (strcmp(urls[i], url) == 0)
			return true;
	return false;
}

/* The references: one per distinct url (urls, *n of them, is what is already in arr). */
static void
add_ref(struct json_object *arr, const char **urls, size_t *n, const char *title, const char *url,
    const char *type)
{
	struct json_object *o;

	if (url_seen(urls, *n, url))
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

/* Suggestions: suggestions_collect's. */
static struct json_object *
suggestions_json(const struct ps_analysis *a)
{
	struct jw_set out;

	suggestions_collect(a, &out);
	return jw_set_to_json(&out);
}

/* the largest and summed complexity of the functions, the longest pipeline */
static void
function_counts(const struct ps_ast *ast, unsigned *maxfn, unsigned *sumfn, size_t *maxpipe)
{
	*maxfn = *sumfn = 0;
	*maxpipe = 0;
	for (size_t i = 0; i < ast->functions.n; i++) {
		unsigned cc = ast->functions.v[i]->u.fn.cx.cyclomatic;

		*sumfn += cc;
		if (cc > *maxfn)
			*maxfn = cc;
	}
	for (size_t i = 0; i < ast->pipelines.n; i++)
		if (ast->pipelines.v[i]->u.pipe.elems.n > *maxpipe)
			*maxpipe = ast->pipelines.v[i]->u.pipe.elems.n;
}

static struct json_object *
metrics_json(const struct ps_analysis *a)
{
	const struct ps_analysis_priv *p = a->priv;
	const struct ps_ast *ast = p->ast;
	const struct ps_complexity *cx = &ast->cx;
	struct json_object *o = json_object_new_object(), *d = json_object_new_object();
	unsigned maxfn, sumfn;
	size_t maxpipe, distinct = 0;
	char ratio[16];
	double cr;

	function_counts(ast, &maxfn, &sumfn, &maxpipe);
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
targets_json(const struct ps_analysis_priv *p, struct json_object *hosts, struct json_object **urls)
{
	struct jw_set u;

	for (size_t i = 0; i < p->ncmds && json_object_array_length(hosts) < 50; i++) {
		const struct ps_cmd_arg *a = ps_cmd_arg_find(p->cmds[i].node, "ComputerName");
		const char *v;

		if (a == NULL || a->value == NULL || (v = ps_node_const_string(a->value)) == NULL)
			continue;
		json_object_array_add(hosts, jstr(v));
	}
	urls_collect(p, &u);
	*urls = jw_set_to_json(&u);
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
	    *evidence = json_object_new_object(), *hosts = json_object_new_array(), *urls,
	    *counts = json_object_new_object();
	struct jw_set ext;
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
	targets_json(p, hosts, &urls);
	add(o, "hosts", hosts);
	add(o, "urls", urls);
	other_commands_collect(p, &ext);
	add(o, "otherCommands", jw_set_to_json(&ext));
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
	add(o, "securityIssues", findings_json(a, PS_CAT_SECURITY));
	add(o, "bestPracticeViolations", findings_json(a, PS_CAT_BEST_PRACTICE));
	add(o, "performanceInsights", findings_json(a, PS_CAT_PERFORMANCE));
	add(o, "potentialRisks", findings_json(a, PS_CAT_RISK));
	add(o, "codeComplexityMetrics", metrics_json(a));
	add(o, "compatibilityNotes", compat_json(p));
	add(o, "executionSummary", summary_json(a));
	add(o, "analysisVersion", jstr(PS_ANALYZER_VERSION));
	add(o, "provider", jstr(PS_ANALYZER_PROVIDER));
	return o;
}

/* ---- the analysis object written as text (ps_analysis_write_json) ----
 * Each writer below is the json-c builder above it written out: the same members in the same
 * order, the same values, the same bytes as json-c's JSON_C_TO_STRING_PLAIN |
 * JSON_C_TO_STRING_NOSLASHESCAPE (test-analyzer-pssa compares them on every file of
 * tests/data/pssa). Keep the two in step. */

static void
jw_key_strn(struct buf *b, const char *key, const char *s, size_t n)
{
	jw_key(b, key);
	jw_str(b, s, n);
}

/* a string, or null when s is NULL (the builders' "s ? jstr(s) : NULL") */
static void
jw_key_str_or_null(struct buf *b, const char *key, const char *s)
{
	if (s != NULL)
		jw_key_str(b, key, s);
	else {
		jw_key(b, key);
		buf_puts(b, "null");
	}
}

static void
jw_key_bool(struct buf *b, const char *key, bool v)
{
	jw_key(b, key);
	buf_puts(b, v ? "true" : "false");
}

/* a number with its text given (json_object_new_double_s) */
static void
jw_key_raw(struct buf *b, const char *key, const char *txt)
{
	jw_key(b, key);
	buf_puts(b, txt);
}

static void
jw_key_num2(struct buf *b, const char *key, double v)
{
	char t[32];

	snprintf(t, sizeof(t), "%.2f", v);
	jw_key_raw(b, key, t);
}

static void
param_write(struct buf *b, const struct ps_analysis_priv *p, const struct ps_node *pn,
    const struct ps_help *h)
{
	const struct ps_node *vs = ps_attr_find(&pn->u.param.attributes, "ValidateSet");
	const char *desc;
	size_t n = 0, dn;

	buf_puts(b, "{\"name\":");
	jw_str(b, pn->u.param.name, pn->u.param.name != NULL ? strlen(pn->u.param.name) : 0);
	jw_key_str_or_null(b, "type", pn->u.param.type);
	jw_key_bool(b, "mandatory", pn->u.param.mandatory);
	if (pn->u.param.default_value != NULL) {
		size_t tn;
		const char *t = ps_node_text(p->ast, pn->u.param.default_value, &tn);

		jw_key_strn(b, "defaultValue", t, utf8_cut(t, tn, 200));
	} else
		jw_key_str_or_null(b, "defaultValue", NULL);
	if ((desc = help_param_text(h, pn->u.param.name, &dn)) != NULL)
		jw_key_strn(b, "description", desc, dn);
	else
		jw_key_str_or_null(b, "description", NULL);
	buf_puts(b, ",\"attributes\":[");
	for (size_t i = 0; i < pn->u.param.attributes.n; i++) {
		const struct ps_node *a = pn->u.param.attributes.v[i];

		if (a->kind == PS_NODE_ATTRIBUTE && a->u.attr.name != NULL) {
			if (n++ > 0)
				buf_putc(b, ',');
			jw_str(b, a->u.attr.name, strlen(a->u.attr.name));
		}
	}
	buf_putc(b, ']');
	if (vs != NULL) {
		buf_puts(b, ",\"validValues\":[");
		n = 0;
		for (size_t i = 0; i < vs->u.attr.positional.n; i++) {
			const char *s = ps_node_const_string(vs->u.attr.positional.v[i]);

			if (s != NULL) {
				if (n++ > 0)
					buf_putc(b, ',');
				jw_str(b, s, strlen(s));
			}
		}
		buf_putc(b, ']');
	}
	jw_key_int(b, "line", (int)pn->ext.line);
	buf_putc(b, '}');
}

static void
params_write(struct buf *b, const struct ps_analysis_priv *p)
{
	const struct ps_ast *ast = p->ast;
	const struct ps_node *pb = ast->root->u.sb.param_block;
	size_t left = PARAMS_MAX;

	buf_puts(b, "{\"script\":[");
	if (pb != NULL)
		for (size_t i = 0, k = params_shown(pb->u.pb.params.n, &left); i < k; i++) {
			if (i > 0)
				buf_putc(b, ',');
			param_write(b, p, pb->u.pb.params.v[i], ast->help);
		}
	buf_puts(b, "],\"functions\":[");
	for (size_t i = 0; i < ast->functions.n && i < PARAM_FUNCTIONS_MAX; i++) {
		const struct ps_node *fn = ast->functions.v[i];

		if (i > 0)
			buf_putc(b, ',');
		buf_puts(b, "{\"name\":");
		jw_str(b, fn->u.fn.name, fn->u.fn.name != NULL ? strlen(fn->u.fn.name) : 0);
		jw_key_str_or_null(b, "synopsis", fn->u.fn.help ? fn->u.fn.help->synopsis : NULL);
		jw_key_int(b, "line", (int)fn->ext.line);
		jw_key_bool(b, "cmdletBinding", fn->u.fn.cmdletbinding);
		jw_key_bool(b, "supportsShouldProcess", fn->u.fn.supports_should_process);
		buf_puts(b, ",\"parameters\":[");
		for (size_t k = 0, m = params_shown(fn->u.fn.params.n, &left); k < m; k++) {
			if (k > 0)
				buf_putc(b, ',');
			param_write(b, p, fn->u.fn.params.v[k], fn->u.fn.help);
		}
		buf_puts(b, "]}");
	}
	buf_puts(b, "]}");
}

static void
commands_write(struct buf *b, const struct ps_analysis_priv *p)
{
	struct cmd_chain c;
	struct cmd_uses u;

	cmd_chain_build(p, &c);
	buf_putc(b, '[');
	for (size_t i = 0; i < c.n; i++) {
		const struct ps_cmd *pc = &p->cmds[c.g[i].first];

		if (i > 0)
			buf_putc(b, ',');
		buf_puts(b, "{\"name\":");
		jw_str(b, pc->canon, pc->canon != NULL ? strlen(pc->canon) : 0);
		jw_key_str(b, "type", cmd_type(pc));
		if (pc->ci != NULL) {
			jw_key_str(b, "module", pc->ci->module);
			jw_key_str(b, "synopsis", pc->ci->synopsis);
			jw_key_str(b, "docsUrl", pc->ci->url);
			jw_key_str(b, "availability", avail_name(pc->ci->avail));
		}
		jw_key_int(b, "count", (int)c.g[i].count);
		cmd_uses_collect(p, &c, i, &u);
		buf_puts(b, ",\"lines\":[");
		for (size_t k = 0; k < u.nlines; k++) {
			if (k > 0)
				buf_putc(b, ',');
			jw_int(b, (int)u.lines[k]);
		}
		buf_puts(b, "],\"aliasesUsed\":");
		jw_set_write(b, &u.aliases);
		buf_puts(b, ",\"parametersUsed\":");
		jw_set_write(b, &u.params);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	cmd_chain_free(&c);
}

static void
ref_write(struct buf *b, const char **urls, size_t *n, const char *title, const char *url,
    const char *type)
{
	if (url_seen(urls, *n, url))
		return;
	if ((*n)++ > 0)
		buf_putc(b, ',');
	urls[*n - 1] = url;
	buf_puts(b, "{\"title\":");
	jw_str(b, title, title != NULL ? strlen(title) : 0);
	jw_key_str(b, "url", url);
	jw_key_str(b, "type", type);
	buf_putc(b, '}');
}

static void
refs_write(struct buf *b, const struct ps_analysis *a)
{
	const struct ps_analysis_priv *p = a->priv;
	const char *urls[150];
	size_t n = 0;

	buf_putc(b, '[');
	for (size_t i = 0; i < p->ncmds && n < 100; i++)
		if (p->cmds[i].ci != NULL)
			ref_write(b, urls, &n, p->cmds[i].ci->name, p->cmds[i].ci->url, "cmdlet");
	for (size_t i = 0; i < a->nfindings && n < 150; i++)
		if (a->findings[i].rule->docs_url != NULL)
			ref_write(b, urls, &n, a->findings[i].rule->id, a->findings[i].rule->docs_url,
			    "rule");
	buf_putc(b, ']');
}

static void
findings_write(struct buf *b, struct jw_seen *seen, const struct ps_analysis *a,
    enum ps_category cat)
{
	size_t n = 0;

	buf_putc(b, '[');
	for (size_t i = 0; i < a->nfindings; i++)
		if (a->findings[i].rule->category == cat) {
			if (n++ > 0)
				buf_putc(b, ',');
			finding_write(b, seen, &a->findings[i]);
		}
	buf_putc(b, ']');
}

static void
suggestions_write(struct buf *b, const struct ps_analysis *a)
{
	struct jw_set out;

	suggestions_collect(a, &out);
	jw_set_write(b, &out);
}

static void
metrics_write(struct buf *b, const struct ps_analysis *a)
{
	const struct ps_analysis_priv *p = a->priv;
	const struct ps_ast *ast = p->ast;
	const struct ps_complexity *cx = &ast->cx;
	const struct ps_cmd_group *g;
	unsigned maxfn, sumfn;
	size_t maxpipe, distinct = ps_cmd_groups(p, &g, NULL);
	char t[16];

	function_counts(ast, &maxfn, &sumfn, &maxpipe);
	buf_puts(b, "{\"lines\":");
	jw_int(b, (int)a->nlines);
	jw_key_int(b, "codeLines", (int)p->code_lines);
	jw_key_int(b, "commentLines", (int)p->comment_lines);
	jw_key_int(b, "blankLines", (int)p->blank_lines);
	snprintf(t, sizeof(t), "%.2f", a->nlines ? (double)p->comment_lines / (double)a->nlines : 0);
	jw_key_raw(b, "commentRatio", t);
	jw_key_int(b, "characters", (int64_t)p->len);
	jw_key_int(b, "tokens", (int64_t)a->ntokens);
	jw_key_int(b, "functions", (int)ast->functions.n);
	jw_key_int(b, "classes", (int)ast->classes.n);
	jw_key_int(b, "commands", (int)p->ncmds);
	jw_key_int(b, "distinctCommands", (int)distinct);
	jw_key_int(b, "pipelines", (int)ast->pipelines.n);
	jw_key_int(b, "maxPipelineLength", (int)maxpipe);
	jw_key_int(b, "cyclomaticComplexity", (int)cx->cyclomatic);
	jw_key_int(b, "maxNestingDepth", (int)cx->max_nesting);
	jw_key_int(b, "maxFunctionComplexity", (int)maxfn);
	if (ast->functions.n > 0) {
		snprintf(t, sizeof(t), "%.1f", (double)sumfn / (double)ast->functions.n);
		jw_key_raw(b, "averageFunctionComplexity", t);
	} else
		jw_key_int(b, "averageFunctionComplexity", 0);
	buf_puts(b, ",\"decisionPoints\":{\"if\":");
	jw_int(b, (int)(cx->ifs + cx->elseifs));
	jw_key_int(b, "switchClauses", (int)cx->switch_clauses);
	jw_key_int(b, "loops", (int)(cx->fors + cx->foreachs + cx->whiles + cx->dos));
	jw_key_int(b, "catch", (int)(cx->catches + cx->traps));
	jw_key_int(b, "logicalOperators", (int)(cx->ands + cx->ors));
	jw_key_int(b, "ternary", (int)(cx->ternaries + cx->coalesces));
	buf_putc(b, '}');
	jw_key_int(b, "statements", (int)cx->statements);
	jw_key_int(b, "parseErrors", (int)ast->ndiags);
	jw_key_int(b, "tokenErrors", (int)ast->toks.nerrors);
	buf_putc(b, '}');
}

static void
compat_write(struct buf *b, const struct ps_analysis_priv *p)
{
	buf_putc(b, '[');
	for (size_t i = 0; i < p->ncompat; i++) {
		if (i > 0)
			buf_putc(b, ',');
		buf_puts(b, "{\"feature\":");
		jw_str(b, p->compat[i].feature,
		    p->compat[i].feature != NULL ? strlen(p->compat[i].feature) : 0);
		jw_key_str(b, "requires", p->compat[i].requires);
		jw_key_str(b, "message", p->compat[i].message);
		jw_key_int(b, "line", (int)p->compat[i].line);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

/* targets_json's hosts and urls arrays, as members of the summary */
static void
targets_write(struct buf *b, const struct ps_analysis_priv *p)
{
	struct jw_set urls;
	size_t nhosts = 0;

	buf_puts(b, ",\"hosts\":[");
	for (size_t i = 0; i < p->ncmds && nhosts < 50; i++) {
		const struct ps_cmd_arg *a = ps_cmd_arg_find(p->cmds[i].node, "ComputerName");
		const char *v;

		if (a == NULL || a->value == NULL || (v = ps_node_const_string(a->value)) == NULL)
			continue;
		if (nhosts++ > 0)
			buf_putc(b, ',');
		jw_str(b, v, strlen(v));
	}
	urls_collect(p, &urls);
	buf_puts(b, "],\"urls\":");
	jw_set_write(b, &urls);
}

/* the rules' points of the security rules (security) or of the others, in the table's order */
static void
score_rules_write(struct buf *b, const struct ps_analysis_priv *p, bool security)
{
	size_t n = 0;

	buf_putc(b, '[');
	for (size_t r = 0; r < R__MAX; r++) {
		if (p->score.rule_points[r] <= 0 ||
		    (ps_rule_table[r].category == PS_CAT_SECURITY) != security)
			continue;
		if (n++ > 0)
			buf_putc(b, ',');
		buf_puts(b, "{\"ruleId\":");
		jw_str(b, ps_rule_table[r].id, strlen(ps_rule_table[r].id));
		jw_key_num2(b, "points", p->score.rule_points[r]);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

static void
score_details_write(struct buf *b, const struct ps_analysis *a)
{
	const struct ps_analysis_priv *p = a->priv;

	buf_puts(b, "{\"security\":{\"formula\":\"max(0, 10 - S)\"");
	jw_key_num2(b, "S", p->score.security_points);
	buf_puts(b, ",\"rules\":");
	score_rules_write(b, p, true);
	buf_puts(b, "},\"risk\":{\"formula\":\"10 * (1 - exp(-R / 6))\"");
	jw_key_num2(b, "R", p->score.risk_points);
	jw_key_num2(b, "fromSecurityRules", p->score.security_points);
	jw_key_num2(b, "fromRiskRules", p->score.risk_from_rules);
	buf_puts(b, ",\"riskRules\":");
	score_rules_write(b, p, false);
	jw_key_num2(b, "fromCapabilities", p->score.risk_from_caps);
	jw_key_num2(b, "fromElevation", p->score.risk_from_elevation);
	buf_puts(b, "},\"quality\":{\"formula\":\"10 / (1 + P / (4 * A))\"");
	jw_key_num2(b, "P", p->score.quality_points);
	jw_key_num2(b, "A", p->score.allowance);
	jw_key_num2(b, "fromFindings", p->score.quality_from_findings);
	jw_key_num2(b, "fromComplexity", p->score.quality_from_complexity);
	jw_key_num2(b, "fromSyntaxErrors", p->score.quality_from_syntax);
	buf_puts(b, "}}");
}

static void
summary_write(struct buf *b, const struct ps_analysis *a)
{
	static const char *const kinds[PS_IMPORT__MAX] = { "module", "usingModule",
		"dotSource", "usingAssembly", "requiresModule", "addType" };
	const struct ps_analysis_priv *p = a->priv;
	const struct ps_ast *ast = p->ast;
	unsigned sev[PS_SEV__MAX] = { 0, 0, 0 };
	unsigned caps = a->capabilities;
	struct jw_set ext;
	size_t n = 0;
	char ver[16];

	buf_puts(b, "{\"touches\":{");
	for (size_t k = 0; k < PS_CAP__MAX; k++) {
		if (k > 0)
			buf_putc(b, ',');
		jw_str(b, ps_capability_names[k], strlen(ps_capability_names[k]));
		buf_puts(b, (caps >> k) & 1 ? ":true" : ":false");
	}
	buf_putc(b, '}');
	jw_key_bool(b, "files", (caps & ((1u << PS_CAP_FILES_READ) | (1u << PS_CAP_FILES_WRITE) |
	    (1u << PS_CAP_FILES_DELETE))) != 0);
	jw_key_bool(b, "registry", (caps & ((1u << PS_CAP_REGISTRY_READ) |
	    (1u << PS_CAP_REGISTRY_WRITE))) != 0);
	jw_key_bool(b, "network", (caps >> PS_CAP_NETWORK) & 1);
	jw_key_bool(b, "processes", (caps >> PS_CAP_PROCESSES) & 1);
	jw_key_bool(b, "services", (caps >> PS_CAP_SERVICES) & 1);
	jw_key_bool(b, "users", (caps >> PS_CAP_USERS) & 1);
	jw_key_bool(b, "remoteHosts", (caps >> PS_CAP_REMOTE) & 1);
	buf_puts(b, ",\"evidence\":{");
	for (size_t k = 0; k < PS_CAP__MAX; k++)
		if (p->cap_evidence[k] != NULL) {
			char ev[200];

			if (n++ > 0)
				buf_putc(b, ',');
			jw_str(b, ps_capability_names[k], strlen(ps_capability_names[k]));
			buf_putc(b, ':');
			snprintf(ev, sizeof(ev), "%s (line %u)", p->cap_evidence[k], p->cap_line[k]);
			jw_str(b, ev, strlen(ev));
		}
	buf_putc(b, '}');
	jw_key_bool(b, "needsElevation", a->needs_elevation);
	jw_key_str_or_null(b, "elevationReason", p->elevation_reason);
	targets_write(b, p);
	other_commands_collect(p, &ext);
	buf_puts(b, ",\"otherCommands\":");
	jw_set_write(b, &ext);
	buf_puts(b, ",\"imports\":[");
	for (size_t i = 0; i < ast->nimports && i < 100; i++) {
		const struct ps_import *x = &ast->imports[i];

		if (i > 0)
			buf_putc(b, ',');
		buf_puts(b, "{\"kind\":");
		jw_str(b, x->kind < PS_IMPORT__MAX ? kinds[x->kind] : "unknown",
		    strlen(x->kind < PS_IMPORT__MAX ? kinds[x->kind] : "unknown"));
		jw_key_str_or_null(b, "name", x->name);
		jw_key_int(b, "line", (int)x->ext.line);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	snprintf(ver, sizeof(ver), "%u.%u", p->min_version_major, p->min_version_minor);
	jw_key_str(b, "minimumPowerShellVersion", ver);
	jw_key_bool(b, "windowsPowerShellOnly", p->windows_only);
	for (size_t i = 0; i < a->nfindings; i++)
		sev[a->findings[i].severity]++;
	buf_puts(b, ",\"findings\":{");
	for (int s = PS_SEV__MAX - 1; s >= 0; s--) {
		if (s < PS_SEV__MAX - 1)
			buf_putc(b, ',');
		jw_str(b, ps_severity_names[s], strlen(ps_severity_names[s]));
		buf_putc(b, ':');
		jw_int(b, (int)sev[s]);
	}
	buf_putc(b, '}');
	if (p->dropped > 0)
		jw_key_int(b, "findingsNotListed", (int)p->dropped);
	if (a->nsuppressed > 0)
		jw_key_int(b, "findingsSuppressed", (int)a->nsuppressed);
	jw_key_str(b, "riskLevel", a->risk_score >= 8 ? "high" : a->risk_score >= 5 ? "medium" :
	    "low");
	buf_puts(b, ",\"scoreDetails\":");
	score_details_write(b, a);
	buf_putc(b, '}');
}

void
ps_analysis_write_json(const struct ps_analysis *a, struct buf *b)
{
	const struct ps_analysis_priv *p = a->priv;
	struct jw_seen seen = { .s = { NULL } };
	char t[16];

	buf_grow(b, 4096 + a->nfindings * 400);
	buf_puts(b, "{\"purpose\":");
	jw_str(b, a->purpose, a->purpose != NULL ? strlen(a->purpose) : 0);
	snprintf(t, sizeof(t), "%.1f", a->security_score);
	jw_key_raw(b, "securityScore", t);
	snprintf(t, sizeof(t), "%.1f", a->quality_score);
	jw_key_raw(b, "codeQualityScore", t);
	snprintf(t, sizeof(t), "%.1f", a->risk_score);
	jw_key_raw(b, "riskScore", t);
	buf_puts(b, ",\"parameters\":");
	params_write(b, p);
	buf_puts(b, ",\"suggestions\":");
	suggestions_write(b, a);
	buf_puts(b, ",\"commandDetails\":");
	commands_write(b, p);
	buf_puts(b, ",\"msDocsReferences\":");
	refs_write(b, a);
	buf_puts(b, ",\"securityIssues\":");
	findings_write(b, &seen, a, PS_CAT_SECURITY);
	buf_puts(b, ",\"bestPracticeViolations\":");
	findings_write(b, &seen, a, PS_CAT_BEST_PRACTICE);
	buf_puts(b, ",\"performanceInsights\":");
	findings_write(b, &seen, a, PS_CAT_PERFORMANCE);
	buf_puts(b, ",\"potentialRisks\":");
	findings_write(b, &seen, a, PS_CAT_RISK);
	buf_puts(b, ",\"codeComplexityMetrics\":");
	metrics_write(b, a);
	buf_puts(b, ",\"compatibilityNotes\":");
	compat_write(b, p);
	buf_puts(b, ",\"executionSummary\":");
	summary_write(b, a);
	jw_key_str(b, "analysisVersion", PS_ANALYZER_VERSION);
	jw_key_str(b, "provider", PS_ANALYZER_PROVIDER);
	buf_putc(b, '}');
}
