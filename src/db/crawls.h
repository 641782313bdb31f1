/* crawls.h: the crawls and crawl_pages tables (migration 0024): documentation crawls with
 * their progress and skip reasons, and what each crawled URL answered last */
#ifndef PSS_DB_CRAWLS_H
#define PSS_DB_CRAWLS_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "db/db.h"

#define DB_CRAWL_REASONS_MAX 200	/* reasons kept per crawl; more are counted only */

/* What a crawl was asked to do (db_crawl_begin). */
struct db_crawl {
	char	*start_url;
	int64_t	 max_pages;
	int64_t	 depth;
	bool	 same_host;
};

/* db_crawl_insert: a queued crawl; *id its id. */
enum pss_err db_crawl_insert(struct db *, int64_t user_id, const char *url, int64_t max_pages,
	int64_t depth, bool same_host, int64_t *id);
enum pss_err db_crawl_set_job(struct db *, int64_t id, int64_t job_id);
/* db_crawl_list: {crawls: [...]}, newest first, at most limit. db_crawl_get: one crawl
 * (PSS_ENOTFOUND). The API's shape: id, jobId, url, maxPages, depth, sameHost, status,
 * cancelRequested, pagesFetched, pagesStored, pagesUnchanged, pagesSkipped, reasons [{url,
 * reason}], reasonsDropped, message, createdBy, createdAt, startedAt, finishedAt. */
enum pss_err db_crawl_list(struct db *, int64_t limit, struct json_object **out);
enum pss_err db_crawl_get(struct db *, int64_t id, struct json_object **out);
/* db_crawl_cancel: asks a queued or running crawl to stop (a queued one is cancelled at
 * once); PSS_ENOTFOUND when there is no such crawl, PSS_ECONFLICT when it has finished.
 * *status is the crawl's status after (static). */
enum pss_err db_crawl_cancel(struct db *, int64_t id, const char **status);
/* db_crawl_begin: marks a queued (or, after a dead runner, running) crawl running and fills
 * c (db_crawl_free); PSS_ENOTFOUND when it is gone, finished or cancelled. */
enum pss_err db_crawl_begin(struct db *, int64_t id, struct db_crawl *c);
void	 db_crawl_free(struct db_crawl *);
/* db_crawl_progress: the counts; *cancel is whether an admin asked it to stop. */
enum pss_err db_crawl_progress(struct db *, int64_t id, int64_t fetched, int64_t stored,
	int64_t unchanged, int64_t skipped, bool *cancel);
/* db_crawl_reason: adds {url, reason} (kept while fewer than DB_CRAWL_REASONS_MAX). */
enum pss_err db_crawl_reason(struct db *, int64_t id, const char *url, const char *reason);
/* db_crawl_finish: status done, failed or cancelled, with a message (may be NULL). */
enum pss_err db_crawl_finish(struct db *, int64_t id, const char *status, const char *message);

/* db_crawl_page_get: what url answered last, when a document of that URL still exists:
 * *etag, *last_modified (NULL when none) and *links (JSON array text), each for the caller
 * to free; PSS_ENOTFOUND when nothing is remembered. */
enum pss_err db_crawl_page_get(struct db *, const char *url, char **etag, char **last_modified,
	char **links);
/* db_crawl_page_put: remembers url's validators (may be NULL) and links (JSON array text). */
enum pss_err db_crawl_page_put(struct db *, const char *url, const char *etag,
	const char *last_modified, const char *links);

#endif
