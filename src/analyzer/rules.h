/* rules.h: the analyzer's internal interface between the driver, the rule files and scoring */
#ifndef PSS_ANALYZER_RULES_H
#define PSS_ANALYZER_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "analyzer/catalog.h"
#include "analyzer/ps_ast.h"
#include "core/core.h"

/* Every rule, in the order of the rule table (rules.c). */
enum ps_rule {
	/* best practice (PSScriptAnalyzer names) */
	R_CMDLET_ALIAS, R_WRITE_HOST, R_POSITIONAL, R_GLOBAL_VARS, R_EMPTY_CATCH,
	R_APPROVED_VERBS, R_SINGULAR_NOUNS, R_SHOULD_PROCESS_STATE, R_SWITCH_DEFAULT,
	R_DECLARED_VARS, R_NULL_COMPARISON, R_AUTOMATIC_VAR, R_WMI_CMDLET, R_COMMENT_HELP,
	R_TRAILING_WS, R_USER_PASS_PARAMS, R_PSCREDENTIAL_TYPE, R_MISLEADING_BACKTICK,
	R_SEMICOLONS, R_LONG_LINES, R_ASSIGN_IN_COND, R_REDIRECT_IN_COND, R_BOM,
	R_RESERVED_CHAR, R_RESERVED_PARAMS, R_SUPPORTS_SP, R_SHOULD_PROCESS, R_SHOULD_CONTINUE,
	R_MULTIPLE_TYPES, R_EMPTY_HELP_MESSAGE, R_HASHTABLE_LITERAL, R_EXCLAIM,
	R_COMPAT_CMDLETS, R_COMPAT_SYNTAX, R_PROCESS_BLOCK, R_OVERWRITE_BUILTIN,
	R_CORRECT_CASING, R_MANDATORY_DEFAULT, R_UNUSED_PARAM, R_FORMAT_NOT_LAST,
	/* security (PSScriptAnalyzer names) */
	R_INVOKE_EXPRESSION, R_PLAINTEXT_PASSWORD, R_CONVERTTO_SECURESTRING,
	R_COMPUTERNAME_HARDCODED, R_BROKEN_HASH, R_ALLOW_UNENCRYPTED,
	/* security (PSScript additions) */
	R_DOWNLOAD_CRADLE, R_ENCODED_COMMAND, R_BASE64_EXEC, R_INJECTION_API, R_REFLECTION_LOAD,
	R_AMSI_BYPASS, R_DEFENDER_TAMPERING, R_FIREWALL_TAMPERING, R_EXECUTION_POLICY,
	R_CERT_BYPASS, R_HARDCODED_SECRET, R_RUN_KEY, R_SCHEDULED_TASK, R_WMI_SUBSCRIPTION,
	R_SERVICE_CREATION, R_CREDENTIAL_DUMPING, R_LOG_CLEARING, R_SHADOW_COPY,
	R_DESTRUCTIVE, R_LOCAL_ADMIN, R_HIDDEN_WINDOW,
	R_ATK_SHELL, R_ATK_PERSIST, R_ATK_DOWNLOAD_EXEC, R_ATK_LOLBIN,	/* rules_attacks.c */
	R_OBF_BACKTICK, R_OBF_REVERSE, R_OBF_CHARCODES, R_OBF_FORMAT, R_OBF_CASE,
	R_OBF_ENTROPY, R_OBF_BASE64, R_OBF_DYNAMIC_NAME,
	/* performance */
	R_PERF_ARRAY_ADD, R_PERF_FILTER_LEFT, R_PERF_OUT_NULL, R_PERF_NEW_PSOBJECT,
	R_PERF_STRING_CONCAT,
	/* potential risks */
	R_RISK_REMOTE, R_RISK_RECURSIVE_DELETE, R_RISK_RESTART, R_RISK_SERVICE_CHANGE,
	R_RISK_PROCESS_KILL, R_RISK_REGISTRY_WRITE, R_RISK_ACCOUNT_CHANGE, R_RISK_NETWORK,
	R_RISK_ELEVATION,
	/* security, added later: at the end so the rule indexes of SARIF logs stay stable */
	R_BIDI_CONTROL,
	/* PSScriptAnalyzer's rules added later (rules_module.c) */
	R_GLOBAL_ALIASES, R_GLOBAL_FUNCTIONS, R_EMPTY_MEMBERS, R_RESERVED_WORDS,
	R_DEPRECATED_MANIFEST, R_MANIFEST_FIELD, R_EXPORT_FIELDS, R_CMDLET_CORRECTLY,
	R_OUTPUT_TYPE, R_USING_SCOPE, R_UTF8_HELP, R_DSC_STANDARD, R_DSC_MANDATORY,
	R_DSC_IDENTICAL, R_DSC_RETURN_TYPES, R_DSC_VERBOSE,
	R_DQ_CONSTANT, R_OPEN_BRACE,
	/* PSScriptAnalyzer's formatting rules (rules_format.c) */
	R_CLOSE_BRACE, R_INDENTATION, R_WHITESPACE, R_ALIGN_ASSIGNMENT,
	/* PSScriptAnalyzer's DSC folder rules (rules_module.c; a file read from disk only) */
	R_DSC_EXAMPLES, R_DSC_TESTS,
	R__MAX
};

