/* import.c: psscript import DIR: every script file under DIR stored through library_uploads_store
 * (the asynchronous upload's path, batches of at most 50), processed by psscript-worker (or
 * in this process with --process-inline), with a progress bar and a summary */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bin/import.h"
#include "cache/cache.h"
#include "core/conf.h"
#include "core/text.h"
#include "db/db.h"
#include "services/library.h"
#include "services/users.h"

#define BATCH_BYTES (64 * 1024 * 1024)	/* at most this much file content in one batch */
#define POLL_MS 500
#define STALL_DEFAULT_S 60

enum fstate { F_PENDING, F_QUEUED, F_PROCESSING, F_COMPLETED, F_DUPLICATE, F_FAILED };

struct ifile {
	char		*path;		/* as found under DIR */
	const char	*name;		/* the last component (the upload's file name) */
	int64_t		 size;
	enum fstate	 state;
	char		 upload_id[40];
	char		*reason;	/* F_FAILED */
	int64_t		 script_id;	/* F_COMPLETED: the new script; F_DUPLICATE: the existing */
};

struct batch {
	char		 id[40];
	size_t		 first, end;	/* files[first..end) (some may have failed locally) */
	bool		 finished;
};

struct import {
	struct conf	 conf;
	struct db	*db;
	struct cache	*cache;
	struct svc	 svc;		/* conf, db and cache for the library's operations */
	struct upload_options opt;
	int64_t		 user_id;
	bool		 process_inline, tty, conf_loaded;
	int64_t		 stall_s;
	struct ifile	*files;
	size_t		 nfiles, cap;
	size_t		 skipped;	/* other extensions */
	struct batch	*batches;
	size_t		 nbatches;
	int64_t		 last_line_ms;
};

static struct import *walking;	/* nftw has no user argument */

static void
usage(FILE *f)
{
	fputs("usage: psscript import DIR [--user USER] [--category CATEGORY] [--public]\n"
	    "                       [--process-inline] [--stall-timeout SECONDS]\n"
	    "  Imports every .ps1 .psm1 .psd1 .ps1xml .txt file under DIR (recursively) as\n"
	    "  scripts, through the asynchronous upload path: batches of at most 50 files are\n"
	    "  stored with their upload.process jobs, which psscript-worker runs.\n"
	    "  --user USER          owner (name, email or id; default: the first administrator)\n"
	    "  --category CATEGORY  category (name or id)\n"
	    "  --public             make the scripts public (default: private)\n"
	    "  --process-inline     process the uploads in this process (no worker needed;\n"
	    "                       analysis jobs still wait for psscript-worker)\n"
	    "  --stall-timeout S    give up when nothing progresses for S seconds (default 60)\n"
	    "Exit status: 0 all imported or duplicates, 1 some failed, 2 usage or I/O error.\n", f);
}

static void
fail_file(struct ifile *f, const char *fmt, const char *arg)
{
	char buf[512];

	snprintf(buf, sizeof(buf), fmt, arg);
	f->state = F_FAILED;
	free(f->reason);
	f->reason = xstrdup(buf);
}

