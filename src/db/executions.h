/* executions.h: the execution_logs table's queries (validation and the owner check are the
 * caller's: services/library.h) */
#ifndef PSS_DB_EXECUTIONS_H
#define PSS_DB_EXECUTIONS_H

#include "db/rows.h"

enum exec_status { EXEC_SUCCESS, EXEC_FAILURE, EXEC_TIMEOUT, EXEC_CANCELLED, EXEC__MAX };
extern const char *const db_exec_statuses[EXEC__MAX];
enum exec_status db_exec_status_parse(const char *);	/* NULL: success; __MAX when unknown */

struct exec_record {
	int64_t		 script_id;	/* the caller is the viewer (a user is required) */
	enum exec_status status;
	bool		 has_time;
	double		 time_ms;	/* >= 0 */
	const char	*parameters;	/* JSON object text or NULL */
	const char	*error_message;	/* may be NULL */
	const char	*ip;		/* REMOTE_ADDR, may be NULL; at most 45 bytes */
};
/* db_execution_record: for a script visible to the viewer (else PSS_ENOTFOUND), in ONE
 * statement the log row is written and execution_count, average_execution_time (running
 * mean of the reported times) and last_executed_at are updated. Fills {executionLogId,
 * executionCount, title}. */
enum pss_err db_execution_record(struct db *, const struct viewer *, const struct exec_record *,
	struct json_object **out);
/* db_executions_list: {executions: [{id, scriptId, userId, status, executionTime,
 * parameters, errorMessage, ipAddress, createdAt}], pagination: {total, limit, offset,
 * hasMore}}, newest first. */
enum pss_err db_executions_list(struct db *, int64_t script_id, int64_t limit, int64_t offset,
	struct json_object **out);

#endif
