/* crawls.c: the crawls and crawl_pages tables' queries */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/crawls.h"
#include "db/rows.h"

#define STR_(x) #x
#define STR(x) STR_(x)

#define CRAWL_JSON \
	"json_build_object('id', c.id, 'jobId', c.job_id, 'url', c.start_url, 'maxPages', c.max_pages," \
	" 'depth', c.depth, 'sameHost', c.same_host, 'status', c.status," \
	" 'active', c.status IN ('queued', 'running')," \
	" 'cancelRequested', c.cancel_requested, 'pagesFetched', c.pages_fetched," \
	" 'pagesStored', c.pages_stored, 'pagesUnchanged', c.pages_unchanged," \
	" 'pagesSkipped', c.pages_skipped, 'reasons', c.reasons, 'reasonCount', jsonb_array_length(c.reasons)," \
	" 'reasonsDropped', c.reasons_dropped," \
	" 'message', c.message, 'createdBy', u.username, 'createdAt', c.created_at," \
	" 'startedAt', c.started_at, 'finishedAt', c.finished_at)" \
	" FROM crawls c LEFT JOIN users u ON u.id = c.user_id"

enum pss_err
db_crawl_insert(struct db *db, int64_t user_id, const char *url, int64_t max_pages, int64_t depth,
    bool same_host, int64_t *id)
{
	struct db_res *r;
	char uid[24], mp[24], dp[24];
	enum pss_err e;

	db_id(uid, user_id);
	db_id(mp, max_pages);
	db_id(dp, depth);
	if ((e = db_exec_row(db, &r, "INSERT INTO crawls (user_id, start_url, max_pages, depth, same_host)"
	    " VALUES (NULLIF($1, '0')::int, $2, $3, $4, $5) RETURNING id", 5,
	    (const char *[]){ uid, url, mp, dp, same_host ? "true" : "false" })) != PSS_OK)
		return e;
	*id = db_res_int(r, 0, 0);
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_crawl_set_job(struct db *db, int64_t id, int64_t job_id)
{
	char a[24], b[24];

	db_id(a, id);
	db_id(b, job_id);
	return db_exec(db, NULL, "UPDATE crawls SET job_id = $2 WHERE id = $1", 2, (const char *[]){ a, b });
}

enum pss_err
db_crawl_list(struct db *db, int64_t limit, struct json_object **out)
{
	struct db_res *r;
	char l[24];
	enum pss_err e;

	*out = NULL;
	db_id(l, limit);
	if ((e = db_exec(db, &r, "SELECT " CRAWL_JSON " ORDER BY c.id DESC LIMIT $1", 1,
	    (const char *[]){ l })) != PSS_OK)
		return e;
	*out = json_object_new_object();
	json_object_object_add(*out, "crawls", db_json_rows(r));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_crawl_get(struct db *db, int64_t id, struct json_object **out)
{
	struct db_res *r;
	char a[24];
	enum pss_err e;

	*out = NULL;
	db_id(a, id);
	if ((e = db_exec_row(db, &r, "SELECT " CRAWL_JSON " WHERE c.id = $1", 1, (const char *[]){ a })) != PSS_OK)
		return e;
	*out = db_json_parse(db_res_get(r, 0, 0));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_crawl_cancel(struct db *db, int64_t id, const char **status)
{
	static const char *const states[] = { "queued", "running", "done", "failed", "cancelled" };
	struct db_res *r;
	char a[24];
	const char *s;
	enum pss_err e;

	*status = NULL;
	db_id(a, id);
	if ((e = db_exec_row(db, &r, "UPDATE crawls SET cancel_requested = status IN ('queued', 'running'),"
	    " status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,"
	    " finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END,"
	    " message = CASE WHEN status = 'queued' THEN 'cancelled before it started' ELSE message END"
	    " WHERE id = $1 RETURNING status, cancel_requested", 1, (const char *[]){ a })) != PSS_OK)
		return e;
	s = db_res_get(r, 0, 0);
	for (size_t i = 0; i < PSS_ARRAY_LEN(states); i++)
		if (strcmp(s, states[i]) == 0)
			*status = states[i];
	e = db_res_bool(r, 0, 1) ? PSS_OK : PSS_ECONFLICT;
	db_res_free(r);
	return e;
}

enum pss_err
db_crawl_begin(struct db *db, int64_t id, struct db_crawl *c)
{
	struct db_res *r;
	char a[24];
	enum pss_err e;

	memset(c, 0, sizeof(*c));
	db_id(a, id);
	if ((e = db_exec_row(db, &r, "UPDATE crawls SET status = 'running', started_at = coalesce(started_at, now())"
	    " WHERE id = $1 AND status IN ('queued', 'running') AND NOT cancel_requested"
	    " RETURNING start_url, max_pages, depth, same_host", 1, (const char *[]){ a })) != PSS_OK)
		return e;
	c->start_url = xstrdup(db_res_get(r, 0, 0));
	c->max_pages = db_res_int(r, 0, 1);
	c->depth = db_res_int(r, 0, 2);
	c->same_host = db_res_bool(r, 0, 3);
	db_res_free(r);
	return PSS_OK;
}

void
db_crawl_free(struct db_crawl *c)
{
	free(c->start_url);
	memset(c, 0, sizeof(*c));
}

enum pss_err
db_crawl_progress(struct db *db, int64_t id, int64_t fetched, int64_t stored, int64_t unchanged,
    int64_t skipped, bool *cancel)
{
	struct db_res *r;
	char a[24], f[24], s[24], u[24], k[24];
	enum pss_err e;

	*cancel = false;
	db_id(a, id);
	db_id(f, fetched);
	db_id(s, stored);
	db_id(u, unchanged);
	db_id(k, skipped);
	if ((e = db_exec_row(db, &r, "UPDATE crawls SET pages_fetched = $2, pages_stored = $3,"
	    " pages_unchanged = $4, pages_skipped = $5 WHERE id = $1 RETURNING cancel_requested", 5,
	    (const char *[]){ a, f, s, u, k })) != PSS_OK)
		return e;
	*cancel = db_res_bool(r, 0, 0);
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_crawl_reason(struct db *db, int64_t id, const char *url, const char *reason)
{
	char a[24];

	db_id(a, id);
	return db_exec(db, NULL, "UPDATE crawls SET"
	    " reasons = CASE WHEN jsonb_array_length(reasons) < " STR(DB_CRAWL_REASONS_MAX)
	    " THEN reasons || jsonb_build_array(jsonb_build_object('url', $2::text, 'reason', $3::text))"
	    " ELSE reasons END,"
	    " reasons_dropped = reasons_dropped + CASE WHEN jsonb_array_length(reasons) < "
	    STR(DB_CRAWL_REASONS_MAX) " THEN 0 ELSE 1 END WHERE id = $1", 3,
	    (const char *[]){ a, url, reason });
}

enum pss_err
db_crawl_finish(struct db *db, int64_t id, const char *status, const char *message)
{
	char a[24];

	db_id(a, id);
	return db_exec(db, NULL, "UPDATE crawls SET status = $2, message = $3, finished_at = now()"
	    " WHERE id = $1", 3, (const char *[]){ a, status, message });
}

enum pss_err
db_crawl_page_get(struct db *db, const char *url, char **etag, char **last_modified, char **links)
{
	struct db_res *r;
	enum pss_err e;

	*etag = *last_modified = *links = NULL;
	if ((e = db_exec_row(db, &r, "SELECT p.etag, p.last_modified, p.links FROM crawl_pages p"
	    " WHERE p.url = $1 AND EXISTS (SELECT 1 FROM documentation d WHERE d.url = p.url)", 1,
	    (const char *[]){ url })) != PSS_OK)
		return e;
	if (!db_res_isnull(r, 0, 0))
		*etag = xstrdup(db_res_get(r, 0, 0));
	if (!db_res_isnull(r, 0, 1))
		*last_modified = xstrdup(db_res_get(r, 0, 1));
	*links = xstrdup(db_res_get(r, 0, 2));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_crawl_page_put(struct db *db, const char *url, const char *etag, const char *last_modified,
    const char *links)
{
	return db_exec(db, NULL, "INSERT INTO crawl_pages (url, etag, last_modified, links)"
	    " VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (url) DO UPDATE SET etag = $2,"
	    " last_modified = $3, links = $4::jsonb, fetched_at = now()", 4,
	    (const char *[]){ url, etag, last_modified, links });
}
