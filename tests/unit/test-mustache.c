/* test-mustache.c: unit tests of the Mustache engine beyond the spec: sets, reload, errors, limits */
#include "config.h"

#include <fcntl.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "render/mustache.h"
#include "t.h"

static char tmpdir[] = "/tmp/mustache-test-XXXXXX";

/* put: write a file under tmpdir, creating its folder, and give it the mtime `age` seconds ago. */
static void
put(const char *rel, const char *content, int age)
{
	char path[512];
	struct timespec ts[2];
	FILE *f;
	char *slash;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	mkdir(path, 0700);
	*slash = '/';
	f = fopen(path, "w");
	if (f == NULL) {
		printf("# cannot write %s\n", path);
		return;
	}
	fputs(content, f);
	fclose(f);
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= age;
	ts[1] = ts[0];
	utimensat(AT_FDCWD, path, ts, 0);
}

/* render: a template string against a JSON text; returns a static string ("ERR: msg" on error). */
static const char *
render(const char *tmpl, const char *json)
{
	static struct buf out = BUF_INIT;
	struct json_object *data = json ? json_tokener_parse(json) : NULL;
	struct mus_template *t;
	struct mus_error err;

	buf_reset(&out);
	t = mus_compile("t", tmpl, strlen(tmpl), &err);
	if (t == NULL)
		buf_printf(&out, "ERR: %s", err.msg);
	else if (mus_render(t, NULL, data, &out, &err) != PSS_OK) {
		buf_reset(&out);
		buf_printf(&out, "ERR: %s", err.msg);
	}
	mus_template_free(t);
	json_object_put(data);
	return buf_cstr(&out);
}

/* compile_error: the message of a template that must not compile. */
static const char *
compile_error(const char *tmpl)
{
	static struct mus_error err;
	struct mus_template *t = mus_compile("page", tmpl, strlen(tmpl), &err);

	if (t != NULL) {
		mus_template_free(t);
		return "(compiled)";
	}
	return err.msg;
}

static void
test_set_loads_directory_with_subfolders(void)
{
	struct mus_set *set = NULL;
	struct mus_error err;
	struct buf out = BUF_INIT;
	struct json_object *data = json_tokener_parse("{\"who\":\"<b>\"}");

	put("page.mustache", "[{{>admin/row}}]", 10);
	put("admin/row.mustache", "row {{who}}", 10);
	put(".hidden.mustache", "{{#broken}}", 10);
	put("notes.txt", "{{#broken}}", 10);
	T_EQ(mus_set_load(tmpdir, 0, &set, &err), PSS_OK);
	T_ASSERT(set != NULL);
	if (set == NULL)
		return;
	T_ASSERT(mus_set_get(set, "page") != NULL);
	T_ASSERT(mus_set_get(set, "admin/row") != NULL);
	T_ASSERT(mus_set_get(set, ".hidden") == NULL);
	T_ASSERT(mus_set_get(set, "notes") == NULL);
	T_STREQ(mus_template_name(mus_set_get(set, "admin/row")), "admin/row");
	T_EQ(mus_set_render(set, "page", data, &out, &err), PSS_OK);
	T_STREQ(buf_cstr(&out), "[row &lt;b&gt;]");
	buf_reset(&out);
	T_EQ(mus_set_render(set, "nope", data, &out, &err), PSS_ENOTFOUND);
	T_CONTAINS(err.msg, "nope");
	buf_free(&out);
	json_object_put(data);
	mus_set_free(set);
}

