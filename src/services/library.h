/* library.h: the script library's operations: scripts, versions, categories and tags,
 * executions, uploads, analysis. Each validates its typed input, checks who may see or
 * change what, runs the queries (one transaction for a write), invalidates the cache
 * entries the write made stale and queues the jobs that follow, so no caller can forget
 * one. Handlers, pages, the job runner and the command line call these, nothing below. */
#ifndef PSS_SERVICES_LIBRARY_H
#define PSS_SERVICES_LIBRARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "analyzer/analyzer.h"
#include "services/svc.h"
#include "db/executions.h"
#include "db/scripts.h"
#include "db/taxonomy.h"
#include "db/uploads.h"
#include "db/versions.h"

/*
 * Conventions.
 * - Reads fill *out with a json-c object in the API's shape (see the db/ header of each),
 *   which the caller puts; on failure *out is NULL.
 * - PSS_EINVAL: the input did not validate (err names the field); PSS_ENOTFOUND: no such
 *   row or not visible to the viewer (invisible is 404); PSS_EFORBIDDEN: visible but the
 *   viewer may not change it; PSS_ECONFLICT: duplicate (content, category name);
 *   PSS_EAUTH: a signed-in user is required; PSS_EUNAVAIL / PSS_EINTERNAL from the
 *   database. err may be NULL.
 * - A write runs in one transaction (a caller's outer transaction is joined) and, once it
 *   committed, drops the stale cache entries (cache_invalidate_library) itself.
 */

#define LIBRARY_MAX_TAGS 10
#define LIBRARY_TAG_MAX_LEN 50
#define LIBRARY_TITLE_MAX_LEN 255
#define LIBRARY_LIMIT_DEFAULT DB_LIMIT_DEFAULT
#define LIBRARY_LIMIT_MAX 100
#define LIBRARY_BULK_MAX 100
#define LIBRARY_CONTENT_MAX (10 * 1024 * 1024)
#define LIBRARY_UPLOAD_MAX_FILES 50
#define LIBRARY_JOB_ATTEMPTS 5
#define LIBRARY_JOB_ANALYSIS "analysis.run"	/* payload {"scriptId": N} */
#define LIBRARY_JOB_UPLOAD "upload.process"	/* payload {"uploadId": "uuid"} */

/* ---- scripts.c ---- */

/* library_filter_init, library_sort_parse, library_exec_status_parse: the typed inputs'
 * defaults and names (db_script_filter_init, db_script_sort_parse, db_exec_status_parse). */
void	 library_filter_init(struct script_filter *, bool search);
enum script_sort library_sort_parse(const char *);
/* library_search_mode_parse: keyword, semantic or hybrid; SEARCH__MAX when unknown. */
enum search_mode library_search_mode_parse(const char *);
enum exec_status library_exec_status_parse(const char *);

/* The bounds of a keyword search's text (issue 12 item 2; docs/library.md "Search bounds"):
 * what one search may cost the database stays under 100 ms at 10,000 scripts. */
#define LIBRARY_SEARCH_MAX_BYTES 256	/* q */
#define LIBRARY_SEARCH_MAX_WORDS 8	/* words, phrase words and OR'd words alike */
#define LIBRARY_SEARCH_MAX_WORD 64	/* characters a word */

/* library_search_check: q within the search bounds: 1 to LIBRARY_SEARCH_MAX_BYTES bytes of
 * UTF-8, at most LIBRARY_SEARCH_MAX_WORDS words (a word is a run of ASCII letters and digits
 * or non-ASCII characters, as PostgreSQL's parser splits at least; "or" outside quotes is an
 * operator, not a word) of at most LIBRARY_SEARCH_MAX_WORD characters each, and a word not
 * negated (negations alone match every script, which no index can find). NULL when it
 * is, else which bound it breaks (a phrase for a 400 naming q). */
const char *library_search_check(const char *q);

/* library_scripts_list / library_scripts_search: db_scripts_list / db_scripts_search after
 * checking the filter (sort, page, limit, ids, score, tag, query, cursor; mine needs a
 * user: PSS_EAUTH). */
enum pss_err library_scripts_list(const struct svc *, const struct viewer *,
	const struct script_filter *, struct json_object **out, struct svc_err *);
enum pss_err library_scripts_search(const struct svc *, const struct viewer *,
	const struct script_filter *, struct json_object **out, struct svc_err *);
