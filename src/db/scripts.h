/* scripts.h: the script library's queries: scripts, versions, categories, tags, uploads,
 * execution logs (one .c file per table or aggregate, this one header for all of them) */
#ifndef PSS_DB_SCRIPTS_H
#define PSS_DB_SCRIPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "db/db.h"

/*
 * Conventions of this module.
 * - Every function takes its input in a typed struct or scalars, validates it before any
 *   query, and returns a pss_err. On success it fills *out with a json-c object in the
 *   API's shape (camelCase keys, as API.md names them), which the caller releases with
 *   json_object_put; on failure *out is NULL.
 * - PSS_EINVAL: the input did not validate; PSS_ENOTFOUND: no such row or not visible to
 *   the viewer (invisible is 404); PSS_EFORBIDDEN: visible but the viewer may not change
 *   it; PSS_ECONFLICT: duplicate (content, category name); PSS_EUNAVAIL / PSS_EINTERNAL
 *   from the database. When lib_err is given it says which field and why (static
 *   strings), and for a duplicate script the existing id.
 * - Writes run in one db_tx each (a caller's outer transaction is joined).
 * - Timestamps are ISO 8601 strings; scores have one decimal; ids are numbers.
 */

/* Who asks: user_id 0 is anonymous (public scripts only); a user sees public scripts and
 * their own; an admin sees all. */
struct viewer {
	int64_t	 user_id;
	bool	 admin;
};

struct lib_err {
	const char	*field;		/* NULL when not about one field */
	const char	*message;
	int64_t		 existing_id;	/* PSS_ECONFLICT on content: the script that has it */
	int64_t		 unauthorized[100];	/* bulk operations: ids the viewer may not change */
	size_t		 nunauthorized;
};

#define LIB_MAX_TAGS 10
#define LIB_TAG_MAX_LEN 50
#define LIB_TITLE_MAX_LEN 255
#define LIB_LIMIT_DEFAULT 20
#define LIB_LIMIT_MAX 100
#define LIB_BULK_MAX 100
#define LIB_CONTENT_MAX (10 * 1024 * 1024)
#define LIB_JOB_ATTEMPTS 5
#define LIB_JOB_ANALYSIS "analysis.run"		/* payload {"scriptId": N} */
#define LIB_JOB_UPLOAD "upload.process"		/* payload {"uploadId": "uuid"} */

/* ---- scripts.c ---- */

enum script_sort {
	SCRIPT_SORT_UPDATED,	/* "updatedAt" (the default) */
	SCRIPT_SORT_CREATED,	/* "createdAt" */
	SCRIPT_SORT_TITLE,	/* "title" */
	SCRIPT_SORT_EXECUTIONS,	/* "executionCount" */
	SCRIPT_SORT_SECURITY,	/* "securityScore" (no analysis sorts as -1) */
	SCRIPT_SORT_RANK,	/* "rank": search only, and its default */
	SCRIPT_SORT__MAX
};
extern const char *const script_sorts[SCRIPT_SORT__MAX];
/* script_sort_parse: the sort named by s (NULL or "" means updatedAt; a search's default
 * is rank, see script_filter_init); __MAX when unknown (a 400). */
enum script_sort script_sort_parse(const char *s);

struct script_filter {
	int64_t		 category_id;	/* 0: any */
	int64_t		 user_id;	/* 0: any */
	const char	*tag;		/* NULL: any; compared trimmed and lower-cased */
	int		 is_public;	/* -1: any, 0 or 1 */
	bool		 mine;		/* only the viewer's own (needs a user) */
	bool		 has_min_security;
	double		 min_security;	/* 0..10 */
	enum script_sort sort;
	bool		 asc;		/* default false: descending */
	int64_t		 page;		/* from 1; 0 means 1 */
	int64_t		 limit;		/* 1..100; 0 means 20 */
	const char	*cursor;	/* NULL, or a nextCursor of the same sort and order */
	const char	*query;		/* search: the websearch_to_tsquery text (required) */
};
/* script_filter_init: every field at its default (any, page 1, limit 20, descending by
 * updatedAt for a list, by rank for a search). */
void	 script_filter_init(struct script_filter *, bool search);

/* db_scripts_list: {scripts: [script summary], total, page, totalPages, nextCursor (null
 * on the last page)}. A summary is {id, title, description, userId, categoryId, isPublic,
 * version, executionCount, averageExecutionTime, lastExecutedAt, fileHash, createdAt,
 * updatedAt, user {id, username}, category {id, name} or null, tags [names], analysis
 * {securityScore, codeQualityScore, riskScore} or null}. With a cursor, the rows after it
 * (page is then only echoed). */
