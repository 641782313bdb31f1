/* router.c: method + pattern matching with :params, 404 and 405 with Allow, one canonical
 * form per path */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"

/* Match one pattern against a path; on success fill the params. Literal segments are
 * compared byte by byte as both strings are walked, so most patterns fail within the first
 * few bytes; the params are copied only once the whole pattern matched. */
static bool
pattern_match(const char *pat, const char *path, struct request *r)
{
	const char *name[HTTP_MAX_PARAMS], *val[HTTP_MAX_PARAMS];
	size_t nlen[HTTP_MAX_PARAMS], vlen[HTTP_MAX_PARAMS], np = 0;

	while (*pat == '/' && *path == '/') {
		pat++, path++;
		if (*pat == ':') {
			const char *pe = pat + strcspn(pat, "/"), *se = path + strcspn(path, "/");

			if (se == path || np == HTTP_MAX_PARAMS)
				return false;
			name[np] = pat + 1, nlen[np] = (size_t)(pe - pat - 1);
			val[np] = path, vlen[np] = (size_t)(se - path);
			np++;
			pat = pe, path = se;
			continue;
		}
		while (*pat != '/' && *pat != '\0' && *pat == *path)
			pat++, path++;
		if ((*pat != '/' && *pat != '\0') || *path != *pat)
			return false;
	}
	if (*pat != '\0' || *path != '\0')
		return false;
	for (size_t i = 0; i < np; i++) {
		r->param_names[i] = arena_strndup(r->arena, name[i], nlen[i]);
		r->param_values[i] = arena_strndup(r->arena, val[i], vlen[i]);
	}
	r->nparams = np;
	return true;
}

bool
http_path_canonical(const struct request *r)
{
	const char *p = r->path, *raw = r->raw_path;

	if (p == NULL || p[0] != '/')
		return false;
	if (p[1] == '\0')
		return true;
	for (const char *seg = p + 1;; ) {
		size_t n = strcspn(seg, "/");

		/* an empty segment is "//" or a trailing slash */
		if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		if (seg[n] == '\0')
			break;
		seg += n + 1;
	}
	for (; raw != NULL && (raw = strchr(raw, '%')) != NULL; raw++)
		if (strncasecmp(raw, "%2f", 3) == 0)
			return false;
	return true;
}

/* The index of a route table: the routes that can match a path, found by the path's first
 * two segments instead of trying every pattern (a cached read's routing was 4,700 of its
 * instructions). A pattern's key is its first two segments ("api/scripts"; "login" for a
 * pattern of one segment, "" for "/"); with a :param as its second segment it is filed under
 * "scripts/:", which a path of two or more segments also looks up; with one as its first,
 * under ":", which every path looks up. Each list keeps the table's order, and a lookup
 * merges its lists, so the first route of the table that matches still wins. */
#define RINDEX_SLOTS	512	/* a power of two, well above the keys of a table */

struct rindex_slot {
	char		*key;		/* NULL: empty */
	size_t		*idx;		/* the routes' indices, ascending */
	size_t		 n, cap;
};

struct rindex {
	const struct route *routes;
	size_t		 nroutes;
	struct rindex_slot slot[RINDEX_SLOTS];
};

/* the slot of key (k, n): its own, or the empty one where it would go; NULL when full */
static struct rindex_slot *
rindex_slot(struct rindex *x, const char *k, size_t n)
{
	uint64_t h = hash_fnv1a(HASH_FNV1A_INIT, k, n);

	for (size_t i = 0; i < RINDEX_SLOTS; i++) {
		struct rindex_slot *sl = &x->slot[(h + i) & (RINDEX_SLOTS - 1)];

		if (sl->key == NULL || (strncmp(sl->key, k, n) == 0 && sl->key[n] == '\0'))
			return sl;
	}
	return NULL;
}

/* the key of a pattern or a path: its first two segments, with the second (or the first)
 * cut to ":" when it is a param; returns the key's length in k (at most ksz - 1) */
static size_t
route_key(const char *p, bool pattern, char *k, size_t ksz)
{
	const char *s1 = p + 1, *e1 = s1 + strcspn(s1, "/"), *end = e1;

	if (pattern && *s1 == ':')
		end = s1 + 1;
	else if (*e1 == '/') {
		const char *s2 = e1 + 1;

		end = pattern && *s2 == ':' ? s2 + 1 : s2 + strcspn(s2, "/");
	}
	if ((size_t)(end - s1) >= ksz)
		end = s1 + ksz - 1;
	memcpy(k, s1, (size_t)(end - s1));
	k[end - s1] = '\0';
	return (size_t)(end - s1);
}

