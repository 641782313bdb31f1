/* diffview.c: side-by-side and unified rows from a version comparison */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "core/core.h"
#include "render/diffview.h"
#include "render/highlight.h"

const char *const dv_modes[DV__MAX] = { "split", "unified" };

enum dv_mode
dv_mode_parse(const char *s)
{
	if (s == NULL || *s == '\0')
		return DV_SPLIT;
	for (int m = 0; m < DV__MAX; m++)
		if (strcmp(s, dv_modes[m]) == 0)
			return (enum dv_mode)m;
	return DV__MAX;
}

enum ltype { L_CONTEXT, L_REMOVED, L_ADDED, L__MAX };
static const char *const ltypes[L__MAX] = { "context", "removed", "added" };

/* One input line, checked. */
struct dline {
	enum ltype type;
	const char *s;
	size_t	 len;
};

static int64_t
get_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_int64(v);
}

/* get_line: line k of a hunk's lines, or 0 when it has not the right shape. */
static int
get_line(struct json_object *lines, size_t k, struct dline *d)
{
	struct json_object *l = json_object_array_get_idx(lines, k), *t, *c;
	const char *type;

	if (!json_object_is_type(l, json_type_object) || !json_object_object_get_ex(l, "type", &t) ||
	    !json_object_object_get_ex(l, "content", &c) || !json_object_is_type(c, json_type_string) ||
	    (type = json_object_get_string(t)) == NULL)
		return 0;
	for (d->type = 0; d->type < L__MAX; d->type++)
		if (strcmp(type, ltypes[d->type]) == 0)
			break;
	d->s = json_object_get_string(c);
	d->len = (size_t)json_object_get_string_len(c);
	return d->type < L__MAX;
}

static struct json_object *
html(const struct dline *d)
{
	struct buf b = BUF_INIT;
	struct json_object *o;

	hl_escape_line(&b, d->s, d->len);
	o = json_object_new_string_len(b.data ? b.data : "", (int)b.len);
	buf_free(&b);
	return o;
}

static struct json_object *
line_no(int64_t n)
{
	return n > 0 ? json_object_new_int64(n) : NULL;
}

/* side: one half of a split row: a line (number, html, type) or an empty cell (d NULL). */
static void
side(struct json_object *row, const char *pfx, const struct dline *d, int64_t no)
{
	char no_key[16], html_key[16], type_key[16];

	snprintf(no_key, sizeof(no_key), "%sNo", pfx);
	snprintf(html_key, sizeof(html_key), "%sHtml", pfx);
	snprintf(type_key, sizeof(type_key), "%sType", pfx);
	json_object_object_add(row, no_key, d ? line_no(no) : NULL);
	json_object_object_add(row, html_key, d ? html(d) : json_object_new_string(""));
	json_object_object_add(row, type_key, json_object_new_string(d ? ltypes[d->type] : "empty"));
}

/* room: whether another row may be added; false (and *truncated) when the budget is spent. */
static bool
room(size_t *budget, bool *truncated)
{
	if (*budget == 0) {
		*truncated = true;
		return false;
	}
	(*budget)--;
	return true;
}

/* split_rows: the side-by-side rows of one hunk's lines, within the budget. */
static void
split_rows(struct json_object *lines, int64_t from, int64_t to, struct json_object *rows,
    size_t *budget, bool *truncated)
{
	size_t n = json_object_array_length(lines), k = 0;
	struct dline *rem = xcalloc(n + 1, sizeof(*rem)), *add = xcalloc(n + 1, sizeof(*add));

	while (k < n && !*truncated) {
		struct dline d;
		size_t nrem = 0, nadd = 0;

		if (!get_line(lines, k, &d)) {
			k++;
			continue;
		}
		if (d.type == L_CONTEXT) {
			struct json_object *row;

			if (!room(budget, truncated))
				break;
			row = json_object_new_object();
			side(row, "left", &d, from++);
			side(row, "right", &d, to++);
			json_object_array_add(rows, row);
			k++;
			continue;
		}
		/* a run of changes: up to the next context line */
		for (; k < n; k++) {
			if (!get_line(lines, k, &d))
				continue;
			if (d.type == L_CONTEXT)
				break;
			if (d.type == L_REMOVED)
				rem[nrem++] = d;
			else
				add[nadd++] = d;
		}
		for (size_t i = 0; (i < nrem || i < nadd) && room(budget, truncated); i++) {
			struct json_object *row = json_object_new_object();

			side(row, "left", i < nrem ? &rem[i] : NULL, i < nrem ? from++ : 0);
			side(row, "right", i < nadd ? &add[i] : NULL, i < nadd ? to++ : 0);
			json_object_array_add(rows, row);
		}
	}
	free(rem);
	free(add);
}

