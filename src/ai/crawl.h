/* crawl.h: the documentation crawler: a bounded breadth-first walk from a start URL, polite
 * (robots.txt, a delay per host), re-crawls by conditional GET; what to do with each page is
 * the caller's (struct crawl_hooks), so storing stays in the services layer */
#ifndef PSS_CRAWL_H
#define PSS_CRAWL_H

#include <stdbool.h>
#include <stdint.h>

#include "ai/crawl_html.h"
#include "ai/fetch.h"

#define CRAWL_AGENT "PSScript-Crawler"	/* robots.txt product token */
#define CRAWL_MAX_REDIRECTS 5
#define CRAWL_MAX_PAGES 1000
#define CRAWL_MAX_DEPTH 10

struct crawl_opts {
	const char	*start_url;	/* normalised (crawl_url_resolve) */
	int		 max_pages;	/* pages requested, 1..CRAWL_MAX_PAGES */
	int		 depth;		/* link hops from the start page, 0..CRAWL_MAX_DEPTH */
	bool		 same_host;
	int64_t		 delay_ms;	/* between two requests to one host (robots' Crawl-delay
					 * raises it for that host, up to 30 s) */
	struct fetch_opts fetch;	/* its tick is set by crawl_run */
};

/* What is remembered of a page from one crawl to the next. */
struct crawl_memo {
	char	*etag;
	char	*last_modified;
	char   **links;		/* the page's links (resolved), followed when it answers 304 */
	size_t	 nlinks;
};
void	 crawl_memo_free(struct crawl_memo *);

/* One fetched page, for the store hook. */
struct crawl_page {
	const char	*url;		/* after redirects */
	const char	*title;
	const char	*text;
	size_t		 len;
	enum crawl_type	 type;
	int		 depth;
};

enum crawl_store { CRAWL_STORED, CRAWL_SAME, CRAWL_STORE_FAILED };

struct crawl_stats {
	int	 fetched;	/* pages requested (redirect hops and robots.txt not counted) */
	int	 stored;	/* new or changed */
	int	 unchanged;	/* 304, or the same content */
	int	 skipped;	/* with a reason each (the skip hook) */
	bool	 cancelled;
};

struct crawl_hooks {
	void	*arg;
	/* recall: what the last crawl remembered of url (all NULL when nothing); the crawler
	 * frees it (crawl_memo_free). */
	void	(*recall)(void *, const char *url, struct crawl_memo *);
	/* remember: after a 200, the validators and links of url for the next crawl. */
	void	(*remember)(void *, const char *url, const struct crawl_memo *);
	/* store: keeps the page; CRAWL_STORE_FAILED with why filled. */
	enum crawl_store (*store)(void *, const struct crawl_page *, char *why, size_t whysz);
	/* note: url was skipped for reason (counted when page is true; a note about robots.txt
	 * or the crawl is not). */
	void	(*note)(void *, const char *url, const char *reason, bool page);
	/* progress: the counts so far, after each page. */
	void	(*progress)(void *, const struct crawl_stats *);
	/* tick: often (between pages, while waiting, during transfers): true stops the crawl
	 * (cancelled). Also the place for the job's heartbeat. */
	bool	(*tick)(void *);
};

/* crawl_run: crawls from opts->start_url until the frontier is empty, max_pages were
 * requested, or tick says stop; fills stats. Pages that fail are noted and skipped; nothing
 * is ever deleted. */
void	 crawl_run(const struct crawl_opts *, const struct crawl_hooks *, struct crawl_stats *);

#endif
