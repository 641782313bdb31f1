/* analysis.c: a script's analysis: analyse and store (the analysis.run job's work and
 * "analyse now"), its state, the cached read, ad-hoc analysis and the exports */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ai/ai.h"
#include "analyzer/analyzer.h"
#include "core/core.h"
#include "core/text.h"
#include "db/jobs.h"
#include "db/analysis.h"
#include "services/library-int.h"
#include "services/reanalysis.h"

/* analyse_store: library_analysis_run's work; with_ai (the job only) merges in the AI
 * provider's prose before storing (library_analysis_job, services/reanalysis.c). */
static enum pss_err
analyse_store(const struct svc *s, int64_t id, const struct ps_analyze_opts *opts, bool with_ai,
    char *why, size_t whysz)
{
	static const struct viewer system = { 0, true };
	struct json_object *json;
	struct buf text = BUF_INIT;
	struct ps_analysis *an = NULL;
	char *content = NULL, *title = NULL;
	size_t len;
	enum pss_err e;

	if ((e = db_script_content(s->db, &system, id, &content, &len, &title)) != PSS_OK) {
		if (e == PSS_ENOTFOUND) {
			log_info("analysis of script %lld skipped: the script is gone", (long long)id);
			return PSS_OK;
		}
		snprintf(why, whysz, "reading script %lld: %s", (long long)id, pss_strerror(e));
		return e;
	}
	if (ps_analyze(content, len, opts, &an) != PSS_OK || an == NULL) {
		snprintf(why, whysz, "script %lld could not be analysed (too large?)", (long long)id);
		e = PSS_EINVAL;
		goto out;
	}
	if (with_ai && ai_configured(s->conf)) {	/* the prose is merged into a json-c tree */
		json = ps_analysis_to_json(an);
		library_analysis_prose(s, id, content, len, title, json);
		buf_puts(&text, json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(json);
	} else
		ps_analysis_write_json(an, &text);
	e = db_analysis_store(s->db, id, buf_cstr(&text));
	buf_free(&text);
	if (e == PSS_ENOTFOUND) {
		e = PSS_OK;	/* deleted while we worked */
		goto out;
	}
	if (e != PSS_OK) {
		snprintf(why, whysz, "storing the analysis of script %lld: %s", (long long)id,
		    db_last_error(s->db));
		goto out;
	}
	/* LISTS drops analytics:* too: the scores and findings moved */
	cache_invalidate_library(s->cache, id, CACHE_LIB_SCRIPT | CACHE_LIB_LISTS);
	/* the analysis's purpose is part of what is embedded (an unchanged text is skipped) */
	if (library_enqueue_embedding(s->db, id) != PSS_OK)
		log_warn("analysis: could not queue the embedding of script %lld", (long long)id);
out:
	ps_analysis_free(an);
	free(content);
	free(title);
	return e;
}

enum pss_err
library_analysis_run(const struct svc *s, int64_t id, const struct ps_analyze_opts *opts,
    char *why, size_t whysz)
{
	return analyse_store(s, id, opts, false, why, whysz);
}

enum pss_err
library_analysis_job(const struct svc *s, int64_t id, const struct ps_analyze_opts *opts,
    char *why, size_t whysz)
{
	return analyse_store(s, id, opts, true, why, whysz);
}

/* ---- the analyzer's options ---- */

int
library_analyzer_load(const char *path, struct ps_settings **out, struct buf *err, struct buf *warn)
{
	struct buf src = BUF_INIT;
	enum pss_err e;
	int rc = -1;

	*out = NULL;
	if ((e = file_read(path, &src, PS_ANALYZER_MAX_INPUT)) != PSS_OK) {
		if (e == PSS_ETOOBIG)
			buf_printf(err, "larger than %zu bytes", (size_t)PS_ANALYZER_MAX_INPUT);
		else
			buf_printf(err, "%s", strerror(errno));
	} else if (ps_settings_parse(src.data, src.len, out, err, warn) == PSS_OK) {
		rc = 0;
	}
	buf_free(&src);
	return rc;
}

const struct ps_analyze_opts *
library_analyzer_opts(const struct svc *s)
{
	static struct ps_analyze_opts opts;
	static bool loaded, usable;
	struct ps_settings *settings;
	struct buf err = BUF_INIT, warn = BUF_INIT;
	const char *path = s->conf != NULL ? s->conf->analyzer_settings : NULL;

	if (path == NULL || path[0] == '\0')
		return NULL;
	if (!loaded) {
		loaded = true;
		if (library_analyzer_load(path, &settings, &err, &warn) != 0)
			log_error("ANALYZER_SETTINGS=%s: %s; analysing with the defaults", path,
			    buf_cstr(&err));
		else {
			memset(&opts, 0, sizeof(opts));
			opts.settings = settings;	/* kept for the life of the process */
			usable = true;
		}
		buf_free(&err);
		buf_free(&warn);
	}
	return usable ? &opts : NULL;
}

/* ---- the analysis endpoints' operations ---- */

const char *const library_analysis_formats[ANALYSIS_FORMAT__MAX] = { "json", "sarif", "html", "md" };

enum analysis_format
library_analysis_format_parse(const char *s)
{
	for (int i = 0; s != NULL && i < ANALYSIS_FORMAT__MAX; i++)
		if (strcmp(s, library_analysis_formats[i]) == 0)
			return (enum analysis_format)i;
	return ANALYSIS_FORMAT__MAX;
}

int
library_analysis_key(char *key, size_t n, int64_t id)
{
	snprintf(key, n, "analysis:%lld", (long long)id);
	return CACHE_TTL_ANALYSIS;
}

static const char *
member_str(struct json_object *o, const char *name)
{
	struct json_object *m;

	return o != NULL && json_object_object_get_ex(o, name, &m) &&
	    json_object_is_type(m, json_type_string) ? json_object_get_string(m) : NULL;
}

static void
copy_member(struct json_object *to, const char *name, struct json_object *from, const char *from_name)
{
	struct json_object *m;

	if (json_object_object_get_ex(from, from_name, &m) && !json_object_is_type(m, json_type_null))
		json_object_object_add(to, name, json_object_get(m));
}

struct json_object *
library_analysis_state(struct json_object *job, bool has_analysis)
{
	struct json_object *st = json_object_new_object(), *m;
	const char *status = member_str(job, "status");
	bool after = job != NULL && json_object_object_get_ex(job, "afterAnalysis", &m) &&
	    json_object_get_boolean(m);

	if (status != NULL && strcmp(status, "queued") == 0) {
		json_object_object_add(st, "status", json_object_new_string("queued"));
		copy_member(st, "queuedAt", job, "createdAt");
		if (json_object_object_get_ex(job, "attempts", &m) && json_object_get_int(m) > 0) {
			/* a retry: the last attempt's reason */
			copy_member(st, "error", job, "lastError");
			json_object_object_add(st, "attempts", json_object_get(m));
		}
	} else if (status != NULL && strcmp(status, "running") == 0) {
		json_object_object_add(st, "status", json_object_new_string("running"));
		copy_member(st, "queuedAt", job, "createdAt");
		copy_member(st, "startedAt", job, "lockedAt");
	} else if (status != NULL && strcmp(status, "failed") == 0 && after) {
		json_object_object_add(st, "status", json_object_new_string("failed"));
		copy_member(st, "error", job, "lastError");
		if (!json_object_object_get_ex(st, "error", NULL))
			json_object_object_add(st, "error", json_object_new_string("the analysis failed"));
		copy_member(st, "queuedAt", job, "createdAt");
		copy_member(st, "finishedAt", job, "finishedAt");
	} else
		json_object_object_add(st, "status", json_object_new_string(has_analysis ? "done" : "none"));
	return st;
}

bool
library_analysis_pending(struct json_object *state)
{
	const char *status = member_str(state, "status");

	return status != NULL && (strcmp(status, "queued") == 0 || strcmp(status, "running") == 0);
}

struct json_object *
library_analysis_answer(struct json_object *analysis, struct json_object *state)
{
	static const char *const snake[][2] = { { "codeQualityScore", "code_quality_score" },
		{ "securityScore", "security_score" }, { "riskScore", "risk_score" } };
	struct json_object *o = json_object_new_object(), *v;

	if (json_object_is_type(analysis, json_type_object)) {
		json_object_object_foreach(analysis, k, m)
			if (strcmp(k, "analysis") != 0 && strcmp(k, "analysisState") != 0 &&
			    strcmp(k, "success") != 0)
				json_object_object_add(o, k, json_object_get(m));
		for (size_t i = 0; i < PSS_ARRAY_LEN(snake); i++)
			if (json_object_object_get_ex(analysis, snake[i][0], &v))
				json_object_object_add(o, snake[i][1], json_object_get(v));
	}
	json_object_object_add(o, "analysis", json_object_get(analysis));
	json_object_object_add(o, "analysisState", json_object_get(state));
	return o;
}

struct json_object *
library_analysis_entry(struct json_object *analysis, struct json_object *state)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "analysis", json_object_get(analysis));
	json_object_object_add(o, "analysisState", json_object_get(state));
	return o;
}

