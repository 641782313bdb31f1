/* db.c: the libpq connection: retry with backoff, reconnect, parameterised execution */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core/core.h"
#include "db/db.h"

struct db {
	PGconn		*conn;
	char		*conninfo;
	int64_t		 retry_max;
	int64_t		 retry_delay_ms;
	int64_t		 deadlock_retries;
	int64_t		 statement_timeout_ms;
	int64_t		 next_attempt_ms;	/* monotonic: no reconnect before this */
	int64_t		 backoff_ms;
	bool		 ever_connected;
	bool		 in_tx;
	char		 sqlstate[6];
	char		 constraint[128];
	char		 error[512];
	char		*listening[8];
	size_t		 nlistening;
	/* the statements prepared on this connection (db_exec_prepared), by their text */
	struct db_prep	*prepared;
	size_t		 nprepared;
	unsigned	 prep_serial;	/* names pss_1, pss_2, ... of the connection */
	struct db_stats	 stats;
};

struct db_prep {
	uint64_t	 hash;
	char		*sql;
	char		 name[16];
};

struct db_res {
	PGresult	*res;
};

static db_query_observer observer;

void
db_set_observer(db_query_observer fn)
{
	observer = fn;
}

static void
notice_quiet(void *arg, const PGresult *res)
{
	(void)arg;
	(void)res;	/* NOTICEs (e.g. "relation exists, skipping") are not errors */
}

/* prep_forget: the connection's prepared statements are gone (a new session). */
static void
prep_forget(struct db *db)
{
	for (size_t i = 0; i < db->nprepared; i++)
		free(db->prepared[i].sql);
	db->nprepared = 0;
	db->prep_serial = 0;
}

/* One connection attempt; on success the session settings are applied and LISTENs renewed. */
static bool
connect_once(struct db *db)
{
	char set[96];
	PGresult *r;

	if (db->conn != NULL)
		PQfinish(db->conn);
	prep_forget(db);	/* a new session has none of the old one's statements */
	db->conn = PQconnectdb(db->conninfo);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		snprintf(db->error, sizeof(db->error), "%s", PQerrorMessage(db->conn));
		db->error[strcspn(db->error, "\n")] = '\0';
		return false;
	}
	PQsetNoticeReceiver(db->conn, notice_quiet, NULL);
	snprintf(set, sizeof(set), "SET statement_timeout = %lld", (long long)db->statement_timeout_ms);
	r = PQexec(db->conn, set);
	PQclear(r);
	for (size_t i = 0; i < db->nlistening; i++) {
		char *ident = PQescapeIdentifier(db->conn, db->listening[i], strlen(db->listening[i]));
		char sql[200];

		if (ident == NULL)
			continue;
		snprintf(sql, sizeof(sql), "LISTEN %s", ident);
		PQfreemem(ident);
		PQclear(PQexec(db->conn, sql));
	}
	if (db->ever_connected)
		db->stats.reconnects++;
	db->ever_connected = true;
	db->backoff_ms = db->retry_delay_ms;
	db->next_attempt_ms = 0;
	return true;
}

struct db *
db_open(const struct conf *c, bool retry)
{
	struct db *db = xcalloc(1, sizeof(*db));
	int64_t delay = c->db_retry_delay_ms;

	db->conninfo = conf_pg_conninfo(c);
	db->retry_max = c->db_retry_max;
	db->retry_delay_ms = c->db_retry_delay_ms;
	db->deadlock_retries = c->db_deadlock_retries;
	db->statement_timeout_ms = c->db_statement_timeout_ms;
	db->backoff_ms = c->db_retry_delay_ms;
	for (int64_t attempt = 0; ; attempt++) {
		if (connect_once(db))
			return db;
		if (!retry || attempt >= db->retry_max)
			break;
		log_warn("database unreachable (%s); retry %lld of %lld in %lld ms", db->error,
		    (long long)attempt + 1, (long long)db->retry_max, (long long)delay);
		time_sleep_ms(delay);
		delay *= 2;
	}
	log_error("database unreachable: %s", db->error);
	db->next_attempt_ms = time_mono_ms() + db->backoff_ms;
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	for (size_t i = 0; i < db->nlistening; i++)
		free(db->listening[i]);
	prep_forget(db);
	free(db->prepared);
	free(db->conninfo);
	free(db);
}

