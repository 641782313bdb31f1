/* test-markdown.c: the Markdown renderer (src/render/markdown.c): the subset it renders, and
 * hostile input: raw HTML, script links, deep nesting, a 1 MB line, unbalanced markers,
 * random bytes (always balanced, always escaped, bounded time) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render/markdown.h"
#include "t.h"

static char *
md(const char *src)
{
	struct buf b = BUF_INIT;

	md_render(&b, src, strlen(src), NULL);
	return buf_detach(&b);
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* balanced: every element this renderer writes is closed as often as opened. */
static bool
balanced(const char *h)
{
	static const char *const tags[] = { "p", "ul", "ol", "li", "pre", "code", "strong", "em",
		"a", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "h1", "h2", "h3", "h4",
		"h5", "h6", "span" };

	for (size_t i = 0; i < PSS_ARRAY_LEN(tags); i++) {
		char open1[16], open2[16], close[16];

		snprintf(open1, sizeof(open1), "<%s>", tags[i]);
		snprintf(open2, sizeof(open2), "<%s ", tags[i]);
		snprintf(close, sizeof(close), "</%s>", tags[i]);
		if (count(h, open1) + count(h, open2) != count(h, close)) {
			printf("# unbalanced <%s>: %zu + %zu open, %zu closed\n", tags[i], count(h, open1),
			    count(h, open2), count(h, close));
			return false;
		}
	}
	return true;
}

static void
test_blocks_headings_paragraphs_lists_quotes_tables(void)
{
	char *h = md("# Title\n\nSome *text* and **bold** and `code`.\nSame paragraph.\n\n"
	    "- one\n- two\n  - nested\n- three\n\n1. first\n2. second\n\n> quoted\n\n"
	    "| A | B |\n|---|---|\n| 1 | 2 |\n\n---\n");

	T_CONTAINS(h, "<h1>Title</h1>");
	T_CONTAINS(h, "<p>Some <em>text</em> and <strong>bold</strong> and <code>code</code>.\nSame paragraph.</p>");
	T_CONTAINS(h, "<ul>\n<li>one</li>\n<li>two<ul>\n<li>nested</li></ul>\n</li>\n<li>three</li></ul>");
	T_CONTAINS(h, "<ol>\n<li>first</li>\n<li>second</li></ol>");
	T_CONTAINS(h, "<blockquote>\n<p>quoted</p>\n</blockquote>");
	T_CONTAINS(h, "<table><thead><tr><th>A </th><th>B </th></tr>\n</thead><tbody>\n<tr><td>1 </td><td>2 </td></tr>");
	T_CONTAINS(h, "<hr />");
	T_ASSERT(balanced(h));
	free(h);
}

static void
test_heading_offset_and_closing_hashes(void)
{
	struct buf b = BUF_INIT;
	struct md_opts o = { .heading_offset = 1 };

	md_render(&b, "## Syntax ##\n###### deep\n", 25, &o);
	T_CONTAINS(b.data, "<h3>Syntax</h3>");
	T_CONTAINS(b.data, "<h6>deep</h6>");
	buf_free(&b);
}

static void
test_powershell_fences_are_highlighted_others_escaped(void)
{
	char *h = md("```powershell\nGet-ChildItem -Path C:\\ | Where-Object { $_.Length -gt 1kb }\n```\n\n"
	    "```output\n<b>not bold</b>\n```\n\n~~~\nplain ~~~ text\n~~~\n");

	T_CONTAINS(h, "<pre class=\"code\"><code class=\"language-powershell\">");
	T_CONTAINS(h, "<h-m>");
	T_CONTAINS(h, "&lt;b&gt;not bold&lt;/b&gt;");
	T_CONTAINS(h, "plain ~~~ text");
	T_ASSERT(strstr(h, "<b>") == NULL);
	T_ASSERT(balanced(h));
	free(h);
}

