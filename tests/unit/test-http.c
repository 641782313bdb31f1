/* test-http.c: unit tests of request parsing and the router */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "http/http.h"
#include "http/request.h"
#include "t.h"

static const struct http_limits lim = { 1024, 4096, 16, NULL, 0 };
static struct arena a;

static void h_dummy(struct http_ctx *c) { (void)c; }

static const struct route routes[] = {
	{ HTTP_GET, "/api/scripts", 0, h_dummy, "list", NULL },
	{ HTTP_POST, "/api/scripts", 0, h_dummy, "create", NULL },
	{ HTTP_GET, "/api/scripts/search", 0, h_dummy, "search", NULL },
	{ HTTP_GET, "/api/scripts/:id", 0, h_dummy, "get", NULL },
	{ HTTP_PUT, "/api/scripts/:id", 0, h_dummy, "update", NULL },
	{ HTTP_GET, "/api/scripts/:id/versions/:n", 0, h_dummy, "version", NULL },
};

static enum http_reject
parse(const char *const *env, struct request *r)
{
	arena_reset(&a);
	return http_request_parse(&a, env, &lim, r);
}

static void
test_request_typed_fields(void)
{
	const char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/api/scripts%20x?page=2&q=a+b",
		"CONTENT_TYPE=Application/JSON; charset=utf-8", "HTTP_COOKIE=sid=abc; theme=dark",
		"HTTP_X_FORWARDED_FOR=1.2.3.4", "REMOTE_ADDR=127.0.0.1", "REQUEST_ID=0123abcd", NULL };
	struct request r;

	T_EQ(parse(env, &r), HTTP_REJECT_NONE);
	T_EQ(r.method, HTTP_POST);
	T_STREQ(r.path, "/api/scripts x");
	T_STREQ(http_query(&r, "page"), "2");
	T_STREQ(http_query(&r, "q"), "a b");
	T_STREQ(r.content_type, "application/json");
	T_STREQ(http_cookie(&r, "theme"), "dark");
	T_STREQ(http_header(&r, "x-forwarded-for"), "1.2.3.4");
	T_STREQ(r.request_id, "0123abcd");
	T_STREQ(r.remote_addr, "127.0.0.1");
}

static void
test_request_generates_id_when_missing_or_hostile(void)
{
	const char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/", "REQUEST_ID=<script>", NULL };
	struct request r;

	T_EQ(parse(env, &r), HTTP_REJECT_NONE);
	T_EQ(strlen(r.request_id), 32);
	T_ASSERT(strspn(r.request_id, "0123456789abcdef") == 32);
}

static void
test_request_rejects_bad_paths(void)
{
	const char *bad[] = { "REQUEST_URI=/a%00b", "REQUEST_URI=/a%zz", "REQUEST_URI=/a%",
		"REQUEST_URI=/%c3%28", "REQUEST_URI=relative", "REQUEST_URI=/a%0d%0aX: y" };
	struct request r;

	for (size_t i = 0; i < PSS_ARRAY_LEN(bad); i++) {
		const char *env[] = { "REQUEST_METHOD=GET", bad[i], NULL };

		T_ASSERTF(parse(env, &r) == HTTP_REJECT_BAD_PATH, "%s accepted", bad[i]);
	}
}

static void
test_request_rejects_bad_query_and_method(void)
{
	const char *q[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/x?a=%ff", NULL };
	const char *m[] = { "REQUEST_METHOD=BREW", "REQUEST_URI=/x", NULL };
	struct request r;

	T_EQ(parse(q, &r), HTTP_REJECT_BAD_QUERY);
	T_EQ(parse(m, &r), HTTP_REJECT_BAD_METHOD);
}

static void
test_request_header_flood_rejected(void)
{
	const char *env[40];
	char names[36][32];
	struct request r;
	size_t n = 0;

	env[n++] = "REQUEST_METHOD=GET";
	env[n++] = "REQUEST_URI=/";
	for (int i = 0; i < 36; i++) {
		snprintf(names[i], sizeof(names[i]), "HTTP_X_H%d=v", i);
		env[n++] = names[i];
	}
	env[n] = NULL;
	T_EQ(parse(env, &r), HTTP_REJECT_TOO_MANY_HEADERS);
}

static void
test_body_limit_by_content_type(void)
{
	const char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/u",
		"CONTENT_TYPE=multipart/form-data; boundary=x", NULL };
	struct request r;

	T_EQ(parse(env, &r), HTTP_REJECT_NONE);
	T_EQ(http_body_limit(&r, &lim), 4096);
	r.content_type = "application/json";
	T_EQ(http_body_limit(&r, &lim), 1024);
}

