/* fetch.c: the crawler's one GET through libcurl, with its limits and the address check */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>

#include "core/core.h"
#include "ai/crawl_html.h"
#include "ai/fetch.h"

#define LISTING_MAX 5000	/* entries of one folder of a file crawl */

struct xfer {
	const struct fetch_opts *o;
	struct fetch_result *r;
	CURL		*h;
	bool		 is_file;
	bool		 refused;
	char		 refused_addr[INET6_ADDRSTRLEN];
	enum crawl_addr	 refused_kind;
	bool		 too_big;
	bool		 wrong_type;
	bool		 skip_body;	/* not a 200: the body is not wanted */
	bool		 checked;
	int64_t		 last_tick;
};

void
fetch_global_init(void)
{
	static bool done;

	if (!done && curl_global_init(CURL_GLOBAL_DEFAULT) == 0)
		done = true;
}

void
fetch_result_free(struct fetch_result *r)
{
	free(r->media_type);
	free(r->charset);
	free(r->etag);
	free(r->last_modified);
	free(r->location);
	buf_free(&r->body);
	memset(r, 0, sizeof(*r));
}

/* The address curl is about to connect to: refused ones never get a socket. */
static curl_socket_t
open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct xfer *x = arg;
	enum crawl_addr k = CRAWL_ADDR_RESERVED;
	const void *bytes = NULL;

	(void)purpose;
	if (a->family == AF_INET && a->addrlen >= sizeof(struct sockaddr_in)) {
		bytes = &((const struct sockaddr_in *)(const void *)&a->addr)->sin_addr;
		k = crawl_addr_classify(bytes, 4);
	} else if (a->family == AF_INET6 && a->addrlen >= sizeof(struct sockaddr_in6)) {
		bytes = &((const struct sockaddr_in6 *)(const void *)&a->addr)->sin6_addr;
		k = crawl_addr_classify(bytes, 16);
	}
	if (!crawl_addr_allowed(k, &x->o->allow)) {
		x->refused = true;
		x->refused_kind = k;
		if (bytes == NULL || inet_ntop(a->family, bytes, x->refused_addr, sizeof(x->refused_addr)) == NULL)
			snprintf(x->refused_addr, sizeof(x->refused_addr), "(family %d)", a->family);
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

/* media_type: "text/html; charset=UTF-8" into r->media_type and r->charset. */
static void
media_type(struct fetch_result *r, const char *ct)
{
	const char *semi = strchr(ct, ';'), *cs;
	size_t n = semi ? (size_t)(semi - ct) : strlen(ct);

	while (n > 0 && isspace((unsigned char)ct[n - 1]))
		n--;
	free(r->media_type);
	r->media_type = xstrndup(ct, n);
	for (char *p = r->media_type; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (semi != NULL && (cs = strcasestr(semi, "charset=")) != NULL) {
		size_t k = 0;

		cs += 8;
		if (*cs == '"')
			cs++;
		while (cs[k] != '\0' && cs[k] != '"' && cs[k] != ';' && !isspace((unsigned char)cs[k]) && k < 40)
			k++;
		if (k > 0)
			r->charset = xstrndup(cs, k);
	}
}

/* check_answer: on the first bytes of the body: a status other than 200 wants no body, and a
 * 200 of a type the crawl does not store is refused before its body is read. */
static bool
check_answer(struct xfer *x)
{
	char *ct = NULL;
	long st = 0;

	x->checked = true;
	if (x->is_file)
		return true;
	(void)curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &st);
	if (st != 200) {
		x->skip_body = true;
		return false;
	}
	if (curl_easy_getinfo(x->h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != NULL)
		media_type(x->r, ct);
	if (!x->o->any_type && (x->r->media_type == NULL || crawl_type_of(x->r->media_type) == CRAWL_TYPE__MAX)) {
		x->wrong_type = true;
		return false;
	}
	return true;
}

static size_t
on_write(char *p, size_t sz, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t total = sz * n, room;

	if (!x->checked && !check_answer(x))
		return 0;
	room = x->r->body.len < (size_t)x->o->max_bytes ? (size_t)x->o->max_bytes - x->r->body.len : 0;
	if (total > room) {
		if (x->o->truncate) {
			buf_append(&x->r->body, p, room);
			x->r->truncated = true;
		} else
			x->too_big = true;
		return 0;
	}
	buf_append(&x->r->body, p, total);
	return total;
}

static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct xfer *x = arg;
	int64_t now = time_mono_ms();

	(void)dt, (void)dn, (void)ut, (void)un;
	if (x->o->tick == NULL || now - x->last_tick < 250)
		return 0;
	x->last_tick = now;
	if (x->o->tick(x->o->tick_arg)) {
		x->r->cancelled = true;
		return 1;
	}
	return 0;
}

static char *
header(CURL *h, const char *name)
{
	struct curl_header *hh = NULL;

	if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hh) != CURLHE_OK || hh == NULL ||
	    hh->value == NULL || hh->value[0] == '\0' || strlen(hh->value) > 512)
		return NULL;
	for (const char *s = hh->value; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return NULL;	/* it goes back into a request header */
	return xstrdup(hh->value);
}

