/* uploads.c: the uploads table's queries: store a file, lock one for processing, finish it,
 * status, a batch's progress */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/uploads.h"

enum pss_err
db_upload_batch_new(struct db *db, char batch[40])
{
	struct db_res *r;
	enum pss_err e;

	batch[0] = '\0';
	if ((e = db_exec(db, &r, "SELECT gen_random_uuid()", 0, NULL)) != PSS_OK)
		return e;
	snprintf(batch, 40, "%s", db_res_get(r, 0, 0));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_upload_insert(struct db *db, const char *batch, int64_t user_id, const char *filename,
    const void *content, size_t len, const char *options, char id[40])
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = content;
	struct db_res *r;
	char uid[24], size[24], *h = xmalloc(2 * len + 1);
	enum pss_err e;

	id[0] = '\0';
	for (size_t k = 0; k < len; k++) {
		h[2 * k] = hex[p[k] >> 4];
		h[2 * k + 1] = hex[p[k] & 15];
	}
	h[2 * len] = '\0';
	db_id(uid, user_id);
	db_id(size, (int64_t)len);
	e = db_exec(db, &r, "INSERT INTO uploads (batch_id, user_id, filename, content, size, options)"
	    " VALUES ($1, $2, $3, decode($4, 'hex'), $5, $6::jsonb) RETURNING id", 6,
	    (const char *[]){ batch, uid, filename, h, size, options });
	free(h);
	if (e != PSS_OK)
		return e;
	snprintf(id, 40, "%s", db_res_get(r, 0, 0));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_upload_start(struct db *db, const char *id)
{
	return db_exec(db, NULL, "UPDATE uploads SET status = 'processing' WHERE id = $1"
	    " AND status = 'queued'", 1, (const char *[]){ id });
}

/* bytea's hex output ("\x4142") to bytes; the caller frees. */
static char *
from_bytea(const char *s, size_t *len)
{
	size_t n = strlen(s);
	char *out;

	*len = 0;
	if (n < 2 || s[0] != '\\' || s[1] != 'x' || n % 2 != 0)
		return NULL;
	out = xmalloc((n - 2) / 2 + 1);
	for (size_t i = 2; i < n; i += 2) {
		int hi = hex_digit((unsigned char)s[i]), lo = hex_digit((unsigned char)s[i + 1]);

		if (hi < 0 || lo < 0) {
			free(out);
			return NULL;
		}
		out[(*len)++] = (char)(hi << 4 | lo);
	}
	out[*len] = '\0';
	return out;
}

enum pss_err
db_upload_lock(struct db *db, const char *id, struct upload_row *u)
{
	struct db_res *r;
	enum pss_err e;

	memset(u, 0, sizeof(*u));
	if ((e = db_exec_row(db, &r, "SELECT user_id, filename, content, status, options::text FROM uploads"
	    " WHERE id = $1 FOR UPDATE", 1, (const char *[]){ id })) != PSS_OK)
		return e;
	u->user_id = db_res_int(r, 0, 0);
	u->filename = xstrdup(db_res_get(r, 0, 1));
	if (!db_res_isnull(r, 0, 2))
		u->content = from_bytea(db_res_get(r, 0, 2), &u->len);
	u->status = xstrdup(db_res_get(r, 0, 3));
	u->options = xstrdup(db_res_get(r, 0, 4));
	db_res_free(r);
	return PSS_OK;
}

void
db_upload_row_free(struct upload_row *u)
{
	free(u->filename);
	free(u->content);
	free(u->status);
	free(u->options);
	memset(u, 0, sizeof(*u));
}

enum pss_err
db_upload_finish(struct db *db, const char *id, const char *status, int64_t script_id,
    int64_t existing, const char *error)
{
	char sid[24], eid[24];

	db_id(sid, script_id);
	db_id(eid, existing);
	return db_exec(db, NULL, "UPDATE uploads SET status = $2, script_id = NULLIF($3::int, 0),"
	    " existing_script_id = NULLIF($4::int, 0), error = $5,"
	    " content = CASE WHEN $2 = 'failed' THEN content END WHERE id = $1", 5,
	    (const char *[]){ id, status, sid, eid, error });
}

#define UPLOAD_JSON \
	"json_build_object('uploadId', x.id, 'batchId', x.batch_id, 'filename', x.filename," \
	" 'size', x.size, 'status', x.status, 'scriptId', x.script_id," \
	" 'existingScriptId', x.existing_script_id, 'error', x.error, 'createdAt', x.created_at," \
	" 'updatedAt', x.updated_at)"

enum pss_err
db_upload_status(struct db *db, const struct viewer *v, const char *upload_id,
    struct json_object **out)
{
	struct db_res *r;
	char uid[24];
	enum pss_err e;

	*out = NULL;
	db_id(uid, v->user_id);
	if ((e = db_exec(db, &r, "SELECT " UPLOAD_JSON " FROM uploads x WHERE x.id = $1"
	    " AND ($2::bool OR x.user_id = $3::int)", 3, (const char *[]){ upload_id,
		v->admin ? "true" : "false", v->user_id > 0 ? uid : NULL })) != PSS_OK)
		return e;
	if (db_res_rows(r) > 0)
		*out = db_json_parse(db_res_get(r, 0, 0));
	db_res_free(r);
	return *out != NULL ? PSS_OK : PSS_ENOTFOUND;
}

enum pss_err
db_upload_batch(struct db *db, const struct viewer *v, const char *batch_id,
    struct json_object **out)
{
	struct db_res *r;
	char uid[24];
	enum pss_err e;
	int64_t done = 0, failed = 0;
	int n;

	*out = NULL;
	db_id(uid, v->user_id);
	if ((e = db_exec(db, &r, "SELECT " UPLOAD_JSON ", x.status FROM uploads x WHERE x.batch_id = $1"
	    " AND ($2::bool OR x.user_id = $3::int) ORDER BY x.created_at, x.filename, x.id", 3,
	    (const char *[]){ batch_id, v->admin ? "true" : "false", v->user_id > 0 ? uid : NULL })) != PSS_OK)
		return e;
	if ((n = db_res_rows(r)) == 0) {
		db_res_free(r);
		return PSS_ENOTFOUND;
	}
	for (int i = 0; i < n; i++) {
		const char *s = db_res_get(r, i, 1);

		done += strcmp(s, "completed") == 0 || strcmp(s, "duplicate") == 0 || strcmp(s, "failed") == 0;
		failed += strcmp(s, "failed") == 0;
	}
	*out = json_object_new_object();
	json_object_object_add(*out, "batchId", json_object_new_string(batch_id));
	json_object_object_add(*out, "uploads", db_json_rows(r));
	json_object_object_add(*out, "total", json_object_new_int64(n));
	json_object_object_add(*out, "done", json_object_new_int64(done));
	json_object_object_add(*out, "failed", json_object_new_int64(failed));
	db_res_free(r);
	return PSS_OK;
}