enum pss_err db_scripts_list(struct db *, const struct viewer *, const struct script_filter *,
	struct json_object **out, struct lib_err *);
/* db_scripts_search: keyword search (both configurations of docs/schema.md); sort rank
 * (default) or any list sort. {scripts: [summary + rank + snippet], total, page,
 * totalPages, nextCursor, query, mode: "keyword"}; the snippet is ts_headline's text with
 * matches between "<mark>" and "</mark>" (the text itself is NOT escaped: escape it at
 * the sink, then turn the markers into tags). */
enum pss_err db_scripts_search(struct db *, const struct viewer *, const struct script_filter *,
	struct json_object **out, struct lib_err *);
/* db_script_get: the summary plus content and the full analysis object (or null). */
enum pss_err db_script_get(struct db *, const struct viewer *, int64_t id, struct json_object **out);
/* db_script_content: the content (caller frees) and title (caller frees) of a visible script,
 * for downloads. */
enum pss_err db_script_content(struct db *, const struct viewer *, int64_t id, char **content,
	size_t *len, char **title);

/* lib_list_cache_key: the cache key of a list or search answer (DESIGN.md's
 * scripts:{page}:{limit}:{filters}): "scripts:PAGE:LIMIT:SCOPE:HASH", where SCOPE is "anon",
 * "u<id>" or "admin" (what the viewer may see changes the answer; isPublic=true without mine
 * is "anon" for everyone) and HASH the first 32 hex
 * digits of the SHA-256 of every other field (sort, order, filters, cursor, query), so no
 * user text reaches a key and "scripts:*" still invalidates them all. Caller frees. */
char	*lib_list_cache_key(const struct viewer *, const struct script_filter *, bool search);
/* lib_script_visible: whether a script object (a summary or db_script_get's answer, e.g. from
 * the shared script:{id} cache entry) may be shown to the viewer. */
bool	 lib_script_visible(const struct viewer *, struct json_object *script);

struct script_new {
	int64_t		 user_id;	/* the owner (required) */
	const char	*title;		/* trimmed; 1..255 bytes */
	const char	*description;	/* may be NULL */
	const char	*content;	/* checked and normalised by text_normalize */
	size_t		 content_len;
	int64_t		 category_id;	/* 0: none */
	const char	*const *tags;	/* ntags names, <= 10, trimmed and lower-cased here */
	size_t		 ntags;
	bool		 is_public;
	bool		 analyze;	/* enqueue analysis.run */
	const char	*commit_message;	/* of version 1 (<= 10,000 bytes); NULL: "Initial version" */
};
/* db_script_create: one transaction: the script (SHA-256 of the normalised content in
 * file_hash), version 1, its tags, and the analysis job. *id gets the new id. The same
 * content stored already: PSS_ECONFLICT with lib_err.existing_id (also when two creates
 * race: the unique index decides). */
enum pss_err db_script_create(struct db *, const struct script_new *, int64_t *id, struct lib_err *);

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
/* db_script_update: owner or admin. A content change (another hash) writes version N+1
 * with the commit message and the viewer as author, and enqueues analysis (always: the
 * stored analysis describes older content), all in one transaction. PSS_ECONFLICT when another script has that content. */
enum pss_err db_script_update(struct db *, const struct viewer *, const struct script_update *,
	struct lib_err *);
/* db_script_delete: owner or admin. */
enum pss_err db_script_delete(struct db *, const struct viewer *, int64_t id);
/* db_scripts_delete: bulk, all or nothing: when any id is not the viewer's (or does not
 * exist), PSS_EFORBIDDEN with lib_err.unauthorized and nothing is deleted. *deleted gets the
 * count. At most LIB_BULK_MAX ids. */
enum pss_err db_scripts_delete(struct db *, const struct viewer *, const int64_t *ids, size_t n,
	int64_t *deleted, struct lib_err *);

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
/* db_scripts_bulk_update: all or nothing like db_scripts_delete; the tag limit holds for
 * every script (PSS_EINVAL naming "addTags"). *updated gets the count. */
enum pss_err db_scripts_bulk_update(struct db *, const struct viewer *, const struct script_bulk *,
	int64_t *updated, struct lib_err *);

/* ---- versions.c ---- */

/* db_versions_list: {scriptId, scriptTitle, currentVersion, totalVersions, versions: [{id,
 * version, changelog, userId, user {id, username} or null, createdAt, linesAdded,
 * linesRemoved}]}, newest first; the counts compare each version with the one before. */