bool
db_connected(const struct db *db)
{
	return db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK;
}

enum pss_err
db_ensure(struct db *db)
{
	int64_t now;

	if (db_connected(db))
		return PSS_OK;
	now = time_mono_ms();
	if (now < db->next_attempt_ms)
		return PSS_EUNAVAIL;
	if (connect_once(db)) {
		log_info("database connection restored");
		return PSS_OK;
	}
	log_warn("database still unreachable: %s (next try in %lld ms)", db->error,
	    (long long)db->backoff_ms);
	db->next_attempt_ms = now + db->backoff_ms;
	db->backoff_ms = db->backoff_ms * 2 > 30000 ? 30000 : db->backoff_ms * 2;
	return PSS_EUNAVAIL;
}

static enum pss_err
classify(struct db *db, PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *cons = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state ? state : "");
	snprintf(db->constraint, sizeof(db->constraint), "%s", cons ? cons : "");
	snprintf(db->error, sizeof(db->error), "%s", msg ? msg : PQerrorMessage(db->conn));
	db->stats.errors++;
	if (PQstatus(db->conn) != CONNECTION_OK || state == NULL || strncmp(state, "08", 2) == 0 ||
	    strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0) {
		log_warn("database connection lost: %s", db->error);
		db->next_attempt_ms = 0;
		if (PQstatus(db->conn) == CONNECTION_OK) {
			PQfinish(db->conn);
			db->conn = NULL;
		}
		return PSS_EUNAVAIL;
	}
	if (strcmp(state, "23505") == 0)
		return PSS_ECONFLICT;
	if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0)
		return PSS_EINVAL;
	if (strcmp(state, "40P01") == 0 || strcmp(state, "40001") == 0)
		return PSS_ECONFLICT;
	if (strcmp(state, "26000") == 0) {	/* db_exec_prepared prepares it again */
		log_warn("prepared statement unknown to the server: %s", db->error);
		return PSS_EINTERNAL;
	}
	if (strcmp(state, "57014") == 0) {
		log_warn("query cancelled (statement timeout): %s", db->error);
		return PSS_EUNAVAIL;
	}
	log_error("query failed: SQLSTATE %s: %s", state, db->error);
	return PSS_EINTERNAL;
}

/* run_result: a statement's result into *out (or freed), its time counted and observed. */
static enum pss_err
run_result(struct db *db, PGresult *r, int64_t t0, struct db_res **out)
{
	int64_t us = time_mono_us() - t0;
	enum pss_err e;

	db->stats.queries++;
	db->stats.query_us += (uint64_t)us;
	if (observer != NULL)
		observer(us);
	if (r == NULL) {
		snprintf(db->error, sizeof(db->error), "%s", PQerrorMessage(db->conn));
		db->stats.errors++;
		if (PQstatus(db->conn) != CONNECTION_OK)
			return PSS_EUNAVAIL;
		return PSS_EINTERNAL;
	}
	switch (PQresultStatus(r)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
		break;
	default:
		e = classify(db, r);
		PQclear(r);
		return e;
	}
	if (out != NULL) {
		*out = xmalloc(sizeof(**out));
		(*out)->res = r;
	} else
		PQclear(r);
	return PSS_OK;
}

/* exec_start: what every statement checks first; PSS_OK when it may run. */
static enum pss_err
exec_start(struct db *db, struct db_res **out)
{
	enum pss_err e;

	if (out != NULL)
		*out = NULL;
	db->sqlstate[0] = db->constraint[0] = '\0';
	if (!db->in_tx && (e = db_ensure(db)) != PSS_OK)
		return e;
	return db->conn == NULL ? PSS_EUNAVAIL : PSS_OK;
}

enum pss_err
db_exec(struct db *db, struct db_res **out, const char *sql, int nparams,
    const char *const *params)
{
	enum pss_err e;
	int64_t t0;

	if ((e = exec_start(db, out)) != PSS_OK)
		return e;
	t0 = time_mono_us();
	return run_result(db, PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0), t0, out);
}

static uint64_t
sql_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* prep_find: the statement prepared for sql on this connection, or NULL. */
static struct db_prep *
prep_find(struct db *db, const char *sql, uint64_t h)
{
	for (size_t i = 0; i < db->nprepared; i++)
		if (db->prepared[i].hash == h && strcmp(db->prepared[i].sql, sql) == 0)
			return &db->prepared[i];
	return NULL;
}

