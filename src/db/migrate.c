/* migrate.c: the migration runner (status, up, down) over sql/migrations */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "db/migrate.h"

#define MIGRATE_LOCK "7263541"	/* pg_advisory_lock key: one migrator at a time */
#define MIGRATION_MAX_BYTES (16u << 20)	/* far above any migration; bounds a wrong path's read */

struct migration {
	int	 version;
	char	 name[128];
	char	*up_path;
	char	*down_path;
	char	 checksum[65];		/* of the up file */
	/* from schema_migrations */
	bool	 applied;
	char	 applied_checksum[65];
};

struct mlist {
	struct migration *v;
	size_t	 n;
};

/* read_file: a migration's text (caller frees), or NULL (logged) */
static char *
read_file(const char *path, size_t *len)
{
	struct buf b = BUF_INIT;
	enum pss_err e;

	if ((e = file_read(path, &b, MIGRATION_MAX_BYTES)) != PSS_OK) {
		log_error("%s: %s", path, e == PSS_ETOOBIG ? "larger than 16 MB" : strerror(errno));
		buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return buf_detach(&b);
}

static int
cmp_version(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

static void
mlist_free(struct mlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].up_path);
		free(l->v[i].down_path);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static struct migration *
find(struct mlist *l, int version)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].version == version)
			return &l->v[i];
	return NULL;
}

/* Scan dir: every NNNN_name.up.sql needs its NNNN_name.down.sql. */
static int
scan(const char *dir, struct mlist *l)
{
	DIR *d;
	struct dirent *de;

	if ((d = opendir(dir)) == NULL) {
		log_error("migrations folder %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		const char *nm = de->d_name, *us, *ext;
		size_t nlen = strlen(nm), blen;
		int64_t ver;
		char num[16], path[4096];
		struct migration *m;
		char *content;
		size_t len;
		bool up;

		if (nlen > 8 && strcmp(nm + nlen - 7, ".up.sql") == 0)
			up = true, ext = nm + nlen - 7;
		else if (nlen > 10 && strcmp(nm + nlen - 9, ".down.sql") == 0)
			up = false, ext = nm + nlen - 9;
		else
			continue;
		if ((us = strchr(nm, '_')) == NULL || us > ext || (size_t)(us - nm) >= sizeof(num)) {
			log_error("migration %s: name must be NNNN_name.up.sql", nm);
			closedir(d);
			return -1;
		}
		memcpy(num, nm, (size_t)(us - nm));
		num[us - nm] = '\0';
		if (parse_int64(num, 1, 999999, &ver) != 0) {
			log_error("migration %s: bad number", nm);
			closedir(d);
			return -1;
		}
		if ((m = find(l, (int)ver)) == NULL) {
			l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
			m = &l->v[l->n++];
			memset(m, 0, sizeof(*m));
			m->version = (int)ver;
			blen = (size_t)(ext - us - 1);
			snprintf(m->name, sizeof(m->name), "%.*s", (int)blen, us + 1);
		}
		snprintf(path, sizeof(path), "%s/%s", dir, nm);
		if (up) {
			m->up_path = xstrdup(path);
			if ((content = read_file(path, &len)) == NULL) {
				closedir(d);
				return -1;
			}
			sha256_hex(content, len, m->checksum);
			free(content);
		} else
			m->down_path = xstrdup(path);
	}
	closedir(d);
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].up_path == NULL || l->v[i].down_path == NULL) {
			log_error("migration %04d_%s: needs both .up.sql and .down.sql",
			    l->v[i].version, l->v[i].name);
			return -1;
		}
	qsort(l->v, l->n, sizeof(*l->v), cmp_version);
	return 0;
}