static void
test_set_load_reports_broken_file(void)
{
	char sub[600];
	struct mus_set *set = NULL;
	struct mus_error err;

	snprintf(sub, sizeof(sub), "%s/broken", tmpdir);
	mkdir(sub, 0700);
	put("broken/ok.mustache", "fine", 10);
	put("broken/bad.mustache", "line one\n  {{#open}}\n", 10);
	snprintf(sub, sizeof(sub), "%s/broken", tmpdir);
	T_EQ(mus_set_load(sub, 0, &set, &err), PSS_EINVAL);
	T_ASSERT(set == NULL);
	T_STREQ(err.msg, "bad:2:3: unclosed section {{#open}}");
	T_EQ(err.line, 2);
	T_EQ(err.col, 3);
	T_EQ(mus_set_load("/nonexistent/templates", 0, &set, &err), PSS_EIO);
}

static void
test_dev_mode_reloads_changed_file(void)
{
	char dir[600];
	struct mus_set *dev = NULL, *prod = NULL;
	struct mus_error err;
	struct buf out = BUF_INIT;

	snprintf(dir, sizeof(dir), "%s/reload", tmpdir);
	mkdir(dir, 0700);
	put("reload/page.mustache", "version 1", 100);
	T_EQ(mus_set_load(dir, MUS_DEV, &dev, &err), PSS_OK);
	T_EQ(mus_set_load(dir, 0, &prod, &err), PSS_OK);
	if (dev == NULL || prod == NULL)
		return;
	T_EQ(mus_set_render(dev, "page", NULL, &out, &err), PSS_OK);
	T_STREQ(buf_cstr(&out), "version 1");

	/* Same size, newer mtime: development re-reads, production keeps what it loaded. */
	put("reload/page.mustache", "version 2", 50);
	buf_reset(&out);
	T_EQ(mus_set_render(dev, "page", NULL, &out, &err), PSS_OK);
	T_STREQ(buf_cstr(&out), "version 2");
	buf_reset(&out);
	T_EQ(mus_set_render(prod, "page", NULL, &out, &err), PSS_OK);
	T_STREQ(buf_cstr(&out), "version 1");

	/* A new file appears. */
	put("reload/extra.mustache", "extra", 10);
	buf_reset(&out);
	T_EQ(mus_set_render(dev, "extra", NULL, &out, &err), PSS_OK);
	T_STREQ(buf_cstr(&out), "extra");

	/* A broken edit is reported with its position; the last good version stays. */
	put("reload/page.mustache", "version {{3", 40);
	buf_reset(&out);
	T_EQ(mus_set_render(dev, "page", NULL, &out, &err), PSS_EINVAL);
	T_STREQ(err.msg, "page:1:9: unclosed tag: no \"}}\" after \"{{3\"");
	T_ASSERT(mus_set_get(dev, "page") != NULL);
	put("reload/page.mustache", "version 4", 30);
	buf_reset(&out);
	T_EQ(mus_set_render(dev, "page", NULL, &out, &err), PSS_OK);
	T_STREQ(buf_cstr(&out), "version 4");
	buf_free(&out);
	mus_set_free(dev);
	mus_set_free(prod);
}

static void
test_errors_name_line_and_column(void)
{
	T_STREQ(compile_error("ab\ncd {{name"), "page:2:4: unclosed tag: no \"}}\" after \"{{name\"");
	T_STREQ(compile_error("{{{raw}}"), "page:1:1: unclosed tag: no \"}}}\" after \"{{{raw}}\"");
	T_STREQ(compile_error("x\n\n  {{#a}}\n{{/a}}{{/b}}"), "page:4:7: {{/b}} closes no section");
	T_STREQ(compile_error("{{#a}}\n {{^b}}{{/a}}"),
	    "page:2:8: {{/a}} does not match {{^b}} opened at line 2, column 2");
	T_STREQ(compile_error("{{#a}}{{$b}}"), "page:1:7: unclosed section {{$b}}");
	T_STREQ(compile_error("1{{}}"), "page:1:2: empty tag name");
	T_STREQ(compile_error("{{a b}}"), "page:1:1: tag name \"a b\" contains a space or NUL");
	T_STREQ(compile_error("{{a..b}}"), "page:1:1: bad name \"a..b\"");
	T_STREQ(compile_error("{{.a}}"), "page:1:1: bad name \".a\"");
	T_CONTAINS(compile_error("{{=<% =}}"), "page:1:1: bad set-delimiter tag");
	T_CONTAINS(compile_error("{{=a= b=}}"), "bad set-delimiter tag");
	T_STREQ(compile_error("{{=<% %>=}}\n<%x"), "page:2:1: unclosed tag: no \"%>\" after \"<%x\"");
	T_STREQ(compile_error("{{!"), "page:1:1: unclosed tag: no \"}}\" after \"{{!\"");
}

