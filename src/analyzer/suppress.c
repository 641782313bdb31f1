#include "config.h"
/* suppress.c: SuppressMessageAttribute, as PSScriptAnalyzer reads it */

#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include "analyzer/rules.h"

/*
 * [Diagnostics.CodeAnalysis.SuppressMessageAttribute('RuleName', 'RuleSuppressionId',
 *     Scope = 'Function', Target = 'Get-*', Justification = 'why')]
 *
 * Placed before the param() of the script or of a function (or class method), on a class,
 * or on a parameter. Without Scope it covers the extent it is attached to: the whole script,
 * the function, the method, the class, the parameter. With Scope = 'Function' (or 'Class') it
 * covers every function (or class) inside that extent whose name matches Target (wildcards;
 * no Target: every one). RuleName matches rule ids case-insensitively (wildcards allowed); a
 * RuleSuppressionId, when given, must also equal the finding's subject: the variable or
 * parameter name it is about (without $; with or without its scope), or else the first word
 * of its extent (a function, command or alias name). Named arguments CheckId and MessageId
 * stand for the id, Category for the rule name, as in .NET. An attribute whose arguments are
 * not constant strings, or whose Scope is neither Function nor Class, suppresses nothing.
 * Each attribute becomes regions with a bitmap of the rules it names, so the pass over the
 * findings makes integer tests only (and compares the subject where region and rule agree).
 */

struct supp {
	const char	*rule;		/* pattern */
	const char	*id;		/* NULL: any */
	const char	*scope;		/* NULL, "function" or "class" */
	const char	*target;	/* pattern; NULL: "*" */
	const char	*justification;
	size_t		 start, end;	/* the attribute's extent (with no scope) */
};

/* SuppressMessage or SuppressMessageAttribute, optionally after System.Diagnostics.CodeAnalysis.
 * or Diagnostics.CodeAnalysis. (PSScriptAnalyzer needs `using namespace` for the short form;
 * it is accepted here without). */
static bool
is_suppress_attr(const char *name)
{
	static const char *const prefixes[] = { "", "Diagnostics.CodeAnalysis.",
		"System.Diagnostics.CodeAnalysis.", NULL };

	if (name == NULL || !ps_ci_contains(name, strlen(name), "suppressmessage"))
		return false;
	for (size_t i = 0; prefixes[i] != NULL; i++) {
		size_t n = strlen(prefixes[i]);

		if (strncasecmp(name, prefixes[i], n) == 0 &&
		    (strcasecmp(name + n, "SuppressMessage") == 0 ||
		    strcasecmp(name + n, "SuppressMessageAttribute") == 0))
			return true;
	}
	return false;
}

/* The extent an attribute covers, from where it stands; false when it stands elsewhere. */
static bool
attr_region(const struct ps_ast *ast, const struct ps_node *attr, size_t *start, size_t *end)
{
	const struct ps_node *owner = attr->parent;

	if (owner == NULL)
		return false;
	if (owner->kind == PS_NODE_PARAM_BLOCK) {
		/* the script block holding the param block, and the function around it */
		owner = owner->parent;
		if (owner != NULL && owner->kind == PS_NODE_SCRIPTBLOCK && owner->parent != NULL &&
		    (owner->parent->kind == PS_NODE_FUNCTION ||
		    owner->parent->kind == PS_NODE_METHOD_MEMBER))
			owner = owner->parent;
		if (owner == NULL)
			return false;
		if (owner == ast->root) {
			*start = 0;
			*end = SIZE_MAX;
			return true;
		}
	} else if (owner->kind == PS_NODE_FUNCTION && owner->u.fn.param_block != NULL &&
	    attr->ext.start < owner->u.fn.param_block->ext.start) {
		/* attributes the parser hung on the function itself */
	} else if (owner->kind != PS_NODE_PARAMETER && owner->kind != PS_NODE_CLASS &&
	    owner->kind != PS_NODE_METHOD_MEMBER && owner->kind != PS_NODE_FUNCTION) {
		return false;
	}
	*start = owner->ext.start;
	*end = owner->ext.end;
	return true;
}

/* Read one attribute; false when it is not a usable suppression. */
static bool
read_attr(const struct ps_ast *ast, const struct ps_node *attr, struct supp *s)
{
	const struct ps_nodes *pos = &attr->u.attr.positional, *named = &attr->u.attr.named;

	memset(s, 0, sizeof(*s));
	if (pos->n > 2 || !attr_region(ast, attr, &s->start, &s->end))
		return false;
	if (pos->n >= 1 && (s->rule = ps_node_const_string(pos->v[0])) == NULL)
		return false;
	if (pos->n == 2 && (s->id = ps_node_const_string(pos->v[1])) == NULL)
		return false;
	for (size_t i = 0; i < named->n; i++) {
		const char *k = named->v[i]->u.nattr.name,
		    *v = ps_node_const_string(named->v[i]->u.nattr.value);

		if (v == NULL)
			return false;
		if (strcasecmp(k, "Scope") == 0)
			s->scope = v;
		else if (strcasecmp(k, "Target") == 0)
			s->target = v;
		else if (strcasecmp(k, "Justification") == 0)
			s->justification = v;
		else if (strcasecmp(k, "CheckId") == 0 || strcasecmp(k, "MessageId") == 0 ||
		    strcasecmp(k, "RuleSuppressionId") == 0)
			s->id = v;
		else if (strcasecmp(k, "Category") == 0 || strcasecmp(k, "RuleName") == 0)
			s->rule = v;
	}
	if (s->rule == NULL || s->rule[0] == '\0')
		return false;
	if (s->id != NULL && s->id[0] == '\0')
		s->id = NULL;
	if (s->scope != NULL && s->scope[0] == '\0')
		s->scope = NULL;
	if (s->scope != NULL && strcasecmp(s->scope, "function") != 0 &&
	    strcasecmp(s->scope, "class") != 0)
		return false;
	if (s->target != NULL && s->target[0] == '\0')
		s->target = NULL;
	if (s->justification == NULL)
		s->justification = "";
	return true;
}

