#include "config.h"
/* settings.c: PSScriptAnalyzer settings files (.psd1) read as data with the analyzer's parser */

#include <fnmatch.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "analyzer/rules.h"

/*
 * A settings file is one hashtable literal. It is parsed with ps_parse like any script and
 * then only read: a value is a string without $ parts, a number, $true, $false, $null, an
 * array (@(...) or a, b) of values or a hashtable of values. Anything else (a command, a
 * variable, an expandable string, an operator) is an error naming the key that holds it;
 * nothing is ever run.
 */

/* PSScriptAnalyzer rules PSScript does not implement: named in Rules, IncludeRules or
 * ExcludeRules they are a warning (the setting has no effect), not an error. */
static const char *const pssa_only_rules[] = {
	"PSUseCompatibleCommands", "PSUseCompatibleTypes", NULL
};

enum opt_kind { OPT_BOOL, OPT_COUNT, OPT_STRINGS, OPT_STRING };

enum opt_apply { OPT_ENABLE, OPT_ALIAS_ALLOW, OPT_MAX_LINE, OPT_NOUN_ALLOW, OPT_EXPORTED_ONLY,
	OPT_BRACE_SAME_LINE, OPT_BRACE_NEWLINE_AFTER, OPT_BRACE_ONE_LINE,
	OPT_FMT_BOOL, OPT_FMT_INDENT_SIZE, OPT_FMT_KIND, OPT_FMT_PIPELINE,
	OPT_NOT_APPLIED };

/* The documented options of the rules PSScript implements. An option marked
 * OPT_NOT_APPLIED is checked and accepted, with a warning that it changes nothing. */
static const struct rule_opt {
	const char	*rule;		/* NULL: every rule */
	const char	*name;
	enum opt_kind	 kind;
	enum opt_apply	 apply;
	size_t		 off;		/* OPT_FMT_BOOL: the field in struct ps_format_opts */
} rule_opts[] = {
	{ NULL, "Enable", OPT_BOOL, OPT_ENABLE, 0 },
	{ "PSAvoidUsingCmdletAliases", "allowlist", OPT_STRINGS, OPT_ALIAS_ALLOW, 0 },
	{ "PSAvoidUsingCmdletAliases", "Whitelist", OPT_STRINGS, OPT_ALIAS_ALLOW, 0 },
	{ "PSAvoidLongLines", "MaximumLineLength", OPT_COUNT, OPT_MAX_LINE, 0 },
	{ "PSUseSingularNouns", "NounAllowList", OPT_STRINGS, OPT_NOUN_ALLOW, 0 },
	{ "PSProvideCommentHelp", "ExportedOnly", OPT_BOOL, OPT_EXPORTED_ONLY, 0 },
	{ "PSPlaceOpenBrace", "OnSameLine", OPT_BOOL, OPT_BRACE_SAME_LINE, 0 },
	{ "PSPlaceOpenBrace", "NewLineAfter", OPT_BOOL, OPT_BRACE_NEWLINE_AFTER, 0 },
	{ "PSPlaceOpenBrace", "IgnoreOneLineBlock", OPT_BOOL, OPT_BRACE_ONE_LINE, 0 },
#define FMT(rule, name, field) \
	{ rule, name, OPT_BOOL, OPT_FMT_BOOL, offsetof(struct ps_format_opts, field) }
	FMT("PSPlaceCloseBrace", "NoEmptyLineBefore", close_no_empty_before),
	FMT("PSPlaceCloseBrace", "IgnoreOneLineBlock", close_ignore_one_line),
	FMT("PSPlaceCloseBrace", "NewLineAfter", close_newline_after),
	{ "PSUseConsistentIndentation", "IndentationSize", OPT_COUNT, OPT_FMT_INDENT_SIZE, 0 },
	{ "PSUseConsistentIndentation", "Kind", OPT_STRING, OPT_FMT_KIND, 0 },
	{ "PSUseConsistentIndentation", "PipelineIndentation", OPT_STRING, OPT_FMT_PIPELINE, 0 },
	FMT("PSUseConsistentWhitespace", "CheckInnerBrace", ws_inner_brace),
	FMT("PSUseConsistentWhitespace", "CheckOpenBrace", ws_open_brace),
	FMT("PSUseConsistentWhitespace", "CheckOpenParen", ws_open_paren),
	FMT("PSUseConsistentWhitespace", "CheckOperator", ws_operator),
	FMT("PSUseConsistentWhitespace", "CheckPipe", ws_pipe),
	FMT("PSUseConsistentWhitespace", "CheckPipeForRedundantWhitespace", ws_pipe_redundant),
	FMT("PSUseConsistentWhitespace", "CheckSeparator", ws_separator),
	FMT("PSUseConsistentWhitespace", "CheckParameter", ws_parameter),
	FMT("PSUseConsistentWhitespace", "IgnoreAssignmentOperatorInsideHashTable",
	    ws_ignore_hash_assign),
	FMT("PSAlignAssignmentStatement", "CheckHashtable", align_hashtable),
	FMT("PSAlignAssignmentStatement", "AlignHashtableKvpWithInterveningComment",
	    align_hash_comment),
	FMT("PSAlignAssignmentStatement", "CheckEnum", align_enum),
	FMT("PSAlignAssignmentStatement", "AlignEnumMemberWithInterveningComment",
	    align_enum_comment),
	FMT("PSAlignAssignmentStatement", "IncludeValuelessEnumMembers", align_valueless),
#undef FMT
	{ "PSProvideCommentHelp", "BlockComment", OPT_BOOL, OPT_NOT_APPLIED, 0 },
	{ "PSProvideCommentHelp", "VSCodeSnippetCorrection", OPT_BOOL, OPT_NOT_APPLIED, 0 },
	{ "PSProvideCommentHelp", "Placement", OPT_STRING, OPT_NOT_APPLIED, 0 },
	{ "PSUseCorrectCasing", "CheckCommands", OPT_BOOL, OPT_NOT_APPLIED, 0 },
	{ "PSUseCorrectCasing", "CheckKeyword", OPT_BOOL, OPT_NOT_APPLIED, 0 },
	{ "PSUseCorrectCasing", "CheckOperator", OPT_BOOL, OPT_NOT_APPLIED, 0 },
	{ "PSAvoidOverwritingBuiltInCmdlets", "PowerShellVersion", OPT_STRINGS, OPT_NOT_APPLIED, 0 },
	{ "PSUseCompatibleSyntax", "TargetVersions", OPT_STRINGS, OPT_NOT_APPLIED, 0 },
	{ "PSUseCompatibleCmdlets", "compatibility", OPT_STRINGS, OPT_NOT_APPLIED, 0 },
};