extern const struct ps_rule_info ps_rule_table[R__MAX];

/* A command with its catalog resolution. */
struct ps_cmd {
	struct ps_node	*node;		/* PS_NODE_COMMAND */
	const char	*name;		/* as written (NULL when dynamic) */
	const struct ps_cmdlet_info *ci;	/* NULL when not a catalog cmdlet */
	const struct ps_alias_info *alias;	/* set when written as an alias */
	const char	*canon;		/* ci->name, or name, or "" */
	const char	*base;		/* not a catalog cmdlet: name after the last backslash */
	size_t		 canon_len, base_len;	/* strlen of canon and base (0 when NULL) */
	bool		 path;		/* not a catalog cmdlet and name has a backslash */
	bool		 local_function;	/* defined by the script itself */
	bool		 implicit_get;	/* ci found as Get-<name> (date: Get-Date), as PowerShell
					 * resolves a name that is nothing else */
};

/* A compatibility note (compatibilityNotes). */
struct ps_compat_note {
	const char	*feature;	/* cmdlet, parameter or syntax */
	const char	*requires;	/* "5.1", "7.0", ... */
	const char	*message;
	unsigned	 line;
};

struct varset;

/* A distinct command (see ps_cmd_groups). */
struct ps_cmd_group {
	size_t		 first;		/* index of the first use in cmds */
	size_t		 count;
	size_t		 id;		/* internal (the name's hash) */
};

/* The analysis internals (hidden behind struct ps_analysis_priv in analyzer.h). */
struct ps_analysis_priv {
	struct arena	*arena;		/* the tree's arena: one for the whole analysis */
	char		*src;		/* private copy of the input (the AST points into it) */
	size_t		 len;
	struct ps_ast	*ast;
	struct ps_cmd	*cmds;		/* parallel to ast->commands */
	size_t		 ncmds;
	struct ps_compat_note *compat;
	size_t		 ncompat, capcompat;
	size_t		 capfindings;
	unsigned	 per_rule[R__MAX];	/* findings kept per rule */
	unsigned	 dropped;		/* findings over the per-rule cap */
	unsigned	 min_version_major, min_version_minor;	/* inferred minimum PowerShell */
	bool		 windows_only;	/* uses 5.1-only cmdlets */
	unsigned	 comment_lines, blank_lines, code_lines;
	char		*lower;		/* lower-cased source, comments blanked, continuations joined
					 * (ps_scratch_alloc) */
	const struct ps_analyze_opts *opts;
	bool		 enabled[R__MAX];
	bool		 all_enabled;	/* every rule on by default is enabled (apply_opts) */
	bool		 any_capped;	/* some per_rule[] reached PS_RULE_CAP */
	struct varset	*reads;		/* variables read, per function (rules_style.c) */
	const char	*cap_evidence[PS_CAP__MAX];	/* first command showing the capability */
	unsigned	 cap_line[PS_CAP__MAX];
	const char	*elevation_reason;	/* why elevation is needed, or NULL */
	struct ps_cmd_group *groups;	/* ps_cmd_groups() result, computed once (arena) */
	size_t		*group_of;
	size_t		 ngroups;
	bool		 grouped;
	struct {	/* how the scores were computed (score.c), for executionSummary */
		double	 security_points;	/* S */
		double	 risk_points;		/* R */
		double	 risk_from_rules;	/* 2/3 of the potential-risk rule points */
		double	 risk_from_caps;
		double	 risk_from_elevation;
		double	 quality_points;	/* P */
		double	 quality_from_findings;
		double	 quality_from_complexity;
		double	 quality_from_syntax;
		double	 allowance;		/* A */
		double	 rule_points[R__MAX];	/* security and risk rules */
	} score;
	unsigned	 nest_depth;	/* 0, or how deep inside code handed to an interpreter */
	size_t		*nest_budget;	/* bytes left to analyse again (shared down the nesting) */
	bool		 pos_valid;	/* position() cache */
	size_t		 pos_off;
	uint32_t	 pos_line, pos_col;
};

