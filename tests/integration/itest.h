/* itest.h: HTTP client helpers for the integration tests (libcurl against the harness's nginx) */
#ifndef PSS_ITEST_H
#define PSS_ITEST_H

#include <stdbool.h>

#include <json-c/json.h>

struct it_resp {
	long	 status;
	char	*body;
	size_t	 len;
	char	*headers;	/* raw header block, lower-cased names */
	struct json_object *json;	/* parsed body when it is JSON, else NULL */
};

/* it_init: reads PSS_TEST_URL and PSS_TEST_CA; aborts the test program when missing. */
void	 it_init(void);
/* it_request: method, path (appended to PSS_TEST_URL unless it starts with http),
 * body (may be NULL), content type (may be NULL), extra header lines (NULL-terminated array
 * or NULL). Returns 0 on a completed exchange. */
int	 it_request(struct it_resp *, const char *method, const char *path, const char *body,
	size_t len, const char *ctype, const char *const *headers);
int	 it_get(struct it_resp *, const char *path);
/* it_http11: on, the next requests speak HTTP/1.1 (default: HTTP/2, as curl chooses). */
void	 it_http11(int on);
void	 it_resp_free(struct it_resp *);
/* it_header: the value of a response header (lower-case name) in a static buffer, or NULL. */
const char *it_header(const struct it_resp *, const char *name);
/* it_header_count: how many times the response carries the header (lower-case name). */
int	 it_header_count(const struct it_resp *, const char *name);
/* it_security_headers_wrong: NULL when the response carries each security header exactly
 * once (HSTS, CSP, nosniff, X-Frame-Options, Referrer-Policy, X-Request-Id, and the
 * X-Request-Id equal to a JSON body's requestId), else the name of the first that does not. */
const char *it_security_headers_wrong(const struct it_resp *);
/* it_str: a string member of the JSON body ("a.b" walks objects, "a.0.b" indexes an
 * array), or NULL. */
const char *it_str(const struct it_resp *, const char *path);
/* it_run: runs a shell command, returns its exit status. */
int	 it_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* it_harness: runs "harness.sh ctl STATE what" and returns its exit status. */
int	 it_harness(const char *what);
/* it_psql: runs one SQL statement through psql, returns the first value (static) or NULL. */
const char *it_psql(const char *sql);
/* it_psqlf: it_psql of a statement formatted from fmt. */
const char *it_psqlf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* it_poll_sql: runs sql every 100 ms until it answers want or seconds pass; returns the last
 * answer (static, "(error)" when the statement failed). */
const char *it_poll_sql(const char *sql, const char *want, int seconds);
/* it_job_wait: polls the status of job id until it is want or seconds pass (it_poll_sql). */
const char *it_job_wait(long id, const char *want, int seconds);
/* it_log_has: whether the file at path holds a line containing needle within seconds (a job
 * runner's " ready", a log line a test waits for). */
int	 it_log_has(const char *path, const char *needle, int seconds);
/* it_script_new: POST /api/scripts as token: {title, content, isPublic: pub, analyze: false}
 * (nothing analyses it until asked); its id, or 0 (with a "# " line saying why). */
long long it_script_new(const char *token, const char *title, const char *content, bool pub);
/* it_metric: a series of /metrics ("psscript_gzip_pages_total", or with its labels as
 * written: "psscript_ai_requests_total{outcome=\"refused\"}") summed over the processes,
 * -1 when not found. it_hot_hits: psscript_cache_hot_hits_total. */
long long it_metric(const char *counter);
long long it_hot_hits(void);
/* it_gunzip: a gzip-encoded body decoded (NUL-terminated, caller frees) into *len, or NULL
 * when it is not one whole gzip member of at most 4 MB. */
char	*it_gunzip(const struct it_resp *, size_t *len);
/* it_get_gzip: GET path (as token, when not NULL) asking for gzip: the body (NUL-terminated,
 * caller frees) into *len, decoded when it came gzip-encoded (*gzipped says which); NULL (with
 * a "# " line) when the answer was not 200, was encoded otherwise or did not decode. */
char	*it_get_gzip(const char *path, const char *token, size_t *len, bool *gzipped);
/* it_script_path: "/api/scripts/<id><tail>" in one of four static buffers (four may be used
 * in one call's arguments). */
const char *it_script_path(long long id, const char *tail);

/* it_db_setup: the set-up of a suite that calls the layers below HTTP directly: log_init
 * (errors only) as name, the stack's configuration (PSSCRIPT_CONFIG) into conf and, when db is
 * not NULL, a connection to its database with the schema checked (db_ensure). Prints
 * "Bail out!" and exits 1 when one fails. (itest-db.c: link DB_LIBS.) */
struct conf;
struct db;
void	 it_db_setup(const char *name, struct conf *conf, struct db **db);

#endif
