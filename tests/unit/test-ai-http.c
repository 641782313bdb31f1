/* test-ai-http.c: the ai layer's bounded HTTP client against the loopback stand-in: answers,
 * statuses, and each failure named (refused, timeout, slow drip, too big, redirects, bad URL) */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "t.h"
#include "standin/standin.h"
#include "ai/http.h"

static struct standin S;
static const struct ai_http_limits quick = {
	.connect_timeout_ms = 2000, .total_timeout_ms = 10000,
	.low_speed_bytes = 100, .low_speed_ms = 1000, .max_response_bytes = 1048576,
};

static void
set_mode(const char *mode)
{
	struct ai_http_response r;
	char url[128];

	snprintf(url, sizeof(url), "%s/_mode?set=%s", S.url, mode);
	T_EQ(ai_http_get(url, NULL, &quick, &r), AI_HTTP_OK);
	T_EQ(r.status, 200);
	ai_http_response_free(&r);
}

static long
served(void)
{
	struct ai_http_response r;
	char url[128];
	long n = -1;

	snprintf(url, sizeof(url), "%s/_count", S.url);
	if (ai_http_get(url, NULL, &quick, &r) == AI_HTTP_OK) {
		const char *p = strstr(buf_cstr(&r.body), "\"count\": ");

		if (p != NULL)
			n = strtol(p + 9, NULL, 10);
	}
	ai_http_response_free(&r);
	return n;
}

static enum ai_http_err
post(const char *path, struct ai_http_limits l, struct ai_http_response *r)
{
	char url[128];

	snprintf(url, sizeof(url), "%s%s", S.url, path);
	return ai_http_post_json(url, "sk-test-123", "{\"model\":\"m\",\"messages\":[]}", &l, r);
}

static void
test_post_json_answers_with_status_body_and_type(void)
{
	struct ai_http_response r, last;
	char url[128];

	set_mode("ok");
	T_EQ(post("/v1/chat/completions", quick, &r), AI_HTTP_OK);
	T_EQ(r.status, 200);
	T_CONTAINS(buf_cstr(&r.body), "\"choices\"");
	T_STREQ(r.content_type, "application/json");
	ai_http_response_free(&r);
	snprintf(url, sizeof(url), "%s/_last", S.url);
	T_EQ(ai_http_get(url, NULL, &quick, &last), AI_HTTP_OK);
	T_CONTAINS(buf_cstr(&last.body), "\"authorization\": \"Bearer sk-test-123\"");
	T_CONTAINS(buf_cstr(&last.body), "\"contentType\": \"application/json\"");
	T_CONTAINS(buf_cstr(&last.body), "\\\"messages\\\"");
	ai_http_response_free(&last);
}

static void
test_a_500_is_an_answer_with_its_status(void)
{
	struct ai_http_response r;

	set_mode("status500");
	T_EQ(post("/v1/chat/completions", quick, &r), AI_HTTP_OK);
	T_EQ(r.status, 500);
	T_CONTAINS(buf_cstr(&r.body), "on fire");
	ai_http_response_free(&r);
}

