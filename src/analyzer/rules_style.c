#include "config.h"
/* rules_style.c: best-practice rules on commands, variables, lines and syntax */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/rules.h"

/* Automatic variables: read-only ones first (assigning them is an error). */
static const char *const auto_readonly[] = {
	"?", "ExecutionContext", "false", "HOME", "Host", "PID", "PSCulture", "PSEdition",
	"PSHOME", "PSUICulture", "PSVersionTable", "ShellId", "true", "IsCoreCLR", "IsLinux",
	"IsMacOS", "IsWindows", "EnabledExperimentalFeatures", NULL
};
static const char *const auto_writable[] = {
	"_", "AllNodes", "Args", "ConsoleFileName", "Error", "Event", "EventArgs",
	"EventSubscriber", "ForEach", "Input", "Matches", "MyInvocation", "NestedPromptLevel",
	"Profile", "PSBoundParameters", "PSCmdlet", "PSCommandPath", "PSDebugContext", "PSItem",
	"PSScriptRoot", "PSSenderInfo", "PWD", "Sender", "StackTrace", "This", "LastExitCode",
	"Switch", "$", "^", NULL
};

/* Preference variables (about_Preference_Variables): setting one changes how PowerShell
 * behaves, so an assignment is a use, and their global scope is their home. */
static const char *const preference_vars[] = {
	"ConfirmPreference", "DebugPreference", "ErrorActionPreference", "ErrorView",
	"FormatEnumerationLimit", "InformationPreference", "LogCommandHealthEvent",
	"LogCommandLifecycleEvent", "LogEngineHealthEvent", "LogEngineLifecycleEvent",
	"LogProviderHealthEvent", "LogProviderLifecycleEvent", "MaximumAliasCount",
	"MaximumDriveCount", "MaximumErrorCount", "MaximumFunctionCount", "MaximumHistoryCount",
	"MaximumVariableCount", "OFS", "OutputEncoding", "ProgressPreference",
	"PSDefaultParameterValues", "PSEmailServer", "PSModuleAutoLoadingPreference",
	"PSNativeCommandArgumentPassing", "PSNativeCommandUseErrorActionPreference",
	"PSSessionApplicationName", "PSSessionConfigurationName", "PSSessionOption", "PSStyle",
	"Transcript", "VerbosePreference", "WarningPreference", "WhatIfPreference", NULL
};

bool
ps_style_is_preference(const char *name)
{
	/* first letters of the list: c d e f i l m o p t v w */
	static const uint32_t first = 1u << ('c' - 'a') | 1u << ('d' - 'a') | 1u << ('e' - 'a') |
	    1u << ('f' - 'a') | 1u << ('i' - 'a') | 1u << ('l' - 'a') | 1u << ('m' - 'a') |
	    1u << ('o' - 'a') | 1u << ('p' - 'a') | 1u << ('t' - 'a') | 1u << ('v' - 'a') |
	    1u << ('w' - 'a');
	unsigned f;

	if (name == NULL)
		return false;
	f = ((unsigned char)name[0] | 0x20) - 'a';
	return f < 26 && (first >> f & 1) && ps_name_in(name, preference_vars);
}

/* Both lists by (lower-case) first letter, read-only ones first: built once per process. */
enum { NAUTO = PSS_ARRAY_LEN(auto_readonly) + PSS_ARRAY_LEN(auto_writable) };
static struct {
	const char	*name[NAUTO];
	unsigned char	 kind[NAUTO];	/* 2 read-only, 1 writable */
	short		 head[256], next[NAUTO];
} auto_index;
static pthread_once_t auto_once = PTHREAD_ONCE_INIT;

static void
auto_index_build(void)
{
	const char *const *lists[2] = { auto_readonly, auto_writable };
	short *tail[256];
	size_t n = 0;

	for (size_t b = 0; b < 256; b++) {
		auto_index.head[b] = -1;
		tail[b] = &auto_index.head[b];
	}
	for (int l = 0; l < 2; l++) {
		for (const char *const *w = lists[l]; *w != NULL; w++) {
			unsigned char f = (unsigned char)(*w)[0];

			f = f >= 'A' && f <= 'Z' ? f + 32 : f;
			auto_index.name[n] = *w;
			auto_index.kind[n] = l == 0 ? 2 : 1;
			auto_index.next[n] = -1;
			*tail[f] = (short)n;	/* appended: list order is kept */
			tail[f] = &auto_index.next[n];
			n++;
		}
	}
}

int
ps_style_is_automatic(const char *name)
{
	unsigned char f;

	if (name == NULL)
		return 0;
	pthread_once(&auto_once, auto_index_build);
	f = (unsigned char)name[0];
	f = f >= 'A' && f <= 'Z' ? f + 32 : f;
	for (short k = auto_index.head[f]; k >= 0; k = auto_index.next[k])
		if (strcasecmp(name, auto_index.name[k]) == 0)
			return auto_index.kind[k];
	return 0;
}

/* A set of (function, lower-case variable name) pairs: which variables are read where. */
struct varset_ent {
	const void	*scope;
	const char	*name;
	struct varset_ent *next;
};
struct varset {
	struct varset_ent **slots;
	size_t	 nslots;
	struct ps_ast *ast;
};

static size_t
vs_hash(const void *scope, const char *name)
{
	size_t h = (size_t)14695981039346656037ULL ^ (size_t)(uintptr_t)scope;

	for (; *name; name++) {
		unsigned char ch = (unsigned char)*name;

		h ^= (ch >= 'A' && ch <= 'Z') ? ch + 32u : ch;
		h *= (size_t)1099511628211ULL;
	}
	return h;
}

static bool
vs_has(const struct varset *vs, const void *scope, const char *name)
{
	for (struct varset_ent *e = vs->slots[vs_hash(scope, name) % vs->nslots]; e; e = e->next)
		if (e->scope == scope && strcasecmp(e->name, name) == 0)
			return true;
	return false;
}

static void
vs_add(struct varset *vs, const void *scope, const char *name)
{
	size_t h = vs_hash(scope, name) % vs->nslots;
	struct varset_ent *e;

	if (vs_has(vs, scope, name))
		return;
	e = ps_ast_alloc(vs->ast, sizeof(*e));
	e->scope = scope;
	e->name = name;
	e->next = vs->slots[h];
	vs->slots[h] = e;
}

