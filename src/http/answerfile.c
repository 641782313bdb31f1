/* answerfile.c: large cached answers handed to nginx as files it sends itself
 * (X-Accel-Redirect), each written once per process and found again through the memo
 * (memo.c; http.h, "Answer files") */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/http.h"

#define NAME_LEN	16		/* hex digits of the body's SHA-256 */

static char *dir;		/* NULL: off */
static gid_t gid = (gid_t)-1;	/* the files' group ((gid_t)-1: the process's) */
static struct http_answer_file_stats stats;
/* After a fallback, until check_until_ms, a memo entry's file is looked for before each use
 * (a stat) and written again when gone. */
#define CHECK_MS	60000
static int64_t check_until_ms;
/* Off until off_until_ms: for OFF_MS when nginx passes back a file that is there (its
 * location missing; tried again later, so that a file written again at that instant by
 * another worker costs no more than a while), for FAILED_OFF_MS when a file cannot be
 * written (a full disk: not tried, hashed and compressed again on every answer). */
#define OFF_MS		600000
#define FAILED_OFF_MS	60000
static int64_t off_until_ms;

const struct http_answer_file_stats *
http_answer_file_stats(void)
{
	return &stats;
}

void
http_answer_files_reset(void)
{
	http_memo_reset();
	memset(&stats, 0, sizeof(stats));
	check_until_ms = off_until_ms = 0;
}

bool
http_answer_files_init(const char *path, const char *group)
{
	bool grouped = group != NULL && group[0] != '\0';
	struct group *g = NULL;
	struct stat st;

	free(dir);
	dir = NULL;
	gid = (gid_t)-1;
	if (path == NULL || path[0] == '\0')
		return true;
	if (grouped && (g = getgrnam(group)) == NULL) {
		log_warn("answer files off: no group %s (ANSWER_FILES_GROUP)", group);
		return false;
	}
	if (mkdir(path, 0750) != 0 && errno != EEXIST) {
		log_warn("answer files off: cannot make %s: %s", path, strerror(errno));
		return false;
	}
	if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_warn("answer files off: %s is not a folder", path);
		return false;
	}
	/* made now or by another process of this user: its group and mode (not the umask's) */
	if (st.st_uid == geteuid() && ((g != NULL && chown(path, (uid_t)-1, g->gr_gid) != 0) ||
	    chmod(path, 0750) != 0)) {
		log_warn("answer files off: cannot set %s's group or mode: %s", path, strerror(errno));
		return false;
	}
	dir = xstrdup(path);
	if (g != NULL)
		gid = g->gr_gid;
	return true;
}

/* only_vary: the response's extra headers are Vary lines at most (nginx keeps none of an
 * answer it redirects; a Vary is moot on a no-store answer) */
static bool
only_vary(const struct buf *h)
{
	for (const char *p = h->data, *end = h->data + h->len; p != NULL && p < end; ) {
		if (strncasecmp(p, "Vary:", 5) != 0)
			return false;
		if ((p = strstr(p, "\r\n")) != NULL)
			p += 2;
	}
	return true;
}

bool
http_answer_file_wanted(const struct response *r, const struct request *req, size_t len)
{
	if (dir == NULL || req->answer_fallback || (off_until_ms != 0 && time_mono_ms() < off_until_ms))
		return false;
	return len >= HTTP_ANSWER_FILES_MIN && len <= HTTP_ANSWER_FILES_MAX && r->status == 200 &&
	    (req->method == HTTP_GET || req->method == HTTP_HEAD) && only_vary(&r->headers);
}

/* there: whether the folder holds the file name */
static bool
there(const char *name)
{
	char path[4096];

	return (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) < sizeof(path) &&
	    access(path, F_OK) == 0;
}

