/* mem.c: allocation that aborts on failure, fatal errors, heap settings, shared files */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"

void
pss_die(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("fatal: %s", msg);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		pss_die("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		pss_die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void *p = realloc(old, n ? n : 1);

	if (p == NULL)
		pss_die("out of memory (%zu bytes)", n);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static const char *const errnames[PSS_ERR__MAX] = {
	[PSS_OK] = "ok",
	[PSS_ENOMEM] = "out of memory",
	[PSS_EINVAL] = "invalid input",
	[PSS_ENOTFOUND] = "not found",
	[PSS_ECONFLICT] = "conflict",
	[PSS_EUNAVAIL] = "service unavailable",
	[PSS_ETOOBIG] = "too large",
	[PSS_EFORBIDDEN] = "forbidden",
	[PSS_EAUTH] = "not authenticated",
	[PSS_EIO] = "input/output error",
	[PSS_EINTERNAL] = "internal error",
};

const char *
pss_strerror(enum pss_err e)
{
	if ((unsigned)e >= PSS_ERR__MAX)
		return "unknown error";
	return errnames[e];
}

/*
 * A big answer builds buffers of tens of megabytes (a 10,000-line script's page is 7.5 MB of
 * HTML). glibc serves blocks over its mmap threshold with mmap and trims the heap's free top
 * above its trim threshold, so by default every such request unmaps what it used and the next
 * one faults every page in again: measured on that page, 5,700 page faults and 120-135 ms of
 * CPU a request, against none and 38-47 ms with these settings (resident size 22 -> 46 MB).
 * 32 MB is the largest mmap threshold mallopt takes on 64-bit systems.
 */
void
mem_keep_heap(void)
{
	if (mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) != 1 || mallopt(M_TRIM_THRESHOLD, MEM_KEEP_BYTES) != 1)
		log_warn("mallopt refused the heap settings; big requests will page-fault more");
}

void *
mem_map_shared(const char *path, size_t size)
{
	struct stat st;
	void *p;
	int fd, saved;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || (st.st_size < (off_t)size && ftruncate(fd, (off_t)size) != 0)) {
		saved = errno;
		close(fd);
		errno = saved;
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	saved = errno;
	close(fd);
	errno = saved;
	return p == MAP_FAILED ? NULL : p;
}
