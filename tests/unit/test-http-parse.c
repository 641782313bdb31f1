/* test-http-parse.c: unit tests of the untrusted-bytes parsers (urlencoded, cookies, multipart,
 * JSON objects of strings) */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "http/parse.h"
#include "t.h"

static struct arena A;

/* T_REQUIRE: a failed precondition ends the test point (later checks would crash). */
#define T_REQUIRE(cond) do { if (!(cond)) { T_FAIL_("required: %s", #cond); return; } } while (0)

/* exact: a heap copy of n bytes with no NUL after them, so that any read past
 * the given length trips ASan or valgrind. The caller frees. */
static char *
exact(const char *s, size_t n)
{
	char *p = xmalloc(n ? n : 1);

	memcpy(p, s, n);
	return p;
}

static enum pss_err
url(const char *s, size_t max, struct kvlist *l)
{
	size_t n = strlen(s);
	char *p = exact(s, n);
	enum pss_err e = urlenc_parse(&A, p, n, max, l);

	free(p);	/* keys and values live in the arena, not in the input */
	return e;
}

static enum pss_err
cookie(const char *s, size_t max, struct kvlist *l)
{
	size_t n = strlen(s);
	char *p = exact(s, n);
	enum pss_err e = cookie_parse(&A, p, n, max, l);

	free(p);
	return e;
}

/* mp: parse body (n bytes) with boundary; the parts point into the copy, which
 * is kept in *keep for the caller to free. */
static enum pss_err
mp_n(const char *boundary, const char *body, size_t n, size_t max, struct mpartlist *l,
    char **keep)
{
	*keep = exact(body, n);
	return multipart_parse(&A, boundary, *keep, n, max, l);
}

static enum pss_err
mp(const char *boundary, const char *body, struct mpartlist *l, char **keep)
{
	return mp_n(boundary, body, strlen(body), 100, l, keep);
}

/* mp_err: the error of parsing body, freeing everything. */
static enum pss_err
mp_err(const char *boundary, const char *body)
{
	struct mpartlist l;
	char *keep;
	enum pss_err e = mp(boundary, body, &l, &keep);

	free(keep);
	if (e != PSS_OK)
		T_EQ(l.n, 0);
	return e;
}

static int
data_is(const struct mpart *p, const char *want)
{
	return p != NULL && p->len == strlen(want) && memcmp(p->data, want, p->len) == 0;
}

/* ---- urlencoded ---- */

static void
test_urlenc_splits_pairs_in_order(void)
{
	struct kvlist l;

	T_EQ(url("a=1&b=two&c=", 10, &l), PSS_OK);
	T_REQUIRE(l.n == 3);
	T_STREQ(l.items[0].key, "a");
	T_STREQ(l.items[0].val, "1");
	T_STREQ(l.items[1].key, "b");
	T_STREQ(l.items[1].val, "two");
	T_EQ(l.items[1].val_len, 3);
	T_STREQ(l.items[2].key, "c");
	T_STREQ(l.items[2].val, "");
}

static void
test_urlenc_plus_is_space(void)
{
	struct kvlist l;

	T_EQ(url("q=hello+world&a+b=c", 10, &l), PSS_OK);
	T_STREQ(kv_get(&l, "q"), "hello world");
	T_STREQ(kv_get(&l, "a b"), "c");
}

static void
test_urlenc_percent_hex_either_case(void)
{
	struct kvlist l;

	T_EQ(url("p=%2f%2F%41%7e%2B", 10, &l), PSS_OK);
	T_STREQ(kv_get(&l, "p"), "//A~+");
}

static void
test_urlenc_key_without_equals_is_empty_value(void)
{
	struct kvlist l;

	T_EQ(url("flag&x=1", 10, &l), PSS_OK);
	T_REQUIRE(l.n == 2);
	T_STREQ(kv_get(&l, "flag"), "");
	T_EQ(l.items[0].val_len, 0);
}

static void
test_urlenc_empty_keys_skipped(void)
{
	struct kvlist l;

	T_EQ(url("=x&&a=1&=&&", 10, &l), PSS_OK);
	T_REQUIRE(l.n == 1);
	T_STREQ(l.items[0].key, "a");
}

static void
test_urlenc_duplicate_keys_kept_in_order(void)
{
	struct kvlist l;

	T_EQ(url("tag=a&x=0&tag=b&tag=c", 10, &l), PSS_OK);
	T_REQUIRE(l.n == 4);
	T_STREQ(kv_get(&l, "tag"), "a");
	T_STREQ(l.items[2].val, "b");
	T_STREQ(l.items[3].val, "c");
}

static void
test_urlenc_value_keeps_later_equals(void)
{
	struct kvlist l;

	T_EQ(url("t=a=b==", 10, &l), PSS_OK);
	T_STREQ(kv_get(&l, "t"), "a=b==");
}

static void
test_urlenc_bad_escape_rejected(void)
{
	struct kvlist l;

	T_EQ(url("a=%zz", 10, &l), PSS_EINVAL);
	T_EQ(url("a=%g1", 10, &l), PSS_EINVAL);
	T_EQ(url("a=%1g", 10, &l), PSS_EINVAL);
	T_EQ(url("%x=1", 10, &l), PSS_EINVAL);
	T_EQ(url("a=%%41", 10, &l), PSS_EINVAL);
}

static void
test_urlenc_truncated_escape_at_end_rejected(void)
{
	struct kvlist l;

	T_EQ(url("a=%4", 10, &l), PSS_EINVAL);
	T_EQ(url("a=%", 10, &l), PSS_EINVAL);
	T_EQ(url("a=1&%", 10, &l), PSS_EINVAL);
}

static void
test_urlenc_nul_rejected(void)
{
	struct kvlist l;
	char raw[] = "a=1\0b";

	T_EQ(url("a=%00", 10, &l), PSS_EINVAL);
	T_EQ(url("a%00b=1", 10, &l), PSS_EINVAL);
	T_EQ(urlenc_parse(&A, raw, sizeof(raw) - 1, 10, &l), PSS_EINVAL);
}

static void
test_urlenc_invalid_utf8_rejected(void)
{
	struct kvlist l;

	T_EQ(url("a=%ff", 10, &l), PSS_EINVAL);
	T_EQ(url("a=%c0%af", 10, &l), PSS_EINVAL);		/* overlong '/' */
	T_EQ(url("a=%ed%a0%80", 10, &l), PSS_EINVAL);	/* surrogate */
	T_EQ(url("a=%e2%82", 10, &l), PSS_EINVAL);	/* truncated sequence */
	T_EQ(url("%ff=1", 10, &l), PSS_EINVAL);
	T_EQ(url("a=\xff", 10, &l), PSS_EINVAL);
}

static void
test_urlenc_valid_utf8_accepted(void)
{
	struct kvlist l;

	T_EQ(url("name=%C3%A9t%c3%a9&raw=\xe2\x82\xac&emoji=%F0%9F%98%80", 10, &l), PSS_OK);
	T_STREQ(kv_get(&l, "name"), "\xc3\xa9t\xc3\xa9");
	T_STREQ(kv_get(&l, "raw"), "\xe2\x82\xac");
	T_STREQ(kv_get(&l, "emoji"), "\xf0\x9f\x98\x80");
}

