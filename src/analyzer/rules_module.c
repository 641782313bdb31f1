#include "config.h"
/* rules_module.c: PSScriptAnalyzer's rules on scopes, members, mandatory parameters, runspaces,
 * output types, module manifests, help files and DSC resources */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/rules.h"

/* PSAvoidReservedWordsAsFunctionNames: the language's reserved words (about_Reserved_Words). */
static const char *const reserved_words[] = {
	"assembly", "base", "begin", "break", "catch", "class", "command", "configuration",
	"continue", "data", "define", "do", "dynamicparam", "else", "elseif", "end", "enum", "exit",
	"filter", "finally", "for", "foreach", "from", "function", "hidden", "if", "in",
	"inlinescript", "interface", "module", "namespace", "parallel", "param", "private",
	"process", "public", "return", "sequence", "static", "switch", "throw", "trap", "try",
	"type", "until", "using", "var", "while", "workflow", NULL
};

static const char *
unscoped(const char *name, bool *global)
{
	const char *colon = strchr(name, ':');

	*global = colon != NULL && ps_ci_prefix(name, "global:");
	if (colon != NULL && (*global || ps_ci_prefix(name, "script:") ||
	    ps_ci_prefix(name, "local:") || ps_ci_prefix(name, "private:")))
		return colon + 1;
	return name;
}

static void
rule_function_names(struct ps_ctx *c)
{
	for (size_t i = 0; i < c->ast->functions.n; i++) {
		const struct ps_node *fn = c->ast->functions.v[i];
		const struct ps_extent *ne;
		const char *name;
		bool global;

		if (fn->u.fn.name == NULL)
			continue;
		ne = fn->u.fn.name_node != NULL ? &fn->u.fn.name_node->ext : &fn->ext;
		name = unscoped(fn->u.fn.name, &global);
		if (global)
			ps_rule_emit(c, R_GLOBAL_FUNCTIONS, PS_SEV__MAX, ne, NULL,
			    "The function '%s' is defined in the global scope, where it can replace a "
			    "function of the session.", name);
		if (strchr(name, '-') == NULL && ps_name_in(name, reserved_words))
			ps_rule_emit(c, R_RESERVED_WORDS, PS_SEV__MAX, ne, NULL,
			    "The function name '%s' is a reserved word.", name);
	}
}

static int
find_binary(struct ps_node *n, void *ctx)
{
	(void)ctx;
	return n->kind == PS_NODE_BINARY ? PS_WALK_STOP : PS_WALK_CONTINUE;
}

static bool
static_call(const struct ps_node *m, const char *const *types, const char *method)
{
	const struct ps_node *t = m->u.mem.target;

	return m->kind == PS_NODE_INVOKE_MEMBER && m->u.mem.is_static && m->u.mem.name != NULL &&
	    t != NULL && t->kind == PS_NODE_TYPE && ps_ci_eq(m->u.mem.name, method) &&
	    ps_name_in(t->u.type.name, types);
}

static const char *const console_types[] = { "Console", "System.Console", NULL };
static const char *const hashtable_types[] = { "hashtable", "System.Collections.Hashtable",
	"Collections.Hashtable", NULL };

/* [Console]::Write and WriteLine write to the host as Write-Host does (PSAvoidUsingWriteHost);
 * [hashtable]::new() is New-Object Hashtable (PSUseLiteralInitializerForHashtable). */
static void
member_rules(struct ps_ctx *c, const struct ps_node *m)
{
	const struct ps_node *f = m->func;

	if ((static_call(m, console_types, "WriteLine") || static_call(m, console_types,
	    "Write")) && (f == NULL || f->kind != PS_NODE_FUNCTION ||
	    !ps_ci_prefix(f->u.fn.name, "Show")))
		ps_rule_emit(c, R_WRITE_HOST, PS_SEV__MAX, &m->ext, NULL,
		    "'[Console]::%s' writes to the host only; its output cannot be captured or "
		    "redirected.", m->u.mem.name);
	if (static_call(m, hashtable_types, "new"))
		ps_rule_emit(c, R_HASHTABLE_LITERAL, PS_SEV__MAX, &m->ext, NULL,
		    "Create hashtables with @{} (case-insensitive keys), not ::new().");
}

/* PSAvoidInvokingEmptyMembers: a member name computed by an expression in parentheses
 * ($s.('len' + 'gth')); a constant ($s.('length')) or a variable ($o.$name) is fine. */
static void
rule_empty_members(struct ps_ctx *c)
{
	for (size_t i = 0; i < c->ast->members.n; i++) {
		struct ps_node *m = c->ast->members.v[i], *nn = m->u.mem.name_node;

		if (m->u.mem.is_static && m->kind == PS_NODE_INVOKE_MEMBER)
			member_rules(c, m);

		if (m->u.mem.name != NULL || nn == NULL ||
		    (nn->kind != PS_NODE_PAREN && nn->kind != PS_NODE_SUBEXPR) ||
		    ps_node_const_string(nn) != NULL || !ps_ast_walk(nn, find_binary, NULL))
			continue;
		ps_rule_emit(c, R_EMPTY_MEMBERS, PS_SEV__MAX, &nn->ext, NULL,
		    "The member name is computed at run time; invoke a constant member.");
	}
}

