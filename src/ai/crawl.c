/* crawl.c: the crawl loop: frontier, scope, robots.txt, politeness, redirects, re-crawls */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/core.h"
#include "ai/crawl.h"
#include "ai/crawl_robots.h"
#include "ai/crawl_url.h"

struct site {			/* robots.txt, per origin */
	char	*origin;
	struct robots robots;
	char	*refused;	/* the origin's address is refused: why */
};

struct pace {			/* politeness, per host name */
	char	*host;
	int64_t	 next_ms;
	int64_t	 delay_ms;
};

struct item {
	char	*url;
	int	 depth;
};

struct crawler {
	const struct crawl_opts *o;
	const struct crawl_hooks *h;
	struct crawl_stats *st;
	struct fetch_opts fetch;
	struct site *sites;
	size_t	 nsites;
	struct pace *paces;
	size_t	 npaces;
	struct item *queue;
	size_t	 qhead, qlen, qcap;
	char   **seen;		/* open addressing set of URLs */
	size_t	 seen_cap, nseen, seen_max;
	bool	 stop;
};

void
crawl_memo_free(struct crawl_memo *m)
{
	free(m->etag);
	free(m->last_modified);
	for (size_t i = 0; i < m->nlinks; i++)
		free(m->links[i]);
	free(m->links);
	memset(m, 0, sizeof(*m));
}

/* ---- the set of URLs seen ---- */

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static bool seen_add(struct crawler *, const char *);

static void
seen_grow(struct crawler *c)
{
	char **old = c->seen;
	size_t n = c->seen_cap;

	c->seen_cap = n ? n * 2 : 1024;
	c->seen = xcalloc(c->seen_cap, sizeof(*c->seen));
	c->nseen = 0;
	for (size_t i = 0; i < n; i++)
		if (old[i] != NULL) {
			(void)seen_add(c, old[i]);
			free(old[i]);
		}
	free(old);
}

/* seen_add: false when url was there already. */
static bool
seen_add(struct crawler *c, const char *url)
{
	size_t i;

	if ((c->nseen + 1) * 2 > c->seen_cap)
		seen_grow(c);
	for (i = hash(url) & (c->seen_cap - 1); c->seen[i] != NULL; i = (i + 1) & (c->seen_cap - 1))
		if (strcmp(c->seen[i], url) == 0)
			return false;
	c->seen[i] = xstrdup(url);
	c->nseen++;
	return true;
}

static bool
seen_has(const struct crawler *c, const char *url)
{
	if (c->seen_cap == 0)
		return false;
	for (size_t i = hash(url) & (c->seen_cap - 1); c->seen[i] != NULL; i = (i + 1) & (c->seen_cap - 1))
		if (strcmp(c->seen[i], url) == 0)
			return true;
	return false;
}

/* enqueue: url (normalised) at depth, when in scope, new, and the frontier has room. */
static void
enqueue(struct crawler *c, const char *url, int depth)
{
	if (depth > c->o->depth || !crawl_url_in_scope(c->o->start_url, url, c->o->same_host) ||
	    c->nseen >= c->seen_max || seen_has(c, url))
		return;
	(void)seen_add(c, url);
	if (c->qlen == c->qcap) {
		c->qcap = c->qcap ? c->qcap * 2 : 64;
		c->queue = xrealloc(c->queue, c->qcap * sizeof(*c->queue));
	}
	c->queue[c->qlen].url = xstrdup(url);
	c->queue[c->qlen++].depth = depth;
}

/* ---- hooks ---- */

static bool
ticked(void *arg)
{
	struct crawler *c = arg;

	if (!c->stop && c->h->tick != NULL && c->h->tick(c->h->arg)) {
		c->stop = true;
		c->st->cancelled = true;
	}
	return c->stop;
}

static void
skip(struct crawler *c, const char *url, const char *fmt, ...) PSS_PRINTF(3, 4);

static void
skip(struct crawler *c, const char *url, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	c->st->skipped++;
	if (c->h->note != NULL)
		c->h->note(c->h->arg, url, why, true);
}

static void
note(struct crawler *c, const char *url, const char *why)
{
	if (c->h->note != NULL)
		c->h->note(c->h->arg, url, why, false);
}

