/* reanalyze.c: psscript reanalyze [--all | --stale] [--script ID]: queues analysis.run jobs at
 * the re-analysis priority (below uploads and new analyses) and follows them to the end, with a
 * progress bar on a terminal and a plain line every 5 seconds otherwise */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bin/reanalyze.h"
#include "analyzer/analyzer.h"
#include "core/conf.h"
#include "db/db.h"
#include "services/reanalysis.h"

#define QUEUE_BATCH	500	/* jobs queued per statement */
#define STALL_DEFAULT_S	300

static void
usage(FILE *f)
{
	fputs("usage: psscript reanalyze [--stale | --all] [--script ID] [--no-wait]\n"
	    "                          [--stall-timeout SECONDS]\n"
	    "Queues the analysis of stored scripts again, below uploads and new analyses, for\n"
	    "psscript-worker to run, and follows the jobs to the end.\n"
	    "  --stale              the analyses of another analyzer version (the default)\n"
	    "  --all                every script, analysed or not\n"
	    "  --script ID          that script only (with --stale: only if its analysis is stale)\n"
	    "  --no-wait            queue and return\n"
	    "  --stall-timeout S    give up when no job finishes for S seconds (default 300)\n", f);
}

struct progress {
	bool	 tty;
	int64_t	 last_line_ms;
};

/* show: a bar on a terminal (redrawn in place), else a line every 5 seconds and at the end. */
static void
show(struct progress *p, int64_t done, int64_t failed, int64_t total, bool final)
{
	int64_t finished = done + failed, now = time_mono_ms();
	int64_t pct = total > 0 ? finished * 100 / total : 100;

	if (p->tty) {
		char bar[31];
		int64_t fill = total > 0 ? finished * 30 / total : 30;

		for (int i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		printf("\r[%s] %lld/%lld  %3lld%%  re-analysed %lld  failed %lld ", bar,
		    (long long)finished, (long long)total, (long long)pct, (long long)done,
		    (long long)failed);
		if (final)
			putchar('\n');
	} else if (final || now - p->last_line_ms >= 5000) {
		p->last_line_ms = now;
		printf("reanalyze: %lld/%lld finished (re-analysed %lld, failed %lld)\n",
		    (long long)finished, (long long)total, (long long)done, (long long)failed);
	}
	fflush(stdout);
}

/* follow: polls the batch until no job is pending or none finished for stall_s seconds. */
static int
follow(const struct svc *s, const struct reanalysis *r, int64_t stall_s, bool tty)
{
	struct progress p = { tty, 0 };
	int64_t done = 0, failed = 0, pending = 0, seen = -1, last_change = time_mono_ms();

	for (;;) {
		if (library_reanalysis_progress(s, r, &done, &failed, &pending) != PSS_OK) {
			fprintf(stderr, "%spsscript reanalyze: reading the jobs: %s\n", tty ? "\n" : "",
			    db_last_error(s->db));
			return 2;
		}
		if (done + failed != seen) {
			seen = done + failed;
			last_change = time_mono_ms();
		}
		show(&p, done, failed, r->queued, pending == 0);
		if (pending == 0)
			break;
		if (time_mono_ms() - last_change > stall_s * 1000) {
			fprintf(stderr, "%spsscript reanalyze: no job finished for %lld seconds: is "
			    "psscript-worker running? %lld jobs stay queued.\n", tty ? "\n" : "",
			    (long long)stall_s, (long long)pending);
			return 2;
		}
		time_sleep_ms(500);
	}
	printf("reanalyze: %lld re-analysed, %lld failed%s\n", (long long)done, (long long)failed,
	    failed > 0 ? " (psscript job logs and the jobs table's last_error say why)" : "");
	return failed > 0 ? 1 : 0;
}

static int
run(const struct svc *s, bool stale_only, int64_t script_id, bool wait, int64_t stall_s)
{
	struct reanalysis r;
	bool more = true;
	enum pss_err e;

	if ((e = library_reanalysis_start(s, stale_only, script_id, &r)) != PSS_OK) {
		fprintf(stderr, "psscript reanalyze: %s: %s\n", pss_strerror(e), db_last_error(s->db));
		return 2;
	}
	while (more)
		if ((e = library_reanalysis_queue(s, &r, QUEUE_BATCH, &more)) != PSS_OK) {
			fprintf(stderr, "psscript reanalyze: queueing: %s: %s\n", pss_strerror(e),
			    db_last_error(s->db));
			return 2;
		}
	printf("reanalyze: %lld %s queued for analyzer version %s", (long long)r.queued,
	    r.queued == 1 ? "script" : "scripts", PS_ANALYZER_VERSION);
	if (r.skipped > 0)
		printf(" (%lld already queued or running)", (long long)r.skipped);
	printf("\n");
	fflush(stdout);
	if (!wait || r.queued == 0)
		return 0;
	return follow(s, &r, stall_s, isatty(STDOUT_FILENO) != 0);
}

int
reanalyze_main(int argc, char **argv)
{
	struct conf c;
	struct db *db;
	struct svc s;
	bool stale_only = true, wait = true, mode_given = false;
	int64_t script_id = 0, stall_s = STALL_DEFAULT_S;
	char err[512];
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0 || strcmp(argv[i], "--stale") == 0) {
			bool all = argv[i][2] == 'a';

			if (mode_given && stale_only == all) {
				fprintf(stderr, "psscript reanalyze: --all and --stale exclude each other\n");
				return 2;
			}
			stale_only = !all;
			mode_given = true;
		} else if (strcmp(argv[i], "--script") == 0 && i + 1 < argc &&
		    parse_int64(argv[i + 1], 1, INT32_MAX, &script_id) == 0)
			i++;
		else if (strcmp(argv[i], "--stall-timeout") == 0 && i + 1 < argc &&
		    parse_int64(argv[i + 1], 1, 86400, &stall_s) == 0)
			i++;
		else if (strcmp(argv[i], "--no-wait") == 0)
			wait = false;
		else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "psscript reanalyze: unexpected argument \"%s\"\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	/* --script alone: that script, whatever its version */
	if (script_id > 0 && !mode_given)
		stale_only = false;
	if (conf_load(&c, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "psscript reanalyze: configuration error: %s\n", err);
		return 2;
	}
	log_init("psscript", log_level_parse(c.log_level));
	db = db_open(&c, false);
	s = (struct svc){ &c, db, NULL };	/* queueing jobs invalidates nothing */
	if (!db_connected(db)) {
		fprintf(stderr, "psscript reanalyze: database unreachable: %s\n", db_last_error(db));
		rc = 2;
	} else
		rc = run(&s, stale_only, script_id, wait, stall_s);
	db_close(db);
	conf_free(&c);
	return rc;
}