/* ps_scratch_alloc: n zeroed bytes for a temporary; small ones come from the analysis arena
 * (no malloc/free pair), big ones from the heap; release with ps_scratch_free(p, ptr, n). */
#define PS_SCRATCH_ARENA_MAX 4096
static inline void *
ps_scratch_alloc(struct ps_analysis_priv *p, size_t n)
{
	return n <= PS_SCRATCH_ARENA_MAX ? ps_ast_alloc(p->ast, n) : xcalloc(1, n);
}
static inline void
ps_scratch_free(void *ptr, size_t n)
{
	if (n > PS_SCRATCH_ARENA_MAX)
		free(ptr);
}

/* PSUseConsistentIndentation's PipelineIndentation. */
enum ps_pipe_indent {
	PS_PIPE_INDENT_FIRST,	/* IncreaseIndentationForFirstPipeline (default) */
	PS_PIPE_INDENT_EVERY,	/* IncreaseIndentationAfterEveryPipeline */
	PS_PIPE_INDENT_NONE,	/* NoIndentation */
	PS_PIPE_INDENT_KEEP	/* None: pipelines change no level */
};

/* The options of the formatting rules (rules_format.c); ps_format_defaults holds
 * PSScriptAnalyzer's defaults, which a settings object starts from. */
struct ps_format_opts {
	bool		 close_no_empty_before;	/* PSPlaceCloseBrace.NoEmptyLineBefore */
	bool		 close_ignore_one_line;	/* .IgnoreOneLineBlock */
	bool		 close_newline_after;	/* .NewLineAfter */
	unsigned	 indent_size;		/* PSUseConsistentIndentation.IndentationSize */
	bool		 indent_tab;		/* .Kind = 'tab' */
	enum ps_pipe_indent pipe_indent;	/* .PipelineIndentation */
	bool		 ws_inner_brace, ws_open_brace, ws_open_paren, ws_operator, ws_pipe,
			 ws_pipe_redundant, ws_separator, ws_parameter, ws_ignore_hash_assign;
						/* PSUseConsistentWhitespace.Check... */
	bool		 align_hashtable, align_hash_comment, align_enum, align_enum_comment,
			 align_valueless;	/* PSAlignAssignmentStatement */
};
extern const struct ps_format_opts ps_format_defaults;

/* Parsed settings (settings.c). Strings and lists live in the arena. */
struct ps_settings {
	struct arena	 arena;
	const char	**include, **exclude;	/* IncludeRules, ExcludeRules (wildcards) */
	size_t		 ninclude, nexclude;
	unsigned	 severity_mask;		/* Severity: 1u << enum ps_severity kept; 0 all */
	signed char	 enable[R__MAX];	/* Rules.X.Enable: -1 not given, 0, 1 */
	const char	**alias_allow;		/* PSAvoidUsingCmdletAliases.allowlist */
	size_t		 nalias_allow;
	const char	**noun_allow;		/* PSUseSingularNouns.NounAllowList */
	size_t		 nnoun_allow;
	bool		 noun_allow_set;	/* given (replaces the default Data, Windows) */
	unsigned	 max_line_length;	/* PSAvoidLongLines.MaximumLineLength (120) */
	bool		 help_all_functions;	/* PSProvideCommentHelp.ExportedOnly = $false */
	bool		 brace_other_line;	/* PSPlaceOpenBrace.OnSameLine = $false */
	bool		 brace_no_newline_after;	/* PSPlaceOpenBrace.NewLineAfter = $false */
	bool		 brace_one_line_checked;	/* PSPlaceOpenBrace.IgnoreOneLineBlock = $false */
	struct ps_format_opts fmt;	/* the formatting rules' options */
};

/* settings_max_line: the line length PSAvoidLongLines allows. */
static inline unsigned
settings_max_line(const struct ps_analysis_priv *p)
{
	return p->opts->settings != NULL ? p->opts->settings->max_line_length : 120;
}
/* ps_settings_alias_allowed: the alias is in PSAvoidUsingCmdletAliases' allowlist. */
bool	 ps_settings_alias_allowed(const struct ps_analysis_priv *, const char *alias);
/* ps_settings_noun_allowed: the noun is in PSUseSingularNouns' NounAllowList (default Data,
 * Windows). */
bool	 ps_settings_noun_allowed(const struct ps_analysis_priv *, const char *noun);

struct ps_ctx;
/* suppress.c: move the findings a SuppressMessageAttribute covers from a->findings to
 * a->suppressed (before scoring). */
void	 ps_suppress_apply(struct ps_ctx *);

