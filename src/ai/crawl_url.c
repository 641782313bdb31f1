/* crawl_url.c: the crawler's URL rules (libcurl's URL parser) and the address classifier */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/core.h"
#include "ai/crawl_url.h"

const char *const crawl_addr_names[CRAWL_ADDR__MAX] = {
	"public", "loopback", "private", "link-local", "reserved",
};

static char *
part(CURLU *u, CURLUPart what, unsigned flags)
{
	char *s = NULL, *copy;

	if (curl_url_get(u, what, &s, flags) != CURLUE_OK || s == NULL)
		return NULL;
	copy = xstrdup(s);
	curl_free(s);
	return copy;
}

static void
lower(char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* trimmed: ref without leading and trailing ASCII white space (HTML's href rule). */
static char *
trimmed(const char *ref)
{
	const char *e;

	while (*ref == ' ' || *ref == '\t' || *ref == '\n' || *ref == '\r' || *ref == '\f')
		ref++;
	e = ref + strlen(ref);
	while (e > ref && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\f'))
		e--;
	return xstrndup(ref, (size_t)(e - ref));
}

char *
crawl_url_resolve(const char *base, const char *ref, char scheme[16], const char **why)
{
	CURLU *u = curl_url();
	char *r = trimmed(ref), *sch = NULL, *host = NULL, *out = NULL;

	if (scheme != NULL)
		scheme[0] = '\0';
	*why = "not a valid URL";
	if (u == NULL)
		abort();
	if (strlen(r) > CRAWL_URL_MAX) {
		*why = "the URL is longer than 2048 bytes";
		goto out;
	}
	for (const char *p = r; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			goto out;
	if (base != NULL && curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK)
		goto out;
	if (curl_url_set(u, CURLUPART_URL, r, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
		goto out;
	if ((sch = part(u, CURLUPART_SCHEME, 0)) == NULL)
		goto out;
	lower(sch);
	if (scheme != NULL)
		snprintf(scheme, 16, "%s", sch);
	if (strcmp(sch, "http") != 0 && strcmp(sch, "https") != 0 && strcmp(sch, "file") != 0) {
		*why = "unsupported scheme (only http, https and file URLs are crawled)";
		goto out;
	}
	host = part(u, CURLUPART_HOST, 0);
	if (strcmp(sch, "file") == 0) {
		if (host != NULL && host[0] != '\0' && strcasecmp(host, "localhost") != 0) {
			*why = "a file URL must not name a host";
			goto out;
		}
	} else {
		if (host == NULL || host[0] == '\0')
			goto out;
		lower(host);
		if (curl_url_set(u, CURLUPART_HOST, host, 0) != CURLUE_OK)
			goto out;
	}
	(void)curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	(void)curl_url_set(u, CURLUPART_USER, NULL, 0);
	(void)curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	if ((out = part(u, CURLUPART_URL, CURLU_NO_DEFAULT_PORT)) == NULL)
		goto out;
	if (strlen(out) > CRAWL_URL_MAX) {
		*why = "the URL is longer than 2048 bytes";
		free(out);
		out = NULL;
		goto out;
	}
	*why = NULL;
out:
	curl_url_cleanup(u);
	free(r);
	free(sch);
	free(host);
	return out;
}

static CURLU *
parsed(const char *url)
{
	CURLU *u = curl_url();

	if (u == NULL)
		abort();
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
		curl_url_cleanup(u);
		return NULL;
	}
	return u;
}

static bool
is_file(const char *url)
{
	return strncasecmp(url, "file:", 5) == 0;
}

int
crawl_url_host(const char *url, char *out, size_t outsz)
{
	CURLU *u = parsed(url);
	char *h;
	size_t n;
	int rc = -1;

	if (u == NULL)
		return -1;
	out[0] = '\0';
	if (is_file(url))
		rc = 0;
	else if ((h = part(u, CURLUPART_HOST, 0)) != NULL) {
		lower(h);
		n = strlen(h);
		if (n >= 2 && h[0] == '[' && h[n - 1] == ']')
			rc = snprintf(out, outsz, "%.*s", (int)(n - 2), h + 1) < (int)outsz ? 0 : -1;
		else
			rc = snprintf(out, outsz, "%s", h) < (int)outsz ? 0 : -1;
		free(h);
	}
	curl_url_cleanup(u);
	return rc;
}

int
crawl_url_origin(const char *url, char *out, size_t outsz)
{
	CURLU *u = parsed(url);
	char *s, *h, *p;
	int rc = -1, n;

	if (u == NULL)
		return -1;
	s = part(u, CURLUPART_SCHEME, 0);
	h = part(u, CURLUPART_HOST, 0);
	p = part(u, CURLUPART_PORT, 0);	/* only when the URL names one */
	if (s != NULL && h != NULL) {
		n = snprintf(out, outsz, "%s://%s%s%s", s, h, p ? ":" : "", p ? p : "");
		rc = n > 0 && (size_t)n < outsz ? 0 : -1;
	}
	free(s);
	free(h);
	free(p);
	curl_url_cleanup(u);
	return rc;
}

char *
crawl_url_path(const char *url, bool decoded)
{
	CURLU *u = parsed(url);
	char *path, *q, *out;

	if (u == NULL)
		return NULL;
	path = part(u, CURLUPART_PATH, decoded ? CURLU_URLDECODE : 0);
	q = decoded ? NULL : part(u, CURLUPART_QUERY, 0);
	curl_url_cleanup(u);
	if (path == NULL) {
		free(q);
		return NULL;
	}
	if (q == NULL)
		return path;
	out = xmalloc(strlen(path) + strlen(q) + 2);
	sprintf(out, "%s?%s", path, q);
	free(path);
	free(q);
	return out;
}

bool
crawl_url_in_scope(const char *start, const char *url, bool same_host)
{
	char a[256], b[256];
	char *sp, *up, *slash;
	bool ok;

	if (is_file(start) != is_file(url))
		return false;
	if (is_file(url)) {
		/* a file crawl stays in the start's folder, whatever same_host says */
		if ((sp = crawl_url_path(start, false)) == NULL)
			return false;
		if ((up = crawl_url_path(url, false)) == NULL) {
			free(sp);
			return false;
		}
		if ((slash = strrchr(sp, '/')) != NULL)
			slash[1] = '\0';
		ok = strncmp(up, sp, strlen(sp)) == 0;
		free(sp);
		free(up);
		return ok;
	}
	if (!same_host)
		return true;
	return crawl_url_host(start, a, sizeof(a)) == 0 && crawl_url_host(url, b, sizeof(b)) == 0 &&
	    strcmp(a, b) == 0;
}

static enum crawl_addr
classify4(const unsigned char *a)
{
	if (a[0] == 127)
		return CRAWL_ADDR_LOOPBACK;
	if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
	    (a[0] == 100 && (a[1] & 0xc0) == 64))
		return CRAWL_ADDR_PRIVATE;
	if (a[0] == 169 && a[1] == 254)
		return CRAWL_ADDR_LINKLOCAL;
	if (a[0] == 0 || a[0] >= 224)
		return CRAWL_ADDR_RESERVED;
	return CRAWL_ADDR_PUBLIC;
}

enum crawl_addr
crawl_addr_classify(const unsigned char *a, size_t len)
{
	static const unsigned char zero[12], mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff },
	    nat64[12] = { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };

	if (len == 4)
		return classify4(a);
	if (len != 16)
		return CRAWL_ADDR_RESERVED;
	if (memcmp(a, zero, 12) == 0) {
		if (a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] <= 1)
			return a[15] == 1 ? CRAWL_ADDR_LOOPBACK : CRAWL_ADDR_RESERVED;	/* ::1, :: */
		return classify4(a + 12);	/* v4-compatible */
	}
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return classify4(a + 12);
	if (a[0] == 0x20 && a[1] == 0x02)
		return classify4(a + 2);	/* 6to4 */
	if (a[0] == 0xff)
		return CRAWL_ADDR_RESERVED;
	if ((a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0))
		return CRAWL_ADDR_PRIVATE;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return CRAWL_ADDR_LINKLOCAL;
	return CRAWL_ADDR_PUBLIC;
}

enum crawl_addr
crawl_addr_classify_str(const char *s)
{
	unsigned char a[16];
	char tmp[64];
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']' && n - 2 < sizeof(tmp)) {
		memcpy(tmp, s + 1, n - 2);
		tmp[n - 2] = '\0';
		s = tmp;
	}
	if (inet_pton(AF_INET, s, a) == 1)
		return crawl_addr_classify(a, 4);
	if (strchr(s, '%') == NULL && inet_pton(AF_INET6, s, a) == 1)
		return crawl_addr_classify(a, 16);
	return CRAWL_ADDR__MAX;
}

bool
crawl_addr_allowed(enum crawl_addr k, const struct crawl_allow *allow)
{
	switch (k) {
	case CRAWL_ADDR_PUBLIC:
		return true;
	case CRAWL_ADDR_LOOPBACK:
		return allow->loopback || allow->private_;
	case CRAWL_ADDR_PRIVATE:
	case CRAWL_ADDR_LINKLOCAL:
		return allow->private_;
	default:
		return false;
	}
}

enum crawl_addr
crawl_host_refused(const char *host, const struct crawl_allow *allow)
{
	enum crawl_addr k = crawl_addr_classify_str(host);
	size_t n = strlen(host);

	if (k == CRAWL_ADDR__MAX) {
		/* names: localhost and *.localhost always mean loopback (RFC 6761) */
		if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0 ||
		    (n > 10 && strcasecmp(host + n - 10, ".localhost") == 0))
			k = CRAWL_ADDR_LOOPBACK;
		else
			return CRAWL_ADDR_PUBLIC;
	}
	return crawl_addr_allowed(k, allow) ? CRAWL_ADDR_PUBLIC : k;
}
