/* uploads.c: asynchronous uploads: what a batch may hold, the upload.process job that makes
 * a script of each file (or says why not), status and progress */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/text.h"
#include "db/jobs.h"
#include "services/library-int.h"

#define UPLOAD_PRIORITY 1	/* upload.process runs before analysis.run (priority 0) */

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
	struct json_object *list;
	char batch[40];
	enum pss_err e;

	if ((e = db_upload_batch_new(db, batch)) != PSS_OK)
		return e;
	json_object_put(t->out);	/* a retried transaction starts over */
	t->out = json_object_new_object();
	list = json_object_new_array();
	json_object_object_add(t->out, "batchId", json_object_new_string(batch));
	json_object_object_add(t->out, "uploads", list);
	for (size_t i = 0; i < t->n; i++) {
		char id[40], payload[96];
		struct json_object *u;
		int64_t job;

		if ((e = db_upload_insert(db, batch, t->user_id, t->files[i].filename, t->files[i].content,
		    t->files[i].len, t->options, id)) != PSS_OK)
			return e;
		snprintf(payload, sizeof(payload), "{\"uploadId\": \"%s\"}", id);
		u = json_object_new_object();
		json_object_object_add(u, "uploadId", json_object_new_string(id));
		json_object_object_add(u, "filename", json_object_new_string(t->files[i].filename));
		json_object_object_add(u, "status", json_object_new_string("queued"));
		json_object_array_add(list, u);
		if ((e = jobs_enqueue(db, LIBRARY_JOB_UPLOAD, payload, LIBRARY_JOB_ATTEMPTS, &job)) != PSS_OK)
			return e;
		/* Uploads run before analyses: a batch's progress does not wait for the analyses
		 * of the scripts that batches before it made. */
		if ((e = jobs_set_priority(db, job, UPLOAD_PRIORITY)) != PSS_OK)
			return e;
	}
	return PSS_OK;
}