static void
test_body_limit_of_a_large_path(void)
{
	static const char *const large[] = { "/api/scripts/analyze", NULL };
	const char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/api/scripts/analyze",
		"CONTENT_TYPE=application/json", NULL };
	struct http_limits big = lim;
	struct request r;

	big.large_paths = large;
	big.max_large = 8192;
	T_EQ(parse(env, &r), HTTP_REJECT_NONE);
	T_EQ(http_body_limit(&r, &lim), 1024);	/* no list: the default cap */
	T_EQ(http_body_limit(&r, &big), 8192);
	r.path = "/api/scripts/analyzer";
	T_EQ(http_body_limit(&r, &big), 1024);
}

static struct request match_req;

static const struct route *
match_in(const struct route *t, size_t n, enum http_method m, const char *path, int *status,
    char *allow)
{
	arena_reset(&a);
	memset(&match_req, 0, sizeof(match_req));
	match_req.arena = &a;
	match_req.method = m;
	match_req.path = path;
	return router_match(t, n, &match_req, status, allow, 64);
}

static const struct route *
match(enum http_method m, const char *path, int *status, char *allow)
{
	return match_in(routes, PSS_ARRAY_LEN(routes), m, path, status, allow);
}

static void
test_router_params_and_literals_first(void)
{
	char allow[64];
	int status;
	const struct route *rt = match(HTTP_GET, "/api/scripts/search", &status, allow);

	T_ASSERT(rt != NULL && strcmp(rt->name, "search") == 0);
	rt = match(HTTP_GET, "/api/scripts/42/versions/3", &status, allow);
	T_ASSERT(rt != NULL && strcmp(rt->name, "version") == 0);
	rt = match(HTTP_HEAD, "/api/scripts/7", &status, allow);
	T_ASSERT(rt != NULL && strcmp(rt->name, "get") == 0);
}

static void
test_router_404_and_405_with_allow(void)
{
	char allow[64];
	int status;

	T_ASSERT(match(HTTP_GET, "/api/nope", &status, allow) == NULL);
	T_EQ(status, 404);
	/* a literal segment's prefix or extension is another path */
	T_ASSERT(match(HTTP_GET, "/api/script", &status, allow) == NULL);
	T_EQ(status, 404);
	T_ASSERT(match(HTTP_GET, "/api/scriptsx", &status, allow) == NULL);
	T_EQ(status, 404);
	T_ASSERT(match(HTTP_GET, "/api/scripts/7/versions", &status, allow) == NULL);
	T_EQ(status, 404);
	T_ASSERT(match(HTTP_GET, "/api/scripts//", &status, allow) == NULL);
	T_EQ(status, 404);
	T_ASSERT(match(HTTP_DELETE, "/api/scripts/9", &status, allow) == NULL);
	T_EQ(status, 405);
	T_STREQ(allow, "GET, HEAD, PUT");
}

/* One spelling per path: the others are 404 whatever the method, never the handler (issue 12:
 * nginx limits /api/auth/login exactly; /api/auth/login/ must not reach the login). */