static void
test_nesting_limit_at_compile(void)
{
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; i < MUS_MAX_NESTING + 1; i++)
		buf_puts(&b, "{{#a}}");
	T_CONTAINS(compile_error(b.data), "nested deeper than 256");
	buf_free(&b);
}

static void
test_recursive_partial_stops(void)
{
	struct mus_set *set = mus_set_new(0);
	struct mus_error err;
	struct buf out = BUF_INIT;

	T_EQ(mus_set_add(set, "self", "x{{>self}}", 10, &err), PSS_OK);
	T_EQ(mus_set_render(set, "self", NULL, &out, &err), PSS_ETOOBIG);
	T_STREQ(err.msg, "self:1:2: nesting deeper than 100 (recursive partials?) at {{self}}");
	T_EQ(out.len, 101);	/* the template and 100 levels of partials */

	/* Exponential recursion reaches the depth limit first. */
	T_EQ(mus_set_add(set, "two", "{{>two}}{{>two}}", 16, &err), PSS_OK);
	buf_reset(&out);
	T_EQ(mus_set_render(set, "two", NULL, &out, &err), PSS_ETOOBIG);
	T_CONTAINS(err.msg, "nesting deeper");

	/* A block that expands itself is a recursion too. */
	T_EQ(mus_set_add(set, "p", "{{$a}}{{/a}}", 12, &err), PSS_OK);
	T_EQ(mus_set_add(set, "loop", "{{<p}}{{$a}}<{{$a}}{{/a}}>{{/a}}{{/p}}", 38, &err), PSS_OK);
	buf_reset(&out);
	T_EQ(mus_set_render(set, "loop", NULL, &out, &err), PSS_ETOOBIG);
	T_CONTAINS(err.msg, "nesting deeper");
	buf_free(&out);
	mus_set_free(set);
}

/* render_limited: render tmpl over ten-element list l under lim; *len gets the output length. */
static enum pss_err
render_limited(const char *tmpl, const struct mus_limits *lim, struct mus_error *err,
    size_t *len)
{
	struct mus_set *set = mus_set_new(0);
	struct buf out = BUF_INIT;
	struct json_object *data = json_tokener_parse("{\"l\":[1,2,3,4,5,6,7,8,9,10]}");
	enum pss_err rc;

	mus_set_limits(set, lim);
	rc = mus_set_add(set, "t", tmpl, strlen(tmpl), err);
	if (rc == PSS_OK)
		rc = mus_set_render(set, "t", data, &out, err);
	*len = out.len;
	json_object_put(data);
	buf_free(&out);
	mus_set_free(set);
	return rc;
}

static void
test_step_limit_stops_silent_loops(void)
{
	struct mus_limits lim = { 0, 0, 100000 };
	struct mus_error err;
	size_t len;

	T_EQ(render_limited("{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}"
	    "{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}", &lim, &err, &len), PSS_ETOOBIG);
	T_CONTAINS(err.msg, "too many steps");
	T_EQ(len, 0);
}

static void
test_output_limit_stops(void)
{
	struct mus_limits lim = { 0, 1000, 0 };
	struct mus_error err;
	size_t len;

	T_EQ(render_limited("{{#l}}{{#l}}{{#l}}0123456789{{/l}}{{/l}}{{/l}}", &lim, &err, &len),
	    PSS_ETOOBIG);
	T_CONTAINS(err.msg, "output too large");
	T_ASSERT(len > 1000 && len <= 1010);
}

