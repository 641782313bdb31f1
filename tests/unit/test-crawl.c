/* test-crawl.c: unit tests of the crawler's pure parts: URL resolution and normalisation, the
 * scope rule, the address classifier, robots.txt, and pages into text (libxml2) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/crawl_html.h"
#include "ai/crawl_robots.h"
#include "ai/crawl_url.h"
#include "t.h"

static char *
res(const char *base, const char *ref)
{
	const char *why;

	return crawl_url_resolve(base, ref, NULL, &why);
}

static void
url_eq(const char *base, const char *ref, const char *want)
{
	char *got = res(base, ref);

	T_STREQ(got, want);
	free(got);
}

static void
test_url_normalises(void)
{
	url_eq(NULL, "HTTP://Example.COM", "http://example.com/");
	url_eq(NULL, "https://example.com:443/a/./b/../c#frag", "https://example.com/a/c");
	url_eq(NULL, "http://example.com:8080/x?q=1#f", "http://example.com:8080/x?q=1");
	url_eq(NULL, "  http://user:pw@example.com/p  ", "http://example.com/p");
	url_eq(NULL, "file:///tmp/docs/a.md", "file:///tmp/docs/a.md");
	/* other spellings of an IPv4 address become dotted quads, so the address rule sees them */
	url_eq(NULL, "http://2130706433/", "http://127.0.0.1/");
	url_eq(NULL, "http://0x7f.1/x", "http://127.0.0.1/x");
	url_eq(NULL, "http://017700000001/", "http://127.0.0.1/");
	url_eq("http://h.test/d/", "a b.md", "http://h.test/d/a%20b.md");
}

static void
test_url_resolves_relative(void)
{
	url_eq("http://h.test/docs/a/page.html", "other.html", "http://h.test/docs/a/other.html");
	url_eq("http://h.test/docs/a/page.html", "../b/x.html#top", "http://h.test/docs/b/x.html");
	url_eq("http://h.test/docs/a/page.html", "/root", "http://h.test/root");
	url_eq("http://h.test/docs/a/page.html", "//other.test/z", "http://other.test/z");
	url_eq("http://h.test/docs/a/page.html", "?q=2", "http://h.test/docs/a/page.html?q=2");
	url_eq("file:///srv/docs/index.md", "sub/b.md", "file:///srv/docs/sub/b.md");
}

static void
test_url_refuses(void)
{
	const char *why;
	char scheme[16], *u, longurl[2100];

	T_ASSERT(crawl_url_resolve(NULL, "not a url", NULL, &why) == NULL);
	T_STREQ(why, "not a valid URL");
	T_ASSERT(crawl_url_resolve(NULL, "/relative/only", NULL, &why) == NULL);
	u = crawl_url_resolve(NULL, "ftp://example.com/x", scheme, &why);
	T_ASSERT(u == NULL);
	T_STREQ(scheme, "ftp");
	T_CONTAINS(why, "unsupported scheme");
	T_ASSERT(crawl_url_resolve("http://h.test/", "javascript:alert(1)", NULL, &why) == NULL);
	T_ASSERT(crawl_url_resolve("http://h.test/", "mailto:a@b.test", NULL, &why) == NULL);
	T_ASSERT(crawl_url_resolve(NULL, "http://h.test/a\nb", NULL, &why) == NULL);
	T_ASSERT(crawl_url_resolve(NULL, "file://otherhost/etc/passwd", NULL, &why) == NULL);
	memcpy(longurl, "http://h.test/", 14);
	memset(longurl + 14, 'a', sizeof(longurl) - 15);
	longurl[sizeof(longurl) - 1] = '\0';
	T_ASSERT(crawl_url_resolve(NULL, longurl, NULL, &why) == NULL);
	T_CONTAINS(why, "2048");
}

static void
test_url_parts(void)
{
	char out[300], *p;

	T_EQ(crawl_url_host("http://[::1]:8080/x", out, sizeof(out)), 0);
	T_STREQ(out, "::1");
	T_EQ(crawl_url_origin("http://h.test:8080/a/b?c", out, sizeof(out)), 0);
	T_STREQ(out, "http://h.test:8080");
	p = crawl_url_path("http://h.test/a%20b/c?x=1", false);
	T_STREQ(p, "/a%20b/c?x=1");
	free(p);
	p = crawl_url_path("file:///tmp/a%20b.md", true);
	T_STREQ(p, "/tmp/a b.md");
	free(p);
}