/* A command argument's constant value (named, else at a position), or NULL. */
static const char *
arg_const(const struct ps_node *cmd, const char *name)
{
	const struct ps_cmd_arg *a = ps_cmd_arg_find(cmd, name);

	return a != NULL && a->value != NULL ? ps_node_const_string(a->value) : NULL;
}

static void
rule_global_aliases(struct ps_ctx *c, const struct ps_cmd *pc)
{
	const char *scope = arg_const(pc->node, "Scope");

	if (scope != NULL && ps_ci_eq(scope, "Global"))
		ps_rule_emit(c, R_GLOBAL_ALIASES, PS_SEV__MAX, &pc->node->ext, NULL,
		    "The alias is created in the global scope, where it can replace an alias of "
		    "the session.");
}

/* The canonical name of a parameter as written in a call (prefixes and aliases resolved). */
static const char *
param_canon(const struct ps_cmdlet_info *ci, const char *written)
{
	const struct ps_param_info *pi = ps_catalog_param(ci, written, strlen(written));

	return pi != NULL ? pi->name : written;
}

/* named: the set's parameter names[from, to) are all named in the call. */
static bool
set_satisfied(const struct ps_cmd *pc, const char *set, size_t len)
{
	const struct ps_node *n = pc->node;

	for (size_t s = 0; s < len;) {
		size_t e = s;
		bool found = false;

		while (e < len && set[e] != ',')
			e++;
		for (size_t k = 0; k < n->u.cmd.nargs && !found; k++) {
			const char *an = n->u.cmd.args[k].name, *canon;

			if (an == NULL)
				continue;
			canon = param_canon(pc->ci, an);
			found = strlen(canon) == e - s && strncasecmp(canon, set + s, e - s) == 0;
		}
		if (!found)
			return false;
		s = e + 1;
	}
	return true;
}

/* PSUseCmdletCorrectly: a cmdlet called without the mandatory parameters of any of its
 * parameter sets (a call with positional arguments, splatting or pipeline input may bind
 * them, so it is not judged). */
static void
rule_cmdlet_correctly(struct ps_ctx *c, const struct ps_cmd *pc)
{
	const struct ps_node *n = pc->node, *par = n->parent;
	const char *m = pc->ci->mandatory, *semi;
	char want[160];
	size_t wl = 0;

	if (n->u.cmd.has_splat || n->u.cmd.invocation == '.')
		return;
	if (par != NULL && par->kind == PS_NODE_PIPELINE && par->u.pipe.elems.n > 0 &&
	    par->u.pipe.elems.v[0] != n)
		return;
	for (size_t k = 0; k < n->u.cmd.nargs; k++)
		if (n->u.cmd.args[k].name == NULL || n->u.cmd.args[k].maybe_switch ||
		    n->u.cmd.args[k].splat)
			return;
	for (const char *s = m; *s != '\0'; s = *semi ? semi + 1 : semi) {
		semi = strchr(s, ';');
		if (semi == NULL)
			semi = s + strlen(s);
		if (set_satisfied(pc, s, (size_t)(semi - s)))
			return;
	}
	/* the first set's parameters, as the message's example */
	semi = strchr(m, ';');
	for (const char *s = m; *s != '\0' && (semi == NULL || s < semi) && wl + 40 < sizeof(want);
	    s++) {
		if (s == m || s[-1] == ',') {
			if (s != m)
				want[wl++] = ' ';
			want[wl++] = '-';
		}
		if (*s != ',')
			want[wl++] = *s;
	}
	want[wl] = '\0';
	ps_rule_emit(c, R_CMDLET_CORRECTLY, PS_SEV__MAX, &n->u.cmd.name_node->ext, NULL,
	    "'%s' is called without its mandatory parameters (for example %s%s); it would "
	    "prompt for them or fail.", pc->ci->name, want, semi != NULL ? ", or another set" : "");
}

/* The script block a runspace command runs: -ScriptBlock (or -Parallel, or the first
 * positional argument). */
static const struct ps_node *
runspace_block(const struct ps_cmd *pc)
{
	const struct ps_node *n = pc->node;
	const struct ps_cmd_arg *a;

	if (ps_cmd_is(pc, "ForEach-Object")) {
		a = ps_cmd_arg_find(n, "Parallel");
		return a != NULL && a->value != NULL && a->value->kind == PS_NODE_SCRIPTBLOCK_EXPR ?
		    a->value : NULL;
	}
	if (ps_cmd_is(pc, "Invoke-Command") && ps_cmd_arg_find(n, "ComputerName") == NULL &&
	    ps_cmd_arg_find(n, "Session") == NULL)
		return NULL;
	if (!ps_cmd_is(pc, "Invoke-Command") && !ps_cmd_is(pc, "Start-Job") &&
	    !ps_cmd_is(pc, "Start-ThreadJob") && !(pc->name != NULL && ps_ci_eq(pc->name,
	    "InlineScript")))
		return NULL;
	a = ps_cmd_arg_find(n, "ScriptBlock");
	if (a == NULL)
		a = ps_cmd_positional(n, 0);
	return a != NULL && a->value != NULL && a->value->kind == PS_NODE_SCRIPTBLOCK_EXPR ?
	    a->value : NULL;
}

