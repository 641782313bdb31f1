/* uploads.c: asynchronous uploads: store a batch with its jobs, process one, status, progress */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/text.h"
#include "db/jobs.h"
#include "db/scripts.h"

bool
lib_uuid_valid(const char *s)
{
	if (s == NULL || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

static bool
filename_ok(const char *f)
{
	size_t n = f != NULL ? strlen(f) : 0;

	if (n == 0 || n > 255 || !utf8_valid(f, n) || strcmp(f, ".") == 0 || strcmp(f, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)f[i] < 0x20 || f[i] == 0x7f || f[i] == '/' || f[i] == '\\')
			return false;
	return true;
}

struct store_tx {
	int64_t		 user_id;
	const struct upload_file *files;
	size_t		 n;
	const char	*options;
	struct json_object *out;
};

static enum pss_err
store_tx(struct db *db, void *arg)
{
	struct store_tx *t = arg;
	struct db_res *r;
	struct json_object *list;
	char uid[24], size[24], batch[40];
	enum pss_err e;

	if ((e = db_exec(db, &r, "SELECT gen_random_uuid()", 0, NULL)) != PSS_OK)
		return e;
	snprintf(batch, sizeof(batch), "%s", db_res_get(r, 0, 0));
	db_res_free(r);
	lib_id(uid, t->user_id);
	json_object_put(t->out);	/* a retried transaction starts over */
	t->out = json_object_new_object();
	list = json_object_new_array();
	json_object_object_add(t->out, "batchId", json_object_new_string(batch));
	json_object_object_add(t->out, "uploads", list);
	for (size_t i = 0; i < t->n; i++) {
		static const char hex[] = "0123456789abcdef";
		const unsigned char *p = t->files[i].content;
		char *h = xmalloc(2 * t->files[i].len + 1), payload[96], jid[24];
		struct json_object *u;
		int64_t job;

		for (size_t k = 0; k < t->files[i].len; k++) {
			h[2 * k] = hex[p[k] >> 4];
			h[2 * k + 1] = hex[p[k] & 15];
		}
		h[2 * t->files[i].len] = '\0';
		lib_id(size, (int64_t)t->files[i].len);
		e = db_exec(db, &r, "INSERT INTO uploads (batch_id, user_id, filename, content, size, options)"
		    " VALUES ($1, $2, $3, decode($4, 'hex'), $5, $6::jsonb) RETURNING id", 6,
		    (const char *[]){ batch, uid, t->files[i].filename, h, size, t->options });
		free(h);
		if (e != PSS_OK)
			return e;
		snprintf(payload, sizeof(payload), "{\"uploadId\": \"%s\"}", db_res_get(r, 0, 0));
		u = json_object_new_object();
		json_object_object_add(u, "uploadId", json_object_new_string(db_res_get(r, 0, 0)));
		json_object_object_add(u, "filename", json_object_new_string(t->files[i].filename));
		json_object_object_add(u, "status", json_object_new_string("queued"));
		json_object_array_add(list, u);
		db_res_free(r);
		if ((e = jobs_enqueue(db, LIB_JOB_UPLOAD, payload, LIB_JOB_ATTEMPTS, &job)) != PSS_OK)
			return e;
		/* Uploads run before analyses (priority 1 over 0): a batch's progress does not
		 * wait for the analyses of the scripts that batches before it made. */
		lib_id(jid, job);
		if ((e = db_exec(db, NULL, "UPDATE jobs SET priority = 1 WHERE id = $1", 1,
		    (const char *[]){ jid })) != PSS_OK)
			return e;
	}
	return PSS_OK;
}

enum pss_err
db_uploads_store(struct db *db, int64_t user_id, const struct upload_file *files, size_t n,
    const struct upload_options *o, struct json_object **out, struct lib_err *err)
{
	struct store_tx t = { user_id, files, n, NULL, NULL };
	struct json_object *opt;
	char *tags, *title = NULL;
	enum pss_err e;

	*out = NULL;
	if (user_id <= 0)
		return lib_fail(err, PSS_EAUTH, NULL, "a signed-in user is required");
	if (n == 0 || n > LIB_UPLOAD_MAX_FILES)
		return lib_fail(err, PSS_EINVAL, "files", "between 1 and 50 files");
	for (size_t i = 0; i < n; i++) {
		if (!filename_ok(files[i].filename))
			return lib_fail(err, PSS_EINVAL, "files", "a file name of 1 to 255 bytes without path parts");
		if (files[i].len > LIB_CONTENT_MAX)
			return lib_fail(err, PSS_ETOOBIG, "files", "a file is larger than 10 MB");
	}
	if (o->title != NULL && (title = lib_title_check(o->title, err)) == NULL)
		return PSS_EINVAL;
	if (o->description != NULL && !utf8_valid(o->description, strlen(o->description))) {
		free(title);
		return lib_fail(err, PSS_EINVAL, "description", "not text");
	}
	if (o->category_id < 0 || o->category_id > INT32_MAX) {
		free(title);
		return lib_fail(err, PSS_EINVAL, "category_id", "not an id");
	}
	if ((tags = lib_tags_check(o->tags, o->ntags, "tags", err)) == NULL) {
		free(title);
		return PSS_EINVAL;
	}
	opt = json_object_new_object();
	json_object_object_add(opt, "title", title != NULL ? json_object_new_string(title) : NULL);
	json_object_object_add(opt, "description", o->description != NULL ?
	    json_object_new_string(o->description) : NULL);
	json_object_object_add(opt, "category_id", json_object_new_int64(o->category_id));
	json_object_object_add(opt, "tags", json_tokener_parse(tags));
	json_object_object_add(opt, "is_public", json_object_new_boolean(o->is_public));
	json_object_object_add(opt, "analyze", json_object_new_boolean(o->analyze));
	t.options = json_object_to_json_string_ext(opt, JSON_C_TO_STRING_PLAIN);
	e = db_tx(db, store_tx, &t);
	json_object_put(opt);
	free(tags);
	free(title);
	if (e != PSS_OK) {
		json_object_put(t.out);
		return e;
	}
	*out = t.out;
	return PSS_OK;
}

/* ---- processing ---- */

struct process_tx {
	const char	*id;
	const char	*status;
};

static int
unhex(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
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
		int hi = unhex(s[i]), lo = unhex(s[i + 1]);

		if (hi < 0 || lo < 0) {
			free(out);
			return NULL;
		}
		out[(*len)++] = (char)(hi << 4 | lo);
	}
	out[*len] = '\0';
	return out;
}

static enum pss_err
finish(struct db *db, struct process_tx *t, const char *status, int64_t script_id,
    int64_t existing, const char *error)
{
	char sid[24], eid[24];

	lib_id(sid, script_id);
	lib_id(eid, existing);
	t->status = status;
	return db_exec(db, NULL, "UPDATE uploads SET status = $2, script_id = NULLIF($3::int, 0),"
	    " existing_script_id = NULLIF($4::int, 0), error = $5,"
	    " content = CASE WHEN $2 = 'failed' THEN content END WHERE id = $1", 5,
	    (const char *[]){ t->id, status, sid, eid, error });
}

/* The title of an upload: the option, else the file name without its extension. */
static char *
upload_title(struct json_object *opt, const char *filename)
{
	struct json_object *v;
	const char *dot = strrchr(filename, '.');

	if (json_object_object_get_ex(opt, "title", &v) && json_object_is_type(v, json_type_string))
		return xstrdup(json_object_get_string(v));
	return dot != NULL && dot != filename ? xstrndup(filename, (size_t)(dot - filename)) :
	    xstrdup(filename);
}

static enum pss_err
process_tx(struct db *db, void *arg)
{
	struct process_tx *t = arg;
	struct db_res *r;
	struct json_object *opt = NULL, *v;
	struct script_new sn = { 0 };
	struct lib_err err = { 0 };
	char *raw = NULL, *text = NULL, *title = NULL, *checked = NULL;
	const char *tags_json = "[]", *status;
	size_t rawlen, len;
	int64_t id;
	enum pss_err e;
	enum text_err te;

	t->status = NULL;
	if ((e = db_exec(db, &r, "SELECT user_id, filename, content, status, options::text FROM uploads"
	    " WHERE id = $1 FOR UPDATE", 1, (const char *[]){ t->id })) != PSS_OK)
		return e;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		return PSS_ENOTFOUND;
	}
	status = db_res_get(r, 0, 3);
	if (strcmp(status, "queued") != 0 && strcmp(status, "processing") != 0) {
		t->status = strcmp(status, "completed") == 0 ? "completed" :
		    strcmp(status, "duplicate") == 0 ? "duplicate" : "failed";
		goto out;	/* finished by an earlier attempt */
	}
	sn.user_id = db_res_int(r, 0, 0);
	opt = json_tokener_parse(db_res_get(r, 0, 4));
	if (db_res_isnull(r, 0, 2) || (raw = from_bytea(db_res_get(r, 0, 2), &rawlen)) == NULL) {
		e = finish(db, t, "failed", 0, 0, "the upload's content is missing");
		goto out;
	}
	if (!text_extension_allowed(db_res_get(r, 0, 1))) {
		e = finish(db, t, "failed", 0, 0,
		    "only .ps1, .psm1, .psd1, .ps1xml and .txt files are accepted");
		goto out;
	}
	if (rawlen > LIB_CONTENT_MAX) {
		e = finish(db, t, "failed", 0, 0, "the file is larger than 10 MB");
		goto out;
	}
	if ((te = text_normalize(raw, rawlen, &text, &len, NULL)) != TEXT_OK) {
		e = finish(db, t, "failed", 0, 0, text_errors[te]);
		goto out;
	}
	title = upload_title(opt, db_res_get(r, 0, 1));
	if ((checked = lib_title_check(title, &err)) == NULL) {
		e = finish(db, t, "failed", 0, 0, err.message);
		goto out;
	}
	sn.title = checked;
	if (json_object_object_get_ex(opt, "description", &v) && json_object_is_type(v, json_type_string))
		sn.description = json_object_get_string(v);
	if (json_object_object_get_ex(opt, "category_id", &v))
		sn.category_id = json_object_get_int64(v);
	if (json_object_object_get_ex(opt, "tags", &v) && json_object_is_type(v, json_type_array))
		tags_json = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	sn.is_public = json_object_object_get_ex(opt, "is_public", &v) && json_object_get_boolean(v);
	sn.analyze = !json_object_object_get_ex(opt, "analyze", &v) || json_object_get_boolean(v);
	sn.commit_message = "Uploaded";
	/* A refusal (duplicate, missing category, too many tags) undoes only the script. */
	if ((e = db_exec(db, NULL, "SAVEPOINT upload_script", 0, NULL)) != PSS_OK)
		goto out;
	e = lib_script_insert(db, &sn, text, len, tags_json, &id, &err);
	if (e == PSS_ECONFLICT || e == PSS_EINVAL) {
		enum pss_err e2 = db_exec(db, NULL, "ROLLBACK TO SAVEPOINT upload_script", 0, NULL);

		if (e2 != PSS_OK)
			e = e2;
		else if (e == PSS_ECONFLICT)
			e = finish(db, t, "duplicate", 0, err.existing_id, "the same content is already stored");
		else
			e = finish(db, t, "failed", 0, 0, err.message != NULL ? err.message : "invalid upload");
		goto out;
	}
	if (e == PSS_OK)
		e = finish(db, t, "completed", id, 0, NULL);
out:
	db_res_free(r);
	json_object_put(opt);
	free(raw);
	free(text);
	free(title);
	free(checked);
	return e;
}