struct sctx {
	struct ps_settings *s;
	struct buf	*err, *warn;
	char		 path[256];	/* the key being read: Rules.PSAvoidLongLines.Enable */
};

static int
fail(struct sctx *x, const struct ps_node *n, const char *fmt, ...) PSS_PRINTF(3, 4);

static int
fail(struct sctx *x, const struct ps_node *n, const char *fmt, ...)
{
	va_list ap;

	buf_reset(x->err);
	if (x->path[0] != '\0')
		buf_printf(x->err, "%s", x->path);
	if (n != NULL)
		buf_printf(x->err, "%sline %u", x->path[0] != '\0' ? " (" : "", n->ext.line);
	buf_puts(x->err, x->path[0] != '\0' && n != NULL ? "): " : ": ");
	va_start(ap, fmt);
	buf_vprintf(x->err, fmt, ap);
	va_end(ap);
	return -1;
}

static void
warn(struct sctx *x, const char *fmt, ...) PSS_PRINTF(2, 3);

static void
warn(struct sctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->warn == NULL)
		return;
	buf_printf(x->warn, "%s: ", x->path);
	va_start(ap, fmt);
	buf_vprintf(x->warn, fmt, ap);
	va_end(ap);
	buf_putc(x->warn, '\n');
}

/* The key path gets ".name" (or name at the top); returns the old length to restore. */
static size_t
path_push(struct sctx *x, const char *name)
{
	size_t n = strlen(x->path);

	snprintf(x->path + n, sizeof(x->path) - n, "%s%s", n > 0 ? "." : "", name);
	return n;
}

static bool
is_var(const struct ps_node *n, const char *name)
{
	return n != NULL && n->kind == PS_NODE_VARIABLE && n->u.var.scope == NULL &&
	    strcasecmp(n->u.var.name, name) == 0;
}

static const char *
kind_word(const struct ps_node *n)
{
	switch (n->kind) {
	case PS_NODE_COMMAND:
	case PS_NODE_PIPELINE:
		return "a command";
	case PS_NODE_VARIABLE:
		return "a variable";
	case PS_NODE_STRING:
		return "a string with $ parts";
	case PS_NODE_SCRIPTBLOCK_EXPR:
		return "a script block";
	default:
		return "an expression";
	}
}

