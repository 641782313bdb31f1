/* router.c: method + pattern matching with :params, 404 and 405 with Allow, one canonical
 * form per path */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

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
	if (*pat != '\0' || *path != '\0')
		return false;
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