enum pss_err
library_uploads_store(const struct svc *s, int64_t user_id, const struct upload_file *files, size_t n,
    const struct upload_options *o, struct json_object **out, struct svc_err *err)
{
	struct store_tx t = { user_id, files, n, NULL, NULL };
	struct json_object *opt;
	char *tags, *title = NULL;
	enum pss_err e;

	*out = NULL;
	if (user_id <= 0)
		return svc_fail(err, PSS_EAUTH, NULL, "a signed-in user is required");
	if (n == 0 || n > LIBRARY_UPLOAD_MAX_FILES)
		return svc_fail(err, PSS_EINVAL, "files", "between 1 and 50 files");
	for (size_t i = 0; i < n; i++) {
		if (!filename_ok(files[i].filename))
			return svc_fail(err, PSS_EINVAL, "files", "a file name of 1 to 255 bytes without path parts");
		if (files[i].len > LIBRARY_CONTENT_MAX)
			return svc_fail(err, PSS_ETOOBIG, "files", "a file is larger than 10 MB");
	}
	if (o->title != NULL && (title = library_title_check(o->title, err)) == NULL)
		return PSS_EINVAL;
	if (o->description != NULL && !utf8_valid(o->description, strlen(o->description))) {
		free(title);
		return svc_fail(err, PSS_EINVAL, "description", "not text");
	}
	if (o->category_id < 0 || o->category_id > INT32_MAX) {
		free(title);
		return svc_fail(err, PSS_EINVAL, "category_id", "not an id");
	}
	if ((tags = library_tags_check(o->tags, o->ntags, "tags", err)) == NULL) {
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
	e = db_tx(s->db, store_tx, &t);
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

static enum pss_err
finish(struct db *db, struct process_tx *t, const char *status, int64_t script_id,
    int64_t existing, const char *error)
{
	t->status = status;
	return db_upload_finish(db, t->id, status, script_id, existing, error);
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
	struct upload_row u;
	struct json_object *opt = NULL, *v;
	struct script_row row = { 0 };
	struct svc_err err = { 0 };
	char *text = NULL, *title = NULL, *checked = NULL;
	const char *tags_json = "[]";
	size_t len;
	int64_t id;
	bool analyze;
	enum pss_err e;
	enum text_err te;

	t->status = NULL;
	if ((e = db_upload_lock(db, t->id, &u)) != PSS_OK)
		return e;
	if (strcmp(u.status, "queued") != 0 && strcmp(u.status, "processing") != 0) {
		t->status = strcmp(u.status, "completed") == 0 ? "completed" :
		    strcmp(u.status, "duplicate") == 0 ? "duplicate" : "failed";
		goto out;	/* finished by an earlier attempt */
	}
	row.user_id = u.user_id;
	opt = json_tokener_parse(u.options);
	if (u.content == NULL) {
		e = finish(db, t, "failed", 0, 0, "the upload's content is missing");
		goto out;
	}
	if (!text_extension_allowed(u.filename)) {
		e = finish(db, t, "failed", 0, 0,
		    "only .ps1, .psm1, .psd1, .ps1xml and .txt files are accepted");
		goto out;
	}
	if (u.len > LIBRARY_CONTENT_MAX) {
		e = finish(db, t, "failed", 0, 0, "the file is larger than 10 MB");
		goto out;
	}
	if ((te = text_normalize(u.content, u.len, &text, &len, NULL)) != TEXT_OK) {
		e = finish(db, t, "failed", 0, 0, text_errors[te]);
		goto out;
	}
	title = upload_title(opt, u.filename);
	if ((checked = library_title_check(title, &err)) == NULL) {
		e = finish(db, t, "failed", 0, 0, err.message);
		goto out;
	}
	row.title = checked;
	if (json_object_object_get_ex(opt, "description", &v) && json_object_is_type(v, json_type_string))
		row.description = json_object_get_string(v);
	if (json_object_object_get_ex(opt, "category_id", &v))
		row.category_id = json_object_get_int64(v);
	if (json_object_object_get_ex(opt, "tags", &v) && json_object_is_type(v, json_type_array))
		tags_json = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	row.is_public = json_object_object_get_ex(opt, "is_public", &v) && json_object_get_boolean(v);
	analyze = !json_object_object_get_ex(opt, "analyze", &v) || json_object_get_boolean(v);
	row.commit_message = "Uploaded";
	/* A refusal (duplicate, missing category, too many tags) undoes only the script. */
	if ((e = db_savepoint(db, "upload_script")) != PSS_OK)
		goto out;
	e = library_script_insert(db, &row, text, len, tags_json, analyze, &id, &err);
	if (e == PSS_ECONFLICT || e == PSS_EINVAL) {
		enum pss_err e2 = db_savepoint_rollback(db, "upload_script");

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
	db_upload_row_free(&u);
	json_object_put(opt);
	free(text);
	free(title);
	free(checked);
	return e;
}

/* process: the upload's work; the cache is the caller's. */
static enum pss_err
process(const struct svc *s, const char *upload_id, const char **status)
{
	struct process_tx t = { upload_id, NULL };
	enum pss_err e;

	if (status != NULL)
		*status = NULL;
	if (!text_uuid_valid(upload_id))
		return PSS_EINVAL;
	/* Visible at once to the status endpoint; a crash leaves it processing, which the next
	 * attempt takes up again. */
	if ((e = db_upload_start(s->db, upload_id)) != PSS_OK)
		return e;
	if ((e = db_tx(s->db, process_tx, &t)) == PSS_OK && status != NULL)
		*status = t.status;
	return e;
}

enum pss_err
library_upload_process(const struct svc *s, const char *upload_id, const char **status)
{
	const char *st = NULL;
	enum pss_err e = process(s, upload_id, &st);

	if (status != NULL)
		*status = st;
	if (e == PSS_OK && st != NULL && strcmp(st, "completed") == 0)
		cache_invalidate_library(s->cache, 0, CACHE_LIB_LISTS | CACHE_LIB_TAXONOMY);
	return e;
}

enum pss_err
library_upload_import(const struct svc *s, const char *upload_id, const char **status)
{
	enum pss_err e;

	if ((e = process(s, upload_id, status)) != PSS_OK)
		return e;
	/* a worker that takes the job meanwhile finds the upload finished */
	(void)jobs_done_queued(s->db, LIBRARY_JOB_UPLOAD, "uploadId", upload_id);
	return PSS_OK;
}

void
library_imported(const struct svc *s)
{
	cache_invalidate_library(s->cache, 0, CACHE_LIB_LISTS | CACHE_LIB_TAXONOMY);
}

enum pss_err
library_upload_status(const struct svc *s, const struct viewer *v, const char *upload_id,
    struct json_object **out)
{
	*out = NULL;
	if (!text_uuid_valid(upload_id))
		return PSS_ENOTFOUND;
	return db_upload_status(s->db, v, upload_id, out);
}

enum pss_err
library_upload_batch(const struct svc *s, const struct viewer *v, const char *batch_id,
    struct json_object **out)
{
	*out = NULL;
	if (!text_uuid_valid(batch_id))
		return PSS_ENOTFOUND;
	return db_upload_batch(s->db, v, batch_id, out);
}