/* library_script_get: the summary plus content and the full analysis object (or null). */
enum pss_err library_script_get(const struct svc *, const struct viewer *, int64_t id,
	struct json_object **out);
/* library_list_cache_key: the cache key of a list or search answer (DESIGN.md's
 * scripts:{page}:{limit}:{filters}): "scripts:PAGE:LIMIT:SCOPE:HASH", where SCOPE is "anon",
 * "u<id>" or "admin" (what the viewer may see changes the answer; isPublic=true without mine
 * is "anon" for everyone) and HASH the first 32 hex digits of the SHA-256 of every other
 * field (sort, order, filters, cursor, query), so no user text reaches a key and "scripts:*"
 * still invalidates them all. Caller frees. */
char	*library_list_cache_key(const struct viewer *, const struct script_filter *, bool search);
/* library_script_visible: the visibility rule on a script object (a summary or
 * library_script_get's answer, e.g. from the shared script:{id} cache entry): an admin sees
 * all, anyone a public script, a user their own. */
bool	 library_script_visible(const struct viewer *, struct json_object *script);

struct script_new {
	int64_t		 user_id;	/* the owner (required) */
	const char	*title;		/* trimmed; 1..255 characters */
	const char	*description;	/* may be NULL */
	const char	*content;	/* checked and normalised by text_normalize */
	size_t		 content_len;
	int64_t		 category_id;	/* 0: none */
	const char	*const *tags;	/* ntags names, <= 10, trimmed and lower-cased */
	size_t		 ntags;
	bool		 is_public;
	bool		 analyze;	/* queue analysis.run */
	const char	*commit_message;	/* of version 1 (<= 10,000 bytes); NULL: "Initial version" */
};
/* library_script_create: one transaction: the script (SHA-256 of the normalised content in
 * file_hash), version 1, its tags, and the analysis job. *id gets the new id. The same
 * content stored already: PSS_ECONFLICT with err->existing_id (also when two creates race). */
enum pss_err library_script_create(const struct svc *, const struct script_new *, int64_t *id,
	struct svc_err *);

struct script_update {
	int64_t		 id;
	const char	*title;		/* NULL: unchanged */
	const char	*description;	/* NULL: unchanged (clear_description to set NULL) */
	bool		 clear_description;
	const char	*content;	/* NULL: unchanged */
	size_t		 content_len;
	bool		 has_category;
	int64_t		 category_id;	/* with has_category: 0 means none */
	int		 is_public;	/* -1: unchanged */
	bool		 has_tags;
	const char	*const *tags;	/* with has_tags: the new set */
	size_t		 ntags;
	const char	*commit_message;
};
/* library_script_update: owner or admin. A content change (another hash) writes version N+1
 * with the commit message and the viewer as author, and queues analysis (the stored
 * analysis describes older content), all in one transaction. PSS_ECONFLICT when another
 * script has that content. */
enum pss_err library_script_update(const struct svc *, const struct viewer *,
	const struct script_update *, struct svc_err *);
/* library_script_delete: owner or admin. */
enum pss_err library_script_delete(const struct svc *, const struct viewer *, int64_t id);
/* library_scripts_delete: bulk, all or nothing: when any id is not the viewer's (or does not
 * exist), PSS_EFORBIDDEN with err->unauthorized and nothing is deleted. *deleted gets the
 * count. 1..LIBRARY_BULK_MAX ids. */
enum pss_err library_scripts_delete(const struct svc *, const struct viewer *, const int64_t *ids,
	size_t n, int64_t *deleted, struct svc_err *);

struct script_bulk {
	const int64_t	*ids;
	size_t		 nids;
	int		 is_public;	/* -1: unchanged */
	bool		 has_category;
	int64_t		 category_id;	/* 0: none */
	const char	*const *add_tags;
	size_t		 nadd;
	const char	*const *remove_tags;
	size_t		 nremove;
};
/* library_scripts_bulk_update: all or nothing like library_scripts_delete; the tag limit
 * holds for every script (PSS_EINVAL naming "addTags"). *updated gets the count. */
enum pss_err library_scripts_bulk_update(const struct svc *, const struct viewer *,
	const struct script_bulk *, int64_t *updated, struct svc_err *);

/* ---- versions.c ---- */

/* Reads of a script the viewer sees (PSS_ENOTFOUND otherwise); see db/versions.h. */
enum pss_err library_versions_list(const struct svc *, const struct viewer *, int64_t script_id,
	struct json_object **out);