/* unified_rows: the unified rows of one hunk's lines, within the budget. */
static void
unified_rows(struct json_object *lines, int64_t from, int64_t to, struct json_object *rows,
    size_t *budget, bool *truncated)
{
	static const char *const signs[L__MAX] = { " ", "-", "+" };
	size_t n = json_object_array_length(lines);

	for (size_t k = 0; k < n; k++) {
		struct json_object *row;
		struct dline d;

		if (!get_line(lines, k, &d))
			continue;
		if (!room(budget, truncated))
			break;
		row = json_object_new_object();
		json_object_object_add(row, "oldNo", d.type != L_ADDED ? line_no(from++) : NULL);
		json_object_object_add(row, "newNo", d.type != L_REMOVED ? line_no(to++) : NULL);
		json_object_object_add(row, "type", json_object_new_string(ltypes[d.type]));
		json_object_object_add(row, "sign", json_object_new_string(signs[d.type]));
		json_object_object_add(row, "html", html(&d));
		json_object_array_add(rows, row);
	}
}

/* range: "l" when s is 1, else "l,s" (diff -u's header). */
static void
range(struct buf *b, int64_t l, int64_t s)
{
	if (s == 1)
		buf_printf(b, "%" PRId64, l);
	else
		buf_printf(b, "%" PRId64 ",%" PRId64, l, s);
}

struct json_object *
dv_hunks(struct json_object *compare, enum dv_mode mode)
{
	return dv_hunks_max(compare, mode, DV_MAX_ROWS, NULL);
}

struct json_object *
dv_hunks_max(struct json_object *compare, enum dv_mode mode, size_t max_rows, bool *truncated)
{
	struct json_object *out = json_object_new_array(), *hunks;
	size_t nh, budget = max_rows > 0 ? max_rows : SIZE_MAX;
	bool cut = false;

	if (truncated)
		*truncated = false;
	if ((unsigned)mode >= DV__MAX || !json_object_object_get_ex(compare, "hunks", &hunks) ||
	    !json_object_is_type(hunks, json_type_array))
		return out;
	nh = json_object_array_length(hunks);
	for (size_t i = 0; i < nh && !cut; i++) {
		struct json_object *h = json_object_array_get_idx(hunks, i), *lines, *o, *rows;
		int64_t fs, fl, ts, tl;
		struct buf hdr = BUF_INIT;

		if (!json_object_is_type(h, json_type_object) ||
		    !json_object_object_get_ex(h, "lines", &lines) ||
		    !json_object_is_type(lines, json_type_array))
			continue;
		fs = get_int(h, "fromStart");
		fl = get_int(h, "fromLines");
		ts = get_int(h, "toStart");
		tl = get_int(h, "toLines");
		buf_puts(&hdr, "@@ -");
		range(&hdr, fs, fl);
		buf_puts(&hdr, " +");
		range(&hdr, ts, tl);
		buf_puts(&hdr, " @@");
		o = json_object_new_object();
		json_object_object_add(o, "header", json_object_new_string_len(hdr.data, (int)hdr.len));
		json_object_object_add(o, "fromStart", json_object_new_int64(fs));
		json_object_object_add(o, "fromLines", json_object_new_int64(fl));
		json_object_object_add(o, "toStart", json_object_new_int64(ts));
		json_object_object_add(o, "toLines", json_object_new_int64(tl));
		rows = json_object_new_array();
		if (budget == 0 && json_object_array_length(lines) > 0) {
			cut = true;	/* not even this hunk's header: it would have no rows */
			json_object_put(rows);
			json_object_put(o);
			buf_free(&hdr);
			break;
		}
		if (mode == DV_SPLIT)
			split_rows(lines, fs, ts, rows, &budget, &cut);
		else
			unified_rows(lines, fs, ts, rows, &budget, &cut);
		json_object_object_add(o, "rows", rows);
		json_object_array_add(out, o);
		buf_free(&hdr);
	}
	if (truncated)
		*truncated = cut;
	return out;
}

struct json_object *
dv_view(struct json_object *compare, enum dv_mode mode)
{
	static const char *const copied[] = {
		"fromVersion", "toVersion", "linesAdded", "linesRemoved", "coarse",
	};
	struct json_object *o = json_object_new_object(), *v;
	bool cut;

	if ((unsigned)mode >= DV__MAX)
		mode = DV_SPLIT;
	for (size_t i = 0; i < PSS_ARRAY_LEN(copied); i++)
		if (json_object_object_get_ex(compare, copied[i], &v))
			json_object_object_add(o, copied[i], json_object_get(v));
	json_object_object_add(o, "mode", json_object_new_string(dv_modes[mode]));
	json_object_object_add(o, dv_modes[mode], json_object_new_boolean(true));
	json_object_object_add(o, "hunks", dv_hunks_max(compare, mode, DV_MAX_ROWS, &cut));
	json_object_object_add(o, "truncated", json_object_new_boolean(cut));
	return o;
}