/* The read set: every variable read, keyed by its enclosing function (NULL: script). */
static struct varset *
reads_build(struct ps_ctx *c)
{
	struct varset *vs = ps_ast_alloc(c->ast, sizeof(*vs));
	const struct ps_nodes *v = &c->ast->variables;

	vs->ast = c->ast;
	vs->nslots = v->n + 16;
	vs->slots = ps_ast_alloc(c->ast, vs->nslots * sizeof(*vs->slots));
	for (size_t i = 0; i < v->n; i++) {
		const struct ps_node *n = v->v[i];

		if (n->u.var.bare == NULL)
			continue;
		/* $n += 1 reads $n (also inside a script block of the same function) */
		if (n->u.var.assigned && !(n->parent != NULL && n->parent->kind ==
		    PS_NODE_ASSIGNMENT && n->parent->u.asg.lhs == n && n->parent->u.asg.op !=
		    PS_OP_ASSIGN))
			continue;
		if (n->parent != NULL && n->parent->kind == PS_NODE_PARAMETER)
			continue;
		vs_add(vs, n->func, n->u.var.bare);
		/* $using:x in a nested script block reads the outer x. */
	}
	/* $MyInvocation.BoundParameters is $PSBoundParameters */
	for (size_t i = 0; i < c->ast->members.n; i++) {
		const struct ps_node *m = c->ast->members.v[i], *t = m->u.mem.target;

		if (m->u.mem.name != NULL && t != NULL && t->kind == PS_NODE_VARIABLE &&
		    t->u.var.bare != NULL && ps_ci_eq(m->u.mem.name, "BoundParameters") &&
		    ps_ci_eq(t->u.var.bare, "MyInvocation"))
			vs_add(vs, m->func, "PSBoundParameters");
	}
	/* Names given to -*Variable parameters (-OutVariable x, -ErrorVariable +e) and to
	 * Get-Variable are reads. */
	for (size_t i = 0; i < c->p->ncmds; i++) {
		const struct ps_node *cmd = c->p->cmds[i].node;

		if (ps_cmd_is(&c->p->cmds[i], "Get-Variable")) {
			const struct ps_cmd_arg *a = ps_cmd_arg_find(cmd, "Name");
			const struct ps_node *nv;
			const char *s;

			if (a == NULL)
				a = ps_cmd_positional(cmd, 0);
			nv = a != NULL ? a->value : NULL;
			if (nv != NULL && nv->kind == PS_NODE_ARRAY_LITERAL) {	/* Get-Variable a, b */
				for (size_t k = 0; k < nv->u.list.items.n; k++)
					if ((s = ps_node_const_string(nv->u.list.items.v[k])) != NULL)
						vs_add(vs, cmd->func, s);
			} else if (nv != NULL && (s = ps_node_const_string(nv)) != NULL) {
				vs_add(vs, cmd->func, s);
			}
		}

		for (size_t k = 0; k < cmd->u.cmd.nargs; k++) {
			const struct ps_cmd_arg *a = &cmd->u.cmd.args[k];
			const char *s;

			if (a->name == NULL || a->value == NULL ||
			    !ps_ci_suffix(a->name, "Variable"))
				continue;
			if ((s = ps_node_const_string(a->value)) != NULL)
				vs_add(vs, cmd->func, s[0] == '+' ? s + 1 : s);
		}
	}
	return vs;
}

bool
ps_style_read(const struct varset *vs, const void *scope, const char *name)
{
	return vs_has(vs, scope, name);
}

static const struct ps_node *
lhs_variable(const struct ps_node *lhs)
{
	while (lhs != NULL && lhs->kind == PS_NODE_CONVERT)
		lhs = lhs->u.conv.expr;
	return lhs != NULL && lhs->kind == PS_NODE_VARIABLE ? lhs : NULL;
}

static void
rule_declared_vars(struct ps_ctx *c, const struct varset *reads)
{
	const struct ps_nodes *as = &c->ast->assignments;
	struct varset reported = { NULL, 0, c->ast };

	reported.nslots = as->n + 16;
	reported.slots = ps_ast_alloc(c->ast, reported.nslots * sizeof(*reported.slots));
	for (size_t i = 0; i < as->n; i++) {
		const struct ps_node *a = as->v[i], *v = lhs_variable(a->u.asg.lhs);
		const char *name;

		if (v == NULL || a->u.asg.op != PS_OP_ASSIGN)
			continue;
		name = v->u.var.bare;
		if (name == NULL || (v->u.var.scope != NULL && !ps_ci_eq(v->u.var.scope, "local") &&
		    !ps_ci_eq(v->u.var.scope, "private")))
			continue;
		if (ps_ci_eq(name, "null") || ps_style_is_automatic(name) || v->in_class)
			continue;
		if (vs_has(reads, v->func, name) || vs_has(&reported, v->func, name) ||
		    ps_style_is_preference(name))
			continue;
		vs_add(&reported, v->func, name);
		ps_rule_emit(c, R_DECLARED_VARS, PS_SEV__MAX, &v->ext, NULL,
		    "The variable '%s' is assigned but never used.", name);
	}
}

static void
rule_variables(struct ps_ctx *c)
{
	const struct ps_nodes *v = &c->ast->variables;

	for (size_t i = 0; i < v->n; i++) {
		const struct ps_node *n = v->v[i];
		const char *bare = n->u.var.bare;
		int ak;

		if (bare == NULL)
			continue;
		if (n->u.var.scope != NULL && ps_ci_eq(n->u.var.scope, "global") &&
		    !ps_style_is_automatic(bare) && !ps_style_is_preference(bare) &&
		    ps_rule_on(c, R_GLOBAL_VARS))
			ps_rule_emit(c, R_GLOBAL_VARS, PS_SEV__MAX, &n->ext, NULL,
			    "Found global variable '%s'.", n->u.var.name);
		if (!n->u.var.assigned || n->u.var.scope != NULL || ps_ci_eq(bare, "null"))
			continue;
		if (n->parent != NULL && n->parent->kind == PS_NODE_PARAMETER)
			continue;	/* parameters: rules_functions.c */
		if ((ak = ps_style_is_automatic(bare)) != 0)
			ps_rule_emit(c, R_AUTOMATIC_VAR, ak == 2 ? PS_SEV_ERROR : PS_SEV_WARNING, &n->ext,
			    NULL, "The automatic variable '$%s' %s; do not assign it.", bare,
			    ak == 2 ? "is read-only" : "is set by PowerShell");
	}
}

