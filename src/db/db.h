/* db.h: the PostgreSQL layer: one connection per process, parameterised queries only */
#ifndef PSS_DB_H
#define PSS_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "core/conf.h"

struct db;
struct db_res;

/* db_open: connects, retrying DB_RETRY_MAX times with exponential backoff from
 * DB_RETRY_DELAY_MS when the server is unreachable. Always returns a handle: when every
 * attempt failed the handle is disconnected and each later call tries again (a request
 * gets PSS_EUNAVAIL meanwhile). Caller frees with db_close. */
struct db *db_open(const struct conf *, bool retry);
void	 db_close(struct db *);

/* db_ensure: makes sure the connection is usable, reconnecting at most once per backoff
 * step (2 s doubling to 30 s) while the server is away. PSS_OK or PSS_EUNAVAIL. */
enum pss_err db_ensure(struct db *);
bool	 db_connected(const struct db *);

/* db_exec: runs one parameterised statement (text parameters; NULL is SQL NULL).
 * On success *out (if not NULL) holds the result, which the caller frees with db_res_free.
 * Errors: PSS_EUNAVAIL (connection lost: the caller answers 503), PSS_ECONFLICT (unique
 * violation; db_last_constraint names it), PSS_EINVAL (check, foreign-key or data error),
 * PSS_EINTERNAL (anything else; logged with its SQLSTATE, never sent to a client). */
enum pss_err db_exec(struct db *, struct db_res **out, const char *sql, int nparams,
	const char *const *params);
/* db_exec_prepared: db_exec through a statement prepared on this connection the first time
 * the connection runs this text (PQprepare, then PQexecPrepared): no parse and, once
 * PostgreSQL settles on a generic plan, no planning for the hot reads. Keyed by the text
 * itself, so a caller only has to keep its text fixed (parameters, not literals). A new
 * connection (a reconnect after a PostgreSQL restart) prepares again; a statement the server
 * does not know (SQLSTATE 26000) or whose plan changed shape (0A000) is prepared again once.
 * At most DB_PREPARED_MAX texts a connection; past that they run as db_exec. */
#define DB_PREPARED_MAX 64
enum pss_err db_exec_prepared(struct db *, struct db_res **out, const char *sql, int nparams,
	const char *const *params);
/* db_exec_script: runs a multi-statement script without parameters (migrations only). */
enum pss_err db_exec_script(struct db *, const char *sql);

/* Transactions with retry: fn runs between BEGIN and COMMIT; on a deadlock or
 * serialization failure the whole transaction is retried up to DB_DEADLOCK_RETRIES times.
 * fn returns PSS_OK to commit; anything else rolls back and is returned. */
typedef enum pss_err (*db_tx_fn)(struct db *, void *arg);
enum pss_err db_tx(struct db *, db_tx_fn, void *arg);

const char *db_last_sqlstate(const struct db *);	/* "" when none */
const char *db_last_constraint(const struct db *);	/* "" when none */
const char *db_last_error(const struct db *);		/* for logs and the CLI only */

/* Results. */
int	 db_res_rows(const struct db_res *);
int	 db_res_cols(const struct db_res *);
const char *db_res_get(const struct db_res *, int row, int col);	/* "" for NULL */
bool	 db_res_isnull(const struct db_res *, int row, int col);
int64_t	 db_res_int(const struct db_res *, int row, int col);	/* 0 for NULL */
double	 db_res_double(const struct db_res *, int row, int col);
bool	 db_res_bool(const struct db_res *, int row, int col);
int	 db_res_colnum(const struct db_res *, const char *name);	/* -1 if absent */
const char *db_res_colname(const struct db_res *, int col);
void	 db_res_free(struct db_res *);

/* LISTEN/NOTIFY. */
enum pss_err db_listen(struct db *, const char *channel);
/* db_notifies: reads pending notifications without blocking; calls fn for each. */
typedef void (*db_notify_fn)(const char *channel, const char *payload, void *arg);
int	 db_notifies(struct db *, db_notify_fn, void *arg);
/* db_wait: waits up to timeout_ms for a notification or socket activity. 1 ready, 0 timeout, -1 error. */
int	 db_wait(struct db *, int64_t timeout_ms);

/* Observers for /metrics. */
struct db_stats {
	uint64_t queries;
	uint64_t query_us;
	uint64_t reconnects;
	uint64_t deadlock_retries;
	uint64_t errors;
};
const struct db_stats *db_stats(const struct db *);
typedef void (*db_query_observer)(int64_t us);
void	 db_set_observer(db_query_observer);

#endif
