/* test-highlight.c: unit tests of the PowerShell highlighter and the diff views */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json.h>

#include "analyzer/ps_lex.h"
#include "core/core.h"
#include "render/diffview.h"
#include "render/highlight.h"
#include "hl-check.h"
#include "t.h"

static struct json_object *compare_fixture(void);

/* hl: the highlighted lines of s joined with "\n", in a static buffer reused by each call;
 * *nlines (when not NULL) gets the line count. The markup is checked on the way. */
static const char *
hl_n(const char *s, size_t len, size_t *nlines)
{
	static struct buf b = BUF_INIT;
	struct hl_lines l;
	struct buf text = BUF_INIT;
	const char *why;

	buf_reset(&b);
	hl_render(s, len, &l);
	for (size_t i = 0; i < l.n; i++) {
		size_t n;
		const char *line = hl_line(&l, i, &n);

		if (i > 0)
			buf_putc(&b, '\n');
		buf_append(&b, line, n);
	}
	why = hl_check(&l, &text);
	T_ASSERTF(why == NULL, "bad markup (%s) for \"%.200s\"", why, s);
	if (nlines)
		*nlines = l.n;
	hl_lines_free(&l);
	buf_free(&text);
	return buf_cstr(&b);
}

#define HL(lit) hl_n(lit, sizeof(lit) - 1, NULL)

static void
test_each_token_class(void)
{
	T_STREQ(HL("# note"), "<h-c># note</h-c>");
	T_STREQ(HL("#Requires -Version 7"), "<h-q>#Requires -Version 7</h-q>");
	T_STREQ(HL("'a'"), "<h-s>&#39;a&#39;</h-s>");
	T_STREQ(HL("$x"), "<h-v>$x</h-v>");
	T_STREQ(HL("f @args"), "<h-m>f</h-m> <h-v>@args</h-v>");
	T_STREQ(HL("0x1F"), "<h-n>0x1F</h-n>");
	T_STREQ(HL("if ($a) { }"), "<h-k>if</h-k> (<h-v>$a</h-v>) { }");
	T_STREQ(HL("Get-Item -Path c:\\"),
	    "<h-m>Get-Item</h-m> <h-p>-Path</h-p> c:\\");
	T_STREQ(HL("function Go { }"),
	    "<h-k>function</h-k> <h-f>Go</h-f> { }");
	T_STREQ(HL("$a -eq 1"), "<h-v>$a</h-v> <h-o>-eq</h-o> "
	    "<h-n>1</h-n>");
	T_STREQ(HL("[int]$n"), "[<h-t>int</h-t>]<h-v>$n</h-v>");
	T_STREQ(HL("[CmdletBinding()]"), "[<h-a>CmdletBinding</h-a>()]");
	/* "." and "," are punctuation, plain like the brackets; other operators keep theirs */
	T_STREQ(HL("$s.Length"), "<h-v>$s</h-v>.<h-e>Length</h-e>");
	T_STREQ(HL("1, 2"), "<h-n>1</h-n>, <h-n>2</h-n>");
	T_STREQ(HL("[Math]::Pi"), "[<h-t>Math</h-t>]<h-o>::</h-o>"
	    "<h-e>Pi</h-e>");
	/* tokens of one class with only blanks between them share a span; not across another
	 * token, a line, a nesting level, and never for errors */
	T_STREQ(HL("f $a \t$b"), "<h-m>f</h-m> <h-v>$a \t$b</h-v>");
	T_STREQ(HL("f $a x $b"), "<h-m>f</h-m> <h-v>$a</h-v> x "
	    "<h-v>$b</h-v>");
	T_STREQ(HL("\"$a $b\" $c"), "<h-s>&quot;<h-v>$a $b</h-v>&quot;</h-s> "
	    "<h-v>$c</h-v>");
	T_STREQ(HL("} }"), "<h-x>}</h-x> <h-x>}</h-x>");
	T_STREQ(HL(":outer while (1) { }"), "<h-l>:outer</h-l> "
	    "<h-k>while</h-k> (<h-n>1</h-n>) { }");
	T_CONTAINS(HL("dir 2>&1"), "<h-o>2&gt;&amp;1</h-o>");
	T_CONTAINS(HL("git --% a b"), "<h-s>--% a b</h-s>");
	/* errors: an unmatched closer, an opener never closed, a bad number suffix */
	T_CONTAINS(HL("}"), "<h-x>}</h-x>");
	T_CONTAINS(HL("( 1"), "<h-x>(</h-x>");
	T_STREQ(HL("1 + 12zz"), "<h-n>1</h-n> <h-o>+</h-o> "
	    "<h-x>12zz</h-x>");
}