static void
test_urlenc_too_many_pairs(void)
{
	struct kvlist l;

	T_EQ(url("a=1&b=2", 2, &l), PSS_OK);
	T_REQUIRE(l.n == 2);
	T_EQ(url("a=1&b=2&c=3", 2, &l), PSS_ETOOBIG);
	T_EQ(l.n, 0);
	T_EQ(url("a=1&&=x&b=2&", 2, &l), PSS_OK);	/* skipped pairs do not count */
	T_EQ(url("a", 0, &l), PSS_ETOOBIG);
}

static void
test_urlenc_empty_input(void)
{
	struct kvlist l;

	T_EQ(urlenc_parse(&A, NULL, 0, 10, &l), PSS_OK);
	T_EQ(l.n, 0);
	T_EQ(url("&&&", 10, &l), PSS_OK);
	T_EQ(l.n, 0);
	T_ASSERT(kv_get(&l, "a") == NULL);
	T_ASSERT(kv_get(NULL, "a") == NULL);
}

static void
test_urlenc_reads_only_given_length(void)
{
	struct kvlist l;
	char *p = exact("a=1&b=2", 7);

	T_EQ(urlenc_parse(&A, p, 3, 10, &l), PSS_OK);
	T_REQUIRE(l.n == 1);
	T_STREQ(kv_get(&l, "a"), "1");
	T_EQ(urlenc_parse(&A, p, 5, 10, &l), PSS_OK);
	T_REQUIRE(l.n == 2);
	T_STREQ(kv_get(&l, "b"), "");
	T_EQ(urlenc_parse(&A, p + 4, 2, 10, &l), PSS_OK);	/* "b=" */
	T_STREQ(kv_get(&l, "b"), "");
	free(p);
	p = exact("a=%41", 5);
	T_EQ(urlenc_parse(&A, p, 4, 10, &l), PSS_EINVAL);	/* the escape is cut */
	free(p);
}

static void
test_urlenc_many_pairs(void)
{
	struct buf b = BUF_INIT;
	struct kvlist l;

	for (int i = 0; i < 100000; i++)
		buf_printf(&b, "k%d=v%d&", i, i);
	T_EQ(urlenc_parse(&A, b.data, b.len, 100000, &l), PSS_OK);
	T_REQUIRE(l.n == 100000);
	T_STREQ(l.items[99999].key, "k99999");
	T_STREQ(l.items[99999].val, "v99999");
	T_EQ(urlenc_parse(&A, b.data, b.len, 99999, &l), PSS_ETOOBIG);
	buf_free(&b);
}

static void
test_urlenc_decode_plus_kept_for_paths(void)
{
	char out[16];
	size_t n;

	T_EQ(urlenc_decode(out, "a+b%20c", 7, 0, &n), PSS_OK);
	T_EQ(n, 5);
	T_ASSERT(memcmp(out, "a+b c", 5) == 0);
	T_EQ(urlenc_decode(out, "a+b", 3, 1, &n), PSS_OK);
	T_ASSERT(memcmp(out, "a b", 3) == 0);
	T_EQ(urlenc_decode(out, "%2", 2, 0, &n), PSS_EINVAL);
}

/* ---- cookies ---- */

static void
test_cookie_splits_pairs(void)
{
	struct kvlist l;

	T_EQ(cookie("sid=abc123; theme=dark", 10, &l), PSS_OK);
	T_REQUIRE(l.n == 2);
	T_STREQ(l.items[0].key, "sid");
	T_STREQ(l.items[0].val, "abc123");
	T_STREQ(l.items[1].key, "theme");
	T_STREQ(l.items[1].val, "dark");
	T_EQ(l.items[1].val_len, 4);
}

static void
test_cookie_whitespace_tolerant(void)
{
	struct kvlist l;

	T_EQ(cookie("  a = 1 ;b=2;\tc\t=\t3  ;  ", 10, &l), PSS_OK);
	T_REQUIRE(l.n == 3);
	T_STREQ(kv_get(&l, "a"), "1");
	T_STREQ(kv_get(&l, "b"), "2");
	T_STREQ(kv_get(&l, "c"), "3");
}

static void
test_cookie_quoted_value_unquoted(void)
{
	struct kvlist l;

	T_EQ(cookie("a=\"x y\"; b=\"\"; c = \"q\" ", 10, &l), PSS_OK);
	T_STREQ(kv_get(&l, "a"), "x y");
	T_STREQ(kv_get(&l, "b"), "");
	T_STREQ(kv_get(&l, "c"), "q");
}

static void
test_cookie_lone_quote_kept(void)
{
	struct kvlist l;

	T_EQ(cookie("a=\"x; b=\"", 10, &l), PSS_OK);
	T_STREQ(kv_get(&l, "a"), "\"x");
	T_STREQ(kv_get(&l, "b"), "\"");
}

static void
test_cookie_pair_without_equals_skipped(void)
{
	struct kvlist l;

	T_EQ(cookie("foo; a=1; bar", 10, &l), PSS_OK);
	T_REQUIRE(l.n == 1);
	T_STREQ(kv_get(&l, "a"), "1");
	T_ASSERT(kv_get(&l, "foo") == NULL);
}

static void
test_cookie_empty_name_skipped(void)
{
	struct kvlist l;

	T_EQ(cookie("=x; a=1;  =y", 10, &l), PSS_OK);
	T_REQUIRE(l.n == 1);
	T_STREQ(l.items[0].key, "a");
}

static void
test_cookie_empty_value_kept(void)
{
	struct kvlist l;

	T_EQ(cookie("a=; b=2", 10, &l), PSS_OK);
	T_REQUIRE(l.n == 2);
	T_STREQ(kv_get(&l, "a"), "");
}

static void
test_cookie_value_keeps_equals(void)
{
	struct kvlist l;

	T_EQ(cookie("tok=YWJj==; x=a=b", 10, &l), PSS_OK);
	T_STREQ(kv_get(&l, "tok"), "YWJj==");
	T_STREQ(kv_get(&l, "x"), "a=b");
}

static void
test_cookie_control_bytes_skip_pair(void)
{
	struct kvlist l;

	T_EQ(cookie("a=\x01; b=2; c\x7f=3; d=x\ty", 10, &l), PSS_OK);
	T_REQUIRE(l.n == 1);
	T_STREQ(kv_get(&l, "b"), "2");
}

static void
test_cookie_invalid_utf8_skips_pair(void)
{
	struct kvlist l;

	T_EQ(cookie("a=\xe9t\xe9; b=\xc3\xa9; \xff=1", 10, &l), PSS_OK);
	T_REQUIRE(l.n == 1);
	T_STREQ(kv_get(&l, "b"), "\xc3\xa9");
}

static void
test_cookie_nul_rejected(void)
{
	struct kvlist l;
	char raw[] = "a=1; b=\0; c=3";

	T_EQ(cookie_parse(&A, raw, sizeof(raw) - 1, 10, &l), PSS_EINVAL);
	T_EQ(l.n, 0);
}

static void
test_cookie_not_percent_decoded(void)
{
	struct kvlist l;

	T_EQ(cookie("a=%41+b; b=%zz", 10, &l), PSS_OK);
	T_STREQ(kv_get(&l, "a"), "%41+b");
	T_STREQ(kv_get(&l, "b"), "%zz");
}