static void
http_date(time_t t, char out[40])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* put_encoded: a path percent-encoded (all but unreserved characters and /): safe in a URL
 * and, having no quote, < or &, in an HTML attribute. */
static void
put_encoded(struct buf *b, const char *path)
{
	for (const unsigned char *s = (const unsigned char *)path; *s != '\0'; s++)
		if (isalnum(*s) || strchr("-._~/", *s) != NULL)
			buf_putc(b, (char)*s);
		else
			buf_printf(b, "%%%02X", *s);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* listing: a folder of a file crawl as an HTML page of links (folders and the files a crawl
 * stores; hidden entries left out), sorted, with <base> the folder's URL. */
static void
listing(const char *dir, const char *url, struct fetch_result *r)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	r->listing = true;
	buf_printf(&r->body, "<html><head><base href=\"%s%s\"></head><body>\n", url,
	    url[strlen(url) - 1] == '/' ? "" : "/");
	while (d != NULL && (e = readdir(d)) != NULL && n < LISTING_MAX) {
		char path[PATH_MAX];
		struct stat st;

		if (e->d_name[0] == '.' || snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path) ||
		    stat(path, &st) != 0)
			continue;
		if (!S_ISDIR(st.st_mode) && !(S_ISREG(st.st_mode) && crawl_type_of_path(e->d_name) != CRAWL_TYPE__MAX))
			continue;
		if (n % 64 == 0)
			names = xrealloc(names, (n + 64) * sizeof(*names));
		names[n] = xmalloc(strlen(e->d_name) + 2);
		sprintf(names[n++], "%s%s", e->d_name, S_ISDIR(st.st_mode) ? "/" : "");
	}
	if (d != NULL)
		closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		buf_puts(&r->body, "<a href=\"");
		put_encoded(&r->body, names[i]);
		buf_puts(&r->body, "\">x</a>\n");
		free(names[i]);
	}
	free(names);
	buf_puts(&r->body, "</body></html>\n");
	r->media_type = xstrdup("text/html");
}

/* inside: whether path lies in the folder root (rl bytes). */
static bool
inside(const char *path, const char *root, size_t rl)
{
	return strncmp(path, root, rl) == 0 && (path[rl] == '/' || path[rl] == '\0' || (rl == 1 && root[0] == '/'));
}

/* file_url: the checks of a file URL before curl reads it: inside file_root, a folder (the
 * listing) or a file of a stored type; its modification time is its Last-Modified. 1 when
 * curl is to read real (the real path, caller frees), 0 when r is complete, -1 failed. */
static int
file_url(const struct fetch_opts *o, const char *url, const char *last_modified,
    struct fetch_result *r, char **real)
{
	char *path = crawl_url_path(url, true), *rp = NULL, *root = NULL;
	struct stat st;
	char date[40];
	size_t rl;
	int rc = -1;

	*real = NULL;
	if (o->file_root == NULL || o->file_root[0] == '\0') {
		snprintf(r->why, sizeof(r->why), "file URLs are off (CRAWL_FILE_ROOT names no folder)");
		goto out;
	}
	if (path == NULL) {
		snprintf(r->why, sizeof(r->why), "not a valid file URL");
		goto out;
	}
	if ((root = realpath(o->file_root, NULL)) == NULL) {
		snprintf(r->why, sizeof(r->why), "CRAWL_FILE_ROOT: %s", strerror(errno));
		goto out;
	}
	rl = strlen(root);
	if ((rp = realpath(path, NULL)) == NULL || stat(rp, &st) != 0) {
		if (!inside(path, root, rl))
			snprintf(r->why, sizeof(r->why), "outside CRAWL_FILE_ROOT (%.200s)", root);
		else {
			r->status = 404;
			rc = 0;
		}
		goto out;
	}
	if (!inside(rp, root, rl)) {
		snprintf(r->why, sizeof(r->why), "outside CRAWL_FILE_ROOT (%.200s)", root);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		listing(rp, url, r);
		r->status = 200;
		rc = 0;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || crawl_type_of_path(rp) == CRAWL_TYPE__MAX) {
		snprintf(r->why, sizeof(r->why), "unsupported file type (only .html, .htm, .md, .markdown and .txt)");
		goto out;
	}
	if (st.st_size > o->max_bytes) {
		snprintf(r->why, sizeof(r->why), "larger than %lld bytes", (long long)o->max_bytes);
		goto out;
	}
	http_date(st.st_mtime, date);
	r->last_modified = xstrdup(date);
	switch (crawl_type_of_path(rp)) {
	case CRAWL_HTML: r->media_type = xstrdup("text/html"); break;
	case CRAWL_MARKDOWN: r->media_type = xstrdup("text/markdown"); break;
	default: r->media_type = xstrdup("text/plain"); break;
	}
	if (last_modified != NULL && strcmp(last_modified, date) == 0) {
		r->status = 304;
		rc = 0;
		goto out;
	}
	*real = rp;
	rp = NULL;
	rc = 1;
out:
	free(path);
	free(rp);
	free(root);
	return rc;
}

