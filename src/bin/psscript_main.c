/* psscript_main.c: the psscript command line: migrate, config, jobs, analyze */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "db/db.h"
#include "db/jobs.h"
#include "db/migrate.h"

static void
usage(FILE *f)
{
	fputs("usage: psscript <command> [arguments]\n"
	    "  migrate status|up|down [N|all] [--dir DIR]   database migrations\n"
	    "  config check                                 validate and print the configuration\n"
	    "  job enqueue TYPE [JSON]                      queue a job for psscript-worker\n"
	    "  version                                      print the version\n"
	    "Configuration comes from the environment and the file named by PSSCRIPT_CONFIG.\n", f);
}

static int
load(struct conf *c)
{
	char err[512];

	if (conf_load(c, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "psscript: configuration error: %s\n", err);
		return -1;
	}
	log_init("psscript", log_level_parse(c->log_level));
	return 0;
}

static int
cmd_migrate(int argc, char **argv)
{
	struct conf c;
	struct db *db;
	const char *dir = NULL, *what = argc > 1 ? argv[1] : "status";
	char path[4096];
	int steps = 1, rc;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "all") == 0)
			steps = -1;
		else {
			int64_t n;

			if (parse_int64(argv[i], 1, 100000, &n) != 0) {
				fprintf(stderr, "psscript migrate: bad argument \"%s\"\n", argv[i]);
				return 2;
			}
			steps = (int)n;
		}
	}
	if (strcmp(what, "status") != 0 && strcmp(what, "up") != 0 && strcmp(what, "down") != 0) {
		usage(stderr);
		return 2;
	}
	if (load(&c) != 0)
		return 2;
	if (dir == NULL) {
		snprintf(path, sizeof(path), "%s/sql/migrations", c.data_dir);
		dir = path;
	}
	db = db_open(&c, true);
	if (!db_connected(db)) {
		fprintf(stderr, "psscript migrate: database unreachable: %s\n", db_last_error(db));
		rc = 1;
	} else if (strcmp(what, "status") == 0)
		rc = migrate_status(db, dir, stdout);
	else if (strcmp(what, "up") == 0)
		rc = migrate_up(db, dir, stdout);
	else
		rc = migrate_down(db, dir, steps, stdout);
	db_close(db);
	conf_free(&c);
	return rc;
}

static int
cmd_config(int argc, char **argv)
{
	struct conf c;

	if (argc < 2 || strcmp(argv[1], "check") != 0) {
		usage(stderr);
		return 2;
	}
	if (load(&c) != 0)
		return 2;
	conf_dump(&c);
	conf_free(&c);
	return 0;
}

static int
cmd_job(int argc, char **argv)
{
	struct conf c;
	struct db *db;
	int64_t id;
	enum pss_err e;

	if (argc < 3 || strcmp(argv[1], "enqueue") != 0) {
		usage(stderr);
		return 2;
	}
	if (load(&c) != 0)
		return 2;
	db = db_open(&c, false);
	e = jobs_enqueue(db, argv[2], argc > 3 ? argv[3] : NULL, (int)c.job_max_attempts, &id);
	if (e == PSS_OK)
		printf("%lld\n", (long long)id);
	else
		fprintf(stderr, "psscript job: %s: %s\n", pss_strerror(e), db_last_error(db));
	db_close(db);
	conf_free(&c);
	return e == PSS_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "migrate") == 0)
		return cmd_migrate(argc - 1, argv + 1);
	if (strcmp(argv[1], "config") == 0)
		return cmd_config(argc - 1, argv + 1);
	if (strcmp(argv[1], "job") == 0)
		return cmd_job(argc - 1, argv + 1);
	if (strcmp(argv[1], "version") == 0) {
		puts(PACKAGE_STRING);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "psscript: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