/* ---- politeness ---- */

static struct pace *
pace_of(struct crawler *c, const char *url)
{
	char host[256];

	if (crawl_url_host(url, host, sizeof(host)) != 0)
		host[0] = '\0';
	for (size_t i = 0; i < c->npaces; i++)
		if (strcmp(c->paces[i].host, host) == 0)
			return &c->paces[i];
	if (c->npaces % 16 == 0)
		c->paces = xrealloc(c->paces, (c->npaces + 16) * sizeof(*c->paces));
	c->paces[c->npaces] = (struct pace){ xstrdup(host), 0, c->o->delay_ms };
	return &c->paces[c->npaces++];
}

/* wait_turn: sleeps until the host of url may be asked again (ticking); false when stopped. */
static bool
wait_turn(struct crawler *c, const char *url)
{
	struct pace *p;
	int64_t now;

	if (strncmp(url, "file:", 5) == 0)
		return !ticked(c);
	p = pace_of(c, url);
	while ((now = time_mono_ms()) < p->next_ms) {
		if (ticked(c))
			return false;
		time_sleep_ms(p->next_ms - now < 100 ? p->next_ms - now : 100);
	}
	return !ticked(c);
}

static void
asked(struct crawler *c, const char *url)
{
	struct pace *p;

	if (strncmp(url, "file:", 5) == 0)
		return;
	p = pace_of(c, url);
	p->next_ms = time_mono_ms() + p->delay_ms;
}

/* ---- robots.txt ---- */

static struct site *
site_of(struct crawler *c, const char *url)
{
	char origin[600], robots_url[640];
	struct fetch_opts fo = c->fetch;
	struct fetch_result r;
	struct site *s;

	if (crawl_url_origin(url, origin, sizeof(origin)) != 0)
		return NULL;
	for (size_t i = 0; i < c->nsites; i++)
		if (strcmp(c->sites[i].origin, origin) == 0)
			return &c->sites[i];
	if (c->nsites % 16 == 0)
		c->sites = xrealloc(c->sites, (c->nsites + 16) * sizeof(*c->sites));
	s = &c->sites[c->nsites++];
	memset(s, 0, sizeof(*s));
	s->origin = xstrdup(origin);
	snprintf(robots_url, sizeof(robots_url), "%s/robots.txt", origin);
	if (!wait_turn(c, robots_url))
		return s;
	fo.truncate = true;
	fo.any_type = true;
	fo.max_bytes = ROBOTS_MAX_BYTES;
	if (fetch_get(&fo, robots_url, NULL, NULL, &r) != 0) {
		if (strncmp(r.why, "refused address", 15) == 0)
			s->refused = xstrdup(r.why);	/* said of each page, not of robots.txt */
		else if (!r.cancelled) {
			char why[600];

			s->robots.disallow_all = true;
			snprintf(why, sizeof(why), "robots.txt could not be read (%.250s): nothing on %.200s is crawled",
			    r.why, origin);
			note(c, robots_url, why);
		}
	} else if (r.status == 200) {
		robots_parse(&s->robots, r.body.data ? r.body.data : "", r.body.len, CRAWL_AGENT);
		if (r.truncated)
			note(c, robots_url, "robots.txt is larger than 512 KB: only its first 512 KB were read");
		if (s->robots.crawl_delay_ms > c->o->delay_ms)
			pace_of(c, url)->delay_ms = s->robots.crawl_delay_ms;
	} else if (r.status >= 500) {
		char why[200];

		s->robots.disallow_all = true;
		snprintf(why, sizeof(why), "robots.txt answered HTTP %ld: nothing on this host is crawled", r.status);
		note(c, robots_url, why);
	}
	/* 3xx and 4xx: no robots.txt, everything allowed (RFC 9309, 2.3.1) */
	asked(c, robots_url);
	fetch_result_free(&r);
	return s;
}

/* robots_refusal: NULL when url may be fetched, else why not. */
static const char *
robots_refusal(struct crawler *c, const char *url)
{
	struct site *s;
	char *path;
	bool ok;

	if (strncmp(url, "file:", 5) == 0)
		return NULL;
	if ((s = site_of(c, url)) == NULL || (path = crawl_url_path(url, false)) == NULL)
		return "not a valid URL";
	if (s->refused != NULL)
		return s->refused;
	ok = robots_allowed(&s->robots, path);
	free(path);
	return ok ? NULL : "disallowed by robots.txt";
}