/* ---- the original frontend's flat form from the entry's text ---- */

/* json_skip: the end of the JSON value (text the library wrote, so well-formed) at p, or NULL. */
static const char *
json_skip(const char *p, const char *end)
{
	int depth = 0;

	for (; p < end; p++) {
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			if (p >= end)
				return NULL;
			if (depth == 0)
				return p + 1;
		} else if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']') {
			if (depth == 0)
				return p;	/* a scalar's end */
			if (--depth == 0)
				return p + 1;
		} else if (*p == ',' && depth == 0)
			return p;
	}
	return NULL;
}

struct json_member {
	const char	*key;	/* after its opening quote */
	size_t		 klen;
	const char	*val;
	size_t		 vlen;
};

/* json_members: the members of the object text o (at most max; the rest ignored): their count,
 * or -1 when o is not an object as the library writes one. */
static int
json_members(const char *o, size_t len, struct json_member *m, int max)
{
	const char *p = o + 1, *end = o + len, *k, *v;
	size_t klen;
	int n = 0;

	if (len < 2 || o[0] != '{' || o[len - 1] != '}')
		return -1;
	while (p < end - 1) {
		if (*p != '"' || (v = json_skip(p, end)) == NULL || v >= end || *v != ':')
			return -1;
		k = p + 1;
		klen = (size_t)(v - 1 - k);	/* v is after the key's closing quote */
		p = v + 1;
		if ((v = json_skip(p, end)) == NULL)
			return -1;
		if (n < max)
			m[n++] = (struct json_member){ k, klen, p, (size_t)(v - p) };
		p = v;
		if (*p == ',')
			p++;
		else if (p != end - 1)
			return -1;
	}
	return n;
}

