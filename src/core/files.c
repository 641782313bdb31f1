/* files.c: a file read whole up to a size, a file written whole or not at all, and a folder
 * of such files kept to an age and a size (the answer files nginx sends, http/answerfile.c) */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"

enum pss_err
file_read_fd(int fd, struct buf *b, size_t max)
{
	size_t got = 0, room;
	ssize_t n;

	for (;;) {
		buf_grow(b, 65536);
		room = b->cap - b->len - 1;
		if (max - got < room)
			room = max - got + 1;	/* one byte past max tells */
		n = read(fd, b->data + b->len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			b->data[b->len] = '\0';
			return PSS_EIO;
		}
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		got += (size_t)n;
		if (n == 0)
			return PSS_OK;
		if (got > max)
			return PSS_ETOOBIG;
	}
}

enum pss_err
file_read(const char *path, struct buf *b, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;
	enum pss_err e;

	if (fd < 0)
		return PSS_EIO;
	e = file_read_fd(fd, b, max);
	saved = errno;
	close(fd);
	errno = saved;
	return e;
}

int
file_write_atomic(const char *dir, const char *name, const void *p, size_t n, mode_t mode,
    gid_t gid)
{
	char path[4096], tmp[4096];
	const char *s = p;
	int fd, rc = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.tmp-%ld-%s", dir, (long)getpid(), name) >= sizeof(tmp))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)) < 0)
		return -1;
	if (fchmod(fd, mode) != 0 ||	/* the umask must not narrow it */
	    (gid != (gid_t)-1 && fchown(fd, (uid_t)-1, gid) != 0))
		goto out;
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto out;
		s += w;
		n -= (size_t)w;
	}
	rc = 0;
out:
	if (close(fd) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0)
		(void)unlink(tmp);
	return rc;
}

struct swept {
	time_t	 mtime;
	off_t	 size;
	char	 name[256];
};

static int
older_first(const void *a, const void *b)
{
	const struct swept *x = a, *y = b;

	return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

#define SWEEP_MAX_FILES	200000	/* a sweep reads at most this many names */

long
dir_sweep(const char *dir, int64_t max_age_s, uint64_t max_bytes)
{
	struct swept *kept = NULL;
	size_t nkept = 0, cap = 0, seen = 0;
	uint64_t total = 0;
	time_t now = time(NULL);
	struct dirent *d;
	struct stat st;
	long removed = 0;
	DIR *dp;
	int dfd;

	if ((dp = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	dfd = dirfd(dp);
	while ((d = readdir(dp)) != NULL && seen++ < SWEEP_MAX_FILES) {
		bool tmp = strncmp(d->d_name, ".tmp-", 5) == 0;

		if (d->d_name[0] == '.' && !tmp)
			continue;
		if (fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			continue;
		/* a file being written is a minute old at most; anything else past its age */
		if (now - st.st_mtime > (tmp ? 60 : max_age_s)) {
			if (unlinkat(dfd, d->d_name, 0) == 0)
				removed++;
			continue;
		}
		if (tmp || strlen(d->d_name) >= sizeof(kept->name))
			continue;
		if (nkept == cap) {
			cap = cap ? cap * 2 : 256;
			kept = xrealloc(kept, cap * sizeof(*kept));
		}
		kept[nkept].mtime = st.st_mtime;
		kept[nkept].size = st.st_size;
		memcpy(kept[nkept].name, d->d_name, strlen(d->d_name) + 1);
		nkept++;
		total += (uint64_t)st.st_size;
	}
	if (total > max_bytes) {
		qsort(kept, nkept, sizeof(*kept), older_first);
		for (size_t i = 0; i < nkept && total > max_bytes; i++)
			if (unlinkat(dfd, kept[i].name, 0) == 0) {
				total -= (uint64_t)kept[i].size;
				removed++;
			}
	}
	closedir(dp);
	free(kept);
	return removed;
}