static void
test_router_noncanonical_paths_are_404(void)
{
	static const char *const bad[] = {
		"REQUEST_URI=/api/scripts/", "REQUEST_URI=/api/scripts//", "REQUEST_URI=//api/scripts",
		"REQUEST_URI=/api//scripts", "REQUEST_URI=/api/scripts%2F", "REQUEST_URI=/api/scripts%2f",
		"REQUEST_URI=/api%2Fscripts", "REQUEST_URI=/api/./scripts", "REQUEST_URI=/api/x/../scripts",
		"REQUEST_URI=/api/scripts/.", "REQUEST_URI=/api/%2e%2e/api/scripts",
		"REQUEST_URI=/api/scripts/?page=1", "REQUEST_URI=/API/scripts", "REQUEST_URI=/api/Scripts",
		"REQUEST_URI=/api/scripts/7%2Fversions/3",
	};
	static const char *const good[] = {
		"REQUEST_URI=/api/scripts", "REQUEST_URI=/api/scripts?x=/", "REQUEST_URI=/api/scrip%74s",
		"REQUEST_URI=/api/scripts/7", "REQUEST_URI=/api/scripts/..7",
	};
	static struct request r;
	char allow[64];
	int status;

	for (size_t i = 0; i < PSS_ARRAY_LEN(bad); i++)
		for (enum http_method m = HTTP_GET; m <= HTTP_POST; m++) {
			const char *env[] = { m == HTTP_POST ? "REQUEST_METHOD=POST" : "REQUEST_METHOD=GET",
				bad[i], NULL };

			T_EQ(parse(env, &r), HTTP_REJECT_NONE);
			T_ASSERTF(router_match(routes, PSS_ARRAY_LEN(routes), &r, &status, allow, 64) == NULL &&
			    status == 404, "%s %s: status %d", http_methods[r.method], bad[i], status);
		}
	for (size_t i = 0; i < PSS_ARRAY_LEN(good); i++) {
		const char *env[] = { "REQUEST_METHOD=GET", good[i], NULL };

		T_EQ(parse(env, &r), HTTP_REJECT_NONE);
		T_ASSERTF(http_path_canonical(&r), "%s refused", good[i]);
		T_ASSERTF(router_match(routes, PSS_ARRAY_LEN(routes), &r, &status, allow, 64) != NULL,
		    "%s not routed (%d)", good[i], status);
	}
	/* the root itself is canonical */
	{
		const char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/", NULL };

		T_EQ(parse(env, &r), HTTP_REJECT_NONE);
		T_ASSERT(http_path_canonical(&r));
	}
}

static void
test_router_param_value(void)
{
	static struct request r;
	char allow[64];
	int status;

	arena_reset(&a);
	memset(&r, 0, sizeof(r));
	r.arena = &a;
	r.method = HTTP_GET;
	r.path = "/api/scripts/42/versions/3";
	T_ASSERT(router_match(routes, PSS_ARRAY_LEN(routes), &r, &status, allow, 64) != NULL);
	T_STREQ(http_param(&r, "id"), "42");
	T_STREQ(http_param(&r, "n"), "3");
	T_ASSERT(http_param(&r, "x") == NULL);
}

/* The index by first segments keeps the table's order across its lists: a param route
 * listed before a literal one still wins, and 405's Allow names the methods of both. */
static void
test_router_table_order_across_keys(void)
{
	static const struct route t[] = {
		{ HTTP_GET, "/x/:id", 0, NULL, "param", NULL },
		{ HTTP_GET, "/x/new", 0, NULL, "lit", NULL },
		{ HTTP_GET, "/:any/deep", 0, NULL, "first", NULL },
		{ HTTP_POST, "/y/:id", 0, NULL, "ypost", NULL },
		{ HTTP_PUT, "/y/z", 0, NULL, "yput", NULL },
		{ HTTP_GET, "/", 0, NULL, "root", NULL },
	};
	const struct route *rt;
	size_t n = PSS_ARRAY_LEN(t);
	char allow[64];
	int status;

	rt = match_in(t, n, HTTP_GET, "/x/new", &status, allow);
	T_ASSERT(rt != NULL && strcmp(rt->name, "param") == 0);
	T_STREQ(http_param(&match_req, "id"), "new");
	rt = match_in(t, n, HTTP_GET, "/q/deep", &status, allow);
	T_ASSERT(rt != NULL && strcmp(rt->name, "first") == 0);
	rt = match_in(t, n, HTTP_GET, "/", &status, allow);
	T_ASSERT(rt != NULL && strcmp(rt->name, "root") == 0);
	T_ASSERT(match_in(t, n, HTTP_GET, "/y/z", &status, allow) == NULL);
	T_EQ(status, 405);
	T_STREQ(allow, "POST, PUT");
	T_ASSERT(match_in(t, n, HTTP_GET, "/x", &status, allow) == NULL);
	T_EQ(status, 404);
	/* the table of the other tests again: its own index */
	T_ASSERT(match(HTTP_GET, "/api/scripts/42/versions/3", &status, allow) != NULL);
}

static void
test_response_header_strips_crlf(void)
{
	struct response resp;

	resp_init(&resp);
	resp_header(&resp, "X-Test", "a\r\nSet-Cookie: evil=1");
	T_STREQ(resp.headers.data, "X-Test: aSet-Cookie: evil=1\r\n");
	resp_free(&resp);
}