enum pss_err library_version_get(const struct svc *, const struct viewer *, int64_t script_id,
	int64_t version, struct json_object **out);
enum pss_err library_versions_compare(const struct svc *, const struct viewer *,
	int64_t script_id, int64_t from, int64_t to, struct json_object **out);
/* library_version_revert: owner or admin: version N+1 with version n's content, and its
 * analysis job. *new_version gets N+1. */
enum pss_err library_version_revert(const struct svc *, const struct viewer *, int64_t script_id,
	int64_t n, int64_t *new_version, struct svc_err *);

/* ---- taxonomy.c: categories and tags ---- */

enum pss_err library_categories_list(const struct svc *, const struct viewer *,
	struct json_object **out);
enum pss_err library_category_get(const struct svc *, const struct viewer *, int64_t id,
	struct json_object **out);
/* library_category_create / update: name trimmed, 1..255 bytes, unique regardless of case
 * (PSS_ECONFLICT naming "name"); description <= 10,000 bytes, may be NULL. update with
 * name NULL keeps it. */
enum pss_err library_category_create(const struct svc *, const char *name, const char *description,
	int64_t *id, struct svc_err *);
enum pss_err library_category_update(const struct svc *, int64_t id, const char *name,
	const char *description, struct svc_err *);
/* library_category_delete: its scripts keep a NULL category. */
enum pss_err library_category_delete(const struct svc *, int64_t id);
/* library_tags_list: see db_tags_list; prefix trimmed (NULL or "": all), limit 1..100 (0:
 * 20); PSS_EINVAL otherwise. */
enum pss_err library_tags_list(const struct svc *, const struct viewer *, const char *prefix,
	int64_t limit, struct json_object **out);
enum pss_err library_tag_get(const struct svc *, const struct viewer *, int64_t id,
	struct json_object **out);
/* library_tags_list and library_tag_get show a viewer only the tags in use on scripts it sees
 * (admins: every tag; PSS_ENOTFOUND for another). library_tag_create: trimmed and
 * lower-cased; *tag (caller puts) the tag as the viewer's {id, name, count}; *created false
 * only when the name existed on a script the viewer sees (else the tag acts as new). */
enum pss_err library_tag_create(const struct svc *, const struct viewer *, const char *name,
	struct json_object **tag, bool *created, struct svc_err *);
enum pss_err library_tag_delete(const struct svc *, int64_t id);

/* ---- executions.c ---- */

/* library_execution_record: a signed-in viewer (PSS_EAUTH) records a run of a script they
 * see (see db_execution_record); the status, time (>= 0), parameters (a JSON object of at
 * most 64 KB), error message (<= 64 KB of text) and ip (<= 45 bytes) are checked. */
enum pss_err library_execution_record(const struct svc *, const struct viewer *,
	const struct exec_record *, struct json_object **out, struct svc_err *);
/* library_executions_list: owner or admin; limit 1..100 (0: 20), offset >= 0. */
enum pss_err library_executions_list(const struct svc *, const struct viewer *, int64_t script_id,
	int64_t limit, int64_t offset, struct json_object **out);

/* ---- uploads.c ---- */

struct upload_file {
	const char	*filename;	/* without path parts; 1..255 bytes */
	const void	*content;
	size_t		 len;		/* <= LIBRARY_CONTENT_MAX */
};
struct upload_options {
	const char	*title;		/* NULL: the file name without its extension */
	const char	*description;
	int64_t		 category_id;
	const char	*const *tags;
	size_t		 ntags;
	bool		 is_public;
	bool		 analyze;
};
/* library_uploads_store: one transaction: every file in uploads (one new batch) and one
 * upload.process job per file, ahead of analyses. {batchId, uploads: [{uploadId, filename,
 * status}]}. */
enum pss_err library_uploads_store(const struct svc *, int64_t user_id, const struct upload_file *,
	size_t n, const struct upload_options *, struct json_object **out, struct svc_err *);
/* library_upload_process: the upload.process job's work, in one transaction (a killed worker
 * leaves the upload queued for the next attempt): checks the text, hashes it, and ends the
 * upload completed (a script with version 1, tags and an analysis job), duplicate (with
 * existing_script_id) or failed (with the reason). Already finished: nothing to do. PSS_OK
 * in all three cases; *status (when not NULL) gets the final status name. */
enum pss_err library_upload_process(const struct svc *, const char *upload_id, const char **status);
/* library_upload_import: library_upload_process for the import, which processes its files
 * itself: the file's queued job is marked done, and the cache is left for library_imported. */