static void
test_unclosed_fence_ends_with_the_text(void)
{
	char *h = md("text\n```ps\n$a = 1\n");

	T_CONTAINS(h, "</code></pre>");
	T_ASSERT(balanced(h));
	free(h);
}

static void
test_raw_html_is_text(void)
{
	char *h = md("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
	    "a <b onclick=\"x\">b</b> & c\n\n<!-- comment -->\n");

	T_ASSERT(strstr(h, "<script") == NULL);
	T_ASSERT(strstr(h, "<img") == NULL);
	T_ASSERT(strstr(h, "<b ") == NULL);
	T_ASSERT(strstr(h, "<!--") == NULL);
	T_CONTAINS(h, "&lt;script&gt;alert(1)&lt;/script&gt;");
	T_CONTAINS(h, "&amp; c");
	free(h);
}

static void
test_links_only_with_safe_schemes(void)
{
	static const char *const bad[] = {
		"[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](vbscript:msgbox)",
		"[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](java\tscript:alert(1))",
		"[x]( javascript:alert(1))", "[x](<javascript:alert(1)>)", "<javascript:alert(1)>",
		"[x](file:///etc/passwd)",
	};
	char *h = md("[ok](https://learn.microsoft.com/x?a=1&b=\"2\") [rel](Get-Item.md) [frag](#x)"
	    " <https://example.com/a> [mail](mailto:a@b.test) ![alt text](https://evil.test/i.png)");

	T_CONTAINS(h, "<a href=\"https://learn.microsoft.com/x?a=1&amp;b=&quot;2&quot;\" rel=\"nofollow noopener\">ok</a>");
	T_CONTAINS(h, "<a href=\"Get-Item.md\">rel</a>");
	T_CONTAINS(h, "<a href=\"#x\">frag</a>");
	T_CONTAINS(h, "<a href=\"https://example.com/a\" rel=\"nofollow noopener\">https://example.com/a</a>");
	T_CONTAINS(h, "<a href=\"mailto:a@b.test\"");
	T_CONTAINS(h, "alt text");
	T_ASSERT(strstr(h, "<img") == NULL && strstr(h, "evil.test") == NULL);
	free(h);
	for (size_t i = 0; i < PSS_ARRAY_LEN(bad); i++) {
		h = md(bad[i]);
		T_ASSERTF(strstr(h, "href") == NULL, "%s gave %s", bad[i], h);
		free(h);
	}
}

static bool
rewrite(void *arg, const char *url, size_t n, struct buf *out)
{
	(void)arg;
	if (n > 3 && memcmp(url + n - 3, ".md", 3) == 0) {
		buf_puts(out, "/docs/cmdlet/");
		buf_append(out, url, n - 3);
		return true;
	}
	return false;
}

static void
test_link_rewrite_is_checked_and_escaped(void)
{
	struct buf b = BUF_INIT;
	struct md_opts o = { .link = rewrite };
	const char *src = "[Get-Item](Get-Item.md) [evil](x\"onmouseover=.md) [js](javascript:x.md)";

	md_render(&b, src, strlen(src), &o);
	T_CONTAINS(b.data, "<a href=\"/docs/cmdlet/Get-Item\">Get-Item</a>");
	T_ASSERT(strstr(b.data, "\"onmouseover") == NULL);
	T_CONTAINS(b.data, " js");
	T_ASSERT(strstr(b.data, "href=\"javascript") == NULL);
	buf_free(&b);
}