static void
test_accepts_gzip(void)
{
	T_ASSERT(http_accepts_gzip("gzip"));
	T_ASSERT(http_accepts_gzip("gzip, deflate, br"));
	T_ASSERT(http_accepts_gzip("br;q=1.0, GZip;q=0.5"));
	T_ASSERT(http_accepts_gzip("x-gzip"));
	T_ASSERT(http_accepts_gzip("*"));
	T_ASSERT(http_accepts_gzip("identity, *;q=0.1"));
	T_ASSERT(http_accepts_gzip("gzip;q=0.001"));
	T_ASSERT(!http_accepts_gzip(NULL));
	T_ASSERT(!http_accepts_gzip(""));
	T_ASSERT(!http_accepts_gzip("identity"));
	T_ASSERT(!http_accepts_gzip("deflate, br"));
	T_ASSERT(!http_accepts_gzip("gzip;q=0"));
	T_ASSERT(!http_accepts_gzip("gzip; q=0.000"));
	T_ASSERT(!http_accepts_gzip("*;q=1, gzip;q=0"));
	T_ASSERT(!http_accepts_gzip("*;q=0"));
	T_ASSERT(!http_accepts_gzip("gzipx, xgzip, gzip-x"));
	T_ASSERT(!http_accepts_gzip(",,, ;;;"));
}

/* gunzip: the gzip bytes (p, n) decoded into out (cap bytes); the decoded length or -1. */
static long
gunzip(const char *p, size_t n, char *out, size_t cap)
{
	z_stream z = { 0 };
	long len;

	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	len = inflate(&z, Z_FINISH) == Z_STREAM_END && z.avail_in == 0 ? (long)z.total_out : -1;
	inflateEnd(&z);
	return len;
}

/* The pieces' generator: the same on every run. */
static uint32_t rnd_state = 20261204;

static uint32_t
rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* rnd_text: n bytes appended to b, page-like text (compressible) or, one time in four, any
 * bytes at all. */
static void
rnd_text(struct buf *b, size_t n)
{
	static const char *const words[] = { "<tr id=\"L", "\">", "</td>", "Get-ChildItem ",
		"$files", " -Path ", "\n", "class=\"hl-flag\"", "é", "Write-Output " };
	bool binary = rnd() % 4 == 0;

	for (size_t k = 0; k < n; ) {
		const char *w = words[rnd() % PSS_ARRAY_LEN(words)];
		size_t wl = binary ? 1 : strlen(w);
		char c = (char)rnd();

		if (wl > n - k)
			wl = n - k;
		buf_append(b, binary ? &c : w, wl);
		k += wl;
	}
}

static void
test_gz_assemble_decodes_to_the_parts(void)
{
	struct buf body = BUF_INIT, out = BUF_INIT;
	char *dec = malloc(1 << 21), path[] = "/tmp/pss-gz-test.XXXXXX";
	static const size_t sizes[] = { 0, 1, 5, 300, 4000, 65535, 65536, 70000, 140000 };
	int fd;

	for (int round = 0; round < 60; round++) {
		struct http_gz_piece pc[8];
		struct http_gz_span sp[8];
		size_t n = 0, parts = rnd() % 9;
		long got;

		buf_reset(&body);
		buf_reset(&out);
		for (size_t i = 0; i < parts; i++) {
			size_t off = body.len, len = sizes[rnd() % PSS_ARRAY_LEN(sizes)];

			rnd_text(&body, len);
			if (rnd() % 2 == 0) {	/* a compressed piece (kept or per response); else
						 * these bytes go stored */
				T_ASSERT(http_gz_piece_make(&pc[n], body.data + off, len,
				    round % 2 ? HTTP_GZIP_LEVEL_ONCE : HTTP_GZIP_LEVEL_KEPT));
				sp[n].off = off;
				sp[n].piece = &pc[n];
				n++;
			}
		}
		http_gz_assemble(&out, body.data, body.len, sp, n);
		got = gunzip(out.data, out.len, dec, 1 << 21);
		T_ASSERTF(got == (long)body.len && (body.len == 0 || memcmp(dec, body.data, body.len) == 0),
		    "round %d: %zu parts, %zu pieces, %zu bytes: decoded %ld", round, parts, n, body.len, got);
		for (size_t i = 0; i < n; i++)
			http_gz_piece_free(&pc[i]);
	}

	/* gzip(1) reads it too (the last round's) */
	T_ASSERT((fd = mkstemp(path)) >= 0);
	T_EQ(write(fd, out.data, out.len), (long)out.len);
	close(fd);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "gzip -t < %s", path);
		T_EQ(system(cmd), 0);
	}
	unlink(path);
	buf_free(&body);
	buf_free(&out);
	free(dec);
}

