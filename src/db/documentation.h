/* documentation.h: the documentation table's queries: upsert by URL, reads, ranked search,
 * the sources, tags and counts (validation, extraction and the cache are the caller's:
 * services/docs.h) */
#ifndef PSS_DB_DOCUMENTATION_H
#define PSS_DB_DOCUMENTATION_H

#include "db/rows.h"

/* A row as the services layer made it: every text checked, the JSON members valid JSON of
 * the right type (arrays, metadata an object), names lower-cased, hash the SHA-256 (hex) of
 * every field the writer gave. NULL: SQL NULL (content, summary, last_updated) or the
 * column's default (source, content_type, category). */
struct db_doc_row {
	const char	*url;
	const char	*title;
	const char	*content;
	const char	*summary;
	const char	*source;
	const char	*content_type;
	const char	*category;
	const char	*tags;			/* JSON array of strings */
	const char	*commands;		/* JSON array: extracted_commands */
	const char	*functions;		/* JSON array: extracted_functions */
	const char	*modules;		/* JSON array: extracted_modules */
	const char	*metadata;		/* JSON object */
	const char	*last_updated;		/* timestamptz text, or NULL */
	const char	*names;			/* JSON array of lower-cased command names */
	const char	*hash;			/* 64 hex digits */
};

enum db_doc_upsert {
	DB_DOC_INSERTED,
	DB_DOC_UPDATED,
	DB_DOC_UNCHANGED,
	DB_DOC__MAX
};

/* db_doc_upsert: inserts the row, or updates the row of that url when its content_hash
 * differs (crawled_at then moves to now); an equal hash leaves the row untouched. *id and
 * *res tell which. */
enum pss_err db_doc_upsert(struct db *, const struct db_doc_row *, int64_t *id, enum db_doc_upsert *res);

/* The document object (API.md): {id, title, url, content, summary, source, contentType,
 * category, tags, extractedCommands, extractedFunctions, extractedModules, metadata,
 * crawledAt, lastUpdated, createdAt, updatedAt}; lists leave content out. */

/* db_doc_get: the document with content, or PSS_ENOTFOUND. */
enum pss_err db_doc_get(struct db *, int64_t id, struct json_object **out);
/* db_doc_by_name: the id of the document describing the command named name (lower-cased,
 * matched against command_names; a cmdlet page before any other), or PSS_ENOTFOUND. */
enum pss_err db_doc_by_name(struct db *, const char *name, int64_t *id);
/* db_doc_id_by_url: the id of the document stored under url, or PSS_ENOTFOUND. */
enum pss_err db_doc_id_by_url(struct db *, const char *url, int64_t *id);
/* db_doc_recent: {documents: [...], total, limit, offset}, the most recently updated first. */
enum pss_err db_doc_recent(struct db *, int64_t limit, int64_t offset, struct json_object **out);

enum doc_sort {
	DOC_SORT_RELEVANCE,
	DOC_SORT_DATE,
	DOC_SORT_TITLE,
	DOC_SORT__MAX
};
extern const char *const db_doc_sorts[DOC_SORT__MAX];

struct doc_query {
	const char	*query;		/* websearch text, within the search bounds */
	const char	*names;		/* JSON array of lower-cased exact names ranked first */
	const char	*sources;	/* JSON arrays of strings, or NULL: any */
	const char	*tags;		/* a document with any of them */
	const char	*types;		/* content types */
	int64_t		 limit;
	int64_t		 offset;
	enum doc_sort	 sort;
};
/* db_doc_search: {documents: [hit with rank, exact (a name matched) and snippetText (the
 * content's first 1,200 characters, else the summary: raw text, NOT escaped)], total, limit,
 * offset, terms (the query's English lexemes, space-separated; present when a row is)}:
 * documents whose search vector matches the query or whose command names hold one of names
 * (psscript_doc_matches, migration 0031: through the GIN indexes); by relevance the exact
 * names first, then ts_rank. A hit is the document without content, extracted lists,
 * crawledAt and createdAt, and with only version, versions and aliases of its metadata. */
enum pss_err db_doc_search(struct db *, const struct doc_query *, struct json_object **out);

/* db_doc_sources: {sources: [{source, count, contentTypes: {type: n}, lastCrawled}]}. */
enum pss_err db_doc_sources(struct db *, struct json_object **out);
/* db_doc_tags: {tags: [{tag, count}]}, the most used first, at most limit. */
enum pss_err db_doc_tags(struct db *, int64_t limit, struct json_object **out);
/* db_doc_stats: {total, sources, contentTypes: {type: n}, categories, lastCrawled,
 * lastUpdated}. */
enum pss_err db_doc_stats(struct db *, struct json_object **out);
/* db_doc_related: {documents: [...]}: up to limit others of the same category that share the
 * most command names or extracted commands with id, then by title. */
enum pss_err db_doc_related(struct db *, int64_t id, int64_t limit, struct json_object **out);

/* db_doc_delete: PSS_ENOTFOUND when no such id. db_doc_delete_source: every document of
 * source; *n gets how many. */
enum pss_err db_doc_delete(struct db *, int64_t id);
enum pss_err db_doc_delete_source(struct db *, const char *source, int64_t *n);

#endif