static void
test_plain_text_stays_plain(void)
{
	/* bare words, brackets and white space get no span; tabs are kept */
	T_STREQ(HL("\t{ }"), "\t{ }");
	T_STREQ(HL("Write-Host hello"), "<h-m>Write-Host</h-m> hello");
}

static void
test_nested_tokens_inside_string(void)
{
	T_STREQ(HL("\"a $x b\""),
	    "<h-s>&quot;a <h-v>$x</h-v> b&quot;</h-s>");
	T_STREQ(HL("\"$(Get-Date)\""), "<h-s>&quot;$(<h-m>Get-Date"
	    "</h-m>)&quot;</h-s>");
}

static void
test_escapes_markup_characters(void)
{
	T_STREQ(HL("'<script>alert(1)</script>'"),
	    "<h-s>&#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39;</h-s>");
	T_STREQ(HL("# a & b \"c\" 'd' <e>"),
	    "<h-c># a &amp; b &quot;c&quot; &#39;d&#39; &lt;e&gt;</h-c>");
	T_STREQ(HL("<# </span><b> #>"), "<h-c>&lt;# &lt;/span&gt;&lt;b&gt; #&gt;</h-c>");
	/* NUL, other controls and invalid UTF-8 as U+FFFD; valid UTF-8 kept */
	T_STREQ(HL("# \x01\x7F\x00 \xC3 caf\xC3\xA9"), "<h-c># \xEF\xBF\xBD"
	    "\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD caf\xC3\xA9</h-c>");
}

static void
test_herestring_split_across_lines(void)
{
	static const char src[] = "$s = @\"\nline 1 <b>\n\n  $v\n\"@\n$t";
	size_t n;
	const char *h = hl_n(src, sizeof(src) - 1, &n);

	T_EQ(n, 6);
	T_STREQ(h, "<h-v>$s</h-v> <h-o>=</h-o> "
	    "<h-s>@&quot;</h-s>\n"
	    "<h-s>line 1 &lt;b&gt;</h-s>\n"
	    "\n"	/* no empty span on an empty line */
	    "<h-s>  <h-v>$v</h-v></h-s>\n"
	    "<h-s>&quot;@</h-s>\n"
	    "<h-v>$t</h-v>");
	T_STREQ(HL("@'\n'@"), "<h-s>@&#39;</h-s>\n<h-s>&#39;@</h-s>");
}

static void
test_block_comment_split_across_lines(void)
{
	T_STREQ(HL("<#\r\n a\r\n#>x"), "<h-c>&lt;#</h-c>\n"
	    "<h-c> a</h-c>\n<h-c>#&gt;</h-c><h-m>x</h-m>");
}

static void
test_crlf_and_cr_lines(void)
{
	size_t n;

	/* CRLF is one break and no CR reaches the output; a lone CR is a break too (the
	 * tokenizer's lines, so line numbers match the analyzer's findings) */
	T_STREQ(hl_n("$a\r\n$b\r\n", 8, &n), "<h-v>$a</h-v>\n<h-v>$b</h-v>");
	T_EQ(n, 2);
	T_STREQ(hl_n("a\rb\nc", 5, &n), "<h-m>a</h-m>\n<h-m>b</h-m>\n"
	    "<h-m>c</h-m>");
	T_EQ(n, 3);
	T_STREQ(hl_n("'x\r\ny'", 6, &n), "<h-s>&#39;x</h-s>\n<h-s>y&#39;</h-s>");
	T_EQ(n, 2);
}

static void
test_line_counts(void)
{
	size_t n;

	T_STREQ(hl_n("", 0, &n), "");
	T_EQ(n, 0);
	hl_n("a", 1, &n);
	T_EQ(n, 1);
	hl_n("a\n", 2, &n);
	T_EQ(n, 1);
	hl_n("a\n\n", 3, &n);
	T_EQ(n, 2);
	hl_n("\n", 1, &n);
	T_EQ(n, 1);
	hl_n("\n\n\n", 3, &n);
	T_EQ(n, 3);
}

