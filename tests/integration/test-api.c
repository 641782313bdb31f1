/* test-api.c: the foundation's HTTP contract through real nginx and FastCGI workers */
#include "config.h"

#include "core/core.h"
#include "itest.h"
#include "t.h"

static void
check_envelope(const struct it_resp *r, long status, const char *code)
{
	T_EQ(r->status, status);
	T_ASSERTF(r->json != NULL, "body is not JSON: %.200s", r->body ? r->body : "");
	T_STREQ(it_str(r, "success"), "false");
	T_STREQ(it_str(r, "error"), code);
	T_ASSERT(it_str(r, "message") != NULL && strlen(it_str(r, "message")) > 0);
	T_ASSERT(it_str(r, "requestId") != NULL);
}

static void
test_health_reports_database_and_redis(void)
{
	struct it_resp r;

	T_EQ(it_get(&r, "/api/health"), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "status"), "ok");
	T_STREQ(it_str(&r, "database"), "connected");
	T_STREQ(it_str(&r, "redis"), "connected");
	T_STREQ(it_str(&r, "version"), PACKAGE_VERSION);	/* configure.ac, the one place */
	T_ASSERT(it_str(&r, "uptime") != NULL);
	T_CONTAINS(it_header(&r, "content-type"), "application/json");
	it_resp_free(&r);
}

static void
test_api_index_and_ready(void)
{
	struct it_resp r;

	T_EQ(it_get(&r, "/api"), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "status"), "ok");
	it_resp_free(&r);
	T_EQ(it_get(&r, "/api/health/ready"), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "status"), "ready");
	it_resp_free(&r);
}

static void
test_request_id_header_matches_body(void)
{
	struct it_resp r;
	const char *h;

	T_EQ(it_get(&r, "/api/no-such-thing"), 0);
	check_envelope(&r, 404, "not_found");
	h = it_header(&r, "x-request-id");
	T_ASSERT(h != NULL && strlen(h) >= 16);
	T_STREQ(it_str(&r, "requestId"), h);
	it_resp_free(&r);
}

static void
test_security_headers_present(void)
{
	struct it_resp r;

	T_EQ(it_get(&r, "/api/health"), 0);
	T_STREQ(it_header(&r, "x-content-type-options"), "nosniff");
	T_CONTAINS(it_header(&r, "content-security-policy"), "frame-ancestors 'none'");
	T_ASSERT(strstr(it_header(&r, "content-security-policy"), "unsafe-inline") == NULL);
	T_CONTAINS(it_header(&r, "strict-transport-security"), "max-age=");
	T_STREQ(it_header(&r, "x-frame-options"), "DENY");
	it_resp_free(&r);
}

#define T_SECURITY_HEADERS(r, what) do { const char *w_ = it_security_headers_wrong(r); \
	T_ASSERTF(w_ == NULL, "%s: header %s missing, repeated or wrong:\n%s", what, w_, (r)->headers); \
} while (0)

/* nginx's own answers carry the set too (issue 12 item 8), once each, and under /api the
 * JSON envelope: static files, a missing static file, TRACE, headers too large, a URI too
 * long, and the application's answers are not given a second copy. */
static void
test_nginx_answers_carry_the_security_headers(void)
{
	static const char *const statics[] = { "/static/robots.txt", "/static/no-such-file.css" };
	struct it_resp r;
	char hdr[20000], *big;
	const char *h[2] = { hdr, NULL };

	for (size_t i = 0; i < PSS_ARRAY_LEN(statics); i++) {
		T_EQ(it_get(&r, statics[i]), 0);
		T_SECURITY_HEADERS(&r, statics[i]);
		T_STREQ(it_header(&r, "cache-control"), i == 0 ? "public, max-age=300" : "no-store");
		it_resp_free(&r);
	}
	T_EQ(it_get(&r, "/api/health"), 0);
	T_SECURITY_HEADERS(&r, "the application's answer");
	T_EQ(it_header_count(&r, "cache-control"), 1);
	it_resp_free(&r);
	T_EQ(it_request(&r, "TRACE", "/api/health", NULL, 0, NULL, NULL), 0);
	check_envelope(&r, 405, "method_not_allowed");
	T_SECURITY_HEADERS(&r, "TRACE");
	T_STREQ(it_header(&r, "cache-control"), "no-store");
	it_resp_free(&r);
	T_EQ(it_request(&r, "POST", "/static/robots.txt", "x", 1, "text/plain", NULL), 0);
	check_envelope(&r, 405, "method_not_allowed");
	T_SECURITY_HEADERS(&r, "POST to a static file");
	it_resp_free(&r);
	/* over HTTP/2, nginx ends the connection instead (no answer to dress) */
	it_http11(1);
	snprintf(hdr, sizeof(hdr), "X-Big: %0*d", 18000, 0);
	T_EQ(it_request(&r, "GET", "/api/health", NULL, 0, NULL, h), 0);
	check_envelope(&r, 431, "validation_error");
	T_SECURITY_HEADERS(&r, "headers too large");
	it_resp_free(&r);
	big = xmalloc(20000);
	memcpy(big, "/api/health?x=", 14);
	memset(big + 14, 'a', 20000 - 15);
	big[19999] = '\0';
	T_EQ(it_get(&r, big), 0);
	check_envelope(&r, 414, "validation_error");
	T_SECURITY_HEADERS(&r, "URI too long");
	it_resp_free(&r);
	free(big);
	it_http11(0);
	T_EQ(it_get(&r, "/metrics"), 0);	/* loopback: the application answers */
	T_SECURITY_HEADERS(&r, "metrics");
	it_resp_free(&r);
}