/* file_url_of: the file URL of a real path (percent-encoded). Caller frees. */
static char *
file_url_of(const char *real)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "file://");
	put_encoded(&b, real);
	return buf_detach(&b);
}

int
fetch_get(const struct fetch_opts *o, const char *url, const char *etag,
    const char *last_modified, struct fetch_result *r)
{
	struct xfer x = { .o = o, .r = r, .last_tick = time_mono_ms() };
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", line[600], *real = NULL, *furl = NULL, *loc = NULL;
	CURLcode rc;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	x.is_file = strncasecmp(url, "file:", 5) == 0;
	if (x.is_file) {
		int k = file_url(o, url, last_modified, r, &real);

		if (k <= 0)
			return k;
		furl = file_url_of(real);
	}
	if ((x.h = curl_easy_init()) == NULL)
		abort();
	curl_easy_setopt(x.h, CURLOPT_URL, furl ? furl : url);
	curl_easy_setopt(x.h, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(x.h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x.h, CURLOPT_PROXY, "");
	curl_easy_setopt(x.h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x.h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(x.h, CURLOPT_USERAGENT, o->user_agent);
	curl_easy_setopt(x.h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(x.h, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(x.h, CURLOPT_CONNECTTIMEOUT_MS, (long)o->connect_timeout_ms);
	curl_easy_setopt(x.h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(x.h, CURLOPT_OPENSOCKETDATA, &x);
	curl_easy_setopt(x.h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(x.h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(x.h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(x.h, CURLOPT_XFERINFODATA, &x);
	curl_easy_setopt(x.h, CURLOPT_NOPROGRESS, 0L);
	if (!o->truncate)
		curl_easy_setopt(x.h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
	hdrs = curl_slist_append(hdrs, "Accept: text/html, application/xhtml+xml, text/markdown, text/plain;q=0.9, */*;q=0.1");
	if (etag != NULL && snprintf(line, sizeof(line), "If-None-Match: %s", etag) < (int)sizeof(line))
		hdrs = curl_slist_append(hdrs, line);
	if (last_modified != NULL &&
	    snprintf(line, sizeof(line), "If-Modified-Since: %s", last_modified) < (int)sizeof(line))
		hdrs = curl_slist_append(hdrs, line);
	curl_easy_setopt(x.h, CURLOPT_HTTPHEADER, hdrs);

	rc = curl_easy_perform(x.h);
	if (!x.checked && rc == CURLE_OK)
		(void)check_answer(&x);
	if (r->cancelled) {
		snprintf(r->why, sizeof(r->why), "cancelled");
		goto out;
	}
	if (x.refused) {
		snprintf(r->why, sizeof(r->why), "refused address %s (%s): the crawler does not connect to"
		    " private, loopback or link-local addresses unless CRAWL_ALLOW_PRIVATE or"
		    " CRAWL_ALLOW_LOOPBACK allows it", x.refused_addr, crawl_addr_names[x.refused_kind]);
		goto out;
	}
	if (x.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(r->why, sizeof(r->why), "larger than %lld bytes", (long long)o->max_bytes);
		goto out;
	}
	if (x.wrong_type) {
		snprintf(r->why, sizeof(r->why), "unsupported content type %.100s (only HTML, Markdown and plain text)",
		    r->media_type ? r->media_type : "(none)");
		goto out;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(r->why, sizeof(r->why), "no complete answer within %lld ms (a slow or endless response)",
		    (long long)o->timeout_ms);
		goto out;
	}
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && (x.skip_body || r->truncated))) {
		snprintf(r->why, sizeof(r->why), "%s%s%.200s", curl_easy_strerror(rc), errbuf[0] ? ": " : "", errbuf);
		goto out;
	}
	if (x.is_file)
		r->status = 200;
	else {
		(void)curl_easy_getinfo(x.h, CURLINFO_RESPONSE_CODE, &r->status);
		r->etag = header(x.h, "ETag");
		if (r->last_modified == NULL)
			r->last_modified = header(x.h, "Last-Modified");
		if (r->status >= 300 && r->status < 400 &&
		    curl_easy_getinfo(x.h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc != NULL)
			r->location = xstrdup(loc);
	}
	ret = 0;
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(x.h);
	free(real);
	free(furl);
	return ret;
}