/* a name this module writes: NAME_LEN hex digits and ".json" */
static bool
our_name(const char *s)
{
	for (int i = 0; i < NAME_LEN; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return strcmp(s + NAME_LEN, ".json") == 0;
}

void
http_answer_file_gone(const char *name)
{
	stats.fallbacks++;
	if (dir != NULL && name != NULL && our_name(name) && there(name)) {
		log_warn("nginx passed back the answer file %s/%s, which is there: its location %s "
		    "is missing or serves another folder than ANSWER_FILES_DIR; answer files off in "
		    "this worker for %d minutes", dir, name, HTTP_ANSWER_FILES_URI, OFF_MS / 60000);
		off_until_ms = time_mono_ms() + OFF_MS;
		return;
	}
	/* the file of some memo entry is gone (a sweep over the size cap, or the folder
	 * emptied): for a while, a memo entry is checked against its file before use */
	check_until_ms = time_mono_ms() + CHECK_MS;
}

static void
redirect(struct response *r, const struct http_memo *m)
{
	buf_reset(&r->body);
	resp_header(r, "X-Accel-Redirect", m->uri);
	stats.sent++;
}

bool
http_answer_file_memo(struct response *r, const char *key, const char *src, size_t len)
{
	const struct http_memo *m;
	int64_t now;

	if (dir == NULL || (m = http_memo_find(key, src, len)) == NULL || m->uri[0] == '\0')
		return false;
	/* written again while in use, so that the sweep (by age) never takes it */
	now = time_mono_ms();
	if (now - m->written_ms >= HTTP_ANSWER_FILES_REWRITE_S * 1000LL)
		return false;
	if (now < check_until_ms && !there(m->uri + sizeof(HTTP_ANSWER_FILES_URI) - 1))
		return false;
	redirect(r, m);
	return true;
}

/* write_gzip: name.gz beside it, the body's gzip encoding for nginx's gzip_static, when it is
 * shorter; 0, or -1 when it could not be written. *gz: the encoding (NULL when it could not be
 * made), which the caller frees or keeps. */
static int
write_gzip(const char *name, const char *p, size_t n, char **gz, size_t *gz_len)
{
	char gzname[NAME_LEN + 16];

	if ((*gz = http_gzip_encode(p, n, gz_len)) == NULL)
		return -1;
	if (*gz_len >= n)
		return 0;
	snprintf(gzname, sizeof(gzname), "%s.gz", name);
	return file_write_atomic(dir, gzname, *gz, *gz_len, 0640, gid);
}

bool
http_answer_file(struct response *r, const char *key, const char *src, size_t len)
{
	char hex[65], name[NAME_LEN + 8], *gz;
	struct http_memo *m;
	size_t gz_len;

	if (dir == NULL || !http_memo_fits(key, len) || r->body.len == 0)
		return false;
	sha256_hex(r->body.data, r->body.len, hex);
	snprintf(name, sizeof(name), "%.*s.json", NAME_LEN, hex);
	/* the gzip file first: nginx may send the .json (and look for its .gz) once it exists */
	if (write_gzip(name, r->body.data, r->body.len, &gz, &gz_len) != 0 ||
	    file_write_atomic(dir, name, r->body.data, r->body.len, 0640, gid) != 0) {
		stats.failed++;
		log_warn("answer file %s/%s not written: %s; answer files off in this worker for "
		    "%d s (the answers go over FastCGI)", dir, name, strerror(errno),
		    FAILED_OFF_MS / 1000);
		free(gz);
		off_until_ms = time_mono_ms() + FAILED_OFF_MS;
		return false;
	}
	stats.written++;
	m = http_memo_take(key, src, len);
	/* for the worker's own gzip answers (a fallback), when it is the shorter */
	if (gz != NULL && gz_len < r->body.len) {
		http_memo_set_gz(m, gz, gz_len);
		gz = NULL;
	}
	free(gz);
	snprintf(m->uri, sizeof(m->uri), "%s%s", HTTP_ANSWER_FILES_URI, name);
	m->written_ms = time_mono_ms();
	redirect(r, m);
	return true;
}