static void
test_unterminated_string_to_the_end(void)
{
	size_t n;

	T_STREQ(hl_n("\"abc\n$x y\n", 10, &n), "<h-s>&quot;abc</h-s>\n"
	    "<h-v>$x</h-v><h-s> y</h-s>");
	T_EQ(n, 2);
}

static void
test_deep_nesting_output_stays_linear(void)
{
	/* 65 nested unterminated strings ("$( "$( ... "), then 20,000 short lines inside the
	 * innermost: a line opens one span again, not one per nesting level (it was 130) */
	struct buf src = BUF_INIT, text = BUF_INIT;
	struct hl_lines l;

	buf_puts(&src, "$x = ");
	for (int i = 0; i < 64; i++)
		buf_puts(&src, "\"$(");
	buf_puts(&src, "\"\n");
	for (int i = 0; i < 20000; i++)
		buf_puts(&src, "ab\n");
	hl_render_max(src.data, src.len, 0, 0, &l);
	T_EQ(l.n, 20001);
	T_ASSERT(hl_check(&l, &text) == NULL);
	{
		size_t n;
		const char *s = hl_line(&l, 500, &n);

		T_ASSERTF(n == strlen("<h-s>ab</h-s>") &&
		    memcmp(s, "<h-s>ab</h-s>", n) == 0, "line 501: %.*s", (int)n, s);
	}
	printf("# %zu bytes of deeply nested source -> %zu bytes of HTML\n", src.len, l.html.len);
	T_ASSERTF(l.html.len < 40 * src.len, "%zu bytes of HTML from %zu", l.html.len, src.len);
	hl_lines_free(&l);
	buf_free(&src);
	buf_free(&text);
}

/* bounds: "n total shown truncated" of hl_render_max */
static const char *
bounds(const char *s, size_t len, size_t max_lines, size_t max_bytes)
{
	static char r[96];
	struct hl_lines l;
	struct buf text = BUF_INIT;

	hl_render_max(s, len, max_lines, max_bytes, &l);
	T_ASSERT(hl_check(&l, &text) == NULL);
	snprintf(r, sizeof(r), "%zu %zu %zu %d", l.n, l.total_lines, l.shown_bytes, (int)l.truncated);
	hl_lines_free(&l);
	buf_free(&text);
	return r;
}

static void
test_bounds_cut_at_a_line_break(void)
{
	struct buf big = BUF_INIT;
	struct hl_lines l;
	double t0;

	T_STREQ(bounds("a\nb\nc\n", 6, 0, 0), "3 3 6 0");
	T_STREQ(bounds("a\nb\nc\n", 6, 2, 0), "2 3 4 1");
	T_STREQ(bounds("a\nb\nc", 5, 3, 0), "3 3 5 0");
	T_STREQ(bounds("aaa\nbbb\nccc", 11, 0, 9), "2 3 8 1");
	T_STREQ(bounds("aaa\nbbb\nccc", 11, 0, 8), "2 3 8 1");
	T_STREQ(bounds("aaa\nbbb\nccc", 11, 0, 7), "1 3 4 1");
	T_STREQ(bounds("a\r\nb\r\n", 6, 0, 4), "1 2 3 1");
	T_STREQ(bounds("a\rb\rc", 5, 2, 0), "2 3 4 1");
	/* one line longer than the bound: cut inside it, at a character boundary */
	T_STREQ(bounds("xxxxxxxxxxxxxxxxxxxx", 20, 0, 10), "1 1 10 1");
	T_STREQ(bounds("\xC3\xA9\xC3\xA9\xC3\xA9", 6, 0, 5), "1 1 4 1");
	T_STREQ(bounds("", 0, 1, 1), "0 0 0 0");
	/* the default bounds: 10 MB of empty lines is 20,000 rows, quickly */
	for (int i = 0; i < 10 << 20; i++)
		buf_putc(&big, '\n');
	t0 = time_cpu_us() / 1e3;
	hl_render(big.data, big.len, &l);
	printf("# 10 MB of empty lines: %.1f ms CPU, %zu of %zu lines shown\n", time_cpu_us() / 1e3 - t0, l.n,
	    l.total_lines);
	T_EQ(l.n, HL_MAX_LINES);
	T_EQ(l.total_lines, 10 << 20);
	T_ASSERT(l.truncated && l.shown_bytes == HL_MAX_LINES);
	hl_lines_free(&l);
	/* and 10 MB on one line is its first 2 MB */
	memset(big.data, 'x', big.len);
	hl_render(big.data, big.len, &l);
	T_ASSERT(l.n == 1 && l.truncated && l.shown_bytes == HL_MAX_BYTES);
	hl_lines_free(&l);
	buf_free(&big);
}