static enum pss_err
ensure_table(struct db *db)
{
	return db_exec(db, NULL,
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version INTEGER PRIMARY KEY,"
	    " name TEXT NOT NULL,"
	    " checksum CHAR(64) NOT NULL,"
	    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", 0, NULL);
}

/* Load the applied set; versions applied but missing on disk are reported by the caller. */
static int
load_applied(struct db *db, struct mlist *l, FILE *out, int *orphans)
{
	struct db_res *r;

	*orphans = 0;
	if (ensure_table(db) != PSS_OK ||
	    db_exec(db, &r, "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
	    0, NULL) != PSS_OK) {
		log_error("cannot read schema_migrations: %s", db_last_error(db));
		return -1;
	}
	for (int i = 0; i < db_res_rows(r); i++) {
		struct migration *m = find(l, (int)db_res_int(r, i, 0));

		if (m == NULL) {
			if (out != NULL)
				fprintf(out, "%04lld  %-40s  applied, but its file is missing\n",
				    (long long)db_res_int(r, i, 0), db_res_get(r, i, 1));
			(*orphans)++;
			continue;
		}
		m->applied = true;
		snprintf(m->applied_checksum, sizeof(m->applied_checksum), "%s", db_res_get(r, i, 2));
	}
	db_res_free(r);
	return 0;
}

static int
prepare(struct db *db, const char *dir, struct mlist *l, FILE *out, int *orphans)
{
	if (db_ensure(db) != PSS_OK) {
		log_error("database unreachable: %s", db_last_error(db));
		return -1;
	}
	if (scan(dir, l) != 0 || load_applied(db, l, out, orphans) != 0) {
		mlist_free(l);
		return -1;
	}
	return 0;
}

int
migrate_status(struct db *db, const char *dir, FILE *out)
{
	struct mlist l = { NULL, 0 };
	int orphans, pending = 0, drift = 0;

	if (prepare(db, dir, &l, out, &orphans) != 0)
		return 1;
	for (size_t i = 0; i < l.n; i++) {
		struct migration *m = &l.v[i];
		const char *state = "pending";

		if (m->applied && strcmp(m->checksum, m->applied_checksum) != 0) {
			state = "applied, DRIFT: file changed since it was applied";
			drift++;
		} else if (m->applied)
			state = "applied";
		else
			pending++;
		fprintf(out, "%04d  %-40s  %s\n", m->version, m->name, state);
	}
	fprintf(out, "%zu migrations: %zu applied, %d pending, %d drifted, %d missing files\n",
	    l.n, l.n - (size_t)pending, pending, drift, orphans);
	mlist_free(&l);
	return pending || drift || orphans ? 1 : 0;
}

struct apply_arg {
	struct migration *m;
	const char	*sql;
	bool		 up;
};

static enum pss_err
apply_tx(struct db *db, void *varg)
{
	struct apply_arg *a = varg;
	char ver[16];
	enum pss_err e;

	if ((e = db_exec_script(db, a->sql)) != PSS_OK)
		return e;
	snprintf(ver, sizeof(ver), "%d", a->m->version);
	if (a->up)
		return db_exec(db, NULL,
		    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
		    3, (const char *[]){ ver, a->m->name, a->m->checksum });
	return db_exec(db, NULL, "DELETE FROM schema_migrations WHERE version = $1",
	    1, (const char *[]){ ver });
}

static int
apply(struct db *db, struct migration *m, bool up, FILE *out)
{
	struct apply_arg a = { m, NULL, up };
	size_t len;
	char *sql = read_file(up ? m->up_path : m->down_path, &len);
	enum pss_err e;
	int64_t t0 = time_mono_ms();

	if (sql == NULL)
		return -1;
	if (strlen(sql) != len) {
		log_error("%s: contains a NUL byte", up ? m->up_path : m->down_path);
		free(sql);
		return -1;
	}
	a.sql = sql;
	e = db_tx(db, apply_tx, &a);
	free(sql);
	if (e != PSS_OK) {
		fprintf(out, "%04d  %-40s  FAILED (%s): %s\n", m->version, m->name,
		    up ? "up" : "down", db_last_error(db));
		return -1;
	}
	fprintf(out, "%04d  %-40s  %s (%lld ms)\n", m->version, m->name,
	    up ? "applied" : "rolled back", (long long)(time_mono_ms() - t0));
	return 0;
}

static void
unlock(struct db *db)
{
	(void)db_exec(db, NULL, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")", 0, NULL);
}

/* When pgvector became available after the embedding migration ran, convert the real[]
 * columns now (DESIGN.md: `migrate up` converts). Two queries: calling a function that does
 * not exist would fail at parse time. */
static int
upgrade_vectors(struct db *db, FILE *out)
{
	struct db_res *r;
	bool exists;

	if (db_exec(db, &r, "SELECT to_regproc('psscript_upgrade_vectors') IS NOT NULL", 0, NULL) != PSS_OK)
		return 1;
	exists = db_res_bool(r, 0, 0);
	db_res_free(r);
	if (!exists)
		return 0;
	if (db_exec(db, &r, "SELECT psscript_upgrade_vectors()", 0, NULL) != PSS_OK) {
		fprintf(out, "vector upgrade failed: %s\n", db_last_error(db));
		return 1;
	}
	fprintf(out, "embeddings stored as %s%s\n", db_res_get(r, 0, 0),
	    strcmp(db_res_get(r, 0, 0), "vector") == 0 ? " (pgvector)" :
	    " (pgvector not available: similarity falls back to full-text search)");
	db_res_free(r);
	return 0;
}

/* Take the migrator's advisory lock, then scan and load; on failure nothing is held. */
static int
lock_and_prepare(struct db *db, const char *dir, struct mlist *l, FILE *out, int *orphans)
{
	if (db_exec(db, NULL, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", 0, NULL) != PSS_OK)
		return -1;
	if (prepare(db, dir, l, out, orphans) != 0) {
		unlock(db);
		return -1;
	}
	return 0;
}

int
migrate_up(struct db *db, const char *dir, FILE *out)
{
	struct mlist l = { NULL, 0 };
	int orphans, rc = 0, done = 0;

	if (lock_and_prepare(db, dir, &l, out, &orphans) != 0)
		return 1;
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		if (l.v[i].applied) {
			if (strcmp(l.v[i].checksum, l.v[i].applied_checksum) != 0)
				fprintf(out, "%04d  %-40s  warning: changed since it was applied\n",
				    l.v[i].version, l.v[i].name);
			continue;
		}
		if (apply(db, &l.v[i], true, out) != 0)
			rc = 1;
		else
			done++;
	}
	if (rc == 0) {
		fprintf(out, "up: %d applied, database at the latest version\n", done);
		rc = upgrade_vectors(db, out);
	}
	mlist_free(&l);
	unlock(db);
	return rc;
}

int
migrate_down(struct db *db, const char *dir, int steps, FILE *out)
{
	struct mlist l = { NULL, 0 };
	int orphans, rc = 0, done = 0;

	if (lock_and_prepare(db, dir, &l, out, &orphans) != 0)
		return 1;
	if (orphans > 0) {
		fprintf(out, "down: refusing, %d applied migrations have no files\n", orphans);
		rc = 1;
	}
	for (size_t i = l.n; i > 0 && rc == 0 && (steps < 0 || done < steps); i--) {
		if (!l.v[i - 1].applied)
			continue;
		if (apply(db, &l.v[i - 1], false, out) != 0)
			rc = 1;
		else
			done++;
	}
	if (rc == 0)
		fprintf(out, "down: %d rolled back\n", done);
	mlist_free(&l);
	unlock(db);
	return rc;
}