/* What is stored is sent as it is: a secret between two pieces appears in the encoding
 * literally (never compressed with them), and each piece is the same bytes on every page. */
static void
test_gz_assemble_stores_what_is_not_a_piece(void)
{
	struct buf body = BUF_INIT, out = BUF_INIT, shared = BUF_INIT;
	struct http_gz_piece pc;
	struct http_gz_span sp[2];
	char *dec = malloc(1 << 20);
	const char *secret = "csrf=8f0e2a7c1b9d4e6f";
	const struct http_gzip_stats *st = http_gzip_stats();
	uint64_t pages = st->pages, pieces = st->pieces;

	for (int i = 0; i < 300; i++)
		buf_printf(&shared, "<tr id=\"L%d\"><td>Get-ChildItem -Path $Path</td></tr>\n", i);
	T_ASSERT(http_gz_piece_make(&pc, shared.data, shared.len, HTTP_GZIP_LEVEL_KEPT));
	T_ASSERT(pc.zlen < shared.len / 4);
	buf_puts(&body, "<head>");
	buf_append(&body, shared.data, shared.len);
	buf_puts(&body, secret);
	buf_append(&body, shared.data, shared.len);
	buf_puts(&body, "</html>");
	sp[0].off = 6;
	sp[1].off = 6 + shared.len + strlen(secret);
	sp[0].piece = sp[1].piece = &pc;
	http_gz_assemble(&out, body.data, body.len, sp, 2);
	T_EQ(gunzip(out.data, out.len, dec, 1 << 20), (long)body.len);
	T_ASSERT(memcmp(dec, body.data, body.len) == 0);
	T_ASSERT(memmem(out.data, out.len, secret, strlen(secret)) != NULL);
	T_ASSERT(memmem(out.data, out.len, pc.z, pc.zlen) != NULL);
	T_ASSERT(out.len < 2 * pc.zlen + 100);
	T_EQ(st->pieces - pieces, 1);	/* /metrics: psscript_gzip_pieces_total, _pages_total */
	T_EQ(st->pages - pages, 1);

	/* spans out of order or past the end: their bytes go stored, the body still decodes */
	sp[0].off = sp[1].off;
	sp[1].off = 6;
	buf_reset(&out);
	http_gz_assemble(&out, body.data, body.len, sp, 2);
	T_EQ(gunzip(out.data, out.len, dec, 1 << 20), (long)body.len);
	T_ASSERT(memcmp(dec, body.data, body.len) == 0);
	for (int k = 0; k < 2; k++) {	/* starting inside the body, and past its end */
		sp[0].off = k == 0 ? body.len - 10 : body.len + 4096;
		buf_reset(&out);
		http_gz_assemble(&out, body.data, body.len, sp, 1);
		T_EQ(gunzip(out.data, out.len, dec, 1 << 20), (long)body.len);
		T_ASSERT(memcmp(dec, body.data, body.len) == 0);
		T_ASSERT(out.len > body.len);
	}

	http_gz_piece_free(&pc);
	buf_free(&body);
	buf_free(&out);
	buf_free(&shared);
	free(dec);
}

/* gz_requests: a request that accepts gzip (gzr) and one that does not (idr), both alive
 * (the second in an arena of its own); 0, or -1 when either did not parse. */
static int
gz_requests(struct request *gzr, struct request *idr)
{
	static const char *const gz_env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/api/x",
		"HTTP_ACCEPT_ENCODING=gzip, deflate", NULL };
	static const char *const id_env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/api/x", NULL };
	static struct arena a2;

	arena_reset(&a2);
	return parse(gz_env, gzr) == HTTP_REJECT_NONE &&
	    http_request_parse(&a2, id_env, &lim, idr) == HTTP_REJECT_NONE ? 0 : -1;
}

/* answer_from: a cached value v (n bytes) under key answered as reply_text
 * (handlers/library.c) answers it: http_cached_reuse, else the body {"success":true,"v":v}
 * and http_cached_keep. Returns 'F' (a file from the memo), 'W' (a file written now), 'G'
 * (gzip from the memo) or 'B' (the body written now, gzipped or not). */
static char
answer_from(struct response *r, const struct request *req, const char *key, const char *v,
    size_t n)
{
	struct http_cached how;
	bool reused;

	resp_reset(r);
	r->status = 200;
	reused = http_cached_reuse(r, req, NULL, key, v, n, &how);
	if (!reused) {
		buf_puts(&r->body, "{\"success\":true,\"v\":");
		buf_append(&r->body, v, n);
		buf_putc(&r->body, '}');
		http_cached_keep(r, v, n, &how);
	}
	if (strstr(r->headers.data, "X-Accel-Redirect: ") != NULL)
		return reused ? 'F' : 'W';
	return reused ? 'G' : 'B';
}

