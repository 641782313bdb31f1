/* test-mustache-spec.c: the official Mustache spec suite, one TAP test point per spec test */
#include "config.h"

#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "render/mustache.h"
#include "t.h"

/* Every module the engine must pass (issue 6: the required modules and ~inheritance). */
static const char *const spec_files[] = {
	"comments", "delimiters", "interpolation", "inverted", "partials", "sections",
	"~inheritance",
};

/* show: print s as one diagnostic line with its newlines and tabs visible. */
static void
show(const char *label, const char *s)
{
	printf("#   %s: \"", label);
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", stdout);
		else if (*s == '\r')
			fputs("\\r", stdout);
		else if (*s == '\t')
			fputs("\\t", stdout);
		else
			putchar(*s);
	}
	puts("\"");
}

static int
run_one(struct json_object *test, const char *label)
{
	struct json_object *data = NULL, *tmpl, *expected, *partials, *name;
	struct mus_template *t = NULL;
	struct mus_set *set = mus_set_new(0);
	struct mus_error err;
	struct buf out = BUF_INIT;
	int ok = 0;

	if (!json_object_object_get_ex(test, "template", &tmpl) ||
	    !json_object_object_get_ex(test, "expected", &expected) ||
	    !json_object_object_get_ex(test, "name", &name)) {
		printf("#   %s: malformed spec test\n", label);
		goto out;
	}
	json_object_object_get_ex(test, "data", &data);
	if (json_object_object_get_ex(test, "partials", &partials)) {
		json_object_object_foreach(partials, pname, pval) {
			if (mus_set_add(set, pname, json_object_get_string(pval),
			    (size_t)json_object_get_string_len(pval), &err) != PSS_OK) {
				printf("#   partial %s: %s\n", pname, err.msg);
				goto out;
			}
		}
	}
	t = mus_compile(json_object_get_string(name), json_object_get_string(tmpl),
	    (size_t)json_object_get_string_len(tmpl), &err);
	if (t == NULL) {
		printf("#   compile: %s\n", err.msg);
		goto out;
	}
	if (mus_render(t, set, data, &out, &err) != PSS_OK) {
		printf("#   render: %s\n", err.msg);
		goto out;
	}
	ok = out.len == (size_t)json_object_get_string_len(expected) &&
	    memcmp(out.data, json_object_get_string(expected), out.len) == 0;
	if (!ok) {
		show("template", json_object_get_string(tmpl));
		show("expected", json_object_get_string(expected));
		show("got     ", buf_cstr(&out));
	}
out:
	buf_free(&out);
	mus_template_free(t);
	mus_set_free(set);
	return ok;
}

int
main(void)
{
	/* The suite ships in the project (tests/data/mustache-spec, a copy of ../shared's with
	 * its licence), so it runs from a release tarball too; make check sets PSS_SRCDIR. */
	const char *top = getenv("PSS_SRCDIR");
	struct json_object *doc, *tests, *test, *name;
	char path[4096], label[512];
	size_t f, i, n;

	for (f = 0; f < PSS_ARRAY_LEN(spec_files); f++) {
		snprintf(path, sizeof(path), "%s/tests/data/mustache-spec/%s.json", top ? top : ".",
		    spec_files[f]);
		doc = json_object_from_file(path);
		if (doc == NULL || !json_object_object_get_ex(doc, "tests", &tests) ||
		    json_object_array_length(tests) == 0) {
			snprintf(label, sizeof(label), "%s.json: readable with tests", spec_files[f]);
			t_result(0, label);
			json_object_put(doc);
			continue;
		}
		n = json_object_array_length(tests);
		for (i = 0; i < n; i++) {
			test = json_object_array_get_idx(tests, i);
			json_object_object_get_ex(test, "name", &name);
			snprintf(label, sizeof(label), "%s.json: %s", spec_files[f],
			    json_object_get_string(name));
			t_result(run_one(test, label), label);
		}
		json_object_put(doc);
	}
	return t_done();
}
