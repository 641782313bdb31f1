#include "config.h"
/* rules_functions.c: rules on function definitions, parameters and comment-based help */

#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include "analyzer/rules.h"

static const char *const approved_verbs[] = {
	"Add", "Approve", "Assert", "Backup", "Block", "Build", "Checkpoint", "Clear", "Close",
	"Compare", "Complete", "Compress", "Confirm", "Connect", "Convert", "ConvertFrom",
	"ConvertTo", "Copy", "Debug", "Deny", "Deploy", "Disable", "Disconnect", "Dismount",
	"Edit", "Enable", "Enter", "Exit", "Expand", "Export", "Find", "Format", "Get", "Grant",
	"Group", "Hide", "Import", "Initialize", "Install", "Invoke", "Join", "Limit", "Lock",
	"Measure", "Merge", "Mount", "Move", "New", "Open", "Optimize", "Out", "Ping", "Pop",
	"Protect", "Publish", "Push", "Read", "Receive", "Redo", "Register", "Remove", "Rename",
	"Repair", "Request", "Reset", "Resize", "Resolve", "Restart", "Restore", "Resume",
	"Revoke", "Save", "Search", "Select", "Send", "Set", "Show", "Skip", "Split", "Start",
	"Step", "Stop", "Submit", "Suspend", "Switch", "Sync", "Test", "Trace", "Unblock",
	"Undo", "Uninstall", "Unlock", "Unprotect", "Unpublish", "Unregister", "Update", "Use",
	"Wait", "Watch", "Write", NULL
};

static const char *const state_verbs[] = {
	"New", "Set", "Remove", "Start", "Stop", "Restart", "Reset", "Update", NULL
};

/* Nouns that end in s but are singular (or have no singular). */
static const char *const singular_s[] = {
	"Data", "Windows", "Status", "Alias", "Process", "Address", "Access", "Class", "Bus",
	"News", "Series", "Species", "Canvas", "Analysis", "Basis", "Axis", "Campus", "Virus",
	"Corpus", "Bonus", "Consensus", "Focus", "Radius", "Success", "Progress", "Business",
	"Dns", "Sms", "Os", "Gps", "Vss", "Ps", "Ms", "Aws", "Iis", "Cms", "Https", "Sas", NULL
};

static bool
is_type(const char *t, const char *const *names)
{
	if (t == NULL)
		return false;
	for (; *names != NULL; names++) {
		size_t n = strlen(t), m = strlen(*names);

		if (strcasecmp(t, *names) == 0)
			return true;
		/* System.Management.Automation.PSCredential ends with .PSCredential */
		if (n > m && t[n - m - 1] == '.' && strcasecmp(t + n - m, *names) == 0)
			return true;
	}
	return false;
}

static const char *const cred_types[] = { "PSCredential", NULL };
/* a Password switch or flag is not a password (PSScriptAnalyzer ignores them too) */
static const char *const not_password_types[] = { "PSCredential", "switch", "SwitchParameter",
	"bool", "Boolean", NULL };
static const char *const string_types[] = { "string", "string[]", "object", "object[]", NULL };

/* PSScriptAnalyzer's documented list of password parameter names (case-insensitive). */
static const char *const pssa_password_names[] = { "Password", "Pass", "Passwords", "Passphrase",
	"Passphrases", "PasswordParam", NULL };
static const char *const switch_types[] = { "switch", "SwitchParameter", NULL };

static bool
is_password_name(const char *name)
{
	return ps_ci_contains(name, strlen(name), "password") ||
	    ps_ci_contains(name, strlen(name), "passphrase") || ps_ci_eq(name, "pass") ||
	    ps_ci_eq(name, "pwd") || ps_ci_eq(name, "passwords");
}

/* Plurals that do not end in s (Latin, Greek and irregular English ones). */
static const char *const plural_no_s[] = {
	"Criteria", "Phenomena", "Bacteria", "Curricula", "Memoranda", "Strata",
	"Formulae", "Antennae", "Alumni", "Cacti", "Fungi", "Radii", "Stimuli", "Syllabi",
	"People", "Children", "Men", "Women", "Feet", "Teeth", "Mice", "Geese", NULL
};

