/* versions.c: the script_versions table: list with line counts, one version, compare (line
 * diff), a version's content */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/diff.h"
#include "db/versions.h"

struct json_object *
db_diff_json(const struct diff_result *d, int64_t from, int64_t to)
{
	struct json_object *o = json_object_new_object(), *hunks = json_object_new_array();

	json_object_object_add(o, "fromVersion", json_object_new_int64(from));
	json_object_object_add(o, "toVersion", json_object_new_int64(to));
	json_object_object_add(o, "linesAdded", json_object_new_int64((int64_t)d->lines_added));
	json_object_object_add(o, "linesRemoved", json_object_new_int64((int64_t)d->lines_removed));
	json_object_object_add(o, "coarse", json_object_new_boolean(d->coarse));
	for (size_t i = 0; i < d->nhunks; i++) {
		const struct diff_hunk *h = &d->hunks[i];
		struct json_object *jh = json_object_new_object(), *lines = json_object_new_array();

		json_object_object_add(jh, "fromStart", json_object_new_int64((int64_t)h->from_start));
		json_object_object_add(jh, "fromLines", json_object_new_int64((int64_t)h->from_lines));
		json_object_object_add(jh, "toStart", json_object_new_int64((int64_t)h->to_start));
		json_object_object_add(jh, "toLines", json_object_new_int64((int64_t)h->to_lines));
		for (size_t k = 0; k < h->nlines; k++) {
			struct json_object *l = json_object_new_object();

			json_object_object_add(l, "type",
			    json_object_new_string(diff_line_types[h->lines[k].type]));
			json_object_object_add(l, "content",
			    json_object_new_string_len(h->lines[k].text, (int)h->lines[k].len));
			json_object_array_add(lines, l);
		}
		json_object_object_add(jh, "lines", lines);
		json_object_array_add(hunks, jh);
	}
	json_object_object_add(o, "hunks", hunks);
	json_object_object_add(o, "unified", json_object_new_string_len(d->unified, (int)d->unified_len));
	return o;
}

#define VERSION_JSON \
	"json_build_object('id', v.id, 'scriptId', v.script_id, 'version', v.version," \
	" 'changelog', v.commit_message, 'userId', v.user_id, 'user', CASE WHEN u.id IS NULL THEN NULL" \
	" ELSE json_build_object('id', u.id, 'username', u.username) END, 'createdAt', v.created_at)"

enum pss_err
db_versions_list(struct db *db, int64_t script_id, struct json_object **out)
{
	struct db_res *r = NULL;
	struct json_object *arr;
	char sid[24];
	enum pss_err e;
	int n;

	*out = NULL;
	db_id(sid, script_id);
	/* oldest first so each version is compared with the one before */
	if ((e = db_exec(db, &r, "SELECT " VERSION_JSON ", v.content, s.title, s.version"
	    " FROM script_versions v JOIN scripts s ON s.id = v.script_id"
	    " LEFT JOIN users u ON u.id = v.user_id WHERE v.script_id = $1 ORDER BY v.version", 1,
	    (const char *[]){ sid })) != PSS_OK)
		return e;
	n = db_res_rows(r);
	arr = json_object_new_array();
	for (int i = n - 1; i >= 0; i--) {
		struct json_object *v = db_json_parse(db_res_get(r, i, 0));
		const char *cur = db_res_get(r, i, 1), *prev = i > 0 ? db_res_get(r, i - 1, 1) : "";
		struct diff_result d;

		diff_lines(prev, strlen(prev), cur, strlen(cur), &(struct diff_opts){ .context = 0 }, &d);
		json_object_object_add(v, "linesAdded", json_object_new_int64((int64_t)d.lines_added));
		json_object_object_add(v, "linesRemoved", json_object_new_int64((int64_t)d.lines_removed));
		diff_result_free(&d);
		json_object_array_add(arr, v);
	}
	*out = json_object_new_object();
	json_object_object_add(*out, "scriptId", json_object_new_int64(script_id));
	json_object_object_add(*out, "scriptTitle", n > 0 ? json_object_new_string(db_res_get(r, 0, 2)) : NULL);
	json_object_object_add(*out, "currentVersion", json_object_new_int64(n > 0 ? db_res_int(r, 0, 3) : 0));
	json_object_object_add(*out, "totalVersions", json_object_new_int64(n));
	json_object_object_add(*out, "versions", arr);
	db_res_free(r);
	return PSS_OK;
}

/* version_row: the JSON and content of one version, or PSS_ENOTFOUND. */
static enum pss_err
version_row(struct db *db, int64_t script_id, int64_t version, struct db_res **r)
{
	char sid[24], ver[24];

	*r = NULL;
	db_id(sid, script_id);
	db_id(ver, version);
	return db_exec_row(db, r, "SELECT " VERSION_JSON ", v.content FROM script_versions v"
	    " LEFT JOIN users u ON u.id = v.user_id WHERE v.script_id = $1 AND v.version = $2", 2,
	    (const char *[]){ sid, ver });
}

enum pss_err
db_version_get(struct db *db, int64_t script_id, int64_t version, struct json_object **out)
{
	struct db_res *r;
	enum pss_err e;

	*out = NULL;
	if ((e = version_row(db, script_id, version, &r)) != PSS_OK)
		return e;
	*out = db_json_parse(db_res_get(r, 0, 0));
	json_object_object_add(*out, "content", json_object_new_string(db_res_get(r, 0, 1)));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_versions_compare(struct db *db, int64_t script_id, int64_t from, int64_t to,
    struct json_object **out)
{
	struct db_res *a = NULL, *b = NULL;
	struct diff_result d;
	char fl[48], tl[48];
	enum pss_err e;

	*out = NULL;
	if ((e = version_row(db, script_id, from, &a)) != PSS_OK ||
	    (e = version_row(db, script_id, to, &b)) != PSS_OK)
		goto out;
	snprintf(fl, sizeof(fl), "a/script-%lld.ps1 (version %lld)", (long long)script_id, (long long)from);
	snprintf(tl, sizeof(tl), "b/script-%lld.ps1 (version %lld)", (long long)script_id, (long long)to);
	diff_lines(db_res_get(a, 0, 1), strlen(db_res_get(a, 0, 1)), db_res_get(b, 0, 1),
	    strlen(db_res_get(b, 0, 1)), &(struct diff_opts){ .context = 3, .from_label = fl,
		.to_label = tl }, &d);
	*out = db_diff_json(&d, from, to);
	diff_result_free(&d);
out:
	db_res_free(a);
	db_res_free(b);
	return e;
}

enum pss_err
db_version_content(struct db *db, int64_t script_id, int64_t version, char **text)
{
	struct db_res *r;
	char sid[24], n[24];
	enum pss_err e;

	*text = NULL;
	db_id(sid, script_id);
	db_id(n, version);
	if ((e = db_exec_row(db, &r, "SELECT content FROM script_versions WHERE script_id = $1 AND version = $2",
	    2, (const char *[]){ sid, n })) != PSS_OK)
		return e;
	*text = xstrdup(db_res_get(r, 0, 0));
	db_res_free(r);
	return PSS_OK;
}
