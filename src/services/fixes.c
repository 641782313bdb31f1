/* fixes.c: the analyzer's automatic fixes of a stored script: list them, apply a choice of
 * them as a new version (fixes.h) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/analyzer.h"
#include "core/core.h"
#include "core/diff.h"
#include "db/versions.h"
#include "services/fixes.h"
#include "services/library-int.h"

/* The script's current state and its analysis. */
struct current {
	struct json_object *script;	/* db_script_get's object: owns the strings below */
	const char	*content;
	size_t		 len;
	const char	*title;
	const char	*hash;
	int64_t		 version;
	struct ps_analysis *an;
};

static void
current_free(struct current *cur)
{
	ps_analysis_free(cur->an);
	json_object_put(cur->script);
	memset(cur, 0, sizeof(*cur));
}

static const char *
member_str(struct json_object *o, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "";
}

/* current_load: the script's content, version and hash, analysed as the analysis job would;
 * the viewer must see it (db_script_get's rule). */
static enum pss_err
current_load(const struct svc *s, struct db *db, const struct viewer *v, int64_t id,
    struct current *cur, struct svc_err *err)
{
	struct json_object *m;
	enum pss_err e;

	memset(cur, 0, sizeof(*cur));
	if ((e = db_script_get(db, v, id, &cur->script)) != PSS_OK)
		return e;
	cur->content = member_str(cur->script, "content");
	cur->len = strlen(cur->content);
	cur->title = member_str(cur->script, "title");
	cur->hash = member_str(cur->script, "fileHash");
	cur->version = json_object_object_get_ex(cur->script, "version", &m) ? json_object_get_int64(m) : 0;
	if (cur->len > FIXES_CONTENT_MAX) {
		err->message = "The script is larger than 1 MB: apply its fixes with psscript analyze --fix.";
		return PSS_ETOOBIG;
	}
	if (ps_analyze(cur->content, cur->len, library_analyzer_opts(s), &cur->an) != PSS_OK ||
	    cur->an == NULL)
		return svc_fail(err, PSS_EINVAL, "content", "the content could not be analysed");
	return PSS_OK;
}

static struct json_object *
fix_json(const struct ps_finding *f)
{
	struct json_object *o = json_object_new_object();
	char id[PS_FIX_ID_MAX];

	ps_fix_id(f, id, sizeof(id));
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "ruleId", json_object_new_string(f->rule->id));
	json_object_object_add(o, "severity", json_object_new_string(ps_severity_names[f->severity]));
	json_object_object_add(o, "message", json_object_new_string(f->message));
	json_object_object_add(o, "line", json_object_new_int64(f->line));
	json_object_object_add(o, "column", json_object_new_int64(f->column));
	json_object_object_add(o, "endLine", json_object_new_int64(f->end_line));
	json_object_object_add(o, "endColumn", json_object_new_int64(f->end_column));
	json_object_object_add(o, "extent", json_object_new_string(f->extent ? f->extent : ""));
	json_object_object_add(o, "replacement", json_object_new_string(f->fix));
	json_object_object_add(o, "description", json_object_new_string(f->suggestion ?
	    f->suggestion : f->rule->suggestion));
	return o;
}

enum pss_err
library_fixes_list(const struct svc *s, const struct viewer *v, int64_t script_id,
    struct json_object **out, struct svc_err *err)
{
	struct svc_err dummy = { 0 };
	struct json_object *fixes;
	struct current cur;
	size_t total = 0, manual = 0;
	enum pss_err e;

	*out = NULL;
	if (err == NULL)
		err = &dummy;
	if ((e = current_load(s, s->db, v, script_id, &cur, err)) != PSS_OK) {
		current_free(&cur);
		return e;
	}
	fixes = json_object_new_array();
	for (size_t i = 0; i < cur.an->nfindings; i++) {
		const struct ps_finding *f = &cur.an->findings[i];

		if (f->fix == NULL) {
			manual++;
			continue;
		}
		if (total++ < FIXES_MAX)
			json_object_array_add(fixes, fix_json(f));
	}
	*out = json_object_new_object();
	json_object_object_add(*out, "scriptId", json_object_new_int64(script_id));
	json_object_object_add(*out, "title", json_object_new_string(cur.title));
	json_object_object_add(*out, "version", json_object_new_int64(cur.version));
	json_object_object_add(*out, "contentHash", json_object_new_string(cur.hash));
	json_object_object_add(*out, "fixes", fixes);
	json_object_object_add(*out, "total", json_object_new_int64((int64_t)total));
	json_object_object_add(*out, "truncated", json_object_new_boolean(total > FIXES_MAX));
	json_object_object_add(*out, "manualFindings", json_object_new_int64((int64_t)manual));
	{
		struct json_object *m;
		int64_t owner = json_object_object_get_ex(cur.script, "userId", &m) ?
		    json_object_get_int64(m) : 0;

		json_object_object_add(*out, "canApply", json_object_new_boolean(v->admin ||
		    (v->user_id != 0 && owner == v->user_id)));
	}
	current_free(&cur);
	return PSS_OK;
}