static void
test_deeply_nested_lists_are_bounded(void)
{
	struct buf src = BUF_INIT;
	char *h;

	for (int i = 0; i < 5000; i++) {
		for (int k = 0; k < i % 200; k++)
			buf_puts(&src, "  ");
		buf_puts(&src, i % 3 ? "- item\n" : "1. item\n");
	}
	buf_puts(&src, "\n> > > > > > deep quote\n");
	h = md(buf_cstr(&src));
	T_ASSERT(balanced(h));
	T_ASSERT(count(h, "<ul>") + count(h, "<ol>") <= 5000);
	/* never more than MD_MAX_DEPTH lists open at once */
	{
		int open = 0, most = 0;

		for (const char *p = h; *p != '\0'; p++) {
			if (strncmp(p, "<ul>", 4) == 0 || strncmp(p, "<ol>", 4) == 0)
				open++;
			if (strncmp(p, "</ul>", 5) == 0 || strncmp(p, "</ol>", 5) == 0)
				open--;
			most = open > most ? open : most;
		}
		T_ASSERT(most <= MD_MAX_DEPTH);
		T_ASSERT(most >= 2);
	}
	free(h);
	buf_free(&src);
}

static void
test_a_one_megabyte_line_renders_in_linear_time(void)
{
	static const char *const units[] = { "[", "`", "*", "<https://", "\\", "](", "**", "x " };

	for (size_t u = 0; u < PSS_ARRAY_LEN(units); u++) {
		size_t k = strlen(units[u]), n = (1 << 20) / k;
		char *src = malloc(n * k + 1);
		struct buf b = BUF_INIT;
		clock_t t0 = clock();
		double s;

		for (size_t i = 0; i < n; i++)
			memcpy(src + i * k, units[u], k);
		src[n * k] = '\0';
		md_render(&b, src, n * k, NULL);
		s = (double)(clock() - t0) / CLOCKS_PER_SEC;
		T_ASSERTF(s < 2.0, "a 1 MB line of \"%s\" took %.2f s", units[u], s);
		T_ASSERT(balanced(b.data));
		T_ASSERT(b.len > 0);
		buf_free(&b);
		free(src);
	}
}

static void
test_random_bytes_stay_balanced_and_escaped(void)
{
	static const char alphabet[] = "#*`[]()<>!|-_>\n\n  \\1.~\"'&:ajshtp/\t\r\xc3\xa9\x01";
	unsigned seed = 12345;

	for (int round = 0; round < 300; round++) {
		char src[2000];
		struct buf b = BUF_INIT;
		size_t n = (size_t)(round * 7 % 1999) + 1;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			src[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		src[n] = '\0';
		md_render(&b, src, n, NULL);
		if (!balanced(b.data) || strstr(b.data, "<script") != NULL ||
		    strstr(b.data, "href=\"java") != NULL) {
			T_FAIL_("round %d unbalanced or unsafe", round);
			buf_free(&b);
			break;
		}
		buf_free(&b);
	}
}

static void
test_input_over_the_bound_is_cut_with_a_note(void)
{
	size_t n = MD_MAX_INPUT + 1000;
	char *src = malloc(n + 1);
	struct buf b = BUF_INIT;

	memset(src, 'a', n);
	for (size_t i = 80; i < n; i += 81)
		src[i] = '\n';
	memcpy(src + n - 3, "END", 3);
	src[n] = '\0';
	md_render(&b, src, n, NULL);
	T_CONTAINS(b.data, "md-truncated");
	T_ASSERT(strstr(b.data, "END") == NULL);
	buf_free(&b);
	free(src);
}

int
main(void)
{
	T_RUN(test_blocks_headings_paragraphs_lists_quotes_tables);
	T_RUN(test_heading_offset_and_closing_hashes);
	T_RUN(test_powershell_fences_are_highlighted_others_escaped);
	T_RUN(test_unclosed_fence_ends_with_the_text);
	T_RUN(test_raw_html_is_text);
	T_RUN(test_links_only_with_safe_schemes);
	T_RUN(test_link_rewrite_is_checked_and_escaped);
	T_RUN(test_deeply_nested_lists_are_bounded);
	T_RUN(test_a_one_megabyte_line_renders_in_linear_time);
	T_RUN(test_random_bytes_stay_balanced_and_escaped);
	T_RUN(test_input_over_the_bound_is_cut_with_a_note);
	return t_done();
}
