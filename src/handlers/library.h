/* library.h: the library handlers (scripts, versions, categories, tags, executions): view
 * builders the pages reuse, the shared request helpers, and the one cache invalidation */
#ifndef PSS_HANDLERS_LIBRARY_H
#define PSS_HANDLERS_LIBRARY_H

#include "handlers/app.h"
#include "services/library.h"

/*
 * Conventions.
 * - A handler reads its input only through http_param, http_query, json_body and
 *   json_field_str (plus c->user and c->req->remote_addr), calls the library's operations
 *   (services/library.h: they validate, check access, write, invalidate the cache and
 *   queue jobs) and answers only through json_reply, error_reply, error_from,
 *   error_from_svc, field_error, ok_reply (and the reply_* answers below, built on
 *   json_reply), so the pages can render the same objects.
 * - View builders (view_*): one per read. Each parses the request's path and query
 *   parameters, consults the cache, calls the db function and returns 0 with *out set to
 *   the view object (caller puts; it has no "success" member). On any failure it has
 *   ALREADY ANSWERED (400 validation_error naming the field, 401, 404, 503 ...) and
 *   returns -1 with *out NULL. The API handler is then: builder, add success, json_reply.
 * - The view objects are API.md's shapes. A search result's "snippet" is safe HTML: its
 *   text is HTML-escaped and only the <mark>…</mark> highlights are tags (templates
 *   render it raw; JSON clients may insert it as HTML).
 */

/* ---- library.c: shared request helpers ---- */

/* req_viewer: who asks (anonymous, a user or an admin). */
struct viewer req_viewer(const struct http_ctx *);
/* req_path_id: the path parameter name as an id (1..2^31-1), or 0 after answering 400
 * validation_error naming field. */
int64_t	 req_path_id(struct http_ctx *, const char *name, const char *field);
/* req_filter: the list (search false) or search (true) query parameters into f:
 * categoryId, userId, tag, isPublic, mine, minSecurityScore, sort, order, page, limit,
 * cursor, and for a search q and mode. 0, or -1 after answering (400 validation_error
 * naming the field; 401 for mine=true without a user). Strings point into the request. */
int	 req_filter(struct http_ctx *, bool search, struct script_filter *f);
/* req_query_int: a whole-number query parameter in min..max: 1 with *out, 0 when absent
 * (*out untouched), -1 after answering 400 naming it. */
int	 req_query_int(struct http_ctx *, const char *name, int64_t min, int64_t max, int64_t *out);
/* reply_success: {success: true, name: obj} (name NULL: obj's members after success), and
 * json_reply with status. Takes obj. */
void	 reply_success(struct http_ctx *, int status, const char *name, struct json_object *obj);
/* req_asks_as_axios: whether an API request carries exactly axios's default Accept, as the
 * original React frontend sends every call (docs/compat.md: some answers take its shape). */
bool	 req_asks_as_axios(const struct http_ctx *);

/* reply_view: the API handler of a view builder: 200 {success, name: view} (name NULL:
 * the view's members beside success), or nothing more when the builder answered (it
 * returned -1, or 1: an API builder answered from the cache's bytes, reply_cached). */
void	 reply_view(struct http_ctx *, int (*view)(struct http_ctx *, struct json_object **),
	const char *name);

/* ---- library.c: JSON body members (a form's string values are accepted too) ----
 * Each answers 400 validation_error naming the member and returns -1 when it is of the
 * wrong type or out of range. */
/* req_body_str: 1 with *out and *len, 0 when absent or null (400 when required), -1. No NUL,
 * at most max bytes. */
int	 req_body_str(struct http_ctx *, struct json_object *b, const char *name, const char *alias,
	size_t max, bool required, const char **out, size_t *len);
/* req_body_int: a number or numeric string in min..max: 1 with *out, 2 for null (or an
 * empty string), 0 when absent, -1. */
int	 req_body_int(struct http_ctx *, struct json_object *b, const char *name, const char *alias,
	int64_t min, int64_t max, int64_t *out);
/* req_body_bool: true/false (or "true", "false", "on", "off", "1", "0"): 1 with *out, 0 when
 * absent or null, -1. */
int	 req_body_bool(struct http_ctx *, struct json_object *b, const char *name, const char *alias,
	bool *out);
/* req_body_strings: an array of at most max strings, or a comma-separated string (blank
 * items skipped): 1 with *out (request memory) and *n, 0 when absent, -1. null is empty. */
int	 req_body_strings(struct http_ctx *, struct json_object *b, const char *name,
	const char *alias, size_t max, const char ***out, size_t *n);
/* req_body_ids: a required array of 1..LIBRARY_BULK_MAX script ids: 0 with *out (request
 * memory) and *n, -1. */
int	 req_body_ids(struct http_ctx *, struct json_object *b, const char *name, int64_t **out,
	size_t *n);

/* ---- library.c: the cached reads ----
 * The entries' keys, lifetimes and format are the library's (services/library.h, reads.c);
 * the library's writes drop them, never a handler. */
/* view_cache_get / view_cache_put: library_cache_get / library_cache_put. */
struct json_object *view_cache_get(struct http_ctx *, const char *key);
void	 view_cache_put(struct http_ctx *, const char *key, struct json_object *o, int ttl_s);
/* reply_cached: an API answer (not a page) straight from the cached bytes under key,
 * without parsing them: 200 {success, name: object}, or with name NULL the object's members
 * beside success (as reply_success). With a viewer, the entry is a script object served only
 * when library_script_visible would allow it. 1 answered, 0 a miss (nothing answered), -1
 * cached but not visible to this viewer (nothing answered). */
