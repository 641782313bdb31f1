/* uploads.c: /api/scripts/upload (one file, synchronous), /upload/async (a batch for the job
 * runner) and the status of an upload and of a batch */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "handlers/library.h"
#include "handlers/uploads.h"

/* Room for the form fields around the files (title, tags, csrf_token ...). */
#define UPLOAD_FIELD_PARTS 30
/* What a body may hold besides the files: fields, part headers, boundaries. */
#define UPLOAD_OVERHEAD (1024 * 1024)
#define DESCRIPTION_MAX 100000

/* read_form: the parts and plain fields of a multipart body of at most max_body bytes.
 * false when it has answered: 415 for another content type, 413 over the cap, 400 for a
 * malformed or truncated body or a field that is not UTF-8 text. */
static bool
read_form(struct http_ctx *c, size_t max_body, size_t max_parts, struct mpartlist *parts,
    struct kvlist *fields)
{
	struct request *req = c->req;
	const char *boundary;
	enum pss_err e;

	if (req->content_type == NULL || strcmp(req->content_type, "multipart/form-data") != 0) {
		error_reply(c, 415, "unsupported_media_type",
		    "Send the files as multipart/form-data.", NULL);
		return false;
	}
	if (req->body_len > max_body) {
		error_reply(c, 413, "payload_too_large", "The upload is too large.", NULL);
		return false;
	}
	if (multipart_boundary(req->arena, req->content_type_full, &boundary) != PSS_OK) {
		error_reply(c, 400, "validation_error",
		    "The multipart boundary is missing or malformed.", NULL);
		return false;
	}
	e = multipart_parse(req->arena, boundary, req->body, req->body_len, max_parts, parts);
	if (e == PSS_ETOOBIG) {
		field_error(c, "files", "Too many parts, or a part's headers are too long.");
		return false;
	}
	if (e != PSS_OK) {
		error_reply(c, 400, "validation_error",
		    "The multipart body is malformed or truncated.", NULL);
		return false;
	}
	if (multipart_fields(req->arena, parts, fields) != PSS_OK) {
		error_reply(c, 400, "validation_error", "A form field is not valid UTF-8 text.", NULL);
		return false;
	}
	return true;
}

/* The value of a field or of its alias, NULL when neither was sent. */
static const char *
field(const struct kvlist *f, const char *name, const char *alias)
{
	const char *v = kv_get(f, name);

	return v != NULL ? v : kv_get(f, alias);
}

/* read_tags: a JSON array of strings or a comma-separated list into o (arena memory).
 * false when it has answered 400. */
static bool
read_tags(struct http_ctx *c, const char *v, struct upload_options *o)
{
	struct arena *a = c->req->arena;
	const char **tags;
	size_t n = 0;

	o->tags = NULL;
	o->ntags = 0;
	if (v == NULL)
		return true;
	while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		v++;
	if (*v == '[') {
		struct json_object *arr = json_tokener_parse(v);
		size_t len;

		if (arr == NULL || !json_object_is_type(arr, json_type_array)) {
			json_object_put(arr);
			field_error(c, "tags", "tags must be a JSON array of strings or a comma-separated list.");
			return false;
		}
		len = json_object_array_length(arr);
		tags = arena_alloc(a, (len + 1) * sizeof(*tags));
		for (size_t i = 0; i < len; i++) {
			struct json_object *t = json_object_array_get_idx(arr, i);

			if (!json_object_is_type(t, json_type_string)) {
				json_object_put(arr);
				field_error(c, "tags", "Every tag must be a string.");
				return false;
			}
			tags[n++] = arena_strndup(a, json_object_get_string(t),
			    (size_t)json_object_get_string_len(t));
		}
		json_object_put(arr);
	} else {
		size_t commas = 0;

		for (const char *p = v; *p != '\0'; p++)
			commas += *p == ',';
		tags = arena_alloc(a, (commas + 2) * sizeof(*tags));
		for (const char *p = v; *p != '\0';) {
			size_t span = strcspn(p, ","), tn;
			const char *t = text_trim(arena_strndup(a, p, span), &tn);

			if (tn > 0)
				tags[n++] = arena_strndup(a, t, tn);
			p += span;
			if (*p == ',')
				p++;
		}
	}
	o->tags = tags;
	o->ntags = n;
	return true;
}

/* read_bool: an optional boolean field; false when it has answered 400. */
static bool
read_bool(struct http_ctx *c, const struct kvlist *f, const char *name, const char *alias,
    bool *out)
{
	const char *v = field(f, name, alias);
	char msg[96];

	if (v == NULL || *v == '\0' || parse_bool(v, out) == 0)
		return true;
	snprintf(msg, sizeof(msg), "%s must be true or false.", name);
	field_error(c, name, msg);
	return false;
}