enum pss_err library_upload_import(const struct svc *, const char *upload_id, const char **status);
/* library_imported: after an import processed its files: the lists and counts go. */
void	 library_imported(const struct svc *);
/* library_upload_status / library_upload_batch: the owner's (or an admin's) upload or batch
 * (see db/uploads.h); PSS_ENOTFOUND for anything else, a malformed id included. */
enum pss_err library_upload_status(const struct svc *, const struct viewer *, const char *upload_id,
	struct json_object **out);
enum pss_err library_upload_batch(const struct svc *, const struct viewer *, const char *batch_id,
	struct json_object **out);

/* ---- analysis.c ---- */

/* library_analysis_run: analyse and store: the built-in analyzer over the script's current
 * content, stored in script_analysis; the cached copies of the script, its analysis, the
 * lists and the analytics go. A script deleted before or meanwhile is PSS_OK (nothing to
 * do). opts: the analyzer's options (ANALYZER_SETTINGS), NULL for the defaults. On failure
 * why (whysz bytes) says what failed. */
enum pss_err library_analysis_run(const struct svc *, int64_t script_id,
	const struct ps_analyze_opts *, char *why, size_t whysz);

/* library_analyzer_load: the PSScriptAnalyzer settings file at path (ANALYZER_SETTINGS) read
 * and parsed as data (ps_settings_parse): 0 with *out (ps_settings_free), or -1 with the
 * reason in err; warnings are appended to warn. */
int	 library_analyzer_load(const char *path, struct ps_settings **out, struct buf *err,
	struct buf *warn);
/* library_analyzer_opts: the analyzer's options of this process: ANALYZER_SETTINGS, read on
 * the first call (a file that does not parse is logged once and the defaults are used; the
 * job runner refuses to start with it), or NULL for the defaults. Analyse now, ad-hoc
 * analysis and the SARIF export use them, so they agree with the analysis.run job. */
const struct ps_analyze_opts *library_analyzer_opts(const struct svc *);

/* The analysis state object of a script: {status, error?, attempts?, queuedAt?, startedAt?,
 * finishedAt?}, status one of none (never analysed, nothing queued), queued (an
 * analysis.run job waits; error is the last attempt's reason when it is a retry), running,
 * done (the stored analysis is current), failed (the newest job failed for good after the
 * stored analysis, if any, was written; error says why). GET /api/scripts/:id carries it as
 * analysisState. */
#define LIBRARY_ADHOC_MAX (1024 * 1024)	/* POST /api/scripts/analyze's content */

/* library_analysis_key: analysis:{id} into key (n bytes); returns its time to live. The
 * entry is library_analysis_entry's {"analysis": ..., "analysisState": ...} (GET
 * /api/scripts/:id/analysis's members after success), with the script's visibility in its
 * header (library_cache_text), written only while the state is done and checked against a
 * second read after it is written (no older entry survives a concurrent write): every way out
 * of done (a job queued, content changed, the script deleted, an analysis stored) drops it. */
int	 library_analysis_key(char *key, size_t n, int64_t script_id);
/* library_analysis_entry: {analysis, analysisState} (new object; takes no reference). */
struct json_object *library_analysis_entry(struct json_object *analysis, struct json_object *state);
/* library_analysis_answer: GET /api/scripts/:id/analysis's members for the original React
 * frontend (asked with axios's Accept: req_asks_as_axios), which reads the analysis at the top
 * level (docs/compat.md): library_analysis_entry's members with the analysis's members beside
 * them and its scores in snake_case (code_quality_score, security_score, risk_score). New
 * object, takes no reference. */
struct json_object *library_analysis_answer(struct json_object *analysis, struct json_object *state);
/* library_analysis_flat_cached: library_analysis_answer's form after "success" written into
 * out from the analysis:{id} entry's text, without parsing it: 1; 0 on a miss; -1 when the
 * viewer (when not NULL) may not see the script. The same bytes as the parsing path. */
int	 library_analysis_flat_cached(const struct svc *, const struct viewer *, int64_t script_id,
	struct buf *out);

