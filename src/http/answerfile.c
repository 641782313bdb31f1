/* answerfile.c: large cached answers handed to nginx as files it sends itself
 * (X-Accel-Redirect), each written once per process and found again through a memo checked
 * against the bytes (http.h, "Answer files") */
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

/* The memo: direct-mapped by the key's hash, like the gzip memo. A slot holds the key, the
 * bytes the body was written from and the name of the file holding the body; it answers
 * only for the same key and the same bytes. At most ANSWER_SLOTS entries of at most
 * HTTP_ANSWER_FILES_MAX bytes each. */
#define ANSWER_SLOTS	64
#define ANSWER_KEY_MAX	200
#define NAME_LEN	16		/* hex digits of the body's SHA-256 */

struct answer_slot {
	char	 key[ANSWER_KEY_MAX + 1];	/* "" when free */
	char	*plain;
	size_t	 plain_len;
	char	 uri[48];	/* "/.answers/<name>.json" */
	int64_t	 written_ms;
};
static struct answer_slot slots[ANSWER_SLOTS];
static char *dir;		/* NULL: off */
static gid_t gid = (gid_t)-1;	/* the files' group ((gid_t)-1: the process's) */
static struct http_answer_file_stats stats;
/* After a fallback, until check_until_ms, a memo entry's file is looked for before each use
 * (a stat) and written again when gone. */
#define CHECK_MS	60000
static int64_t check_until_ms;
/* When nginx passes back a file that is there (its location missing), off until then: tried
 * again later, so that a file written again at that instant by another worker costs no more
 * than a while. */
#define OFF_MS		600000
static int64_t off_until_ms;

const struct http_answer_file_stats *
http_answer_file_stats(void)
{
	return &stats;
}

static void
slot_clear(struct answer_slot *s)
{
	free(s->plain);
	memset(s, 0, sizeof(*s));
}

void
http_answer_files_reset(void)
{
	for (size_t i = 0; i < ANSWER_SLOTS; i++)
		slot_clear(&slots[i]);
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

/* slot_of: the key's slot (FNV-1a) */
static size_t
slot_of(const char *key)
{
	return (size_t)(hash_fnv1a(HASH_FNV1A_INIT, key, strlen(key)) % ANSWER_SLOTS);
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
redirect(struct response *r, const struct answer_slot *s)
{
	buf_reset(&r->body);
	resp_header(r, "X-Accel-Redirect", s->uri);
	stats.sent++;
}

bool
http_answer_file_memo(struct response *r, const char *key, const char *src, size_t len)
{
	struct answer_slot *s;
	int64_t now;

	if (dir == NULL || strlen(key) > ANSWER_KEY_MAX)
		return false;
	s = &slots[slot_of(key)];
	if (s->key[0] == '\0' || strcmp(s->key, key) != 0 || s->plain_len != len ||
	    memcmp(s->plain, src, len) != 0)
		return false;
	/* written again while in use, so that the sweep (by age) never takes it */
	now = time_mono_ms();
	if (now - s->written_ms >= HTTP_ANSWER_FILES_REWRITE_S * 1000LL)
		return false;
	if (now < check_until_ms && !there(s->uri + sizeof(HTTP_ANSWER_FILES_URI) - 1))
		return false;
	redirect(r, s);
	return true;
}

/* write_gzip: name.gz beside it, the body's gzip encoding for nginx's gzip_static, when it is
 * shorter; 0, or -1 when it could not be written */
static int
write_gzip(const char *name, const char *p, size_t n)
{
	char gzname[NAME_LEN + 16], *gz;
	size_t gz_len;
	int rc = 0;

	if ((gz = http_gzip_encode(p, n, &gz_len)) == NULL)
		return -1;
	if (gz_len < n) {
		snprintf(gzname, sizeof(gzname), "%s.gz", name);
		rc = file_write_atomic(dir, gzname, gz, gz_len, 0640, gid);
	}
	free(gz);
	return rc;
}

bool
http_answer_file(struct response *r, const char *key, const char *src, size_t len)
{
	char hex[65], name[NAME_LEN + 8];
	struct answer_slot *s;

	if (dir == NULL || strlen(key) > ANSWER_KEY_MAX || r->body.len == 0)
		return false;
	sha256_hex(r->body.data, r->body.len, hex);
	snprintf(name, sizeof(name), "%.*s.json", NAME_LEN, hex);
	/* the gzip file first: nginx may send the .json (and look for its .gz) once it exists */
	if (write_gzip(name, r->body.data, r->body.len) != 0 ||
	    file_write_atomic(dir, name, r->body.data, r->body.len, 0640, gid) != 0) {
		if (stats.failed++ % 1000 == 0)
			log_warn("answer file %s/%s not written: %s (the answers go over FastCGI)",
			    dir, name, strerror(errno));
		return false;
	}
	stats.written++;
	s = &slots[slot_of(key)];
	slot_clear(s);
	memcpy(s->key, key, strlen(key) + 1);
	s->plain = xmalloc(len);
	memcpy(s->plain, src, len);
	s->plain_len = len;
	snprintf(s->uri, sizeof(s->uri), "%s%s", HTTP_ANSWER_FILES_URI, name);
	s->written_ms = time_mono_ms();
	redirect(r, s);
	return true;
}