/* With no FastCGI worker to answer, nginx's 503 is the envelope with the headers. */
static void
test_nginx_unavailable_answer_carries_the_security_headers(void)
{
	struct it_resp r;

	T_EQ(it_harness("fcgi-stop"), 0);
	T_EQ(it_get(&r, "/api/scripts"), 0);
	check_envelope(&r, 503, "unavailable");
	T_SECURITY_HEADERS(&r, "503 from nginx");
	T_STREQ(it_header(&r, "retry-after"), "5");
	T_EQ(it_header_count(&r, "retry-after"), 1);
	it_resp_free(&r);
	T_EQ(it_harness("fcgi-restart"), 0);
	for (int i = 0; i < 100; i++) {
		T_EQ(it_get(&r, "/api/health"), 0);
		if (r.status == 200) {
			it_resp_free(&r);
			break;
		}
		it_resp_free(&r);
		time_sleep_ms(100);
	}
	T_EQ(it_get(&r, "/api/health"), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
}

static void
test_405_carries_allow(void)
{
	struct it_resp r;

	T_EQ(it_request(&r, "DELETE", "/api/health", NULL, 0, NULL, NULL), 0);
	check_envelope(&r, 405, "method_not_allowed");
	T_STREQ(it_header(&r, "allow"), "GET, HEAD");
	it_resp_free(&r);
}

static void
test_head_has_no_body(void)
{
	struct it_resp r;

	T_EQ(it_request(&r, "HEAD", "/api/health", NULL, 0, NULL, NULL), 0);
	T_EQ(r.status, 200);
	T_EQ(r.len, 0);
	it_resp_free(&r);
}

static void
test_http_redirects_to_https(void)
{
	struct it_resp r;
	char url[512];

	snprintf(url, sizeof(url), "%s/api/health?x=1", getenv("PSS_TEST_HTTP_URL"));
	T_EQ(it_get(&r, url), 0);
	T_EQ(r.status, 301);
	T_CONTAINS(it_header(&r, "location"), "https://");
	T_CONTAINS(it_header(&r, "location"), "/api/health?x=1");
	it_resp_free(&r);
}

static void
test_malformed_paths_get_json_400(void)
{
	static const char *const paths[] = { "/api/%ff%fe", "/api/a%00b", "/api/%zz", "/api/%c0%af" };
	struct it_resp r;

	for (size_t i = 0; i < PSS_ARRAY_LEN(paths); i++) {
		T_EQ(it_get(&r, paths[i]), 0);
		T_ASSERTF(r.status == 400, "%s: status %ld", paths[i], r.status);
		T_ASSERTF(r.json != NULL && strcmp(it_str(&r, "error"), "validation_error") == 0,
		    "%s: %.200s", paths[i], r.body);
		it_resp_free(&r);
	}
}

static void
test_bad_query_is_400(void)
{
	struct it_resp r;

	T_EQ(it_get(&r, "/api/health?x=%ff"), 0);
	check_envelope(&r, 400, "validation_error");
	it_resp_free(&r);
}

static void
test_header_flood_is_rejected(void)
{
	const char *hdrs[151];
	char store[150][32];
	struct it_resp r;

	for (int i = 0; i < 150; i++) {
		snprintf(store[i], sizeof(store[i]), "X-Flood-%d: v", i);
		hdrs[i] = store[i];
	}
	hdrs[150] = NULL;
	T_EQ(it_request(&r, "GET", "/api/health", NULL, 0, NULL, hdrs), 0);
	T_EQ(r.status, 431);
	T_STREQ(it_str(&r, "error"), "validation_error");
	it_resp_free(&r);
}

static void
test_oversized_body_is_413_json(void)
{
	size_t n = 2 * 1024 * 1024;
	char *big = xmalloc(n);
	struct it_resp r;

	memset(big, 'a', n);
	T_EQ(it_request(&r, "POST", "/api/health", big, n, "application/json", NULL), 0);
	check_envelope(&r, 413, "payload_too_large");
	it_resp_free(&r);
	free(big);
}

static void
test_body_over_the_application_cap_is_413(void)
{
	/* the harness sets MAX_BODY_BYTES to 512 KiB, below nginx's 1 MiB */
	size_t n = 700 * 1024;
	char *big = xmalloc(n);
	struct it_resp r;

	memset(big, ' ', n);
	T_EQ(it_request(&r, "POST", "/api/health", big, n, "application/json", NULL), 0);
	check_envelope(&r, 413, "payload_too_large");
	it_resp_free(&r);
	free(big);
	T_EQ(it_get(&r, "/api/health"), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
}

static void
test_static_assets_served_by_nginx_with_long_cache(void)
{
	struct it_resp r;

	T_EQ(it_get(&r, "/static/robots.txt"), 0);
	T_EQ(r.status, 200);
	T_CONTAINS(r.body, "User-agent");
	/* an unhashed name: 5 minutes; hashed asset names get a year, immutable (test-pages) */
	T_CONTAINS(it_header(&r, "cache-control"), "public, max-age=300");
	T_STREQ(it_header(&r, "x-content-type-options"), "nosniff");
	it_resp_free(&r);
	T_EQ(it_get(&r, "/static/../src/core/core.h"), 0);
	T_ASSERT(r.status == 400 || r.status == 404);
	it_resp_free(&r);
}

static void
test_metrics_prometheus_text(void)
{
	struct it_resp r;

	T_EQ(it_get(&r, "/metrics"), 0);
	T_EQ(r.status, 200);
	T_CONTAINS(r.body, "psscript_requests_total{route=\"health\"");
	T_CONTAINS(r.body, "psscript_request_duration_seconds_bucket");
	T_CONTAINS(r.body, "psscript_db_query_duration_seconds_count");
	T_CONTAINS(r.body, "psscript_cache_hits_total");
	T_CONTAINS(r.body, "psscript_db_reconnects_total");
	T_CONTAINS(r.body, "psscript_jobs_queued");
	it_resp_free(&r);
}

static void
test_workers_survive_a_burst_of_bad_requests(void)
{
	static const char *const bad[] = { "/api/%", "/api/%ff", "/api/x?%%", "/api/..%2f..%2fetc" };
	struct it_resp r;

	for (int round = 0; round < 20; round++)
		for (size_t i = 0; i < PSS_ARRAY_LEN(bad); i++) {
			if (it_get(&r, bad[i]) == 0)
				T_ASSERTF(r.status >= 400 && r.status < 500, "%s: %ld", bad[i], r.status);
			it_resp_free(&r);
		}
	T_EQ(it_get(&r, "/api/health"), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
}

int
main(void)
{
	it_init();
	T_RUN(test_health_reports_database_and_redis);
	T_RUN(test_api_index_and_ready);
	T_RUN(test_request_id_header_matches_body);
	T_RUN(test_security_headers_present);
	T_RUN(test_nginx_answers_carry_the_security_headers);
	T_RUN(test_nginx_unavailable_answer_carries_the_security_headers);
	T_RUN(test_405_carries_allow);
	T_RUN(test_head_has_no_body);
	T_RUN(test_http_redirects_to_https);
	T_RUN(test_malformed_paths_get_json_400);
	T_RUN(test_bad_query_is_400);
	T_RUN(test_header_flood_is_rejected);
	T_RUN(test_oversized_body_is_413_json);
	T_RUN(test_body_over_the_application_cap_is_413);
	T_RUN(test_static_assets_served_by_nginx_with_long_cache);
	T_RUN(test_metrics_prometheus_text);
	T_RUN(test_workers_survive_a_burst_of_bad_requests);
	return t_done();
}