static const char *const wmi_cmdlets[] = {
	"Get-WmiObject", "Remove-WmiObject", "Invoke-WmiMethod", "Register-WmiEvent",
	"Set-WmiInstance", NULL
};

static bool
requires_version7(const struct ps_ctx *c)
{
	for (size_t i = 0; i < c->ast->nrequires; i++) {
		const struct ps_requires *r = &c->ast->requires[i];

		if (ps_ci_eq(r->key, "Version") && r->value != NULL && r->value[0] >= '7' &&
		    r->value[0] <= '9')
			return true;
		if (ps_ci_eq(r->key, "PSEdition") && ps_ci_eq(r->value, "Core"))
			return true;
	}
	return false;
}

/* requires_version2: #Requires -Version 2 (or 1): the CIM cmdlets (3.0) are not an option,
 * so PSAvoidUsingWMICmdlet does not apply. */
static bool
requires_version2(const struct ps_ctx *c)
{
	for (size_t i = 0; i < c->ast->nrequires; i++) {
		const struct ps_requires *r = &c->ast->requires[i];

		if (ps_ci_eq(r->key, "Version") && r->value != NULL && (r->value[0] == '1' ||
		    r->value[0] == '2') && (r->value[1] == '\0' || r->value[1] == '.'))
			return true;
	}
	return false;
}

static void
need_version(struct ps_ctx *c, unsigned major, unsigned minor)
{
	struct ps_analysis_priv *p = c->p;

	if (major > p->min_version_major ||
	    (major == p->min_version_major && minor > p->min_version_minor)) {
		p->min_version_major = major;
		p->min_version_minor = minor;
	}
}

static void
compat_command(struct ps_ctx *c, const struct ps_cmd *pc)
{
	const struct ps_cmdlet_info *ci = pc->ci;
	const struct ps_node *n = pc->node;
	const struct ps_extent *ne = &n->u.cmd.name_node->ext;

	if (ci->avail == PS_AVAIL_51) {
		c->p->windows_only = true;
		ps_compat_note_add(c, ci->name, "5.1", ne->line,
		    "%s exists only in Windows PowerShell 5.1; it was removed in PowerShell 7.",
		    ci->name);
		ps_rule_emit(c, R_COMPAT_CMDLETS, PS_SEV__MAX, ne, NULL,
		    "'%s' is not available in PowerShell 7.", ci->name);
	} else if (ci->avail == PS_AVAIL_76) {
		need_version(c, 7, 0);
		ps_compat_note_add(c, ci->name, "7.0", ne->line,
		    "%s is not available in Windows PowerShell 5.1.", ci->name);
		if (!requires_version7(c))
			ps_rule_emit(c, R_COMPAT_CMDLETS, PS_SEV__MAX, ne, NULL,
			    "'%s' is not available in Windows PowerShell 5.1.", ci->name);
	}
	if (pc->alias != NULL && pc->alias->avail == PS_AVAIL_51 && ci->avail != PS_AVAIL_51) {
		ps_compat_note_add(c, pc->alias->alias, "5.1", ne->line,
		    "The alias '%s' (%s) exists only in Windows PowerShell 5.1; in PowerShell 7 it "
		    "runs a native program or fails.", pc->alias->alias, ci->name);
		ps_rule_emit(c, R_COMPAT_CMDLETS, PS_SEV__MAX, ne, NULL,
		    "The alias '%s' does not exist in PowerShell 7.", pc->alias->alias);
	}
	/* only a cmdlet of both versions with a parameter of one version can get a note */
	for (size_t k = 0; k < n->u.cmd.nargs && ci->avail == PS_AVAIL_BOTH &&
	    ps_catalog_versioned_params(ci); k++) {
		const struct ps_cmd_arg *a = &n->u.cmd.args[k];
		const struct ps_param_info *pi;
		char feature[160];

		if (a->name == NULL || a->param == NULL || ci->avail != PS_AVAIL_BOTH)
			continue;
		pi = ps_catalog_param(ci, a->name, strlen(a->name));
		if (pi == NULL || pi->avail == PS_AVAIL_BOTH || ci->avail != PS_AVAIL_BOTH)
			continue;
		ps_join_parts(feature, sizeof(feature), (const char *const []){ ci->name, " -",
		    pi->name, NULL });
		if (pi->avail == PS_AVAIL_76) {
			need_version(c, 7, 0);
			ps_compat_note_add(c, feature, "7.0", a->param->ext.line,
			    "The -%s parameter of %s needs PowerShell 7.", pi->name, ci->name);
			if (!requires_version7(c))
				ps_rule_emit(c, R_COMPAT_CMDLETS, PS_SEV__MAX, &a->param->ext, NULL,
				    "The -%s parameter of %s is not available in Windows PowerShell "
				    "5.1.", pi->name, ci->name);
		} else {
			ps_compat_note_add(c, feature, "5.1", a->param->ext.line,
			    "The -%s parameter of %s exists only in Windows PowerShell 5.1.",
			    pi->name, ci->name);
			ps_rule_emit(c, R_COMPAT_CMDLETS, PS_SEV__MAX, &a->param->ext, NULL,
			    "The -%s parameter of %s is not available in PowerShell 7.",
			    pi->name, ci->name);
		}
	}
}

/* The one parameter of a catalog cmdlet at a position, or NULL (none, or several in
 * different parameter sets: then the name depends on which set binds). */
static const struct ps_param_info *
param_at(const struct ps_cmdlet_info *ci, int pos)
{
	const struct ps_param_info *found = NULL;

	for (unsigned i = 0; i < ci->nparams; i++) {
		const struct ps_param_info *pi = &ps_catalog_params[ci->param0 + i];

		if (pi->position != pos || pi->avail != PS_AVAIL_BOTH)
			continue;
		if (found != NULL)
			return NULL;
		found = pi;
	}
	return found;
}

