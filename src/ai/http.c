/* http.c: the bounded HTTP client: libcurl with timeouts, a low-speed limit, a size cap and
 * http/https only; each failure named (http.h) */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "core/core.h"
#include "ai/http.h"

static const char *const ai_http_errs[AI_HTTP__MAX] = {
	"ok", "bad_url", "refused", "timeout", "slow", "too_big", "redirect", "tls", "io",
};

const char *
ai_http_strerror(enum ai_http_err e)
{
	return (unsigned)e < AI_HTTP__MAX ? ai_http_errs[e] : "unknown";
}

int
ai_http_url_ok(const char *url)
{
	const char *host;

	if (url == NULL)
		return 0;
	if (strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		host = url + 8;
	else
		return 0;
	if (*host == '\0' || *host == '/' || *host == ':' || *host == '?' || *host == '#')
		return 0;
	for (const unsigned char *p = (const unsigned char *)url; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	return strlen(url) <= 4096;
}

/* A header value must not smuggle a second header. */
static int
header_ok(const char *h)
{
	return h != NULL && strpbrk(h, "\r\n") == NULL && strlen(h) <= 8192;
}

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void
global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		pss_die("curl_global_init failed");
}

/* The state of one transfer, seen by the write and progress callbacks. */
struct xfer {
	struct ai_http_response	*resp;
	size_t			 max_bytes;
	int64_t			 low_bytes, low_ms;
	int64_t			 window_start;	/* monotonic ms; 0 until the answer begins */
	uint64_t		 window_bytes;	/* received when the window began */
	uint64_t		 received;	/* header and body bytes so far */
	int			 too_big, too_slow, stopped;
	CURL			*curl;
	const struct ai_http_request *rq;
};

/* The answer began: the low-speed windows start with its first byte, so a model that thinks
 * for a while before answering is bounded by the total timeout alone. */
static void
note_bytes(struct xfer *x, size_t n)
{
	if (x->window_start == 0) {
		x->window_start = time_mono_ms();
		x->window_bytes = 0;
		x->received = 0;
	}
	x->received += n;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;

	note_bytes(x, len);
	if (x->resp->body.len + len > x->max_bytes) {
		x->too_big = 1;
		return 0;	/* curl stops with CURLE_WRITE_ERROR */
	}
	buf_append(&x->resp->body, p, len);
	if (x->rq->on_data != NULL) {
		long status = 0;

		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status <= 299 && x->rq->on_data(x->rq->on_data_arg, p, len) != 0) {
			x->stopped = 1;
			return 0;
		}
	}
	return len;
}

static size_t
on_header(char *p PSS_UNUSED, size_t size, size_t n, void *arg)
{
	note_bytes(arg, size * n);
	return size * n;
}

/* Called by curl at least once a second: the low-speed check over whole windows. */
static int
on_progress(void *arg, curl_off_t dltotal PSS_UNUSED, curl_off_t dlnow PSS_UNUSED,
    curl_off_t ultotal PSS_UNUSED, curl_off_t ulnow PSS_UNUSED)
{
	struct xfer *x = arg;
	int64_t now;

	if (x->window_start == 0 || x->low_bytes <= 0)
		return 0;
	now = time_mono_ms();
	if (now - x->window_start < x->low_ms)
		return 0;
	if (x->received - x->window_bytes < (uint64_t)x->low_bytes) {
		x->too_slow = 1;
		return 1;	/* curl stops with CURLE_ABORTED_BY_CALLBACK */
	}
	x->window_start = now;
	x->window_bytes = x->received;
	return 0;
}

static enum ai_http_err
map_curl(CURLcode c, const struct xfer *x, const char *detail, struct ai_http_response *r,
    const struct ai_http_limits *l)
{
	const char *d = detail[0] != '\0' ? detail : curl_easy_strerror(c);

	if (x->too_big || c == CURLE_FILESIZE_EXCEEDED) {
		snprintf(r->error, sizeof(r->error), "the answer is larger than %zu bytes",
		    l->max_response_bytes);
		return AI_HTTP_ETOOBIG;
	}
	if (x->stopped) {
		snprintf(r->error, sizeof(r->error), "stopped by the reader");
		return AI_HTTP_EIO;
	}
	if (x->too_slow) {
		snprintf(r->error, sizeof(r->error),
		    "the answer arrived slower than %lld bytes in %lld ms",
		    (long long)l->low_speed_bytes, (long long)l->low_speed_ms);
		return AI_HTTP_ESLOW;
	}
	snprintf(r->error, sizeof(r->error), "%s", d);
	switch (c) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return AI_HTTP_EURL;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return AI_HTTP_EREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return AI_HTTP_ETIMEOUT;
	case CURLE_TOO_MANY_REDIRECTS:
		return AI_HTTP_EREDIRECT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
		return AI_HTTP_ETLS;
	default:
		return AI_HTTP_EIO;
	}
}