static void
test_gzip_memo_answers_only_the_same_bytes(void)
{
	struct request gzr, idr;
	struct response r;
	struct buf v = BUF_INIT;
	char *out = malloc(1 << 20);
	const struct http_gzip_stats *st = http_gzip_stats();
	long n;

	http_gzip_reset();
	resp_init(&r);
	T_EQ(gz_requests(&gzr, &idr), 0);
	buf_putc(&v, '"');
	for (int i = 0; i < 400; i++)
		buf_printf(&v, "line %d of a cached value; ", i % 17);
	buf_putc(&v, '"');

	/* compressed once, then from the memo, decoding to the body the caller wrote */
	T_EQ(answer_from(&r, &gzr, "k1", v.data, v.len), 'B');
	T_ASSERT(strstr(r.headers.data, "Vary: Accept-Encoding\r\n") != NULL);
	T_ASSERT(strstr(r.headers.data, "Content-Encoding: gzip\r\n") != NULL);
	T_ASSERT(r.body.len < v.len / 4);
	n = gunzip(r.body.data, r.body.len, out, 1 << 20);
	T_EQ(n, (long)v.len + 21);
	T_ASSERT(memcmp(out, "{\"success\":true,\"v\":", 20) == 0 && memcmp(out + 20, v.data, v.len) == 0);
	T_EQ(st->compressed, 1);
	T_EQ(answer_from(&r, &gzr, "k1", v.data, v.len), 'G');
	T_EQ(st->memo_hits, 1);
	T_EQ(gunzip(r.body.data, r.body.len, out, 1 << 20), n);

	/* a changed value under the same key is compressed again, never the old one sent */
	v.data[10] = 'X';
	T_EQ(answer_from(&r, &gzr, "k1", v.data, v.len), 'B');
	T_EQ(st->compressed, 2);
	T_EQ(gunzip(r.body.data, r.body.len, out, 1 << 20), n);
	T_ASSERT(memcmp(out + 20, v.data, v.len) == 0);

	/* a client that does not ask gets the identity bytes (and Vary) */
	T_EQ(answer_from(&r, &idr, "k1", v.data, v.len), 'B');
	T_EQ(r.body.len, v.len + 21);
	T_ASSERT(strstr(r.headers.data, "Vary: Accept-Encoding\r\n") != NULL);
	T_ASSERT(strstr(r.headers.data, "Content-Encoding") == NULL);

	/* small bodies and incompressible ones stay as they are */
	T_EQ(answer_from(&r, &gzr, "k2", "\"short\"", 7), 'B');
	T_EQ(r.body.len, 28);
	T_ASSERT(strstr(r.headers.data, "Content-Encoding") == NULL);
	buf_reset(&v);
	buf_putc(&v, '"');
	srand(7);
	for (int i = 0; i < 3000; i++)
		buf_putc(&v, (char)(rand() % 256));	/* 8 bits of entropy a byte */
	buf_putc(&v, '"');
	T_EQ(answer_from(&r, &gzr, "k3", v.data, v.len), 'B');
	T_EQ(r.body.len, v.len + 21);
	T_ASSERT(strstr(r.headers.data, "Content-Encoding") == NULL);
	T_EQ(answer_from(&r, &gzr, "k3", v.data, v.len), 'B');	/* not kept: tried again */
	buf_free(&v);
	free(out);
	resp_free(&r);
	http_gzip_reset();
}

/* An answer made for one request (http_gzip_uncached): compressed each time for a client
 * that asks, decoding to the body written; one that does not ask gets it as it is (with
 * Vary); a small body or an incompressible one goes as it is, and only a body sent
 * compressed is counted. */