static const char *
key_name(const struct ps_node *k)
{
	if (k->kind == PS_NODE_STRING && !k->u.str.expandable)
		return k->u.str.value;
	if (k->kind == PS_NODE_COMMAND && k->u.cmd.elems.n == 0)
		return k->u.cmd.name;	/* a bare key the parser saw as a word */
	return NULL;
}

/* Is n data only (recursively)? An error names the key otherwise. */
static int
check_data(struct sctx *x, const struct ps_node *n)
{
	if (n == NULL)
		return fail(x, n, "a value is missing");
	switch (n->kind) {
	case PS_NODE_NUMBER:
		return 0;
	case PS_NODE_STRING:
		if (!n->u.str.expandable && !n->u.str.bare)
			return 0;
		break;
	case PS_NODE_VARIABLE:
		if (is_var(n, "true") || is_var(n, "false") || is_var(n, "null"))
			return 0;
		break;
	case PS_NODE_UNARY:
		if (n->u.un.op == PS_OP_MINUS && n->u.un.operand->kind == PS_NODE_NUMBER)
			return 0;
		break;
	case PS_NODE_ARRAY_EXPR:
	case PS_NODE_ARRAY_LITERAL:
	case PS_NODE_PAREN:
		for (size_t i = 0; i < n->u.list.items.n; i++)
			if (check_data(x, n->u.list.items.v[i]) != 0)
				return -1;
		return 0;
	case PS_NODE_HASHTABLE:
		for (size_t i = 0; i < n->u.hash.keys.n; i++) {
			const struct ps_node *k = n->u.hash.keys.v[i];

			const char *name = key_name(k);
			size_t mark;

			if (name == NULL)
				return fail(x, k, "a key must be a plain word or a string");
			mark = path_push(x, name);
			if (check_data(x, n->u.hash.values.v[i]) != 0)
				return -1;
			x->path[mark] = '\0';
		}
		return 0;
	default:
		break;
	}
	return fail(x, n, "only literals, @(...) arrays, @{...} hashtables, $true, $false and "
	    "$null are allowed, not %s (settings are data; nothing is evaluated)", kind_word(n));
}

static int
get_bool(struct sctx *x, const struct ps_node *n, bool *out)
{
	if (is_var(n, "true") || is_var(n, "false")) {
		*out = is_var(n, "true");
		return 0;
	}
	if (check_data(x, n) != 0)
		return -1;
	return fail(x, n, "expected $true or $false");
}

static int
get_count(struct sctx *x, const struct ps_node *n, unsigned *out)
{
	if (n != NULL && n->kind == PS_NODE_NUMBER && n->u.num.value >= 1 &&
	    n->u.num.value <= 1000000 && n->u.num.value == (double)(unsigned)n->u.num.value) {
		*out = (unsigned)n->u.num.value;
		return 0;
	}
	if (check_data(x, n) != 0)
		return -1;
	return fail(x, n, "expected a whole number from 1 to 1000000");
}

/* A string or an array of strings, flattened into an arena list. */
static int
collect_strings(struct sctx *x, const struct ps_node *n, struct buf *acc)
{
	if (n != NULL && (n->kind == PS_NODE_ARRAY_EXPR || n->kind == PS_NODE_ARRAY_LITERAL ||
	    n->kind == PS_NODE_PAREN)) {
		for (size_t i = 0; i < n->u.list.items.n; i++)
			if (collect_strings(x, n->u.list.items.v[i], acc) != 0)
				return -1;
		return 0;
	}
	if (n != NULL && n->kind == PS_NODE_STRING && !n->u.str.expandable && !n->u.str.bare) {
		const char *v = arena_strdup(&x->s->arena, n->u.str.value);

		buf_append(acc, &v, sizeof(v));
		return 0;
	}
	if (check_data(x, n) != 0)
		return -1;
	return fail(x, n, "expected a string or an array of strings");
}

static int
get_strings(struct sctx *x, const struct ps_node *n, const char ***out, size_t *nout)
{
	struct buf acc = BUF_INIT;
	int rc = collect_strings(x, n, &acc);

	if (rc == 0) {
		*nout = acc.len / sizeof(char *);
		*out = arena_alloc(&x->s->arena, acc.len + sizeof(char *));
		if (acc.len > 0)
			memcpy(*out, acc.data, acc.len);
	}
	buf_free(&acc);
	return rc;
}