static void
limits_fill(struct ai_http_limits *l, const struct ai_http_limits *in)
{
	*l = *in;
	if (l->connect_timeout_ms <= 0)
		l->connect_timeout_ms = 5000;
	if (l->total_timeout_ms <= 0)
		l->total_timeout_ms = 30000;
	if (l->low_speed_bytes == 0)	/* -1 stays: no low-speed limit */
		l->low_speed_bytes = 1024;
	if (l->low_speed_ms <= 0)
		l->low_speed_ms = 5000;
	if (l->max_response_bytes == 0)
		l->max_response_bytes = 1048576;
	if (l->max_redirects < 0)
		l->max_redirects = 0;
}

enum ai_http_err
ai_http_do(const struct ai_http_request *rq, struct ai_http_response *r)
{
	struct ai_http_limits l;
	struct curl_slist *hdrs = NULL;
	struct xfer x;
	char errbuf[CURL_ERROR_SIZE] = "", line[8300];
	enum ai_http_err e = AI_HTTP_OK;
	const char *ct = NULL;
	int64_t t0 = time_mono_ms();
	CURL *c = NULL;
	CURLcode cc;
	int post;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body);
	limits_fill(&l, &rq->limits);
	post = rq->method != NULL && strcmp(rq->method, "POST") == 0;
	if (!post && (rq->method != NULL && strcmp(rq->method, "GET") != 0)) {
		snprintf(r->error, sizeof(r->error), "method %.20s: only GET and POST", rq->method);
		return AI_HTTP_EURL;
	}
	if (!ai_http_url_ok(rq->url)) {
		snprintf(r->error, sizeof(r->error), "not an http:// or https:// URL");
		return AI_HTTP_EURL;
	}
	if ((rq->bearer != NULL && !header_ok(rq->bearer)) ||
	    (rq->content_type != NULL && !header_ok(rq->content_type))) {
		snprintf(r->error, sizeof(r->error), "a header value holds CR or LF");
		return AI_HTTP_EURL;
	}
	for (const char *const *h = rq->headers; h != NULL && *h != NULL; h++)
		if (!header_ok(*h) || strchr(*h, ':') == NULL) {
			snprintf(r->error, sizeof(r->error), "a header is not one \"Name: value\" line");
			return AI_HTTP_EURL;
		}
	pthread_once(&global_once, global_init);
	if ((c = curl_easy_init()) == NULL)
		pss_die("curl_easy_init: out of memory");

	memset(&x, 0, sizeof(x));
	x.resp = r;
	x.max_bytes = l.max_response_bytes;
	x.low_bytes = l.low_speed_bytes;
	x.low_ms = l.low_speed_ms;
	x.curl = c;
	x.rq = rq;

	for (const char *const *h = rq->headers; h != NULL && *h != NULL; h++)
		hdrs = curl_slist_append(hdrs, *h);
	if (rq->bearer != NULL) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", rq->bearer);
		hdrs = curl_slist_append(hdrs, line);
	}
	if (post) {
		snprintf(line, sizeof(line), "Content-Type: %s",
		    rq->content_type != NULL ? rq->content_type : "application/json");
		hdrs = curl_slist_append(hdrs, line);
		hdrs = curl_slist_append(hdrs, "Expect:");	/* no 100-continue round trip */
	}
	hdrs = curl_slist_append(hdrs, "Accept: application/json, */*;q=0.5");

	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, l.max_redirects > 0 ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, l.max_redirects);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)l.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)l.total_timeout_ms);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)l.max_response_bytes);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "psscript/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");	/* the size cap is on decoded bytes */
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	if (post) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body != NULL ? rq->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(rq->body != NULL ? rq->body_len : 0));
	}

	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (cc != CURLE_OK)
		e = map_curl(cc, &x, errbuf, r, &l);
	else if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != NULL)
		r->content_type = xstrdup(ct);
	if (e == AI_HTTP_OK && r->status >= 300 && r->status < 400 && l.max_redirects > 0) {
		/* curl stops at a Location it will not follow (another scheme) */
		snprintf(r->error, sizeof(r->error), "redirect not followed (status %ld)", r->status);
		e = AI_HTTP_EREDIRECT;
	}
	buf_cstr(&r->body);	/* NUL-terminated even when empty */
	r->elapsed_ms = time_mono_ms() - t0;
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return e;
}

void
ai_http_response_free(struct ai_http_response *r)
{
	buf_free(&r->body);
	free(r->content_type);
	r->content_type = NULL;
}

enum ai_http_err
ai_http_post_json(const char *url, const char *bearer, const char *json,
    const struct ai_http_limits *l, struct ai_http_response *resp)
{
	struct ai_http_request rq = {
		.method = "POST", .url = url, .bearer = bearer, .body = json,
		.body_len = json != NULL ? strlen(json) : 0, .content_type = "application/json",
		.limits = *l,
	};

	return ai_http_do(&rq, resp);
}

enum ai_http_err
ai_http_get(const char *url, const char *bearer, const struct ai_http_limits *l,
    struct ai_http_response *resp)
{
	struct ai_http_request rq = { .method = "GET", .url = url, .bearer = bearer, .limits = *l };

	return ai_http_do(&rq, resp);
}