/* The context every rule receives. */
struct ps_ctx {
	struct ps_analysis *a;
	struct ps_analysis_priv *p;
	struct ps_ast	*ast;
	const char	*src;
	size_t		 len;
};

#define PS_RULE_CAP 200		/* findings kept per rule (the rest are counted) */

/* Emitting findings (rules.c). The message is formatted; sev PS_SEV__MAX means the rule's
 * default; suggestion NULL means the rule's default. */
void	 ps_rule_emit(struct ps_ctx *, enum ps_rule, enum ps_severity sev, const struct ps_extent *,
    const char *suggestion, const char *fmt, ...) PSS_PRINTF(6, 7);
void	 ps_rule_emit_range(struct ps_ctx *, enum ps_rule, enum ps_severity sev, size_t start,
    size_t end, const char *suggestion, const char *fmt, ...) PSS_PRINTF(7, 8);
/* ps_rule_on: the rule is enabled and below its cap (a finding would be kept). */
static inline bool
ps_rule_on(const struct ps_ctx *c, enum ps_rule r)
{
	return c->p->enabled[r] && c->p->per_rule[r] < PS_RULE_CAP;
}
/* ps_rules_all_on: every rule on by default is enabled and below its cap (ps_rule_on holds for all
 * of them; the rules off by default are style rules, none of them a text pattern). */
static inline bool
ps_rules_all_on(const struct ps_ctx *c)
{
	return c->p->all_enabled && !c->p->any_capped;
}
/* ps_rule_fix: attach a mechanical fix (replacement of the finding's extent) to the finding just
 * emitted by rule r at offset start, if it was kept. */
void	 ps_rule_fix(struct ps_ctx *, enum ps_rule r, size_t start, const char *replacement);
void	 ps_compat_note_add(struct ps_ctx *, const char *feature, const char *requires,
    unsigned line, const char *fmt, ...) PSS_PRINTF(5, 6);

/* NODE_BIT: a node kind's bit in ps_ast.kinds (a walk can be skipped when none of the kinds
 * its visitor acts on is in the tree). */
#define NODE_BIT(k)	((uint64_t)1 << (k))

/* ps_join_parts: the NULL-terminated parts one after the other in buf, cut at size - 1 bytes
 * (what snprintf with "%s%s..." writes, without parsing a format). */
void	 ps_join_parts(char *buf, size_t size, const char *const *parts);

/* Helpers (rules_util.c). */
const struct ps_cmd *ps_ctx_cmd(const struct ps_ctx *, const struct ps_node *cmdnode);
/* ps_cmd_is: the command is canon (case-insensitive; a native program also as canon.exe or by
 * a path ending in it). Most tests fail inline on the first letter or on the length (which
 * the compiler knows for a literal canon): a match has canon's length, or a native base name
 * of that length or four more (".exe"). */
bool	 ps_cmd_is_slow(const struct ps_cmd *, const char *canon);
static inline bool
ps_cmd_is(const struct ps_cmd *pc, const char *canon)
{
	size_t n;

	if (pc == NULL || pc->canon == NULL || (!pc->path &&
	    ((unsigned char)pc->canon[0] | 0x20) != ((unsigned char)canon[0] | 0x20)))
		return false;
	n = strlen(canon);
	if (pc->canon_len != n && (pc->base == NULL || (pc->base_len != n && pc->base_len != n + 4)))
		return false;
	return ps_cmd_is_slow(pc, canon);
}
bool	 ps_cmd_is_any(const struct ps_cmd *, const char *const *canons);	/* NULL-terminated */
const char *ps_ctx_arg_string(const struct ps_ctx *, const struct ps_node *cmd, const char *param);
/* ps_ctx_new_object_type: the -TypeName of a New-Object command (folded), or NULL. */
const char *ps_ctx_new_object_type(struct ps_ctx *, const struct ps_cmd *);
bool	 ps_ctx_has_arg(const struct ps_node *cmd, const char *param);
double	 ps_ctx_number(const struct ps_node *);	/* a constant number (also -1), else NaN */
bool	 ps_node_is_true(const struct ps_node *);		/* $true, 1 */
bool	 ps_node_is_false(const struct ps_node *);		/* $false, 0 */
bool	 ps_node_is_null(const struct ps_node *);		/* $null */
bool	 ps_node_inside(const struct ps_node *n, const struct ps_node *ancestor);
bool	 ps_node_in_loop(const struct ps_node *);
struct ps_node *ps_node_enclosing(const struct ps_node *, enum ps_node_kind);
bool	 ps_ci_contains(const char *hay, size_t hlen, const char *needle);
bool	 ps_ci_eq(const char *a, const char *b);
bool	 ps_ci_prefix(const char *s, const char *prefix);
bool	 ps_ci_suffix(const char *s, const char *suffix);
bool	 ps_name_in(const char *name, const char *const *list);	/* NULL-terminated, ci */
const char *ps_ctx_text(const struct ps_ctx *, const struct ps_node *, size_t *len);
/* ps_ctx_fold: the constant value of an expression built from literals (+, -f, -join, [char],
 * -replace, .Replace(), [string]::Join, reversal), or NULL. Arena memory. *folded is set
 * when anything beyond a plain literal was evaluated. */