static const struct json_member *
member_named(const struct json_member *m, int n, const char *name)
{
	size_t len = strlen(name);

	for (int i = 0; i < n; i++)
		if (m[i].klen == len && memcmp(m[i].key, name, len) == 0)
			return &m[i];
	return NULL;
}

int
library_analysis_flat_cached(const struct svc *s, const struct viewer *v, int64_t id,
    struct buf *out)
{
	static const char *const snake[][2] = { { "codeQualityScore", "code_quality_score" },
		{ "securityScore", "security_score" }, { "riskScore", "risk_score" } };
	struct json_member top[4], am[64];
	const struct json_member *an, *st, *sc;
	struct library_cached c;
	char key[48];
	int hit, n;

	library_analysis_key(key, sizeof(key), id);
	if ((hit = library_cache_text(s, key, v, &c)) != 1)
		return hit;
	n = json_members(c.json, c.len, top, 4);
	an = member_named(top, n, "analysis");
	st = member_named(top, n, "analysisState");
	if (n != 2 || an == NULL || st == NULL ||
	    (n = json_members(an->val, an->vlen, am, PSS_ARRAY_LEN(am))) < 0 ||
	    n >= (int)PSS_ARRAY_LEN(am)) {
		library_cached_free(&c);
		return 0;	/* not the entry this writes: the parsing path decides */
	}
	/* library_analysis_answer's members in its order, as json-c writes them */
	buf_puts(out, "{\"success\":true,");
	if (an->vlen > 2) {
		buf_append(out, an->val + 1, an->vlen - 2);
		buf_putc(out, ',');
	}
	for (size_t i = 0; i < PSS_ARRAY_LEN(snake); i++)
		if ((sc = member_named(am, n, snake[i][0])) != NULL) {
			buf_printf(out, "\"%s\":", snake[i][1]);
			buf_append(out, sc->val, sc->vlen);
			buf_putc(out, ',');
		}
	buf_puts(out, "\"analysis\":");
	buf_append(out, an->val, an->vlen);
	buf_puts(out, ",\"analysisState\":");
	buf_append(out, st->val, st->vlen);
	buf_putc(out, '}');
	library_cached_free(&c);
	return 1;
}