/* The script page's analysis fragment (the rendered analysis view and the marked source
 * rows, handlers/pages-library.c) under analysis:{id}:view:<format>:<kind>.<sev>:<stamp>,
 * the stamp a hash of the content and of the analysis's id, updatedAt, analysisVersion and
 * provider: a changed content or a new analysis is a new key, so nothing has to drop the
 * old one (it expires with CACHE_TTL_ANALYSIS). The caller has checked that the viewer may
 * see the script. library_analysis_stamp: that hash (a pass over the content: the script
 * page keeps it with its memo of the script); library_analysis_view_key returns the time to live;
 * library_analysis_view_get the value (caller frees) or NULL; _put keeps at most
 * LIBRARY_ANALYSIS_VIEW_MAX bytes. The format is the key's layout; a change of the fragment's
 * markup bumps render/analysisview.h's AV_MARKUP_VERSION, which the page appends. */
#define LIBRARY_ANALYSIS_VIEW_FORMAT "v2"
#define LIBRARY_ANALYSIS_VIEW_MAX (2 * 1024 * 1024)
uint64_t library_analysis_stamp(const char *content, size_t len, struct json_object *analysis);
int	 library_analysis_view_key(char *key, size_t n, int64_t script_id, uint64_t stamp, int kind,
	int sev);
char	*library_analysis_view_get(const struct svc *, const char *key, size_t *len);
void	 library_analysis_view_put(const struct svc *, const char *key, const char *val, size_t len);
/* library_analysis_get: the stored analysis object of API.md (NULL when there is none) and
 * the analysis state (never NULL on PSS_OK); both the caller's to put. PSS_ENOTFOUND for
 * an unknown script or one the viewer may not see. Reads and fills analysis:{id}. */
enum pss_err library_analysis_get(const struct svc *, const struct viewer *, int64_t script_id,
	struct json_object **analysis, struct json_object **state, struct svc_err *);
/* library_analysis_queue: owner or admin (PSS_ENOTFOUND when invisible, PSS_EFORBIDDEN when
 * visible but not theirs): queues an analysis.run job unless one is queued already; *queued
 * (may be NULL) says whether this call added it. The cached script and analysis go. */
enum pss_err library_analysis_queue(const struct svc *, const struct viewer *, int64_t script_id,
	bool *queued, struct svc_err *);
/* library_analysis_now: owner or admin: analyses the current content now with the built-in
 * analyzer (opts NULL: the defaults), stores it (library_analysis_run) and fills *analysis
 * with the stored object (caller puts). */
enum pss_err library_analysis_now(const struct svc *, const struct viewer *, int64_t script_id,
	const struct ps_analyze_opts *, struct json_object **analysis, struct svc_err *);
/* library_analysis_adhoc: analyses content without storing anything: the analysis object of
 * a stored analysis without id, scriptId, createdAt and updatedAt, provider "builtin".
 * PSS_EINVAL naming content when it is missing, empty, blank, not UTF-8 text (NUL, control
 * characters); PSS_ETOOBIG when over LIBRARY_ADHOC_MAX bytes; PSS_EINVAL naming fileName
 * when filename (may be NULL) is not 1..255 bytes of text ending in .ps1, .psm1 or .psd1.
 * The analyzer reads the three kinds alike. */
enum pss_err library_analysis_adhoc(const struct svc *, const char *content, size_t len,
	const char *filename, struct json_object **analysis, struct svc_err *);
/* library_analysis_adhoc_write: the same checks and analysis, the object appended to out as
 * JSON text (ps_analysis_write_json: the bytes json-c writes for library_analysis_adhoc's
 * object, without building it); out is left as it was on an error. */
enum pss_err library_analysis_adhoc_write(const struct svc *, const char *content, size_t len,
	const char *filename, struct buf *out, struct svc_err *);

enum analysis_format {
	ANALYSIS_FORMAT_JSON,
	ANALYSIS_FORMAT_SARIF,
	ANALYSIS_FORMAT_HTML,
	ANALYSIS_FORMAT_MD,
	ANALYSIS_FORMAT__MAX
};
extern const char *const library_analysis_formats[ANALYSIS_FORMAT__MAX];
/* library_analysis_format_parse: the format named s, ANALYSIS_FORMAT__MAX when unknown. */
enum analysis_format library_analysis_format_parse(const char *s);

struct analysis_export {
	struct buf	 body;		/* the file */
	const char	*content_type;	/* static */
	char		*disposition;	/* attachment named after the script (text_content_disposition) */
};
/* library_analysis_export: the stored analysis of a script the viewer sees as a file:
 * json (the analysis object), sarif (SARIF 2.1.0 exactly as `psscript analyze --format
 * sarif` writes it, from the built-in analyzer run again over the current content: the
 * stored analysis keeps no offsets), html (a self-contained printable report) or md
 * (Markdown for a ticket). PSS_ENOTFOUND for an invisible script or one without an
 * analysis (err->field "analysis" then); PSS_EINVAL for format __MAX. Free with
 * library_analysis_export_free. */
