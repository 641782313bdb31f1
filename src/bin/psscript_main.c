/* psscript_main.c: the psscript command line: migrate, config, jobs, users */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bin/analyze_cli.h"
#include "bin/docs_cli.h"
#include "bin/crawl_cli.h"
#include "bin/import.h"
#include "bin/reanalyze.h"
#include "cache/cache.h"
#include "core/conf.h"
#include "core/metrics.h"
#include "db/db.h"
#include "db/jobs.h"
#include "db/migrate.h"
#include "handlers/app.h"
#include "services/analytics.h"
#include "services/auth.h"
#include "services/chat.h"
#include "services/library.h"
#include "services/password.h"
#include "services/users.h"

static void
usage(FILE *f)
{
	fputs("usage: psscript <command> [arguments]\n"
	    "  analyze [FILE|DIR|-]... [--format text|json|sarif] [--fail-on SEVERITY] ...\n"
	    "                                               lint PowerShell (no database needed;\n"
	    "                                               psscript analyze --help for all options)\n"
	    "  migrate status|up|down [N|all] [--dir DIR]   database migrations\n"
	    "  config check                                 validate and print the configuration\n"
	    "  job enqueue TYPE [JSON]                      queue a job for psscript-worker\n"
	    "  import DIR [--user U] [--category C] [--public] [--process-inline]\n"
	    "                                               import a folder of scripts (--help)\n"
	    "  reanalyze [--stale | --all] [--script ID] [--no-wait]\n"
	    "                                               analyse stored scripts again, below\n"
	    "                                               new work (default: the stale ones)\n"
	    "  docs import DIR|file://DIR [--source NAME]   import a PowerShell-Docs reference folder\n"
	    "                                               into the documentation (--help)\n"
	    "  docs crawl URL [--max-pages N] [--depth N] [--any-host] [--wait]\n"
	    "                                               queue a documentation crawl (--help)\n"
	    "  reembed [--inline] [--no-wait] [--stall-timeout S]\n"
	    "                                               embed every script the configured model\n"
	    "                                               has not (after a change of provider or\n"
	    "                                               model), with a progress bar\n"
	    "  user add USERNAME EMAIL [--admin] [--password-stdin]\n"
	    "                                               create an account (a generated password\n"
	    "                                               is printed once unless --password-stdin)\n"
	    "  user list                                    list the accounts\n"
	    "  user set-role USER user|admin                change a role (USER: name, email or id)\n"
	    "  user reset-password USER [--password-stdin]  new password; unlocks; ends its sessions\n"
	    "  user unlock USER                             clear a login lockout\n"
	    "  user delete USER                             delete the account and what it owns\n"
	    "  stats [--json]                               the operations figures against the spec's\n"
	    "                                               targets (as /admin/operations); exits 1\n"
	    "                                               when a target is exceeded\n"
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

/* reembed progress: a bar on a terminal (redrawn in place), else a line every 5 seconds. */
static void
reembed_progress(int64_t done, int64_t all, bool final, int64_t *last_line)
{
	int64_t now = time_mono_ms();
	int pct = all > 0 ? (int)(done * 100 / all) : 100;

	if (isatty(fileno(stdout))) {
		char bar[41];

		for (int i = 0; i < 40; i++)
			bar[i] = i < pct * 40 / 100 ? '#' : '.';
		bar[40] = '\0';
		printf("\r[%s] %lld/%lld  %3d%% ", bar, (long long)done, (long long)all, pct);
		if (final)
			putchar('\n');
		fflush(stdout);
	} else if (final || now - *last_line >= 5000) {
		printf("embedded %lld of %lld conversations and scripts (%d%%)\n", (long long)done,
		    (long long)all, pct);
		fflush(stdout);
		*last_line = now;
	}
}

/* reembed's progress: the scripts' and the chat history's together */
static enum pss_err
reembed_counts(const struct svc *s, int64_t *all, int64_t *done)
{
	int64_t ca = 0, cd = 0;
	enum pss_err e;

	if ((e = library_reembed_progress(s, all, done)) != PSS_OK ||
	    (e = chat_history_embed_progress(s, &ca, &cd)) != PSS_OK)
		return e;
	*all += ca;
	*done += cd;
	return PSS_OK;
}

/* psscript reembed: queue (or with --inline, do here) the embedding of every script and
 * conversation the configured model has not embedded, then follow the progress until all
 * are done. */
static int
cmd_reembed(int argc, char **argv)
{
	struct conf c;
	struct svc s;
	bool inline_ = false, wait = true;
	int64_t stall_ms = 60000, queued = 0, all = 0, done = 0, last = -1, moved, line = 0;
	char why[512];
	enum pss_err e;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--inline") == 0)
			inline_ = true;
		else if (strcmp(argv[i], "--no-wait") == 0)
			wait = false;
		else if (strcmp(argv[i], "--stall-timeout") == 0 && i + 1 < argc &&
		    parse_int64(argv[i + 1], 1, 86400, &stall_ms) == 0) {
			stall_ms *= 1000;
			i++;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (load(&c) != 0)
		return 2;
	s = (struct svc){ &c, db_open(&c, false), NULL };
	if (library_embedder(&s, why, sizeof(why)) == NULL) {
		fprintf(stderr, "psscript reembed: %s\n", why);
		goto out;
	}
	if (inline_) {
		int64_t ids[500], after = 0, shown = 0;
		int n = 0;

		/* each script here, in id order; library_reembed's queue is not needed, and the
		 * vector file is written once at the end */
		library_embedding_defer_index(true);
		while ((e = library_reembed_next(&s, after, ids, 500, &n)) == PSS_OK && n > 0)
			for (int i = 0; i < n; i++) {
				after = ids[i];
				if ((e = library_embedding_compute(&s, ids[i], why, sizeof(why))) != PSS_OK) {
					fprintf(stderr, "psscript reembed: script %lld: %s\n",
					    (long long)ids[i], why);
					goto out;
				}
				if (time_mono_ms() - shown >= 200 &&
				    reembed_counts(&s, &all, &done) == PSS_OK) {
					reembed_progress(done, all, false, &line);
					shown = time_mono_ms();
				}
			}
		/* then the chat history's conversations */
		for (after = 0; e == PSS_OK &&
		    (e = chat_history_reembed_next(&s, after, ids, 500, &n)) == PSS_OK && n > 0; )
			for (int i = 0; i < n; i++) {
				after = ids[i];
				if (chat_history_embed(&s, ids[i], why, sizeof(why)) != PSS_OK) {
					fprintf(stderr, "psscript reembed: %s\n", why);
					goto out;
				}
			}
		if (e != PSS_OK || library_embedding_index(&s, &queued, why, sizeof(why)) != PSS_OK) {
			fprintf(stderr, "psscript reembed: %s\n", e != PSS_OK ? pss_strerror(e) : why);
			goto out;
		}
		/* every row rewritten: vacuumed now rather than when autovacuum comes (a failure
		 * only slows searches until then) */
		if (library_reembed_settle(&s) != PSS_OK)
			fprintf(stderr, "psscript reembed: warning: the scripts table was not vacuumed\n");
		/* the keyword documents changed (the commands' meaning): the cached lists and
		 * searches go, once here rather than once a script */
		s.cache = cache_open(&c, s.db);
		cache_invalidate_library(s.cache, 0, CACHE_LIB_LISTS);
		cache_close(s.cache);
		s.cache = NULL;
	} else if ((e = library_reembed(&s, &queued, why, sizeof(why))) != PSS_OK) {
		fprintf(stderr, "psscript reembed: %s: %s\n", pss_strerror(e), why);
		goto out;
	} else {
		int64_t chats = 0;

		if ((e = chat_history_reembed(&s, &chats, why, sizeof(why))) != PSS_OK) {
			fprintf(stderr, "psscript reembed: the chat history: %s: %s\n",
			    pss_strerror(e), why);
			goto out;
		}
		printf("queued %lld embedding.compute jobs (%lld scripts, %lld conversations)\n",
		    (long long)(queued + chats), (long long)queued, (long long)chats);
	}
	moved = time_mono_ms();
	while (wait) {
		if ((e = reembed_counts(&s, &all, &done)) != PSS_OK) {
			fprintf(stderr, "psscript reembed: %s\n", pss_strerror(e));
			goto out;
		}
		if (done != last) {
			last = done;
			moved = time_mono_ms();
		}
		if (done >= all) {
			reembed_progress(done, all, true, &line);
			break;
		}
		reembed_progress(done, all, false, &line);
		if (time_mono_ms() - moved > stall_ms) {
			fprintf(stderr, "\npsscript reembed: nothing embedded for %lld seconds: is"
			    " psscript-worker running?\n", (long long)(stall_ms / 1000));
			goto out;
		}
		time_sleep_ms(250);
	}
	rc = 0;
out:
	db_close(s.db);
	conf_free(&c);
	return rc;
}

/* A password that follows the rules: 20 characters of A-Z a-z 0-9. */
static void
generate_password(char out[21])
{
	static const char abc[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
	unsigned char r[20];

	do {
		rand_bytes(r, sizeof(r));
		for (size_t i = 0; i < sizeof(r); i++)
			out[i] = abc[r[i] % (sizeof(abc) - 1)];
		out[20] = '\0';
	} while (password_check(out, 20, NULL, NULL) != NULL);
}

/* One line from stdin without its line end, into buf. -1 when there is none. */
static int
read_password(char *buf, size_t n)
{
	size_t len;

	if (fgets(buf, (int)n, stdin) == NULL)
		return -1;
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	return len > 0 ? 0 : -1;
}

/* USER as an id, a username or an email; 0 when there is no such user. */
static int64_t
user_lookup(const struct svc *s, const char *who)
{
	int64_t id;
	struct arena a;
	struct auth_user u;

	if (parse_int64(who, 1, INT32_MAX, &id) == 0) {
		arena_init(&a);
		if (users_get(s, &a, id, false, &u) != PSS_OK)
			id = 0;
		arena_free(&a);
		return id;
	}
	return users_find(s, who);
}

static int
user_failed(const char *what, enum pss_err e, const struct svc_err *err, struct db *db)
{
	if (err != NULL && err->message != NULL)
		fprintf(stderr, "psscript user %s: %s%s%s\n", what, err->field ? err->field : "",
		    err->field ? ": " : "", err->message);
	else
		fprintf(stderr, "psscript user %s: %s%s%s\n", what, pss_strerror(e),
		    e == PSS_EUNAVAIL || e == PSS_EINTERNAL ? ": " : "",
		    e == PSS_EUNAVAIL || e == PSS_EINTERNAL ? db_last_error(db) : "");
	return 1;
}

static int
cmd_user(int argc, char **argv)
{
	struct conf c;
	struct svc s;
	struct arena a;
	struct auth_user u;
	struct user_input in = { 0 };
	struct svc_err err = { 0 };
	char pw[512];
	const char *what = argc > 1 ? argv[1] : "";
	bool admin = false, from_stdin = false;
	const char *pos[3] = { NULL, NULL, NULL };
	int npos = 0, rc = 0;
	int64_t id = 0;
	enum pss_err e = PSS_OK;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--admin") == 0)
			admin = true;
		else if (strcmp(argv[i], "--password-stdin") == 0)
			from_stdin = true;
		else if (npos < 3 && argv[i][0] != '-')
			pos[npos++] = argv[i];
		else {
			fprintf(stderr, "psscript user: unexpected argument \"%s\"\n", argv[i]);
			return 2;
		}
	}
	if (!((strcmp(what, "add") == 0 && npos == 2) || (strcmp(what, "list") == 0 && npos == 0) ||
	    (strcmp(what, "set-role") == 0 && npos == 2) ||
	    (strcmp(what, "reset-password") == 0 && npos == 1) ||
	    (strcmp(what, "unlock") == 0 && npos == 1) || (strcmp(what, "delete") == 0 && npos == 1))) {
		usage(stderr);
		return 2;
	}
	if (from_stdin && read_password(pw, sizeof(pw)) != 0) {
		fprintf(stderr, "psscript user %s: no password on standard input\n", what);
		return 2;
	}
	if (load(&c) != 0)
		return 2;
	s.conf = &c;
	s.db = db_open(&c, false);
	s.cache = NULL;
	arena_init(&a);
	if (!db_connected(s.db)) {
		fprintf(stderr, "psscript user: database unreachable: %s\n", db_last_error(s.db));
		rc = 1;
		goto out;
	}
	s.cache = cache_open(&c, s.db);	/* so that changes reach the workers' caches */
	if (strcmp(what, "add") != 0 && strcmp(what, "list") != 0 &&
	    (id = user_lookup(&s, pos[0])) <= 0) {
		fprintf(stderr, "psscript user %s: no user \"%s\"\n", what, pos[0]);
		rc = 1;
		goto out;
	}
	if (!from_stdin)
		generate_password(pw);
	if (strcmp(what, "add") == 0) {
		in.username = pos[0];
		in.email = pos[1];
		in.password = pw;
		in.password_len = strlen(pw);
		in.role = admin ? "admin" : "user";
		if ((e = users_create(&s, &a, &in, &u, &err)) != PSS_OK)
			rc = user_failed(what, e, &err, s.db);
		else {
			printf("created %s %s (id %lld, %s)\n", user_roles[u.role], u.username,
			    (long long)u.id, u.email);
			if (!from_stdin)
				printf("password: %s\n(shown once: store it now; change it after logging in)\n", pw);
		}
	} else if (strcmp(what, "list") == 0) {
		struct auth_user *items;
		size_t n;
		int64_t total;

		for (int64_t page = 1; rc == 0; page++) {
			if ((e = users_list(&s, &a, page, 100, &items, &n, &total)) != PSS_OK) {
				rc = user_failed(what, e, NULL, s.db);
				break;
			}
			if (page == 1)
				printf("%-6s %-24s %-32s %-6s %-24s %s\n", "ID", "USERNAME", "EMAIL", "ROLE",
				    "LAST LOGIN", "LOCKED UNTIL");
			for (size_t i = 0; i < n; i++)
				printf("%-6lld %-24s %-32s %-6s %-24s %s\n", (long long)items[i].id,
				    items[i].username, items[i].email, user_roles[items[i].role],
				    items[i].last_login_at ? items[i].last_login_at : "-",
				    items[i].locked_until ? items[i].locked_until : "-");
			if (n < 100)
				break;
		}
	} else if (strcmp(what, "set-role") == 0) {
		in.role = pos[1];
		if ((e = users_update(&s, &a, id, &in, NULL, &u, &err)) != PSS_OK)
			rc = user_failed(what, e, &err, s.db);
		else
			printf("%s is now %s\n", u.username, user_roles[u.role]);
	} else if (strcmp(what, "reset-password") == 0) {
		in.password = pw;
		in.password_len = strlen(pw);
		if ((e = users_update(&s, &a, id, &in, NULL, &u, &err)) != PSS_OK)
			rc = user_failed(what, e, &err, s.db);
		else {
			printf("password of %s reset; lockout cleared; sessions ended\n", u.username);
			if (!from_stdin)
				printf("password: %s\n", pw);
		}
	} else if (strcmp(what, "unlock") == 0) {
		if ((e = users_unlock(&s, id)) != PSS_OK)
			rc = user_failed(what, e, NULL, s.db);
		else
			printf("unlocked\n");
	} else if ((e = users_delete(&s, id)) != PSS_OK)
		rc = user_failed(what, e, NULL, s.db);
	else
		printf("deleted\n");
out:
	explicit_bzero(pw, sizeof(pw));
	arena_free(&a);
	cache_close(s.cache);
	db_close(s.db);
	conf_free(&c);
	return rc;
}

/* psscript stats: the workers' shared counters (METRICS_FILE), the job table, the processes
 * and the versions, as /admin/operations shows them. */
static int
cmd_stats(int argc, char **argv)
{
	const char *names[METRICS_MAX_ROUTES];
	struct json_object *o, *arr;
	struct svc s = { 0 };
	struct conf c;
	struct buf b;
	bool json = argc == 2 && strcmp(argv[1], "--json") == 0;
	int rc = 0;

	if (argc > 2 || (argc == 2 && !json)) {
		usage(stderr);
		return 2;
	}
	if (load(&c) != 0)
		return 2;
	if (c.metrics_file == NULL || *c.metrics_file == '\0')
		fprintf(stderr, "psscript: METRICS_FILE is not set: the request counters are this "
		    "process's only (none)\n");
	else if (metrics_open(c.metrics_file) != 0)
		fprintf(stderr, "psscript: cannot open METRICS_FILE %s\n", c.metrics_file);
	s.conf = &c;
	s.db = db_open(&c, false);
	s.cache = cache_open(&c, NULL);
	for (size_t i = 0; i < app_nroutes; i++)
		names[i] = app_routes[i].name;
	names[app_nroutes] = "unrouted";
	o = ops_snapshot(&s, names, (unsigned)app_nroutes + 1);
	/* this command is not one of the service's processes */
	if (json_object_object_get_ex(o, "processes", &arr))
		for (size_t i = json_object_array_length(arr); i-- > 0;) {
			struct json_object *p = json_object_array_get_idx(arr, i), *pid;

			if (json_object_object_get_ex(p, "pid", &pid) && json_object_get_int(pid) == (int)getpid())
				json_object_array_del_idx(arr, i, 1);
		}
	if (json_object_object_get_ex(o, "targets", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *ex;

			if (json_object_object_get_ex(json_object_array_get_idx(arr, i), "exceeded", &ex) &&
			    json_object_get_boolean(ex))
				rc = 1;
		}
	buf_init(&b);
	if (json)
		buf_printf(&b, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		ops_text(o, &b);
	fputs(buf_cstr(&b), stdout);
	buf_free(&b);
	json_object_put(o);
	cache_close(s.cache);
	db_close(s.db);
	metrics_close();
	conf_free(&c);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "analyze") == 0)	/* needs no database and no configuration */
		return analyze_cli_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "migrate") == 0)
		return cmd_migrate(argc - 1, argv + 1);
	if (strcmp(argv[1], "config") == 0)
		return cmd_config(argc - 1, argv + 1);
	if (strcmp(argv[1], "job") == 0)
		return cmd_job(argc - 1, argv + 1);
	if (strcmp(argv[1], "user") == 0)
		return cmd_user(argc - 1, argv + 1);
	if (strcmp(argv[1], "stats") == 0)
		return cmd_stats(argc - 1, argv + 1);
	if (strcmp(argv[1], "import") == 0)
		return import_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "docs") == 0 && argc >= 3 && strcmp(argv[2], "crawl") == 0)
		return crawl_cli_main(argc - 2, argv + 2);
	if (strcmp(argv[1], "reanalyze") == 0)
		return reanalyze_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "docs") == 0)
		return docs_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "reembed") == 0)
		return cmd_reembed(argc - 1, argv + 1);
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