static void
test_json_lines(void)
{
	struct json_object *a = hl_json("# <a>\n\n$x", 9), *l;

	T_EQ(json_object_array_length(a), 3);
	l = json_object_array_get_idx(a, 0);
	T_EQ(json_object_get_int(json_object_object_get(l, "n")), 1);
	T_STREQ(json_object_get_string(json_object_object_get(l, "html")),
	    "<h-c># &lt;a&gt;</h-c>");
	l = json_object_array_get_idx(a, 1);
	T_EQ(json_object_get_int(json_object_object_get(l, "n")), 2);
	T_STREQ(json_object_get_string(json_object_object_get(l, "html")), "");
	l = json_object_array_get_idx(a, 2);
	T_EQ(json_object_get_int(json_object_object_get(l, "n")), 3);
	json_object_put(a);
	a = hl_json("", 0);
	T_EQ(json_object_array_length(a), 0);
	json_object_put(a);
}

static void
test_html_rows(void)
{
	struct hl_lines l;
	struct buf b = BUF_INIT;

	hl_render("$a\n\n# x", 7, &l);
	hl_html_rows(&b, &l, NULL);
	T_STREQ(buf_cstr(&b),
	    "<tr id=\"L1\"><td><a href=\"#L1\" tabindex=\"-1\">1</a></td><td>"
	    "<h-v>$a</h-v></td></tr>\n"
	    "<tr id=\"L2\"><td><a href=\"#L2\" tabindex=\"-1\">2</a></td><td></td></tr>\n"
	    "<tr id=\"L3\"><td><a href=\"#L3\" tabindex=\"-1\">3</a></td><td>"
	    "<h-c># x</h-c></td></tr>\n");
	buf_reset(&b);
	hl_html_rows(&b, &l, "old\"-");
	T_CONTAINS(buf_cstr(&b), "<tr id=\"old&quot;-2\"><td><a href=\"#old&quot;-2\" tabindex=\"-1\">2</a>");
	hl_lines_free(&l);
	buf_free(&b);
}

static void
test_view_objects(void)
{
	struct json_object *v = hl_view("# a\n$b\n", 7), *c, *d;

	T_CONTAINS(json_object_get_string(json_object_object_get(v, "rows")),
	    "<tr id=\"L2\"><td><a href=\"#L2\" tabindex=\"-1\">2</a></td><td>"
	    "<h-v>$b</h-v></td></tr>\n");
	T_EQ(json_object_get_int(json_object_object_get(v, "lines")), 2);
	T_EQ(json_object_get_int(json_object_object_get(v, "totalLines")), 2);
	T_ASSERT(!json_object_get_boolean(json_object_object_get(v, "truncated")));
	T_EQ(json_object_get_int(json_object_object_get(v, "shownBytes")), 7);
	json_object_put(v);

	c = compare_fixture();
	d = dv_view(c, DV_UNIFIED);
	T_STREQ(json_object_get_string(json_object_object_get(d, "mode")), "unified");
	T_ASSERT(json_object_get_boolean(json_object_object_get(d, "unified")));
	T_ASSERT(json_object_object_get(d, "split") == NULL);
	T_EQ(json_object_get_int(json_object_object_get(d, "fromVersion")), 1);
	T_EQ(json_object_get_int(json_object_object_get(d, "toVersion")), 2);
	T_EQ(json_object_array_length(json_object_object_get(d, "hunks")), 2);
	T_ASSERT(!json_object_get_boolean(json_object_object_get(d, "truncated")));
	json_object_put(d);
	d = dv_view(c, DV__MAX);
	T_ASSERT(json_object_get_boolean(json_object_object_get(d, "split")));
	json_object_put(d);
	json_object_put(c);
}

