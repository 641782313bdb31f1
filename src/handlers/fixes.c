/* fixes.c: a script's automatic fixes: GET /api/scripts/:id/fixes, POST
 * /api/scripts/:id/apply-fixes, and the page /scripts/:id/fixes (choose, preview the diff,
 * apply as a new version) */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "handlers/fixes.h"
#include "handlers/library.h"
#include "render/diffview.h"
#include "services/fixes.h"

#define SCRIPT_NOT_FOUND "Script not found."

/* GET /api/scripts/:id/fixes: {success, scriptId, title, version, contentHash, fixes, total,
 * truncated, manualFindings, canApply} for a script the caller sees. */
void
h_scripts_fixes(struct http_ctx *c)
{
	int64_t id = req_path_id(c, "id", "id");
	struct viewer v = req_viewer(c);
	struct svc_err err = { 0 };
	struct json_object *o;
	enum pss_err e;

	if (id == 0)
		return;
	if ((e = library_fixes_list(&c->app->svc, &v, id, &o, &err)) != PSS_OK) {
		error_from_svc(c, e, &err, SCRIPT_NOT_FOUND);
		return;
	}
	reply_success(c, 200, NULL, o);
}

/* POST /api/scripts/:id/apply-suggestions: the original platform had a language model rewrite
 * a script from free-text suggestions, which this one does not do; what it has is the
 * analyzer's exact fixes, applied as a new version: 410 {error: gone, replacement} to
 * anyone (nothing is read or done, so nothing about the script is told). */
void
h_scripts_apply_suggestions_gone(struct http_ctx *c)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "replacement",
	    json_object_new_string("POST /api/scripts/:id/apply-fixes"));
	error_reply(c, 410, "gone", "Scripts are not rewritten from suggestions here: the "
	    "analyzer's exact fixes are applied as a new version with POST "
	    "/api/scripts/:id/apply-fixes (GET /api/scripts/:id/fixes lists them).", d);
}

/*
 * POST /api/scripts/:id/apply-fixes {version?, contentHash?, ruleIds?, findingIds?, dryRun?}
 * (and the page's POST /scripts/:id/fixes, whose form has the same fields): 201 {success,
 * scriptId, fromVersion, version, applied, skipped, commitMessage, linesAdded, linesRemoved,
 * diff}; a dry run answers 200 with version null and writes nothing. An empty list is the
 * same as none: every fix.
 */
void
h_scripts_apply_fixes(struct http_ctx *c)
{
	int64_t id = req_path_id(c, "id", "id"), version = 0;
	struct viewer v = req_viewer(c);
	struct svc_err err = { 0 };
	struct fixes_select sel = { 0 };
	struct json_object *b, *o;
	const char *hash = NULL, **rules = NULL, **ids = NULL;
	bool dry = false;
	enum pss_err e;

	if (id == 0 || (b = json_body(c)) == NULL)
		return;
	if (req_body_int(c, b, "version", NULL, 1, INT32_MAX, &version) < 0 ||
	    req_body_str(c, b, "contentHash", NULL, 64, false, &hash, NULL) < 0 ||
	    req_body_strings(c, b, "ruleIds", NULL, FIXES_SELECT_MAX, &rules, &sel.nrules) < 0 ||
	    req_body_strings(c, b, "findingIds", NULL, FIXES_SELECT_MAX, &ids, &sel.nids) < 0 ||
	    req_body_bool(c, b, "dryRun", NULL, &dry) < 0)
		return;
	sel.version = version;
	sel.content_hash = hash;
	sel.rule_ids = rules;
	sel.finding_ids = ids;
	if ((e = library_fixes_apply(&c->app->svc, &v, id, &sel, dry, &o, &err)) != PSS_OK) {
		error_from_svc(c, e, &err, SCRIPT_NOT_FOUND);
		return;
	}
	reply_success(c, dry ? 200 : 201, NULL, o);
}

/* The fix ids of the page's query ("fix", repeated), at most FIXES_SELECT_MAX: n, or -1
 * after answering 400. ids has room for FIXES_SELECT_MAX. */
static int
query_ids(struct http_ctx *c, const char **ids)
{
	int n = 0;

	for (size_t i = 0; i < c->req->query.n; i++) {
		if (strcmp(c->req->query.items[i].key, "fix") != 0)
			continue;
		if (n == FIXES_SELECT_MAX) {
			field_error(c, "fix", "Choose at most 500 fixes at a time.");
			return -1;
		}
		ids[n++] = c->req->query.items[i].val;
	}
	return n;
}

/* For the page: an extent that is only white space is described ("2 spaces"), as the
 * text itself would not show. NULL when it shows. */
static const char *
extent_note(const char *x, char *b, size_t n)
{
	size_t sp = 0, tab = 0, other = 0;

	for (; *x; x++)
		*x == ' ' ? sp++ : *x == '\t' ? tab++ : other++;
	if (other > 0 || sp + tab == 0)
		return NULL;
	if (tab == 0)
		snprintf(b, n, "%zu space%s", sp, sp == 1 ? "" : "s");
	else
		snprintf(b, n, "%zu space%s and %zu tab%s", sp, sp == 1 ? "" : "s", tab, tab == 1 ? "" : "s");
	return b;
}