/* The finding's subject (see the comment at the top) in out; "" when none. */
static void
subject(const char *ext, char *out, size_t cap)
{
	const char *p = ext, *e;
	size_t n;

	for (;;) {	/* type constraints and attributes before a parameter */
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p != '[' || (e = strchr(p, ']')) == NULL)
			break;
		p = e + 1;
		while (*p == ']')
			p++;
	}
	if (*p == '$' || *p == '@') {
		p++;
		if (*p == '{') {
			p++;
			e = strchr(p, '}');
			if (e == NULL)
				e = p + strlen(p);
		} else {
			for (e = p; *e == ':' || *e == '_' || *e == '?' || (unsigned char)*e >= 0x80 ||
			    (*e >= '0' && *e <= '9') || ((*e | 0x20) >= 'a' && (*e | 0x20) <= 'z');
			    e++)
				;
		}
	} else {
		e = p + strcspn(p, " \t\r\n(){};,|='\"");
	}
	n = (size_t)(e - p) < cap - 1 ? (size_t)(e - p) : cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

static bool
id_matches(const char *id, const struct ps_finding *f)
{
	char subj[256];
	const char *colon;

	subject(f->extent, subj, sizeof(subj));
	if (strcasecmp(id, subj) == 0)
		return true;
	colon = strchr(subj, ':');
	return colon != NULL && strcasecmp(id, colon + 1) == 0;
}

/* The limits that keep the pass linear on hostile input (thousands of attributes and
 * functions): the first SUPP_MAX suppression attributes are read, and at most SUPP_REGIONS
 * regions (one per attribute, one per function or class a scoped one covers) are kept. */
#define SUPP_MAX	 256
#define SUPP_REGIONS	 1024

/* A region where the rules of a suppression are silenced. */
struct region {
	uint64_t	 rules[(R__MAX + 63) / 64];	/* rule indexes RuleName matches */
	const char	*id;
	const char	*justification;
	size_t		 start, end;
};

/* Add s's regions to v (n so far); returns the new count. With a scope, one region per
 * function or class inside the attribute's extent whose name matches the target. */
static size_t
add_regions(const struct ps_ast *ast, const struct supp *s, struct region *v, size_t n)
{
	struct region r;
	const struct ps_nodes *defs;
	bool cls, any = false;

	memset(&r, 0, sizeof(r));
	for (size_t k = 0; k < R__MAX; k++)
		if (fnmatch(s->rule, ps_rule_table[k].id, FNM_CASEFOLD) == 0) {
			r.rules[k / 64] |= (uint64_t)1 << (k % 64);
			any = true;
		}
	if (!any)
		return n;
	r.id = s->id;
	r.justification = s->justification;
	if (s->scope == NULL) {
		r.start = s->start;
		r.end = s->end;
		v[n++] = r;
		return n;
	}
	cls = strcasecmp(s->scope, "class") == 0;
	defs = cls ? &ast->classes : &ast->functions;
	for (size_t i = 0; i < defs->n && n < SUPP_REGIONS; i++) {
		const struct ps_node *d = defs->v[i];
		const char *name = cls ? d->u.cls.name : d->u.fn.name;

		if ((cls && d->kind != PS_NODE_CLASS) || name == NULL || d->ext.start < s->start ||
		    d->ext.end > s->end ||
		    (s->target != NULL && fnmatch(s->target, name, FNM_CASEFOLD) != 0))
			continue;
		r.start = d->ext.start;
		r.end = d->ext.end;
		v[n++] = r;
	}
	return n;
}

void
ps_suppress_apply(struct ps_ctx *c)
{
	struct ps_analysis *a = c->a;
	const struct ps_ast *ast = c->ast;
	struct region *rv = NULL;
	size_t nr = 0, nread = 0, k = 0;

	if (a->nfindings == 0 || ast->attributes.n == 0)
		return;
	for (size_t i = 0; i < ast->attributes.n && nread < SUPP_MAX && nr < SUPP_REGIONS; i++) {
		const struct ps_node *at = ast->attributes.v[i];
		struct supp s;

		if (!is_suppress_attr(at->u.attr.name) || !read_attr(ast, at, &s))
			continue;
		if (rv == NULL)
			rv = ps_ast_alloc(c->p->ast, SUPP_REGIONS * sizeof(*rv));
		nread++;
		nr = add_regions(ast, &s, rv, nr);
	}
	if (nr == 0)
		return;
	for (size_t i = 0; i < a->nfindings; i++) {
		struct ps_finding *f = &a->findings[i];
		size_t ri = (size_t)(f->rule - ps_rule_table);
		const struct region *hit = NULL;

		for (size_t j = 0; j < nr && hit == NULL; j++) {
			const struct region *r = &rv[j];

			if (((r->rules[ri / 64] >> (ri % 64)) & 1) && f->start >= r->start &&
			    f->end <= r->end && (r->id == NULL || id_matches(r->id, f)))
				hit = r;
		}
		if (hit == NULL) {
			a->findings[k++] = *f;
			continue;
		}
		f->justification = hit->justification;
		if (a->suppressed == NULL)
			a->suppressed = xmalloc(a->nfindings * sizeof(*f));
		a->suppressed[a->nsuppressed++] = *f;
	}
	a->nfindings = k;
}