/* positional_fix: the command with "-Name " before each positional argument, when every one
 * maps to exactly one parameter (no switch before it that could take its place). */
static void
positional_fix(struct ps_ctx *c, const struct ps_cmd *pc)
{
	const struct ps_node *n = pc->node;
	struct buf b = BUF_INIT;
	size_t at = n->ext.start;

	for (size_t k = 0; k < n->u.cmd.nargs; k++) {
		const struct ps_cmd_arg *a = &n->u.cmd.args[k];
		const struct ps_param_info *pi;

		if (a->splat)
			goto out;
		if (a->maybe_switch) {	/* -Name value: fine when Name takes a value */
			pi = ps_catalog_param(pc->ci, a->name, strlen(a->name));
			if (pi == NULL || (pi->flags & PS_PARAM_SWITCH))
				goto out;
		}
		if (a->name != NULL || a->value == NULL)
			continue;
		if ((pi = param_at(pc->ci, a->position)) == NULL ||
		    (pi->flags & PS_PARAM_SWITCH) || ps_cmd_arg_find(n, pi->name) != NULL)
			goto out;
		buf_append(&b, c->src + at, a->value->ext.start - at);
		buf_printf(&b, "-%s ", pi->name);
		at = a->value->ext.start;
	}
	buf_append(&b, c->src + at, n->ext.end - at);
	ps_rule_fix(c, R_POSITIONAL, n->ext.start, buf_cstr(&b));
out:
	buf_free(&b);
}

/* Positional arguments: PSScriptAnalyzer counts arguments (values) and flags when there are
 * three or more and more of them than named parameters, i.e. some are positional. */
static void
rule_positional(struct ps_ctx *c, const struct ps_cmd *pc)
{
	const struct ps_node *n = pc->node;
	unsigned npositional = 0;

	if (n->u.cmd.has_splat || n->u.cmd.invocation != 0)
		return;
	/* values not preceded by a parameter name (PSScriptAnalyzer counts those) */
	for (size_t k = 0; k < n->u.cmd.nargs; k++)
		if (n->u.cmd.args[k].name == NULL && n->u.cmd.args[k].value != NULL)
			npositional++;
	if (npositional >= 3) {
		ps_rule_emit(c, R_POSITIONAL, PS_SEV__MAX, &n->ext, NULL,
		    "'%s' is called with positional parameters; name them.", pc->canon);
		if (pc->ci != NULL)
			positional_fix(c, pc);
	}
}

static const char *const out_cmdlets[] = {
	"Out-String", "Out-File", "Out-Host", "Out-Printer", "Out-Default", NULL
};

static void
rule_commands(struct ps_ctx *c)
{
	for (size_t i = 0; i < c->p->ncmds; i++) {
		const struct ps_cmd *pc = &c->p->cmds[i];
		const struct ps_node *n = pc->node;
		const struct ps_node *nn = n->u.cmd.name_node;

		if (pc->name == NULL || nn == NULL)
			continue;
		if ((pc->alias != NULL || pc->implicit_get) && ps_rule_on(c, R_CMDLET_ALIAS) &&
		    !ps_settings_alias_allowed(c->p, pc->name)) {
			char sugg[200];

			ps_join_parts(sugg, sizeof(sugg), (const char *const []){ "Replace '",
			    pc->name, "' with '", pc->ci->name, "'.", NULL });
			ps_rule_emit(c, R_CMDLET_ALIAS, PS_SEV__MAX, &nn->ext, sugg,
			    "'%s' is %s of '%s'. Aliases can change or be missing; use the "
			    "full command name.", pc->name, pc->implicit_get ?
			    "an implicit alias (the Get- prefix left out)" : "an alias", pc->ci->name);
			ps_rule_fix(c, R_CMDLET_ALIAS, nn->ext.start, pc->ci->name);
		}
		if (ps_cmd_is(pc, "Write-Host")) {
			const struct ps_node *f = n->func;

			if (f == NULL || f->kind != PS_NODE_FUNCTION || !ps_ci_prefix(f->u.fn.name, "Show"))
				ps_rule_emit(c, R_WRITE_HOST, PS_SEV__MAX, &n->ext, NULL,
				    "'%s' writes to the host only; its output cannot be captured "
				    "or redirected.", pc->name);
		}
		if (ps_cmd_is_any(pc, wmi_cmdlets) && !requires_version2(c))
			ps_rule_emit(c, R_WMI_CMDLET, PS_SEV__MAX, &nn->ext, NULL,
			    "'%s' is a deprecated WMI cmdlet; use the CIM cmdlets.", pc->canon);
		if (pc->ci != NULL && pc->alias == NULL && !pc->implicit_get &&
		    strchr(pc->name, '\\') == NULL &&
		    strcmp(pc->name, pc->ci->name) != 0 && ps_rule_on(c, R_CORRECT_CASING)) {
			char sugg[200];

			ps_join_parts(sugg, sizeof(sugg), (const char *const []){ "Write '",
			    pc->ci->name, "'.", NULL });
			ps_rule_emit(c, R_CORRECT_CASING, PS_SEV__MAX, &nn->ext, sugg,
			    "'%s' is not written with the documented casing '%s'.", pc->name,
			    pc->ci->name);
			ps_rule_fix(c, R_CORRECT_CASING, nn->ext.start, pc->ci->name);
		}
		if (pc->ci != NULL)
			compat_command(c, pc);
		if (pc->ci != NULL || pc->local_function)
			rule_positional(c, pc);
		{
			const char *t = ps_ctx_new_object_type(c, pc);

			if (t != NULL && (ps_ci_eq(t, "hashtable") ||
			    ps_ci_eq(t, "System.Collections.Hashtable") ||
			    ps_ci_eq(t, "Collections.Hashtable")))
				ps_rule_emit(c, R_HASHTABLE_LITERAL, PS_SEV__MAX, &n->ext, NULL,
				    "Create hashtables with @{} (case-insensitive keys), not New-Object.");
		}
	}
}

