/* crawl_robots.c: robots.txt groups and rules (RFC 9309) */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "ai/crawl_robots.h"

/* One line's key and value, trimmed, comments cut. 1 with both, 0 for a line to skip. */
static int
split_line(const char *line, size_t n, char *key, size_t keysz, const char **val, size_t *vlen)
{
	const char *colon, *hash = memchr(line, '#', n), *v, *e;
	size_t k;

	if (hash != NULL)
		n = (size_t)(hash - line);
	if ((colon = memchr(line, ':', n)) == NULL)
		return 0;
	while (n > 0 && isspace((unsigned char)*line) && line < colon) {
		line++;
		n--;
	}
	k = (size_t)(colon - line);
	while (k > 0 && isspace((unsigned char)line[k - 1]))
		k--;
	if (k == 0 || k >= keysz)
		return 0;
	for (size_t i = 0; i < k; i++)
		key[i] = (char)tolower((unsigned char)line[i]);
	key[k] = '\0';
	v = colon + 1;
	e = line + n;
	while (v < e && isspace((unsigned char)*v))
		v++;
	while (e > v && isspace((unsigned char)e[-1]))
		e--;
	*val = v;
	*vlen = (size_t)(e - v);
	return 1;
}

static bool
agent_matches(const char *v, size_t n, const char *agent)
{
	size_t a = strlen(agent);

	/* the product token is the value's first word */
	for (size_t i = 0; i < n; i++)
		if (isspace((unsigned char)v[i]) || v[i] == '/') {
			n = i;
			break;
		}
	return n == a && strncasecmp(v, agent, a) == 0;
}

void
robots_parse(struct robots *r, const char *text, size_t len, const char *agent)
{
	/* Two passes: the first learns whether a group names agent, the second keeps the
	 * rules of the groups that apply (agent's, else *'s). */
	bool named = false;

	memset(r, 0, sizeof(*r));
	for (int pass = 0; pass < 2; pass++) {
		const char *p = text, *end = text + len;
		bool in_agents = false, applies = false;
		size_t cap = 0;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p)), *val;
			size_t n, vlen;
			char key[32];

			if (nl == NULL)
				break;	/* a last line cut in the middle (or unterminated): skipped */
			n = (size_t)(nl - p);
			if (split_line(p, n, key, sizeof(key), &val, &vlen)) {
				if (strcmp(key, "user-agent") == 0) {
					bool mine = agent_matches(val, vlen, agent),
					    star = vlen == 1 && val[0] == '*';

					if (!in_agents)
						applies = false;	/* a new group starts */
					in_agents = true;
					if (pass == 0 && mine)
						named = true;
					if (mine || (star && !named))
						applies = true;
				} else {
					in_agents = false;
					if (pass == 1 && applies && (strcmp(key, "allow") == 0 ||
					    strcmp(key, "disallow") == 0) && vlen > 0 &&
					    r->nrules < ROBOTS_MAX_RULES && vlen < 2048) {
						if (r->nrules == cap) {
							cap = cap ? cap * 2 : 16;
							r->rules = xrealloc(r->rules, cap * sizeof(*r->rules));
						}
						r->rules[r->nrules].pattern = xstrndup(val, vlen);
						r->rules[r->nrules].allow = key[0] == 'a';
						r->nrules++;
					} else if (pass == 1 && applies && strcmp(key, "crawl-delay") == 0) {
						char num[24];
						int64_t s = 0;

						if (vlen < sizeof(num)) {
							memcpy(num, val, vlen);
							num[vlen] = '\0';
							if ((num[0] != '\0' && parse_int64(num, 0, 86400, &s) == 0))
								r->crawl_delay_ms = s * 1000 > ROBOTS_MAX_DELAY_MS ?
								    ROBOTS_MAX_DELAY_MS : s * 1000;
						}
					}
				}
			}
			p = nl + 1;
		}
	}
}

/* match: whether path starts with pattern (* any run, a final $ the end); iterative, so no
 * pattern costs more than its length times the path's. */
static bool
match(const char *pat, const char *path)
{
	size_t plen = strlen(pat);
	bool anchored = plen > 0 && pat[plen - 1] == '$';
	const char *p = pat, *pe = pat + plen - (anchored ? 1 : 0), *s = path;
	const char *star = NULL, *resume = NULL;

	for (;;) {
		if (p == pe) {
			if (!anchored || *s == '\0')
				return true;
		} else if (*p == '*') {
			star = ++p;
			resume = s;
			continue;
		} else if (*s != '\0' && *p == *s) {
			p++;
			s++;
			continue;
		}
		if (star == NULL || *resume == '\0')
			return false;
		p = star;
		s = ++resume;
	}
}

bool
robots_allowed(const struct robots *r, const char *path)
{
	size_t best = 0;
	bool allow = true, any = false;

	if (r->disallow_all)
		return false;
	for (size_t i = 0; i < r->nrules; i++) {
		size_t n = strlen(r->rules[i].pattern);

		if (!match(r->rules[i].pattern, path))
			continue;
		if (!any || n > best || (n == best && r->rules[i].allow)) {
			best = n;
			allow = r->rules[i].allow;
			any = true;
		}
	}
	return allow;
}

void
robots_free(struct robots *r)
{
	for (size_t i = 0; i < r->nrules; i++)
		free(r->rules[i].pattern);
	free(r->rules);
	memset(r, 0, sizeof(*r));
}