static void
test_cookie_duplicate_names_first_wins(void)
{
	struct kvlist l;

	T_EQ(cookie("sid=specific; sid=general", 10, &l), PSS_OK);
	T_REQUIRE(l.n == 2);
	T_STREQ(kv_get(&l, "sid"), "specific");
}

static void
test_cookie_too_many_pairs(void)
{
	struct kvlist l;

	T_EQ(cookie("a=1; b=2", 2, &l), PSS_OK);
	T_EQ(cookie("a=1; b=2; c=3", 2, &l), PSS_ETOOBIG);
	T_EQ(l.n, 0);
	T_EQ(cookie("a=1; junk; =x; b=2", 2, &l), PSS_OK);	/* skipped do not count */
}

static void
test_cookie_empty_and_separators_only(void)
{
	struct kvlist l;

	T_EQ(cookie_parse(&A, NULL, 0, 10, &l), PSS_OK);
	T_EQ(l.n, 0);
	T_EQ(cookie(";;; ; ", 10, &l), PSS_OK);
	T_EQ(l.n, 0);
}

static void
test_cookie_reads_only_given_length(void)
{
	struct kvlist l;
	char *p = exact("a=\"12\"; b=2", 11);

	T_EQ(cookie_parse(&A, p, 5, 10, &l), PSS_OK);	/* a="12 */
	T_STREQ(kv_get(&l, "a"), "\"12");
	T_EQ(cookie_parse(&A, p, 11, 10, &l), PSS_OK);
	T_STREQ(kv_get(&l, "b"), "2");
	free(p);
}

/* ---- multipart_boundary ---- */

static enum pss_err
bnd(const char *ct, const char **b)
{
	return multipart_boundary(&A, ct, b);
}

static void
test_boundary_unquoted(void)
{
	const char *b;

	T_EQ(bnd("multipart/form-data; boundary=------------------------d74496d66958873e", &b),
	    PSS_OK);
	T_STREQ(b, "------------------------d74496d66958873e");
	T_EQ(bnd("multipart/form-data;boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", &b),
	    PSS_OK);
	T_STREQ(b, "----WebKitFormBoundary7MA4YWxkTrZu0gW");
}

static void
test_boundary_quoted(void)
{
	const char *b;

	T_EQ(bnd("multipart/form-data; boundary=\"a b:c/d=e?'()+_,-.\"", &b), PSS_OK);
	T_STREQ(b, "a b:c/d=e?'()+_,-.");
	T_EQ(bnd("multipart/form-data; boundary=\"simple\"", &b), PSS_OK);
	T_STREQ(b, "simple");
}

static void
test_boundary_case_insensitive(void)
{
	const char *b;

	T_EQ(bnd("Multipart/Form-Data; BOUNDARY=xYz", &b), PSS_OK);
	T_STREQ(b, "xYz");
}

static void
test_boundary_among_other_params(void)
{
	const char *b;

	T_EQ(bnd("multipart/form-data; charset=utf-8 ; boundary = abc ;", &b), PSS_OK);
	T_STREQ(b, "abc");
	T_EQ(bnd("multipart/form-data; x=\"; boundary=evil\"; boundary=good", &b), PSS_OK);
	T_STREQ(b, "good");
	T_EQ(bnd("  multipart/form-data ;; boundary=q", &b), PSS_OK);
	T_STREQ(b, "q");
}

static void
test_boundary_length_limits(void)
{
	char ct[200];
	const char *b;

	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%070d", 7);
	T_EQ(bnd(ct, &b), PSS_OK);
	T_EQ(strlen(b), 70);
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%071d", 7);
	T_EQ(bnd(ct, &b), PSS_EINVAL);
	T_ASSERT(b == NULL);
	T_EQ(bnd("multipart/form-data; boundary=", &b), PSS_EINVAL);
	T_EQ(bnd("multipart/form-data; boundary=\"\"", &b), PSS_EINVAL);
}

static void
test_boundary_bad_chars_rejected(void)
{
	const char *b;

	T_EQ(bnd("multipart/form-data; boundary=\"a@b\"", &b), PSS_EINVAL);
	T_EQ(bnd("multipart/form-data; boundary=\"ab \"", &b), PSS_EINVAL);	/* space last */
	T_EQ(bnd("multipart/form-data; boundary=a\x01", &b), PSS_EINVAL);
	T_EQ(bnd("multipart/form-data; boundary=\"a\r\nb\"", &b), PSS_EINVAL);
	T_EQ(bnd("multipart/form-data; boundary=\xc3\xa9", &b), PSS_EINVAL);
}

static void
test_boundary_missing_or_duplicate_rejected(void)
{
	const char *b;

	T_EQ(bnd("multipart/form-data", &b), PSS_EINVAL);
	T_EQ(bnd("multipart/form-data; charset=utf-8", &b), PSS_EINVAL);
	T_EQ(bnd("multipart/form-data; boundary=a; boundary=a", &b), PSS_EINVAL);
	T_EQ(bnd("multipart/form-data; boundary", &b), PSS_EINVAL);
	T_EQ(bnd("multipart/form-data; boundary=\"abc", &b), PSS_EINVAL);
	T_EQ(bnd("multipart/form-data; boundary=abc junk", &b), PSS_EINVAL);
}

static void
test_boundary_wrong_type_rejected(void)
{
	const char *b;

	T_EQ(bnd(NULL, &b), PSS_EINVAL);
	T_EQ(bnd("", &b), PSS_EINVAL);
	T_EQ(bnd("multipart/mixed; boundary=abc", &b), PSS_EINVAL);
	T_EQ(bnd("text/plain; boundary=abc", &b), PSS_EINVAL);
	T_EQ(bnd("multipart/form-dataX; boundary=abc", &b), PSS_EINVAL);
	T_EQ(bnd("application/x-www-form-urlencoded", &b), PSS_EINVAL);
}

/* ---- multipart_parse ---- */

#define CURL_B "------------------------d74496d66958873e"

static void
test_multipart_curl_body(void)
{
	const char *body =
	    "--" CURL_B "\r\n"
	    "Content-Disposition: form-data; name=\"title\"\r\n"
	    "\r\n"
	    "My script\r\n"
	    "--" CURL_B "\r\n"
	    "Content-Disposition: form-data; name=\"script_file\"; filename=\"hello.ps1\"\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "\r\n"
	    "Write-Host 'hi'\r\nGet-Date\r\n"
	    "\r\n"
	    "--" CURL_B "--\r\n";
	struct mpartlist l;
	char *keep;

	T_EQ(mp(CURL_B, body, &l, &keep), PSS_OK);
	T_REQUIRE(l.n == 2);
	T_STREQ(l.items[0].name, "title");
	T_ASSERT(l.items[0].filename == NULL);
	T_ASSERT(l.items[0].content_type == NULL);
	T_ASSERT(data_is(&l.items[0], "My script"));
	T_STREQ(l.items[1].name, "script_file");
	T_STREQ(l.items[1].filename, "hello.ps1");
	T_STREQ(l.items[1].content_type, "application/octet-stream");
	T_ASSERT(data_is(&l.items[1], "Write-Host 'hi'\r\nGet-Date\r\n"));
	T_ASSERT(l.items[1].data >= keep && l.items[1].data + l.items[1].len <= keep + strlen(body));
	free(keep);
}