static void
test_escape_line(void)
{
	struct buf b = BUF_INIT;

	hl_escape_line(&b, "a<\t\r\n\x01&\"'", 9);
	T_STREQ(buf_cstr(&b), "a&lt;\t\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD&amp;&quot;&#39;");
	/* the diff views show a bidirectional control as its marker too, as text (no markup) */
	buf_reset(&b);
	hl_escape_line(&b, "x\xE2\x81\xA6y", 5);
	T_STREQ(buf_cstr(&b), "x[U+2066]y");
	buf_free(&b);
}

static void
test_bidi_controls_shown_not_applied(void)
{
	/* "Trojan Source": the override would make the comment display in another order than
	 * PowerShell reads it; every bidirectional control is a visible marker instead */
	T_STREQ(HL("# a\xE2\x80\xAE" "b"),
	    "<h-c># a<span class=\"tk-bidi\">[U+202E]</span>b</h-c>");
	T_STREQ(HL("'\xE2\x80\x8F\xD8\x9C'"), "<h-s>&#39;<span class=\"tk-bidi\">"
	    "[U+200F]</span><span class=\"tk-bidi\">[U+061C]</span>&#39;</h-s>");
	/* (the tokenizer takes the control into the variable's name: the marker is inside it) */
	T_STREQ(HL("$a\xE2\x81\xA9 = 1"), "<h-v>$a<span class=\"tk-bidi\">"
	    "[U+2069]</span></h-v> <h-o>=</h-o> <h-n>1</h-n>");
	/* neighbours of the controls' bytes are kept as they are */
	T_STREQ(HL("# \xE2\x80\x94 \xE2\x81\xA0 \xD8\xA7"), "<h-c># \xE2\x80\x94 "
	    "\xE2\x81\xA0 \xD8\xA7</h-c>");
}

/* check_file: the markup of one script is good and shows exactly its text. */
static int
check_file(const char *path)
{
	struct buf src = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
	struct hl_lines l;
	const char *why;
	int ok;

	if (file_read(path, &src, SIZE_MAX) != PSS_OK) {
		buf_free(&src);
		return 0;
	}
	hl_render(src.data, src.len, &l);
	why = hl_check(&l, &got);
	hl_expected_text(src.data ? src.data : "", src.len, &want);
	ok = why == NULL && got.len == want.len && memcmp(got.data, want.data, got.len) == 0;
	if (!ok)
		printf("#   %s: %s\n", path, why ? why : "the text shown differs from the source");
	hl_lines_free(&l);
	buf_free(&src);
	buf_free(&got);
	buf_free(&want);
	return ok;
}

static void
walk(const char *dir, size_t *files, size_t *bad)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat sb;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			walk(path, files, bad);
		else if (S_ISREG(sb.st_mode)) {
			(*files)++;
			if (!check_file(path))
				(*bad)++;
		}
	}
	closedir(d);
}

static void
test_real_scripts_well_formed_and_complete(void)
{
	const char *top = getenv("PSS_SRCDIR");
	const char *dirs[] = { "tests/data/labeled", "tests/fuzz/corpus/ps" };
	size_t files = 0, bad = 0;

	for (size_t i = 0; i < PSS_ARRAY_LEN(dirs); i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", top ? top : ".", dirs[i]);
		walk(path, &files, &bad);
	}
	printf("# %zu scripts checked\n", files);
	T_ASSERT(files >= 30);
	T_EQ(bad, 0);
}

