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

	if (name == NULL || !ci_contains(name, strlen(name), "suppressmessage"))
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

static bool
in_region(const struct ps_finding *f, size_t start, size_t end)
{
	return f->start >= start && f->end <= end;
}

/* Does s cover f? With a scope: some function or class inside the attribute's extent,
 * named like the target, holds f. */
static bool
covers(const struct ps_ast *ast, const struct supp *s, const struct ps_finding *f)
{
	const struct ps_nodes *defs;
	bool cls;

	if (fnmatch(s->rule, f->rule->id, FNM_CASEFOLD) != 0 || !in_region(f, s->start, s->end) ||
	    (s->id != NULL && !id_matches(s->id, f)))
		return false;
	if (s->scope == NULL)
		return true;
	cls = strcasecmp(s->scope, "class") == 0;
	defs = cls ? &ast->classes : &ast->functions;
	for (size_t i = 0; i < defs->n; i++) {
		const struct ps_node *d = defs->v[i];
		const char *name = cls ? d->u.cls.name : d->u.fn.name;

		if (cls && d->kind != PS_NODE_CLASS)
			continue;
		if (name != NULL && d->ext.start >= s->start && d->ext.end <= s->end &&
		    in_region(f, d->ext.start, d->ext.end) &&
		    (s->target == NULL || fnmatch(s->target, name, FNM_CASEFOLD) == 0))
			return true;
	}
	return false;
}

void
suppress_apply(struct ps_ctx *c)
{
	struct ps_analysis *a = c->a;
	const struct ps_ast *ast = c->ast;
	struct supp *sv = NULL;
	size_t nsv = 0, k = 0;

	if (a->nfindings == 0 || ast->attributes.n == 0)
		return;
	for (size_t i = 0; i < ast->attributes.n; i++) {
		const struct ps_node *at = ast->attributes.v[i];
		struct supp s;

		if (!is_suppress_attr(at->u.attr.name) || !read_attr(ast, at, &s))
			continue;
		if (sv == NULL)
			sv = ps_ast_alloc(c->p->ast, ast->attributes.n * sizeof(*sv));
		sv[nsv++] = s;
	}
	if (nsv == 0)
		return;
	for (size_t i = 0; i < a->nfindings; i++) {
		struct ps_finding *f = &a->findings[i];
		const struct supp *hit = NULL;

		for (size_t j = 0; j < nsv && hit == NULL; j++)
			if (covers(ast, &sv[j], f))
				hit = &sv[j];
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