/* entry_text: the cached entry's JSON text for a row read by db_analysis_get, caller frees;
 * NULL when it is not to be cached (no analysis, or a job pending). */
static char *
entry_text(const struct db_analysis *row, size_t *len)
{
	struct json_object *state, *entry;
	const char *text;
	char *out = NULL;

	if (row->analysis == NULL)
		return NULL;
	state = library_analysis_state(row->job, true);
	if (!library_analysis_pending(state)) {
		entry = library_analysis_entry(row->analysis, state);
		text = library_cache_json(entry, len);
		out = xstrndup(text, *len);
		json_object_put(entry);
	}
	json_object_put(state);
	return out;
}

/* analysis_cache_put: writes analysis:{id} from row, then reads the row again: if anything
 * the entry shows changed meanwhile (an analysis stored, a job queued or finished, the
 * visibility), the writer that changed it may have dropped the key before this write reached
 * Redis, so the entry is dropped here. Either the second read sees the change (and this drops
 * the entry after writing it) or the change commits after that read began (and its writer's
 * drop comes after this write): no interleaving leaves an old entry behind. A miss costs one
 * query more; a hit none. */
static void
analysis_cache_put(const struct svc *s, const struct viewer *v, int64_t id,
    const struct db_analysis *row)
{
	struct json_object *vis;
	struct db_analysis again;
	char *text, *now = NULL;
	size_t len, nlen = 0;
	char key[48];
	int ttl = library_analysis_key(key, sizeof(key), id);

	if (s->cache == NULL || (text = entry_text(row, &len)) == NULL)
		return;
	if (len > LIBRARY_CACHE_MAX_VALUE) {	/* not cached (library_cache_put_text) */
		free(text);
		return;
	}
	/* the visibility header comes from an object with isPublic and userId */
	vis = json_object_new_object();
	json_object_object_add(vis, "isPublic", json_object_new_boolean(row->is_public));
	json_object_object_add(vis, "userId", json_object_new_int64(row->user_id));
	library_cache_put_text(s, key, vis, text, len, ttl);
	json_object_put(vis);
	if (db_analysis_get(s->db, v, id, false, &again) != PSS_OK ||
	    again.is_public != row->is_public || again.user_id != row->user_id ||
	    (now = entry_text(&again, &nlen)) == NULL || nlen != len || memcmp(now, text, len) != 0) {
		log_info("analysis:%lld changed while it was cached; dropped", (long long)id);
		cache_invalidate(s->cache, key);
	}
	db_analysis_free(&again);
	free(now);
	free(text);
}