enum pss_err library_analysis_export(const struct svc *, const struct viewer *, int64_t script_id,
	enum analysis_format, struct analysis_export *, struct svc_err *);
void	 library_analysis_export_free(struct analysis_export *);


/* ---- reads.c: the cached reads ----
 * The reads above go to the database; a caller that answers a read many times keeps the
 * answer here, under the key and for the time these functions give. The writes drop the
 * entries they make stale. */

/* The keys (written into key, n bytes) and their time to live in seconds (0: until a write
 * drops it): a script object (library_script_get's, shared by every viewer: check
 * library_script_visible or use library_cache_text's viewer), a script's versions list
 * (shared: read the script for this viewer first), and the categories list (per viewer
 * scope: anonymous and admin until a change, a user's 5 minutes). A list or search:
 * library_list_cache_key, for LIBRARY_LIST_TTL. */
#define LIBRARY_LIST_TTL CACHE_TTL_SCRIPTS
int	 library_script_key(char *key, size_t n, int64_t id);
int	 library_versions_key(char *key, size_t n, int64_t id);
int	 library_categories_key(char *key, size_t n, const struct viewer *);

/* An entry's JSON text as stored (json_reply's serialisation), inside raw. */
struct library_cached {
	char		*raw;		/* owned (NULL when json is lent): library_cached_free */
	const char	*json;		/* lent by the cache: valid until library_cached_free or
					 * the next call into the cache */
	size_t		 len;
	bool		 header;	/* pub and uid are known */
	bool		 pub;
	int64_t		 uid;
};
/* library_cache_text: the entry under key as JSON object text to copy into an answer: 1 with
 * *v; 0 on a miss (or an entry the parsing path must read: library_cache_get); -1 when the
 * entry is a script the viewer (when not NULL) may not see. */
int	 library_cache_text(const struct svc *, const char *key, const struct viewer *,
	struct library_cached *v);
void	 library_cached_free(struct library_cached *);
/* library_cache_get: the cached object under key (caller puts), NULL on a miss. */
struct json_object *library_cache_get(const struct svc *, const char *key);
/* library_cache_put: caches o under key for ttl_s seconds (0: until dropped); values over
 * LIBRARY_CACHE_MAX_VALUE bytes (a very large script) are not cached.
 * library_cache_put_text: the same from o's text as library_cache_json made it (one
 * serialisation for the cache and the answer). */
#define LIBRARY_CACHE_MAX_VALUE (512 * 1024)
void	 library_cache_put(const struct svc *, const char *key, struct json_object *o, int ttl_s);
void	 library_cache_put_text(const struct svc *, const char *key, struct json_object *o,
	const char *text, size_t len, int ttl_s);
/* library_cache_json: o's text as json_reply writes it (json-c's memory, valid until o
 * changes or goes). */
const char *library_cache_json(struct json_object *o, size_t *len);

/* ---- embedding.c and search.c: search by meaning (docs/search.md) ---- */
#define LIBRARY_JOB_EMBEDDING "embedding.compute"	/* payload {"scriptId": N} */
#define LIBRARY_JOB_EMBED_INDEX "embedding.index"	/* payload {}: the flat vector file */
/* the most results a semantic or hybrid search ranks (pages beyond are empty) */
#define LIBRARY_SEMANTIC_MAX 1000
/* a semantic result's least cosine (below it a script does not match) */
#define LIBRARY_SEMANTIC_MIN 0.10
/* reciprocal rank fusion's k (Cormack et al. 2009), and the weights of hybrid's rankings
 * beside the any-two-words keyword ranking's 1: semantic's, and the strict keyword matches'
 * (every word) again. Chosen on bench/search-queries.tsv by MRR then recall@5 over semantic
 * 1, 2, 3 x strict 0, 1, 2, and again over 3, 4, 6 x 1, 2 once the query lexicon had made
 * semantic stronger (docs/search.md, "Quality"); -D overrides them for that. */
