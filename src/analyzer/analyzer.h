/* analyzer.h: the public entry point of the PowerShell analyzer (rules, scores, reports) */
#ifndef PSS_ANALYZER_H
#define PSS_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;
struct buf;

/* The analyzer's version, stored with every analysis (analysisVersion). The one place it is
 * defined: bump it in any change that can change an analysis (a rule added, removed or
 * changed, a message, a severity, the scoring, the catalog); the job runner then re-analyses
 * every stored analysis of another version by itself (README, "Re-analysis"). Compared for
 * equality only: any other version is stale. 2.0: the 94 rules, attack and alias passes,
 * provider "builtin" (1.0: the column's default, the first analyzer). */
#define PS_ANALYZER_VERSION "2.0"
#define PS_ANALYZER_PROVIDER "builtin"
#define PS_ANALYZER_MAX_INPUT ((size_t)64 << 20)	/* larger input: PSS_ETOOBIG */

enum ps_severity {
	PS_SEV_INFORMATION,
	PS_SEV_WARNING,
	PS_SEV_ERROR,
	PS_SEV__MAX
};
extern const char *const ps_severity_names[PS_SEV__MAX];	/* "information", ... */
/* ps_severity_parse: the severity named s (also "info"), or PS_SEV__MAX. */
enum ps_severity ps_severity_parse(const char *s);

/* Which list of the analysis object a rule's findings go to. */
enum ps_category {
	PS_CAT_SECURITY,	/* securityIssues */
	PS_CAT_BEST_PRACTICE,	/* bestPracticeViolations */
	PS_CAT_PERFORMANCE,	/* performanceInsights */
	PS_CAT_RISK,		/* potentialRisks */
	PS_CAT__MAX
};
extern const char *const ps_category_names[PS_CAT__MAX];

/* What a script touches (executionSummary). */
enum ps_capability {
	PS_CAP_FILES_READ,
	PS_CAP_FILES_WRITE,
	PS_CAP_FILES_DELETE,
	PS_CAP_REGISTRY_READ,
	PS_CAP_REGISTRY_WRITE,
	PS_CAP_NETWORK,
	PS_CAP_PROCESSES,
	PS_CAP_SERVICES,
	PS_CAP_USERS,
	PS_CAP_REMOTE,
	PS_CAP_SCHEDULED_TASKS,
	PS_CAP_EVENT_LOGS,
	PS_CAP_SYSTEM_CONFIG,	/* firewall, Defender, policy, restart */
	PS_CAP_DYNAMIC_CODE,	/* Invoke-Expression, Add-Type, reflection */
	PS_CAP__MAX
};
extern const char *const ps_capability_names[PS_CAP__MAX];	/* camelCase JSON keys */

/* A rule of the catalog. */
struct ps_rule_info {
	const char		*id;		/* PSAvoidUsingInvokeExpression */
	enum ps_severity	 severity;	/* default severity */
	enum ps_category	 category;
	const char		*title;		/* one line: what it catches */
	const char		*suggestion;	/* default fix description */
	const char		*docs_url;	/* NULL when none */
	bool			 off_by_default;	/* PSScriptAnalyzer ships it disabled: it runs
						 * only when settings enable it (or an
						 * include list names it exactly) */
};

/* ps_rules: the static rule table; *n is set to its length. */
const struct ps_rule_info *ps_rules(size_t *n);
/* ps_rule_find: the rule with this id (case-insensitive), or NULL. */
const struct ps_rule_info *ps_rule_find(const char *id);

/* One finding. Positions are 1-based; endColumn is the column after the last character
 * (as in PSScriptAnalyzer and SARIF); offsets are bytes into the source. */
struct ps_finding {
	const struct ps_rule_info *rule;
	enum ps_severity	 severity;
	const char		*message;
	const char		*suggestion;
	const char		*extent;	/* the source text of [start, end), capped at 200 bytes */
	const char		*fix;		/* mechanical replacement for [start, end), or NULL */
	const char		*justification;	/* suppressed findings: the attribute's
						 * Justification ("" when none); else NULL */
	const char		*mitre;		/* MITRE ATT&CK ids ("T1059.001,T1105") of an attack
						 * technique, or NULL */
	const char		*chain;		/* how the code got there ("cmd /c > powershell
						 * -Command"), or NULL */
	size_t			 start, end;
	unsigned		 line, column, end_line, end_column;
};

struct ps_settings;

struct ps_analyze_opts {
	enum ps_severity	 min_severity;	/* drop findings below (default information) */
	const char *const	*include_rules;	/* NULL or ninclude ids (glob * allowed): only these;
						 * an id named exactly (no *) runs even when
						 * it is off by default */
	size_t			 ninclude;
	const char *const	*exclude_rules;	/* ids (glob * allowed) to drop */
	size_t			 nexclude;
	const struct ps_settings *settings;	/* NULL: PSScriptAnalyzer's defaults */
	const char		*file_name;	/* NULL: unknown. A .psd1 gets the manifest rules
						 * (a text without a name does when it is one
						 * hashtable with manifest keys); an
						 * about_*.help.txt gets only
						 * PSUseUTF8EncodingForHelpFile */
	bool			 on_disk;	/* file_name is a path on this machine
						 * (the command line's files): the DSC
						 * folder rules look beside it for the
						 * resource's Examples and Tests. Never
						 * for a name a client sent */
};

struct ps_analysis_priv;