enum pss_err
library_analysis_get(const struct svc *s, const struct viewer *v, int64_t id,
    struct json_object **analysis, struct json_object **state, struct svc_err *err)
{
	struct library_cached c;
	struct db_analysis row;
	struct json_object *entry;
	char key[48];
	enum pss_err e;
	int hit;

	(void)err;
	*analysis = *state = NULL;
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	library_analysis_key(key, sizeof(key), id);
	if ((hit = library_cache_text(s, key, v, &c)) == -1)
		return PSS_ENOTFOUND;
	if (hit == 1) {
		entry = json_tokener_parse(c.json);
		library_cached_free(&c);
		if (entry != NULL && json_object_object_get_ex(entry, "analysis", analysis) &&
		    json_object_object_get_ex(entry, "analysisState", state)) {
			json_object_get(*analysis);
			json_object_get(*state);
			json_object_put(entry);
			return PSS_OK;
		}
		*analysis = *state = NULL;
		json_object_put(entry);
	}
	if ((e = db_analysis_get(s->db, v, id, false, &row)) != PSS_OK)
		return e;
	*state = library_analysis_state(row.job, row.analysis != NULL);
	*analysis = json_object_get(row.analysis);
	analysis_cache_put(s, v, id, &row);
	db_analysis_free(&row);
	return PSS_OK;
}

/* ---- the script page's rendered analysis ---- */


uint64_t
library_analysis_stamp(const char *content, size_t len, struct json_object *analysis)
{
	static const char *const stamp[] = { "id", "updatedAt", "analysisVersion", "provider" };
	uint64_t h = hash_fnv1a(HASH_FNV1A_INIT, content != NULL ? content : "", len);
	struct json_object *m;
	const char *v;

	for (size_t i = 0; i < PSS_ARRAY_LEN(stamp); i++) {
		/* as text whatever the type ("id" is a number) */
		v = analysis != NULL && json_object_object_get_ex(analysis, stamp[i], &m) ?
		    json_object_get_string(m) : NULL;
		if (v == NULL)
			v = "";
		h = hash_fnv1a(h, v, strlen(v) + 1);
	}
	return h;
}

int
library_analysis_view_key(char *key, size_t n, int64_t id, uint64_t stamp, int kind, int sev)
{
	snprintf(key, n, "analysis:%lld:view:" LIBRARY_ANALYSIS_VIEW_FORMAT ":%d.%d:%016llx",
	    (long long)id, kind, sev, (unsigned long long)stamp);
	return CACHE_TTL_ANALYSIS;
}

char *
library_analysis_view_get(const struct svc *s, const char *key, size_t *len)
{
	return s->cache != NULL ? cache_get_hot(s->cache, key, len) : NULL;
}

void
library_analysis_view_put(const struct svc *s, const char *key, const char *val, size_t len)
{
	if (s->cache != NULL && len <= LIBRARY_ANALYSIS_VIEW_MAX)
		cache_set(s->cache, key, val, len, CACHE_TTL_ANALYSIS);
}

static void
analysis_invalidate(const struct svc *s, int64_t id)
{
	cache_invalidate_library(s->cache, id, CACHE_LIB_SCRIPT);
}

enum pss_err
library_analysis_queue(const struct svc *s, const struct viewer *v, int64_t id, bool *queued,
    struct svc_err *err)
{
	char payload[64], key[48];
	bool added = false;
	enum pss_err e;