static bool
is_plural_noun(const char *noun)
{
	const char *last = noun;
	size_t n;

	/* The last word of a PascalCase noun: Get-ChildItems -> Items. */
	for (const char *p = noun; *p; p++)
		if (*p >= 'A' && *p <= 'Z' && p > noun && p[-1] >= 'a' && p[-1] <= 'z')
			last = p;
	n = strlen(last);
	if (ps_name_in(last, plural_no_s))
		return true;
	if (n < 3 || (last[n - 1] != 's' && last[n - 1] != 'S'))
		return false;
	if (ps_name_in(last, singular_s) || ps_name_in(noun, singular_s))
		return false;
	if (ps_ci_suffix(last, "ss") || ps_ci_suffix(last, "us") || ps_ci_suffix(last, "is") ||
	    ps_ci_suffix(last, "ics"))
		return false;
	/* all-caps acronyms (DNS, VSS) are not plurals */
	for (size_t i = 0; i < n; i++)
		if (last[i] >= 'a' && last[i] <= 'z')
			return true;
	return false;
}

static const char *
strip_scope(const char *name)
{
	const char *colon = strchr(name, ':');

	if (colon != NULL && (ps_ci_prefix(name, "global:") || ps_ci_prefix(name, "script:") ||
	    ps_ci_prefix(name, "local:") || ps_ci_prefix(name, "private:")))
		return colon + 1;
	return name;
}

/* has_switch: the function has a [switch] parameter of that name ([string]$Force is not
 * one: -Force alone would not bind to it). */
static bool
has_switch(const struct ps_node *fn, const char *name)
{
	for (size_t i = 0; i < fn->u.fn.params.n; i++)
		if (ps_ci_eq(fn->u.fn.params.v[i]->u.param.name, name))
			return is_type(fn->u.fn.params.v[i]->u.param.type, switch_types);
	return false;
}

static bool
has_process_block(const struct ps_node *fn)
{
	const struct ps_node *body = fn->u.fn.body;

	if (body == NULL)
		return false;
	for (size_t i = 0; i < body->u.sb.named_blocks.n; i++)
		if (body->u.sb.named_blocks.v[i]->u.blk.which == PS_KW_PROCESS)
			return true;
	return false;
}

/* first_sp_param: p is the first -WhatIf or -Confirm of its parameter list (one
 * PSUseSupportsShouldProcess finding per function, as PSScriptAnalyzer reports it). */
static bool
first_sp_param(const struct ps_node *p)
{
	const struct ps_node *par = p->parent;
	const struct ps_nodes *list = par == NULL ? NULL : par->kind == PS_NODE_PARAM_BLOCK ?
	    &par->u.pb.params : par->kind == PS_NODE_FUNCTION ? &par->u.fn.params :
	    par->kind == PS_NODE_METHOD_MEMBER ? &par->u.meth.params : NULL;

	for (size_t i = 0; list != NULL && i < list->n && list->v[i] != p; i++) {
		const char *n = list->v[i]->u.param.name;

		if (n != NULL && (ps_ci_eq(n, "WhatIf") || ps_ci_eq(n, "Confirm")))
			return false;
	}
	return true;
}