#define WK_B "----WebKitFormBoundary7MA4YWxkTrZu0gW"

static void
test_multipart_browser_empty_file_input(void)
{
	const char *body =
	    "--" WK_B "\r\n"
	    "Content-Disposition: form-data; name=\"files\"; filename=\"\"\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "\r\n"
	    "\r\n"
	    "--" WK_B "\r\n"
	    "Content-Disposition: form-data; name=\"is_public\"\r\n"
	    "\r\n"
	    "on\r\n"
	    "--" WK_B "--\r\n";
	struct mpartlist l;
	char *keep;

	T_EQ(mp(WK_B, body, &l, &keep), PSS_OK);
	T_REQUIRE(l.n == 2);
	T_STREQ(l.items[0].filename, "");
	T_EQ(l.items[0].len, 0);
	T_ASSERT(data_is(multipart_get(&l, "is_public"), "on"));
	free(keep);
}

static void
test_multipart_preamble_and_epilogue(void)
{
	const char *body =
	    "This is a preamble.\r\n--B is not it\r\n"
	    "--B\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n"
	    "\r\n"
	    "1\r\n"
	    "--B--\r\n"
	    "epilogue\r\n--B\r\nContent-Disposition: form-data; name=\"evil\"\r\n\r\nx\r\n--B--";
	struct mpartlist l;
	char *keep;

	T_EQ(mp("B", body, &l, &keep), PSS_OK);
	T_REQUIRE(l.n == 1);
	T_ASSERT(data_is(multipart_get(&l, "a"), "1"));
	T_ASSERT(multipart_get(&l, "evil") == NULL);
	free(keep);
	/* A dash-boundary line with junk after it is preamble, not a delimiter. */
	T_EQ(mp("B", "--B junk\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--B--",
	    &l, &keep), PSS_OK);
	T_EQ(l.n, 0);
	free(keep);
}

static void
test_multipart_leading_crlf_before_first_delimiter(void)
{
	struct mpartlist l;
	char *keep;

	T_EQ(mp("B", "\r\n--B\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--B--", &l,
	    &keep), PSS_OK);
	T_REQUIRE(l.n == 1);
	T_ASSERT(data_is(&l.items[0], "v"));
	free(keep);
}

static void
test_multipart_bare_lf_body(void)
{
	const char *body =
	    "--B\n"
	    "Content-Disposition: form-data; name=\"a\"\n"
	    "\n"
	    "line1\r\nline2\n"
	    "--B\n"
	    "Content-Disposition: form-data; name=\"b\"\n"
	    "\n"
	    "\n"
	    "--B--\n";
	struct mpartlist l;
	char *keep;

	T_EQ(mp("B", body, &l, &keep), PSS_OK);
	T_REQUIRE(l.n == 2);
	T_ASSERT(data_is(&l.items[0], "line1\r\nline2"));
	T_ASSERT(data_is(&l.items[1], ""));
	free(keep);
}

static void
test_multipart_crlf_body_keeps_bare_lf_lookalike(void)
{
	const char *body =
	    "--B\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n"
	    "\r\n"
	    "x\n--B\ny"
	    "\r\n--B--\r\n";
	struct mpartlist l;
	char *keep;

	T_EQ(mp("B", body, &l, &keep), PSS_OK);
	T_REQUIRE(l.n == 1);
	T_ASSERT(data_is(&l.items[0], "x\n--B\ny"));
	free(keep);
}

static void
test_multipart_close_without_line_end(void)
{
	struct mpartlist l;
	char *keep;

	T_EQ(mp("B", "--B\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--B--", &l, &keep),
	    PSS_OK);
	T_REQUIRE(l.n == 1);
	T_ASSERT(data_is(&l.items[0], "v"));
	free(keep);
}

static void
test_multipart_transport_padding(void)
{
	struct mpartlist l;
	char *keep;

	T_EQ(mp("B", "--B \t\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--B  \r\n"
	    "Content-Disposition: form-data; name=b\r\n\r\nw\r\n--B-- \r\n", &l, &keep), PSS_OK);
	T_REQUIRE(l.n == 2);
	T_ASSERT(data_is(&l.items[1], "w"));
	free(keep);
}

static void
test_multipart_empty_form(void)
{
	struct mpartlist l;
	char *keep;

	T_EQ(mp("B", "--B--\r\n", &l, &keep), PSS_OK);
	T_EQ(l.n, 0);
	free(keep);
}

static void
test_multipart_binary_data_kept_exactly(void)
{
	static const char body[] =
	    "--B\r\n"
	    "Content-Disposition: form-data; name=\"f\"; filename=\"b.bin\"\r\n"
	    "\r\n"
	    "\0\r\n--Bx\r\n-B\r\n--\r--B\n--B\xff\x00\r\n"
	    "\r\n--B--\r\n";
	static const char want[] = "\0\r\n--Bx\r\n-B\r\n--\r--B\n--B\xff\x00\r\n";
	struct mpartlist l;
	char *keep;

	T_EQ(mp_n("B", body, sizeof(body) - 1, 10, &l, &keep), PSS_OK);
	T_REQUIRE(l.n == 1);
	T_EQ(l.items[0].len, sizeof(want) - 1);
	T_ASSERT(memcmp(l.items[0].data, want, sizeof(want) - 1) == 0);
	free(keep);
}

static const char *
one_filename(const char *disposition, enum pss_err *err)
{
	struct buf b = BUF_INIT;
	struct mpartlist l;
	char *keep;
	const char *r = NULL;

	buf_printf(&b, "--B\r\nContent-Disposition: %s\r\n\r\ndata\r\n--B--\r\n", disposition);
	*err = mp("B", b.data, &l, &keep);
	if (*err == PSS_OK && l.n == 1)
		r = l.items[0].filename;
	free(keep);
	buf_free(&b);
	return r;
}

static void
test_multipart_filename_unicode(void)
{
	enum pss_err e;

	T_STREQ(one_filename("form-data; name=f; filename=\"\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80.ps1\"",
	    &e), "\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80.ps1");
	T_ASSERT(one_filename("form-data; name=f; filename=\"\xe9t\xe9.ps1\"", &e) == NULL);
	T_EQ(e, PSS_EINVAL);
}

static void
test_multipart_filename_windows_path_stripped(void)
{
	enum pss_err e;

	T_STREQ(one_filename("form-data; name=f; filename=\"C:\\Users\\x\\a.ps1\"", &e), "a.ps1");
	T_STREQ(one_filename("form-data; name=f; filename=\"\\\\server\\share\\b.ps1\"", &e),
	    "b.ps1");
}

static void
test_multipart_filename_traversal_stripped(void)
{
	enum pss_err e;

	T_STREQ(one_filename("form-data; name=f; filename=\"../../etc/x\"", &e), "x");
	T_STREQ(one_filename("form-data; name=f; filename=\"/etc/passwd\"", &e), "passwd");
	T_STREQ(one_filename("form-data; name=f; filename=\"..\\..\\win.ini\"", &e), "win.ini");
	T_STREQ(one_filename("form-data; name=f; filename=\"a/..\"", &e), "");
	T_STREQ(one_filename("form-data; name=f; filename=\"..\"", &e), "");
	T_STREQ(one_filename("form-data; name=f; filename=\".\"", &e), "");
	T_STREQ(one_filename("form-data; name=f; filename=\"dir/\"", &e), "");
	T_STREQ(one_filename("form-data; name=f; filename=\"...\"", &e), "...");
}