/* The first index in the (source-ordered) variables whose start is at or after off. */
static size_t
vars_from(const struct ps_nodes *v, uint32_t off)
{
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (v->v[mid]->ext.start < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The variables of a block by name (case-insensitive), then source order. */
static int
var_name_cmp(const void *x, const void *y)
{
	const struct ps_node *a = *(const struct ps_node *const *)x,
	    *b = *(const struct ps_node *const *)y;
	int r = strcasecmp(a->u.var.bare, b->u.var.bare);

	return r != 0 ? r : a->ext.start < b->ext.start ? -1 : a->ext.start > b->ext.start;
}

/* block_vars: the variables with a name in [from, to), sorted by var_name_cmp, in *out
 * (scratch memory the caller releases with ps_scratch_free(*out, size)); their count. */
static size_t
block_vars(struct ps_ctx *c, uint32_t from, uint32_t to, const struct ps_node ***out,
    size_t *size)
{
	const struct ps_nodes *v = &c->ast->variables;
	size_t first = vars_from(v, from), last = first, n = 0;

	while (last < v->n && v->v[last]->ext.start < to)
		last++;
	*size = (last - first + 1) * sizeof(**out);
	*out = ps_scratch_alloc(c->p, *size);
	for (size_t i = first; i < last; i++)
		if (v->v[i]->u.var.bare != NULL)
			(*out)[n++] = v->v[i];
	qsort(*out, n, sizeof(**out), var_name_cmp);
	return n;
}

/* PSUseUsingScopeModifierInNewRunspaces: a variable read in a script block that runs in
 * another runspace, without $using: and without being set inside the block; reported at its
 * first read. One sort of the block's variables: no pairwise comparison. */
static void
rule_using_scope(struct ps_ctx *c, const struct ps_node *sb)
{
	const struct ps_node **vs;
	size_t size, n = block_vars(c, sb->ext.start, sb->ext.end, &vs, &size);

	for (size_t i = 0, j; i < n; i = j) {
		const struct ps_node *first = NULL;
		bool set = false;

		for (j = i; j < n && strcasecmp(vs[j]->u.var.bare, vs[i]->u.var.bare) == 0; j++) {
			const struct ps_node *x = vs[j];

			if (x->u.var.assigned)
				set = true;
			else if (first == NULL && (x->u.var.scope == NULL ||
			    ps_ci_eq(x->u.var.scope, "local")))
				first = x;
		}
		if (set || first == NULL || ps_ci_eq(first->u.var.bare, "null") ||
		    ps_style_is_automatic(first->u.var.bare) ||
		    ps_style_is_preference(first->u.var.bare))
			continue;
		ps_rule_emit(c, R_USING_SCOPE, PS_SEV__MAX, &first->ext, NULL,
		    "'$%s' runs in a new runspace, where it is not set; write '$using:%s'.",
		    first->u.var.bare, first->u.var.bare);
	}
	ps_scratch_free(vs, size);
}

/* PSReviewUnusedParameter for the param() of a bare script block ({ param($x) ... }): a
 * parameter read nowhere in the block ($args and $PSBoundParameters read them all). */
static bool
block_reads(const struct ps_node *const *vs, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {	/* the first entry of the name */
		size_t mid = (lo + hi) / 2;

		if (strcasecmp(vs[mid]->u.var.bare, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && strcasecmp(vs[lo]->u.var.bare, name) == 0; lo++)
		if (!vs[lo]->u.var.assigned)
			return true;
	return false;
}

static void
rule_block_params(struct ps_ctx *c)
{
	for (size_t i = 0; i < c->ast->parameters.n; i++) {
		const struct ps_node *p = c->ast->parameters.v[i], *pb = p->parent, *sb;
		const struct ps_node **vs;
		size_t size, n;

		if (pb == NULL || pb->kind != PS_NODE_PARAM_BLOCK || pb->u.pb.params.n == 0 ||
		    pb->u.pb.params.v[0] != p || (sb = pb->parent) == NULL ||
		    sb->kind != PS_NODE_SCRIPTBLOCK || sb->parent == NULL ||
		    sb->parent->kind != PS_NODE_SCRIPTBLOCK_EXPR)
			continue;	/* once per param block of a bare script block */
		n = block_vars(c, pb->ext.end, sb->ext.end, &vs, &size);
		if (!block_reads(vs, n, "args") && !block_reads(vs, n, "PSBoundParameters"))
			for (size_t k = 0; k < pb->u.pb.params.n; k++) {
				const struct ps_node *q = pb->u.pb.params.v[k];

				if (q->u.param.name != NULL && !block_reads(vs, n, q->u.param.name))
					ps_rule_emit(c, R_UNUSED_PARAM, PS_SEV__MAX,
					    q->u.param.var ? &q->u.param.var->ext : &q->ext, NULL,
					    "The parameter '$%s' is declared but not used in its script "
					    "block.", q->u.param.name);
			}
		ps_scratch_free(vs, size);
	}
}

/* ---- output types ---- */

/* The .NET type of what an expression outputs, when it is evident, else NULL. */
static const char *
output_type(const struct ps_node *e)
{
	if (e == NULL)
		return NULL;
	switch (e->kind) {
	case PS_NODE_STRING:
		return e->u.str.bare ? NULL : "System.String";
	case PS_NODE_NUMBER:
		return e->u.num.value >= -2147483648.0 && e->u.num.value <= 2147483647.0 &&
		    e->u.num.value == (double)(long)e->u.num.value ? "System.Int32" :
		    "System.Double";
	case PS_NODE_HASHTABLE:
		return "System.Collections.Hashtable";
	case PS_NODE_VARIABLE:
		if (e->u.var.scope == NULL && e->u.var.bare != NULL &&
		    (ps_ci_eq(e->u.var.bare, "true") || ps_ci_eq(e->u.var.bare, "false")))
			return "System.Boolean";
		return NULL;
	case PS_NODE_CONVERT:
		return e->u.conv.type != NULL && e->u.conv.type->kind == PS_NODE_TYPE ?
		    e->u.conv.type->u.type.name : NULL;
	default:
		return NULL;
	}
}

/* Type names as PowerShell's accelerators spell them, for comparison. */
static const char *const type_accel[][2] = {
	{ "string", "String" }, { "int", "Int32" }, { "long", "Int64" }, { "double", "Double" },
	{ "bool", "Boolean" }, { "hashtable", "Hashtable" }, { "pscustomobject", "PSObject" },
	{ "psobject", "PSObject" }, { "PSCustomObject", "PSObject" }, { "datetime", "DateTime" },
	{ "void", "Void" }, { "object", "Object" }, { "array", "Array" }, { "xml", "XmlDocument" },
	{ "char", "Char" }, { "byte", "Byte" }, { "decimal", "Decimal" }, { "single", "Single" },
	{ "float", "Single" }, { "guid", "Guid" }, { "regex", "Regex" }, { "uri", "Uri" },
	{ "scriptblock", "ScriptBlock" }, { "switch", "SwitchParameter" },
};

/* The short .NET name of a type as written: System.Int32, int and Int32 give Int32. */
static const char *
type_short(const char *t)
{
	const char *dot = strrchr(t, '.');

	for (size_t i = 0; i < PSS_ARRAY_LEN(type_accel); i++)
		if (ps_ci_eq(t, type_accel[i][0]))
			return type_accel[i][1];
	t = dot != NULL ? dot + 1 : t;
	for (size_t i = 0; i < PSS_ARRAY_LEN(type_accel); i++)
		if (ps_ci_eq(t, type_accel[i][0]))
			return type_accel[i][1];
	return t;
}

static bool
type_declared(const struct ps_node *ot, const char *t)
{
	const char *st = type_short(t);

	for (size_t i = 0; ot != NULL && i < ot->u.attr.positional.n; i++) {
		const struct ps_node *d = ot->u.attr.positional.v[i];
		const char *name = d->kind == PS_NODE_TYPE ? d->u.type.name : ps_node_const_string(d);

		if (name != NULL && (ps_ci_eq(type_short(name), st) || ps_ci_eq(type_short(name),
		    "Object") || ps_ci_eq(type_short(name), "PSObject")))
			return true;
		if (d->kind == PS_NODE_ARRAY_LITERAL && d->u.list.items.n > 0)
			for (size_t k = 0; k < d->u.list.items.n; k++) {
				const struct ps_node *e = d->u.list.items.v[k];
				const char *en = e->kind == PS_NODE_TYPE ? e->u.type.name :
				    ps_node_const_string(e);

				if (en != NULL && ps_ci_eq(type_short(en), st))
					return true;
			}
	}
	return false;
}

struct outputs {
	const struct ps_node *fn;
	const struct ps_node *ot;	/* the OutputType attribute or NULL */
	struct ps_ctx	*c;
	const char	*reported[8];
	size_t		 nreported;
};

static void
output_check(struct outputs *o, const struct ps_node *e, const struct ps_node *at)
{
	const char *t = output_type(e);

	if (t == NULL || ps_ci_eq(type_short(t), "Void") || type_declared(o->ot, t))
		return;
	for (size_t i = 0; i < o->nreported; i++)
		if (ps_ci_eq(o->reported[i], t))
			return;
	if (o->nreported < PSS_ARRAY_LEN(o->reported))
		o->reported[o->nreported++] = t;
	ps_rule_emit(o->c, R_OUTPUT_TYPE, PS_SEV__MAX, &at->ext, NULL,
	    "'%s' returns an object of type '%s' that its OutputType attribute does not declare.",
	    o->fn->u.fn.name, t);
}

/* Statements of a function body that write to the output: return values and bare values. */
static int
visit_outputs(struct ps_node *n, void *ctx)
{
	struct outputs *o = ctx;

	if (n->kind == PS_NODE_FUNCTION || n->kind == PS_NODE_SCRIPTBLOCK_EXPR ||
	    n->kind == PS_NODE_CLASS)
		return PS_WALK_SKIP;
	if (n->kind == PS_NODE_RETURN) {
		output_check(o, n->u.flow.value, n);
		return PS_WALK_SKIP;
	}
	if (n->parent != NULL && (n->parent->kind == PS_NODE_STATEMENT_BLOCK ||
	    n->parent->kind == PS_NODE_NAMED_BLOCK || (n->parent->kind == PS_NODE_SCRIPTBLOCK &&
	    n->parent->parent == o->fn)) && n->kind != PS_NODE_ASSIGNMENT &&
	    n->kind != PS_NODE_COMMAND && n->kind != PS_NODE_PIPELINE) {
		output_check(o, n, n);
		return PS_WALK_SKIP;
	}
	return PS_WALK_CONTINUE;
}

/* PSUseOutputTypeCorrectly: an advanced function returns a value of an evident type that
 * [OutputType()] does not name. */
static void
rule_output_types(struct ps_ctx *c)
{
	for (size_t i = 0; i < c->ast->functions.n; i++) {
		struct ps_node *fn = c->ast->functions.v[i];
		struct outputs o;

		if (!fn->u.fn.cmdletbinding || fn->u.fn.body == NULL)
			continue;
		memset(&o, 0, sizeof(o));
		o.fn = fn;
		o.c = c;
		o.ot = ps_attr_find(&fn->u.fn.attributes, "OutputType");
		ps_ast_walk(fn->u.fn.body, visit_outputs, &o);
	}
}

/* ---- module manifests ---- */

static const char *const manifest_keys[] = {
	"RootModule", "ModuleToProcess", "ModuleVersion", "GUID", "FunctionsToExport",
	"CmdletsToExport", "VariablesToExport", "AliasesToExport", "NestedModules",
	"RequiredModules", "PowerShellVersion", "CompatiblePSEditions", "DscResourcesToExport",
	NULL
};

/* The hashtable a module manifest consists of, or NULL when the file is not one: a .psd1
 * (or a text without a file name) that is one hashtable with a manifest key. */
static const struct ps_node *
manifest_table(const struct ps_ctx *c)
{
	const struct ps_node *root = c->ast->root, *h;
	const char *fname = c->p->opts->file_name;

	if (fname != NULL && !ps_ci_suffix(fname, ".psd1"))
		return NULL;
	if (root->u.sb.statements.n != 1 || root->u.sb.named_blocks.n != 0)
		return NULL;
	h = root->u.sb.statements.v[0];
	if (h->kind != PS_NODE_HASHTABLE)
		return NULL;
	for (size_t k = 0; k < h->u.hash.keys.n; k++) {
		const char *key = ps_node_const_string(h->u.hash.keys.v[k]);

		if (key != NULL && ps_name_in(key, manifest_keys))
			return h;
	}
	return NULL;
}

static const struct ps_node *
manifest_value(const struct ps_node *h, const char *key, const struct ps_node **keynode)
{
	for (size_t k = 0; k < h->u.hash.keys.n; k++) {
		const char *kn = ps_node_const_string(h->u.hash.keys.v[k]);

		if (kn != NULL && ps_ci_eq(kn, key)) {
			if (keynode != NULL)
				*keynode = h->u.hash.keys.v[k];
			return h->u.hash.values.v[k];
		}
	}
	return NULL;
}

/* Unwrap @( ... ) and ( ... ) to the value or list inside. */
static const struct ps_node *
unwrap(const struct ps_node *v)
{
	while (v != NULL && (v->kind == PS_NODE_ARRAY_EXPR || v->kind == PS_NODE_PAREN ||
	    v->kind == PS_NODE_PIPELINE) && (v->kind == PS_NODE_PIPELINE ?
	    v->u.pipe.elems.n == 1 : v->u.list.items.n == 1))
		v = v->kind == PS_NODE_PIPELINE ? v->u.pipe.elems.v[0] : v->u.list.items.v[0];
	return v;
}

static bool
export_bad(const struct ps_node *v)
{
	const char *s;

	v = unwrap(v);
	if (v == NULL)
		return false;
	if (ps_node_is_null(v))
		return true;
	if (v->kind == PS_NODE_ARRAY_LITERAL) {
		for (size_t i = 0; i < v->u.list.items.n; i++)
			if (export_bad(v->u.list.items.v[i]))
				return true;
		return false;
	}
	return (s = ps_node_const_string(v)) != NULL && strchr(s, '*') != NULL;
}

static void
rule_manifest(struct ps_ctx *c)
{
	static const char *const exports[] = { "FunctionsToExport", "CmdletsToExport",
		"VariablesToExport", "AliasesToExport" };
	const struct ps_node *h = manifest_table(c), *key = NULL, *v;

	if (h == NULL)
		return;
	if (manifest_value(h, "ModuleVersion", NULL) == NULL)
		ps_rule_emit_range(c, R_MANIFEST_FIELD, PS_SEV__MAX, h->ext.start,
		    h->ext.start + 2, NULL, "The module manifest has no ModuleVersion field.");
	if (manifest_value(h, "ModuleToProcess", &key) != NULL) {
		const struct ps_node *pv = unwrap(manifest_value(h, "PowerShellVersion", NULL));
		const char *ver = pv != NULL ? ps_node_const_string(pv) : NULL;

		if (ver == NULL || atoi(ver) >= 3)
			ps_rule_emit(c, R_DEPRECATED_MANIFEST, PS_SEV__MAX, &key->ext,
			    "Replace 'ModuleToProcess' with 'RootModule'.",
			    "'ModuleToProcess' is deprecated; use 'RootModule'.");
	}
	for (size_t i = 0; i < PSS_ARRAY_LEN(exports); i++)
		if ((v = manifest_value(h, exports[i], NULL)) != NULL && export_bad(v))
			ps_rule_emit(c, R_EXPORT_FIELDS, PS_SEV__MAX, &v->ext, NULL,
			    "%s uses a wildcard or $null; list the exported names (or @() for "
			    "none).", exports[i]);
}

/* ---- DSC resources ---- */

enum { DSC_GET, DSC_SET, DSC_TEST, DSC__MAX };
#define DSC_PARAMS_MAX 256	/* parameters per function the DSC rules compare */
static const char *const dsc_functions[DSC__MAX] = {
	"Get-TargetResource", "Set-TargetResource", "Test-TargetResource"
};
static const char *const dsc_methods[DSC__MAX] = { "Get", "Set", "Test" };

static const struct ps_node *
fn_param(const struct ps_node *fn, const char *name)
{
	for (size_t i = 0; i < fn->u.fn.params.n; i++)
		if (fn->u.fn.params.v[i]->u.param.name != NULL &&
		    ps_ci_eq(fn->u.fn.params.v[i]->u.param.name, name))
			return fn->u.fn.params.v[i];
	return NULL;
}

static int
find_verbose(struct ps_node *n, void *ctx)
{
	const struct ps_ctx *c = ctx;

	return n->kind == PS_NODE_COMMAND && ps_cmd_is(ps_ctx_cmd(c, n), "Write-Verbose") ?
	    PS_WALK_STOP : PS_WALK_CONTINUE;
}

struct dsc_ret {
	struct ps_ctx	*c;
	const struct ps_node *fn;
	int		 which;
};

static int
visit_dsc_return(struct ps_node *n, void *ctx)
{
	struct dsc_ret *d = ctx;
	const char *t, *want;

	if (n->kind == PS_NODE_FUNCTION || n->kind == PS_NODE_SCRIPTBLOCK_EXPR)
		return PS_WALK_SKIP;
	if (n->kind != PS_NODE_RETURN || n->u.flow.value == NULL)
		return PS_WALK_CONTINUE;
	if (d->which == DSC_SET) {
		ps_rule_emit(d->c, R_DSC_RETURN_TYPES, PS_SEV__MAX, &n->ext, NULL,
		    "Set-TargetResource should return nothing.");
		return PS_WALK_SKIP;
	}
	want = d->which == DSC_GET ? "Hashtable" : "Boolean";
	if ((t = output_type(unwrap(n->u.flow.value))) != NULL && !ps_ci_eq(type_short(t), want))
		ps_rule_emit(d->c, R_DSC_RETURN_TYPES, PS_SEV__MAX, &n->ext, NULL,
		    "%s should return a %s, not a %s.", dsc_functions[d->which],
		    d->which == DSC_GET ? "hashtable" : "Boolean", t);
	return PS_WALK_SKIP;
}

static void
dsc_functions_check(struct ps_ctx *c, struct ps_node *const fns[DSC__MAX])
{
	const struct ps_node *any = NULL;

	for (int w = 0; w < DSC__MAX; w++)
		if (fns[w] != NULL && any == NULL)
			any = fns[w];
	if (any == NULL)
		return;
	for (int w = 0; w < DSC__MAX; w++)	/* the pairwise parameter checks stay small */
		if (fns[w] != NULL && fns[w]->u.fn.params.n > DSC_PARAMS_MAX)
			return;
	for (int w = 0; w < DSC__MAX; w++) {
		const struct ps_node *fn = fns[w];
		const struct ps_extent *ne;

		if (fn == NULL) {
			ps_rule_emit(c, R_DSC_STANDARD, PS_SEV__MAX, &any->u.fn.name_node->ext, NULL,
			    "The DSC resource has no %s function.", dsc_functions[w]);
			continue;
		}
		ne = &fn->u.fn.name_node->ext;
		if (fn->u.fn.body != NULL && !ps_ast_walk(fn->u.fn.body, find_verbose, c))
			ps_rule_emit(c, R_DSC_VERBOSE, PS_SEV__MAX, ne, NULL,
			    "%s writes no Write-Verbose message.", dsc_functions[w]);
		if (fn->u.fn.body != NULL) {
			struct dsc_ret d = { c, fn, w };

			ps_ast_walk(fn->u.fn.body, visit_dsc_return, &d);
		}
		/* mandatory parameters: the same in the three functions */
		for (int o = 0; o < DSC__MAX; o++) {
			if (o == w || fns[o] == NULL)
				continue;
			for (size_t i = 0; i < fns[o]->u.fn.params.n; i++) {
				const struct ps_node *p = fns[o]->u.fn.params.v[i], *q;

				if (!p->u.param.mandatory || p->u.param.name == NULL)
					continue;
				q = fn_param(fn, p->u.param.name);
				if (q == NULL || !q->u.param.mandatory)
					ps_rule_emit(c, R_DSC_MANDATORY, PS_SEV__MAX, ne, NULL,
					    "'$%s' is mandatory in %s but not in %s.", p->u.param.name,
					    dsc_functions[o], dsc_functions[w]);
			}
		}
	}
	/* Set and Test take the same parameters */
	for (int w = DSC_SET; w <= DSC_TEST && fns[DSC_SET] != NULL && fns[DSC_TEST] != NULL; w++) {
		const struct ps_node *fn = fns[w], *other = fns[w == DSC_SET ? DSC_TEST : DSC_SET];

		for (size_t i = 0; i < other->u.fn.params.n; i++) {
			const char *pn = other->u.fn.params.v[i]->u.param.name;

			if (pn != NULL && fn_param(fn, pn) == NULL)
				ps_rule_emit(c, R_DSC_IDENTICAL, PS_SEV__MAX, &fn->u.fn.name_node->ext,
				    NULL, "%s has no '$%s' parameter, which %s has.", dsc_functions[w],
				    pn, dsc_functions[w == DSC_SET ? DSC_TEST : DSC_SET]);
		}
	}
}

static void
dsc_class_check(struct ps_ctx *c, const struct ps_node *cls)
{
	const struct ps_node *m[DSC__MAX] = { NULL, NULL, NULL };

	for (size_t i = 0; i < cls->u.cls.members.n; i++) {
		const struct ps_node *mb = cls->u.cls.members.v[i];

		if (mb->kind != PS_NODE_METHOD_MEMBER || mb->u.meth.name == NULL ||
		    mb->u.meth.is_static || mb->u.meth.params.n != 0)
			continue;
		for (int w = 0; w < DSC__MAX; w++)
			if (ps_ci_eq(mb->u.meth.name, dsc_methods[w]))
				m[w] = mb;
	}
	for (int w = 0; w < DSC__MAX; w++) {
		const char *rt, *want;

		if (m[w] == NULL) {
			ps_rule_emit(c, R_DSC_STANDARD, PS_SEV__MAX, &cls->ext, NULL,
			    "The DSC resource class '%s' has no %s() method.", cls->u.cls.name,
			    dsc_methods[w]);
			continue;
		}
		rt = m[w]->u.meth.return_type;
		want = w == DSC_GET ? cls->u.cls.name : w == DSC_SET ? "void" : "bool";
		if (want == NULL)
			continue;
		if (rt == NULL ? w != DSC_SET : !ps_ci_eq(type_short(rt), type_short(want)))
			ps_rule_emit(c, R_DSC_RETURN_TYPES, PS_SEV__MAX, &m[w]->ext, NULL,
			    "The %s() method of '%s' should return [%s].", dsc_methods[w],
			    cls->u.cls.name, want);
	}
}

static void
rule_dsc(struct ps_ctx *c)
{
	struct ps_node *fns[DSC__MAX] = { NULL, NULL, NULL };

	for (size_t i = 0; i < c->ast->functions.n; i++) {
		struct ps_node *fn = c->ast->functions.v[i];

		if (fn->u.fn.name == NULL || fn->u.fn.name_node == NULL || fn->func != NULL)
			continue;
		for (int w = 0; w < DSC__MAX; w++)
			if (ps_ci_eq(fn->u.fn.name, dsc_functions[w]) && fns[w] == NULL)
				fns[w] = fn;
	}
	dsc_functions_check(c, fns);
	for (size_t i = 0; i < c->ast->classes.n; i++) {
		const struct ps_node *cls = c->ast->classes.v[i];

		if (cls->kind == PS_NODE_CLASS && cls->u.cls.name != NULL &&
		    ps_attr_find(&cls->u.cls.attributes, "DscResource") != NULL)
			dsc_class_check(c, cls);
	}
}

/* ---- PSDSCDscExamplesPresent, PSDSCDscTestsPresent ----
 * A resource's examples and tests are files whose names contain the resource's name (any
 * case), in the folders Examples and Tests: beside the DSCResources folder for a resource
 * module (<root>/DSCResources/<name>/<name>.psm1: <root>/Examples), beside the file for a
 * class-based resource. Only for a file the command line read from disk (opts->on_disk). */

#define DSC_FOLDER_ENTRIES_MAX 4096	/* directory entries read per folder */

static bool
folder_names(const char *dir, const char *folder, const char *name)
{
	char path[4096];
	struct dirent *e;
	DIR *d;
	bool found = false;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, folder) >= sizeof(path) ||
	    (d = opendir(path)) == NULL)
		return false;
	for (int n = 0; !found && n < DSC_FOLDER_ENTRIES_MAX && (e = readdir(d)) != NULL; n++)
		found = e->d_type != DT_DIR && e->d_name[0] != '.' &&
		    strcasestr(e->d_name, name) != NULL;
	closedir(d);
	return found;
}

/* the folder part of path (".": none), into buf; false when it does not fit */
static bool
dir_of(const char *path, char *buf, size_t n)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);

	if (len >= n)
		return false;
	memcpy(buf, slash == NULL ? "." : path, len);
	buf[len] = '\0';
	return true;
}