const char *ps_ctx_fold(struct ps_ctx *, const struct ps_node *, bool *folded);
double	 ps_shannon_entropy(const char *, size_t);
bool	 ps_is_base64_blob(const char *, size_t, size_t minlen);

/* rules_style.c: automatic variables (1 writable, 2 read-only, 0 not) and the read set. */
int	 ps_style_is_automatic(const char *name);
/* ps_style_is_preference: a preference variable ($ErrorActionPreference, $OFS, ...). */
bool	 ps_style_is_preference(const char *name);
bool	 ps_style_read(const struct varset *, const void *scope, const char *name);

/* ps_cmd_groups: the distinct commands (by canonical name, case-insensitive) in order of first
 * use; *group_of (optional) maps each command index to its group. Computed once per analysis
 * and owned by it. */
size_t	 ps_cmd_groups(const struct ps_analysis_priv *, const struct ps_cmd_group **out,
    const size_t **group_of);

/* report_json.c: json-c strings that are always valid UTF-8 (invalid bytes become U+FFFD). */
struct json_object *ps_json_string(const char *);
struct json_object *ps_json_string_len(const char *, size_t);
/* ps_attack_properties: {mitreAttack, techniques, chain} of a finding naming an attack
 * technique (f->mitre set); with sarif, SARIF result tags too. */
struct json_object *ps_attack_properties(const struct ps_finding *f, bool sarif);

/* The rule passes. */
void	 ps_rules_style_run(struct ps_ctx *);
void	 ps_rules_functions_run(struct ps_ctx *);
void	 ps_rules_security_run(struct ps_ctx *);
void	 ps_rules_patterns_run(struct ps_ctx *);
void	 ps_rules_obfuscation_run(struct ps_ctx *);
void	 ps_rules_perf_risk_run(struct ps_ctx *);
void	 ps_rules_attacks_run(struct ps_ctx *);
void	 ps_rules_module_run(struct ps_ctx *);
void	 ps_rules_format_run(struct ps_ctx *);
/* rules_style.c: the offsets of the script blocks written as elements of a command (`% { }`,
 * `& { }`), sorted for bsearch with ps_cmp_u32; *n gets how many. Release with
 * ps_scratch_free(v, (*cap + 1) * sizeof(uint32_t)). */
uint32_t *ps_command_block_starts(struct ps_ctx *, size_t *n, size_t *cap);
int	 ps_cmp_u32(const void *, const void *);
/* rules_module.c: the name is an about_*.help.txt file; ps_rules_help_file_run is the one
 * rule such a file gets (PSUseUTF8EncodingForHelpFile). */
bool	 ps_help_file_name(const char *name);
void	 ps_rules_help_file_run(struct ps_ctx *);

/* ps_analyze_nested: analyse text handed to an interpreter by the script being analysed, one
 * level deeper (all rules on; no scores or purpose: the caller reads the findings and the
 * capabilities); *budget (bytes still allowed for the whole nesting) is decreased. Returns
 * PSS_OK and *out, or PSS_ETOOBIG when depth or budget is exhausted. */
#define PS_NEST_DEPTH_MAX	8		/* interpreters inside interpreters */
#define PS_NEST_TEXT_MAX	((size_t)64 << 10)	/* bytes of one extracted text */
#define PS_NEST_BUDGET		((size_t)256 << 10)	/* bytes analysed again per input */
int	 ps_analyze_nested(const char *src, size_t len, unsigned depth, size_t *budget,
    struct ps_analysis **out);

/* rules_patterns.c: decode Base64 text (whitespace ignored; UTF-16LE folded to ASCII, as
 * -EncodedCommand uses) into out (cap bytes); the decoded length, or 0 when not Base64. */
size_t	 ps_patterns_b64_decode(const char *s, size_t n, char *out, size_t cap);

/* score.c: scores, capabilities, elevation and purpose. */
void	 ps_score_compute(struct ps_ctx *);
const char *ps_capability_evidence(const struct ps_analysis *, enum ps_capability);

#endif