/* ---- applying ---- */

/* The choice: keep() answers it for each finding with a fix. */
struct pick {
	const struct fixes_select *sel;
	const char	**ids;		/* sel's finding ids, sorted */
	bool		*seen;		/* ids[i] was offered */
	size_t		 count;		/* fixes kept so far (at most FIXES_MAX) */
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool
keep(const struct ps_finding *f, void *arg)
{
	struct pick *p = arg;
	const struct fixes_select *sel = p->sel;
	char id[PS_FIX_ID_MAX];
	const char *key = id, **hit;
	bool named = sel->nrules == 0;

	if (p->count >= FIXES_MAX)
		return false;
	for (size_t i = 0; i < sel->nrules && !named; i++)
		named = strcasecmp(sel->rule_ids[i], f->rule->id) == 0;
	if (!named)
		return false;
	if (sel->nids > 0) {
		ps_fix_id(f, id, sizeof(id));
		if ((hit = bsearch(&key, p->ids, sel->nids, sizeof(*p->ids), cmp_str)) == NULL)
			return false;
		p->seen[hit - p->ids] = true;
	}
	p->count++;
	return true;
}

/* id_ok: "RuleId:start-end" (ps_fix_id's shape) */
static bool
id_ok(const char *id)
{
	const char *p = id;
	size_t n = 0;

	if (strlen(id) >= PS_FIX_ID_MAX)
		return false;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (p > id && *p >= '0' && *p <= '9'))
		p++;	/* a rule id: letters and digits (PSSAvoidBase64Execution) */
	if (p == id || *p++ != ':')
		return false;
	for (n = 0; *p >= '0' && *p <= '9'; p++)
		n++;
	if (n == 0 || *p++ != '-')
		return false;
	for (n = 0; *p >= '0' && *p <= '9'; p++)
		n++;
	return n > 0 && *p == '\0';
}

static enum pss_err
select_check(const struct fixes_select *sel, struct svc_err *err)
{
	if (sel->nrules > FIXES_SELECT_MAX)
		return svc_fail(err, PSS_EINVAL, "ruleIds", "at most 500 rule ids");
	if (sel->nids > FIXES_SELECT_MAX)
		return svc_fail(err, PSS_EINVAL, "findingIds", "at most 500 fixes at a time");
	for (size_t i = 0; i < sel->nrules; i++)
		if (ps_rule_find(sel->rule_ids[i]) == NULL)
			return svc_fail(err, PSS_EINVAL, "ruleIds", "not a rule of the analyzer");
	for (size_t i = 0; i < sel->nids; i++)
		if (!id_ok(sel->finding_ids[i]))
			return svc_fail(err, PSS_EINVAL, "findingIds",
			    "each must be a fix id as listed (RuleId:start-end)");
	if (sel->nids > 0 && sel->version == 0 && (sel->content_hash == NULL || *sel->content_hash == '\0'))
		return svc_fail(err, PSS_EINVAL, "version",
		    "the version the fixes were listed for is required with findingIds");
	if (sel->version < 0 || sel->version > INT32_MAX)
		return svc_fail(err, PSS_EINVAL, "version", "a version number");
	return PSS_OK;
}

static enum pss_err
stale(struct svc_err *err, const char *field)
{
	err->field = field;
	err->phrase = false;
	err->message = "The script has changed since these fixes were listed: review them again.";
	return PSS_ECONFLICT;
}

/* commit_message: "Applied 3 fixes: R (line 4), R (line 7), ..." with at most about
 * FIXES_MESSAGE_MAX bytes of edits, then "and N more". */
static void
commit_message(struct buf *m, const struct ps_finding *const *applied, size_t n)
{
	buf_printf(m, "Applied %zu fix%s: ", n, n == 1 ? "" : "es");
	for (size_t i = 0; i < n; i++) {
		if (m->len > FIXES_MESSAGE_MAX) {
			buf_printf(m, " and %zu more", n - i);
			break;
		}
		buf_printf(m, "%s%s (line %u)", i > 0 ? ", " : "", applied[i]->rule->id, applied[i]->line);
	}
}

/* The work of one apply, in or out of a transaction. */
struct apply {
	const struct svc *s;
	const struct viewer *v;
	int64_t		 id;
	const struct fixes_select *sel;
	bool		 dry_run;
	struct svc_err	*err;
	struct json_object *out;
	char		*text;		/* the fixed content, normalised */
	bool		 hash_race;
};