static void
dsc_folders_report(struct ps_ctx *c, const char *dir, const char *name,
    const struct ps_extent *ext)
{
	static const struct { enum ps_rule rule; const char *folder, *what; } want[] = {
		{ R_DSC_EXAMPLES, "Examples", "examples" }, { R_DSC_TESTS, "Tests", "tests" },
	};

	for (size_t i = 0; i < PSS_ARRAY_LEN(want); i++) {
		if (!ps_rule_on(c, want[i].rule) || folder_names(dir, want[i].folder, name))
			continue;
		if (ext != NULL)
			ps_rule_emit(c, want[i].rule, PS_SEV__MAX, ext, NULL,
			    "No %s found for resource '%s'.", want[i].what, name);
		else
			ps_rule_emit_range(c, want[i].rule, PS_SEV__MAX, 0, 0, NULL,
			    "No %s found for resource '%s'.", want[i].what, name);
	}
}

static void
rule_dsc_folders(struct ps_ctx *c)
{
	const char *path = c->p->opts->file_name, *base;
	char dir[4096], up[4096], root[4096], name[256];
	size_t len;

	if (!dir_of(path, dir, sizeof(dir)))
		return;
	/* a resource module: <root>/DSCResources/<name>/<name>.psm1 */
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	len = strlen(base);
	if (len > 5 && len - 5 < sizeof(name) && strcasecmp(base + len - 5, ".psm1") == 0 &&
	    dir_of(dir, up, sizeof(up)) && strcmp(dir, ".") != 0 && dir_of(up, root, sizeof(root))) {
		const char *ub = strrchr(up, '/') != NULL ? strrchr(up, '/') + 1 : up;

		if (strcasecmp(ub, "DSCResources") == 0 && strcmp(up, ".") != 0) {
			memcpy(name, base, len - 5);
			name[len - 5] = '\0';
			dsc_folders_report(c, root, name, NULL);
		}
	}
	/* class-based resources: beside the file */
	for (size_t i = 0; i < c->ast->classes.n; i++) {
		const struct ps_node *cls = c->ast->classes.v[i];

		if (cls->kind == PS_NODE_CLASS && cls->u.cls.name != NULL &&
		    ps_attr_find(&cls->u.cls.attributes, "DscResource") != NULL)
			dsc_folders_report(c, dir, cls->u.cls.name, &cls->ext);
	}
}

