/* crawls.h: documentation crawls: starting one (checked, then queued as a docs.crawl job),
 * their progress, cancelling, and running one (the job: ai/crawl.h's loop with its pages
 * stored through docs_upsert) */
#ifndef PSS_SERVICES_CRAWLS_H
#define PSS_SERVICES_CRAWLS_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "services/svc.h"

#define CRAWLS_JOB "docs.crawl"
#define CRAWLS_LIST_MAX 50	/* crawls a list shows */
#define CRAWLS_MAX_PAGES_DEFAULT 100
#define CRAWLS_DEPTH_DEFAULT 2

struct crawl_in {
	const char	*url;
	int64_t		 max_pages;	/* 1..CRAWL_MAX_PAGES */
	int64_t		 depth;		/* 0..CRAWL_MAX_DEPTH */
	bool		 same_host;
};

/* crawls_start: checks in (PSS_EINVAL naming url, maxPages or depth: a malformed URL, an
 * unsupported scheme, a refused address literal or localhost name, a file URL while
 * CRAWL_FILE_ROOT is empty, a number out of range) and queues the crawl and its job in one
 * transaction. *out: the crawl (caller puts). */
enum pss_err crawls_start(const struct svc *, int64_t user_id, const struct crawl_in *,
	struct json_object **out, struct svc_err *);
/* crawls_list: {crawls: [...]} newest first (at most CRAWLS_LIST_MAX). */
enum pss_err crawls_list(const struct svc *, struct json_object **out);
enum pss_err crawls_get(const struct svc *, int64_t id, struct json_object **out);
/* crawls_cancel: a queued crawl is cancelled at once (its job dropped), a running one stops
 * after the page it is on; PSS_ENOTFOUND; PSS_ECONFLICT when it had finished. *out: the
 * crawl after. */
enum pss_err crawls_cancel(const struct svc *, int64_t id, struct json_object **out,
	struct svc_err *);

/* crawls_run: the docs.crawl job of crawl id: crawls, storing each page (docs_upsert),
 * recording progress, reasons and validators, until done or cancelled. alive(arg) is asked
 * about once a second (the job's heartbeat): false stops the crawl and leaves it running for
 * the job's next attempt (PSS_EUNAVAIL). A crawl gone or cancelled before it started is
 * PSS_OK with nothing done. why gets a reason on failure. */
enum pss_err crawls_run(const struct svc *, int64_t id, bool (*alive)(void *), void *arg,
	char *why, size_t whysz);

#endif