	(void)err;
	if (queued != NULL)
		*queued = false;
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	if ((e = library_access(s->db, v, id, true, false)) != PSS_OK)
		return e;
	snprintf(payload, sizeof(payload), "{\"scriptId\": %lld}", (long long)id);
	/* the re-analysis's dedup key: one queued or running analysis a script (an edit's job,
	 * library_enqueue_analysis, has none: it must run even while an older one runs) */
	snprintf(key, sizeof(key), "%s:%lld", LIBRARY_JOB_ANALYSIS, (long long)id);
	if ((e = jobs_enqueue_keyed(s->db, LIBRARY_JOB_ANALYSIS, payload, key,
	    LIBRARY_JOB_ATTEMPTS, &added)) != PSS_OK)
		return e;
	analysis_invalidate(s, id);
	if (queued != NULL)
		*queued = added;
	return PSS_OK;
}

enum pss_err
library_analysis_now(const struct svc *s, const struct viewer *v, int64_t id,
    const struct ps_analyze_opts *opts, struct json_object **analysis, struct svc_err *err)
{
	struct db_analysis row;
	char why[256];
	enum pss_err e;

	*analysis = NULL;
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	if ((e = library_access(s->db, v, id, true, false)) != PSS_OK)
		return e;
	if ((e = library_analysis_run(s, id, opts, why, sizeof(why))) != PSS_OK) {
		log_warn("analyse now: %s", why);
		return e == PSS_EINVAL ? svc_fail(err, PSS_ETOOBIG, "content",
		    "the script could not be analysed (too large)") : e;
	}
	if ((e = db_analysis_get(s->db, v, id, false, &row)) != PSS_OK)
		return e;
	*analysis = json_object_get(row.analysis);
	db_analysis_free(&row);
	return *analysis != NULL ? PSS_OK : PSS_ENOTFOUND;	/* deleted meanwhile */
}

static bool
script_file_name(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	return n > 0 && n <= 255 && utf8_valid(name, n) && text_no_controls(name, n) &&
	    ((n > 4 && strcasecmp(name + n - 4, ".ps1") == 0) ||
	    (n > 5 && (strcasecmp(name + n - 5, ".psm1") == 0 ||
	    strcasecmp(name + n - 5, ".psd1") == 0)));
}

/* adhoc_analyze: library_analysis_adhoc's checks and the analysis (*an: caller frees) */
static enum pss_err
adhoc_analyze(const struct svc *s, const char *content, size_t len, const char *filename,
    struct ps_analysis **an, struct svc_err *err)
{
	char *text = NULL;
	size_t tlen;
	enum pss_err e;

	*an = NULL;
	if (content != NULL && len > LIBRARY_ADHOC_MAX)
		return svc_fail(err, PSS_ETOOBIG, "content", "The content is larger than 1 MB.");
	if (filename != NULL && !script_file_name(filename))
		return svc_fail(err, PSS_EINVAL, "fileName",
		    "a file name of at most 255 bytes ending in .ps1, .psm1 or .psd1");
	if ((e = library_content_check(content, len, &text, &tlen, err)) != PSS_OK)
		return e;
	if ((e = ps_analyze(text, tlen, library_analyzer_opts(s), an)) != PSS_OK || *an == NULL) {
		ps_analysis_free(*an);
		*an = NULL;
		e = svc_fail(err, PSS_ETOOBIG, "content", "the content could not be analysed");
	}
	free(text);
	return e;
}

enum pss_err
library_analysis_adhoc(const struct svc *s, const char *content, size_t len, const char *filename,
    struct json_object **analysis, struct svc_err *err)
{
	struct ps_analysis *an;
	enum pss_err e;

	*analysis = NULL;
	if ((e = adhoc_analyze(s, content, len, filename, &an, err)) == PSS_OK)
		*analysis = ps_analysis_to_json(an);
	ps_analysis_free(an);
	return e;
}

enum pss_err
library_analysis_adhoc_write(const struct svc *s, const char *content, size_t len,
    const char *filename, struct buf *out, struct svc_err *err)
{
	struct ps_analysis *an;
	enum pss_err e;

	if ((e = adhoc_analyze(s, content, len, filename, &an, err)) == PSS_OK)
		ps_analysis_write_json(an, out);
	ps_analysis_free(an);
	return e;
}
