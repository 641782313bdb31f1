/* ps-files.h: the script files of a labelled test set, read whole (header only; shared by the
 * analyzer's labelled-set tests) */
#ifndef PSS_PS_FILES_H
#define PSS_PS_FILES_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* ps_file_load: append the file at path to b; 0, or -1 when it cannot be opened. */
static int __attribute__((unused))
ps_file_load(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(b, chunk, n);
	fclose(f);
	return 0;
}

static int
ps_files_cmp_(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ps_files_list: the names of the .ps1 files in dir, sorted, at most max, into names (free
 * each); the count, or -1 when dir cannot be opened. */
static int __attribute__((unused))
ps_files_list(const char *dir, char **names, size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t nn = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL && nn < max)
		if (strstr(e->d_name, ".ps1") != NULL)
			names[nn++] = xstrdup(e->d_name);
	closedir(d);
	qsort(names, nn, sizeof(*names), ps_files_cmp_);
	return (int)nn;
}

#endif