static void
test_multipart_filename_escaped_quote(void)
{
	enum pss_err e;

	T_STREQ(one_filename("form-data; name=f; filename=\"a\\\"b.ps1\"", &e), "a\"b.ps1");
	T_STREQ(one_filename("form-data; name=f; filename=\"a%22b;c.ps1\"", &e), "a%22b;c.ps1");
	T_STREQ(one_filename("form-data; name=f; filename=plain.ps1", &e), "plain.ps1");
}

static void
test_multipart_filename_star_utf8(void)
{
	enum pss_err e;

	T_STREQ(one_filename("form-data; name=f; filename=\"EURO rates.ps1\"; "
	    "filename*=UTF-8''%e2%82%ac%20rates.ps1", &e), "\xe2\x82\xac rates.ps1");
	T_STREQ(one_filename("form-data; name=f; filename*=utf-8'en'..%2F..%2Fa.ps1; "
	    "filename=\"b.ps1\"", &e), "a.ps1");
	T_STREQ(one_filename("form-data; name=f; filename*=\"UTF-8''q.ps1\"", &e), "q.ps1");
}

static void
test_multipart_filename_star_latin1(void)
{
	enum pss_err e;

	T_STREQ(one_filename("form-data; name=f; filename*=iso-8859-1''%E9t%E9.ps1", &e),
	    "\xc3\xa9t\xc3\xa9.ps1");
}

static void
test_multipart_filename_star_malformed_rejected(void)
{
	enum pss_err e;

	T_ASSERT(one_filename("form-data; name=f; filename*=UTF-8''%zz.ps1", &e) == NULL);
	T_EQ(e, PSS_EINVAL);
	one_filename("form-data; name=f; filename*=UTF-8''a%00b.ps1", &e);
	T_EQ(e, PSS_EINVAL);
	one_filename("form-data; name=f; filename*=UTF-8''%ff.ps1", &e);
	T_EQ(e, PSS_EINVAL);
	one_filename("form-data; name=f; filename*=UTF-8''a%0Ab.ps1", &e);
	T_EQ(e, PSS_EINVAL);
	one_filename("form-data; name=f; filename*=KOI8-R''a.ps1", &e);
	T_EQ(e, PSS_EINVAL);
	one_filename("form-data; name=f; filename*=a.ps1", &e);
	T_EQ(e, PSS_EINVAL);
	one_filename("form-data; name=f; filename*=UTF-8'a.ps1", &e);
	T_EQ(e, PSS_EINVAL);
}

static void
test_multipart_part_content_type(void)
{
	struct mpartlist l;
	char *keep;

	T_EQ(mp("B", "--B\r\ncontent-type:   text/plain; charset=utf-8  \r\n"
	    "CONTENT-DISPOSITION: Form-Data; NAME=\"a\"\r\nX-Other: ignored\r\n\r\nv\r\n--B--\r\n",
	    &l, &keep), PSS_OK);
	T_REQUIRE(l.n == 1);
	T_STREQ(l.items[0].name, "a");
	T_STREQ(l.items[0].content_type, "text/plain; charset=utf-8");
	free(keep);
}

static void
test_multipart_bad_disposition_rejected(void)
{
	T_EQ(mp_err("B", "--B\r\nContent-Type: text/plain\r\n\r\nv\r\n--B--\r\n"), PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data\r\n\r\nv\r\n--B--\r\n"), PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: attachment; name=a\r\n\r\nv\r\n--B--\r\n"),
	    PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--B--\r\n"),
	    PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data; name\r\n\r\nv\r\n--B--\r\n"),
	    PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data; name=\"\xff\"\r\n\r\nv\r\n--B--\r\n"),
	    PSS_EINVAL);
}

static void
test_multipart_duplicate_params_rejected(void)
{
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data; name=a; filename=x.txt; "
	    "filename=y.ps1\r\n\r\nv\r\n--B--\r\n"), PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data; name=a; NAME=b\r\n\r\nv\r\n--B--\r\n"),
	    PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data; name=a\r\n"
	    "Content-Disposition: form-data; name=b\r\n\r\nv\r\n--B--\r\n"), PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data; name=a\r\nContent-Type: a/b\r\n"
	    "Content-Type: c/d\r\n\r\nv\r\n--B--\r\n"), PSS_EINVAL);
}

static void
test_multipart_malformed_header_lines_rejected(void)
{
	T_EQ(mp_err("B", "--B\r\nContent-Disposition form-data; name=a\r\n\r\nv\r\n--B--\r\n"),
	    PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nv\r\n--B--\r\n"),
	    PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition : form-data; name=a\r\n\r\nv\r\n--B--\r\n"),
	    PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\n: x\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--B--\r\n"),
	    PSS_EINVAL);
}

static void
test_multipart_header_control_bytes_rejected(void)
{
	static const char nul[] = "--B\r\nContent-Disposition: form-data; name=\"a\0b\"\r\n\r\nv\r\n--B--";
	struct mpartlist l;
	char *keep;

	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data; name=a\x01\r\n\r\nv\r\n--B--\r\n"),
	    PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data; name=a\rb\r\n\r\nv\r\n--B--\r\n"),
	    PSS_EINVAL);
	T_EQ(mp_n("B", nul, sizeof(nul) - 1, 10, &l, &keep), PSS_EINVAL);
	free(keep);
}

static void
test_multipart_headers_over_limit(void)
{
	struct buf b = BUF_INIT;
	struct mpartlist l;
	char *keep;

	buf_puts(&b, "--B\r\nContent-Disposition: form-data; name=a\r\nX-Pad: ");
	for (int i = 0; i < MULTIPART_HEADER_MAX; i++)
		buf_putc(&b, 'p');
	buf_puts(&b, "\r\n\r\nv\r\n--B--\r\n");
	T_EQ(mp_n("B", b.data, b.len, 10, &l, &keep), PSS_ETOOBIG);
	T_EQ(l.n, 0);
	free(keep);
	/* Just under the limit is fine. */
	buf_reset(&b);
	buf_puts(&b, "--B\r\nContent-Disposition: form-data; name=a\r\nX-Pad: ");
	while (b.len < 5 + MULTIPART_HEADER_MAX - 4)
		buf_putc(&b, 'p');
	buf_puts(&b, "\r\n\r\nv\r\n--B--\r\n");
	T_EQ(mp_n("B", b.data, b.len, 10, &l, &keep), PSS_OK);
	free(keep);
	buf_free(&b);
}

static void
test_multipart_truncated_rejected(void)
{
	T_EQ(mp_err("B", ""), PSS_EINVAL);
	T_EQ(mp_err("B", "--B"), PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\n"), PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data; name=a"), PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data; name=a\r\n"), PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue"), PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue\r\n--B"),
	    PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue\r\n--B\r\n"),
	    PSS_EINVAL);
	T_EQ(mp_err("B", "--B\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue\r\n--B-"),
	    PSS_EINVAL);
}

/* Every cut of a valid body before its close delimiter must be rejected, and
 * no cut may read past its length (the copies are exact). */