static void
test_scope(void)
{
	const char *s = "http://127.0.0.1:8000/docs/";

	T_ASSERT(crawl_url_in_scope(s, "http://127.0.0.1:8000/other", true));
	T_ASSERT(crawl_url_in_scope(s, "https://127.0.0.1/x", true));
	T_ASSERT(!crawl_url_in_scope(s, "http://localhost:8000/docs/", true));
	T_ASSERT(crawl_url_in_scope(s, "http://localhost:8000/docs/", false));
	T_ASSERT(!crawl_url_in_scope(s, "file:///docs/", false));
	T_ASSERT(crawl_url_in_scope("file:///srv/docs/", "file:///srv/docs/a/b.md", true));
	T_ASSERT(crawl_url_in_scope("file:///srv/docs/index.md", "file:///srv/docs/b.md", false));
	T_ASSERT(!crawl_url_in_scope("file:///srv/docs/", "file:///srv/other.md", false));
	T_ASSERT(!crawl_url_in_scope("file:///srv/docs/", "file:///srv/docsx/a.md", false));
}

static void
test_addr_classifier(void)
{
	static const struct { const char *a; enum crawl_addr k; } cases[] = {
		{ "8.8.8.8", CRAWL_ADDR_PUBLIC }, { "93.184.216.34", CRAWL_ADDR_PUBLIC },
		{ "127.0.0.1", CRAWL_ADDR_LOOPBACK }, { "127.255.1.2", CRAWL_ADDR_LOOPBACK },
		{ "10.1.2.3", CRAWL_ADDR_PRIVATE }, { "172.16.0.1", CRAWL_ADDR_PRIVATE },
		{ "172.31.255.255", CRAWL_ADDR_PRIVATE }, { "172.32.0.1", CRAWL_ADDR_PUBLIC },
		{ "192.168.1.1", CRAWL_ADDR_PRIVATE }, { "100.64.0.1", CRAWL_ADDR_PRIVATE },
		{ "169.254.169.254", CRAWL_ADDR_LINKLOCAL }, { "0.0.0.0", CRAWL_ADDR_RESERVED },
		{ "224.0.0.1", CRAWL_ADDR_RESERVED }, { "255.255.255.255", CRAWL_ADDR_RESERVED },
		{ "::1", CRAWL_ADDR_LOOPBACK }, { "[::1]", CRAWL_ADDR_LOOPBACK }, { "::", CRAWL_ADDR_RESERVED },
		{ "::ffff:127.0.0.1", CRAWL_ADDR_LOOPBACK }, { "::ffff:10.0.0.1", CRAWL_ADDR_PRIVATE },
		{ "::ffff:169.254.169.254", CRAWL_ADDR_LINKLOCAL }, { "::ffff:8.8.8.8", CRAWL_ADDR_PUBLIC },
		{ "::127.0.0.1", CRAWL_ADDR_LOOPBACK }, { "64:ff9b::10.0.0.1", CRAWL_ADDR_PRIVATE },
		{ "2002:7f00:1::", CRAWL_ADDR_LOOPBACK }, { "fc00::1", CRAWL_ADDR_PRIVATE },
		{ "fd12:3456::1", CRAWL_ADDR_PRIVATE }, { "fe80::1", CRAWL_ADDR_LINKLOCAL },
		{ "fec0::1", CRAWL_ADDR_PRIVATE }, { "ff02::1", CRAWL_ADDR_RESERVED },
		{ "2001:4860:4860::8888", CRAWL_ADDR_PUBLIC }, { "example.com", CRAWL_ADDR__MAX },
		{ "127.1", CRAWL_ADDR__MAX },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		T_ASSERTF(crawl_addr_classify_str(cases[i].a) == cases[i].k, "%s: got %d, want %d",
		    cases[i].a, (int)crawl_addr_classify_str(cases[i].a), (int)cases[i].k);
}

static void
test_addr_allow_rule(void)
{
	struct crawl_allow none = { false, false }, lo = { true, false }, all = { false, true };

	T_ASSERT(crawl_addr_allowed(CRAWL_ADDR_PUBLIC, &none));
	T_ASSERT(!crawl_addr_allowed(CRAWL_ADDR_LOOPBACK, &none));
	T_ASSERT(crawl_addr_allowed(CRAWL_ADDR_LOOPBACK, &lo));
	T_ASSERT(!crawl_addr_allowed(CRAWL_ADDR_PRIVATE, &lo));
	T_ASSERT(!crawl_addr_allowed(CRAWL_ADDR_LINKLOCAL, &lo));
	T_ASSERT(crawl_addr_allowed(CRAWL_ADDR_LINKLOCAL, &all));
	T_ASSERT(crawl_addr_allowed(CRAWL_ADDR_LOOPBACK, &all));
	T_ASSERT(!crawl_addr_allowed(CRAWL_ADDR_RESERVED, &all));
	T_EQ(crawl_host_refused("localhost", &none), CRAWL_ADDR_LOOPBACK);
	T_EQ(crawl_host_refused("docs.localhost", &none), CRAWL_ADDR_LOOPBACK);
	T_EQ(crawl_host_refused("localhost", &lo), CRAWL_ADDR_PUBLIC);
	T_EQ(crawl_host_refused("10.0.0.1", &lo), CRAWL_ADDR_PRIVATE);
	T_EQ(crawl_host_refused("example.com", &none), CRAWL_ADDR_PUBLIC);
}

static void
test_robots(void)
{
	static const char txt[] =
	    "# comment\n"
	    "User-agent: *\n"
	    "Disallow: /\n"
	    "\n"
	    "User-agent: Googlebot\n"
	    "User-agent: psscript-crawler/1.0\n"
	    "Disallow: /private/\n"
	    "Allow: /private/open\n"
	    "Disallow: /*.pdf$\n"
	    "Disallow: /tmp*x\n"
	    "Crawl-delay: 2\n"
	    "\n"
	    "User-agent: other\n"
	    "Disallow: /docs/\n";
	struct robots r;

	robots_parse(&r, txt, strlen(txt), "PSScript-Crawler");
	T_ASSERT(robots_allowed(&r, "/docs/a.html"));	/* not the * group */
	T_ASSERT(!robots_allowed(&r, "/private/secret"));
	T_ASSERT(robots_allowed(&r, "/private/open/x"));
	T_ASSERT(!robots_allowed(&r, "/files/a.pdf"));
	T_ASSERT(robots_allowed(&r, "/files/a.pdf?x"));
	T_ASSERT(!robots_allowed(&r, "/tmp/aax"));
	T_EQ(r.crawl_delay_ms, 2000);
	robots_free(&r);
	robots_parse(&r, txt, strlen(txt), "SomeoneElse");
	T_ASSERT(!robots_allowed(&r, "/docs/a.html"));	/* the * group: everything */
	robots_free(&r);
}

static void
test_robots_cut_and_hostile(void)
{
	/* a file cut in the middle of a line ignores that line; a pattern of many stars stays
	 * cheap */
	static const char cut[] = "User-agent: *\nDisallow: /a\nDisallow: /b";
	struct robots r;
	char path[4096], pat[600];

	robots_parse(&r, cut, strlen(cut), "PSScript-Crawler");
	T_EQ(r.nrules, 1);
	T_ASSERT(!robots_allowed(&r, "/a"));
	T_ASSERT(robots_allowed(&r, "/b"));
	robots_free(&r);
	memset(pat, 0, sizeof(pat));
	strcpy(pat, "User-agent: *\nDisallow: /");
	for (size_t i = strlen(pat); i < 500; i += 2)
		memcpy(pat + i, "*a", 2);
	strcat(pat, "b\n");
	robots_parse(&r, pat, strlen(pat), "PSScript-Crawler");
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	T_ASSERT(robots_allowed(&r, path));
	robots_free(&r);
}

static void
test_html_to_text(void)
{
	static const char html[] =
	    "<!DOCTYPE html><html><head><title> Get-ChildItem \n (Microsoft.PowerShell) </title>"
	    "<style>p{color:red}</style><script>var x = '<p>not text</p>';</script></head>"
	    "<body><nav><a href='/docs/a.html'>A</a> <a href=\"b.html#s\">B</a></nav>"
	    "<h1>Get-ChildItem</h1><p>Gets the <b>items</b> in\n   a location. Use <code>gci</code>.</p>"
	    "<pre><code class=\"lang-powershell\">Get-ChildItem -Path C:\\ |\n    Where-Object { $_.Length -gt 1kb }\n</code></pre>"
	    "<ul><li>one</li><li>two</li></ul><a href='mailto:x@y.test'>m</a>"
	    "<p>unclosed <i>tags</body>";
	struct crawl_doc d;
	const char *why;

	T_EQ(crawl_extract(CRAWL_HTML, html, strlen(html), NULL, &d, &why), 0);
	T_STREQ(d.title, "Get-ChildItem (Microsoft.PowerShell)");
	T_CONTAINS(buf_cstr(&d.text), "# Get-ChildItem\n\nGets the items in a location. Use `gci`.");
	T_CONTAINS(buf_cstr(&d.text), "```powershell\nGet-ChildItem -Path C:\\ |\n    Where-Object { $_.Length -gt 1kb }\n```");
	T_CONTAINS(buf_cstr(&d.text), "- one\n- two");
	T_CONTAINS(buf_cstr(&d.text), "unclosed tags");
	T_ASSERT(strstr(buf_cstr(&d.text), "not text") == NULL);
	T_ASSERT(strstr(buf_cstr(&d.text), "color") == NULL);
	T_EQ(d.nlinks, 3);
	if (d.nlinks == 3) {
		T_STREQ(d.links[0], "/docs/a.html");
		T_STREQ(d.links[1], "b.html#s");
	}
	crawl_doc_free(&d);
}

static void
test_html_charset_and_base(void)
{
	static const char latin1[] = "<html><head><base href=\"/root/\"><title>caf\xe9</title></head>"
	    "<body><h1>x</h1><p>na\xefve</p></body></html>";
	struct crawl_doc d;
	const char *why;

	T_EQ(crawl_extract(CRAWL_HTML, latin1, strlen(latin1), "iso-8859-1", &d, &why), 0);
	T_STREQ(d.title, "caf\xc3\xa9");
	T_CONTAINS(buf_cstr(&d.text), "na\xc3\xafve");
	T_STREQ(d.base, "/root/");
	crawl_doc_free(&d);
	/* no <title>: the first h1 */
	T_EQ(crawl_extract(CRAWL_HTML, "<h1>Heading  one</h1><p>b</p>", 29, NULL, &d, &why), 0);
	T_STREQ(d.title, "Heading one");
	crawl_doc_free(&d);
}

static void
test_bad_bodies(void)
{
	static const char bin[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	static const char bad[] = "# Title\nok \xff\xfe bytes\n";
	struct crawl_doc d;
	const char *why;

	T_EQ(crawl_extract(CRAWL_HTML, bin, sizeof(bin) - 1, NULL, &d, &why), -1);
	T_CONTAINS(why, "binary");
	crawl_doc_free(&d);
	T_EQ(crawl_extract(CRAWL_MARKDOWN, bad, strlen(bad), NULL, &d, &why), -1);
	T_CONTAINS(why, "UTF-8");
	crawl_doc_free(&d);
	T_EQ(crawl_extract(CRAWL_TEXT, "x", 1, "shift_jis", &d, &why), -1);
	crawl_doc_free(&d);
}

static void
test_markdown(void)
{
	static const char md[] = "---\ntitle: \"About Arrays\"\nms.date: 1\n---\n\n# about_Arrays\n\n"
	    "See [Get-Item](Get-Item.md) and [the site](https://h.test/x \"t\") and [s](<a b.md>).\n\n"
	    "```powershell\n$a = @(1,2) # [not](link.md)\n```\n";
	struct crawl_doc d;
	const char *why;

	T_EQ(crawl_extract(CRAWL_MARKDOWN, md, strlen(md), "utf-8", &d, &why), 0);
	T_STREQ(d.title, "About Arrays");
	T_EQ(d.nlinks, 3);
	if (d.nlinks == 3) {
		T_STREQ(d.links[0], "Get-Item.md");
		T_STREQ(d.links[1], "https://h.test/x");
		T_STREQ(d.links[2], "a b.md");
	}
	T_CONTAINS(buf_cstr(&d.text), "```powershell\n$a = @(1,2)");
	crawl_doc_free(&d);
}

static void
test_types(void)
{
	T_EQ(crawl_type_of("text/html"), CRAWL_HTML);
	T_EQ(crawl_type_of("text/markdown"), CRAWL_MARKDOWN);
	T_EQ(crawl_type_of("text/plain"), CRAWL_TEXT);
	T_EQ(crawl_type_of("image/png"), CRAWL_TYPE__MAX);
	T_EQ(crawl_type_of_path("/a/b.MD"), CRAWL_MARKDOWN);
	T_EQ(crawl_type_of_path("/a/b.htm"), CRAWL_HTML);
	T_EQ(crawl_type_of_path("/a.d/b"), CRAWL_TYPE__MAX);
	T_EQ(crawl_type_of_path("/a/b.png"), CRAWL_TYPE__MAX);
}

int
main(void)
{
	T_RUN(test_url_normalises);
	T_RUN(test_url_resolves_relative);
	T_RUN(test_url_refuses);
	T_RUN(test_url_parts);
	T_RUN(test_scope);
	T_RUN(test_addr_classifier);
	T_RUN(test_addr_allow_rule);
	T_RUN(test_robots);
	T_RUN(test_robots_cut_and_hostile);
	T_RUN(test_html_to_text);
	T_RUN(test_html_charset_and_base);
	T_RUN(test_bad_bodies);
	T_RUN(test_markdown);
	T_RUN(test_types);
	return t_done();
}