static void
test_10k_lines_timing(void)
{
	static const char block[] =
	    "function Get-Thing {\n"
	    "    [CmdletBinding()]\n"
	    "    param([string]$Name = \"a $x b $(Get-Date) c\", [int]$N = 0x1F)\n"
	    "    <# a block\n"
	    "       comment #>\n"
	    "    $h = @{ a = 1; 'b' = 2 }  # a comment\n"
	    "    $s = @\"\n"
	    "  here <string> & $var\n"
	    "\"@\n"
	    "    Get-ChildItem -Path $env:TEMP -Recurse 2>&1 | Where-Object { $_.Length -gt 1kb }\n";
	struct buf src = BUF_INIT, rows = BUF_INIT;
	double best[4] = { 1e9, 1e9, 1e9, 1e9 };
	size_t nlines = 0, html = 0;

	for (int i = 0; i < 1000; i++)
		buf_puts(&src, block);
	/* best of three: the first run also pays for fresh pages */
	for (int run = 0; run < 3; run++) {
		struct ps_tokens toks;
		struct hl_lines l;
		struct json_object *j;
		double t[5];

		t[0] = time_cpu_us() / 1e3;
		ps_tokenize(src.data, src.len, &toks);
		t[1] = time_cpu_us() / 1e3;
		ps_tokens_free(&toks);
		hl_render(src.data, src.len, &l);
		t[2] = time_cpu_us() / 1e3;
		buf_reset(&rows);
		hl_html_rows(&rows, &l, NULL);
		t[3] = time_cpu_us() / 1e3;
		j = hl_lines_json(&l);
		t[4] = time_cpu_us() / 1e3;
		for (int k = 0; k < 4; k++)
			if (t[k + 1] - t[k] < best[k])
				best[k] = t[k + 1] - t[k];
		nlines = l.n;
		html = l.html.len;
		json_object_put(j);
		hl_lines_free(&l);
	}
	T_EQ(nlines, 10000);
	printf("# 10,000 lines, %zu bytes -> %zu bytes of HTML (%zu as table rows), CPU ms best of 3: "
	    "tokenize %.1f, highlight (tokenize included) %.1f, table rows %.1f, json array %.1f\n",
	    src.len, html, rows.len, best[0], best[1], best[2], best[3]);
	/* A guard against work growing faster than the input, not a speed target (bench/ and
	 * the figures above measure speed): the highlighting itself costs about 3 times the
	 * tokenizing and the rows about as much as it, so 20 and 10 times leave room for a
	 * noisy machine, valgrind and the sanitizers (a bound of 3 and 1 failed once under
	 * valgrind on a shared VM), while a cost quadratic in the 10,000 lines would be some
	 * thousand times. */
	T_ASSERTF(best[1] - best[0] <= 20 * best[0] + 20 && best[2] <= 10 * best[0] + 20,
	    "tokenize %.1f ms, highlight %.1f ms, rows %.1f ms", best[0], best[1], best[2]);
	buf_free(&rows);
	buf_free(&src);
}

/* ---- diff views ---- */

static struct json_object *
compare_fixture(void)
{
	/* old: a b c d e <x> ; new: a B c X Y e <x> z (tabs and markup in the content) */
	return json_tokener_parse("{\"fromVersion\":1,\"toVersion\":2,\"hunks\":["
	    "{\"fromStart\":1,\"fromLines\":6,\"toStart\":1,\"toLines\":8,\"lines\":["
	    "{\"type\":\"context\",\"content\":\"a\"},"
	    "{\"type\":\"removed\",\"content\":\"b\"},"
	    "{\"type\":\"added\",\"content\":\"B\"},"
	    "{\"type\":\"context\",\"content\":\"c\"},"
	    "{\"type\":\"removed\",\"content\":\"d\"},"
	    "{\"type\":\"added\",\"content\":\"X\\t<b>\"},"
	    "{\"type\":\"added\",\"content\":\"Y & 'q'\"},"
	    "{\"type\":\"context\",\"content\":\"e\"},"
	    "{\"type\":\"context\",\"content\":\"<x>\"},"
	    "{\"type\":\"added\",\"content\":\"z\"}]},"
	    "{\"fromStart\":20,\"fromLines\":1,\"toStart\":21,\"toLines\":0,\"lines\":["
	    "{\"type\":\"removed\",\"content\":\"gone\"}]}]}");
}

/* row_str: "no|type|html" of one side of a split row, or of a unified row with a prefix */
static const char *
side_str(struct json_object *row, const char *no, const char *type, const char *html)
{
	static char s[256];
	struct json_object *n = json_object_object_get(row, no);

	snprintf(s, sizeof(s), "%s|%s|%s", n ? json_object_get_string(n) : "-",
	    json_object_get_string(json_object_object_get(row, type)),
	    json_object_get_string(json_object_object_get(row, html)));
	return s;
}