static void
test_multipart_every_prefix_rejected(void)
{
	const char *body =
	    "pre\r\n--" CURL_B "\r\n"
	    "Content-Disposition: form-data; name=\"f\"; filename=\"a.ps1\"\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "Get-Process\r\n"
	    "--" CURL_B "--\r\n";
	size_t n = strlen(body), close_end = n - 2, bad = 0;

	for (size_t cut = 0; cut < close_end; cut++) {
		struct mpartlist l;
		char *keep;

		if (mp_n(CURL_B, body, cut, 10, &l, &keep) != PSS_EINVAL || l.n != 0)
			bad++;
		free(keep);
	}
	T_EQ(bad, 0);
	for (size_t cut = close_end; cut <= n; cut++) {
		struct mpartlist l;
		char *keep;

		T_EQ(mp_n(CURL_B, body, cut, 10, &l, &keep), PSS_OK);
		T_REQUIRE(l.n == 1);
		free(keep);
	}
}

static void
test_multipart_missing_or_wrong_delimiter_rejected(void)
{
	T_EQ(mp_err("B", "no delimiter here"), PSS_EINVAL);
	T_EQ(mp_err("C", "--B\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--B--\r\n"),
	    PSS_EINVAL);
	T_EQ(mp_err("B", "--Bx\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--Bx--\r\n"),
	    PSS_EINVAL);
}

static void
test_multipart_bad_boundary_argument_rejected(void)
{
	const char *body = "--B\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--B--\r\n";
	char longb[80];

	memset(longb, 'b', 71);
	longb[71] = '\0';
	T_EQ(mp_err(NULL, body), PSS_EINVAL);
	T_EQ(mp_err("", body), PSS_EINVAL);
	T_EQ(mp_err(longb, body), PSS_EINVAL);
	T_EQ(mp_err("B\r\n", body), PSS_EINVAL);
}

static void
test_multipart_too_many_parts(void)
{
	const char *body =
	    "--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
	    "--B\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n"
	    "--B--\r\n";
	struct mpartlist l;
	char *keep;

	T_EQ(mp_n("B", body, strlen(body), 2, &l, &keep), PSS_OK);
	T_REQUIRE(l.n == 2);
	free(keep);
	T_EQ(mp_n("B", body, strlen(body), 1, &l, &keep), PSS_ETOOBIG);
	T_EQ(l.n, 0);
	free(keep);
}

static void
test_multipart_get_finds_first(void)
{
	const char *body =
	    "--B\r\nContent-Disposition: form-data; name=files; filename=a.ps1\r\n\r\n1\r\n"
	    "--B\r\nContent-Disposition: form-data; name=files; filename=b.ps1\r\n\r\n2\r\n"
	    "--B--\r\n";
	struct mpartlist l;
	char *keep;

	T_EQ(mp("B", body, &l, &keep), PSS_OK);
	T_REQUIRE(l.n == 2);
	T_REQUIRE(multipart_get(&l, "files") != NULL);
	T_STREQ(multipart_get(&l, "files")->filename, "a.ps1");
	T_ASSERT(multipart_get(&l, "nope") == NULL);
	T_ASSERT(multipart_get(NULL, "files") == NULL);
	free(keep);
}

static void
test_multipart_fields_as_pairs(void)
{
	static const char body[] =
	    "--B\r\nContent-Disposition: form-data; name=title\r\n\r\nMy \xc3\xa9 script\r\n"
	    "--B\r\nContent-Disposition: form-data; name=script_file; filename=a.ps1\r\n\r\n"
	    "\xff\x00binary\r\n"
	    "--B\r\nContent-Disposition: form-data; name=tags\r\n\r\na,b\r\n"
	    "--B\r\nContent-Disposition: form-data; name=empty\r\n\r\n\r\n"
	    "--B--\r\n";
	struct mpartlist l;
	struct kvlist kv;
	char *keep;

	T_EQ(mp_n("B", body, sizeof(body) - 1, 10, &l, &keep), PSS_OK);
	T_REQUIRE(l.n == 4);
	T_EQ(multipart_fields(&A, &l, &kv), PSS_OK);
	T_REQUIRE(kv.n == 3);
	T_STREQ(kv_get(&kv, "title"), "My \xc3\xa9 script");
	T_STREQ(kv_get(&kv, "tags"), "a,b");
	T_STREQ(kv_get(&kv, "empty"), "");
	T_ASSERT(kv_get(&kv, "script_file") == NULL);
	free(keep);
}

static void
test_multipart_fields_reject_binary_values(void)
{
	static const char nul[] = "--B\r\nContent-Disposition: form-data; name=a\r\n\r\nx\0y\r\n--B--";
	struct mpartlist l;
	struct kvlist kv;
	char *keep;

	T_EQ(mp_n("B", nul, sizeof(nul) - 1, 10, &l, &keep), PSS_OK);
	T_EQ(multipart_fields(&A, &l, &kv), PSS_EINVAL);
	T_EQ(kv.n, 0);
	free(keep);
	T_EQ(mp("B", "--B\r\nContent-Disposition: form-data; name=a\r\n\r\n\xe9\r\n--B--", &l,
	    &keep), PSS_OK);
	T_EQ(multipart_fields(&A, &l, &kv), PSS_EINVAL);
	free(keep);
}

/* A small deterministic PRNG (xorshift64) for the round-trip test. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned
rng(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

static void
rng_fill(struct buf *b, const char *alphabet, size_t n)
{
	size_t alen = strlen(alphabet);

	for (size_t i = 0; i < n; i++)
		buf_putc(b, alphabet[rng(alen)]);
}

/* Random bodies built the way clients build them (random boundaries, padding,
 * line-end style, names, filenames with path parts, types, data full of
 * near-miss delimiters and binary bytes) must parse back to exactly their parts. */