static void
rule_pipelines(struct ps_ctx *c)
{
	const struct ps_nodes *ps = &c->ast->pipelines;

	for (size_t i = 0; i < ps->n; i++) {
		const struct ps_nodes *el = &ps->v[i]->u.pipe.elems;

		for (size_t k = 0; k + 1 < el->n; k++) {
			const struct ps_cmd *pc = ps_ctx_cmd(c, el->v[k]), *next;

			if (pc == NULL || pc->ci == NULL || !ps_ci_prefix(pc->ci->name, "Format-"))
				continue;
			next = ps_ctx_cmd(c, el->v[k + 1]);
			if (next != NULL && ps_cmd_is_any(next, out_cmdlets))
				continue;
			ps_rule_emit(c, R_FORMAT_NOT_LAST, PS_SEV__MAX, &pc->node->ext, NULL,
			    "'%s' is followed by other commands in the pipeline; they receive "
			    "formatting records, not your objects.", pc->canon);
		}
	}
}

/* Scalar types: compared with $null they test for null (no filtering). */
static const char *const scalar_types[] = {
	"string", "int", "long", "double", "bool", "char", "byte", "decimal", "single", "float",
	"datetime", "guid", "System.String", "System.Int32", "System.Int64", "System.Double",
	"System.Boolean", "System.DateTime", "Int32", "Int64", "Boolean", "DateTime", NULL
};

/* scalar_expr: the expression is known to be one value, never a collection: a literal, a
 * cast to a scalar type, a string built with -f or -join, $true/$false. */
static bool
scalar_expr(const struct ps_node *e)
{
	while (e != NULL && e->kind == PS_NODE_PAREN && e->u.list.items.n == 1)
		e = e->u.list.items.v[0];
	if (e == NULL)
		return false;
	switch (e->kind) {
	case PS_NODE_STRING:
	case PS_NODE_NUMBER:
		return true;
	case PS_NODE_CONVERT:
		return e->u.conv.type != NULL && e->u.conv.type->kind == PS_NODE_TYPE &&
		    ps_name_in(e->u.conv.type->u.type.name, scalar_types);
	case PS_NODE_BINARY:
		return e->u.bin.op == PS_OP_F || e->u.bin.op == PS_OP_JOIN;
	case PS_NODE_UNARY:
		return e->u.un.op == PS_OP_JOIN || e->u.un.op == PS_OP_NOT;
	case PS_NODE_VARIABLE:
		return e->u.var.scope == NULL && (ps_ci_eq(e->u.var.name, "true") ||
		    ps_ci_eq(e->u.var.name, "false"));
	default:
		return false;
	}
}

/* null_swap_fix: $x -eq $null becomes $null -eq $x (the operator and its spacing kept). */
static void
null_swap_fix(struct ps_ctx *c, const struct ps_node *n)
{
	const struct ps_node *l = n->u.bin.left, *r = n->u.bin.right;
	size_t ll = l->ext.end - l->ext.start, ol = r->ext.start - l->ext.end,
	    rl = r->ext.end - r->ext.start;
	char *fix;

	if (l->ext.start != n->ext.start || r->ext.end != n->ext.end || ll + ol + rl > 4096)
		return;
	fix = ps_ast_bytes(c->ast, ll + ol + rl + 1);
	memcpy(fix, c->src + r->ext.start, rl);
	memcpy(fix + rl, c->src + l->ext.end, ol);
	memcpy(fix + rl + ol, c->src + l->ext.start, ll);
	fix[ll + ol + rl] = '\0';
	ps_rule_fix(c, R_NULL_COMPARISON, n->ext.start, fix);
}

static void
rule_binaries(struct ps_ctx *c)
{
	const struct ps_nodes *b = &c->ast->binaries;

	for (size_t i = 0; i < b->n; i++) {
		const struct ps_node *n = b->v[i];

		const struct ps_node *l = n->u.bin.left, *r = n->u.bin.right;

		if ((n->u.bin.op == PS_OP_EQ || n->u.bin.op == PS_OP_NE) &&
		    ps_node_is_null(r) && !ps_node_is_null(l) && !scalar_expr(l)) {
			ps_rule_emit(c, R_NULL_COMPARISON, PS_SEV__MAX, &n->ext,
			    "Put $null on the left side of the comparison.",
			    "$null should be on the left side of equality comparisons.");
			null_swap_fix(c, n);
		}
	}
}

static void
rule_catches(struct ps_ctx *c)
{
	const struct ps_nodes *cs = &c->ast->catches;

	for (size_t i = 0; i < cs->n; i++) {
		const struct ps_node *n = cs->v[i], *body = n->u.ctch.body;

		if (n->kind != PS_NODE_CATCH || body == NULL)
			continue;
		if (body->kind == PS_NODE_STATEMENT_BLOCK && body->u.blk.statements.n == 0)
			ps_rule_emit(c, R_EMPTY_CATCH, PS_SEV__MAX, &n->ext, NULL,
			    "Empty catch block: errors are silently ignored.");
	}
}

/* Unwrap a condition to what it evaluates. */
static const struct ps_node *
cond_inner(const struct ps_node *n)
{
	while (n != NULL && n->kind == PS_NODE_PIPELINE && n->u.pipe.elems.n == 1)
		n = n->u.pipe.elems.v[0];
	return n;
}

static bool
rhs_is_command(const struct ps_node *rhs)
{
	rhs = cond_inner(rhs);
	if (rhs == NULL)
		return false;
	if (rhs->kind == PS_NODE_COMMAND)
		return true;
	return rhs->kind == PS_NODE_PIPELINE;
}

static void
check_condition(struct ps_ctx *c, const struct ps_node *cond)
{
	const struct ps_node *in = cond_inner(cond);

	if (in == NULL)
		return;
	if (in->kind == PS_NODE_ASSIGNMENT && in->u.asg.op == PS_OP_ASSIGN) {
		size_t k = in->u.asg.lhs->ext.end;

		while (k < c->len && (c->src[k] == ' ' || c->src[k] == '\t'))
			k++;
		if (k + 1 < c->len && c->src[k] == '=' && c->src[k + 1] == '=')
			ps_rule_emit(c, R_ASSIGN_IN_COND, PS_SEV__MAX, &in->ext, NULL,
			    "'==' is not a PowerShell operator: it assigns; use -eq.");
		else if (!rhs_is_command(in->u.asg.rhs))
			ps_rule_emit(c, R_ASSIGN_IN_COND, PS_SEV__MAX, &in->ext, NULL,
			    "Did you mean -eq? '=' assigns.");
	}
	for (uint32_t t = cond->tok_first; t <= cond->tok_last && t < c->ast->toks.n; t++) {
		const struct ps_token *tk = &c->ast->toks.v[t];

		if (tk->kind == PS_TOK_REDIRECTION && c->src[tk->start] == '>') {
			ps_rule_emit_range(c, R_REDIRECT_IN_COND, PS_SEV__MAX, tk->start, tk->end, NULL,
			    "Did you mean -gt? '>' redirects output to a file.");
			break;
		}
	}
}

