/* router.c: method + pattern matching with :params, 404 and 405 with Allow, one canonical
 * form per path */
#include "config.h"

#include <stdio.h>
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

const struct route *
router_match(const struct route *routes, size_t n, struct request *r, int *status,
    char *allow, size_t allowsz)
{
	bool seen[HTTP_METHOD__MAX] = { false }, any = false;
	enum http_method want = r->method == HTTP_HEAD ? HTTP_GET : r->method;
	size_t off = 0;

	if (!http_path_canonical(r)) {
		r->nparams = 0;
		*status = 404;
		return NULL;
	}
	/* The first route of this method whose pattern matches; only when there is none are
	 * the other methods' patterns tried, for 405's Allow. */
	for (size_t i = 0; i < n; i++)
		if (routes[i].method == want && pattern_match(routes[i].pattern, r->path, r)) {
			*status = 0;
			return &routes[i];
		}
	for (size_t i = 0; i < n; i++)
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