/* read_options: the form fields every upload takes (API.md names and their camelCase
 * aliases); false when it has answered 400. An empty field means "not given". */
static bool
read_options(struct http_ctx *c, const struct kvlist *f, struct upload_options *o)
{
	const char *v;

	memset(o, 0, sizeof(*o));
	o->analyze = true;
	if ((v = kv_get(f, "title")) != NULL && *v != '\0')
		o->title = v;
	if ((v = kv_get(f, "description")) != NULL && *v != '\0') {
		if (strlen(v) > DESCRIPTION_MAX) {
			field_error(c, "description", "The description may hold at most 100,000 bytes.");
			return false;
		}
		o->description = v;
	}
	if ((v = field(f, "category_id", "categoryId")) != NULL && *v != '\0' &&
	    parse_int64(v, 1, INT32_MAX, &o->category_id) != 0) {
		field_error(c, "category_id", "category_id must be the id of a category.");
		return false;
	}
	return read_tags(c, kv_get(f, "tags"), o) &&
	    read_bool(c, f, "is_public", "isPublic", &o->is_public) &&
	    read_bool(c, f, "analyze_with_ai", "analyze", &o->analyze);
}

/* The field names of the form, for the data layer's (JSON) field names. */
static const char *
form_field(const char *db_field)
{
	if (strcmp(db_field, "content") == 0)
		return "script_file";
	if (strcmp(db_field, "categoryId") == 0)
		return "category_id";
	return db_field;
}

/* upload_fail: a data-layer refusal of an upload: a field error names the form's field;
 * the rest (409 duplicate_file with existingScriptId, 413, 503 ...) as every library write. */
static void
upload_fail(struct http_ctx *c, enum pss_err e, const struct svc_err *err)
{
	if (e == PSS_EINVAL && err->field != NULL)
		field_error(c, form_field(err->field), err->message ? err->message : "Invalid upload.");
	else
		error_from_svc(c, e, err, "Not found.");
}

/* The title of an upload without one: the file name without its extension. */
static const char *
title_from(struct arena *a, const char *filename)
{
	const char *dot = strrchr(filename, '.');

	return dot != NULL && dot != filename ? arena_strndup(a, filename, (size_t)(dot - filename)) :
	    filename;
}

/* file_parts: the parts that carry the synchronous upload's file (script_file, or the
 * upload page's file and files). */
static size_t
file_parts(const struct mpartlist *parts)
{
	size_t n = 0;

	for (size_t i = 0; i < parts->n; i++)
		n += strcmp(parts->items[i].name, "script_file") == 0 ||
		    strcmp(parts->items[i].name, "file") == 0 || strcmp(parts->items[i].name, "files") == 0;
	return n;
}

void
h_uploads_sync(struct http_ctx *c)
{
	struct mpartlist parts;
	struct kvlist fields;
	struct upload_options o;
	const struct mpart *file;
	struct mpart paste = { 0 };
	const char *pasted;
	struct script_new sn;
	struct svc_err err = { 0 };
	struct viewer v = req_viewer(c);
	struct json_object *script;
	int64_t id;
	enum pss_err e;

	if (!read_form(c, LIBRARY_CONTENT_MAX + UPLOAD_OVERHEAD, UPLOAD_FIELD_PARTS, &parts, &fields) ||
	    !read_options(c, &fields, &o))
		return;
	if ((file = multipart_get(&parts, "script_file")) == NULL)
		file = multipart_get(&parts, "file");
	if (file == NULL)	/* the upload page's one file (its input is "files") */
		file = multipart_get(&parts, "files");
	if (file_parts(&parts) > 1) {	/* never one stored and the others dropped unseen */
		field_error(c, "script_file",
		    "One file a request here; POST /api/scripts/upload/async takes up to 50.");
		return;
	}
	if ((file == NULL || file->filename == NULL || file->filename[0] == '\0') &&
	    (pasted = kv_get(&fields, "content")) != NULL && *pasted != '\0') {
		/* the original frontend's form: the text in a content field, no file chosen */
		if (o.title == NULL) {
			field_error(c, "title", "Give a title for a script sent as a content field.");
			return;
		}
		paste.filename = "script.ps1";
		paste.data = pasted;
		paste.len = strlen(pasted);
		file = &paste;
	}
	if (file == NULL || file->filename == NULL || file->filename[0] == '\0') {
		field_error(c, "script_file", "Choose a file to upload (the script_file field).");
		return;
	}
	if (!text_extension_allowed(file->filename)) {
		field_error(c, "script_file",
		    "Only .ps1, .psm1, .psd1, .ps1xml and .txt files are accepted.");
		return;
	}
	if (file->len > LIBRARY_CONTENT_MAX) {
		error_reply(c, 413, "payload_too_large", "The file is larger than 10 MB.", NULL);
		return;
	}
	memset(&sn, 0, sizeof(sn));
	sn.user_id = v.user_id;
	sn.title = o.title != NULL ? o.title : title_from(c->req->arena, file->filename);
	sn.description = o.description;
	sn.content = file->data;
	sn.content_len = file->len;
	sn.category_id = o.category_id;
	sn.tags = o.tags;
	sn.ntags = o.ntags;
	sn.is_public = o.is_public;
	sn.analyze = o.analyze;
	sn.commit_message = "Uploaded";
	if ((e = library_script_create(&c->app->svc, &sn, &id, &err)) != PSS_OK) {
		upload_fail(c, e, &err);
		return;
	}
	if ((e = library_script_get(&c->app->svc, &v, id, &script)) != PSS_OK)
		error_from(c, e, NULL);
	else
		reply_success(c, 201, "script", script);
}

