/* test-page.c: unit tests of the page machinery below the handlers: forms decoded into JSON
 * by a field list, local redirect paths, the members derived for templates (times, counts),
 * the asset manifest, the template set of a data dir */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "render/page.h"
#include "t.h"

static struct arena arena;

static struct request
form_request(const char *ctype, const char *body)
{
	struct request r;

	memset(&r, 0, sizeof(r));
	r.arena = &arena;
	r.content_type = ctype;
	r.content_type_full = ctype;
	r.body = body;
	r.body_len = strlen(body);
	return r;
}

static const char *
json(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static const struct form_field fields[] = {
	{ "name", FORM_STRING }, { "title", FORM_OPTIONAL }, { "password", FORM_SECRET },
	{ "count", FORM_INT }, { "public", FORM_BOOL }, { "off", FORM_BOOL }, { "tags", FORM_LIST },
	{ NULL, FORM_STRING },
};

static void
test_form_types(void)
{
	struct request r = form_request("application/x-www-form-urlencoded",
	    "csrf_token=abc&name=a+b%26c&title=&password=s%C3%A9cret&count=42&public=on&off=0"
	    "&tags=x,+y+,,z&tags=w&extra=ignored");
	struct json_object *o;
	const char *csrf, *bad;

	T_EQ(form_decode(&arena, &r, fields, false, &o, &csrf, &bad), PSS_OK);
	T_STREQ(csrf, "abc");
	T_STREQ(json(o), "{\"name\":\"a b&c\",\"password\":\"s\xc3\xa9" "cret\",\"count\":42,"
	    "\"public\":true,\"off\":false,\"tags\":[\"x\",\"y\",\"z\",\"w\"]}");
	json_object_put(o);
	/* echo: what a re-rendered form shows: no secret, the list as typed, the number as text */
	T_EQ(form_decode(&arena, &r, fields, true, &o, &csrf, &bad), PSS_OK);
	T_STREQ(json(o), "{\"name\":\"a b&c\",\"count\":\"42\",\"public\":true,\"off\":false,"
	    "\"tags\":\"x, y, z, w\"}");
	json_object_put(o);
	/* no field list: every field but the token, as strings, the first of repeated names */
	T_EQ(form_decode(&arena, &r, NULL, false, &o, &csrf, &bad), PSS_OK);
	T_STREQ(json(o), "{\"name\":\"a b&c\",\"title\":\"\",\"password\":\"s\xc3\xa9" "cret\","
	    "\"count\":\"42\",\"public\":\"on\",\"off\":\"0\",\"tags\":\"x, y ,,z\",\"extra\":\"ignored\"}");
	json_object_put(o);
}

static void
test_form_errors(void)
{
	struct json_object *o;
	const char *csrf, *bad;
	struct request r = form_request("application/x-www-form-urlencoded", "count=12x");

	T_EQ(form_decode(&arena, &r, fields, false, &o, &csrf, &bad), PSS_EINVAL);
	T_STREQ(bad, "count");
	T_ASSERT(o == NULL);
	/* a non-number is shown back as typed */
	T_EQ(form_decode(&arena, &r, fields, true, &o, &csrf, &bad), PSS_OK);
	json_object_put(o);
	r = form_request("application/x-www-form-urlencoded", "name=%zz");
	T_EQ(form_decode(&arena, &r, fields, false, &o, &csrf, &bad), PSS_EINVAL);
	T_ASSERT(bad == NULL);
	r = form_request("application/x-www-form-urlencoded", "name=%C3%28");	/* invalid UTF-8 */
	T_EQ(form_decode(&arena, &r, fields, false, &o, &csrf, &bad), PSS_EINVAL);
	r = form_request("application/json", "{}");
	T_ASSERT(!page_is_form(&r));
	T_EQ(form_decode(&arena, &r, fields, false, &o, &csrf, &bad), PSS_EINVAL);
}

static void
test_form_multipart(void)
{
	static const char body[] = "--XX\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\ntok\r\n"
	    "--XX\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nm\xc3\xbc\r\n"
	    "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.ps1\"\r\n\r\nGet-Date\r\n"
	    "--XX--\r\n";
	struct request r = form_request("multipart/form-data", body);
	struct json_object *o;
	const char *csrf, *bad;

	r.content_type_full = "multipart/form-data; boundary=XX";
	T_ASSERT(page_is_form(&r));
	T_EQ(form_decode(&arena, &r, NULL, false, &o, &csrf, &bad), PSS_OK);
	T_STREQ(csrf, "tok");
	T_STREQ(json(o), "{\"name\":\"m\xc3\xbc\"}");	/* files are not fields */
	json_object_put(o);
}

static void
test_local_path(void)
{
	T_ASSERT(page_local_path("/"));
	T_ASSERT(page_local_path("/admin/users?page=2&limit=5"));
	T_ASSERT(!page_local_path(NULL));
	T_ASSERT(!page_local_path(""));
	T_ASSERT(!page_local_path("//evil.example/"));
	T_ASSERT(!page_local_path("/\\evil.example"));
	T_ASSERT(!page_local_path("https://evil.example/"));
	T_ASSERT(!page_local_path("javascript:alert(1)"));
	T_ASSERT(!page_local_path("/a b"));
	T_ASSERT(!page_local_path("/a\r\nSet-Cookie: x=1"));
	T_ASSERT(!page_local_path("/\xc3\xa9"));
}

static void
test_parse_time(void)
{
	time_t t;

	T_ASSERT(page_parse_time("2026-11-25T05:41:52.466599+00:00", &t));
	T_EQ((long long)t, 1795585312LL);
	T_ASSERT(page_parse_time("2026-11-25T05:41:52Z", &t));
	T_EQ((long long)t, 1795585312LL);
	T_ASSERT(page_parse_time("2026-11-25 07:41:52+02", &t));	/* PostgreSQL's text form */
	T_EQ((long long)t, 1795585312LL);
	T_ASSERT(page_parse_time("2026-11-25T00:11:52-0530", &t));
	T_EQ((long long)t, 1795585312LL);
	T_ASSERT(page_parse_time("2024-02-29T00:00Z", &t));	/* a leap day, no seconds */
	T_ASSERT(!page_parse_time("2026-11-25T05:41:52", &t));	/* no zone */
	T_ASSERT(!page_parse_time("2026-11-25", &t));
	T_ASSERT(!page_parse_time("2025-02-29T00:00:00Z", &t));
	T_ASSERT(!page_parse_time("2026-13-01T00:00:00Z", &t));
	T_ASSERT(!page_parse_time("2026-11-25T24:00:00Z", &t));
	T_ASSERT(!page_parse_time("2026-11-25T05:41:52.Z", &t));
	T_ASSERT(!page_parse_time("2026-11-25T05:41:52Zjunk", &t));
	T_ASSERT(!page_parse_time("2026-11-25T05:41:52+00:00 ", &t));
	T_ASSERT(!page_parse_time("2026-1-25T05:41:52Z", &t));
	T_ASSERT(!page_parse_time("", &t));
	T_ASSERT(!page_parse_time(NULL, &t));
}

/* Times get readable and HTML forms, 0 and 1 get flags; everything else is untouched, nested
 * objects and arrays included. */
static void
test_derive(void)
{
	struct json_object *o = json_tokener_parse(
	    "{\"createdAt\":\"2026-11-25T05:41:52.466599+00:00\",\"updatedAt\":\"yesterday\","
	    "\"lockedUntil\":\"2026-01-02T03:04:05+01:00\",\"lastLoginAt\":null,\"created\":"
	    "\"2026-11-25T05:41:52Z\",\"total\":1,\"failed\":0,\"done\":2,\"ratio\":1.0,"
	    "\"At\":\"2026-11-25T05:41:52Z\",\"createdAtText\":\"kept\","
	    "\"user\":{\"expiresAt\":\"2026-12-31T23:59:59Z\",\"n\":[1,{\"at\":\"x\","
	    "\"finishedAt\":\"2027-01-01T00:00:00-00:30\"}]}}");

	T_ASSERT(o != NULL);
	page_derive(o);
	T_STREQ(json(o), "{\"createdAt\":\"2026-11-25T05:41:52.466599+00:00\",\"updatedAt\":\"yesterday\","
	    "\"lockedUntil\":\"2026-01-02T03:04:05+01:00\",\"lastLoginAt\":null,\"created\":"
	    "\"2026-11-25T05:41:52Z\",\"total\":1,\"failed\":0,\"done\":2,\"ratio\":1.0,"
	    "\"At\":\"2026-11-25T05:41:52Z\",\"createdAtText\":\"kept\","
	    "\"user\":{\"expiresAt\":\"2026-12-31T23:59:59Z\",\"n\":[1,{\"at\":\"x\","
	    "\"finishedAt\":\"2027-01-01T00:00:00-00:30\",\"finishedAtText\":\"1 Jan 2027, 00:30 UTC\","
	    "\"finishedAtIso\":\"2027-01-01T00:30:00Z\"}],\"expiresAtText\":\"31 Dec 2026, 23:59 UTC\","
	    "\"expiresAtIso\":\"2026-12-31T23:59:59Z\"},"
	    "\"createdAtIso\":\"2026-11-25T05:41:52Z\",\"lockedUntilText\":\"2 Jan 2026, 02:04 UTC\","
	    "\"lockedUntilIso\":\"2026-01-02T02:04:05Z\",\"totalIsOne\":true,\"failedIsZero\":true}");
	json_object_put(o);
	/* enumerated members get a chooser, also in arrays */
	o = json_tokener_parse("{\"role\":\"admin\",\"uploads\":[{\"status\":\"failed\"}],"
	    "\"name\":\"x\"}");
	page_derive(o);
	T_STREQ(json(o), "{\"role\":\"admin\",\"uploads\":[{\"status\":\"failed\","
	    "\"statusIs\":{\"failed\":true}}],\"name\":\"x\",\"roleIs\":{\"admin\":true}}");
	json_object_put(o);
	/* a non-object is left alone */
	o = json_object_new_string("2026-11-25T05:41:52Z");
	page_derive(o);
	T_STREQ(json(o), "\"2026-11-25T05:41:52Z\"");
	json_object_put(o);
}

static char dir[] = "/tmp/page-test-XXXXXX";

static void
put(const char *rel, const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	T_ASSERT(f != NULL);
	if (f != NULL) {
		fputs(content, f);
		fclose(f);
	}
}

/* A data dir of one template and two assets: the manifest names them by their hash. */
static void
test_setup_and_assets(void)
{
	char path[512], hex[65];
	struct mus_error err = { 0 };
	struct json_object *a, *v;
	struct json_object *ctx = json_object_new_object();
	struct buf out = BUF_INIT;

	T_ASSERT(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/templates", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/static", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/static/css", dir);
	mkdir(path, 0755);
	put("templates/hello.mustache", "<p>{{name}} {{site.css}}</p>");
	put("static/css/app.css", "body{}");
	put("static/robots.txt", "not an asset");
	T_EQ(page_setup(dir, false, &err), PSS_OK);
	a = page_assets();
	sha256_hex("body{}", 6, hex);
	snprintf(path, sizeof(path), "/static/css/app.%.12s.css", hex);
	T_ASSERT(json_object_object_get_ex(a, "css_app_css", &v));
	T_STREQ(json_object_get_string(v), path);
	T_EQ(json_object_object_length(a), 1);
	json_object_put(a);
	json_object_object_add(ctx, "name", json_object_new_string("<b>"));
	T_EQ(page_render("hello", ctx, NULL, &out, &err), PSS_OK);
	T_STREQ(buf_cstr(&out), "<p>&lt;b&gt; </p>");
	buf_reset(&out);
	T_EQ(page_render("missing", ctx, NULL, &out, &err), PSS_ENOTFOUND);
	/* loaded once: a second setup keeps the first */
	T_EQ(page_setup("/nonexistent", false, &err), PSS_OK);
	json_object_put(ctx);
	buf_free(&out);
}

int
main(void)
{
	arena_init(&arena);
	T_RUN(test_form_types);
	T_RUN(test_form_errors);
	T_RUN(test_form_multipart);
	T_RUN(test_local_path);
	T_RUN(test_parse_time);
	T_RUN(test_derive);
	T_RUN(test_setup_and_assets);
	arena_free(&arena);
	if (dir[sizeof(dir) - 7] != 'X') {
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return t_done();
}
