/* docs_cli.c: psscript docs: the documentation from the command line (import DIR|URL: a
 * folder laid out like MicrosoftDocs/PowerShell-Docs, with a progress bar and a summary) */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bin/docs_cli.h"
#include "cache/cache.h"
#include "core/conf.h"
#include "db/db.h"
#include "services/docs.h"

#define SOURCE_DEFAULT "PowerShell-Docs"

struct bar {
	bool	 tty;
	int64_t	 last_ms;
};

static void
usage(FILE *f)
{
	fputs("usage: psscript docs import DIR|file://DIR [--source NAME]\n"
	    "  Imports every cmdlet page and about_ topic of a folder laid out like\n"
	    "  MicrosoftDocs/PowerShell-Docs (DIR/<version>/<Module>/<Cmdlet>.md and\n"
	    "  <Module>/About/about_*.md, or the same under DIR/reference) into the documentation,\n"
	    "  one document per page and version, by URL: pages already stored unchanged are left\n"
	    "  alone, so running it again is quick. --source names the source (default\n"
	    "  " SOURCE_DEFAULT "). Exit status 0 when every page was stored, 1 when some failed,\n"
	    "  2 on a usage, configuration, database or folder error.\n", f);
}

static void
show(void *arg, const struct docs_import_counts *c)
{
	struct bar *b = arg;
	bool final = c->done == c->total;
	int64_t now = time_mono_ms();

	if (b->tty) {
		char bar[31];
		size_t fill = c->total ? c->done * 30 / c->total : 30;

		if (!final && now - b->last_ms < 50)
			return;
		b->last_ms = now;
		for (size_t i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		printf("\r[%s] %zu/%zu  %3zu%%  inserted %zu  updated %zu  unchanged %zu  failed %zu ",
		    bar, c->done, c->total, c->total ? c->done * 100 / c->total : 100,
		    c->n[DOCS_INSERTED], c->n[DOCS_UPDATED], c->n[DOCS_UNCHANGED], c->failed);
		if (final)
			putchar('\n');
		fflush(stdout);
		return;
	}
	if (!final && now - b->last_ms < 5000)
		return;
	b->last_ms = now;
	printf("docs import: %zu/%zu pages\n", c->done, c->total);
	fflush(stdout);
}

/* path_of: the folder an argument names: a path, or a file:// URL (percent-decoded);
 * NULL with a message for anything else. Caller frees. */
static char *
path_of(const char *arg)
{
	struct buf b = BUF_INIT;
	const char *p;

	if (strncasecmp(arg, "http://", 7) == 0 || strncasecmp(arg, "https://", 8) == 0) {
		fprintf(stderr, "psscript docs import: %s: an http or https address is crawled, not"
		    " imported (POST /api/documentation/crawl)\n", arg);
		return NULL;
	}
	if (strncasecmp(arg, "file://", 7) != 0)
		return xstrdup(arg);
	p = arg + 7;
	if (strncasecmp(p, "localhost/", 10) == 0)
		p += 9;
	if (*p != '/') {
		fprintf(stderr, "psscript docs import: %s: a file URL names an absolute path"
		    " (file:///path)\n", arg);
		return NULL;
	}
	for (; *p != '\0'; p++) {
		if (*p == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
			char hex[3] = { p[1], p[2], '\0' };
			char ch = (char)strtol(hex, NULL, 16);

			if (ch == '\0') {
				buf_free(&b);
				fprintf(stderr, "psscript docs import: %s: %%00 in a path\n", arg);
				return NULL;
			}
			buf_putc(&b, ch);
			p += 2;
		} else if (*p == '?' || *p == '#')
			break;
		else
			buf_putc(&b, *p);
	}
	return buf_detach(&b);
}

static int
import(const char *arg, const char *source)
{
	struct conf conf;
	struct db *db = NULL;
	struct cache *cache = NULL;
	struct svc svc;
	struct docs_import_counts c;
	struct bar bar = { isatty(STDOUT_FILENO) != 0, 0 };
	char err[512], *dir;
	int64_t t0;
	enum pss_err e;
	int rc = 2;

	if ((dir = path_of(arg)) == NULL)
		return 2;
	if (conf_load(&conf, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "psscript: configuration error: %s\n", err);
		free(dir);
		return 2;
	}
	log_init("psscript", log_level_parse(conf.log_level));
	db = db_open(&conf, false);
	if (!db_connected(db)) {
		fprintf(stderr, "psscript docs import: database unreachable: %s\n", db_last_error(db));
		goto out;
	}
	cache = cache_open(&conf, db);
	svc = (struct svc){ &conf, db, cache };
	t0 = time_mono_ms();
	e = docs_import_dir(&svc, dir, source, show, &bar, &c, err, sizeof(err));
	if (e != PSS_OK) {
		if (bar.tty && c.done > 0)
			putchar('\n');
		fprintf(stderr, "psscript docs import: %s\n", err);
		goto out;
	}
	if (c.total == 0)
		printf("no pages under %s\n", dir);
	printf("docs import: %zu pages in %.1f s: %zu inserted, %zu updated, %zu unchanged, %zu failed\n",
	    c.total, (double)(time_mono_ms() - t0) / 1000.0, c.n[DOCS_INSERTED], c.n[DOCS_UPDATED],
	    c.n[DOCS_UNCHANGED], c.failed);
	if (c.failed > 0)
		fprintf(stderr, "psscript docs import: the first failure: %s\n", c.first_failure);
	rc = c.failed > 0 ? 1 : 0;
out:
	cache_close(cache);
	db_close(db);
	conf_free(&conf);
	free(dir);
	return rc;
}

int
docs_main(int argc, char **argv)
{
	const char *what = NULL, *source = SOURCE_DEFAULT;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "import") != 0) {
		fprintf(stderr, "psscript docs: unknown command \"%s\"\n", argv[1]);
		usage(stderr);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--source") == 0 && i + 1 < argc)
			source = argv[++i];
		else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if ((argv[i][0] != '-' || argv[i][1] == '\0') && what == NULL)
			what = argv[i];
		else {
			fprintf(stderr, "psscript docs import: unexpected argument \"%s\"\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (what == NULL) {
		usage(stderr);
		return 2;
	}
	return import(what, source);
}