static void
test_a_closed_port_is_refused(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct ai_http_response r;
	char url[64];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	T_ASSERT(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	T_ASSERT(getsockname(fd, (struct sockaddr *)&a, &alen) == 0);
	close(fd);	/* bound, never listened: nobody answers on it now */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/chat/completions", ntohs(a.sin_port));
	T_EQ(ai_http_post_json(url, NULL, "{}", &quick, &r), AI_HTTP_EREFUSED);
	T_EQ(r.status, 0);
	T_ASSERT(r.error[0] != '\0');
	T_STREQ(ai_http_strerror(AI_HTTP_EREFUSED), "refused");
	ai_http_response_free(&r);
}

/* fails_within: in mode, a request with limits l fails with want in under max_ms; the
 * response is left for the caller to inspect and free. */
static void
fails_within(const char *mode, struct ai_http_limits l, enum ai_http_err want, int64_t max_ms,
    struct ai_http_response *r)
{
	set_mode(mode);
	T_EQ(post("/v1/chat/completions", l, r), want);
	T_ASSERTF(r->elapsed_ms < max_ms, "%s: elapsed %lld ms", mode, (long long)r->elapsed_ms);
}

static void
test_a_silent_server_times_out_at_the_total_timeout(void)
{
	struct ai_http_limits l = quick;
	struct ai_http_response r;

	l.total_timeout_ms = 800;
	fails_within("hang", l, AI_HTTP_ETIMEOUT, 5000, &r);
	T_ASSERTF(r.elapsed_ms >= 700, "elapsed %lld ms", (long long)r.elapsed_ms);
	ai_http_response_free(&r);
}

static void
test_a_slow_drip_stops_at_the_low_speed_limit(void)
{
	struct ai_http_limits l = quick;
	struct ai_http_response r;

	l.total_timeout_ms = 30000;	/* the drip lasts 60 s: only the low-speed limit stops it */
	fails_within("drip", l, AI_HTTP_ESLOW, 6000, &r);
	T_CONTAINS(r.error, "slower than 100 bytes in 1000 ms");
	ai_http_response_free(&r);
}

static void
test_a_50_mb_answer_stops_at_the_size_cap(void)
{
	struct ai_http_response r;

	set_mode("huge");	/* no Content-Length: the write callback counts */
	T_EQ(post("/v1/chat/completions", quick, &r), AI_HTTP_ETOOBIG);
	T_ASSERT(r.body.len <= quick.max_response_bytes);
	T_CONTAINS(r.error, "larger than 1048576 bytes");
	ai_http_response_free(&r);
	set_mode("hugelen");	/* Content-Length announced: refused before the body */
	T_EQ(post("/v1/chat/completions", quick, &r), AI_HTTP_ETOOBIG);
	T_EQ(r.body.len, 0);
	ai_http_response_free(&r);
}

static void
test_redirects_are_bounded(void)
{
	struct ai_http_limits l = quick;
	struct ai_http_response r;

	set_mode("redirect");
	l.max_redirects = 3;
	T_EQ(post("/v1/chat/completions", l, &r), AI_HTTP_EREDIRECT);
	ai_http_response_free(&r);
	l.max_redirects = 0;	/* not followed: the 302 is the answer */
	T_EQ(post("/v1/chat/completions", l, &r), AI_HTTP_OK);
	T_EQ(r.status, 302);
	ai_http_response_free(&r);
}

static void
test_only_http_and_https_urls_are_asked(void)
{
	static const char *const bad[] = {
		"ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://127.0.0.1/", "http://",
		"http:///path", "127.0.0.1:80", "http://127.0.0.1/a b", "http://127.0.0.1/\r\nX: y",
	};
	struct ai_http_response r;
	long before = served();

	for (size_t i = 0; i < PSS_ARRAY_LEN(bad); i++) {
		T_EQ(ai_http_post_json(bad[i], NULL, "{}", &quick, &r), AI_HTTP_EURL);
		ai_http_response_free(&r);
	}
	T_EQ(ai_http_post_json(S.url, "tok\r\nX-Injected: 1", "{}", &quick, &r), AI_HTTP_EURL);
	ai_http_response_free(&r);
	T_EQ(served(), before);	/* none of them reached the server */
	T_ASSERT(ai_http_url_ok("https://api.example.com/v1"));
	T_ASSERT(ai_http_url_ok("HTTP://127.0.0.1:8000"));
}

int
main(void)
{
	if (standin_start(&S, "ok") != 0) {
		printf("# the stand-in (python3 tests/standin/ai-standin.py) did not start\n");
		t_result(0, "the stand-in starts");
		return t_done();
	}
	T_RUN(test_post_json_answers_with_status_body_and_type);
	T_RUN(test_a_500_is_an_answer_with_its_status);
	T_RUN(test_a_closed_port_is_refused);
	T_RUN(test_a_silent_server_times_out_at_the_total_timeout);
	T_RUN(test_a_slow_drip_stops_at_the_low_speed_limit);
	T_RUN(test_a_50_mb_answer_stops_at_the_size_cap);
	T_RUN(test_redirects_are_bounded);
	T_RUN(test_only_http_and_https_urls_are_asked);
	standin_stop(&S);
	return t_done();
}
