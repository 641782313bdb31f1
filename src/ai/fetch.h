/* fetch.h: the crawler's fetcher (libcurl): one GET of an http, https or file URL with the
 * crawler's limits: no proxy, no automatic redirects (the caller re-checks each hop), a
 * conditional GET, a size cap, a time cap, and no connection to a refused address (checked
 * on the address the socket actually connects to, so DNS rebinding cannot bypass it) */
#ifndef PSS_FETCH_H
#define PSS_FETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "ai/crawl_url.h"

struct fetch_opts {
	const char	*user_agent;
	struct crawl_allow allow;
	int64_t		 max_bytes;	/* body cap (after decompression) */
	int64_t		 timeout_ms;	/* the whole exchange */
	int64_t		 connect_timeout_ms;
	bool		 truncate;	/* over max_bytes: keep the first max_bytes (robots.txt) */
	bool		 any_type;	/* do not refuse unsupported content types early */
	const char	*file_root;	/* file URLs must resolve inside it; "" refuses them */
	/* tick: called about every 250 ms during a transfer; true aborts it (cancelled) */
	bool		(*tick)(void *);
	void		*tick_arg;
};

struct fetch_result {
	long	 status;	/* HTTP status; a file URL answers 200, 304 or 404 */
	char	*media_type;	/* lower case, no parameters; for files, from the extension */
	char	*charset;	/* the Content-Type's charset or NULL */
	char	*etag;		/* validators for the next conditional GET, or NULL */
	char	*last_modified;
	char	*location;	/* a redirect's absolute target (3xx), or NULL */
	bool	 listing;	/* a folder of a file crawl: body is a generated HTML list of links */
	bool	 truncated;	/* cut at max_bytes (only with opts->truncate) */
	bool	 cancelled;	/* tick said stop */
	struct buf body;
	char	 why[300];	/* when fetch_get fails: the reason, for the crawl's record */
};

/* fetch_get: one GET of url (normalised, see crawl_url_resolve). etag and last_modified
 * (may be NULL) make it conditional. 0 when an answer came (any status: the caller reads
 * r->status), -1 with r->why set when none did (refused address, timeout, too large,
 * unsupported type, connection failure, cancelled). fetch_result_free frees r either way. */
int	 fetch_get(const struct fetch_opts *, const char *url, const char *etag,
	const char *last_modified, struct fetch_result *r);
void	 fetch_result_free(struct fetch_result *);

/* fetch_global_init: curl_global_init once per process (before threads, if any). */
void	 fetch_global_init(void);

#endif