enum pss_err
db_upload_process(struct db *db, const char *upload_id, const char **status)
{
	struct process_tx t = { upload_id, NULL };
	enum pss_err e;

	if (status != NULL)
		*status = NULL;
	if (!lib_uuid_valid(upload_id))
		return PSS_EINVAL;
	/* Visible at once to the status endpoint; a crash leaves it processing, which the next
	 * attempt takes up again. */
	if ((e = db_exec(db, NULL, "UPDATE uploads SET status = 'processing' WHERE id = $1"
	    " AND status = 'queued'", 1, (const char *[]){ upload_id })) != PSS_OK)
		return e;
	if ((e = db_tx(db, process_tx, &t)) == PSS_OK && status != NULL)
		*status = t.status;
	return e;
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
	if (!lib_uuid_valid(upload_id))
		return PSS_ENOTFOUND;
	lib_id(uid, v->user_id);
	if ((e = db_exec(db, &r, "SELECT " UPLOAD_JSON " FROM uploads x WHERE x.id = $1"
	    " AND ($2::bool OR x.user_id = $3::int)", 3, (const char *[]){ upload_id,
		v->admin ? "true" : "false", v->user_id > 0 ? uid : NULL })) != PSS_OK)
		return e;
	if (db_res_rows(r) > 0)
		*out = lib_json_parse(db_res_get(r, 0, 0));
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
	if (!lib_uuid_valid(batch_id))
		return PSS_ENOTFOUND;
	lib_id(uid, v->user_id);
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
	json_object_object_add(*out, "uploads", lib_json_rows(r));
	json_object_object_add(*out, "total", json_object_new_int64(n));
	json_object_object_add(*out, "done", json_object_new_int64(done));
	json_object_object_add(*out, "failed", json_object_new_int64(failed));
	db_res_free(r);
	return PSS_OK;
}