/* Rules on one parameter, wherever it is declared (function, script, method). */
static void
check_parameter(struct ps_ctx *c, const struct ps_node *p, bool advanced)
{
	const char *name = p->u.param.name, *type = p->u.param.type;
	const struct ps_extent *e = p->u.param.var ? &p->u.param.var->ext : &p->ext;
	const struct ps_node *pattr = ps_attr_find(&p->u.param.attributes, "Parameter");
	size_t ntypes = 0;
	int ak;

	if (name == NULL)
		return;
	for (size_t i = 0; i < p->u.param.attributes.n; i++)
		if (p->u.param.attributes.v[i]->kind == PS_NODE_TYPE)
			ntypes++;
	if (ntypes > 1)
		ps_rule_emit(c, R_MULTIPLE_TYPES, PS_SEV__MAX, &p->ext, NULL,
		    "Parameter '$%s' has %zu type constraints.", name, ntypes);
	if (is_type(type, switch_types) && ps_node_is_true(p->u.param.default_value))
		ps_rule_emit(c, R_SWITCH_DEFAULT, PS_SEV__MAX, &p->ext, NULL,
		    "Switch parameter '$%s' defaults to $true.", name);
	if (p->u.param.mandatory && p->u.param.default_value != NULL)
		ps_rule_emit(c, R_MANDATORY_DEFAULT, PS_SEV__MAX, &p->ext, NULL,
		    "Mandatory parameter '$%s' has a default value.", name);
	if (pattr != NULL) {
		const struct ps_node *hm = ps_attr_named_arg(pattr, "HelpMessage");

		if (hm != NULL) {
			const char *v = hm->u.nattr.value != NULL ?
			    ps_node_const_string(hm->u.nattr.value) : "";	/* bare: empty */

			if ((v != NULL && v[0] == '\0') || ps_node_is_null(hm->u.nattr.value))
				ps_rule_emit(c, R_EMPTY_HELP_MESSAGE, PS_SEV__MAX, &hm->ext, NULL,
				    "HelpMessage of '$%s' is empty.", name);
		}
	}
	if (ps_name_in(name, pssa_password_names) && (type == NULL || is_type(type, string_types)))
		ps_rule_emit(c, R_PLAINTEXT_PASSWORD, PS_SEV__MAX, e, NULL,
		    "Parameter '$%s' should use SecureString, otherwise the password is exposed.",
		    name);
	if ((ps_ci_eq(name, "Credential") || ps_ci_eq(name, "Credentials") ||
	    ps_ci_suffix(name, "Credential")) && !is_type(type, cred_types) &&
	    ps_attr_find(&p->u.param.attributes, "Credential") == NULL &&
	    ps_attr_find(&p->u.param.attributes, "System.Management.Automation.Credential") == NULL)
		ps_rule_emit(c, R_PSCREDENTIAL_TYPE, PS_SEV__MAX, e, NULL,
		    "The Credential parameter '$%s' should be of type PSCredential.", name);
	if ((ak = ps_style_is_automatic(name)) != 0)
		ps_rule_emit(c, R_AUTOMATIC_VAR, ak == 2 ? PS_SEV_ERROR : PS_SEV_WARNING, e, NULL,
		    "'$%s' is an automatic variable; do not use it as a parameter name.", name);
	if (advanced && ps_catalog_common_param(name, strlen(name)) && !ps_ci_eq(name, "WhatIf") &&
	    !ps_ci_eq(name, "Confirm"))
		ps_rule_emit(c, R_RESERVED_PARAMS, PS_SEV__MAX, e, NULL,
		    "'$%s' is a common parameter and cannot be declared in an advanced function.",
		    name);
	if ((ps_ci_eq(name, "WhatIf") || ps_ci_eq(name, "Confirm")) && first_sp_param(p))
		ps_rule_emit(c, R_SUPPORTS_SP, PS_SEV__MAX, e, NULL,
		    "Declare SupportsShouldProcess instead of a '$%s' parameter.", name);
}

static bool
is_advanced(const struct ps_node *fn)
{
	if (fn->u.fn.cmdletbinding)
		return true;
	for (size_t i = 0; i < fn->u.fn.params.n; i++)
		if (ps_attr_find(&fn->u.fn.params.v[i]->u.param.attributes, "Parameter") != NULL)
			return true;
	return false;
}

struct sp_calls {
	const struct exports *exports;	/* NULL: every function is exported */
	const char **ssp;		/* names of the functions declaring SupportsShouldProcess */
	size_t nssp;
	const struct ps_node **sp;	/* func of each ShouldProcess call */
	size_t nsp;
	const struct ps_node **sc;	/* func of each ShouldContinue call */
	size_t nsc;
};

static bool
called_in(const struct ps_node **v, size_t n, const struct ps_node *fn)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == fn)
			return true;
	return false;
}

/* calls_should_process_command: fn calls a cmdlet with -WhatIf or one of the script's
 * functions declaring SupportsShouldProcess: their ShouldProcess honours fn's -WhatIf and
 * -Confirm (the preference variables carry them), so fn needs no call of its own. */
