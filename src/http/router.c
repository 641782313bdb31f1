/* router.c: method + pattern matching with :params, 404 and 405 with Allow */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "http/http.h"

/* Match one pattern against a path; on success fill the params. */
static bool
pattern_match(const char *pat, const char *path, struct request *r)
{
	size_t np = 0;

	if (*pat != '/' || *path != '/')
		return false;
	while (*pat == '/' && *path == '/') {
		const char *pe, *se;

		pat++, path++;
		pe = pat + strcspn(pat, "/");
		se = path + strcspn(path, "/");
		if (*pat == ':') {
			if (se == path || np == HTTP_MAX_PARAMS)
				return false;
			r->param_names[np] = arena_strndup(r->arena, pat + 1, (size_t)(pe - pat - 1));
			r->param_values[np] = arena_strndup(r->arena, path, (size_t)(se - path));
			np++;
		} else if ((size_t)(pe - pat) != (size_t)(se - path) ||
		    strncmp(pat, path, (size_t)(pe - pat)) != 0)
			return false;
		pat = pe, path = se;
	}
	/* A trailing slash on the path is tolerated ("/api/" matches "/api"). */
	if (*pat == '\0' && path[0] == '/' && path[1] == '\0')
		path++;
	if (*pat != '\0' || *path != '\0')
		return false;
	r->nparams = np;
	return true;
}

const struct route *
router_match(const struct route *routes, size_t n, struct request *r, int *status,
    char *allow, size_t allowsz)
{
	bool seen[HTTP_METHOD__MAX] = { false }, any = false;
	enum http_method want = r->method == HTTP_HEAD ? HTTP_GET : r->method;
	size_t off = 0;

	for (size_t i = 0; i < n; i++) {
		if (!pattern_match(routes[i].pattern, r->path, r))
			continue;
		if (routes[i].method == want) {
			*status = 0;
			return &routes[i];
		}
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
