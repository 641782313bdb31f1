/* crawl_cli.c: psscript docs crawl URL [--max-pages N] [--depth N] [--any-host] [--wait]:
 * queues the crawl for psscript-worker (the runner's configuration and address rule apply,
 * as for a crawl started on the admin page); --wait prints its progress until it ends */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bin/crawl_cli.h"
#include "core/conf.h"
#include "cache/cache.h"
#include "db/db.h"
#include "services/crawls.h"

static const char usage_text[] =
    "usage: psscript docs crawl URL [--max-pages N] [--depth N] [--any-host] [--wait]\n"
    "  Queues a documentation crawl for psscript-worker (http, https or file URL).\n"
    "  --max-pages N  pages to request, 1..1000 (default 100)\n"
    "  --depth N      link hops from the start page, 0..10 (default 2; 0: the page only)\n"
    "  --any-host     follow links to other hosts too (default: the start host only)\n"
    "  --wait         print the progress until the crawl ends (exit 1 unless it is done)\n";

static int64_t
num(const char *s, int64_t lo, int64_t hi, const char *opt)
{
	int64_t v;

	if (s == NULL || parse_int64(s, lo, hi, &v) != 0) {
		fprintf(stderr, "psscript docs crawl: %s needs a whole number from %lld to %lld\n", opt,
		    (long long)lo, (long long)hi);
		return -1;
	}
	return v;
}

static int64_t
member(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

static const char *
smember(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) && v != NULL ? json_object_get_string(v) : "";
}

/* follow: polls the crawl once a second until it ends; its last state is printed. */
static int
follow(struct svc *s, int64_t id)
{
	bool tty = isatty(2);

	for (;;) {
		struct json_object *o = NULL;
		const char *st;
		int rc = -1;

		if (crawls_get(s, id, &o) != PSS_OK) {
			fprintf(stderr, "psscript docs crawl: crawl %lld could not be read\n", (long long)id);
			return 1;
		}
		st = smember(o, "status");
		fprintf(stderr, "%scrawl %lld %s: %lld fetched, %lld stored, %lld unchanged, %lld skipped%s",
		    tty ? "\r" : "", (long long)id, st, (long long)member(o, "pagesFetched"),
		    (long long)member(o, "pagesStored"), (long long)member(o, "pagesUnchanged"),
		    (long long)member(o, "pagesSkipped"), tty ? "\033[K" : "\n");
		if (strcmp(st, "done") == 0 || strcmp(st, "failed") == 0 || strcmp(st, "cancelled") == 0) {
			struct json_object *reasons;

			if (tty)
				fputc('\n', stderr);
			if (json_object_object_get_ex(o, "reasons", &reasons))
				for (size_t i = 0; i < json_object_array_length(reasons); i++) {
					struct json_object *r = json_object_array_get_idx(reasons, i);

					printf("skipped %s: %s\n", smember(r, "url"), smember(r, "reason"));
				}
			rc = strcmp(st, "done") == 0 ? 0 : 1;
		}
		json_object_put(o);
		if (rc >= 0)
			return rc;
		time_sleep_ms(1000);
	}
}

int
crawl_cli_main(int argc, char **argv)
{
	struct crawl_in in = { NULL, CRAWLS_MAX_PAGES_DEFAULT, CRAWLS_DEPTH_DEFAULT, true };
	struct svc_err err = { 0 };
	struct json_object *o = NULL;
	struct conf c;
	struct svc s;
	char cerr[512];
	bool wait = false;
	int64_t id;
	enum pss_err e;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--max-pages") == 0) {
			if ((in.max_pages = num(i + 1 < argc ? argv[++i] : NULL, 1, 1000, "--max-pages")) < 0)
				return 2;
		} else if (strcmp(argv[i], "--depth") == 0) {
			if ((in.depth = num(i + 1 < argc ? argv[++i] : NULL, 0, 10, "--depth")) < 0)
				return 2;
		} else if (strcmp(argv[i], "--any-host") == 0)
			in.same_host = false;
		else if (strcmp(argv[i], "--wait") == 0)
			wait = true;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage_text, stdout);
			return 0;
		} else if (argv[i][0] == '-' || in.url != NULL) {
			fputs(usage_text, stderr);
			return 2;
		} else
			in.url = argv[i];
	}
	if (in.url == NULL) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (conf_load(&c, NULL, cerr, sizeof(cerr)) != 0) {
		fprintf(stderr, "psscript: configuration error: %s\n", cerr);
		return 2;
	}
	log_init("psscript", log_level_parse(c.log_level));
	s = (struct svc){ &c, db_open(&c, false), NULL };
	s.cache = cache_open(&c, s.db);
	if ((e = crawls_start(&s, 0, &in, &o, &err)) != PSS_OK) {
		if (err.field != NULL)
			fprintf(stderr, "psscript docs crawl: %s: %s\n", err.field, err.message ? err.message : "not valid");
		else
			fprintf(stderr, "psscript docs crawl: %s\n", pss_strerror(e));
		rc = 1;
	} else {
		id = member(o, "id");
		printf("crawl %lld queued (job %lld): %s\n", (long long)id, (long long)member(o, "jobId"),
		    smember(o, "url"));
		fflush(stdout);
		rc = wait ? follow(&s, id) : 0;
	}
	json_object_put(o);
	cache_close(s.cache);
	db_close(s.db);
	conf_free(&c);
	return rc;
}