void
ps_rules_module_run(struct ps_ctx *c)
{
	if (c->p->opts->on_disk && c->p->opts->file_name != NULL &&
	    (ps_rule_on(c, R_DSC_EXAMPLES) || ps_rule_on(c, R_DSC_TESTS)))
		rule_dsc_folders(c);
	if (c->ast->functions.n > 0) {
		rule_function_names(c);
		rule_output_types(c);
		rule_dsc(c);
	} else if (c->ast->classes.n > 0) {
		rule_dsc(c);
	}
	if (c->ast->members.n > 0)
		rule_empty_members(c);
	if ((c->ast->kinds & NODE_BIT(PS_NODE_SCRIPTBLOCK_EXPR)) && c->ast->parameters.n > 0)
		rule_block_params(c);
	for (size_t i = 0; i < c->p->ncmds; i++) {
		const struct ps_cmd *pc = &c->p->cmds[i];
		const struct ps_node *sb;

		if (pc->name == NULL || pc->local_function)
			continue;
		if (pc->ci != NULL && pc->ci->mandatory[0] != '\0' && pc->node->u.cmd.name_node)
			rule_cmdlet_correctly(c, pc);
		if (ps_cmd_is(pc, "New-Alias"))
			rule_global_aliases(c, pc);
		if ((sb = runspace_block(pc)) != NULL)
			rule_using_scope(c, sb);
	}
	if (c->ast->root->u.sb.statements.n == 1)
		rule_manifest(c);
}

