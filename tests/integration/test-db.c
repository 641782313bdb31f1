/* test-db.c: the PostgreSQL layer against a real server: deadlocks and serialization failures
 * are retried transparently, other errors are classified, parameters are never interpolated */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/conf.h"
#include "db/db.h"
#include "itest.h"
#include "t.h"

static struct conf conf;

struct crossing {
	int	 first, second;		/* rows to lock, in this order */
	int	 to_peer, from_peer;	/* pipes for the rendezvous */
	int	 attempts;
	bool	 serializable;
};

/* Lock (or read) the first row, meet the other process, then touch the second row: the two
 * transactions cross, and PostgreSQL aborts one of them. Only the first attempt waits. */
static enum pss_err
cross(struct db *db, void *arg)
{
	struct crossing *c = arg;
	char a[8], b[8], ch = 'x';
	enum pss_err e;

	snprintf(a, sizeof(a), "%d", c->first);
	snprintf(b, sizeof(b), "%d", c->second);
	if (c->serializable &&
	    (e = db_exec(db, NULL, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", 0, NULL)) != PSS_OK)
		return e;
	if (c->serializable)
		e = db_exec(db, NULL, "SELECT sum(v) FROM t_db_cross", 0, NULL);
	else
		e = db_exec(db, NULL, "UPDATE t_db_cross SET v = v + 1 WHERE id = $1", 1, (const char *[]){ a });
	if (e != PSS_OK)
		return e;
	if (c->attempts++ == 0) {
		if (write(c->to_peer, &ch, 1) != 1 || read(c->from_peer, &ch, 1) != 1)
			return PSS_EIO;
	}
	return db_exec(db, NULL, "UPDATE t_db_cross SET v = v + 1 WHERE id = $1", 1, (const char *[]){ b });
}

/* Runs the crossing in two processes; returns the total retries seen, or -1 on failure. */
static int
run_crossing(bool serializable)
{
	int p2c[2], c2p[2], status, retries = -1;
	pid_t pid;
	struct db *db;

	if (pipe(p2c) != 0 || pipe(c2p) != 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		struct crossing c = { 2, 1, c2p[1], p2c[0], 0, serializable };
		struct db *cdb = db_open(&conf, false);
		enum pss_err e = db_tx(cdb, cross, &c);

		_exit(e == PSS_OK ? (int)db_stats(cdb)->deadlock_retries : 100 + (int)e);
	}
	db = db_open(&conf, false);
	{
		struct crossing c = { 1, 2, p2c[1], c2p[0], 0, serializable };
		enum pss_err e = db_tx(db, cross, &c);

		waitpid(pid, &status, 0);
		if (e == PSS_OK && WIFEXITED(status) && WEXITSTATUS(status) < 100)
			retries = (int)db_stats(db)->deadlock_retries + WEXITSTATUS(status);
		else
			printf("#   parent %s, child exit %d\n", pss_strerror(e), WEXITSTATUS(status));
	}
	db_close(db);
	close(p2c[0]), close(p2c[1]), close(c2p[0]), close(c2p[1]);
	return retries;
}

static void
reset_table(void)
{
	T_ASSERT(it_psql("DROP TABLE IF EXISTS t_db_cross; CREATE TABLE t_db_cross (id int PRIMARY KEY, v int NOT NULL); "
	    "INSERT INTO t_db_cross VALUES (1, 0), (2, 0)") != NULL);
}

static void
test_deadlock_is_retried_and_both_commit(void)
{
	reset_table();
	T_ASSERT(run_crossing(false) >= 1);
	/* both transactions committed exactly once: each row was incremented twice */
	T_STREQ(it_psql("SELECT string_agg(v::text, ',' ORDER BY id) FROM t_db_cross"), "2,2");
}

static void
test_serialization_failure_is_retried(void)
{
	reset_table();
	T_ASSERT(run_crossing(true) >= 1);
	T_STREQ(it_psql("SELECT string_agg(v::text, ',' ORDER BY id) FROM t_db_cross"), "1,1");
}

static void
test_errors_are_classified(void)
{
	struct db *db = db_open(&conf, false);

	T_EQ(db_exec(db, NULL, "INSERT INTO t_db_cross VALUES (1, 0)", 0, NULL), PSS_ECONFLICT);
	T_STREQ(db_last_sqlstate(db), "23505");
	T_STREQ(db_last_constraint(db), "t_db_cross_pkey");
	T_EQ(db_exec(db, NULL, "INSERT INTO t_db_cross VALUES (3, NULL)", 0, NULL), PSS_EINVAL);
	T_EQ(db_exec(db, NULL, "SELECT * FROM no_such_table", 0, NULL), PSS_EINTERNAL);
	T_EQ(db_exec(db, NULL, "SELECT 1", 0, NULL), PSS_OK);
	db_close(db);
}

static void
test_parameters_are_data(void)
{
	struct db *db = db_open(&conf, false);
	struct db_res *r;
	const char *evil = "1); DROP TABLE t_db_cross; --";

	T_EQ(db_exec(db, &r, "SELECT $1::text", 1, (const char *[]){ evil }), PSS_OK);
	T_STREQ(db_res_get(r, 0, 0), evil);
	db_res_free(r);
	T_EQ(db_exec(db, NULL, "SELECT $1::int", 1, (const char *[]){ evil }), PSS_EINVAL);
	T_STREQ(it_psql("SELECT count(*) FROM t_db_cross"), "2");
	db_close(db);
}

static enum pss_err
insert_then_fail(struct db *db, void *arg)
{
	(void)arg;
	if (db_exec(db, NULL, "INSERT INTO t_db_cross VALUES (9, 9)", 0, NULL) != PSS_OK)
		return PSS_EINTERNAL;
	return PSS_EINVAL;	/* the caller's validation failed after a write */
}

static void
test_failed_transaction_is_rolled_back(void)
{
	struct db *db = db_open(&conf, false);

	T_EQ(db_tx(db, insert_then_fail, NULL), PSS_EINVAL);
	T_STREQ(it_psql("SELECT count(*) FROM t_db_cross WHERE id = 9"), "0");
	T_EQ(db_exec(db, NULL, "SELECT 1", 0, NULL), PSS_OK);	/* connection still usable */
	db_close(db);
}

/* count_prepared: the statements prepared in db's session, by the session itself */
static int64_t
count_prepared(struct db *db)
{
	struct db_res *r;
	int64_t n = -1;

	if (db_exec(db, &r, "SELECT count(*) FROM pg_prepared_statements", 0, NULL) == PSS_OK) {
		n = db_res_int(r, 0, 0);
		db_res_free(r);
	}
	return n;
}

static int64_t
prepared_sum(struct db *db, const char *arg)
{
	struct db_res *r;
	int64_t v = -1;

	if (db_exec_prepared(db, &r, "SELECT sum(v) + $1::int FROM t_db_cross", 1,
	    (const char *[]){ arg }) == PSS_OK) {
		v = db_res_int(r, 0, 0);
		db_res_free(r);
	}
	return v;
}

/* in a transaction: the session's statements dropped, then the prepared sum (which fails
 * and aborts the transaction) */
static enum pss_err
dealloc_then_sum(struct db *db, void *arg)
{
	(void)arg;
	if (db_exec(db, NULL, "DEALLOCATE ALL", 0, NULL) != PSS_OK)
		return PSS_EINVAL;
	return prepared_sum(db, "1") == 3 ? PSS_OK : PSS_EINTERNAL;
}

static void
test_prepared_statements_survive_discard_and_reconnect(void)
{
	struct db *db = db_open(&conf, false);
	struct db_res *r;
	char pid[24];

	it_psqlf("UPDATE t_db_cross SET v = 1");
	/* prepared once a connection, whatever the parameters */
	T_EQ(prepared_sum(db, "10"), 12);
	T_EQ(prepared_sum(db, "20"), 22);
	T_EQ(count_prepared(db), 1);
	/* parameters are data there too (and a statement that failed stays prepared) */
	T_EQ(db_exec_prepared(db, NULL, "SELECT $1::int", 1, (const char *[]){ "1; DROP TABLE t_db_cross" }),
	    PSS_EINVAL);
	/* the server forgot them: prepared again, the caller sees nothing */
	T_EQ(db_exec(db, NULL, "DEALLOCATE ALL", 0, NULL), PSS_OK);
	T_EQ(prepared_sum(db, "1"), 3);
	T_EQ(count_prepared(db), 1);
	/* the session ended (as by a PostgreSQL restart): the next call answers 503's error,
	 * the one after reconnects and prepares again */
	T_EQ(db_exec(db, &r, "SELECT pg_backend_pid()", 0, NULL), PSS_OK);
	snprintf(pid, sizeof(pid), "%s", db_res_get(r, 0, 0));
	db_res_free(r);
	it_psqlf("SELECT pg_terminate_backend(%s)", pid);
	T_EQ(prepared_sum(db, "1"), -1);
	T_EQ(prepared_sum(db, "2"), 4);
	T_EQ(count_prepared(db), 1);
	/* forgotten inside a transaction: that transaction fails, the next call prepares it */
	T_EQ(db_tx(db, dealloc_then_sum, NULL), PSS_EINTERNAL);
	T_EQ(prepared_sum(db, "1"), 3);
	/* a table's shape changed under a plan: prepared again */
	T_EQ(db_exec_prepared(db, &r, "SELECT * FROM t_db_cross WHERE id = $1::int", 1,
	    (const char *[]){ "1" }), PSS_OK);
	T_EQ(db_res_cols(r), 2);
	db_res_free(r);
	it_psqlf("ALTER TABLE t_db_cross ADD COLUMN w int DEFAULT 7");
	T_EQ(db_exec_prepared(db, &r, "SELECT * FROM t_db_cross WHERE id = $1::int", 1,
	    (const char *[]){ "1" }), PSS_OK);
	T_EQ(db_res_cols(r), 3);
	db_res_free(r);
	it_psqlf("ALTER TABLE t_db_cross DROP COLUMN w");
	db_close(db);
}

int
main(void)
{
	it_init();
	it_db_setup("test-db", &conf, NULL);
	T_RUN(test_deadlock_is_retried_and_both_commit);
	T_RUN(test_serialization_failure_is_retried);
	T_RUN(test_errors_are_classified);
	T_RUN(test_parameters_are_data);
	T_RUN(test_failed_transaction_is_rolled_back);
	T_RUN(test_prepared_statements_survive_discard_and_reconnect);
	(void)it_psql("DROP TABLE IF EXISTS t_db_cross");
	conf_free(&conf);
	return t_done();
}
