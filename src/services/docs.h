/* docs.h: the documentation's operations: the one writer (upsert by URL, with the command
 * extraction every writer gets), the checked reads and search, deletes, and the cache
 * entries the writes make stale. The API handlers, the pages, the import (psscript docs
 * import) and the crawler call these, nothing below. */
#ifndef PSS_SERVICES_DOCS_H
#define PSS_SERVICES_DOCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "services/svc.h"
#include "db/documentation.h"

/*
 * Conventions (as services/library.h): reads fill *out (caller puts); PSS_EINVAL with err
 * naming the field (the API's camelCase name); PSS_ENOTFOUND; PSS_EUNAVAIL / PSS_EINTERNAL
 * from the database. A write drops the stale cache entries once it is stored.
 */

#define DOCS_URL_MAX 2048		/* bytes */
#define DOCS_TITLE_MAX 500		/* characters */
#define DOCS_CONTENT_MAX (4 * 1024 * 1024)	/* bytes */
#define DOCS_SUMMARY_MAX 10000		/* bytes */
#define DOCS_SOURCE_MAX 100		/* characters */
#define DOCS_TYPE_MAX 50
#define DOCS_CATEGORY_MAX 100
#define DOCS_TAGS_MAX 50		/* tags a document */
#define DOCS_TAG_MAX 100		/* bytes a tag */
#define DOCS_METADATA_MAX (256 * 1024)	/* bytes of JSON */
#define DOCS_EXTRACT_MAX 200		/* names in each extracted list */
#define DOCS_CODE_MAX (1024 * 1024)	/* bytes of code blocks the extraction tokenizes */
#define DOCS_LIMIT_DEFAULT 20
#define DOCS_LIMIT_MAX 100
#define DOCS_OFFSET_MAX 10000
#define DOCS_FILTER_MAX 20		/* values of sources, tags or contentTypes */
#define DOCS_BULK_MAX 100		/* documents a POST /bulk */
#define DOCS_SNIPPET_MAX 240		/* bytes of a search hit's snippet text */

/* Cache: a document (doc:{id}) for CACHE_TTL_SCRIPT, every list, search and count
 * (docs:*) for CACHE_TTL_SCRIPTS, as the spec's single-record and list entries; every write
 * drops doc:{id} and docs:* (docs/documentation.md "Cache"). */
#define DOCS_DOC_TTL CACHE_TTL_SCRIPT
#define DOCS_LIST_TTL CACHE_TTL_SCRIPTS

/* A document as a writer gives it. Strings are NUL-terminated UTF-8; NULL where allowed. */
struct doc_in {
	const char	*url;		/* required: http://, https:// or file:// */
	const char	*title;		/* required, trimmed: 1..500 characters */
	const char	*content;	/* Markdown or text; code blocks fenced with ``` */
	const char	*summary;
	const char	*source;	/* NULL: "Microsoft Learn" */
	const char	*content_type;	/* NULL: "article"; [a-z0-9_-]: cmdlet, about, article... */
	const char	*category;	/* NULL: "General" (the module of a cmdlet) */
	const char	*const *tags;
	size_t		 ntags;
	const char	*metadata;	/* JSON object text, NULL: {} */
	const char	*last_updated;	/* YYYY-MM-DD[THH:MM[:SS[.f]]][Z|±HH:MM], NULL: unknown */
};

enum docs_upsert_result {
	DOCS_INSERTED,
	DOCS_UPDATED,
	DOCS_UNCHANGED,
	DOCS_UPSERT__MAX
};
extern const char *const docs_upsert_names[DOCS_UPSERT__MAX];	/* "inserted", ... */

/* docs_upsert: checks in, extracts the commands, functions and modules of its PowerShell
 * code blocks (docs_extract) and the names it documents (docs_names), and stores it by URL:
 * inserted, updated, or unchanged (the SHA-256 of every field equals the stored one; the row
 * is not written). *id gets the row's id. A changed row drops the stale cache entries. */
enum pss_err docs_upsert(const struct svc *, const struct doc_in *, int64_t *id,
	enum docs_upsert_result *res, struct svc_err *);
/* docs_store: docs_upsert without the cache invalidation, for a writer of many documents
 * (the import), which calls docs_changed once when done. */
enum pss_err docs_store(const struct svc *, const struct doc_in *, int64_t *id,
	enum docs_upsert_result *res, struct svc_err *);
void	 docs_changed(const struct svc *, int64_t id);	/* id 0: every document */

/* docs_extract: the commands (catalog spelling for a known cmdlet or alias, else as
 * written), functions defined, and modules (of the known cmdlets, and named to
 * Import-Module and the like) in the code blocks of content (fenced ``` or ~~~ blocks whose
 * language is empty, powershell, pwsh, ps or ps1; at most DOCS_CODE_MAX bytes of them), each
 * a JSON array (caller puts) of at most DOCS_EXTRACT_MAX names, in order of appearance,
 * once each (ignoring case). */
void	 docs_extract(const char *content, size_t len, struct json_object **commands,
	struct json_object **functions, struct json_object **modules);
/* docs_names: the lower-cased command names a document with this title and metadata
 * documents: a one-word title (a cmdlet, an about_ topic), a catalog cmdlet's aliases, and
 * metadata's "aliases" array. JSON array, caller puts. */
struct json_object *docs_names(const char *title, struct json_object *metadata);

/* Reads. */
enum pss_err docs_recent(const struct svc *, int64_t limit, int64_t offset,
	struct json_object **out, struct svc_err *);
