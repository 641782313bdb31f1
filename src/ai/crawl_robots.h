/* crawl_robots.h: robots.txt (RFC 9309): the parser, a pure function on the file's bytes, and
 * the rule match */
#ifndef PSS_CRAWL_ROBOTS_H
#define PSS_CRAWL_ROBOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROBOTS_MAX_BYTES (512 * 1024)	/* read at most this much (RFC 9309 asks for 500 KiB) */
#define ROBOTS_MAX_RULES 4096
#define ROBOTS_MAX_DELAY_MS 30000	/* a Crawl-delay above this is taken as this */

struct robots_rule {
	char	*pattern;	/* as written: * is any run, a final $ anchors the end */
	bool	 allow;
};

struct robots {
	struct robots_rule *rules;
	size_t	 nrules;
	bool	 disallow_all;	/* unreachable robots.txt: nothing may be fetched */
	int64_t	 crawl_delay_ms;	/* 0 when none */
};

/* robots_parse: the rules of the group for agent (the product token, matched without case;
 * "*" groups when no group names it) from text (len bytes, need not end in a newline; a
 * last line cut in the middle is ignored). Fills r (robots_free frees). */
void	 robots_parse(struct robots *r, const char *text, size_t len, const char *agent);
/* robots_allowed: whether path (path and query, starting with /) may be fetched: the
 * longest matching rule wins, allow on a tie; no match allows. */
bool	 robots_allowed(const struct robots *, const char *path);
void	 robots_free(struct robots *);

#endif