static void
test_multipart_roundtrip_random_bodies(void)
{
	static const char bchars[] = "abcXYZ019'()+_,-./:=? ";
	static const char dchars[] = "\r\n--ab\0\xff-Z";
	int checked = 0, bad = 0;

	for (int iter = 0; iter < 2000; iter++) {
		struct buf bnd = BUF_INIT, body = BUF_INIT, want[6], fname[6], needle = BUF_INIT;
		int lf = rng(4) == 0, nparts = (int)rng(6), ok = 1;
		const char *nl = lf ? "\n" : "\r\n";
		struct mpartlist l;
		char *keep;

		rng_fill(&bnd, bchars, 1 + rng(MULTIPART_BOUNDARY_MAX));
		while (bnd.data[bnd.len - 1] == ' ')
			bnd.data[bnd.len - 1] = 'q';
		buf_printf(&needle, "%s--%s", nl, bnd.data);
		if (rng(2))
			buf_printf(&body, "preamble%s", nl);
		for (int i = 0; i < nparts; i++) {
			buf_init(&want[i]);
			buf_init(&fname[i]);
			buf_printf(&body, "--%s%s%s", bnd.data, rng(3) ? "" : " \t", nl);
			buf_printf(&body, "Content-Disposition: form-data; name=\"f%d\xc3\xa9\"", i);
			if (rng(2)) {
				const char *dirs[] = { "", "dir/", "C:\\Users\\x\\", "../../" };
				struct buf base = BUF_INIT;

				rng_fill(&base, "abZ09 ._-", rng(6));
				/* (not `C:\x\` with nothing after it: `\"` is an escaped quote) */
				buf_printf(&body, "; filename=\"%s%s\"", dirs[rng(base.len ? 4 : 2)],
				    buf_cstr(&base));
				buf_puts(&fname[i], strcmp(buf_cstr(&base), ".") == 0 ||
				    strcmp(buf_cstr(&base), "..") == 0 ? "" : buf_cstr(&base));
				buf_putc(&fname[i], '\0');	/* marks "has a filename" */
				buf_free(&base);
			}
			buf_printf(&body, "%s", nl);
			if (rng(2))
				buf_printf(&body, "Content-Type: text/plain%s", nl);
			buf_puts(&body, nl);
			for (size_t j = 0, n = rng(4) ? rng(40) : rng(3000); j < n; j++)
				buf_putc(&want[i], dchars[rng(sizeof(dchars) - 1)]);
			if (rng(8) == 0 && bnd.len > 1)	/* a near miss: the boundary minus its end */
				buf_printf(&want[i], "%s--%.*s", nl, (int)bnd.len - 1, bnd.data);
			buf_append(&body, want[i].data ? want[i].data : "", want[i].len);
			buf_puts(&body, nl);
		}
		buf_printf(&body, "--%s--%s", bnd.data, rng(2) ? nl : "");
		if (rng(2))
			buf_puts(&body, "epilogue");
		/* Skip the rare bodies whose data happens to hold a real delimiter. */
		for (int i = 0; i < nparts; i++) {
			struct buf tail = BUF_INIT;
			const char *hit;

			buf_append(&tail, want[i].data ? want[i].data : "", want[i].len);
			buf_puts(&tail, needle.data);
			hit = memmem(tail.data, tail.len, needle.data, needle.len);
			if (hit != tail.data + want[i].len)
				ok = 0;
			buf_free(&tail);
		}
		if (ok) {
			checked++;
			if (mp_n(bnd.data, body.data, body.len, 10, &l, &keep) != PSS_OK ||
			    l.n != (size_t)nparts)
				bad++;
			else
				for (int i = 0; i < nparts; i++) {
					const struct mpart *p = &l.items[i];

					if (p->len != want[i].len ||
					    (p->len && memcmp(p->data, want[i].data, p->len) != 0) ||
					    (fname[i].len == 0) != (p->filename == NULL) ||
					    (p->filename && strcmp(p->filename, fname[i].data) != 0))
						bad++;
				}
			free(keep);
		}
		for (int i = 0; i < nparts; i++) {
			buf_free(&want[i]);
			buf_free(&fname[i]);
		}
		buf_free(&bnd);
		buf_free(&body);
		buf_free(&needle);
		if (bad) {
			T_FAIL_("iteration %d: round trip differs", iter);
			return;
		}
	}
	T_ASSERTF(checked > 1500, "only %d bodies checked", checked);
}

static void
test_multipart_many_parts(void)
{
	struct buf b = BUF_INIT;
	struct mpartlist l;

	for (int i = 0; i < 20000; i++)
		buf_printf(&b, "--B\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\n%d\r\n",
		    i, i);
	buf_puts(&b, "--B--\r\n");
	T_EQ(multipart_parse(&A, "B", b.data, b.len, 20000, &l), PSS_OK);
	T_REQUIRE(l.n == 20000);
	T_STREQ(l.items[19999].name, "f19999");
	T_ASSERT(data_is(&l.items[19999], "19999"));
	buf_free(&b);
}

/* Hostile data full of near-misses of the delimiter must still parse in linear
 * time: 4 MiB of them must take well under the (generous) bound. */
static void
test_multipart_near_miss_delimiters_linear_time(void)
{
	const char *boundary = "----WebKitFormBoundaryABCDEFGHIJKLMNOP";
	struct buf b = BUF_INIT;
	struct mpartlist l;
	int64_t t0;

	buf_printf(&b, "--%s\r\nContent-Disposition: form-data; name=f\r\n\r\n", boundary);
	while (b.len < 4 << 20)
		buf_printf(&b, "\r\n--%.*sX", (int)strlen(boundary) - 1, boundary);
	for (int i = 0; i < 1 << 16; i++)
		buf_printf(&b, "\r\n--%s   x", boundary);
	buf_printf(&b, "\r\n--%s--\r\n", boundary);
	t0 = time_mono_ms();
	T_EQ(multipart_parse(&A, boundary, b.data, b.len, 10, &l), PSS_OK);
	T_REQUIRE(l.n == 1);
	T_ASSERTF(time_mono_ms() - t0 < 10000, "took %lld ms", (long long)(time_mono_ms() - t0));
	buf_free(&b);
}

/* jf: json_flat_parse of the n bytes of s (an exact copy: no NUL after them) */
static enum pss_err
jf_n(const char *s, size_t n, struct kvlist *l)
{
	char *p = exact(s, n);
	enum pss_err e = json_flat_parse(&A, p, n, l);

	free(p);	/* keys and values live in the arena */
	return e;
}

static enum pss_err
jf(const char *s, struct kvlist *l)
{
	return jf_n(s, strlen(s), l);
}

static void
test_jsonflat_reads_string_members_in_order(void)
{
	struct kvlist l;

	T_REQUIRE(jf(" \t\r\n{ \"content\" : \"Get-Date\" ,\"fileName\":\"a.ps1\", \"a\":\"1\",\"a\":\"\"}\n ",
	    &l) == PSS_OK);
	T_REQUIRE(l.n == 4);
	T_STREQ(l.items[0].key, "content");
	T_STREQ(l.items[0].val, "Get-Date");
	T_EQ(l.items[0].val_len, 8);
	T_STREQ(l.items[1].key, "fileName");
	T_STREQ(l.items[1].val, "a.ps1");
	/* a repeated key each time, in order (the caller's json-c object keeps the last) */
	T_STREQ(l.items[2].key, "a");
	T_STREQ(l.items[3].key, "a");
	T_STREQ(l.items[3].val, "");
	T_EQ(l.items[3].val_len, 0);
	T_EQ(jf("{}", &l), PSS_OK);
	T_EQ(l.n, 0);
	T_EQ(jf(" {\t} \r\n", &l), PSS_OK);
	T_EQ(jf("{\"\":\"empty key\"}", &l), PSS_OK);
	T_STREQ(l.items[0].key, "");
}

static void
test_jsonflat_decodes_escapes_as_json_c(void)
{
	struct kvlist l;
	/* eight bytes a step to the closing quote: escapes on both sides of a word boundary */
	const char *s = "{\"k\\u00e9y\":\"\\\"q\\\\b\\/s\\b\\f\\n\\r\\tabcdefgh\\u00E9\\u20ac\\ud83d\\uDE00\\uFFFF\"}";

	T_REQUIRE(jf(s, &l) == PSS_OK);
	T_REQUIRE(l.n == 1);
	T_STREQ(l.items[0].key, "k\xc3\xa9y");
	T_STREQ(l.items[0].val, "\"q\\b/s\b\f\n\r\tabcdefgh\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbf");
	T_EQ(l.items[0].val_len, strlen(l.items[0].val));
	/* UTF-8 and the bytes above 0x7F are copied as they are */
	T_REQUIRE(jf("{\"a\":\"h\xc3\xa9\x7f\"}", &l) == PSS_OK);
	T_STREQ(l.items[0].val, "h\xc3\xa9\x7f");
}