static int
style_visit(struct ps_node *n, void *arg)
{
	struct ps_ctx *c = arg;

	switch (n->kind) {
	case PS_NODE_IF:
		for (size_t i = 0; i < n->u.ifs.conds.n; i++)
			check_condition(c, n->u.ifs.conds.v[i]);
		break;
	case PS_NODE_WHILE:
	case PS_NODE_DO_WHILE:
	case PS_NODE_DO_UNTIL:
		if (n->u.loop.cond != NULL)
			check_condition(c, n->u.loop.cond);
		break;
	case PS_NODE_UNARY:
		if (n->u.un.op == PS_OP_NOT && n->ext.start < c->len && c->src[n->ext.start] == '!')
			ps_rule_emit_range(c, R_EXCLAIM, PS_SEV__MAX, n->ext.start, n->ext.start + 1, NULL,
			    "Use -not instead of '!'.");
		if (n->u.un.op == PS_OP_NOT && n->ext.start < c->len && c->src[n->ext.start] == '!')
			ps_rule_fix(c, R_EXCLAIM, n->ext.start, "-not ");
		break;
	case PS_NODE_TERNARY:
		need_version(c, 7, 0);
		ps_compat_note_add(c, "?: (ternary operator)", "7.0", n->ext.line,
		    "The ternary operator ?: needs PowerShell 7.");
		if (!requires_version7(c))
			ps_rule_emit(c, R_COMPAT_SYNTAX, PS_SEV__MAX, &n->ext, NULL,
			    "The ternary operator needs PowerShell 7.");
		break;
	case PS_NODE_INVOKE_MEMBER:
		if (n->u.mem.is_static && ps_ci_eq(n->u.mem.name, "new") && n->u.mem.args.n == 0 &&
		    n->u.mem.target != NULL && n->u.mem.target->kind == PS_NODE_TYPE) {
			const char *t = n->u.mem.target->u.type.name;

			if (ps_ci_eq(t, "hashtable") || ps_ci_eq(t, "System.Collections.Hashtable"))
				ps_rule_emit(c, R_HASHTABLE_LITERAL, PS_SEV__MAX, &n->ext, NULL,
				    "Create hashtables with @{} (case-insensitive keys), not ::new().");
		}
		break;
	default:
		break;
	}
	return PS_WALK_CONTINUE;
}

/* Line rules: trailing whitespace, misleading backticks, long lines. */
static void
rule_lines(struct ps_ctx *c)
{
	const struct ps_tokens *t = &c->ast->toks;
	unsigned char *in_string = ps_scratch_alloc(c->p, t->nlines + 2);
	const char *low = c->p->lower;
	/* off (by default): no line is measured */
	size_t maxlen = ps_rule_on(c, R_LONG_LINES) ? settings_max_line(c->p) : SIZE_MAX;

	/* Lines whose end lies inside a multi-line string: their whitespace is data. */
	for (size_t i = 0; i < t->n; i++) {
		const struct ps_token *tk = &t->v[i];
		uint32_t el;

		if (tk->kind != PS_TOK_STRING_SQ && tk->kind != PS_TOK_STRING_DQ &&
		    tk->kind != PS_TOK_HERESTRING_SQ && tk->kind != PS_TOK_HERESTRING_DQ)
			continue;
		el = tk->end_line;
		for (uint32_t l = tk->line; l < el && l <= t->nlines; l++)
			in_string[l] = 1;
	}
	for (size_t l = 1; l <= t->nlines; l++) {
		size_t s = t->line_starts[l - 1], e = l < t->nlines ? t->line_starts[l] : c->len;
		size_t chars = 0, ws;

		while (e > s && (c->src[e - 1] == '\n' || c->src[e - 1] == '\r'))
			e--;
		for (size_t i = s; i < e && e - s > maxlen; i++)	/* short lines cannot be too long */
			if (((unsigned char)c->src[i] & 0xC0) != 0x80)
				chars++;
		if (chars > maxlen)
			ps_rule_emit_range(c, R_LONG_LINES, PS_SEV__MAX, s, e, NULL,
			    "Line is %zu characters long (maximum %zu).", chars, maxlen);
		if (in_string[l])
			continue;
		ws = e;
		while (ws > s && (c->src[ws - 1] == ' ' || c->src[ws - 1] == '\t'))
			ws--;
		if (ws == e)
			continue;
		if (ws > s && low[ws - 1] == '`') {
			ps_rule_emit_range(c, R_MISLEADING_BACKTICK, PS_SEV__MAX, ws - 1, e, NULL,
			    "This backtick is followed by whitespace, so it does not continue the "
			    "line.");
		}
		ps_rule_emit_range(c, R_TRAILING_WS, PS_SEV__MAX, ws, e, NULL,
		    "Line has trailing whitespace.");
		ps_rule_fix(c, R_TRAILING_WS, ws, "");
	}
	ps_scratch_free(in_string, t->nlines + 2);
}

/* The length of the quote character of a double-quoted string at s (n bytes): 1 for '"',
 * 3 for the typographic ones PowerShell also takes (U+201C, U+201D, U+201E), else 0. When
 * single is true, the single quotes instead ('\'' and U+2018 to U+201B). */
static size_t
quote_at(const char *s, size_t n, bool single)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n >= 1 && u[0] == (single ? '\'' : '"'))
		return 1;
	if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
	    (single ? u[2] >= 0x98 && u[2] <= 0x9B : u[2] >= 0x9C && u[2] <= 0x9E))
		return 3;
	return 0;
}

/* PSAvoidUsingDoubleQuotesForConstantString (off by default): a "..." string with nothing
 * to expand, no escape (backtick), no quote of either kind inside (a doubled "" or a single
 * quote, where double quotes read better): the fix writes the same text in single quotes,
 * which PowerShell reads as the same value. */