/* ---- one page ---- */

/* follow: the links of a page (resolved already) into the frontier and, when memo is not
 * NULL, into what is remembered of the page. */
static void
follow_resolved(struct crawler *c, char **links, size_t n, int depth)
{
	for (size_t i = 0; i < n; i++)
		enqueue(c, links[i], depth + 1);
}

static void
resolve_links(struct crawler *c, const char *url, const struct crawl_doc *doc, struct crawl_memo *m)
{
	const char *why;
	char *base = NULL;

	if (doc->base != NULL)
		base = crawl_url_resolve(url, doc->base, NULL, &why);
	for (size_t i = 0; i < doc->nlinks; i++) {
		char *u = crawl_url_resolve(base ? base : url, doc->links[i], NULL, &why);

		if (u == NULL)
			continue;	/* mailto:, javascript:, malformed: not links to crawl */
		if (!crawl_url_in_scope(c->o->start_url, u, c->o->same_host) || m->nlinks >= CRAWL_MAX_LINKS) {
			free(u);
			continue;
		}
		if (m->nlinks % 64 == 0)
			m->links = xrealloc(m->links, (m->nlinks + 64) * sizeof(*m->links));
		m->links[m->nlinks++] = u;
	}
	free(base);
}

static void
take_page(struct crawler *c, const char *url, int depth, struct fetch_result *r, bool listing)
{
	struct crawl_doc doc;
	struct crawl_memo m = { 0 };
	struct crawl_page p;
	const char *why;
	char swhy[300] = "";
	enum crawl_type t = r->media_type ? crawl_type_of(r->media_type) : CRAWL_TYPE__MAX;

	if (t == CRAWL_TYPE__MAX) {
		skip(c, url, "unsupported content type %.100s", r->media_type ? r->media_type : "(none)");
		return;
	}
	if (crawl_extract(t, r->body.data ? r->body.data : "", r->body.len, r->charset, &doc, &why) != 0) {
		skip(c, url, "%s", why);
		crawl_doc_free(&doc);
		return;
	}
	resolve_links(c, url, &doc, &m);
	if (depth < c->o->depth)
		follow_resolved(c, m.links, m.nlinks, depth);
	if (listing) {	/* a folder of a file crawl: its links only */
		crawl_doc_free(&doc);
		crawl_memo_free(&m);
		return;
	}
	p = (struct crawl_page){ url, doc.title, buf_cstr(&doc.text), doc.text.len, t, depth };
	switch (c->h->store(c->h->arg, &p, swhy, sizeof(swhy))) {
	case CRAWL_STORED:
		c->st->stored++;
		break;
	case CRAWL_SAME:
		c->st->unchanged++;
		break;
	default:
		skip(c, url, "not stored: %s", swhy[0] ? swhy : "error");
		crawl_doc_free(&doc);
		crawl_memo_free(&m);
		return;
	}
	m.etag = r->etag;
	m.last_modified = r->last_modified;
	r->etag = r->last_modified = NULL;
	if (c->h->remember != NULL)
		c->h->remember(c->h->arg, url, &m);
	crawl_doc_free(&doc);
	crawl_memo_free(&m);
}

static void
recall(struct crawler *c, const char *url, struct crawl_memo *m)
{
	memset(m, 0, sizeof(*m));
	if (c->h->recall != NULL)
		c->h->recall(c->h->arg, url, m);
}