/* The result of one analysis. Everything hangs off the analysis and goes with
 * ps_analysis_free. Scores are on 0..10 with one decimal (API.md). */
struct ps_analysis {
	struct ps_finding	*findings;	/* sorted by line, column, rule id */
	size_t			 nfindings;
	struct ps_finding	*suppressed;	/* findings a SuppressMessageAttribute covers
						 * (not in findings, not in the scores), sorted */
	size_t			 nsuppressed;
	double			 security_score;	/* higher is better */
	double			 quality_score;		/* higher is better */
	double			 risk_score;		/* higher is worse */
	const char		*purpose;
	unsigned		 capabilities;		/* 1u << enum ps_capability */
	int			 needs_elevation;
	size_t			 ntokens;
	unsigned		 nlines;
	struct ps_analysis_priv	*priv;
};

/* ps_analyze: analyse len bytes of PowerShell source (any bytes; invalid UTF-8 is tolerated).
 * opts may be NULL. Returns PSS_OK and *out (free with ps_analysis_free), PSS_ETOOBIG when
 * len exceeds PS_ANALYZER_MAX_INPUT, PSS_EINVAL for an unknown rule id in opts. Pure: no I/O. */
int ps_analyze(const char *src, size_t len, const struct ps_analyze_opts *opts,
    struct ps_analysis **out);
void ps_analysis_free(struct ps_analysis *);

/* ps_analysis_to_json: the API.md analysis object (camelCase keys, no id/scriptId/timestamps),
 * a new json-c object the caller releases with json_object_put. Deterministic. */
struct json_object *ps_analysis_to_json(const struct ps_analysis *);
/* ps_analysis_write_json: the same object appended to b as JSON text, without a json-c tree:
 * the bytes json-c writes for ps_analysis_to_json's with JSON_C_TO_STRING_PLAIN |
 * JSON_C_TO_STRING_NOSLASHESCAPE, at a fraction of the cost. For an answer that is only
 * written out or stored (POST /api/scripts/analyze, the stored analysis). */
void ps_analysis_write_json(const struct ps_analysis *, struct buf *b);

/* ps_mitre_name: the name of a MITRE ATT&CK technique id ("T1105": "Ingress Tool Transfer"),
 * or NULL for an id the analyzer does not use. */
const char *ps_mitre_name(const char *id, size_t len);

/* ps_finding_to_json: one finding as {ruleId, severity, message, line, ...}; a finding naming
 * an attack technique has properties {mitreAttack: [ids], techniques: [names], chain}. */
struct json_object *ps_finding_to_json(const struct ps_finding *);

/* ps_suppressed_to_json: the suppressed findings as an array of findings, each with its
 * "justification"; a new json-c array the caller releases. */
struct json_object *ps_suppressed_to_json(const struct ps_analysis *);

/* ps_report_text_suppressed: append the suppressed findings as
 * "file:line:col: suppressed: msg [rule] (justification)". */
void ps_report_text_suppressed(struct buf *out, const char *filename, const struct ps_analysis *);

/*
 * Settings in the format of PSScriptAnalyzer's settings files (.psd1): one hashtable with
 * IncludeRules, ExcludeRules (wildcards), Severity and Rules = @{ Rule = @{ Enable = ...;
 * option = ... } }. The text is parsed with the analyzer's own parser and read as data only:
 * literals, @(...) arrays, @{...} hashtables, $true, $false and $null; nothing is evaluated.
 * ps_settings_parse returns PSS_OK and *out (free with ps_settings_free), or PSS_EINVAL with
 * one line naming the key in err. Warnings (a rule or option PSScript does not know or does
 * not implement, a pattern matching no rule) are appended to warn, one per line; warn may be
 * NULL. Pure: no I/O.
 */
int	 ps_settings_parse(const char *src, size_t len, struct ps_settings **out, struct buf *err,
    struct buf *warn);
void	 ps_settings_free(struct ps_settings *);

/* ps_fixes_apply: src (len bytes, the text a was analysed from) with the findings' fixes
 * applied, appended to out; an edit that overlaps an earlier one is left out (the next
 * analysis offers it again). Returns the number of edits applied. */
size_t ps_fixes_apply(const char *src, size_t len, const struct ps_analysis *a,
    struct buf *out);
/* ps_fixes_apply_some: ps_fixes_apply with only the fixes of the findings keep (NULL: every
 * one) answers true for; applied (NULL, or room for a->nfindings) gets the findings whose
 * edits were applied, in the order of the text. */
size_t ps_fixes_apply_some(const char *src, size_t len, const struct ps_analysis *a,
    bool (*keep)(const struct ps_finding *, void *), void *arg, struct buf *out,
    const struct ps_finding **applied);
/* ps_fix_id: a finding's name among the fixes of one text, "RuleId:start-end" (its byte
 * offsets), into id (n bytes); snprintf's answer. Stable for the same text and analyzer. */
#define PS_FIX_ID_MAX 96
int	 ps_fix_id(const struct ps_finding *f, char *id, size_t n);

/* ps_report_text: append compiler-style diagnostics "file:line:col: severity: msg [rule]". */
void ps_report_text(struct buf *out, const char *filename, const struct ps_analysis *);

/* ps_report_sarif: a SARIF 2.1.0 log with one run over n analysed files (uris[i] names a[i]).
 * The caller releases it with json_object_put. */
struct json_object *ps_report_sarif(const struct ps_analysis *const *a, const char *const *uris,
    size_t n);

#endif