static enum pss_err
apply_run(struct db *db, void *arg)
{
	struct apply *t = arg;
	const struct fixes_select *sel = t->sel;
	const struct ps_finding **applied = NULL;
	struct pick pick = { sel, NULL, NULL, 0 };
	struct buf fixed = BUF_INIT, msg = BUF_INIT;
	struct current cur;
	struct diff_result d;
	size_t n, tlen = 0;
	int64_t nv = 0;
	enum pss_err e;

	memset(&d, 0, sizeof(d));
	json_object_put(t->out);	/* a transaction retried */
	t->out = NULL;
	if ((e = library_access(db, t->v, t->id, true, !t->dry_run)) != PSS_OK)
		return e;
	if ((e = current_load(t->s, db, t->v, t->id, &cur, t->err)) != PSS_OK)
		goto out;
	if (sel->version != 0 && sel->version != cur.version) {
		e = stale(t->err, "version");
		goto out;
	}
	if (sel->content_hash != NULL && *sel->content_hash != '\0' &&
	    strcasecmp(sel->content_hash, cur.hash) != 0) {
		e = stale(t->err, "contentHash");
		goto out;
	}
	if (sel->nids > 0) {
		pick.ids = xcalloc(sel->nids, sizeof(*pick.ids));
		pick.seen = xcalloc(sel->nids, sizeof(*pick.seen));
		memcpy(pick.ids, sel->finding_ids, sel->nids * sizeof(*pick.ids));
		qsort(pick.ids, sel->nids, sizeof(*pick.ids), cmp_str);
	}
	applied = xcalloc(cur.an->nfindings + 1, sizeof(*applied));
	n = ps_fixes_apply_some(cur.content, cur.len, cur.an, keep, &pick, &fixed, applied);
	for (size_t i = 0; i < sel->nids; i++)
		if (!pick.seen[i]) {
			e = stale(t->err, "findingIds");
			goto out;
		}
	if (n == 0) {
		e = svc_fail(t->err, PSS_EINVAL, "findingIds", "there is no automatic fix to apply");
		goto out;
	}
	commit_message(&msg, applied, n);
	free(t->text);
	t->text = NULL;
	if ((e = library_content_check(buf_cstr(&fixed), fixed.len, &t->text, &tlen, t->err)) != PSS_OK)
		goto out;
	if (!t->dry_run) {
		e = library_new_version(db, t->id, t->v->user_id, t->text, tlen, buf_cstr(&msg), false,
		    &nv, t->err, &t->hash_race);
		if (e != PSS_OK)
			goto out;
		if (nv == 0) {
			e = svc_fail(t->err, PSS_EINVAL, "findingIds", "the fixes change nothing");
			goto out;
		}
	}
	diff_lines(cur.content, cur.len, t->text, tlen, &(struct diff_opts){ .context = 3,
	    .from_label = "current", .to_label = "fixed" }, &d);
	t->out = json_object_new_object();
	json_object_object_add(t->out, "scriptId", json_object_new_int64(t->id));
	json_object_object_add(t->out, "fromVersion", json_object_new_int64(cur.version));
	json_object_object_add(t->out, "version", nv != 0 ? json_object_new_int64(nv) : NULL);
	json_object_object_add(t->out, "contentHash", json_object_new_string(cur.hash));
	{
		struct json_object *arr = json_object_new_array();

		for (size_t i = 0; i < n; i++)
			json_object_array_add(arr, fix_json(applied[i]));
		json_object_object_add(t->out, "applied", arr);
	}
	json_object_object_add(t->out, "skipped", json_object_new_int64((int64_t)(pick.count - n)));
	json_object_object_add(t->out, "commitMessage", json_object_new_string(buf_cstr(&msg)));
	json_object_object_add(t->out, "linesAdded", json_object_new_int64((int64_t)d.lines_added));
	json_object_object_add(t->out, "linesRemoved", json_object_new_int64((int64_t)d.lines_removed));
	json_object_object_add(t->out, "diff", db_diff_json(&d, cur.version, nv != 0 ? nv : cur.version + 1));
out:
	diff_result_free(&d);
	free(applied);
	free(pick.ids);
	free(pick.seen);
	buf_free(&fixed);
	buf_free(&msg);
	current_free(&cur);
	return e;
}

enum pss_err
library_fixes_apply(const struct svc *s, const struct viewer *v, int64_t script_id,
    const struct fixes_select *sel, bool dry_run, struct json_object **out, struct svc_err *err)
{
	struct svc_err dummy = { 0 };
	struct apply t = { s, v, script_id, sel, dry_run, NULL, NULL, NULL, false };
	enum pss_err e;

	*out = NULL;
	t.err = err != NULL ? err : &dummy;
	if (v->user_id == 0)
		return PSS_EAUTH;
	if ((e = select_check(sel, t.err)) != PSS_OK)
		return e;
	e = dry_run ? apply_run(s->db, &t) : db_tx(s->db, apply_run, &t);
	if (e == PSS_OK) {
		*out = t.out;
		t.out = NULL;
		if (!dry_run)
			cache_invalidate_library(s->cache, script_id, CACHE_LIB_ALL);
	} else if (e == PSS_ECONFLICT && t.hash_race && t.text != NULL)
		t.err->existing_id = db_script_by_hash(s->db, t.text, strlen(t.text), v->user_id);
	json_object_put(t.out);
	free(t.text);
	return e;
}
