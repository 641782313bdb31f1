/* crawl_url.h: the crawler's URL rules: resolution and normalisation of links, the scope of
 * a crawl, and which network addresses a crawl may connect to */
#ifndef PSS_CRAWL_URL_H
#define PSS_CRAWL_URL_H

#include <stdbool.h>
#include <stddef.h>

#define CRAWL_URL_MAX 2048	/* the documentation table's url column */

/* crawl_url_resolve: ref resolved against base (NULL: ref must be absolute) and normalised:
 * scheme and host in lower case, the default port and the fragment dropped, dot segments
 * removed, an empty path made "/". Only http, https and file URLs pass; a file URL must name
 * no host but localhost. Returns the URL (caller frees), or NULL with *why set to a static
 * phrase ("not a valid URL", "unsupported scheme \"ftp\"" is not static: see scheme). When
 * scheme is not NULL it receives the URL's scheme (up to 15 bytes) even when refused. */
char	*crawl_url_resolve(const char *base, const char *ref, char scheme[16], const char **why);

/* crawl_url_host: the host of a normalised URL (lower case, IPv6 without brackets) into out,
 * "" for a file URL. 0, or -1 when it does not fit or the URL is not valid. */
int	 crawl_url_host(const char *url, char *out, size_t outsz);

/* crawl_url_origin: scheme://host[:port] of a normalised http(s) URL into out (for robots.txt
 * and politeness). 0 or -1. */
int	 crawl_url_origin(const char *url, char *out, size_t outsz);

/* crawl_url_path: the path and query of a normalised URL (what robots.txt rules match), or
 * for a file URL the decoded file system path. Caller frees; NULL when not valid. */
char	*crawl_url_path(const char *url, bool decoded);

/* crawl_url_in_scope: whether url may be crawled in a crawl that started at start: another
 * scheme kind (file vs http) never; with same_host, http(s) URLs must name the start's host
 * (any port or scheme), and file URLs must lie in the start's folder. */
bool	 crawl_url_in_scope(const char *start, const char *url, bool same_host);

/* The kinds of network address, for the refusal rule. */
enum crawl_addr {
	CRAWL_ADDR_PUBLIC,
	CRAWL_ADDR_LOOPBACK,	/* 127/8, ::1 */
	CRAWL_ADDR_PRIVATE,	/* 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, fec0::/10 */
	CRAWL_ADDR_LINKLOCAL,	/* 169.254/16, fe80::/10 */
	CRAWL_ADDR_RESERVED,	/* 0/8, multicast, 240/4, ::, ff00::/8: never connected to */
	CRAWL_ADDR__MAX
};
extern const char *const crawl_addr_names[CRAWL_ADDR__MAX];

/* crawl_addr_classify: the kind of an IPv4 (4 bytes) or IPv6 (16 bytes) address; an IPv6
 * address that carries an IPv4 one (v4-mapped ::ffff:a.b.c.d, v4-compatible ::a.b.c.d,
 * NAT64 64:ff9b::/96, 6to4 2002::/16) is the kind of the IPv4 address it carries. */
enum crawl_addr crawl_addr_classify(const unsigned char *addr, size_t len);
/* crawl_addr_classify_str: the same for an address in text ("10.0.0.1", "::1", "[::1]");
 * CRAWL_ADDR__MAX when s is not an address literal. */
enum crawl_addr crawl_addr_classify_str(const char *s);

/* What a crawl may connect to: public addresses always, loopback with allow_loopback or
 * allow_private, private and link-local with allow_private, reserved never. */
struct crawl_allow {
	bool	 loopback;
	bool	 private_;
};
bool	 crawl_addr_allowed(enum crawl_addr, const struct crawl_allow *);

/* crawl_host_refused: for a host as written in a URL: the refused kind when it is an
 * address literal or a localhost name the rule refuses, else CRAWL_ADDR_PUBLIC (names are
 * checked again at connect time, on the address actually used). */
enum crawl_addr crawl_host_refused(const char *host, const struct crawl_allow *);

#endif