static void
test_diff_split_pairs_changes(void)
{
	struct json_object *c = compare_fixture(), *h = dv_hunks(c, DV_SPLIT), *h0, *rows;
	static const char *const want[][2] = {
		{ "1|context|a", "1|context|a" },
		{ "2|removed|b", "2|added|B" },
		{ "3|context|c", "3|context|c" },
		{ "4|removed|d", "4|added|X\t&lt;b&gt;" },
		{ "-|empty|", "5|added|Y &amp; &#39;q&#39;" },
		{ "5|context|e", "6|context|e" },
		{ "6|context|&lt;x&gt;", "7|context|&lt;x&gt;" },
		{ "-|empty|", "8|added|z" },
	};

	T_EQ(json_object_array_length(h), 2);
	h0 = json_object_array_get_idx(h, 0);
	T_STREQ(json_object_get_string(json_object_object_get(h0, "header")), "@@ -1,6 +1,8 @@");
	rows = json_object_object_get(h0, "rows");
	T_EQ(json_object_array_length(rows), PSS_ARRAY_LEN(want));
	for (size_t i = 0; i < PSS_ARRAY_LEN(want) && i < json_object_array_length(rows); i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);

		T_STREQ(side_str(r, "leftNo", "leftType", "leftHtml"), want[i][0]);
		T_STREQ(side_str(r, "rightNo", "rightType", "rightHtml"), want[i][1]);
	}
	h0 = json_object_array_get_idx(h, 1);
	T_STREQ(json_object_get_string(json_object_object_get(h0, "header")), "@@ -20 +21,0 @@");
	rows = json_object_object_get(h0, "rows");
	T_EQ(json_object_array_length(rows), 1);
	T_STREQ(side_str(json_object_array_get_idx(rows, 0), "leftNo", "leftType", "leftHtml"),
	    "20|removed|gone");
	T_STREQ(side_str(json_object_array_get_idx(rows, 0), "rightNo", "rightType", "rightHtml"),
	    "-|empty|");
	json_object_put(h);
	json_object_put(c);
}

static void
test_diff_split_run_added_before_removed(void)
{
	/* pairing works whatever the order inside a run */
	struct json_object *c = json_tokener_parse("{\"hunks\":[{\"fromStart\":3,\"fromLines\":2,"
	    "\"toStart\":3,\"toLines\":1,\"lines\":[{\"type\":\"added\",\"content\":\"n\"},"
	    "{\"type\":\"removed\",\"content\":\"o1\"},{\"type\":\"removed\",\"content\":\"o2\"}]}]}");
	struct json_object *h = dv_hunks(c, DV_SPLIT);
	struct json_object *rows = json_object_object_get(json_object_array_get_idx(h, 0), "rows");

	T_EQ(json_object_array_length(rows), 2);
	T_STREQ(side_str(json_object_array_get_idx(rows, 0), "leftNo", "leftType", "leftHtml"), "3|removed|o1");
	T_STREQ(side_str(json_object_array_get_idx(rows, 0), "rightNo", "rightType", "rightHtml"), "3|added|n");
	T_STREQ(side_str(json_object_array_get_idx(rows, 1), "leftNo", "leftType", "leftHtml"), "4|removed|o2");
	T_STREQ(side_str(json_object_array_get_idx(rows, 1), "rightNo", "rightType", "rightHtml"), "-|empty|");
	json_object_put(h);
	json_object_put(c);
}

static void
test_diff_unified_rows(void)
{
	struct json_object *c = compare_fixture(), *h = dv_hunks(c, DV_UNIFIED), *rows;
	static const char *const want[] = {
		"1 1   a", "2 - - b", "- 2 + B", "3 3   c", "4 - - d", "- 4 + X\t&lt;b&gt;",
		"- 5 + Y &amp; &#39;q&#39;", "5 6   e", "6 7   &lt;x&gt;", "- 8 + z",
	};

	rows = json_object_object_get(json_object_array_get_idx(h, 0), "rows");
	T_EQ(json_object_array_length(rows), PSS_ARRAY_LEN(want));
	for (size_t i = 0; i < PSS_ARRAY_LEN(want) && i < json_object_array_length(rows); i++) {
		struct json_object *r = json_object_array_get_idx(rows, i), *o, *n;
		char s[256];

		o = json_object_object_get(r, "oldNo");
		n = json_object_object_get(r, "newNo");
		snprintf(s, sizeof(s), "%s %s %s %s", o ? json_object_get_string(o) : "-",
		    n ? json_object_get_string(n) : "-",
		    json_object_get_string(json_object_object_get(r, "sign")),
		    json_object_get_string(json_object_object_get(r, "html")));
		T_STREQ(s, want[i]);
		T_ASSERT(strcmp(json_object_get_string(json_object_object_get(r, "type")),
		    want[i][4] == '+' ? "added" : want[i][4] == '-' ? "removed" : "context") == 0);
	}
	json_object_put(h);
	json_object_put(c);
}