static void
test_values_format(void)
{
	T_STREQ(render("{{i}} {{n}} {{d}} {{e}} {{big}} {{t}} {{f}} {{z}}",
	    "{\"i\":42,\"n\":-7,\"d\":0.1,\"e\":1e300,\"big\":18446744073709551615,"
	    "\"t\":true,\"f\":false,\"z\":null}"),
	    "42 -7 0.1 1e+300 18446744073709551615 true false ");
	T_STREQ(render("{{o}}|{{{a}}}", "{\"o\":{\"k\":\"<v>\"},\"a\":[1,\"x\"]}"),
	    "{&quot;k&quot;:&quot;&lt;v&gt;&quot;}|[1,\"x\"]");
	T_STREQ(render("{{l.1.name}}", "{\"l\":[{\"name\":\"a\"},{\"name\":\"b\"}]}"), "b");
	T_STREQ(render("{{l.9.name}}{{l.x}}", "{\"l\":[]}"), "");
}

static void
test_truthiness(void)
{
	T_STREQ(render("{{#s}}s{{/s}}{{^s}}!s{{/s}} {{#z}}z={{z}}{{/z}} {{#o}}o{{/o}}",
	    "{\"s\":\"\",\"z\":0,\"o\":{}}"), "!s z=0 o");
	T_STREQ(render("{{#.}}{{.}}{{/.}}", "[1,2,3]"), "123");
	T_STREQ(render("{{#x}}{{.}}{{/x}}", NULL), "");
	T_STREQ(render("[{{.}}]", NULL), "[]");
}

static void
test_escapes_by_default(void)
{
	const char *json = "{\"x\":\"<script>alert('1')</script>\"}";

	T_STREQ(render("{{x}}", json), "&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt;");
	T_STREQ(render("{{{x}}}{{&x}}", json),
	    "<script>alert('1')</script><script>alert('1')</script>");
}

static void
test_compile_once_render_many(void)
{
	struct mus_template *t = mus_compile("t", "Hi {{n}}!", 9, NULL);
	struct json_object *a = json_tokener_parse("{\"n\":\"A\"}");
	struct json_object *b = json_tokener_parse("{\"n\":\"B\"}");
	struct buf out = BUF_INIT;

	T_ASSERT(t != NULL);
	T_EQ(mus_render(t, NULL, a, &out, NULL), PSS_OK);
	T_EQ(mus_render(t, NULL, b, &out, NULL), PSS_OK);
	T_STREQ(buf_cstr(&out), "Hi A!Hi B!");
	buf_free(&out);
	json_object_put(a);
	json_object_put(b);
	mus_template_free(t);
}

static void
test_layout_inheritance(void)
{
	struct mus_set *set = mus_set_new(0);
	struct mus_error err;
	struct buf out = BUF_INIT;
	struct json_object *data = json_tokener_parse("{\"title\":\"Scripts & more\",\"items\":[\"a\",\"b\"]}");
	const char *layout =
	    "<html>\n"
	    "  <head><title>{{$title}}PSScript{{/title}}</title></head>\n"
	    "  <body>\n"
	    "    {{$content}}{{/content}}\n"
	    "  </body>\n"
	    "</html>\n";
	const char *page =
	    "{{<layout}}\n"
	    "{{$title}}{{title}} - PSScript{{/title}}\n"
	    "{{$content}}\n"
	    "<ul>\n"
	    "{{#items}}\n"
	    "  <li>{{.}}</li>\n"
	    "{{/items}}\n"
	    "</ul>\n"
	    "{{/content}}\n"
	    "{{/layout}}\n";

	T_EQ(mus_set_add(set, "layout", layout, strlen(layout), &err), PSS_OK);
	T_EQ(mus_set_add(set, "page", page, strlen(page), &err), PSS_OK);
	T_EQ(mus_set_render(set, "page", data, &out, &err), PSS_OK);
	T_STREQ(buf_cstr(&out),
	    "<html>\n"
	    "  <head><title>Scripts &amp; more - PSScript</title></head>\n"
	    "  <body>\n"
	    "    <ul>\n"
	    "      <li>a</li>\n"
	    "      <li>b</li>\n"
	    "    </ul>\n"
	    "  </body>\n"
	    "</html>\n");
	json_object_put(data);
	buf_free(&out);
	mus_set_free(set);
}