static void
crawl_one(struct crawler *c, const struct item *it)
{
	char *cur = xstrdup(it->url), *chain[CRAWL_MAX_REDIRECTS + 1];
	size_t nchain = 0;
	struct crawl_memo m;
	struct fetch_result r;
	const char *why;

	recall(c, cur, &m);
	for (int hops = 0;; hops++) {
		const char *refusal;
		char *next;

		if ((refusal = robots_refusal(c, cur)) != NULL) {
			if (!c->stop)
				skip(c, hops ? it->url : cur, "%s", refusal);
			break;
		}
		if (!wait_turn(c, cur))
			break;
		if (hops == 0)
			c->st->fetched++;
		if (fetch_get(&c->fetch, cur, m.etag, m.last_modified, &r) != 0) {
			asked(c, cur);
			if (!r.cancelled)
				skip(c, cur, "%s", r.why);
			fetch_result_free(&r);
			break;
		}
		asked(c, cur);
		if (r.status == 304 && (m.etag != NULL || m.last_modified != NULL)) {
			c->st->unchanged++;
			if (it->depth < c->o->depth)
				follow_resolved(c, m.links, m.nlinks, it->depth);
			fetch_result_free(&r);
			break;
		}
		if (r.status >= 300 && r.status < 400 && r.location != NULL) {
			next = crawl_url_resolve(cur, r.location, NULL, &why);
			fetch_result_free(&r);
			if (next == NULL) {
				skip(c, it->url, "redirect to an invalid URL (%s)", why);
				break;
			}
			chain[nchain++] = cur;
			cur = next;
			for (size_t i = 0; i < nchain; i++)
				if (strcmp(chain[i], cur) == 0) {
					skip(c, it->url, "redirect loop (back to %.300s)", cur);
					goto done;
				}
			if (hops + 1 > CRAWL_MAX_REDIRECTS) {
				skip(c, it->url, "more than %d redirects", CRAWL_MAX_REDIRECTS);
				break;
			}
			if (!crawl_url_in_scope(c->o->start_url, cur, c->o->same_host)) {
				skip(c, it->url, "redirects out of the crawl's scope, to %.300s", cur);
				break;
			}
			if (seen_has(c, cur)) {
				skip(c, it->url, "redirects to %.300s, which this crawl takes on its own", cur);
				break;
			}
			(void)seen_add(c, cur);
			crawl_memo_free(&m);
			recall(c, cur, &m);
			continue;
		}
		if (r.status != 200)
			skip(c, cur, "HTTP %ld", r.status);
		else
			take_page(c, cur, it->depth, &r, r.listing);
		fetch_result_free(&r);
		break;
	}
done:
	for (size_t i = 0; i < nchain; i++)
		free(chain[i]);
	free(cur);
	crawl_memo_free(&m);
}

/* start_url: a file crawl of a folder named without its final slash gets one, so that its
 * scope is the folder, not its parent. */
static char *
start_url(const char *url)
{
	struct stat st;
	char *path, *out;

	if (strncmp(url, "file:", 5) != 0 || url[strlen(url) - 1] == '/')
		return xstrdup(url);
	path = crawl_url_path(url, true);
	if (path == NULL || stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		free(path);
		return xstrdup(url);
	}
	free(path);
	out = xmalloc(strlen(url) + 2);
	sprintf(out, "%s/", url);
	return out;
}

void
crawl_run(const struct crawl_opts *o, const struct crawl_hooks *h, struct crawl_stats *st)
{
	struct crawl_opts opts = *o;
	struct crawler c = { .o = &opts, .h = h, .st = st };
	char *start = start_url(o->start_url);

	memset(st, 0, sizeof(*st));
	opts.start_url = start;
	c.fetch = o->fetch;
	c.fetch.tick = ticked;
	c.fetch.tick_arg = &c;
	c.seen_max = (size_t)o->max_pages * 20 + 1000;
	enqueue(&c, start, 0);
	while (c.qhead < c.qlen && !c.stop && st->fetched < o->max_pages) {
		crawl_one(&c, &c.queue[c.qhead++]);
		if (h->progress != NULL)
			h->progress(h->arg, st);
	}
	if (h->progress != NULL)
		h->progress(h->arg, st);
	for (size_t i = 0; i < c.qlen; i++)
		free(c.queue[i].url);
	free(c.queue);
	for (size_t i = 0; i < c.seen_cap; i++)
		free(c.seen[i]);
	free(c.seen);
	for (size_t i = 0; i < c.nsites; i++) {
		free(c.sites[i].origin);
		free(c.sites[i].refused);
		robots_free(&c.sites[i].robots);
	}
	free(c.sites);
	for (size_t i = 0; i < c.npaces; i++)
		free(c.paces[i].host);
	free(c.paces);
	free(start);
}