static void
test_diff_bad_shapes_skipped(void)
{
	struct json_object *c = json_tokener_parse("{\"hunks\":[1, {\"lines\":\"x\"}, {\"fromStart\":1,"
	    "\"fromLines\":1,\"toStart\":1,\"toLines\":1,\"lines\":[7, {\"type\":\"weird\",\"content\":\"a\"},"
	    "{\"type\":\"context\"}, {\"type\":\"context\",\"content\":\"ok\"}]}]}");
	struct json_object *h = dv_hunks(c, DV_SPLIT), *rows;

	T_EQ(json_object_array_length(h), 1);
	rows = json_object_object_get(json_object_array_get_idx(h, 0), "rows");
	T_EQ(json_object_array_length(rows), 1);
	json_object_put(h);
	h = dv_hunks(NULL, DV_UNIFIED);
	T_EQ(json_object_array_length(h), 0);
	json_object_put(h);
	h = dv_hunks(c, DV__MAX);
	T_EQ(json_object_array_length(h), 0);
	json_object_put(h);
	json_object_put(c);
}

static void
test_diff_row_bound(void)
{
	struct json_object *c = compare_fixture(), *h;
	bool cut;

	h = dv_hunks_max(c, DV_SPLIT, 3, &cut);
	T_EQ(json_object_array_length(h), 1);
	T_EQ(json_object_array_length(json_object_object_get(json_object_array_get_idx(h, 0), "rows")), 3);
	T_ASSERT(cut);
	json_object_put(h);
	/* the first hunk has 10 unified rows: 10 leaves out the second hunk, 11 is everything */
	h = dv_hunks_max(c, DV_UNIFIED, 10, &cut);
	T_EQ(json_object_array_length(h), 1);
	T_ASSERT(cut);
	json_object_put(h);
	h = dv_hunks_max(c, DV_UNIFIED, 11, &cut);
	T_EQ(json_object_array_length(h), 2);
	T_ASSERT(!cut);
	json_object_put(h);
	h = dv_hunks_max(c, DV_SPLIT, 0, &cut);
	T_EQ(json_object_array_length(h), 2);
	T_ASSERT(!cut);
	json_object_put(h);
	json_object_put(c);
}

static void
test_diff_mode_parse(void)
{
	T_EQ(dv_mode_parse(NULL), DV_SPLIT);
	T_EQ(dv_mode_parse(""), DV_SPLIT);
	T_EQ(dv_mode_parse("split"), DV_SPLIT);
	T_EQ(dv_mode_parse("unified"), DV_UNIFIED);
	T_EQ(dv_mode_parse("Unified"), DV__MAX);
	T_EQ(dv_mode_parse("x"), DV__MAX);
}

int
main(void)
{
	T_RUN(test_each_token_class);
	T_RUN(test_plain_text_stays_plain);
	T_RUN(test_nested_tokens_inside_string);
	T_RUN(test_escapes_markup_characters);
	T_RUN(test_herestring_split_across_lines);
	T_RUN(test_block_comment_split_across_lines);
	T_RUN(test_crlf_and_cr_lines);
	T_RUN(test_line_counts);
	T_RUN(test_unterminated_string_to_the_end);
	T_RUN(test_deep_nesting_output_stays_linear);
	T_RUN(test_bounds_cut_at_a_line_break);
	T_RUN(test_json_lines);
	T_RUN(test_html_rows);
	T_RUN(test_view_objects);
	T_RUN(test_escape_line);
	T_RUN(test_bidi_controls_shown_not_applied);
	T_RUN(test_real_scripts_well_formed_and_complete);
	T_RUN(test_10k_lines_timing);
	T_RUN(test_diff_split_pairs_changes);
	T_RUN(test_diff_split_run_added_before_removed);
	T_RUN(test_diff_unified_rows);
	T_RUN(test_diff_bad_shapes_skipped);
	T_RUN(test_diff_row_bound);
	T_RUN(test_diff_mode_parse);
	return t_done();
}