/*
 * The functions a module exports (PSProvideCommentHelp and PSReservedCmdletChar ask only of
 * them): the constant names and wildcards given to Export-ModuleMember -Function, sorted for
 * look-up. No Export-ModuleMember, or a value that is not constant: every function counts.
 */
#define EXPORT_PATTERNS_MAX 64
struct exports {
	const char	**names;	/* literal names, sorted case-insensitively */
	size_t		 nnames, cap;
	const char	*patterns[EXPORT_PATTERNS_MAX];	/* names with wildcards */
	size_t		 npatterns;
	bool		 all;
};

static void
exports_add(struct exports *ex, const struct ps_node *v)
{
	const char *s;

	while (v != NULL && (v->kind == PS_NODE_ARRAY_EXPR || v->kind == PS_NODE_PAREN) &&
	    v->u.list.items.n == 1)
		v = v->u.list.items.v[0];
	if (v == NULL)
		return;
	if (v->kind == PS_NODE_ARRAY_LITERAL) {
		for (size_t i = 0; i < v->u.list.items.n; i++)
			exports_add(ex, v->u.list.items.v[i]);
		return;
	}
	if ((s = ps_node_const_string(v)) == NULL)
		ex->all = true;
	else if (strpbrk(s, "*?[") != NULL) {
		if (ex->npatterns == EXPORT_PATTERNS_MAX)
			ex->all = true;
		else
			ex->patterns[ex->npatterns++] = s;
	} else if (ex->nnames < ex->cap)
		ex->names[ex->nnames++] = s;
}

static int
export_cmp(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/* exports_build: NULL when every function counts as exported. */
static struct exports *
exports_build(struct ps_ctx *c)
{
	struct exports *ex = NULL;

	for (size_t i = 0; i < c->p->ncmds; i++) {
		const struct ps_cmd_arg *a;

		if (!ps_cmd_is(&c->p->cmds[i], "Export-ModuleMember"))
			continue;
		if (ex == NULL) {
			ex = ps_ast_alloc(c->ast, sizeof(*ex));
			ex->cap = c->ast->strings.n + 1;	/* every name is one of the strings */
			ex->names = ps_ast_alloc(c->ast, ex->cap * sizeof(*ex->names));
		}
		if ((a = ps_cmd_arg_find(c->p->cmds[i].node, "Function")) == NULL)
			a = ps_cmd_positional(c->p->cmds[i].node, 0);
		if (a != NULL && a->value != NULL)
			exports_add(ex, a->value);
	}
	if (ex == NULL || ex->all)
		return NULL;
	qsort(ex->names, ex->nnames, sizeof(*ex->names), export_cmp);
	return ex;
}

static bool
exported(const struct exports *ex, const char *name)
{
	if (ex == NULL || bsearch(&name, ex->names, ex->nnames, sizeof(*ex->names),
	    export_cmp) != NULL)
		return true;
	for (size_t i = 0; i < ex->npatterns; i++)
		if (fnmatch(ex->patterns[i], name, FNM_CASEFOLD) == 0)
			return true;
	return false;
}

/* calls_should_process_command: fn calls a cmdlet with -WhatIf or one of the script's
 * functions declaring SupportsShouldProcess: their ShouldProcess honours fn's -WhatIf and
 * -Confirm (the preference variables carry them), so fn needs no call of its own. Looks at
 * the commands inside fn's extent only (the flat list is in source order). */
static bool
calls_should_process_command(const struct ps_ctx *c, const struct ps_node *fn,
    const struct sp_calls *calls)
{
	size_t lo = 0, hi = c->p->ncmds;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->p->cmds[mid].node->ext.start < fn->ext.start)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < c->p->ncmds && c->p->cmds[i].node->ext.start < fn->ext.end; i++) {
		const struct ps_cmd *pc = &c->p->cmds[i];

		if (pc->node->func != fn || pc->name == NULL)
			continue;
		if (pc->ci != NULL && ps_catalog_param(pc->ci, "WhatIf", 6) != NULL)
			return true;
		if (pc->local_function && bsearch(&pc->name, calls->ssp, calls->nssp,
		    sizeof(*calls->ssp), export_cmp) != NULL)
			return true;
	}
	return false;
}

