/* fuzz-mustache.c: libFuzzer driver: arbitrary bytes as a Mustache template, and through every escaper */
/*
 * Build from a configured build directory $B (for config.h), in the source tree:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *     -I$B -Isrc $(pkg-config --cflags json-c) \
 *     tests/fuzz/fuzz-mustache.c src/render/mustache.c src/render/escape.c \
 *     src/core/mem.c src/core/buf.c src/core/arena.c src/core/log.c src/core/util.c \
 *     $(pkg-config --libs json-c) -lm -o /tmp/fuzz-mustache
 * Run:
 *   /tmp/fuzz-mustache -max_len=4096 -timeout=5 tests/fuzz/corpus/mustache
 * (give a scratch directory first to keep new inputs out of the seed corpus).
 */
#include "config.h"

#include <json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "render/escape.h"
#include "render/mustache.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int LLVMFuzzerInitialize(int *, char ***);

static struct json_object *ctx;
static struct mus_set *set;
static const struct mus_limits limits = { 40, 1 << 20, 200000 };

static const char *const partials[][2] = {
	{ "p", "<{{$a}}A{{/a}}|{{$b}}\n  B {{x}}\n{{/b}}>" },
	{ "layout", "<html>\n  <title>{{$title}}T{{/title}}</title>\n  {{$body}}{{/body}}\n</html>\n" },
	{ "row", "  <li>{{name}} {{#tags}}{{.}},{{/tags}}</li>\n" },
	{ "dir/part", "{{=<% %>=}}<%a%>" },
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t i;

	(void)argc;
	(void)argv;
	log_init("fuzz-mustache", LOG_ERROR);
	ctx = json_tokener_parse(
	    "{\"a\":\"<x>\",\"b\":true,\"f\":false,\"c\":[1,2.5,\"s\",{\"d\":null}],"
	    "\"e\":{\"f\":{\"g\":\"deep & \\\"q\\\"\"}},\"n\":0,\"s\":\"\",\"x\":1e300,"
	    "\"items\":[{\"name\":\"one\",\"tags\":[\"t1\",\"t2\"]},{\"name\":\"<two>\",\"tags\":[]}]}");
	set = mus_set_new(0);
	mus_set_limits(set, &limits);
	for (i = 0; i < PSS_ARRAY_LEN(partials); i++)
		if (mus_set_add(set, partials[i][0], partials[i][1], strlen(partials[i][1]), NULL) !=
		    PSS_OK)
			abort();
	return 0;
}

/* escapers: each escaper on the input; the HTML ones must always produce valid UTF-8. */
static void
escapers(const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	esc_html(&b, s, len);
	if (!utf8_valid(b.data, b.len) || memchr(b.data, '<', b.len) || memchr(b.data, '"', b.len))
		abort();
	buf_reset(&b);
	esc_attr(&b, s, len);
	if (!utf8_valid(b.data, b.len) || memchr(b.data, '\n', b.len) || memchr(b.data, '\'', b.len))
		abort();
	buf_reset(&b);
	esc_js_string(&b, s, len);
	if (!utf8_valid(b.data, b.len) || memchr(b.data, '<', b.len))
		abort();
	buf_reset(&b);
	esc_url_arg(&b, s, len);
	if (b.len < len || memchr(b.data, '&', b.len) || memchr(b.data, ' ', b.len))
		abort();
	buf_reset(&b);
	if (esc_header(&b, s, len) + b.len != len || memchr(b.data, '\n', b.len) ||
	    memchr(b.data, '\r', b.len))
		abort();
	buf_free(&b);
}

/* spans_check: "self" rendered again noting where "a" and "e.f.g" went (mus_spans): the same
 * output as without, and each span found holds that value's bytes, escaped when it says so,
 * inside the output. */
static void
spans_check(const struct buf *want)
{
	struct mus_spans sp = { 2, { { .value = NULL }, { .value = NULL } } };
	struct json_object *e, *f;
	struct mus_error err;
	struct buf out = BUF_INIT, b = BUF_INIT;

	sp.v[0].value = json_object_object_get(ctx, "a");
	e = json_object_object_get(ctx, "e");
	f = json_object_object_get(e, "f");
	sp.v[1].value = json_object_object_get(f, "g");
	if (mus_set_render_spans(set, "self", ctx, &sp, &out, &err) != PSS_OK) {
		buf_free(&out);
		return;
	}
	if (out.len != want->len || (out.len > 0 && memcmp(out.data, want->data, out.len) != 0))
		abort();
	for (size_t i = 0; i < sp.n; i++) {
		struct json_object *v = (struct json_object *)(uintptr_t)sp.v[i].value;

		if (!sp.v[i].found)
			continue;
		buf_reset(&b);
		if (sp.v[i].escaped)
			esc_html(&b, json_object_get_string(v), (size_t)json_object_get_string_len(v));
		else
			buf_append(&b, json_object_get_string(v), (size_t)json_object_get_string_len(v));
		if (sp.v[i].len != b.len || sp.v[i].off > out.len || sp.v[i].len > out.len - sp.v[i].off ||
		    (b.len > 0 && memcmp(out.data + sp.v[i].off, b.data, b.len) != 0))
			abort();
	}
	buf_free(&b);
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	struct mus_template *t;
	struct mus_error err;
	struct buf out = BUF_INIT;

	escapers(src, size);
	t = mus_compile("fuzz", src, size, &err);
	if (t == NULL) {
		if (err.msg[0] == '\0')
			abort();	/* every failure explains itself */
		return 0;
	}
	/* As "self" it can include itself, be a parent, and fill the fixed partials' blocks. */
	if (mus_set_add(set, "self", src, size, &err) != PSS_OK)
		abort();
	if (mus_render(t, set, ctx, &out, &err) != PSS_OK && err.msg[0] == '\0')
		abort();
	spans_check(&out);
	buf_free(&out);
	mus_template_free(t);
	return 0;
}