static void
test_gzip_uncached_compresses_each_answer(void)
{
	struct request gzr, idr;
	struct response r;
	struct buf v = BUF_INIT;
	char *out = malloc(1 << 20);
	const struct http_gzip_stats *st = http_gzip_stats();
	long n;

	http_gzip_reset();
	resp_init(&r);
	T_EQ(gz_requests(&gzr, &idr), 0);
	for (int i = 0; i < 400; i++)
		buf_printf(&v, "{\"line\":%d,\"message\":\"the same words again\"},", i);
	resp_reset(&r);		/* not asked */
	buf_append(&r.body, v.data, v.len);
	http_gzip_uncached(&r, &idr);
	T_ASSERT(strstr(r.headers.data, "Vary: Accept-Encoding\r\n") != NULL);
	T_ASSERT(strstr(r.headers.data, "Content-Encoding") == NULL);
	T_EQ(r.body.len, v.len);
	T_EQ(st->uncached, 0);
	for (int round = 1; round <= 2; round++) {	/* nothing kept: compressed again */
		resp_reset(&r);
		buf_append(&r.body, v.data, v.len);
		http_gzip_uncached(&r, &gzr);
		T_ASSERT(strstr(r.headers.data, "Vary: Accept-Encoding\r\n") != NULL);
		T_ASSERT(strstr(r.headers.data, "Content-Encoding: gzip\r\n") != NULL);
		T_ASSERT(r.body.len < v.len / 4);
		n = gunzip(r.body.data, r.body.len, out, 1 << 20);
		T_EQ(n, (long)v.len);
		T_ASSERT(memcmp(out, v.data, v.len) == 0);
		T_EQ(st->uncached, (uint64_t)round);
	}

	resp_reset(&r);		/* under HTTP_GZIP_MIN */
	buf_append(&r.body, v.data, HTTP_GZIP_MIN - 1);
	http_gzip_uncached(&r, &gzr);
	T_EQ(r.body.len, HTTP_GZIP_MIN - 1);
	T_ASSERT(strstr(r.headers.data, "Content-Encoding") == NULL);
	resp_reset(&r);		/* incompressible */
	srand(11);
	for (int i = 0; i < 3000; i++)
		buf_putc(&r.body, (char)(rand() % 256));
	http_gzip_uncached(&r, &gzr);
	T_EQ(r.body.len, 3000);
	T_ASSERT(strstr(r.headers.data, "Content-Encoding") == NULL);
	T_EQ(st->uncached, 2);
	buf_free(&v);
	free(out);
	resp_free(&r);
	http_gzip_reset();
}

/* the redirect's file name, and that file's bytes compared with want (want_len bytes) */
static bool
file_holds(const char *dir, const struct response *r, const char *want, size_t want_len)
{
	const char *h = strstr(r->headers.data, "X-Accel-Redirect: " HTTP_ANSWER_FILES_URI);
	char path[512], *got = malloc(want_len + 1);
	size_t k = 0;
	FILE *f;
	bool same;

	if (h == NULL || got == NULL) {
		free(got);
		return false;
	}
	h += strlen("X-Accel-Redirect: " HTTP_ANSWER_FILES_URI);
	snprintf(path, sizeof(path), "%s/%.*s", dir, (int)strcspn(h, "\r"), h);
	if ((f = fopen(path, "rb")) != NULL) {
		k = fread(got, 1, want_len + 1, f);
		fclose(f);
	}
	same = k == want_len && memcmp(got, want, want_len) == 0;
	free(got);
	return same;
}