#define LIBRARY_RRF_K 60
#ifndef LIBRARY_RRF_W_SEMANTIC
#define LIBRARY_RRF_W_SEMANTIC 4.0
#endif
#ifndef LIBRARY_RRF_W_ALL
#define LIBRARY_RRF_W_ALL 2.0
#endif
#define LIBRARY_SIMILAR_MAX 50
/* hybrid's keyword side: the scripts (by the column's statistics) its rarer words may bring
 * as candidates together; more common words only count for those (db_scripts_search_any).
 * A candidate costs about 4 us of PostgreSQL's time: 2,500 of them about 10 ms. -D overrides
 * it for the quality bench. */
#ifndef LIBRARY_ANY_BUDGET
#define LIBRARY_ANY_BUDGET 2500
#endif

/* The embedding provider and model this process uses (EMBEDDING_PROVIDER): type is
 * "builtin", "openai" or "psscript-ai"; model the model_version stored with each row. */
struct library_embedder {
	const char	*type;
	const char	*model;
	int		 dims;
};
/* library_embedder: the configured embedder, ready (the built-in model mapped, a remote
 * provider's URL checked), or NULL with why (the model file missing or corrupt, an unknown
 * provider, no URL). library_embedder_builtin: the built-in model (a remote provider's
 * fallback), or NULL with why. */
const struct library_embedder *library_embedder(const struct svc *, char *why, size_t whysz);
const struct library_embedder *library_embedder_builtin(const struct svc *, char *why,
	size_t whysz);
/* library_embed_text: text's vector into out[dims] by the configured embedder, no fallback
 * (the built-in model: the text enriched with its commands' synopses first, and a query's
 * everyday words in the reference's words, lexicon.h). PSS_EINVAL: nothing in the text the
 * model knows (all zero); PSS_EUNAVAIL: the provider failed (why says). */
enum pss_err library_embed_text(const struct svc *, const char *text, size_t len, bool query,
	float *out, char *why, size_t whysz);

/* A vector and the model that made it (library_embed). */
struct library_vector {
	const struct library_embedder *em;
	float	*v;		/* em->dims floats, unit length */
	bool	 fallback;	/* the configured provider failed: the built-in model made it */
	char	 reason[256];	/* why, when fallback */
};
/* library_embed: the service other code embeds any text with (search queries, the chat
 * history): text's vector by the configured provider; when a remote provider fails (or failed
 * within the last LIBRARY_EMBED_RETRY_MS), by the built-in model instead, with fallback set
 * and the reason. model: NULL, or the model_version the vector must be of (that of the
 * stored rows it will be compared to): PSS_ENOTFOUND when no embedder here is of it.
 * PSS_EINVAL: nothing in the text the model knows; PSS_EUNAVAIL: no embedder could (why says).
 * query: a search's (EMBEDDING_QUERY_TIMEOUT_MS) rather than a job's (AI_TIMEOUT_MS) time.
 * Free out with library_vector_free. */
#define LIBRARY_EMBED_RETRY_MS 30000
enum pss_err library_embed(const struct svc *, const char *text, size_t len, const char *model,
	bool query, struct library_vector *out, char *why, size_t whysz);
void	 library_vector_free(struct library_vector *);
/* library_vector_cosine: the cosine of two vectors into *cos; PSS_EINVAL when they are of
 * different models (vectors of two models are never compared). */
enum pss_err library_vector_cosine(const struct library_vector *, const struct library_vector *,
	double *cos);
/* library_embedding_reset: forget the embedders (the next call sets them up from the
 * configuration again): a changed configuration in a long-lived process, and the tests. */
void	 library_embedding_reset(void);
/* library_embedding_compute: the embedding.compute job: brings the script's search_terms
 * up to date (library_search_terms of its content and analysis purpose), then embeds its title,
 * description, tags, analysis purpose and content by the built-in model and, when one is
 * configured, by the remote provider, and stores each (skipped when the same text was embedded
 * by the same model), then queues the vector file's refresh. A script deleted meanwhile is not
 * an error; a remote provider's failure is (why says; the built-in row is stored first). */
enum pss_err library_embedding_compute(const struct svc *, int64_t script_id, char *why,
	size_t whysz);
/* library_search_terms: a script's scripts.search_terms (docs/search.md): for each distinct
 * command or alias its content names (ps_embed_enrich: the same enrichment the built-in model
 * embeds), one line of the command's name, its plain words ("Get-ChildItem" -> "get childitem
 * child item") and its synopsis; then purpose (may be NULL or ""), at most
 * LIBRARY_TERMS_MAX_PURPOSE bytes of it. Never NULL ("" when there is nothing); caller frees. */