enum pss_err docs_get(const struct svc *, int64_t id, struct json_object **out);
enum pss_err docs_sources(const struct svc *, struct json_object **out);
enum pss_err docs_tags(const struct svc *, int64_t limit, struct json_object **out, struct svc_err *);
enum pss_err docs_stats(const struct svc *, struct json_object **out);
enum pss_err docs_related(const struct svc *, int64_t id, struct json_object **out);
/* docs_find_command: the id of the document of the cmdlet, alias (resolved through the
 * catalog: gci is Get-ChildItem) or about topic named name; PSS_ENOTFOUND. */
enum pss_err docs_find_command(const struct svc *, const char *name, int64_t *id);
/* docs_versions: {versions: [{version, id (0 when that page is not stored), current}]}: the
 * versions metadata.versions of doc names, each with the id of its document (the URL with
 * ?view=powershell-<version>). */
enum pss_err docs_versions(const struct svc *, struct json_object *doc, struct json_object **out);
/* docs_scripts_using: {scripts: [{id, title}]}: at most limit scripts the viewer sees whose
 * stored analysis lists the command (or one of its aliases), newest first. */
enum pss_err docs_scripts_using(const struct svc *, const struct viewer *, const char *command,
	int64_t limit, struct json_object **out);

struct docs_search_in {
	const char	*query;		/* within the scripts' search bounds (library_search_check) */
	const char	*const *sources;
	size_t		 nsources;
	const char	*const *tags;
	size_t		 ntags;
	const char	*const *types;
	size_t		 ntypes;
	int64_t		 limit;		/* 0: DOCS_LIMIT_DEFAULT */
	int64_t		 offset;
	const char	*sort;		/* relevance (NULL), date, title */
};
/* docs_search: db_doc_search after checking in (fields query, limit, offset, sortBy,
 * sources, tags, contentTypes), each snippet made by docs_snippet_build; the exact names are the query itself when it is one word,
 * and every word of it that the catalog knows as a cmdlet or alias (with its cmdlet). */
enum pss_err docs_search(const struct svc *, const struct docs_search_in *, struct json_object **out,
	struct svc_err *);
/* docs_snippet: a search snippet made readable and short: ts_headline's text (hl, with
 * <mark>…</mark>) with every run of white space one space, the Markdown markup dropped
 * (fences and their language, backticks, headings of one or two words and other headings'
 * #s, a link's brackets and address, bold and emphasis runs, pipes, rules, bullets and
 * quotes at a line start), at most max bytes of text (the marks not counted),
 * cut at a word boundary (or a character's, when the last word boundary leaves less than
 * half) and ended with "…"; marks stay balanced. NOT escaped (esc_marked does that).
 * Caller frees. */
char	*docs_snippet(const char *hl, size_t max);
/* docs_snippet_build: a search hit's snippet from its text (the start of its content) and
 * the query's terms (English lexemes, space-separated, as to_tsvector gives them): the text
 * made one line (docs_snippet), each word that is a form of a term (the term and up to 4
 * more small letters; a stem's final i for a y) marked, at most max bytes of text from the start,
 * or, when the window of max bytes with the most distinct terms starts past max, from a few
 * words before it ("… " first); "…" when cut. NOT escaped. Caller frees. */
char	*docs_snippet_build(const char *text, const char *terms, size_t max);
/* docs_search_key: the cache key of that search ("docs:search:" and the first 32 hex digits
 * of the SHA-256 of its fields), caller frees. */
char	*docs_search_key(const struct docs_search_in *);

/* Deletes (admin; the caller checks who asks). */
enum pss_err docs_delete(const struct svc *, int64_t id);
enum pss_err docs_delete_source(const struct svc *, const char *source, int64_t *n, struct svc_err *);

/* ---- docs_import.c: a folder laid out like MicrosoftDocs/PowerShell-Docs ---- */

/* One reference page: the front matter (title, Module Name, online version, ms.date,
 * aliases, description) and the Markdown's SYNOPSIS (or "Short description") paragraph and
 * PARAMETERS headings. Every string owned: docs_page_free. */
struct docs_page {
	char		*title;		/* front matter, else the first "# " heading; may be NULL */
	char		*module;
	char		*online_url;
	char		*date;		/* YYYY-MM-DD from ms.date, or NULL */
	char		*synopsis;
	char		*body;		/* the Markdown after the front matter, LF line ends */
	char		**aliases;
	size_t		 naliases;
	char		**params;	/* without the dash */
	size_t		 nparams;
};
/* docs_page_parse: never fails; bounded by the input (at most 500 aliases and parameters). */
void	 docs_page_parse(const char *src, size_t len, struct docs_page *);
void	 docs_page_free(struct docs_page *);

struct docs_import_counts {
	size_t		 total;			/* pages found */
	size_t		 done;
	size_t		 n[DOCS_UPSERT__MAX];	/* inserted, updated, unchanged */
	size_t		 failed;
	char		 first_failure[512];
};
/* docs_import_dir: every page of dir (or dir/reference): <version>/<Module>/<Name>.md (a
 * cmdlet, or the module's own page: an article) and <version>/<Module>/About/about_*.md (an
 * about topic), one document per page and version, stored by docs_store under source with
 * the canonical learn.microsoft.com URL (?view=powershell-<version>), the synopsis as
 * summary, the module as category, tags [powershell-<version>, type, module], metadata
 * {version, versions, module, file, aliases, parameters} and ms.date as lastUpdated. A page
 * that does not validate counts as failed and the import goes on; progress (may be NULL) is
 * called after each page. The cache is dropped once at the end when something changed.
 * PSS_ENOTFOUND with why when dir is no such folder; PSS_EUNAVAIL / PSS_EINTERNAL when the
 * database failed (why names the page). */
enum pss_err docs_import_dir(const struct svc *, const char *dir, const char *source,
	void (*progress)(void *, const struct docs_import_counts *), void *arg,
	struct docs_import_counts *, char *why, size_t whysz);

#endif