static void
test_answer_files_share_the_memo_and_stop_on_a_failed_write(void)
{
	const char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/api/x",
		"HTTP_ACCEPT_ENCODING=gzip", NULL };
	const struct http_answer_file_stats *fs = http_answer_file_stats();
	const struct http_gzip_stats *gs = http_gzip_stats();
	char dir[] = "/tmp/test-http-answers.XXXXXX", cmd[128], *out = malloc(1 << 20);
	struct request req;
	struct response r;
	struct buf v = BUF_INIT, v2 = BUF_INIT, body = BUF_INIT;

	T_ASSERT(mkdtemp(dir) != NULL);
	http_answer_files_reset();
	http_gzip_reset();
	T_ASSERT(http_answer_files_init(dir, ""));
	resp_init(&r);
	T_EQ(parse(env, &req), HTTP_REJECT_NONE);
	buf_putc(&v, '"');
	for (int i = 0; i < 900; i++)
		buf_printf(&v, "line %d of a long answer; ", i % 23);
	buf_putc(&v, '"');
	buf_printf(&body, "{\"success\":true,\"v\":%s}", v.data);

	/* written once, then named from the memo; the file holds the body */
	T_EQ(answer_from(&r, &req, "k1", v.data, v.len), 'W');
	T_EQ(r.body.len, 0);
	T_ASSERT(file_holds(dir, &r, body.data, body.len));
	T_EQ(answer_from(&r, &req, "k1", v.data, v.len), 'F');
	T_ASSERT(file_holds(dir, &r, body.data, body.len));
	T_EQ(fs->written, 1);
	T_EQ(fs->sent, 2);

	/* a changed value: a new file, never the old one */
	v.data[5] = 'X';
	body.data[strlen("{\"success\":true,\"v\":") + 5] = 'X';
	T_EQ(answer_from(&r, &req, "k1", v.data, v.len), 'W');
	T_ASSERT(file_holds(dir, &r, body.data, body.len));
	T_EQ(fs->written, 2);
	/* another answer filed now, for the window below */
	buf_append(&v2, v.data, v.len);
	T_EQ(answer_from(&r, &req, "k2", v2.data, v2.len), 'W');
	T_EQ(fs->written, 3);
	T_EQ(gs->compressed, 0);

	/* the folder gone: the write fails once, the answer goes gzipped; then the files are off
	 * for a while and the gzip body comes from the memo (not compressed again each time) */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	T_EQ(system(cmd), 0);
	v.data[6] = 'Y';
	body.data[strlen("{\"success\":true,\"v\":") + 6] = 'Y';
	T_EQ(answer_from(&r, &req, "k1", v.data, v.len), 'B');	/* (its warning below LOG_ERROR) */
	T_EQ(fs->failed, 1);
	T_ASSERT(strstr(r.headers.data, "Content-Encoding: gzip\r\n") != NULL);
	T_EQ(gunzip(r.body.data, r.body.len, out, 1 << 20), (long)body.len);
	T_ASSERT(memcmp(out, body.data, body.len) == 0);
	T_EQ(gs->compressed, 1);
	T_EQ(answer_from(&r, &req, "k1", v.data, v.len), 'G');
	T_EQ(answer_from(&r, &req, "k1", v.data, v.len), 'G');
	T_EQ(gs->compressed, 1);
	T_EQ(gs->memo_hits, 2);
	T_EQ(fs->failed, 1);
	T_EQ(gunzip(r.body.data, r.body.len, out, 1 << 20), (long)body.len);
	T_ASSERT(memcmp(out, body.data, body.len) == 0);
	/* in that window, an answer that was filed goes gzipped from the encoding written beside
	 * its file, not compressed again */
	T_EQ(answer_from(&r, &req, "k2", v2.data, v2.len), 'G');
	T_EQ(gs->compressed, 1);
	T_EQ(gs->memo_hits, 3);
	T_ASSERT(strstr(r.headers.data, "Content-Encoding: gzip\r\n") != NULL);
	{
		static const char head[] = "{\"success\":true,\"v\":";
		long n = gunzip(r.body.data, r.body.len, out, 1 << 20);

		T_EQ(n, (long)(sizeof(head) - 1 + v2.len + 1));
		T_ASSERT(n > 0 && memcmp(out, head, sizeof(head) - 1) == 0 &&
		    memcmp(out + sizeof(head) - 1, v2.data, v2.len) == 0);
	}

	T_ASSERT(http_answer_files_init(NULL, NULL));
	http_answer_files_reset();
	http_gzip_reset();
	buf_free(&v);
	buf_free(&v2);
	buf_free(&body);
	free(out);
	resp_free(&r);
}

int
main(void)
{
	log_init("test-http", LOG_ERROR);
	arena_init(&a);
	T_RUN(test_request_typed_fields);
	T_RUN(test_accepts_gzip);
	T_RUN(test_gzip_memo_answers_only_the_same_bytes);
	T_RUN(test_gzip_uncached_compresses_each_answer);
	T_RUN(test_answer_files_share_the_memo_and_stop_on_a_failed_write);
	T_RUN(test_request_generates_id_when_missing_or_hostile);
	T_RUN(test_request_rejects_bad_paths);
	T_RUN(test_request_rejects_bad_query_and_method);
	T_RUN(test_request_header_flood_rejected);
	T_RUN(test_body_limit_by_content_type);
	T_RUN(test_body_limit_of_a_large_path);
	T_RUN(test_router_params_and_literals_first);
	T_RUN(test_router_404_and_405_with_allow);
	T_RUN(test_router_noncanonical_paths_are_404);
	T_RUN(test_router_param_value);
	T_RUN(test_router_table_order_across_keys);
	T_RUN(test_response_header_strips_crlf);
	T_RUN(test_gz_assemble_decodes_to_the_parts);
	T_RUN(test_gz_assemble_stores_what_is_not_a_piece);
	arena_free(&a);
	return t_done();
}
