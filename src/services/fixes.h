/* fixes.h: the analyzer's automatic fixes of a stored script: listing them, and applying a
 * choice of them as a new version of the script (docs/analyzer.md "Applying fixes") */
#ifndef PSS_SERVICES_FIXES_H
#define PSS_SERVICES_FIXES_H

#include "services/library.h"

/*
 * The fixes are those of the built-in analyzer run over the script's current content with
 * the platform's settings (library_analyzer_opts), as the SARIF export does: each is an
 * exact, behaviour-preserving edit (a finding's `fix`); a correction that would change what
 * the script does is never one (it stays the finding's suggestion). A fix is named by its
 * id, "RuleId:start-end" (ps_fix_id: byte offsets in that version's content), so an id
 * is only meaningful with the version it was listed for.
 */
#define FIXES_CONTENT_MAX LIBRARY_ADHOC_MAX	/* larger scripts: psscript analyze --fix */
#define FIXES_MAX 500		/* fixes listed, and applied, in one request */
#define FIXES_SELECT_MAX 500	/* ids (or rule ids) a request may name */
#define FIXES_MESSAGE_MAX 4000	/* the commit message lists the edits up to about this */

/* What to apply. version and content_hash (either may be 0 / NULL: not checked) are what
 * the caller saw: when the script's current version or content hash differs, the request
 * is stale (PSS_ECONFLICT naming "version"). finding_ids need one of them. */
struct fixes_select {
	int64_t		 version;
	const char	*content_hash;
	const char *const *rule_ids;	/* NULL or nrules: only fixes of these rules */
	size_t		 nrules;
	const char *const *finding_ids;	/* NULL or nids: only these fixes */
	size_t		 nids;
};

/* library_fixes_list: a script the viewer sees (PSS_ENOTFOUND): {scriptId, title, version,
 * contentHash, fixes: [fix], total, truncated, manualFindings, canApply}, fix = {id, ruleId, severity,
 * message, line, column, endLine, endColumn, extent, replacement, description}, at most
 * FIXES_MAX in the order of the text (total counts them all); manualFindings counts the
 * findings without an automatic fix; canApply says whether the viewer may apply them
 * (owner or admin). PSS_ETOOBIG over FIXES_CONTENT_MAX bytes. */
enum pss_err library_fixes_list(const struct svc *, const struct viewer *, int64_t script_id,
	struct json_object **out, struct svc_err *);

/* library_fixes_apply: owner or admin (PSS_EFORBIDDEN; PSS_ENOTFOUND when invisible). The
 * chosen fixes (none named: every fix, up to FIXES_MAX) applied to the current content in
 * one transaction with the script locked: a new version whose commit message lists the
 * edits ("Applied 3 fixes: PSAvoidUsingCmdletAliases (line 4), ..."), then its analysis
 * job, as any content change. Two chosen fixes that overlap: the first in the text is
 * applied, the other is counted in skipped (a later request offers it again). dry_run: the
 * same answer without writing anything. *out: {scriptId, fromVersion, version (null on a
 * dry run), applied: [fix], skipped, commitMessage, linesAdded, linesRemoved, diff (the
 * compare object of db_versions_compare: hunks, unified)}.
 * PSS_EINVAL: a malformed id or rule id, too many, finding ids without version or hash,
 * nothing to apply; PSS_ECONFLICT: stale (the script changed since version / hash, or a
 * named fix is no longer offered); PSS_ETOOBIG: over FIXES_CONTENT_MAX. */
enum pss_err library_fixes_apply(const struct svc *, const struct viewer *, int64_t script_id,
	const struct fixes_select *, bool dry_run, struct json_object **out, struct svc_err *);

#endif
