/* scripts.h: the scripts table's queries: list, keyword search, get, insert, update,
 * new version, delete, bulk (the rules around them are in services/library.h) */
#ifndef PSS_DB_SCRIPTS_H
#define PSS_DB_SCRIPTS_H

#include "db/rows.h"

#define DB_LIMIT_DEFAULT 20	/* a list's page size when none is given */

enum script_sort {
	SCRIPT_SORT_UPDATED,	/* "updatedAt" (the default) */
	SCRIPT_SORT_CREATED,	/* "createdAt" */
	SCRIPT_SORT_TITLE,	/* "title" */
	SCRIPT_SORT_EXECUTIONS,	/* "executionCount" */
	SCRIPT_SORT_SECURITY,	/* "securityScore" (no analysis sorts as -1) */
	SCRIPT_SORT_QUALITY,	/* "codeQualityScore" (no analysis sorts as -1) */
	SCRIPT_SORT_RANK,	/* "rank": search only, and its default */
	SCRIPT_SORT__MAX
};
extern const char *const db_script_sorts[SCRIPT_SORT__MAX];
/* db_script_sort_parse: the sort named by s (NULL or "" means updatedAt; a search's default
 * is rank, see db_script_filter_init); __MAX when unknown (a 400). */
enum script_sort db_script_sort_parse(const char *s);

/* A search's mode (API.md, GET /api/scripts/search?mode=): keyword is the full-text search,
 * semantic ranks by embedding, hybrid fuses both (docs/search.md). */
enum search_mode {
	SEARCH_KEYWORD,
	SEARCH_SEMANTIC,
	SEARCH_HYBRID,
	SEARCH__MAX
};
extern const char *const db_search_modes[SEARCH__MAX];

/* The tags one list filter may name: a script carries at most 10. */
#define SCRIPT_FILTER_TAGS_MAX 10

struct script_filter {
	int64_t		 category_id;	/* 0: any */
	int64_t		 user_id;	/* 0: any */
	const char	*tag;		/* NULL: any; compared trimmed and lower-cased */
	const char	*and_tags[SCRIPT_FILTER_TAGS_MAX - 1];	/* more tags a script must */
	size_t		 n_and_tags;			/* carry too (as tag) */
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
	const char	*query_alt;	/* search: query with its command aliases replaced by
					 * their commands (matches either); NULL: none */
	enum search_mode mode;		/* search: keyword unless set */
};
/* db_script_filter_init: every field at its default (any, page 1, limit 20, descending by
 * updatedAt for a list, by rank for a search). */
void	 db_script_filter_init(struct script_filter *, bool search);
/* db_script_cursor_valid: whether s is a nextCursor made for this sort and order. */
bool	 db_script_cursor_valid(const char *s, enum script_sort sort, bool asc);

/* db_scripts_list: the scripts the viewer sees that pass a valid filter: {scripts: [script
 * summary], total, page, totalPages, nextCursor (null on the last page)}. A summary is {id,
 * title, description, userId, categoryId, isPublic, version, executionCount,
 * averageExecutionTime, lastExecutedAt, fileHash, createdAt, updatedAt, user {id,
 * username}, category {id, name} or null, tags [names], analysis {securityScore,
 * codeQualityScore, riskScore} or null}. With a cursor, the rows after it (page is then
 * only echoed). PSS_EINVAL: the cursor is not one of this sort and order. */
enum pss_err db_scripts_list(struct db *, const struct viewer *, const struct script_filter *,
	struct json_object **out);
/* db_scripts_search: keyword search (both configurations of docs/schema.md); sort rank
 * (default) or any list sort. {scripts: [summary + rank (1-based place) + score (ts_rank)
 * + snippet], total, page,
 * totalPages, nextCursor, query, mode: "keyword", sort}; the snippet is ts_headline's text
 * with matches between "<mark>" and "</mark>" (NOT escaped: escape it at the sink). */
enum pss_err db_scripts_search(struct db *, const struct viewer *, const struct script_filter *,
	struct json_object **out);
/* db_scripts_filter_ids: keep[i] = 1 when ids[i] is a script the viewer sees that passes the
 * filter f (its query is not used), else 0. One statement for all n. */
enum pss_err db_scripts_filter_ids(struct db *, const struct viewer *, const struct script_filter *,
	const int64_t *ids, size_t n, uint8_t *keep);
/* db_scripts_pick: of the n ids (best first), the first max the viewer sees other than skip,
 * in that order: *out = a JSON array of {id, title, category {id, name} or null}, and ord[i]
 * (room for max) the place in ids of the i-th. One statement. */
enum pss_err db_scripts_pick(struct db *, const struct viewer *, const int64_t *ids, size_t n,
	int64_t skip, int max, size_t *ord, struct json_object **out);
/* db_scripts_search_any: the best max ids (visible, filtered) matching at least two of the
 * `most` rarest (by idf) of the n words (all when fewer; stop words, by PostgreSQL's english
 * configuration, do not count), scored by the sum of idf[i] over the words each matches plus
 * its ts_rank over any of them; best first. The candidates are found by the rarer words only:
 * those (rarest first, by the column's statistics) in at most `budget` scripts together, or
 * the rarest one, or, when it alone is in more, both of the two rarest; a script with only
 * more common words is not found. *n_out gets how many, *all how many of the first match
 * every word. */
enum pss_err db_scripts_search_any(struct db *, const struct viewer *, const struct script_filter *,
	const char *const *words, const double *idf, size_t n, int most, int budget, int max,
	int64_t *ids, double *scores, int *n_out, int *all);