/* render_set: render name from a set of (name, source) pairs ended by NULL. */
static const char *
render_set(const char *name, const char *json, const char *const *pairs)
{
	static struct buf out = BUF_INIT;
	struct mus_set *set = mus_set_new(0);
	struct json_object *data = json ? json_tokener_parse(json) : NULL;
	struct mus_error err;

	buf_reset(&out);
	for (; pairs[0] != NULL; pairs += 2)
		if (mus_set_add(set, pairs[0], pairs[1], strlen(pairs[1]), &err) != PSS_OK)
			buf_printf(&out, "ERR: %s", err.msg);
	if (out.len == 0 && mus_set_render(set, name, data, &out, &err) != PSS_OK)
		buf_printf(&out, "ERR: %s", err.msg);
	json_object_put(data);
	mus_set_free(set);
	return buf_cstr(&out);
}

static void
test_block_alone_on_line_keeps_lines_whole(void)
{
	static const char *const none[] = {
		"base", "a\n  {{$x}}{{/x}}\nb\n", "page", "{{<base}}{{/base}}", NULL };
	static const char *const inline_arg[] = {
		"base", "a\n  {{$x}}{{/x}}\nb\n", "page", "{{<base}}{{$x}}X{{/x}}{{/base}}", NULL };
	static const char *const line_arg[] = {
		"base", "a\n  {{$x}}{{/x}}\nb\n",
		"page", "{{<base}}\n{{$x}}\nX\nY\n{{/x}}\n{{/base}}\n", NULL };
	static const char *const section_arg[] = {
		"base", "a\n  {{$x}}{{/x}}\nb\n",
		"page", "{{<base}}{{$x}}\n{{#l}}\n<li>{{.}}</li>\n{{/l}}\n{{/x}}{{/base}}", NULL };

	/* An empty block on its own line leaves no blank line; content is indented. */
	T_STREQ(render_set("page", NULL, none), "a\nb\n");
	T_STREQ(render_set("page", NULL, inline_arg), "a\n  X\nb\n");
	T_STREQ(render_set("page", NULL, line_arg), "a\n  X\n  Y\nb\n");
	/* Content starting with a section on a line of its own is indented once. */
	T_STREQ(render_set("page", "{\"l\":[1,2]}", section_arg), "a\n  <li>1</li>\n  <li>2</li>\nb\n");
}

static void
test_names_with_folders_and_crlf(void)
{
	static const char *const folders[] = {
		"admin/base", "<{{$t}}{{/t}}>{{>admin/bits/x}}", "admin/bits/x", "[{{v}}]",
		"page", "{{<admin/base}}{{$t}}T{{/t}}{{/admin/base}}", NULL };
	static const char *const crlf[] = {
		"part", "1\r\n2\r\n", "page", "A\r\n  {{>part}}\r\n{{#b}}\r\nB\r\n{{/b}}\r\n", NULL };

	T_STREQ(render_set("page", "{\"v\":\"&\"}", folders), "<T>[&amp;]");
	T_STREQ(render_set("page", "{\"b\":true}", crlf), "A\r\n  1\r\n  2\r\nB\r\n");
}

/* mus_spans: where the very objects given went, escaped or not, each writing taking the first
 * of the object's entries not yet found; an equal string that is another object is not
 * noted, nor a writing past the object's entries. */