static void
dq_constant(struct ps_ctx *c, const struct ps_token *tk)
{
	const char *s = c->src + tk->start;
	size_t len = tk->end - tk->start, ol, cl = 0;
	char *fix;

	if (tk->flags & (PS_TOKF_EXPANDABLE | PS_TOKF_UNTERMINATED) || (ol = quote_at(s, len, false)) == 0)
		return;
	for (size_t k = 1; k <= 3 && k <= len - ol && cl == 0; k++)
		if (quote_at(s + len - k, k, false) == k)
			cl = k;
	if (cl == 0)
		return;
	for (size_t i = ol; i < len - cl; i++)
		if (s[i] == '`' || quote_at(s + i, len - cl - i, false) || quote_at(s + i, len - cl - i, true))
			return;
	ps_rule_emit_range(c, R_DQ_CONSTANT, PS_SEV__MAX, tk->start, tk->end, NULL,
	    "The constant string %.*s is in double quotes.", (int)(len > 60 ? 60 : len), s);
	fix = ps_scratch_alloc(c->p, len - ol - cl + 3);
	fix[0] = '\'';
	memcpy(fix + 1, s + ol, len - ol - cl);
	fix[len - ol - cl + 1] = '\'';
	fix[len - ol - cl + 2] = '\0';
	ps_rule_fix(c, R_DQ_CONSTANT, tk->start, fix);
	ps_scratch_free(fix, len - ol - cl + 3);
}

int
ps_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The offsets of the script blocks written as elements of a command (its name or an
 * argument: `% { }`, `& { }`, `Invoke-Command -ScriptBlock { }`), sorted; *n gets how many. */
uint32_t *
ps_command_block_starts(struct ps_ctx *c, size_t *n, size_t *cap)
{
	const struct ps_nodes *cmds = &c->ast->commands;
	uint32_t *v;

	*n = *cap = 0;
	for (size_t i = 0; i < cmds->n; i++)
		*cap += cmds->v[i]->u.cmd.elems.n + 1;
	v = ps_scratch_alloc(c->p, (*cap + 1) * sizeof(*v));
	for (size_t i = 0; i < cmds->n; i++) {
		const struct ps_node *cmd = cmds->v[i];

		if (cmd->u.cmd.name_node != NULL && cmd->u.cmd.name_node->kind == PS_NODE_SCRIPTBLOCK_EXPR)
			v[(*n)++] = cmd->u.cmd.name_node->ext.start;
		for (size_t k = 0; k < cmd->u.cmd.elems.n; k++)
			if (cmd->u.cmd.elems.v[k]->kind == PS_NODE_SCRIPTBLOCK_EXPR)
				v[(*n)++] = cmd->u.cmd.elems.v[k]->ext.start;
	}
	qsort(v, *n, sizeof(*v), ps_cmp_u32);
	return v;
}

/*
 * PSPlaceOpenBrace (off by default), per its documentation and options: OnSameLine ($true:
 * a "{" that starts a line after a line break is reported; $false: one that does not),
 * NewLineAfter ($true: a "{" must end its line) and IgnoreOneLineBlock ($true: a "{" whose
 * "}" is on the same line is left alone). A "{" written as an element of a command (a
 * script block argument such as `% { $_ }`) is never reported: moving it would change the
 * command. "@{" is a hashtable, not a brace of this rule. The NewLineAfter finding carries
 * its fix (a line break after the brace, in the line ending the script uses); moving a
 * brace to another line is left to the author.
 */