/* Marks each fix of the list chosen (all: every one). */
static void
mark_chosen(struct json_object *fixes, const char *const *ids, int n, bool all)
{
	for (size_t i = 0; i < json_object_array_length(fixes); i++) {
		struct json_object *f = json_object_array_get_idx(fixes, i), *id;
		bool on = all;

		json_object_object_get_ex(f, "id", &id);
		for (int k = 0; k < n && !on; k++)
			on = strcmp(ids[k], json_object_get_string(id)) == 0;
		json_object_object_add(f, "chosen", json_object_new_boolean(on));
		{
			char note[64];
			const char *s = extent_note(json_object_get_string(json_object_object_get(f, "extent")),
			    note, sizeof(note));

			if (s != NULL)
				json_object_object_add(f, "extentNote", json_object_new_string(s));
		}
	}
}

/*
 * GET /scripts/:id/fixes[?version=N&fix=ID...|all=1]: the owner's (or an admin's) list of
 * the script's automatic fixes as a form of checkboxes; with a choice, the preview: the
 * fixes that would be applied, the diff (unified rows, diffview.h) and the confirming form.
 * A choice made for another version than the current one shows a notice instead (stale).
 * view: library_fixes_list's object plus {preview?: {applied, skipped, commitMessage,
 * linesAdded, linesRemoved, nextVersion, hunks, truncated, findingIds}, stale?, anyChosen}
 */
void
h_page_fixes(struct http_ctx *c)
{
	int64_t id = req_path_id(c, "id", "id"), qv = 0;
	struct viewer v = req_viewer(c);
	struct svc_err err = { 0 };
	struct json_object *view, *fixes = NULL, *m, *pre, *p;
	const char *ids[FIXES_SELECT_MAX];
	const char *all = http_query(c->req, "all");
	bool choose_all = all != NULL && strcmp(all, "1") == 0, trunc = false;
	int n, rv;
	enum pss_err e;

	if (id == 0 || (n = query_ids(c, ids)) < 0 ||
	    (rv = req_query_int(c, "version", 1, INT32_MAX, &qv)) < 0)
		return;
	if ((e = library_fixes_list(&c->app->svc, &v, id, &view, &err)) != PSS_OK) {
		error_from_svc(c, e, &err, SCRIPT_NOT_FOUND);
		return;
	}
	if (!json_object_object_get_ex(view, "canApply", &m) || !json_object_get_boolean(m)) {
		json_object_put(view);
		error_reply(c, 403, "forbidden", "Only the owner or an administrator may do this.", NULL);
		return;
	}
	json_object_object_get_ex(view, "fixes", &fixes);
	json_object_object_add(view, "listed", json_object_new_int64((int64_t)json_object_array_length(fixes)));
	/* nothing chosen yet: every fix is offered checked */
	mark_chosen(fixes, ids, n, choose_all || n == 0);
	if (n > 0 || choose_all) {
		struct fixes_select sel = { .version = qv, .finding_ids = ids, .nids = choose_all ? 0 : (size_t)n };

		if (rv == 0)	/* a choice is for the version it was made on */
			sel.version = json_object_get_int64(json_object_object_get(view, "version"));
		e = library_fixes_apply(&c->app->svc, &v, id, &sel, true, &pre, &err);
		if (e == PSS_ECONFLICT) {
			json_object_object_add(view, "stale", json_object_new_boolean(1));
		} else if (e != PSS_OK) {
			json_object_put(view);
			error_from_svc(c, e, &err, SCRIPT_NOT_FOUND);
			return;
		} else {
			struct json_object *applied = json_object_object_get(pre, "applied"),
			    *fids = json_object_new_array();

			p = json_object_new_object();
			for (size_t i = 0; i < json_object_array_length(applied); i++)
				json_object_array_add(fids, json_object_get(json_object_object_get(
				    json_object_array_get_idx(applied, i), "id")));
			json_object_object_foreach(pre, k, val) {
				if (strcmp(k, "diff") != 0 && strcmp(k, "version") != 0)
					json_object_object_add(p, k, json_object_get(val));
			}
			json_object_object_add(p, "findingIds", fids);
			json_object_object_add(p, "appliedCount",
			    json_object_new_int64((int64_t)json_object_array_length(applied)));
			json_object_object_add(p, "nextVersion", json_object_new_int64(
			    json_object_get_int64(json_object_object_get(pre, "fromVersion")) + 1));
			json_object_object_add(p, "hunks", dv_hunks_max(json_object_object_get(pre, "diff"),
			    DV_UNIFIED, DV_MAX_ROWS, &trunc));
			json_object_object_add(p, "truncated", json_object_new_boolean(trunc));
			json_object_object_add(view, "preview", p);
			json_object_put(pre);
		}
	}
	json_reply(c, 200, view);
}