static void
rindex_free(struct rindex *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < RINDEX_SLOTS; i++) {
		free(x->slot[i].key);
		free(x->slot[i].idx);
	}
	free(x);
}

/* the index of a table, built at its first use and kept (one table at a time) */
static struct rindex *
rindex_get(const struct route *routes, size_t n)
{
	static struct rindex *x;
	char k[256];

	if (x != NULL && x->routes == routes && x->nroutes == n)
		return x;
	rindex_free(x);
	x = xcalloc(1, sizeof(*x));
	x->routes = routes;
	x->nroutes = n;
	for (size_t i = 0; i < n; i++) {
		size_t kn = route_key(routes[i].pattern, true, k, sizeof(k));
		struct rindex_slot *sl = rindex_slot(x, k, kn);

		if (sl == NULL)
			pss_die("router: more than %d route keys", RINDEX_SLOTS);
		if (sl->key == NULL)
			sl->key = xstrndup(k, kn);
		if (sl->n == sl->cap) {
			sl->cap = sl->cap ? sl->cap * 2 : 8;
			sl->idx = xrealloc(sl->idx, sl->cap * sizeof(*sl->idx));
		}
		sl->idx[sl->n++] = i;
	}
	return x;
}

/* the lists of routes a path can match: at most three (its key, "first/:" and ":") */
struct rcand {
	const struct rindex_slot *l[3];
	size_t	 pos[3], nl;
};

static void
rcand_init(struct rcand *c, struct rindex *x, const char *path)
{
	char k[256];
	size_t kn = route_key(path, false, k, sizeof(k)), n1 = strcspn(path + 1, "/");
	const struct rindex_slot *sl;

	memset(c, 0, sizeof(*c));
	if ((sl = rindex_slot(x, k, kn)) != NULL && sl->key != NULL)
		c->l[c->nl++] = sl;
	if (path[1 + n1] == '/' && n1 + 2 < sizeof(k)) {
		memcpy(k, path + 1, n1);
		memcpy(k + n1, "/:", 3);
		if ((sl = rindex_slot(x, k, n1 + 2)) != NULL && sl->key != NULL)
			c->l[c->nl++] = sl;
	}
	if ((sl = rindex_slot(x, ":", 1)) != NULL && sl->key != NULL)
		c->l[c->nl++] = sl;
}

/* the next candidate in the table's order, or false when none is left */
static bool
rcand_next(struct rcand *c, size_t *i)
{
	size_t best = 0;
	bool any = false;

	for (size_t j = 0; j < c->nl; j++)
		if (c->pos[j] < c->l[j]->n && (!any || c->l[j]->idx[c->pos[j]] < c->l[best]->idx[c->pos[best]])) {
			best = j;
			any = true;
		}
	if (!any)
		return false;
	*i = c->l[best]->idx[c->pos[best]++];
	return true;
}

const struct route *
router_match(const struct route *routes, size_t n, struct request *r, int *status,
    char *allow, size_t allowsz)
{
	bool seen[HTTP_METHOD__MAX] = { false }, any = false;
	enum http_method want = r->method == HTTP_HEAD ? HTTP_GET : r->method;
	struct rindex *x;
	struct rcand c;
	size_t off = 0, i;

	if (!http_path_canonical(r)) {
		r->nparams = 0;
		*status = 404;
		return NULL;
	}
	x = rindex_get(routes, n);
	/* The first route of this method whose pattern matches; only when there is none are
	 * the other methods' patterns tried, for 405's Allow. */
	rcand_init(&c, x, r->path);
	while (rcand_next(&c, &i))
		if (routes[i].method == want && pattern_match(routes[i].pattern, r->path, r)) {
			*status = 0;
			return &routes[i];
		}
	rcand_init(&c, x, r->path);
	while (rcand_next(&c, &i))
		if (routes[i].method != want && pattern_match(routes[i].pattern, r->path, r)) {
			seen[routes[i].method] = true;
			any = true;
		}
	r->nparams = 0;
	if (!any) {
		*status = 404;
		return NULL;
	}
	*status = 405;
	if (allowsz > 0)
		allow[0] = '\0';
	if (seen[HTTP_GET])
		seen[HTTP_HEAD] = true;
	for (size_t m = 0; m < HTTP_METHOD__MAX; m++) {
		int w;

		if (!seen[m])
			continue;
		w = snprintf(allow + off, allowsz - off, "%s%s", off ? ", " : "", http_methods[m]);
		if (w < 0 || (size_t)w >= allowsz - off)
			break;
		off += (size_t)w;
	}
	return NULL;
}