/* PSUseUTF8EncodingForHelpFile: an about_*.help.txt file that is not UTF-8 (a UTF-16 byte
 * order mark, or bytes that are not UTF-8). */
bool
ps_help_file_name(const char *name)
{
	const char *base;

	if (name == NULL)
		return false;
	for (base = name; *name != '\0'; name++)
		if (*name == '/' || *name == '\\')
			base = name + 1;
	return ps_ci_prefix(base, "about_") && ps_ci_suffix(base, ".help.txt");
}

void
ps_rules_help_file_run(struct ps_ctx *c)
{
	const unsigned char *s = (const unsigned char *)c->src;
	size_t n = c->len, i = 0;
	const char *why = NULL;

	if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF)))
		why = "UTF-16";
	while (why == NULL && i < n) {
		unsigned char b = s[i];
		size_t len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 && b >= 0xC2 ? 2 :
		    (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 && b <= 0xF4 ? 4 : 0;

		if (len == 0 || i + len > n)
			why = "not UTF-8";
		for (size_t k = 1; why == NULL && k < len; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				why = "not UTF-8";
		i += len ? len : 1;
	}
	if (why != NULL)
		ps_rule_emit_range(c, R_UTF8_HELP, PS_SEV__MAX, 0, 0, NULL,
		    "The help file is %s; save it as UTF-8.", why);
}