enum pss_err db_versions_list(struct db *, const struct viewer *, int64_t script_id,
	struct json_object **out);
/* db_version_get: {id, scriptId, version, content, changelog, userId, user, createdAt}. */
enum pss_err db_version_get(struct db *, const struct viewer *, int64_t script_id, int64_t version,
	struct json_object **out);
/* db_versions_compare: {fromVersion, toVersion, linesAdded, linesRemoved, coarse, hunks:
 * [{fromStart, fromLines, toStart, toLines, lines: [{type, content}]}], unified}. */
enum pss_err db_versions_compare(struct db *, const struct viewer *, int64_t script_id,
	int64_t from, int64_t to, struct json_object **out);
/* db_version_revert (in scripts.c, beside update): owner or admin: version N+1 with version
 * n's content, and its analysis job. *new_version gets N+1. */
enum pss_err db_version_revert(struct db *, const struct viewer *, int64_t script_id, int64_t n,
	int64_t *new_version, struct lib_err *);
/* diff_to_json: the compare object of a diff (exposed for the analysis export). */
struct diff_result;
struct json_object *diff_to_json(const struct diff_result *, int64_t from, int64_t to);

/* ---- taxonomy.c: categories and tags ---- */

/* db_categories_list: {categories: [{id, name, description, scriptCount, createdAt,
 * updatedAt}]} by name; scriptCount counts the scripts this viewer sees (pass an anonymous
 * viewer for the shared categories:all cache entry). */
enum pss_err db_categories_list(struct db *, const struct viewer *, struct json_object **out);
enum pss_err db_category_get(struct db *, const struct viewer *, int64_t id, struct json_object **out);
/* db_category_create / update: name trimmed, 1..255, unique regardless of case
 * (PSS_ECONFLICT); description may be NULL. update with name NULL keeps it. */
enum pss_err db_category_create(struct db *, const char *name, const char *description,
	int64_t *id, struct lib_err *);
enum pss_err db_category_update(struct db *, int64_t id, const char *name, const char *description,
	struct lib_err *);
/* db_category_delete: its scripts keep a NULL category. */
enum pss_err db_category_delete(struct db *, int64_t id);

/* db_tags_list: {tags: [{id, name, count}]}: names starting with prefix (NULL or "": all;
 * LIKE metacharacters are data), most used first, then by name; count is the scripts this
 * viewer sees; at most limit (1..100). */
enum pss_err db_tags_list(struct db *, const struct viewer *, const char *prefix, int64_t limit,
	struct json_object **out);
/* db_tag_get: {id, name, count}. */
enum pss_err db_tag_get(struct db *, const struct viewer *, int64_t id, struct json_object **out);
/* db_tag_create: trimmed and lower-cased; an existing name answers its id with *created false. */
enum pss_err db_tag_create(struct db *, const char *name, int64_t *id, bool *created, struct lib_err *);
enum pss_err db_tag_delete(struct db *, int64_t id);
/* lib_tags_check: validates a tag list (count, each 1..50 bytes after trimming, no control
 * characters) and returns it as a JSON array text of the trimmed names (caller frees), or
 * NULL with lib_err filled. Used by every write path. */
char	*lib_tags_check(const char *const *tags, size_t n, const char *field, struct lib_err *);
/* lib_tags_set: replaces (replace true) or extends the tags of a script, inside the caller's
 * transaction; tags_json from lib_tags_check. Then checks the limit of 10 (PSS_EINVAL). */
enum pss_err lib_tags_set(struct db *, int64_t script_id, const char *tags_json, bool replace,
	struct lib_err *);

/* ---- executions.c ---- */

enum exec_status { EXEC_SUCCESS, EXEC_FAILURE, EXEC_TIMEOUT, EXEC_CANCELLED, EXEC__MAX };
extern const char *const exec_statuses[EXEC__MAX];
enum exec_status exec_status_parse(const char *);	/* NULL: success; __MAX when unknown */

struct exec_record {
	int64_t		 script_id;	/* the caller is the viewer (a user is required) */
	enum exec_status status;
	bool		 has_time;
	double		 time_ms;	/* >= 0 */
	const char	*parameters;	/* JSON object text or NULL */
	const char	*error_message;	/* may be NULL */
	const char	*ip;		/* REMOTE_ADDR, may be NULL; at most 45 bytes */
};
/* db_execution_record: the script must be visible to the caller. In ONE statement the log
 * row is written and execution_count, average_execution_time (running mean of the reported
 * times) and last_executed_at are updated. Fills {executionLogId, executionCount, title}. */