/* A value of an option's kind, checked and dropped. */
static int
check_kind(struct sctx *x, const struct ps_node *v, enum opt_kind kind)
{
	const char **l;
	size_t n;
	unsigned u;
	bool b;

	if (kind == OPT_BOOL)
		return get_bool(x, v, &b);
	if (kind == OPT_COUNT)
		return get_count(x, v, &u);
	return get_strings(x, v, &l, &n);
}

static bool
matches_some_rule(const char *pat)
{
	for (size_t r = 0; r < R__MAX; r++)
		if (fnmatch(pat, ps_rule_table[r].id, FNM_CASEFOLD) == 0)
			return true;
	return false;
}

static bool
pssa_only(const char *name)
{
	for (size_t i = 0; pssa_only_rules[i] != NULL; i++)
		if (strcasecmp(pssa_only_rules[i], name) == 0)
			return true;
	return false;
}

static int
rule_list(struct sctx *x, const struct ps_node *v, const char ***out, size_t *n)
{
	if (get_strings(x, v, out, n) != 0)
		return -1;
	for (size_t i = 0; i < *n; i++)
		if (!matches_some_rule((*out)[i]))
			warn(x, "'%s' %s", (*out)[i], pssa_only((*out)[i]) ?
			    "is a PSScriptAnalyzer rule PSScript does not implement" :
			    "matches no rule (see psscript analyze --list-rules)");
	return 0;
}