int	 reply_cached(struct http_ctx *, const char *key, const char *name, const struct viewer *);
/* reply_cache_put: view_cache_put and the API answer reply_success would give, from one
 * serialisation of o (taken). */
void	 reply_cache_put(struct http_ctx *, const char *key, struct json_object *o, int ttl_s,
	const char *name);

/* view_snippets_html: each item's "snippet" (ts_headline's text) as safe HTML (esc_marked):
 * a search answer's items, scripts or documents. */
void	 view_snippets_html(struct json_object *items);

/* ---- view builders (see the conventions above) ---- */
/* view_list_with: a list (or search) for a filter the caller made (for example
 * req_filter's with a category forced), through the scripts:… cache. */
int	 view_list_with(struct http_ctx *, const struct script_filter *, bool search,
	struct json_object **out);
/* view_script_by_id: the script object (summary, content, analysis) through the shared
 * script:{id} entry; 404 when the viewer may not see it. */
int	 view_script_by_id(struct http_ctx *, int64_t id, struct json_object **out);
int	 view_scripts_list(struct http_ctx *, struct json_object **out);	/* scripts.c */
int	 view_scripts_search(struct http_ctx *, struct json_object **out);
int	 view_script_get(struct http_ctx *, struct json_object **out);	/* :id */
int	 view_script_similar(struct http_ctx *, struct json_object **out);	/* :id/similar */
int	 view_versions_list(struct http_ctx *, struct json_object **out);	/* versions.c */
int	 view_version_get(struct http_ctx *, struct json_object **out);	/* :id, :n */
int	 view_versions_compare(struct http_ctx *, struct json_object **out);	/* from, to */
int	 view_executions_list(struct http_ctx *, struct json_object **out);	/* executions.c */
int	 view_categories_list(struct http_ctx *, struct json_object **out);	/* categories.c */
int	 view_category_get(struct http_ctx *, struct json_object **out);
int	 view_category_scripts(struct http_ctx *, struct json_object **out);
int	 view_tags_list(struct http_ctx *, struct json_object **out);	/* tags.c */
int	 view_tag_get(struct http_ctx *, struct json_object **out);

/* The documentation (docs.c, pages-docs.c): the reads go through the docs:* and doc:{id}
 * cache entries (services/docs.h), which the documentation's writes drop. */
int	 view_docs_recent(struct http_ctx *, struct json_object **out);	/* limit, offset */
int	 view_docs_search(struct http_ctx *, struct json_object **out);	/* query, filters */
int	 view_docs_sources(struct http_ctx *, struct json_object **out);
int	 view_docs_stats(struct http_ctx *, struct json_object **out);
int	 view_doc_get(struct http_ctx *, struct json_object **out);	/* :id */
void	 h_docs_recent(struct http_ctx *);
void	 h_docs_search(struct http_ctx *);
void	 h_docs_sources(struct http_ctx *);
void	 h_docs_tags(struct http_ctx *);
void	 h_docs_stats(struct http_ctx *);
void	 h_docs_get(struct http_ctx *);
void	 h_docs_create(struct http_ctx *);
void	 h_docs_bulk(struct http_ctx *);
void	 h_docs_delete(struct http_ctx *);
void	 h_docs_delete_source(struct http_ctx *);
void	 h_page_docs(struct http_ctx *);
void	 h_page_doc(struct http_ctx *);
void	 h_page_doc_cmdlet(struct http_ctx *);
void	 h_page_admin_docs(struct http_ctx *);

/* ---- handlers ---- */
void	 h_scripts_list(struct http_ctx *);
void	 h_scripts_search(struct http_ctx *);
void	 h_scripts_get(struct http_ctx *);
void	 h_scripts_similar(struct http_ctx *);
void	 h_scripts_create(struct http_ctx *);
void	 h_scripts_update(struct http_ctx *);
void	 h_scripts_delete(struct http_ctx *);
void	 h_scripts_bulk_delete(struct http_ctx *);
void	 h_scripts_bulk_update(struct http_ctx *);
void	 h_scripts_download(struct http_ctx *);
void	 h_scripts_analysis(struct http_ctx *);	/* analysis.c */
void	 h_scripts_analyze(struct http_ctx *);
void	 h_scripts_analyze_adhoc(struct http_ctx *);
void	 h_scripts_export_analysis(struct http_ctx *);
void	 h_versions_list(struct http_ctx *);
void	 h_versions_get(struct http_ctx *);
void	 h_versions_compare(struct http_ctx *);
void	 h_versions_revert(struct http_ctx *);
void	 h_scripts_execute(struct http_ctx *);
void	 h_executions_list(struct http_ctx *);
void	 h_categories_list(struct http_ctx *);
void	 h_categories_get(struct http_ctx *);
void	 h_categories_scripts(struct http_ctx *);
void	 h_categories_create(struct http_ctx *);
void	 h_categories_update(struct http_ctx *);
void	 h_categories_delete(struct http_ctx *);
void	 h_tags_list(struct http_ctx *);
void	 h_tags_get(struct http_ctx *);
void	 h_tags_create(struct http_ctx *);
void	 h_tags_delete(struct http_ctx *);

#endif