/* db_scripts_summaries: *out = a JSON array of the summaries (as db_scripts_list) of the ids
 * the viewer sees, in the order given, each with the snippet of query (its words between
 * "<mark>" and "</mark>", NOT escaped). */
enum pss_err db_scripts_summaries(struct db *, const struct viewer *, const int64_t *ids, size_t n,
	const char *query, const char *query_alt, struct json_object **out);
/* db_script_get: the summary plus content and the full analysis object (or null). */
enum pss_err db_script_get(struct db *, const struct viewer *, int64_t id, struct json_object **out);
/* db_script_content: the content (caller frees) and title (caller frees) of a visible script. */
enum pss_err db_script_content(struct db *, const struct viewer *, int64_t id, char **content,
	size_t *len, char **title);
/* db_script_access: whether the script exists and the viewer sees it (PSS_ENOTFOUND when
 * not), and in *owner whether the viewer owns it or is an admin. With lock, the row is
 * locked FOR UPDATE (inside a transaction). */
enum pss_err db_script_access(struct db *, const struct viewer *, int64_t id, bool lock, bool *owner);
/* db_script_by_hash: the id of a script whose file_hash is the SHA-256 of text that owner
 * (0: none) may see: its own, else a public one; 0 when none (or on an error). */
int64_t	 db_script_by_hash(struct db *, const char *text, size_t len, int64_t owner);
/* db_script_public_twin: another public script with the content of script id (what making
 * it public would collide with), 0 when none (or on an error). */
int64_t	 db_script_public_twin(struct db *, int64_t id);

/* The columns of a new script (text already normalised). */
struct script_row {
	int64_t		 user_id;
	const char	*title;
	const char	*description;	/* may be NULL */
	int64_t		 category_id;	/* 0: none */
	bool		 is_public;
	const char	*commit_message;	/* of version 1 */
	const char	*search_terms;	/* the commands' meaning (library_search_terms); NULL: later */
};
/* db_script_insert: the script (SHA-256 of text in file_hash) and its version 1 (inside a
 * transaction: it holds a lock on the content's hash until the end). *id gets the new id.
 * The same content stored already in a script the new one's owner may see (their own or a
 * public one; another user's private copy does not count): PSS_ECONFLICT with *existing
 * that script, or -1 when a unique index refused it and none can be named; any other
 * PSS_ECONFLICT (a deadlock) leaves *existing 0. */
enum pss_err db_script_insert(struct db *, const struct script_row *, const char *text, size_t len,
	int64_t *id, int64_t *existing);
/* db_script_set: title (NULL: unchanged), description (NULL: unchanged; clear: NULL),
 * category (with has_category; 0 none), is_public (-1 unchanged). */
enum pss_err db_script_set(struct db *, int64_t id, const char *title, const char *description,
	bool clear_description, bool has_category, int64_t category_id, int is_public);
/* db_script_new_version: text becomes version N+1 of the (locked) script, by author with
 * message. The same content as now and not force: nothing, *version 0. Another script the
 * owner may see has that content: PSS_ECONFLICT with *existing, or with *hash_race when a
 * unique index refused it (the transaction is then gone: ask db_script_by_hash after it). */
enum pss_err db_script_new_version(struct db *, int64_t id, int64_t author, const char *text,
	size_t len, const char *message, bool force, int64_t *version, int64_t *existing,
	bool *hash_race, const char *search_terms);
/* db_script_terms_source: what a script's search_terms are made of: its content (the first
 * max bytes), the analysis's purpose ("" when none) and the content's hash; each freed by the
 * caller. PSS_ENOTFOUND when the script is gone. */
enum pss_err db_script_terms_source(struct db *, int64_t id, size_t max, char **content,
	char **purpose, char **hash);
/* db_script_terms_set: the script's search_terms, when its content still has that hash;
 * *changed: a row was written (they differed). */
enum pss_err db_script_terms_set(struct db *, int64_t id, const char *hash, const char *terms,
	bool *changed);
/* db_scripts_vacuum: VACUUM (ANALYZE) of the scripts table (outside a transaction; a role
 * that does not own it gets PostgreSQL's warning and nothing is done). */
enum pss_err db_scripts_vacuum(struct db *);
/* db_script_delete: deletes it (its versions, tags, logs and analysis cascade). */
enum pss_err db_script_delete(struct db *, int64_t id);

/* Bulk: ids are 1..2^31-1 (checked by the caller), n >= 1. */
/* db_scripts_lock_owned: locks those of ids the viewer may change (owner or admin); owned[i]
 * tells whether ids[i] is one of them. */
enum pss_err db_scripts_lock_owned(struct db *, const struct viewer *, const int64_t *ids, size_t n,
	bool *owned);
/* db_scripts_delete: deletes them; *count gets how many went. */
enum pss_err db_scripts_delete(struct db *, const int64_t *ids, size_t n, int64_t *count);
/* db_scripts_set: is_public (-1 unchanged) and category (with has_category; 0 none) of
 * them; *count gets how many rows changed. */
enum pss_err db_scripts_set(struct db *, const int64_t *ids, size_t n, int is_public,
	bool has_category, int64_t category_id, int64_t *count);
/* db_scripts_untag: removes the tags named in tags_json (a JSON array of names) from them. */
enum pss_err db_scripts_untag(struct db *, const int64_t *ids, size_t n, const char *tags_json);

#endif
