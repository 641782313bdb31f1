/* fuzz-highlight.c: libFuzzer driver for the highlighter (hl_render) and the diff views
 *
 * Built and run by tests/fuzz/run.sh (seed corpus tests/fuzz/corpus/ps); by hand, from the
 * source tree with a configured build dir $B:
 *   clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -I src -I "$B" \
 *       $(pkg-config --cflags json-c) tests/fuzz/fuzz-highlight.c src/render/highlight.c \
 *       src/render/diffview.c src/render/escape.c src/analyzer/lex.c src/core/mem.c src/core/text.c \
 *       src/core/buf.c src/core/log.c src/core/util.c $(pkg-config --libs json-c) \
 *       -o /tmp/fuzz-highlight
 *   /tmp/fuzz-highlight -max_total_time=120 tests/fuzz/corpus/ps
 *
 * Checks, besides the sanitizers (with line and byte bounds taken from the first two bytes):
 * the bounds hold and the counts agree; every line's markup is balanced and has no tag but
 * <span class="..."> and </span>, no raw '<', '>' or stray '&' (hl_check); the HTML is
 * valid UTF-8; for clean input (valid UTF-8, no control character but TAB, CR, LF) the text
 * shown is exactly the input's lines; the table rows have one row per line. The input's lines
 * also go through both diff views as a compare object: every html field is valid UTF-8
 * without '<' and the row counts add up.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "core/core.h"
#include "render/diffview.h"
#include "render/highlight.h"
#include "../hl-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
clean(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F)
			return 0;
	}
	return utf8_valid(s, len);
}

static size_t
count(const char *s, size_t len, const char *needle)
{
	size_t n = 0, k = strlen(needle);

	for (const char *p = s; (p = memmem(p, len - (size_t)(p - s), needle, k)) != NULL; p += k)
		n++;
	return n;
}

static void
check_html_field(struct json_object *row, const char *key)
{
	struct json_object *v = json_object_object_get(row, key);
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v);

	if (s == NULL || !utf8_valid(s, n) || memchr(s, '<', n) || memchr(s, '>', n) ||
	    memchr(s, '\n', n) || memchr(s, '\r', n))
		__builtin_trap();
}

/* diff_views: the input's lines as a compare object (type from the line's length), both views */
static void
diff_views(const char *s, size_t len)
{
	static const char *const types[] = { "context", "removed", "added" };
	struct json_object *c = json_object_new_object(), *hunks = json_object_new_array();
	struct json_object *h = json_object_new_object(), *lines = json_object_new_array(), *v;
	size_t from = 0, to = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		struct json_object *l;
		size_t t;

		if (i < len && s[i] != '\n')
			continue;
		t = (i - start) % 3;
		l = json_object_new_object();
		json_object_object_add(l, "type", json_object_new_string(types[t]));
		json_object_object_add(l, "content", json_object_new_string_len(s + start, (int)(i - start)));
		json_object_array_add(lines, l);
		from += t != 2;
		to += t != 1;
		start = i + 1;
	}
	json_object_object_add(h, "fromStart", json_object_new_int64(1));
	json_object_object_add(h, "fromLines", json_object_new_int64((int64_t)from));
	json_object_object_add(h, "toStart", json_object_new_int64(1));
	json_object_object_add(h, "toLines", json_object_new_int64((int64_t)to));
	json_object_object_add(h, "lines", lines);
	json_object_array_add(hunks, h);
	json_object_object_add(c, "hunks", hunks);

	v = dv_hunks(c, DV_UNIFIED);
	{
		struct json_object *rows = json_object_object_get(json_object_array_get_idx(v, 0), "rows");

		if (json_object_array_length(rows) != json_object_array_length(lines))
			__builtin_trap();
		for (size_t i = 0; i < json_object_array_length(rows); i++)
			check_html_field(json_object_array_get_idx(rows, i), "html");
	}
	json_object_put(v);
	v = dv_hunks(c, DV_SPLIT);
	{
		struct json_object *rows = json_object_object_get(json_object_array_get_idx(v, 0), "rows");
		size_t left = 0, right = 0;

		for (size_t i = 0; i < json_object_array_length(rows); i++) {
			struct json_object *r = json_object_array_get_idx(rows, i);

			check_html_field(r, "leftHtml");
			check_html_field(r, "rightHtml");
			left += json_object_object_get(r, "leftNo") != NULL;
			right += json_object_object_get(r, "rightNo") != NULL;
		}
		if (left != from || right != to)
			__builtin_trap();
	}
	json_object_put(v);
	json_object_put(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *s = (const char *)data;
	struct hl_lines l;
	struct buf text = BUF_INIT, want = BUF_INIT, rows = BUF_INIT;

	/* bounds from the first two bytes (0: none), so the cutting is fuzzed too */
	size_t max_lines = len > 0 ? data[0] % 16 : 0, max_bytes = len > 1 ? (size_t)data[1] * 4 : 0;

	hl_render_max(s, len, max_lines, max_bytes, &l);
	if (hl_check(&l, &text) != NULL || !utf8_valid(l.html.data, l.html.len))
		__builtin_trap();
	if (l.shown_bytes > len || l.truncated != (l.shown_bytes < len) || l.n > l.total_lines ||
	    (max_lines > 0 && l.n > max_lines) || (max_bytes > 0 && l.shown_bytes > max_bytes) ||
	    (!l.truncated && l.n != l.total_lines))
		__builtin_trap();
	if (clean(s, len)) {
		hl_expected_text(s, l.shown_bytes, &want);
		if (want.len != text.len || (want.len > 0 && memcmp(want.data, text.data, want.len) != 0))
			__builtin_trap();
	}
	hl_html_rows(&rows, &l, NULL);
	if (count(rows.data ? rows.data : "", rows.len, "<tr ") != l.n)
		__builtin_trap();
	hl_lines_free(&l);
	buf_free(&text);
	buf_free(&want);
	buf_free(&rows);
	if (len <= 4096)
		diff_views(s, len);
	return 0;
}