static void
prep_drop(struct db *db, struct db_prep *p)
{
	free(p->sql);
	*p = db->prepared[--db->nprepared];
}

/* prep_add: prepares sql on the connection (one round trip) under a new name. */
static enum pss_err
prep_add(struct db *db, const char *sql, uint64_t h, int nparams, struct db_prep **out)
{
	struct db_prep *p;
	enum pss_err e;
	int64_t t0;

	*out = NULL;
	if (db->nprepared == DB_PREPARED_MAX)
		return PSS_OK;	/* full: the caller runs it unprepared */
	if (db->prepared == NULL)
		db->prepared = xcalloc(DB_PREPARED_MAX, sizeof(*db->prepared));
	p = &db->prepared[db->nprepared];
	snprintf(p->name, sizeof(p->name), "pss_%u", ++db->prep_serial);
	t0 = time_mono_us();
	if ((e = run_result(db, PQprepare(db->conn, p->name, sql, nparams, NULL), t0, NULL)) != PSS_OK)
		return e;
	p->hash = h;
	p->sql = xstrdup(sql);
	db->nprepared++;
	*out = p;
	return PSS_OK;
}

enum pss_err
db_exec_prepared(struct db *db, struct db_res **out, const char *sql, int nparams,
    const char *const *params)
{
	uint64_t h = sql_hash(sql);
	struct db_prep *p;
	enum pss_err e;
	int64_t t0;

	if ((e = exec_start(db, out)) != PSS_OK)
		return e;
	for (int attempt = 0; ; attempt++) {
		if ((p = prep_find(db, sql, h)) == NULL) {
			if ((e = prep_add(db, sql, h, nparams, &p)) != PSS_OK)
				return e;
			if (p == NULL)
				return db_exec(db, out, sql, nparams, params);
		}
		t0 = time_mono_us();
		e = run_result(db, PQexecPrepared(db->conn, p->name, nparams, params, NULL, NULL, 0), t0, out);
		/* the server forgot it (DISCARD ALL, a pooler's new session) or its plan's result
		 * changed shape under DDL: forgotten here too, and prepared again at once outside
		 * a transaction (inside, the error aborted it: the next call prepares it) */
		if (e == PSS_OK || db->conn == NULL ||
		    (strcmp(db->sqlstate, "26000") != 0 && strcmp(db->sqlstate, "0A000") != 0))
			return e;
		if (strcmp(db->sqlstate, "0A000") == 0 && !db->in_tx) {
			char dealloc[40];

			snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", p->name);
			PQclear(PQexec(db->conn, dealloc));
		}
		prep_drop(db, p);
		if (attempt > 0 || db->in_tx)
			return e;
		db->sqlstate[0] = '\0';
	}
}

enum pss_err
db_exec_script(struct db *db, const char *sql)
{
	PGresult *r;
	enum pss_err e = PSS_OK;

	if (!db->in_tx && (e = db_ensure(db)) != PSS_OK)
		return e;
	r = PQexec(db->conn, sql);
	if (r == NULL)
		return PQstatus(db->conn) != CONNECTION_OK ? PSS_EUNAVAIL : PSS_EINTERNAL;
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		e = classify(db, r);
	PQclear(r);
	return e;
}

static bool
retryable(const struct db *db)
{
	return strcmp(db->sqlstate, "40P01") == 0 || strcmp(db->sqlstate, "40001") == 0;
}

enum pss_err
db_tx(struct db *db, db_tx_fn fn, void *arg)
{
	enum pss_err e;

	if (db->in_tx)
		return fn(db, arg);	/* nested: part of the outer transaction */
	for (int64_t attempt = 0; ; attempt++) {
		if ((e = db_exec(db, NULL, "BEGIN", 0, NULL)) != PSS_OK)
			return e;
		db->in_tx = true;
		e = fn(db, arg);
		if (e == PSS_OK)
			e = db_exec(db, NULL, "COMMIT", 0, NULL);
		db->in_tx = false;
		if (e == PSS_OK)
			return PSS_OK;
		if (db_connected(db)) {
			bool retry = retryable(db);
			char state[6];

			memcpy(state, db->sqlstate, sizeof(state));
			(void)db_exec(db, NULL, "ROLLBACK", 0, NULL);
			memcpy(db->sqlstate, state, sizeof(state));
			if (retry && attempt < db->deadlock_retries) {
				db->stats.deadlock_retries++;
				log_warn("transaction %s (SQLSTATE %s); retry %lld of %lld",
				    strcmp(state, "40P01") == 0 ? "deadlocked" : "serialization failure",
				    state, (long long)attempt + 1, (long long)db->deadlock_retries);
				time_sleep_ms(10 * (attempt + 1));
				continue;
			}
		}
		return e;
	}
}