static void
rule_open_brace(struct ps_ctx *c)
{
	const struct ps_tokens *t = &c->ast->toks;
	const struct ps_settings *st = c->p->opts != NULL ? c->p->opts->settings : NULL;
	bool same = st == NULL || !st->brace_other_line, after = st == NULL || !st->brace_no_newline_after,
	    one = st == NULL || !st->brace_one_line_checked;
	size_t nargs, cap, depth = 0, prev1 = SIZE_MAX, seen = 0;
	uint32_t *args = ps_command_block_starts(c, &nargs, &cap);
	size_t *stack = ps_scratch_alloc(c->p, (t->n + 1) * sizeof(*stack));
	uint8_t *skip = ps_scratch_alloc(c->p, t->n + 1);

	for (size_t i = 0; i < t->n; i++) {
		const struct ps_token *tk = &t->v[i];

		if (tk->flags & PS_TOKF_NESTED)
			continue;
		if (tk->kind == PS_TOK_LBRACE && nargs > 0 &&
		    bsearch(&tk->start, args, nargs, sizeof(*args), ps_cmp_u32) != NULL)
			skip[i] = 1;
		if (tk->kind == PS_TOK_LBRACE || tk->kind == PS_TOK_HASH_START)
			stack[depth++] = i;
		else if (tk->kind == PS_TOK_RBRACE && depth > 0) {
			size_t o = stack[--depth];

			if (one && t->v[o].kind == PS_TOK_LBRACE && t->v[o].line == tk->line)
				skip[o] = 1;
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct ps_token *tk = &t->v[i];

		if (tk->flags & PS_TOKF_NESTED)
			continue;
		if (tk->kind == PS_TOK_LBRACE && !skip[i]) {
			size_t next = i + 1;

			while (next < t->n && (t->v[next].flags & PS_TOKF_NESTED))
				next++;
			if (same && seen >= 2 && t->v[prev1].kind == PS_TOK_NEWLINE)
				ps_rule_emit_range(c, R_OPEN_BRACE, PS_SEV__MAX, tk->start, tk->end, NULL,
				    "Open brace is not on the same line as the preceding keyword.");
			else if (!same && seen >= 1 && t->v[prev1].kind != PS_TOK_NEWLINE)
				ps_rule_emit_range(c, R_OPEN_BRACE, PS_SEV__MAX, tk->start, tk->end, NULL,
				    "Open brace is on the same line as the preceding keyword; the style "
				    "puts it on the next line.");
			if (after && (next == t->n || t->v[next].kind != PS_TOK_NEWLINE)) {
				const char *nl = memchr(c->src + tk->end, '\n', c->len - tk->end);

				ps_rule_emit_range(c, R_OPEN_BRACE, PS_SEV__MAX, tk->start, tk->end, NULL,
				    "There is no new line after the open brace.");
				ps_rule_fix(c, R_OPEN_BRACE, tk->start,
				    nl != NULL && nl > c->src + tk->end && nl[-1] == '\r' ? "{\r\n" : "{\n");
			}
		}
		prev1 = i;
		seen++;
	}
	ps_scratch_free(skip, t->n + 1);
	ps_scratch_free(stack, (t->n + 1) * sizeof(*stack));
	ps_scratch_free(args, (cap + 1) * sizeof(*args));
}

/* Token rules: semicolons at line end, PowerShell 7 operators, constant strings in double
 * quotes. */
static void
rule_tokens(struct ps_ctx *c)
{
	const struct ps_tokens *t = &c->ast->toks;
	uint8_t stack[256];
	size_t depth = 0;
	bool v7 = requires_version7(c);

	for (size_t i = 0; i < t->n; i++) {
		const struct ps_token *tk = &t->v[i];
		const char *feature = NULL;

		if (tk->flags & PS_TOKF_NESTED)
			continue;
		switch (tk->kind) {
		case PS_TOK_LBRACE: case PS_TOK_HASH_START: case PS_TOK_LPAREN:
		case PS_TOK_SUBEXPR: case PS_TOK_ARRAY_EXPR:
			if (depth < sizeof(stack))
				stack[depth] = tk->kind;
			depth++;
			break;
		case PS_TOK_RBRACE: case PS_TOK_RPAREN:
			if (depth > 0)
				depth--;
			break;
		case PS_TOK_STRING_DQ:
			if (c->p->enabled[R_DQ_CONSTANT])
				dq_constant(c, tk);
			break;
		case PS_TOK_SEMICOLON: {
			size_t j = i + 1;

			if (depth > 0 && depth <= sizeof(stack) && stack[depth - 1] == PS_TOK_HASH_START)
				break;
			while (j < t->n && (t->v[j].kind == PS_TOK_COMMENT ||
			    (t->v[j].flags & PS_TOKF_NESTED)))
				j++;
			if (j == t->n || t->v[j].kind == PS_TOK_NEWLINE)
				ps_rule_emit_range(c, R_SEMICOLONS, PS_SEV__MAX, tk->start, tk->end, NULL,
				    "Line ends with a semicolon.");
			ps_rule_fix(c, R_SEMICOLONS, tk->start, "");
			break;
		}
		case PS_TOK_OPERATOR:
			switch (tk->sub) {
			case PS_OP_COALESCE: feature = "?? (null-coalescing operator)"; break;
			case PS_OP_COALESCE_ASSIGN: feature = "?\?= (null-coalescing assignment)"; break;
			case PS_OP_NULL_DOT: feature = "?. (null-conditional member access)"; break;
			case PS_OP_NULL_INDEX: feature = "?[] (null-conditional index)"; break;
			case PS_OP_AND_AND: feature = "&& (pipeline chain operator)"; break;
			case PS_OP_OR_OR: feature = "|| (pipeline chain operator)"; break;
			default: break;
			}
			break;
		case PS_TOK_KEYWORD:
			if (tk->sub == PS_KW_CLEAN)
				feature = "clean block";
			break;
		default:
			break;
		}
		if (feature == NULL)
			continue;
		need_version(c, 7, 0);
		ps_compat_note_add(c, feature, "7.0", tk->line, "%s needs PowerShell 7.", feature);
		if (!v7)
			ps_rule_emit_range(c, R_COMPAT_SYNTAX, PS_SEV__MAX, tk->start, tk->end,
			    NULL, "%s needs PowerShell 7; Windows PowerShell 5.1 cannot parse it.", feature);
	}
	/* #Requires -Version sets the floor. */
	for (size_t i = 0; i < c->ast->nrequires; i++) {
		const struct ps_requires *r = &c->ast->requires[i];
		unsigned maj = 0, min = 0;
		const char *v = r->value;

		if (!ps_ci_eq(r->key, "Version") || v == NULL)
			continue;
		while (*v >= '0' && *v <= '9' && maj < 100)
			maj = maj * 10 + (unsigned)(*v++ - '0');
		if (*v == '.')
			v++;
		while (*v >= '0' && *v <= '9' && min < 100)
			min = min * 10 + (unsigned)(*v++ - '0');
		need_version(c, maj, min);
	}
	if (c->ast->classes.n > 0)
		need_version(c, 5, 0);
}

static void
rule_bom(struct ps_ctx *c)
{
	const unsigned char *s = (const unsigned char *)c->src;

	if (c->len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		return;
	if (c->len >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF)))
		return;
	if (c->ast->toks.ascii && c->ast->toks.len == c->len)
		return;	/* the tokenizer saw no byte above 0x7F */
	for (size_t i = 0; i < c->len; i++) {
		if (s[i] >= 0x80) {
			size_t e = i + 1;

			while (e < c->len && (s[e] & 0xC0) == 0x80)
				e++;
			ps_rule_emit_range(c, R_BOM, PS_SEV__MAX, i, e, NULL,
			    "Non-ASCII text without a byte order mark; Windows PowerShell 5.1 will "
			    "misread it.");
			return;
		}
	}
}

void
ps_rules_style_run(struct ps_ctx *c)
{
	struct varset *reads = reads_build(c);

	c->p->reads = reads;

	rule_commands(c);
	rule_pipelines(c);
	rule_variables(c);
	rule_declared_vars(c, reads);
	rule_binaries(c);
	rule_catches(c);
	if (c->ast->kinds & (NODE_BIT(PS_NODE_IF) | NODE_BIT(PS_NODE_WHILE) |
	    NODE_BIT(PS_NODE_DO_WHILE) | NODE_BIT(PS_NODE_DO_UNTIL) | NODE_BIT(PS_NODE_UNARY) |
	    NODE_BIT(PS_NODE_TERNARY) | NODE_BIT(PS_NODE_INVOKE_MEMBER)))
		ps_ast_walk_tree(c->ast, style_visit, c);	/* the kinds style_visit acts on */
	rule_lines(c);
	rule_tokens(c);
	if (c->p->enabled[R_OPEN_BRACE])
		rule_open_brace(c);
	rule_bom(c);
}