enum pss_err db_execution_record(struct db *, const struct viewer *, const struct exec_record *,
	struct json_object **out, struct lib_err *);
/* db_executions_list: owner or admin: {executions: [{id, scriptId, userId, status,
 * executionTime, parameters, errorMessage, ipAddress, createdAt}], pagination: {total,
 * limit, offset, hasMore}}, newest first. */
enum pss_err db_executions_list(struct db *, const struct viewer *, int64_t script_id,
	int64_t limit, int64_t offset, struct json_object **out);

/* ---- uploads.c ---- */

struct upload_file {
	const char	*filename;	/* without path parts; 1..255 bytes */
	const void	*content;
	size_t		 len;		/* <= LIB_CONTENT_MAX */
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
#define LIB_UPLOAD_MAX_FILES 50
/* db_uploads_store: one transaction: every file in uploads (one new batch) and one
 * upload.process job per file. {batchId, uploads: [{uploadId, filename, status}]}. */
enum pss_err db_uploads_store(struct db *, int64_t user_id, const struct upload_file *, size_t n,
	const struct upload_options *, struct json_object **out, struct lib_err *);
/* db_upload_process: the job's work, in one transaction (a killed worker leaves the
 * upload queued for the next attempt): checks the text, hashes it, and ends the upload
 * completed (a script with version 1, tags and an analysis job), duplicate (with
 * existing_script_id) or failed (with the reason). Already finished: nothing to do.
 * PSS_OK in all three cases; *status (when not NULL) gets the final status name. */
enum pss_err db_upload_process(struct db *, const char *upload_id, const char **status);
/* db_upload_status: the owner's (or an admin's) upload: {uploadId, batchId, filename, size,
 * status, scriptId, existingScriptId, error, createdAt, updatedAt}. */
enum pss_err db_upload_status(struct db *, const struct viewer *, const char *upload_id,
	struct json_object **out);
/* db_upload_batch: {batchId, uploads: [status objects], total, done, failed}: done counts
 * finished uploads (completed, duplicate or failed), failed those that failed. */
enum pss_err db_upload_batch(struct db *, const struct viewer *, const char *batch_id,
	struct json_object **out);
/* lib_uuid_valid: 8-4-4-4-12 hex digits. */
bool	 lib_uuid_valid(const char *);

/* ---- shared by the files above (scripts.c) ---- */
/* lib_fail: fills err (when not NULL) with field and message; returns e. */
enum pss_err lib_fail(struct lib_err *, enum pss_err e, const char *field, const char *message);
/* lib_exec_row: db_exec that wants a row: PSS_ENOTFOUND (nothing to free) when none. */
enum pss_err lib_exec_row(struct db *, struct db_res **, const char *sql, int n,
	const char *const *params);
/* lib_viewer_params: the viewer as two parameters: its id (NULL when anonymous; uid is
 * the storage) and "true"/"false" for admin. */
void	 lib_viewer_params(const struct viewer *, char uid[24], const char **id, const char **admin);
/* lib_trim: the bounds of s without ASCII white space around it. */
const char *lib_trim(const char *s, size_t *n);
/* lib_no_controls: true when no byte is a control character (below 0x20, or DEL). */
bool	 lib_no_controls(const char *, size_t);
/* lib_json_rows: parses column 0 of every row (JSON text) into an array. */
struct json_object *lib_json_rows(const struct db_res *);
struct json_object *lib_json_parse(const char *);	/* never NULL: null on bad text */
void	 lib_id(char buf[24], int64_t);
/* lib_access: the script's owner when it exists and the viewer sees it (ENOTFOUND), and
 * whether the viewer may change it (EFORBIDDEN when not and want_write). With lock, the
 * row is locked FOR UPDATE (inside a transaction). */
enum pss_err lib_access(struct db *, const struct viewer *, int64_t id, bool want_write, bool lock);
/* lib_title_check: a trimmed copy of a valid title (caller frees), or NULL with err filled. */
char	*lib_title_check(const char *title, struct lib_err *);
/* lib_enqueue_analysis: the analysis.run job of a script (inside the caller's transaction). */
enum pss_err lib_enqueue_analysis(struct db *, int64_t script_id);
/* lib_script_insert: the create transaction's body (uploads reuse it). */
enum pss_err lib_script_insert(struct db *, const struct script_new *, const char *text, size_t len,
	const char *tags_json, int64_t *id, struct lib_err *);

#endif