static void
check_function(struct ps_ctx *c, const struct ps_node *fn, const struct sp_calls *calls)
{
	const char *full = fn->u.fn.name, *name, *dash;
	const struct ps_extent *ne;
	bool advanced = is_advanced(fn);
	const char *user = NULL, *pass = NULL;
	bool exp;

	if (full == NULL)
		return;
	ne = fn->u.fn.name_node != NULL ? &fn->u.fn.name_node->ext : &fn->ext;
	name = strip_scope(full);
	dash = strchr(name, '-');
	exp = exported(calls->exports, name);
	if (exp && strpbrk(name, "#,(){}[]&/\\$^;:\"'<>|?@`*%+=~") != NULL)
		ps_rule_emit(c, R_RESERVED_CHAR, PS_SEV__MAX, ne, NULL,
		    "The function name '%s' contains a reserved character.", name);
	if (dash != NULL && dash > name && fn->u.fn.keyword != PS_KW_CONFIGURATION) {
		char verb[64];
		size_t vl = (size_t)(dash - name);

		if (vl < sizeof(verb)) {
			memcpy(verb, name, vl);
			verb[vl] = '\0';
			if (!ps_name_in(verb, approved_verbs))
				ps_rule_emit(c, R_APPROVED_VERBS, PS_SEV__MAX, ne, NULL,
				    "The function '%s' uses the unapproved verb '%s'.", name, verb);
			if (ps_name_in(verb, state_verbs) && !fn->u.fn.supports_should_process)
				ps_rule_emit(c, R_SHOULD_PROCESS_STATE, PS_SEV__MAX, ne, NULL,
				    "Function '%s' changes state but does not support ShouldProcess.",
				    name);
		}
		if (dash[1] != '\0' && is_plural_noun(dash + 1) &&
		    !ps_settings_noun_allowed(c->p, dash + 1))
			ps_rule_emit(c, R_SINGULAR_NOUNS, PS_SEV__MAX, ne, NULL,
			    "The cmdlet '%s' uses a plural noun.", name);
	}
	if (ps_catalog_find(name, strlen(name)) != NULL)
		ps_rule_emit(c, R_OVERWRITE_BUILTIN, PS_SEV__MAX, ne, NULL,
		    "'%s' hides the built-in cmdlet of the same name.", name);
	if ((exp || (c->p->opts->settings != NULL && c->p->opts->settings->help_all_functions)) &&
	    fn->u.fn.help == NULL && fn->u.fn.keyword != PS_KW_CONFIGURATION)
		ps_rule_emit(c, R_COMMENT_HELP, PS_SEV__MAX, ne, NULL,
		    "The function '%s' has no help comment.", name);
	for (size_t i = 0; i < fn->u.fn.params.n; i++) {
		const struct ps_node *p = fn->u.fn.params.v[i];
		const char *pn = p->u.param.name;
		const struct ps_node *pa;

		if (pn == NULL)
			continue;
		check_parameter(c, p, advanced);
		if (ps_ci_contains(pn, strlen(pn), "user") || ps_ci_eq(pn, "Login"))
			user = pn;
		if (is_password_name(pn) && !is_type(p->u.param.type, not_password_types))
			pass = pn;
		pa = ps_attr_find(&p->u.param.attributes, "Parameter");
		if (pa != NULL && (ps_attr_flag(pa, "ValueFromPipeline") ||
		    ps_attr_flag(pa, "ValueFromPipelineByPropertyName")) &&
		    fn->u.fn.keyword == PS_KW_FUNCTION && !has_process_block(fn))
			ps_rule_emit(c, R_PROCESS_BLOCK, PS_SEV__MAX, &p->ext, NULL,
			    "'$%s' takes pipeline input, but '%s' has no process block: only the "
			    "last item is processed.", pn, name);
		if (c->p->reads != NULL && fn->u.fn.keyword != PS_KW_CONFIGURATION &&
		    fn->u.fn.keyword != PS_KW_WORKFLOW &&
		    !ps_style_read(c->p->reads, fn, pn) &&
		    !(pa != NULL && ps_attr_flag(pa, "ValueFromPipeline") &&
		    (ps_style_read(c->p->reads, fn, "_") ||
		    ps_style_read(c->p->reads, fn, "PSItem"))) &&
		    !ps_style_read(c->p->reads, fn, "PSBoundParameters") &&
		    !ps_style_read(c->p->reads, fn, "args"))
			ps_rule_emit(c, R_UNUSED_PARAM, PS_SEV__MAX,
			    p->u.param.var ? &p->u.param.var->ext : &p->ext, NULL,
			    "The parameter '$%s' is declared but not used in '%s'.", pn, name);
	}
	if (user != NULL && pass != NULL)
		ps_rule_emit(c, R_USER_PASS_PARAMS, PS_SEV__MAX, ne, NULL,
		    "Function '%s' takes '$%s' and '$%s'; use one PSCredential parameter.",
		    name, user, pass);
	if (fn->u.fn.supports_should_process && !called_in(calls->sp, calls->nsp, fn) &&
	    !calls_should_process_command(c, fn, calls))
		ps_rule_emit(c, R_SHOULD_PROCESS, PS_SEV__MAX, ne, NULL,
		    "'%s' declares SupportsShouldProcess but never calls ShouldProcess.", name);
	if (!fn->u.fn.supports_should_process && called_in(calls->sp, calls->nsp, fn))
		ps_rule_emit(c, R_SHOULD_PROCESS, PS_SEV__MAX, ne, NULL,
		    "'%s' calls ShouldProcess but does not declare SupportsShouldProcess.", name);
	if (called_in(calls->sc, calls->nsc, fn) && !has_switch(fn, "Force"))
		ps_rule_emit(c, R_SHOULD_CONTINUE, PS_SEV__MAX, ne, NULL,
		    "'%s' calls ShouldContinue without a -Force switch to bypass the prompt.", name);
}

