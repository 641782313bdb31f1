/* ps-files.h: the script files of a labelled test set, listed in order (header only; shared
 * by the analyzer's labelled-set tests, which read each with file_read) */
#ifndef PSS_PS_FILES_H
#define PSS_PS_FILES_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

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