static void
test_spans_note_where_values_went(void)
{
	struct mus_set *set = mus_set_new(0);
	struct json_object *data = json_object_new_object(), *a = json_object_new_string("AAA"),
	    *b = json_object_new_string("<b>"), *c = json_object_new_string("AAA");
	struct mus_spans sp = { 4, { { .value = a }, { .value = b }, { .value = c }, { .value = a } } };
	struct buf out = BUF_INIT;
	struct mus_error err;

	json_object_object_add(data, "a", a);
	json_object_object_add(data, "b", b);
	json_object_object_add(data, "o", json_object_new_object());
	json_object_object_add(json_object_object_get(data, "o"), "c", json_object_new_string("AAA"));
	T_EQ(mus_set_add(set, "p", "<p>{{b}}{{#o}}{{{c}}}{{/o}}-{{&a}}{{{a}}}{{a}}</p>", 50, &err), PSS_OK);
	buf_puts(&out, "xy");
	T_EQ(mus_set_render_spans(set, "p", data, &sp, &out, &err), PSS_OK);
	T_STREQ(buf_cstr(&out), "xy<p>&lt;b&gt;AAA-AAAAAAAAA</p>");
	T_ASSERT(sp.v[0].found && !sp.v[0].escaped);	/* a's first writing */
	T_EQ(sp.v[0].off, 18);
	T_EQ(sp.v[0].len, 3);
	T_ASSERT(sp.v[3].found && !sp.v[3].escaped);	/* its second; the third has no entry */
	T_EQ(sp.v[3].off, 21);
	T_EQ(sp.v[3].len, 3);
	T_ASSERT(sp.v[1].found && sp.v[1].escaped);	/* b, escaped: the escaped bytes */
	T_EQ(sp.v[1].off, 5);
	T_EQ(sp.v[1].len, 9);
	T_ASSERT(!sp.v[2].found);
	json_object_put(c);
	json_object_put(data);
	buf_free(&out);
	mus_set_free(set);
}

static void
test_hostile_bytes_do_not_crash(void)
{
	static const char *const inputs[] = {
		"{{", "}}", "{{{", "{{=", "{{= =}}", "{{#}}", "{{/}}", "{{>}}", "{{<}}{{/}}",
		"{{$}}", "{{#a}}{{/a}}{{/a}}", "\r\n{{#a}}\r\n", "{{=| |=}}|", "{{<p}}x",
		"{{<p}}{{$b}}{{/p}}{{/b}}", "{{\0}}",
	};
	size_t i;

	for (i = 0; i < PSS_ARRAY_LEN(inputs); i++) {
		struct mus_error err;
		struct mus_template *t = mus_compile("t", inputs[i], strlen(inputs[i]), &err);

		if (t == NULL)
			T_ASSERTF(err.msg[0] != '\0', "no message for input %zu", i);
		mus_template_free(t);
	}
	T_EQ(mus_compile("t", "{{a\0b}}", 7, NULL) == NULL, 1);
}

static void
remove_tree(const char *dir)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

int
main(void)
{
	log_init("test-mustache", LOG_ERROR);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_set_loads_directory_with_subfolders);
	T_RUN(test_set_load_reports_broken_file);
	T_RUN(test_dev_mode_reloads_changed_file);
	T_RUN(test_errors_name_line_and_column);
	T_RUN(test_nesting_limit_at_compile);
	T_RUN(test_recursive_partial_stops);
	T_RUN(test_step_limit_stops_silent_loops);
	T_RUN(test_output_limit_stops);
	T_RUN(test_values_format);
	T_RUN(test_truthiness);
	T_RUN(test_escapes_by_default);
	T_RUN(test_compile_once_render_many);
	T_RUN(test_layout_inheritance);
	T_RUN(test_block_alone_on_line_keeps_lines_whole);
	T_RUN(test_names_with_folders_and_crlf);
	T_RUN(test_hostile_bytes_do_not_crash);
	T_RUN(test_spans_note_where_values_went);
	remove_tree(tmpdir);
	return t_done();
}