#define LIBRARY_TERMS_MAX_PURPOSE 2000
/* library_word_idf: how rare a query word is, by the built-in model's IDF over the shipped
 * reference (ps_embed_idf); a word it does not know is as rare as its rarest term; 1 for
 * every word without the model. */
double	 library_word_idf(const struct svc *, const char *word, size_t len);
char	*library_search_terms(const char *content, size_t len, const char *purpose);
/* library_enqueue_embedding: the embedding.compute job of a script (inside the caller's
 * transaction). */
enum pss_err library_enqueue_embedding(struct db *, int64_t script_id);
/* library_embedding_index: the embedding.index job: rewrites the flat vector file
 * (EMBEDDING_INDEX_FILE) from PostgreSQL when it is missing, stale, corrupt or of another
 * model; atomically (a new file renamed over the old). *rows gets its rows. */
enum pss_err library_embedding_index(const struct svc *, int64_t *rows, char *why, size_t whysz);
/* library_embedding_defer_index: with defer, library_embedding_compute does not queue the
 * vector file's refresh (a bulk run that calls library_embedding_index once at its end). */
void	 library_embedding_defer_index(bool defer);
/* library_reembed: queues embedding.compute for every script without a vector of the
 * configured model (after a change of provider or model); *queued gets how many.
 * library_reembed_progress: scripts in all and those embedded by the configured model. */
enum pss_err library_reembed(const struct svc *, int64_t *queued, char *why, size_t whysz);
enum pss_err library_reembed_progress(const struct svc *, int64_t *scripts, int64_t *done);
/* library_reembed_settle: after a re-embedding that rewrote every script's search_terms
 * (psscript reembed --inline), the scripts table vacuumed and analysed at once: until then
 * every search reads the dead versions and the unset visibility map (a hybrid search cost
 * 12 ms of the stack's CPU instead of 4 at 10,000 scripts, docs/search.md "Cost of a
 * request"), and autovacuum may take minutes to come. */
enum pss_err library_reembed_settle(const struct svc *);
/* library_reembed_next: the lowest ids (at most max, ascending) above after of scripts without
 * a vector of the configured model; *n gets how many (0: none left). */
enum pss_err library_reembed_next(const struct svc *, int64_t after, int64_t *ids, int max,
	int *n);
/* library_nearest: the k scripts whose vectors of em's model are nearest q (cosine, best
 * first), from pgvector's HNSW index when the column is vector, else an exact scan of the
 * flat file (the configured model's; or, when it is missing or stale or em is the fallback,
 * of the vectors read from PostgreSQL, and the file's refresh queued). *method names the
 * index ("flat-file", "postgresql-scan", "pgvector-hnsw"). */
enum pss_err library_nearest(const struct svc *, const struct library_embedder *em,
	const float *q, int k, int64_t *ids, float *scores, int *n, const char **method);

/* library_scripts_search_mode: the search in f->mode: keyword (library_scripts_search),
 * semantic or hybrid (docs/search.md). Every result has rank (its 1-based place in the
 * whole answer), score and snippet; the answer echoes mode, and with no embedding to
 * search says why (semantic: empty with reason; hybrid: keyword's results with
 * fallback and reason). */
enum pss_err library_scripts_search_mode(const struct svc *, const struct viewer *,
	const struct script_filter *, struct json_object **out, struct svc_err *);
/* library_similar: {similarScripts: [{scriptId, script_id, title, category, similarity}],
 * similar_scripts (the same list, docs/compat.md), method}: the
 * limit (1..50) scripts the viewer sees nearest the script id (which they must see:
 * PSS_ENOTFOUND) with a cosine at least threshold (0..1), never itself. */
enum pss_err library_similar(const struct svc *, const struct viewer *, int64_t id, int limit,
	double threshold, struct json_object **out, struct svc_err *);

/* ---- library.c: the rules the operations share ---- */
/* library_title_check: a trimmed copy of a valid title (caller frees), or NULL with err
 * filled. */
char	*library_title_check(const char *title, struct svc_err *);
/* library_tags_check: validates a tag list (count, each 1..50 bytes after trimming, no
 * control characters) and returns it as a JSON array text of the trimmed names (caller
 * frees), or NULL with err filled (naming field). */
char	*library_tags_check(const char *const *tags, size_t n, const char *field, struct svc_err *);

#endif