const char *
db_last_sqlstate(const struct db *db)
{
	return db->sqlstate;
}

const char *
db_last_constraint(const struct db *db)
{
	return db->constraint;
}

const char *
db_last_error(const struct db *db)
{
	return db->error;
}

const struct db_stats *
db_stats(const struct db *db)
{
	return &db->stats;
}

int
db_res_rows(const struct db_res *r)
{
	return PQntuples(r->res);
}

int
db_res_cols(const struct db_res *r)
{
	return PQnfields(r->res);
}

const char *
db_res_get(const struct db_res *r, int row, int col)
{
	if (row < 0 || row >= PQntuples(r->res) || col < 0 || col >= PQnfields(r->res))
		return "";
	return PQgetvalue(r->res, row, col);
}

bool
db_res_isnull(const struct db_res *r, int row, int col)
{
	if (row < 0 || row >= PQntuples(r->res) || col < 0 || col >= PQnfields(r->res))
		return true;
	return PQgetisnull(r->res, row, col) != 0;
}

int64_t
db_res_int(const struct db_res *r, int row, int col)
{
	return db_res_isnull(r, row, col) ? 0 : strtoll(PQgetvalue(r->res, row, col), NULL, 10);
}

double
db_res_double(const struct db_res *r, int row, int col)
{
	return db_res_isnull(r, row, col) ? 0 : strtod(PQgetvalue(r->res, row, col), NULL);
}

bool
db_res_bool(const struct db_res *r, int row, int col)
{
	return !db_res_isnull(r, row, col) && PQgetvalue(r->res, row, col)[0] == 't';
}

int
db_res_colnum(const struct db_res *r, const char *name)
{
	return PQfnumber(r->res, name);
}

const char *
db_res_colname(const struct db_res *r, int col)
{
	const char *n = PQfname(r->res, col);

	return n ? n : "";
}

void
db_res_free(struct db_res *r)
{
	if (r == NULL)
		return;
	PQclear(r->res);
	free(r);
}

enum pss_err
db_listen(struct db *db, const char *channel)
{
	char sql[200], *ident;
	enum pss_err e;

	if (db->nlistening < PSS_ARRAY_LEN(db->listening))
		db->listening[db->nlistening++] = xstrdup(channel);
	if ((e = db_ensure(db)) != PSS_OK)
		return e;	/* renewed on reconnect */
	if ((ident = PQescapeIdentifier(db->conn, channel, strlen(channel))) == NULL)
		return PSS_EINTERNAL;
	snprintf(sql, sizeof(sql), "LISTEN %s", ident);
	PQfreemem(ident);
	return db_exec(db, NULL, sql, 0, NULL);
}

int
db_notifies(struct db *db, db_notify_fn fn, void *arg)
{
	PGnotify *n;
	int count = 0;

	if (!db_connected(db))
		return 0;
	if (PQconsumeInput(db->conn) == 0) {
		log_warn("database connection lost while reading notifications");
		return -1;
	}
	while ((n = PQnotifies(db->conn)) != NULL) {
		if (fn != NULL)
			fn(n->relname, n->extra, arg);
		PQfreemem(n);
		count++;
	}
	return count;
}

int
db_wait(struct db *db, int64_t timeout_ms)
{
	struct pollfd pfd;
	int rc;

	if (!db_connected(db)) {
		time_sleep_ms(timeout_ms < 1000 ? timeout_ms : 1000);
		return 0;
	}
	pfd.fd = PQsocket(db->conn);
	pfd.events = POLLIN;
	rc = poll(&pfd, 1, (int)timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -1;
	return rc > 0 ? 1 : 0;
}