static int
walk_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct import *im = walking;
	struct ifile *f;

	(void)ftw;
	if (type == FTW_DNR || type == FTW_NS) {
		fprintf(stderr, "psscript import: cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;	/* directories, symbolic links (not followed), devices */
	if (!text_extension_allowed(path)) {
		im->skipped++;
		return 0;
	}
	if (im->nfiles == im->cap) {
		im->cap = im->cap ? im->cap * 2 : 256;
		im->files = xrealloc(im->files, im->cap * sizeof(*im->files));
	}
	f = &im->files[im->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->name = strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;
	f->size = (int64_t)st->st_size;
	return 0;
}

static int
by_path(const void *a, const void *b)
{
	return strcmp(((const struct ifile *)a)->path, ((const struct ifile *)b)->path);
}

/* read_file: the content of f (caller frees), or NULL with f failed and its reason. */
static char *
read_file(struct ifile *f, size_t *len)
{
	struct buf b = BUF_INIT;
	enum pss_err e = PSS_OK;

	/* the size the walk saw, then the bytes read (the file may have grown since) */
	if (f->size > LIBRARY_CONTENT_MAX ||
	    (e = file_read(f->path, &b, LIBRARY_CONTENT_MAX)) == PSS_ETOOBIG) {
		fail_file(f, "%s", "the file is larger than 10 MB");
		buf_free(&b);
		return NULL;
	}
	if (e != PSS_OK) {
		fail_file(f, "cannot read: %s", strerror(errno));
		buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return buf_detach(&b);
}

/* A name library_uploads_store accepts: 1..255 bytes of UTF-8 without control characters. */
static bool
name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 255 && utf8_valid(s, n) && text_no_controls(s, n) &&
	    strchr(s, '\\') == NULL;
}

static void
count(const struct import *im, size_t c[F_FAILED + 1])
{
	memset(c, 0, (F_FAILED + 1) * sizeof(*c));
	for (size_t i = 0; i < im->nfiles; i++)
		c[im->files[i].state]++;
}

/* progress: a bar on a terminal (redrawn in place), else a line every 5 seconds. */
static void
progress(struct import *im, bool final)
{
	size_t c[F_FAILED + 1], done, total = im->nfiles;
	int64_t now = time_mono_ms();

	count(im, c);
	done = c[F_COMPLETED] + c[F_DUPLICATE] + c[F_FAILED];
	if (im->tty) {
		char bar[31];
		size_t fill = total ? done * 30 / total : 30;

		for (size_t i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		printf("\r[%s] %zu/%zu  %3zu%%  completed %zu  duplicates %zu  failed %zu ",
		    bar, done, total, total ? done * 100 / total : 100, c[F_COMPLETED],
		    c[F_DUPLICATE], c[F_FAILED]);
		if (final)
			putchar('\n');
		fflush(stdout);
		return;
	}
	if (!final && now - im->last_line_ms < 5000)
		return;
	im->last_line_ms = now;
	printf("import: %zu/%zu done (completed %zu, duplicates %zu, failed %zu, queued %zu,"
	    " processing %zu)\n", done, total, c[F_COMPLETED], c[F_DUPLICATE], c[F_FAILED],
	    c[F_QUEUED] + c[F_PENDING], c[F_PROCESSING]);
	fflush(stdout);
}

/* apply: the state of one upload object (library_upload_status's shape) onto the file. */
static void
apply(struct ifile *f, struct json_object *u)
{
	struct json_object *v;
	const char *s = json_object_object_get_ex(u, "status", &v) ? json_object_get_string(v) : "";

	if (strcmp(s, "processing") == 0)
		f->state = F_PROCESSING;
	else if (strcmp(s, "completed") == 0) {
		f->state = F_COMPLETED;
		if (json_object_object_get_ex(u, "scriptId", &v))
			f->script_id = json_object_get_int64(v);
	} else if (strcmp(s, "duplicate") == 0) {
		f->state = F_DUPLICATE;
		if (json_object_object_get_ex(u, "existingScriptId", &v))
			f->script_id = json_object_get_int64(v);
	} else if (strcmp(s, "failed") == 0) {
		const char *why = json_object_object_get_ex(u, "error", &v) && v != NULL ?
		    json_object_get_string(v) : "failed";

		fail_file(f, "%s", why);
	}
}

/* poll_batch: reads the batch's progress (library_upload_batch, as its owner would) into its
 * files. 1 when something started in it, 0 when all of it is still queued, -1 on error. */
static int
poll_batch(struct import *im, struct batch *b)
{
	struct viewer v = { im->user_id, false };
	struct json_object *out, *list, *v2, *total;
	int started = 0;
	enum pss_err e;

	if ((e = library_upload_batch(&im->svc, &v, b->id, &out)) != PSS_OK) {
		fprintf(stderr, "\npsscript import: reading batch %s: %s: %s\n", b->id, pss_strerror(e),
		    db_last_error(im->db));
		return -1;
	}
	if (!json_object_object_get_ex(out, "uploads", &list))
		list = NULL;
	for (size_t k = 0; list != NULL && k < json_object_array_length(list); k++) {
		struct json_object *u = json_object_array_get_idx(list, k);
		const char *id = json_object_object_get_ex(u, "uploadId", &v2) ?
		    json_object_get_string(v2) : "";

		for (size_t i = b->first; i < b->end; i++)
			if (strcmp(im->files[i].upload_id, id) == 0) {
				apply(&im->files[i], u);
				break;
			}
	}
	if (json_object_object_get_ex(out, "done", &v2) && json_object_object_get_ex(out, "total", &total))
		b->finished = json_object_get_int64(v2) == json_object_get_int64(total);
	for (size_t i = b->first; i < b->end; i++)
		started |= im->files[i].state != F_QUEUED && im->files[i].state != F_FAILED;
	json_object_put(out);
	return started || b->finished;
}

/* process_inline: what psscript-worker's upload.process job does, here
 * (library_upload_import: its job is marked done). */
static enum pss_err
process_inline(struct import *im, struct ifile *f)
{
	struct viewer v = { im->user_id, false };
	struct json_object *u;
	const char *status;
	enum pss_err e;

	if ((e = library_upload_import(&im->svc, f->upload_id, &status)) != PSS_OK)
		return e;
	if ((e = library_upload_status(&im->svc, &v, f->upload_id, &u)) != PSS_OK)
		return e;
	apply(f, u);
	json_object_put(u);
	return PSS_OK;
}

/* store_batch: files[first..end) (those that read) as one batch. -1 on a database error. */
static int
store_batch(struct import *im, size_t first, size_t end)
{
	struct upload_file uf[LIBRARY_UPLOAD_MAX_FILES];
	char *data[LIBRARY_UPLOAD_MAX_FILES];
	size_t idx[LIBRARY_UPLOAD_MAX_FILES], n = 0;
	struct json_object *out = NULL, *list, *v;
	struct svc_err err = { 0 };
	struct batch *b;
	enum pss_err e;
	int rc = 0;

	for (size_t i = first; i < end; i++) {
		size_t len;

		if (!name_ok(im->files[i].name)) {
			fail_file(&im->files[i], "%s", "the file name is not 1 to 255 bytes of UTF-8 text");
			continue;
		}
		if ((data[n] = read_file(&im->files[i], &len)) == NULL)
			continue;
		uf[n].filename = im->files[i].name;
		uf[n].content = data[n];
		uf[n].len = len;
		idx[n++] = i;
	}
	if (n == 0)
		return 0;
	if ((e = library_uploads_store(&im->svc, im->user_id, uf, n, &im->opt, &out, &err)) != PSS_OK) {
		fprintf(stderr, "%spsscript import: storing a batch: %s%s%s\n", im->tty ? "\n" : "",
		    err.message ? err.message : pss_strerror(e), err.message ? "" : ": ",
		    err.message ? "" : db_last_error(im->db));
		rc = -1;
		goto out;
	}
	im->batches = xrealloc(im->batches, (im->nbatches + 1) * sizeof(*im->batches));
	b = &im->batches[im->nbatches++];
	memset(b, 0, sizeof(*b));
	snprintf(b->id, sizeof(b->id), "%s", json_object_object_get_ex(out, "batchId", &v) ?
	    json_object_get_string(v) : "");
	b->first = first;
	b->end = end;
	json_object_object_get_ex(out, "uploads", &list);
	for (size_t k = 0; k < n; k++) {
		struct ifile *f = &im->files[idx[k]];
		struct json_object *u = json_object_array_get_idx(list, k);

		snprintf(f->upload_id, sizeof(f->upload_id), "%s",
		    json_object_object_get_ex(u, "uploadId", &v) ? json_object_get_string(v) : "");
		f->state = F_QUEUED;
		if (im->process_inline && (e = process_inline(im, f)) != PSS_OK) {
			fprintf(stderr, "%spsscript import: processing %s: %s: %s\n", im->tty ? "\n" : "",
			    f->path, pss_strerror(e), db_last_error(im->db));
			rc = -1;
			goto out;
		}
	}
	b->finished = im->process_inline;
out:
	json_object_put(out);
	for (size_t k = 0; k < n; k++)
		free(data[k]);
	return rc;
}

/* wait_all: polls the batches until every upload finished. -1 on a database error or when
 * nothing moved for stall_s seconds. */
static int
wait_all(struct import *im)
{
	int64_t last_change = time_mono_ms();
	size_t last_done = (size_t)-1;

	for (;;) {
		size_t c[F_FAILED + 1], moved;
		bool all = true;

		for (size_t i = 0; i < im->nbatches; i++) {
			int r;

			if (im->batches[i].finished)
				continue;
			all = false;
			if ((r = poll_batch(im, &im->batches[i])) < 0)
				return -1;
			/* The queue is first in, first out: the batches after one that has not
			 * started have not started either. */
			if (r == 0)
				break;
		}
		progress(im, false);
		if (all)
			return 0;
		count(im, c);
		moved = c[F_COMPLETED] + c[F_DUPLICATE] + c[F_FAILED] + 2 * c[F_PROCESSING];
		if (moved != last_done) {
			last_done = moved;
			last_change = time_mono_ms();
		} else if (time_mono_ms() - last_change > im->stall_s * 1000) {
			fprintf(stderr, "%spsscript import: no upload progressed for %lld seconds: is"
			    " psscript-worker running? The files are stored and queued; a worker will"
			    " process them when it starts (or import again with --process-inline:"
			    " the ones already imported are then reported as duplicates).\n",
			    im->tty ? "\n" : "", (long long)im->stall_s);
			return -1;
		}
		time_sleep_ms(POLL_MS);
	}
}

static int
summary(struct import *im)
{
	size_t c[F_FAILED + 1];

	count(im, c);
	printf("imported %zu file%s: %zu completed, %zu duplicates, %zu failed",
	    im->nfiles, im->nfiles == 1 ? "" : "s", c[F_COMPLETED], c[F_DUPLICATE], c[F_FAILED]);
	if (im->skipped > 0)
		printf(" (%zu other files skipped)", im->skipped);
	putchar('\n');
	for (size_t i = 0; i < im->nfiles; i++)
		if (im->files[i].state == F_FAILED)
			printf("  failed: %s: %s\n", im->files[i].path, im->files[i].reason);
	for (size_t i = 0; i < im->nfiles; i++)
		if (im->files[i].state == F_DUPLICATE)
			printf("  duplicate: %s: same content as script %lld\n", im->files[i].path,
			    (long long)im->files[i].script_id);
	return c[F_FAILED] > 0 ? 1 : 0;
}

/* resolve_user: USER as id, username or email; without one, the first administrator. */
static int64_t
resolve_user(struct import *im, const char *who)
{
	const struct svc *s = &im->svc;
	struct db_res *r;
	struct arena a;
	struct auth_user u;
	int64_t id = 0;

	if (who == NULL) {
		if (db_exec(im->db, &r, "SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1",
		    0, NULL) != PSS_OK)
			return -1;
		if (db_res_rows(r) > 0)
			id = db_res_int(r, 0, 0);
		db_res_free(r);
		if (id == 0)
			fprintf(stderr, "psscript import: there is no administrator to own the scripts;"
			    " name the owner with --user\n");
		return id;
	}
	if (parse_int64(who, 1, INT32_MAX, &id) == 0) {
		arena_init(&a);
		if (users_get(s, &a, id, false, &u) != PSS_OK)
			id = 0;
		arena_free(&a);
	} else
		id = users_find(s, who);
	if (id == 0)
		fprintf(stderr, "psscript import: no user \"%s\"\n", who);
	return id;
}

/* resolve_category: CATEGORY as id or name (any case); 0 after a message when none. */
static int64_t
resolve_category(struct import *im, const char *what)
{
	static const struct viewer anyone = { 0, true };
	struct json_object *out, *list, *v;
	int64_t id = 0, want = 0;

	if (library_categories_list(&im->svc, &anyone, &out) != PSS_OK) {
		fprintf(stderr, "psscript import: reading the categories: %s\n", db_last_error(im->db));
		return -1;
	}
	(void)parse_int64(what, 1, INT32_MAX, &want);
	json_object_object_get_ex(out, "categories", &list);
	for (size_t i = 0; list != NULL && i < json_object_array_length(list) && id == 0; i++) {
		struct json_object *cat = json_object_array_get_idx(list, i);
		int64_t cid = json_object_object_get_ex(cat, "id", &v) ? json_object_get_int64(v) : 0;
		const char *name = json_object_object_get_ex(cat, "name", &v) ? json_object_get_string(v) : "";

		if (cid == want || strcasecmp(name, what) == 0)
			id = cid;
	}
	json_object_put(out);
	if (id == 0)
		fprintf(stderr, "psscript import: no category \"%s\"\n", what);
	return id;
}

static int
run(struct import *im, const char *dir, const char *user, const char *category)
{
	char err[512];
	int rc;

	if (conf_load(&im->conf, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "psscript: configuration error: %s\n", err);
		return 2;
	}
	im->conf_loaded = true;
	log_init("psscript", log_level_parse(im->conf.log_level));
	walking = im;
	if ((rc = nftw(dir, walk_cb, 32, FTW_PHYS)) != 0) {
		if (rc < 0)
			fprintf(stderr, "psscript import: %s: %s\n", dir, strerror(errno));
		return 2;
	}
	if (im->nfiles > 1)
		qsort(im->files, im->nfiles, sizeof(*im->files), by_path);
	im->db = db_open(&im->conf, false);
	if (!db_connected(im->db)) {
		fprintf(stderr, "psscript import: database unreachable: %s\n", db_last_error(im->db));
		return 2;
	}
	im->cache = cache_open(&im->conf, im->db);
	im->svc = (struct svc){ &im->conf, im->db, im->cache };
	if ((im->user_id = resolve_user(im, user)) <= 0)
		return 2;
	if (category != NULL && (im->opt.category_id = resolve_category(im, category)) <= 0)
		return 2;
	if (im->nfiles == 0) {
		printf("no .ps1 .psm1 .psd1 .ps1xml or .txt files under %s\n", dir);
		return 0;
	}
	for (size_t first = 0; first < im->nfiles;) {
		size_t end = first;
		int64_t bytes = 0;

		while (end < im->nfiles && end - first < LIBRARY_UPLOAD_MAX_FILES &&
		    (end == first || bytes + im->files[end].size <= BATCH_BYTES))
			bytes += im->files[end++].size;
		if (store_batch(im, first, end) != 0)
			return 2;
		first = end;
		progress(im, false);
	}
	if (!im->process_inline && wait_all(im) != 0) {
		progress(im, true);
		return 2;
	}
	if (im->process_inline)	/* the worker's jobs invalidate for themselves */
		library_imported(&im->svc);
	progress(im, true);
	return summary(im);
}

int
import_main(int argc, char **argv)
{
	struct import im;
	const char *dir = NULL, *user = NULL, *category = NULL;
	int rc;

	memset(&im, 0, sizeof(im));
	im.opt.analyze = true;
	im.stall_s = STALL_DEFAULT_S;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			user = argv[++i];
		else if (strcmp(argv[i], "--category") == 0 && i + 1 < argc)
			category = argv[++i];
		else if (strcmp(argv[i], "--public") == 0)
			im.opt.is_public = true;
		else if (strcmp(argv[i], "--process-inline") == 0)
			im.process_inline = true;
		else if (strcmp(argv[i], "--stall-timeout") == 0 && i + 1 < argc &&
		    parse_int64(argv[i + 1], 1, 86400, &im.stall_s) == 0)
			i++;
		else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] != '-' && dir == NULL)
			dir = argv[i];
		else {
			fprintf(stderr, "psscript import: unexpected argument \"%s\"\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (dir == NULL) {
		usage(stderr);
		return 2;
	}
	im.tty = isatty(STDOUT_FILENO) != 0;
	rc = run(&im, dir, user, category);
	for (size_t i = 0; i < im.nfiles; i++) {
		free(im.files[i].path);
		free(im.files[i].reason);
	}
	free(im.files);
	free(im.batches);
	cache_close(im.cache);
	db_close(im.db);
	if (im.conf_loaded)
		conf_free(&im.conf);
	return rc;
}