void
ps_rules_functions_run(struct ps_ctx *c)
{
	const struct ps_ast *ast = c->ast;
	struct sp_calls calls = { NULL, NULL, 0, NULL, 0, NULL, 0 };
	const struct ps_node *root_pb = ast->root->u.sb.param_block;

	calls.sp = ps_ast_alloc(c->ast, (ast->members.n + 1) * sizeof(*calls.sp));
	calls.sc = ps_ast_alloc(c->ast, (ast->members.n + 1) * sizeof(*calls.sc));
	for (size_t i = 0; i < ast->members.n; i++) {
		const struct ps_node *m = ast->members.v[i];

		if (m->kind != PS_NODE_INVOKE_MEMBER || m->u.mem.name == NULL)
			continue;
		if (ps_ci_eq(m->u.mem.name, "ShouldProcess"))
			calls.sp[calls.nsp++] = m->func;
		else if (ps_ci_eq(m->u.mem.name, "ShouldContinue"))
			calls.sc[calls.nsc++] = m->func;
	}
	if (ast->functions.n > 0) {
		calls.exports = exports_build(c);
		calls.ssp = ps_ast_alloc(c->ast, ast->functions.n * sizeof(*calls.ssp));
		for (size_t i = 0; i < ast->functions.n; i++)
			if (ast->functions.v[i]->u.fn.supports_should_process &&
			    ast->functions.v[i]->u.fn.name != NULL)
				calls.ssp[calls.nssp++] = ast->functions.v[i]->u.fn.name;
		qsort(calls.ssp, calls.nssp, sizeof(*calls.ssp), export_cmp);
	}
	for (size_t i = 0; i < ast->functions.n; i++)
		check_function(c, ast->functions.v[i], &calls);
	/* Script-level param() block. */
	if (root_pb != NULL) {
		bool advanced = ps_attr_find(&root_pb->u.pb.attributes, "CmdletBinding") != NULL;

		for (size_t i = 0; i < root_pb->u.pb.params.n; i++)
			check_parameter(c, root_pb->u.pb.params.v[i], advanced);
	}
}