/* Everything else is json-c's (valid or not): the list is left empty. */
static void
test_jsonflat_leaves_the_rest_to_json_c(void)
{
	static const char *const other[] = {
		"", " ", "[]", "\"a\"", "{", "{\"a\"", "{\"a\":", "{\"a\":\"x\"", "{\"a\":\"x\",}",
		"{\"a\":\"x\"}x", "{\"a\":\"x\"}{}", "{\"a\":1}", "{\"a\":null}", "{\"a\":true}",
		"{\"a\":{}}", "{\"a\":[]}", "{\"a\":\"x\",\"b\":2}", "{'a':\"x\"}", "{a:\"x\"}",
		"{\"a\"\f:\"x\"}", "\v{}", "{\"a\":\"\x01\"}", "{\"a\":\"\n\"}", "{\"a\":\"\\x\"}",
		"{\"a\":\"\\U00e9\"}", "{\"a\":\"\\u00e\"}", "{\"a\":\"\\u00eg\"}", "{\"a\":\"\\u0000\"}",
		"{\"a\\u0000\":\"x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\ud800x\"}",
		"{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\", "{\"a\":\"abcdefghijk",
		"{\"a\":\"x\" \"b\":\"y\"}", "{\"a\":\"x\";\"b\":\"y\"}",
	};
	struct kvlist l;

	for (size_t i = 0; i < PSS_ARRAY_LEN(other); i++) {
		T_ASSERTF(jf(other[i], &l) == PSS_EINVAL, "input %zu: %s", i, other[i]);
		T_EQ(l.n, 0);
	}
	T_EQ(jf_n("{\"a\":\"x\0\"}", 9, &l), PSS_EINVAL);	/* a raw NUL */
	T_EQ(l.n, 0);
}

/* A body of 1 MB of plain text and escapes reads in linear time. */
static void
test_jsonflat_large_string(void)
{
	struct buf b = BUF_INIT;
	struct kvlist l;

	buf_puts(&b, "{\"content\":\"");
	for (int i = 0; i < 40000; i++)
		buf_puts(&b, "Write-Host \\\"x\\\"\\n");
	buf_puts(&b, "\"}");
	T_REQUIRE(jf_n(b.data, b.len, &l) == PSS_OK);
	T_REQUIRE(l.n == 1);
	T_EQ(l.items[0].val_len, 40000 * 15);
	T_ASSERT(memcmp(l.items[0].val, "Write-Host \"x\"\nWrite", 20) == 0);
	buf_free(&b);
}

int
main(void)
{
	arena_init(&A);
#define RUN(fn) do { T_RUN(fn); arena_reset(&A); } while (0)
	RUN(test_urlenc_splits_pairs_in_order);
	RUN(test_urlenc_plus_is_space);
	RUN(test_urlenc_percent_hex_either_case);
	RUN(test_urlenc_key_without_equals_is_empty_value);
	RUN(test_urlenc_empty_keys_skipped);
	RUN(test_urlenc_duplicate_keys_kept_in_order);
	RUN(test_urlenc_value_keeps_later_equals);
	RUN(test_urlenc_bad_escape_rejected);
	RUN(test_urlenc_truncated_escape_at_end_rejected);
	RUN(test_urlenc_nul_rejected);
	RUN(test_urlenc_invalid_utf8_rejected);
	RUN(test_urlenc_valid_utf8_accepted);
	RUN(test_urlenc_too_many_pairs);
	RUN(test_urlenc_empty_input);
	RUN(test_urlenc_reads_only_given_length);
	RUN(test_urlenc_many_pairs);
	RUN(test_urlenc_decode_plus_kept_for_paths);
	RUN(test_cookie_splits_pairs);
	RUN(test_cookie_whitespace_tolerant);
	RUN(test_cookie_quoted_value_unquoted);
	RUN(test_cookie_lone_quote_kept);
	RUN(test_cookie_pair_without_equals_skipped);
	RUN(test_cookie_empty_name_skipped);
	RUN(test_cookie_empty_value_kept);
	RUN(test_cookie_value_keeps_equals);
	RUN(test_cookie_control_bytes_skip_pair);
	RUN(test_cookie_invalid_utf8_skips_pair);
	RUN(test_cookie_nul_rejected);
	RUN(test_cookie_not_percent_decoded);
	RUN(test_cookie_duplicate_names_first_wins);
	RUN(test_cookie_too_many_pairs);
	RUN(test_cookie_empty_and_separators_only);
	RUN(test_cookie_reads_only_given_length);
	RUN(test_boundary_unquoted);
	RUN(test_boundary_quoted);
	RUN(test_boundary_case_insensitive);
	RUN(test_boundary_among_other_params);
	RUN(test_boundary_length_limits);
	RUN(test_boundary_bad_chars_rejected);
	RUN(test_boundary_missing_or_duplicate_rejected);
	RUN(test_boundary_wrong_type_rejected);
	RUN(test_multipart_curl_body);
	RUN(test_multipart_browser_empty_file_input);
	RUN(test_multipart_preamble_and_epilogue);
	RUN(test_multipart_leading_crlf_before_first_delimiter);
	RUN(test_multipart_bare_lf_body);
	RUN(test_multipart_crlf_body_keeps_bare_lf_lookalike);
	RUN(test_multipart_close_without_line_end);
	RUN(test_multipart_transport_padding);
	RUN(test_multipart_empty_form);
	RUN(test_multipart_binary_data_kept_exactly);
	RUN(test_multipart_filename_unicode);
	RUN(test_multipart_filename_windows_path_stripped);
	RUN(test_multipart_filename_traversal_stripped);
	RUN(test_multipart_filename_escaped_quote);
	RUN(test_multipart_filename_star_utf8);
	RUN(test_multipart_filename_star_latin1);
	RUN(test_multipart_filename_star_malformed_rejected);
	RUN(test_multipart_part_content_type);
	RUN(test_multipart_bad_disposition_rejected);
	RUN(test_multipart_duplicate_params_rejected);
	RUN(test_multipart_malformed_header_lines_rejected);
	RUN(test_multipart_header_control_bytes_rejected);
	RUN(test_multipart_headers_over_limit);
	RUN(test_multipart_truncated_rejected);
	RUN(test_multipart_every_prefix_rejected);
	RUN(test_multipart_missing_or_wrong_delimiter_rejected);
	RUN(test_multipart_bad_boundary_argument_rejected);
	RUN(test_multipart_too_many_parts);
	RUN(test_multipart_get_finds_first);
	RUN(test_multipart_fields_as_pairs);
	RUN(test_multipart_fields_reject_binary_values);
	RUN(test_multipart_roundtrip_random_bodies);
	RUN(test_multipart_many_parts);
	RUN(test_multipart_near_miss_delimiters_linear_time);
	RUN(test_jsonflat_reads_string_members_in_order);
	RUN(test_jsonflat_decodes_escapes_as_json_c);
	RUN(test_jsonflat_leaves_the_rest_to_json_c);
	RUN(test_jsonflat_large_string);
#undef RUN
	arena_free(&A);
	return t_done();
}