static int
severity_list(struct sctx *x, const struct ps_node *v)
{
	const char **names;
	size_t n;

	if (get_strings(x, v, &names, &n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		enum ps_severity sv = ps_severity_parse(names[i]);

		if (sv != PS_SEV__MAX)
			x->s->severity_mask |= 1u << sv;
		else if (strcasecmp(names[i], "ParseError") != 0)	/* not a finding here */
			return fail(x, v, "unknown severity '%s' (Error, Warning, Information, "
			    "ParseError)", names[i]);
	}
	if (x->s->severity_mask == 0)
		x->s->severity_mask = 1u << PS_SEV__MAX;	/* nothing but parse errors */
	return 0;
}

/* PSUseConsistentIndentation's Kind (space or tab; anything else is space, as documented,
 * with a warning) and PipelineIndentation (one of the four documented names). */
static int
format_word(struct sctx *x, enum opt_apply apply, const struct ps_node *v)
{
	static const char *const pipes[] = { "IncreaseIndentationForFirstPipeline",
		"IncreaseIndentationAfterEveryPipeline", "NoIndentation", "None" };
	const char *w;

	if (v == NULL || v->kind != PS_NODE_STRING || v->u.str.expandable || v->u.str.bare) {
		if (check_data(x, v) != 0)
			return -1;
		return fail(x, v, "expected a string");
	}
	w = v->u.str.value;
	if (apply == OPT_FMT_KIND) {
		x->s->fmt.indent_tab = strcasecmp(w, "tab") == 0;
		if (!x->s->fmt.indent_tab && strcasecmp(w, "space") != 0)
			warn(x, "'%s' is neither 'space' nor 'tab'; 'space' is used", w);
		return 0;
	}
	for (size_t i = 0; i < PSS_ARRAY_LEN(pipes); i++)
		if (strcasecmp(w, pipes[i]) == 0) {
			x->s->fmt.pipe_indent = (enum ps_pipe_indent)i;
			return 0;
		}
	return fail(x, v, "'%s' is not IncreaseIndentationForFirstPipeline, "
	    "IncreaseIndentationAfterEveryPipeline, NoIndentation or None", w);
}

static int
rule_option(struct sctx *x, enum ps_rule r, const char *opt, const struct ps_node *v)
{
	const struct rule_opt *o = NULL;
	struct ps_settings *s = x->s;
	bool b;

	for (size_t i = 0; i < PSS_ARRAY_LEN(rule_opts) && o == NULL; i++)
		if ((rule_opts[i].rule == NULL ||
		    strcasecmp(rule_opts[i].rule, ps_rule_table[r].id) == 0) &&
		    strcasecmp(rule_opts[i].name, opt) == 0)
			o = &rule_opts[i];
	if (o == NULL) {
		if (check_data(x, v) != 0)
			return -1;
		warn(x, "not an option of %s; ignored", ps_rule_table[r].id);
		return 0;
	}
	switch (o->apply) {
	case OPT_ENABLE:
		if (get_bool(x, v, &b) != 0)
			return -1;
		s->enable[r] = b;
		return 0;
	case OPT_ALIAS_ALLOW:
		return get_strings(x, v, &s->alias_allow, &s->nalias_allow);
	case OPT_MAX_LINE:
		return get_count(x, v, &s->max_line_length);
	case OPT_NOUN_ALLOW:
		s->noun_allow_set = true;
		return get_strings(x, v, &s->noun_allow, &s->nnoun_allow);
	case OPT_EXPORTED_ONLY:
		if (get_bool(x, v, &b) != 0)
			return -1;
		s->help_all_functions = !b;
		return 0;
	case OPT_BRACE_SAME_LINE:
	case OPT_BRACE_NEWLINE_AFTER:
	case OPT_BRACE_ONE_LINE:
		if (get_bool(x, v, &b) != 0)
			return -1;
		if (o->apply == OPT_BRACE_SAME_LINE)
			s->brace_other_line = !b;
		else if (o->apply == OPT_BRACE_NEWLINE_AFTER)
			s->brace_no_newline_after = !b;
		else
			s->brace_one_line_checked = !b;
		return 0;
	case OPT_FMT_BOOL:
		if (get_bool(x, v, &b) != 0)
			return -1;
		*(bool *)((char *)&s->fmt + o->off) = b;
		return 0;
	case OPT_FMT_INDENT_SIZE:
		if (get_count(x, v, &s->fmt.indent_size) != 0)
			return -1;
		if (s->fmt.indent_size > 64)
			return fail(x, v, "expected an indentation size from 1 to 64");
		return 0;
	case OPT_FMT_KIND:
	case OPT_FMT_PIPELINE:
		return format_word(x, o->apply, v);
	case OPT_NOT_APPLIED:
		break;
	}
	/* accepted and checked, not applied */
	if (check_kind(x, v, o->kind) != 0)
		return -1;
	warn(x, "accepted, but PSScript does not apply this option (see docs/analyzer.md)");
	return 0;
}

static int
rules_table(struct sctx *x, const struct ps_node *h)
{
	if (h->kind != PS_NODE_HASHTABLE) {
		if (check_data(x, h) != 0)
			return -1;
		return fail(x, h, "expected a hashtable @{ RuleName = @{ ... } }");
	}
	for (size_t i = 0; i < h->u.hash.keys.n; i++) {
		const struct ps_node *k = h->u.hash.keys.v[i], *v = h->u.hash.values.v[i];
		const char *name = key_name(k);
		const struct ps_rule_info *ri;
		size_t mark;
		int rc = 0;

		if (name == NULL)
			return fail(x, k, "a rule name must be a plain word or string");
		mark = path_push(x, name);
		ri = ps_rule_find(name);
		if (v->kind != PS_NODE_HASHTABLE) {
			rc = check_data(x, v) != 0 ? -1 :
			    fail(x, v, "expected a hashtable of options @{ Enable = $true; ... }");
		} else if (ri == NULL) {
			rc = check_data(x, v);
			if (rc == 0)
				warn(x, "%s; ignored", pssa_only(name) ?
				    "a PSScriptAnalyzer rule PSScript does not implement" :
				    "no such rule (PSScriptAnalyzer ignores it silently)");
		} else {
			for (size_t j = 0; j < v->u.hash.keys.n && rc == 0; j++) {
				const char *opt = key_name(v->u.hash.keys.v[j]);
				size_t m2;

				if (opt == NULL)
					return fail(x, v->u.hash.keys.v[j],
					    "an option name must be a plain word or string");
				m2 = path_push(x, opt);
				rc = rule_option(x, (enum ps_rule)(ri - ps_rule_table), opt,
				    v->u.hash.values.v[j]);
				if (rc == 0)
					x->path[m2] = '\0';
			}
		}
		if (rc != 0)
			return -1;
		x->path[mark] = '\0';
	}
	return 0;
}

/* The top-level keys, as PSScriptAnalyzer's settings parser knows them. */
static int
top_key(struct sctx *x, const char *key, const struct ps_node *v)
{
	struct ps_settings *s = x->s;

	if (strcasecmp(key, "IncludeRules") == 0)
		return rule_list(x, v, &s->include, &s->ninclude);
	if (strcasecmp(key, "ExcludeRules") == 0)
		return rule_list(x, v, &s->exclude, &s->nexclude);
	if (strcasecmp(key, "Severity") == 0)
		return severity_list(x, v);
	if (strcasecmp(key, "Rules") == 0)
		return rules_table(x, v);
	if (strcasecmp(key, "IncludeDefaultRules") == 0 ||
	    strcasecmp(key, "RecurseCustomRulePath") == 0 ||
	    strcasecmp(key, "CustomRulePath") == 0) {
		if (check_kind(x, v, strcasecmp(key, "CustomRulePath") == 0 ? OPT_STRINGS :
		    OPT_BOOL) != 0)
			return -1;
		warn(x, "custom rules are not supported; ignored");
		return 0;
	}
	return fail(x, v, "unknown setting (IncludeRules, ExcludeRules, Severity, Rules, "
	    "IncludeDefaultRules, CustomRulePath, RecurseCustomRulePath)");
}

int
ps_settings_parse(const char *src, size_t len, struct ps_settings **out, struct buf *err,
    struct buf *warnings)
{
	struct ps_settings *s = xcalloc(1, sizeof(*s));
	struct ps_ast *ast;
	const struct ps_nodes *st;
	const struct ps_node *h;
	struct sctx x;
	int rc = -1;

	*out = NULL;
	arena_init(&s->arena);
	memset(s->enable, -1, sizeof(s->enable));
	s->max_line_length = 120;
	s->fmt = ps_format_defaults;
	memset(&x, 0, sizeof(x));
	x.s = s;
	x.err = err;
	x.warn = warnings;
	if (len > PS_ANALYZER_MAX_INPUT) {
		fail(&x, NULL, "the settings file is larger than %zu bytes", PS_ANALYZER_MAX_INPUT);
		goto out_nofree;
	}
	ast = ps_parse(src, len);
	st = &ast->root->u.sb.statements;
	if (ast->ndiags > 0) {
		buf_reset(err);
		buf_printf(err, "line %u: %s", ast->diags[0].ext.line, ast->diags[0].msg);
	} else if (ast->root->u.sb.param_block != NULL || ast->root->u.sb.named_blocks.n > 0 ||
	    st->n != 1 || st->v[0]->kind != PS_NODE_HASHTABLE) {
		fail(&x, st->n > 0 ? st->v[0] : NULL,
		    "a settings file is one hashtable @{ ... } and nothing else");
	} else {
		h = st->v[0];
		rc = 0;
		for (size_t i = 0; i < h->u.hash.keys.n && rc == 0; i++) {
			const char *key = key_name(h->u.hash.keys.v[i]);

			x.path[0] = '\0';
			if (key == NULL) {
				rc = fail(&x, h->u.hash.keys.v[i], "a setting name must be a plain "
				    "word or string");
				break;
			}
			path_push(&x, key);
			rc = top_key(&x, key, h->u.hash.values.v[i]);
		}
	}
	ps_ast_free(ast);
out_nofree:
	if (rc != 0) {
		ps_settings_free(s);
		return PSS_EINVAL;
	}
	*out = s;
	return PSS_OK;
}

void
ps_settings_free(struct ps_settings *s)
{
	if (s == NULL)
		return;
	arena_free(&s->arena);
	free(s);
}

bool
ps_settings_alias_allowed(const struct ps_analysis_priv *p, const char *alias)
{
	const struct ps_settings *s = p->opts->settings;

	for (size_t i = 0; s != NULL && i < s->nalias_allow; i++)
		if (strcasecmp(s->alias_allow[i], alias) == 0)
			return true;
	return false;
}

bool
ps_settings_noun_allowed(const struct ps_analysis_priv *p, const char *noun)
{
	static const char *const defaults[] = { "Data", "Windows", NULL };
	const struct ps_settings *s = p->opts->settings;

	const char *const *list = s != NULL && s->noun_allow_set ? s->noun_allow : defaults;
	size_t n = s != NULL && s->noun_allow_set ? s->nnoun_allow : 2, len = strlen(noun);

	/* the whole noun, or its last PascalCase word (Get-ProductData) */
	for (size_t i = 0; i < n; i++) {
		size_t wl = strlen(list[i]);

		if (strcasecmp(list[i], noun) == 0 || (wl < len &&
		    strcasecmp(list[i], noun + len - wl) == 0 &&
		    noun[len - wl] >= 'A' && noun[len - wl] <= 'Z'))
			return true;
	}
	return false;
}
