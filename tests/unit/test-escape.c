/* test-escape.c: unit tests of the output escapers with hostile input */
#include "config.h"

#include "core/core.h"
#include "render/escape.h"
#include "t.h"

typedef void (*escaper)(struct buf *, const char *, size_t);

/* esc: the escaper's output for len bytes of s, in a static buffer reused by each call. */
static const char *
esc(escaper fn, const char *s, size_t len)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	fn(&b, s, len);
	return buf_cstr(&b);
}

#define ESC(fn, lit) esc(fn, lit, sizeof(lit) - 1)

static void
test_html_escapes_script_and_quotes(void)
{
	T_STREQ(ESC(esc_html, "<script>alert('x')</script>"),
	    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	T_STREQ(ESC(esc_html, "a & b \"c\""), "a &amp; b &quot;c&quot;");
	T_STREQ(ESC(esc_html, "&amp;"), "&amp;amp;");
	T_STREQ(ESC(esc_html, "plain text / slash"), "plain text / slash");
	T_STREQ(ESC(esc_html, ""), "");
}

static void
test_html_nul_in_length_delimited_input(void)
{
	/* The NUL does not end the input and does not reach the page. */
	T_STREQ(ESC(esc_html, "a\0<b"), "a\xEF\xBF\xBD&lt;b");
	/* controls XML does not allow (a page must stay well-formed); TAB, LF, CR kept */
	T_STREQ(ESC(esc_html, "a\x01\x1F\x0B\tb\r\n"), "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\tb\r\n");
}

static void
test_html_utf8_valid_passes_invalid_replaced(void)
{
	T_STREQ(ESC(esc_html, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
	    "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
	/* A lone lead byte cannot swallow the next '<'. */
	T_STREQ(ESC(esc_html, "\xC3<script>"), "\xEF\xBF\xBD&lt;script&gt;");
	/* Overlong '<' (C0 BC), a surrogate (ED A0 80), beyond U+10FFFF (F4 90 80 80). */
	T_STREQ(ESC(esc_html, "\xC0\xBC"), "\xEF\xBF\xBD\xEF\xBF\xBD");
	T_STREQ(ESC(esc_html, "\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	T_STREQ(ESC(esc_html, "\xF4\x90\x80\x80"),
	    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	/* Truncated at the end of the input. */
	T_STREQ(ESC(esc_html, "x\xE2\x82"), "x\xEF\xBF\xBD\xEF\xBF\xBD");
	T_ASSERT(utf8_valid(ESC(esc_html, "\xFF\xFE\x80 ok"), 13));
}

static void
test_attr_escapes_quotes_and_controls(void)
{
	T_STREQ(ESC(esc_attr, "\" onmouseover=\"x"), "&quot; onmouseover=&quot;x");
	T_STREQ(ESC(esc_attr, "' autofocus '"), "&#39; autofocus &#39;");
	T_STREQ(ESC(esc_attr, "a\tb\r\nc\x01\x7F"), "a&#9;b&#13;&#10;c&#1;&#127;");
	T_STREQ(ESC(esc_attr, "<>&"), "&lt;&gt;&amp;");
	T_STREQ(ESC(esc_attr, "x\0y"), "x\xEF\xBF\xBDy");
}

static void
test_url_arg_percent_encodes_structure(void)
{
	T_STREQ(ESC(esc_url_arg, "a b&c=d/e?f#g+h"), "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh");
	T_STREQ(ESC(esc_url_arg, "AZaz09-._~"), "AZaz09-._~");
	T_STREQ(ESC(esc_url_arg, "\"><script>"), "%22%3E%3Cscript%3E");
	T_STREQ(ESC(esc_url_arg, "\r\n\0"), "%0D%0A%00");
	T_STREQ(ESC(esc_url_arg, "caf\xC3\xA9"), "caf%C3%A9");
	T_STREQ(ESC(esc_url_arg, "\xFF"), "%FF");
}

static void
test_header_drops_crlf_and_controls(void)
{
	struct buf b = BUF_INIT;
	const char evil[] = "value\r\nSet-Cookie: x=1\0\x7F";

	T_EQ(esc_header(&b, evil, sizeof(evil) - 1), 4);
	T_STREQ(buf_cstr(&b), "valueSet-Cookie: x=1");
	buf_reset(&b);
	T_EQ(esc_header(&b, "text/html;\tcharset=utf-8", 24), 0);
	T_STREQ(buf_cstr(&b), "text/html;\tcharset=utf-8");
	buf_reset(&b);
	T_EQ(esc_header(&b, "caf\xC3\xA9", 5), 0);
	T_STREQ(buf_cstr(&b), "caf\xC3\xA9");
	buf_free(&b);
}

static void
test_js_string_cannot_close_script(void)
{
	T_STREQ(ESC(esc_js_string, "</script><!--"), "\\u003C/script\\u003E\\u003C!--");
	T_STREQ(ESC(esc_js_string, "a\"b'c\\d"), "a\\\"b\\'c\\\\d");
	T_STREQ(ESC(esc_js_string, "l1\nl2\r\t\x01"), "l1\\nl2\\r\\t\\u0001");
	T_STREQ(ESC(esc_js_string, "x\xE2\x80\xA8y\xE2\x80\xA9"), "x\\u2028y\\u2029");
	T_STREQ(ESC(esc_js_string, "\0\xC3&"), "\\uFFFD\\uFFFD\\u0026");
	T_STREQ(ESC(esc_js_string, "\xC3\xA9"), "\xC3\xA9");
}

static void
test_escapers_append(void)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "<p>");
	esc_html(&b, "<", 1);
	esc_attr(&b, "\"", 1);
	esc_url_arg(&b, " ", 1);
	T_STREQ(buf_cstr(&b), "<p>&lt;&quot;%20");
	buf_free(&b);
}

int
main(void)
{
	T_RUN(test_html_escapes_script_and_quotes);
	T_RUN(test_html_nul_in_length_delimited_input);
	T_RUN(test_html_utf8_valid_passes_invalid_replaced);
	T_RUN(test_attr_escapes_quotes_and_controls);
	T_RUN(test_url_arg_percent_encodes_structure);
	T_RUN(test_header_drops_crlf_and_controls);
	T_RUN(test_js_string_cannot_close_script);
	T_RUN(test_escapers_append);
	return t_done();
}