/* is_file_part: a part of the batch: named files (or files[], as some clients send, or
 * script_file, the original frontend's one large file) with a file chosen (a browser sends
 * filename="" for an empty file input: skipped). */
static bool
is_file_part(const struct mpart *p)
{
	return p->filename != NULL && p->filename[0] != '\0' &&
	    (strcmp(p->name, "files") == 0 || strcmp(p->name, "files[]") == 0 ||
	    strcmp(p->name, "script_file") == 0);
}

void
h_uploads_async(struct http_ctx *c)
{
	struct mpartlist parts;
	struct kvlist fields;
	struct upload_options o;
	struct upload_file files[LIBRARY_UPLOAD_MAX_FILES];
	struct svc_err err = { 0 };
	struct json_object *out, *cat;
	struct viewer v = req_viewer(c);
	size_t n = 0;
	enum pss_err e;

	if (!read_form(c, LIBRARY_UPLOAD_MAX_FILES * (size_t)LIBRARY_CONTENT_MAX + UPLOAD_OVERHEAD,
	    LIBRARY_UPLOAD_MAX_FILES + UPLOAD_FIELD_PARTS, &parts, &fields) ||
	    !read_options(c, &fields, &o))
		return;
	for (size_t i = 0; i < parts.n; i++) {
		if (!is_file_part(&parts.items[i]))
			continue;
		if (n == LIBRARY_UPLOAD_MAX_FILES) {
			field_error(c, "files", "At most 50 files in one upload.");
			return;
		}
		if (parts.items[i].len > LIBRARY_CONTENT_MAX) {
			error_reply(c, 413, "payload_too_large", "A file is larger than 10 MB.", NULL);
			return;
		}
		files[n].filename = parts.items[i].filename;
		files[n].content = parts.items[i].data;
		files[n].len = parts.items[i].len;
		n++;
	}
	if (n == 0) {
		field_error(c, "files", "Choose at least one file to upload (the files field).");
		return;
	}
	/* A category that does not exist would fail every file: say so now. */
	if (o.category_id != 0) {
		if ((e = library_category_get(&c->app->svc, &v, o.category_id, &cat)) == PSS_ENOTFOUND) {
			field_error(c, "category_id", "No such category.");
			return;
		}
		if (e != PSS_OK) {
			error_from(c, e, NULL);
			return;
		}
		json_object_put(cat);
	}
	if ((e = library_uploads_store(&c->app->svc, v.user_id, files, n, &o, &out, &err)) != PSS_OK)
		upload_fail(c, e, &err);
	else
		reply_success(c, 202, NULL, out);
}

/* upload_view: the status of an upload or a batch (owner or admin; else 404). */
static void
upload_view(struct http_ctx *c, enum pss_err (*read)(const struct svc *, const struct viewer *,
    const char *, struct json_object **), const char *param, const char *notfound)
{
	struct viewer v = req_viewer(c);
	struct json_object *obj = NULL;
	enum pss_err e = read(&c->app->svc, &v, http_param(c->req, param), &obj);

	if (e != PSS_OK)
		error_from_svc(c, e, NULL, notfound);
	else
		reply_success(c, 200, NULL, obj);
}

void
h_upload_status(struct http_ctx *c)
{
	upload_view(c, library_upload_status, "uploadId", "No such upload.");
}

void
h_upload_batch(struct http_ctx *c)
{
	upload_view(c, library_upload_batch, "batchId", "No such upload batch.");
}
