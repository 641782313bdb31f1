/* scripts.c: scripts: list, keyword search, get, create, update, delete, bulk; shared helpers */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/text.h"
#include "db/jobs.h"
#include "db/scripts.h"

const char *const script_sorts[SCRIPT_SORT__MAX] = {
	"updatedAt", "createdAt", "title", "executionCount", "securityScore", "rank",
};

/* The sort key of each sort (a fixed whitelist: user input never becomes SQL), its type for
 * the cursor's value, and how the value is written into a cursor (exact round trip). */
static const char *const sort_expr[SCRIPT_SORT__MAX] = {
	"s.updated_at", "s.created_at", "s.title", "s.execution_count::int8",
	"COALESCE(sa.security_score, -1)::float8", "r.rank",
};
static const char *const sort_cast[SCRIPT_SORT__MAX] = {
	"timestamptz", "timestamptz", "text", "int8", "float8", "float8",
};
static const char *const sort_text[SCRIPT_SORT__MAX] = {
	"to_char(p.k AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'",
	"to_char(p.k AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'",
	"p.k", "p.k::text", "p.k::text", "p.k::text",
};

/* A script summary as API.md shapes it, from s, u, c and sa. */
#define SUMMARY_JSON \
	"json_build_object('id', s.id, 'title', s.title, 'description', s.description," \
	" 'userId', s.user_id, 'categoryId', s.category_id, 'isPublic', s.is_public," \
	" 'version', s.version, 'executionCount', s.execution_count," \
	" 'averageExecutionTime', s.average_execution_time, 'lastExecutedAt', s.last_executed_at," \
	" 'fileHash', s.file_hash, 'createdAt', s.created_at, 'updatedAt', s.updated_at," \
	" 'user', CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('id', u.id, 'username', u.username) END," \
	" 'category', CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id, 'name', c.name) END," \
	" 'tags', COALESCE((SELECT json_agg(t.name ORDER BY t.name) FROM script_tags st" \
	"   JOIN tags t ON t.id = st.tag_id WHERE st.script_id = s.id), '[]'::json)," \
	" 'analysis', CASE WHEN sa.id IS NULL THEN NULL ELSE json_build_object(" \
	"   'securityScore', round(sa.security_score::numeric, 1)," \
	"   'codeQualityScore', round(sa.quality_score::numeric, 1)," \
	"   'riskScore', round(sa.risk_score::numeric, 1)) END)"
#define SUMMARY_JOINS \
	" LEFT JOIN users u ON u.id = s.user_id LEFT JOIN categories c ON c.id = s.category_id" \
	" LEFT JOIN script_analysis sa ON sa.script_id = s.id"
/* The full analysis object of API.md. */
#define ANALYSIS_JSON \
	"CASE WHEN sa.id IS NULL THEN NULL ELSE json_build_object('id', sa.id, 'scriptId', sa.script_id," \
	" 'purpose', sa.purpose, 'securityScore', round(sa.security_score::numeric, 1)," \
	" 'codeQualityScore', round(sa.quality_score::numeric, 1)," \
	" 'riskScore', round(sa.risk_score::numeric, 1), 'parameters', sa.parameter_docs," \
	" 'suggestions', sa.suggestions, 'commandDetails', sa.command_details," \
	" 'msDocsReferences', sa.ms_docs_references, 'securityIssues', sa.security_issues," \
	" 'bestPracticeViolations', sa.best_practice_violations," \
	" 'performanceInsights', sa.performance_insights, 'potentialRisks', sa.potential_risks," \
	" 'codeComplexityMetrics', sa.code_complexity_metrics," \
	" 'compatibilityNotes', sa.compatibility_notes, 'executionSummary', sa.execution_summary," \
	" 'analysisVersion', sa.analysis_version, 'provider', sa.provider," \
	" 'createdAt', sa.created_at, 'updatedAt', sa.updated_at) END"
#define TSQUERY "(websearch_to_tsquery('english', $1) || websearch_to_tsquery('simple', $1))"

enum script_sort
script_sort_parse(const char *s)
{
	if (s == NULL || *s == '\0')
		return SCRIPT_SORT_UPDATED;
	for (int i = 0; i < SCRIPT_SORT__MAX; i++)
		if (strcmp(s, script_sorts[i]) == 0)
			return (enum script_sort)i;
	return SCRIPT_SORT__MAX;
}

void
script_filter_init(struct script_filter *f, bool search)
{
	memset(f, 0, sizeof(*f));
	f->is_public = -1;
	f->sort = search ? SCRIPT_SORT_RANK : SCRIPT_SORT_UPDATED;
	f->page = 1;
	f->limit = LIB_LIMIT_DEFAULT;
}

void
lib_id(char b[24], int64_t v)
{
	snprintf(b, 24, "%lld", (long long)v);
}

enum pss_err
lib_fail(struct lib_err *err, enum pss_err e, const char *field, const char *message)
{
	if (err != NULL) {
		err->field = field;
		err->message = message;
	}
	return e;
}

enum pss_err
lib_exec_row(struct db *db, struct db_res **r, const char *sql, int n, const char *const *p)
{
	enum pss_err e = db_exec(db, r, sql, n, p);

	if (e == PSS_OK && db_res_rows(*r) == 0) {
		db_res_free(*r);
		*r = NULL;
		return PSS_ENOTFOUND;
	}
	return e;
}

void
lib_viewer_params(const struct viewer *v, char uid[24], const char **id, const char **admin)
{
	lib_id(uid, v->user_id);
	*id = v->user_id > 0 ? uid : NULL;
	*admin = v->admin ? "true" : "false";
}

const char *
lib_trim(const char *s, size_t *n)
{
	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	*n = strlen(s);
	while (*n > 0 && isspace((unsigned char)s[*n - 1]))
		(*n)--;
	return s;
}

bool
lib_no_controls(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

struct json_object *
lib_json_parse(const char *s)
{
	struct json_object *o = json_tokener_parse(s);

	return o;	/* NULL is json-c's null */
}

struct json_object *
lib_json_rows(const struct db_res *r)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < db_res_rows(r); i++)
		json_object_array_add(a, lib_json_parse(db_res_get(r, i, 0)));
	return a;
}

/* ---- a statement under construction: SQL text and its text parameters ---- */

#define Q_MAXP 24
struct q {
	struct buf	 sql;
	const char	*p[Q_MAXP];
	char		*own[Q_MAXP];
	int		 n;
};

static int
q_param(struct q *q, const char *v)
{
	if (q->n == Q_MAXP)
		pss_die("scripts: too many query parameters");
	q->own[q->n] = v != NULL ? xstrdup(v) : NULL;
	q->p[q->n] = q->own[q->n];
	return ++q->n;
}

static int
q_int(struct q *q, int64_t v)
{
	char b[24];

	lib_id(b, v);
	return q_param(q, b);
}

static void
q_free(struct q *q)
{
	for (int i = 0; i < q->n; i++)
		free(q->own[i]);
	buf_free(&q->sql);
}

/* ---- cursors: base64url("sort|order|id|key") ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *
b64url_encode(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
		    (i + 2 < n ? p[i + 2] : 0);

		buf_putc(&b, b64[v >> 18 & 63]);
		buf_putc(&b, b64[v >> 12 & 63]);
		if (i + 1 < n)
			buf_putc(&b, b64[v >> 6 & 63]);
		if (i + 2 < n)
			buf_putc(&b, b64[v & 63]);
	}
	return buf_detach(&b);
}

static char *
b64url_decode(const char *s)
{
	struct buf b = BUF_INIT;
	uint32_t acc = 0;
	int bits = 0;

	for (; *s != '\0'; s++) {
		const char *c = strchr(b64, *s);

		if (c == NULL) {
			buf_free(&b);
			return NULL;
		}
		acc = acc << 6 | (uint32_t)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(&b, (char)(acc >> bits & 0xff));
		}
	}
	buf_putc(&b, '\0');
	return buf_detach(&b);
}

struct cursor {
	char	*raw;
	int64_t	 id;
	const char *key;
};

/* cursor_parse: checks that the cursor was made for this sort and order. */
static bool
cursor_parse(const char *s, enum script_sort sort, bool asc, struct cursor *c)
{
	char *p, *bar[3];
	double d;
	int64_t i;

	memset(c, 0, sizeof(*c));
	if (strlen(s) > 2048 || (c->raw = b64url_decode(s)) == NULL)
		return false;
	p = c->raw;
	for (int k = 0; k < 3; k++) {
		if ((bar[k] = strchr(p, '|')) == NULL)
			goto bad;
		*bar[k] = '\0';
		p = bar[k] + 1;
	}
	c->key = p;
	if (strcmp(c->raw, script_sorts[sort]) != 0 || strcmp(bar[0] + 1, asc ? "a" : "d") != 0 ||
	    parse_int64(bar[1] + 1, 1, INT32_MAX, &c->id) != 0 || !utf8_valid(c->key, strlen(c->key)))
		goto bad;
	if (strcmp(sort_cast[sort], "int8") == 0 && parse_int64(c->key, INT64_MIN, INT64_MAX, &i) != 0)
		goto bad;
	if (strcmp(sort_cast[sort], "float8") == 0 && parse_double(c->key, -HUGE_VAL, HUGE_VAL, &d) != 0)
		goto bad;
	if (strcmp(sort_cast[sort], "timestamptz") == 0 &&
	    (strlen(c->key) != 29 || c->key[4] != '-' || c->key[10] != ' ' || c->key[19] != '.'))
		goto bad;
	return true;
bad:
	free(c->raw);
	c->raw = NULL;
	return false;
}

static char *
cursor_make(enum script_sort sort, bool asc, int64_t id, const char *key)
{
	struct buf b = BUF_INIT;
	char *out;

	buf_printf(&b, "%s|%s|%lld|%s", script_sorts[sort], asc ? "a" : "d", (long long)id, key);
	out = b64url_encode(b.data, b.len);
	buf_free(&b);
	return out;
}

/* ---- list and search ---- */

static enum pss_err
filter_check(const struct viewer *v, const struct script_filter *f, bool search, struct lib_err *err)
{
	if (f->is_public < -1 || f->is_public > 1)
		return lib_fail(err, PSS_EINVAL, "isPublic", "true or false");
	if (f->sort >= SCRIPT_SORT__MAX || (f->sort == SCRIPT_SORT_RANK && !search))
		return lib_fail(err, PSS_EINVAL, "sort", "unknown sort");
	if (f->page < 0 || f->page > 1000000)
		return lib_fail(err, PSS_EINVAL, "page", "page must be between 1 and 1000000");
	if (f->limit < 0 || f->limit > LIB_LIMIT_MAX)
		return lib_fail(err, PSS_EINVAL, "limit", "limit must be between 1 and 100");
	if (f->category_id < 0 || f->user_id < 0)
		return lib_fail(err, PSS_EINVAL, f->user_id < 0 ? "userId" : "categoryId", "not an id");
	if (f->has_min_security && !(f->min_security >= 0 && f->min_security <= 10))
		return lib_fail(err, PSS_EINVAL, "minSecurityScore", "a score between 0 and 10");
	if (f->mine && v->user_id <= 0)
		return lib_fail(err, PSS_EAUTH, "mine", "mine=true needs a signed-in user");
	if (f->tag != NULL && (strlen(f->tag) > 255 || !utf8_valid(f->tag, strlen(f->tag))))
		return lib_fail(err, PSS_EINVAL, "tag", "not a tag name");
	if (search && (f->query == NULL || f->query[0] == '\0' || strlen(f->query) > 1000 ||
	    !utf8_valid(f->query, strlen(f->query))))
		return lib_fail(err, PSS_EINVAL, "q", "a search text of 1 to 1000 bytes is required");
	return PSS_OK;
}

/* where: the visibility rule and the filters, for a FROM of scripts s and script_analysis sa
 * (and tsq qq when searching, whose text is $1). */
static void
where(struct q *q, const struct viewer *v, const struct script_filter *f, bool search)
{
	struct buf *b = &q->sql;

	if (v->admin)
		buf_puts(b, " WHERE TRUE");
	else if (v->user_id > 0)
		buf_printf(b, " WHERE (s.is_public OR s.user_id = $%d)", q_int(q, v->user_id));
	else
		buf_puts(b, " WHERE s.is_public");
	if (search)
		buf_puts(b, " AND s.search_vector @@ qq.tsq");
	if (f->category_id > 0)
		buf_printf(b, " AND s.category_id = $%d", q_int(q, f->category_id));
	if (f->user_id > 0)
		buf_printf(b, " AND s.user_id = $%d", q_int(q, f->user_id));
	if (f->mine)
		buf_printf(b, " AND s.user_id = $%d", q_int(q, v->user_id));
	if (f->is_public >= 0)
		buf_puts(b, f->is_public ? " AND s.is_public" : " AND NOT s.is_public");
	if (f->tag != NULL)
		buf_printf(b, " AND EXISTS (SELECT 1 FROM script_tags st JOIN tags t ON t.id = st.tag_id"
		    " WHERE st.script_id = s.id AND t.name = lower(btrim($%d)))", q_param(q, f->tag));
	if (f->has_min_security) {
		char d[32];

		snprintf(d, sizeof(d), "%.17g", f->min_security);
		buf_printf(b, " AND sa.security_score >= $%d::float8", q_param(q, d));
	}
}

static enum pss_err
list_or_search(struct db *db, const struct viewer *v, const struct script_filter *fin, bool search,
    struct json_object **out, struct lib_err *err)
{
	struct script_filter f = *fin;
	struct q cq = { BUF_INIT, { 0 }, { 0 }, 0 }, lq = { BUF_INIT, { 0 }, { 0 }, 0 };
	struct db_res *cr = NULL, *lr = NULL;
	struct cursor cur = { 0 };
	struct json_object *o = NULL, *arr;
	const char *dir;
	int64_t total, offset, nrows;
	enum pss_err e;

	*out = NULL;
	if (f.page == 0)
		f.page = 1;
	if (f.limit == 0)
		f.limit = LIB_LIMIT_DEFAULT;
	if ((e = filter_check(v, &f, search, err)) != PSS_OK)
		return e;
	if (f.cursor != NULL && !cursor_parse(f.cursor, f.sort, f.asc, &cur))
		return lib_fail(err, PSS_EINVAL, "cursor", "not a cursor of this sort and order");
	dir = f.asc ? "ASC" : "DESC";

	/* total: one count(*) of the whole filter; a search counts its materialised matches in
	 * the page query instead (the match set is needed whole for ranking anyway) */
	if (search)
		q_param(&cq, f.query);
	buf_puts(&cq.sql, "SELECT count(*) FROM scripts s LEFT JOIN script_analysis sa ON sa.script_id = s.id");
	if (search)
		buf_puts(&cq.sql, " CROSS JOIN (SELECT " TSQUERY " AS tsq) qq");
	where(&cq, v, &f, search);
	if (!search && (e = db_exec(db, &cr, cq.sql.data, cq.n, cq.p)) != PSS_OK)
		goto out;

	/* the page: ids and keys first, then the JSON (and snippets) of those rows only */
	if (search)
		q_param(&lq, f.query);
	buf_printf(&lq.sql, "WITH %s AS %s(SELECT s.id, %s AS k%s FROM scripts s"
	    " LEFT JOIN script_analysis sa ON sa.script_id = s.id", search ? "m" : "p",
	    search ? "MATERIALIZED " : "", sort_expr[f.sort], search ? ", r.rank, qq.tsq" : "");
	if (search)
		buf_puts(&lq.sql, " CROSS JOIN (SELECT " TSQUERY " AS tsq) qq CROSS JOIN LATERAL"
		    " (SELECT ts_rank('{0.05, 0.1, 0.4, 1.0}', s.search_vector, qq.tsq)::float8 AS rank) r");
	where(&lq, v, &f, search);
	if (search)
		buf_puts(&lq.sql, "), p AS (SELECT * FROM m WHERE TRUE");
	if (cur.raw != NULL) {
		int k = q_param(&lq, cur.key), id = q_int(&lq, cur.id);

		buf_printf(&lq.sql, " AND (%s, %s) %s ($%d::%s, $%d)", search ? "m.k" : sort_expr[f.sort],
		    search ? "m.id" : "s.id", f.asc ? ">" : "<", k, sort_cast[f.sort], id);
		offset = 0;
	} else
		offset = (f.page - 1) * f.limit;
	buf_printf(&lq.sql, " ORDER BY 2 %s, 1 %s LIMIT $%d OFFSET $%d)", dir, dir,
	    q_int(&lq, f.limit + 1), q_int(&lq, offset));
	buf_printf(&lq.sql, " SELECT " SUMMARY_JSON ", %s, s.id", sort_text[f.sort]);
	if (search)
		buf_puts(&lq.sql, ", p.rank, ts_headline('simple', left(coalesce(s.description, '') || E'\\n'"
		    " || s.content, 20000), p.tsq, 'StartSel=<mark>, StopSel=</mark>, MaxWords=35,"
		    " MinWords=12, MaxFragments=2, FragmentDelimiter=\" ... \"'), (SELECT count(*) FROM m)");
	buf_printf(&lq.sql, " FROM p JOIN scripts s ON s.id = p.id" SUMMARY_JOINS
	    " ORDER BY p.k %s, p.id %s", dir, dir);
	if ((e = db_exec(db, &lr, lq.sql.data, lq.n, lq.p)) != PSS_OK)
		goto out;
	if (!search)
		total = db_res_int(cr, 0, 0);
	else if (db_res_rows(lr) > 0)
		total = db_res_int(lr, 0, 5);
	else if (cur.raw == NULL && offset == 0)
		total = 0;
	else {
		/* past the end: count on its own */
		if ((e = db_exec(db, &cr, cq.sql.data, cq.n, cq.p)) != PSS_OK)
			goto out;
		total = db_res_int(cr, 0, 0);
	}

	o = json_object_new_object();
	arr = json_object_new_array();
	nrows = db_res_rows(lr) > f.limit ? f.limit : db_res_rows(lr);
	for (int i = 0; i < nrows; i++) {
		struct json_object *s = lib_json_parse(db_res_get(lr, i, 0));

		if (search && s != NULL) {
			json_object_object_add(s, "rank", json_object_new_double(db_res_double(lr, i, 3)));
			json_object_object_add(s, "snippet", json_object_new_string(db_res_get(lr, i, 4)));
		}
		json_object_array_add(arr, s);
	}
	json_object_object_add(o, "scripts", arr);
	json_object_object_add(o, "total", json_object_new_int64(total));
	json_object_object_add(o, "page", json_object_new_int64(f.page));
	json_object_object_add(o, "totalPages", json_object_new_int64((total + f.limit - 1) / f.limit));
	if (db_res_rows(lr) > f.limit) {
		char *c = cursor_make(f.sort, f.asc, db_res_int(lr, (int)nrows - 1, 2),
		    db_res_get(lr, (int)nrows - 1, 1));

		json_object_object_add(o, "nextCursor", json_object_new_string(c));
		free(c);
	} else
		json_object_object_add(o, "nextCursor", NULL);
	if (search) {
		json_object_object_add(o, "query", json_object_new_string(f.query));
		json_object_object_add(o, "mode", json_object_new_string("keyword"));
		json_object_object_add(o, "sort", json_object_new_string(script_sorts[f.sort]));
	}
	*out = o;
out:
	db_res_free(cr);
	db_res_free(lr);
	q_free(&cq);
	q_free(&lq);
	free(cur.raw);
	return e;
}

char *
lib_list_cache_key(const struct viewer *v, const struct script_filter *f, bool search)
{
	struct buf b = BUF_INIT;
	char hex[65], scope[32], *key;

	/* every field that changes the answer, unambiguously (strings length-prefixed) */
	buf_printf(&b, "%d|%d|%d|%lld|%lld|%d|%d|%d|%.17g|", search, (int)f->sort, f->asc,
	    (long long)f->category_id, (long long)f->user_id, f->is_public, f->mine,
	    f->has_min_security, f->has_min_security ? f->min_security : 0.0);
	buf_printf(&b, "%zu:%s|%zu:%s|%zu:%s", f->tag ? strlen(f->tag) : 0, f->tag ? f->tag : "",
	    f->cursor ? strlen(f->cursor) : 0, f->cursor ? f->cursor : "",
	    f->query ? strlen(f->query) : 0, f->query ? f->query : "");
	sha256_hex(b.data, b.len, hex);
	hex[32] = '\0';
	if (f->is_public == 1 && !f->mine)
		snprintf(scope, sizeof(scope), "anon");	/* public only: the same for everyone */
	else if (v->admin)
		snprintf(scope, sizeof(scope), "admin");
	else if (v->user_id > 0)
		snprintf(scope, sizeof(scope), "u%lld", (long long)v->user_id);
	else
		snprintf(scope, sizeof(scope), "anon");
	buf_reset(&b);
	buf_printf(&b, "scripts:%lld:%lld:%s:%s", (long long)(f->page > 0 ? f->page : 1),
	    (long long)(f->limit > 0 ? f->limit : LIB_LIMIT_DEFAULT), scope, hex);
	key = buf_detach(&b);
	return key;
}

bool
lib_script_visible(const struct viewer *v, struct json_object *s)
{
	struct json_object *pub, *uid;

	if (v->admin)
		return true;
	if (json_object_object_get_ex(s, "isPublic", &pub) && json_object_get_boolean(pub))
		return true;
	return v->user_id > 0 && json_object_object_get_ex(s, "userId", &uid) &&
	    json_object_is_type(uid, json_type_int) && json_object_get_int64(uid) == v->user_id;
}

enum pss_err
db_scripts_list(struct db *db, const struct viewer *v, const struct script_filter *f,
    struct json_object **out, struct lib_err *err)
{
	return list_or_search(db, v, f, false, out, err);
}

enum pss_err
db_scripts_search(struct db *db, const struct viewer *v, const struct script_filter *f,
    struct json_object **out, struct lib_err *err)
{
	return list_or_search(db, v, f, true, out, err);
}

/* The visibility rule as one condition on s, parameters $2 (viewer id or NULL) and $3
 * (admin): for single-row statements whose $1 is the script id. */
#define VISIBLE "($3::bool OR s.is_public OR s.user_id = $2::int)"

/* script_row: runs sql (whose $1 is the script id and VISIBLE its condition) for a
 * visible script; PSS_ENOTFOUND when there is none. */
static enum pss_err
script_row(struct db *db, const struct viewer *v, int64_t id, const char *sql, struct db_res **r)
{
	char sid[24], uid[24];
	const char *p[3];

	*r = NULL;
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	lib_id(sid, id);
	p[0] = sid;
	lib_viewer_params(v, uid, &p[1], &p[2]);
	return lib_exec_row(db, r, sql, 3, p);
}

enum pss_err
db_script_get(struct db *db, const struct viewer *v, int64_t id, struct json_object **out)
{
	struct db_res *r;
	enum pss_err e;

	*out = NULL;
	if ((e = script_row(db, v, id, "SELECT " SUMMARY_JSON ", s.content, " ANALYSIS_JSON
	    " FROM scripts s" SUMMARY_JOINS " WHERE s.id = $1 AND " VISIBLE, &r)) != PSS_OK)
		return e;
	*out = lib_json_parse(db_res_get(r, 0, 0));
	json_object_object_add(*out, "content", json_object_new_string(db_res_get(r, 0, 1)));
	json_object_object_add(*out, "analysis", db_res_isnull(r, 0, 2) ? NULL :
	    lib_json_parse(db_res_get(r, 0, 2)));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_script_content(struct db *db, const struct viewer *v, int64_t id, char **content, size_t *len,
    char **title)
{
	struct db_res *r;
	enum pss_err e;

	*content = *title = NULL;
	*len = 0;
	if ((e = script_row(db, v, id, "SELECT s.content, s.title FROM scripts s WHERE s.id = $1 AND "
	    VISIBLE, &r)) != PSS_OK)
		return e;
	*content = xstrdup(db_res_get(r, 0, 0));
	*len = strlen(*content);
	*title = xstrdup(db_res_get(r, 0, 1));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
lib_access(struct db *db, const struct viewer *v, int64_t id, bool want_write, bool lock)
{
	struct db_res *r;
	enum pss_err e;
	bool mine;

	if ((e = script_row(db, v, id, lock ?
	    "SELECT $3::bool OR s.user_id = $2::int FROM scripts s WHERE s.id = $1 AND " VISIBLE " FOR UPDATE" :
	    "SELECT $3::bool OR s.user_id = $2::int FROM scripts s WHERE s.id = $1 AND " VISIBLE, &r)) != PSS_OK)
		return e;
	mine = db_res_bool(r, 0, 0);
	db_res_free(r);
	return want_write && !mine ? PSS_EFORBIDDEN : PSS_OK;
}

enum pss_err
lib_enqueue_analysis(struct db *db, int64_t script_id)
{
	char payload[64];

	snprintf(payload, sizeof(payload), "{\"scriptId\": %lld}", (long long)script_id);
	return jobs_enqueue(db, LIB_JOB_ANALYSIS, payload, LIB_JOB_ATTEMPTS, NULL);
}

/* ---- create ---- */

/* trim_dup: s without leading and trailing ASCII white space (caller frees). */
static char *
trim_dup(const char *s)
{
	size_t n;
	const char *t = lib_trim(s, &n);

	return xstrndup(t, n);
}

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

char *
lib_title_check(const char *title, struct lib_err *err)
{
	char *t;

	if (title == NULL || !utf8_valid(title, strlen(title))) {
		lib_fail(err, PSS_EINVAL, "title", "a title is required");
		return NULL;
	}
	t = trim_dup(title);
	if (t[0] == '\0' || utf8_chars(t) > LIB_TITLE_MAX_LEN) {
		free(t);
		lib_fail(err, PSS_EINVAL, "title", "a title of 1 to 255 characters is required");
		return NULL;
	}
	if (!lib_no_controls(t, strlen(t))) {
		free(t);
		lib_fail(err, PSS_EINVAL, "title", "the title contains a control character");
		return NULL;
	}
	return t;
}

static bool
description_ok(const char *d, struct lib_err *err)
{
	if (d != NULL && (strlen(d) > 100000 || !utf8_valid(d, strlen(d)))) {
		lib_fail(err, PSS_EINVAL, "description", "a description of at most 100,000 bytes of text");
		return false;
	}
	return true;
}

static bool
message_ok(const char *m, struct lib_err *err)
{
	if (m != NULL && (strlen(m) > 10000 || !utf8_valid(m, strlen(m)))) {
		lib_fail(err, PSS_EINVAL, "commitMessage", "at most 10,000 bytes of text");
		return false;
	}
	return true;
}

/* check_content: the normalised text in *text (caller frees), or an error with err filled. */
static enum pss_err
check_content(const char *content, size_t len, char **text, size_t *outlen, struct lib_err *err)
{
	enum text_err te;

	*text = NULL;
	if (content == NULL)
		return lib_fail(err, PSS_EINVAL, "content", "content is required");
	if (len > LIB_CONTENT_MAX)
		return lib_fail(err, PSS_ETOOBIG, "content", "the content is larger than 10 MB");
	if ((te = text_normalize(content, len, text, outlen, NULL)) != TEXT_OK)
		return lib_fail(err, PSS_EINVAL, "content", text_errors[te]);
	return PSS_OK;
}

static enum pss_err
category_exists(struct db *db, int64_t id, struct lib_err *err)
{
	struct db_res *r;
	char s[24];
	enum pss_err e;
	bool found;

	if (id == 0)
		return PSS_OK;
	if (id < 0 || id > INT32_MAX)
		return lib_fail(err, PSS_EINVAL, "categoryId", "no such category");
	lib_id(s, id);
	if ((e = db_exec(db, &r, "SELECT 1 FROM categories WHERE id = $1", 1, (const char *[]){ s })) != PSS_OK)
		return e;
	found = db_res_rows(r) > 0;
	db_res_free(r);
	return found ? PSS_OK : lib_fail(err, PSS_EINVAL, "categoryId", "no such category");
}

static int64_t
existing_by_hash(struct db *db, const char *hash)
{
	struct db_res *r;
	int64_t id = 0;

	if (db_exec(db, &r, "SELECT id FROM scripts WHERE file_hash = $1", 1, (const char *[]){ hash }) == PSS_OK) {
		if (db_res_rows(r) > 0)
			id = db_res_int(r, 0, 0);
		db_res_free(r);
	}
	return id;
}

enum pss_err
lib_script_insert(struct db *db, const struct script_new *sn, const char *text, size_t len,
    const char *tags_json, int64_t *id, struct lib_err *err)
{
	struct db_res *r;
	char hash[65], uid[24], cid[24], sid[24];
	enum pss_err e;

	*id = 0;
	if ((e = category_exists(db, sn->category_id, err)) != PSS_OK)
		return e;
	sha256_hex(text, len, hash);
	lib_id(uid, sn->user_id);
	lib_id(cid, sn->category_id);
	/* The unique index decides a race: DO NOTHING waits for the other transaction and
	 * leaves ours usable, so the loser can name the winner. */
	e = db_exec(db, &r, "INSERT INTO scripts (title, description, content, user_id, category_id,"
	    " is_public, file_hash) VALUES ($1, $2, $3, $4, NULLIF($5::int, 0), $6, $7)"
	    " ON CONFLICT (file_hash) DO NOTHING RETURNING id", 7, (const char *[]){
		sn->title, sn->description, text, uid, cid, sn->is_public ? "true" : "false", hash });
	if (e != PSS_OK)
		return e;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		if (err != NULL)
			err->existing_id = existing_by_hash(db, hash);
		return lib_fail(err, PSS_ECONFLICT, "content", "the same content is already stored");
	}
	*id = db_res_int(r, 0, 0);
	db_res_free(r);
	lib_id(sid, *id);
	e = db_exec(db, NULL, "INSERT INTO script_versions (script_id, content, version, user_id,"
	    " commit_message) VALUES ($1, $2, 1, $3, $4)", 4, (const char *[]){ sid, text, uid,
		sn->commit_message != NULL ? sn->commit_message : "Initial version" });
	if (e == PSS_OK && tags_json != NULL)
		e = lib_tags_set(db, *id, tags_json, true, err);
	if (e == PSS_OK && sn->analyze)
		e = lib_enqueue_analysis(db, *id);
	return e;
}

struct create_tx {
	const struct script_new *sn;
	const char	*text;
	size_t		 len;
	const char	*tags;
	int64_t		 id;
	struct lib_err	*err;
};

static enum pss_err
create_tx(struct db *db, void *arg)
{
	struct create_tx *c = arg;

	return lib_script_insert(db, c->sn, c->text, c->len, c->tags, &c->id, c->err);
}

enum pss_err
db_script_create(struct db *db, const struct script_new *in, int64_t *id, struct lib_err *err)
{
	struct script_new sn = *in;
	struct create_tx c = { &sn, NULL, 0, NULL, 0, err };
	char *title = NULL, *text = NULL, *tags = NULL;
	enum pss_err e = PSS_EINVAL;

	*id = 0;
	if (in->user_id <= 0)
		return lib_fail(err, PSS_EAUTH, NULL, "a signed-in user is required");
	if ((title = lib_title_check(in->title, err)) == NULL || !description_ok(in->description, err))
		goto out;
	if (!message_ok(in->commit_message, err))
		goto out;
	if ((e = check_content(in->content, in->content_len, &text, &c.len, err)) != PSS_OK)
		goto out;
	e = PSS_EINVAL;
	if ((tags = lib_tags_check(in->tags, in->ntags, "tags", err)) == NULL)
		goto out;
	sn.title = title;
	c.text = text;
	c.tags = tags;
	e = db_tx(db, create_tx, &c);
	*id = c.id;
	if (e != PSS_OK)
		*id = 0;
out:
	free(title);
	free(text);
	free(tags);
	return e;
}

/* ---- update ---- */

struct update_tx {
	const struct viewer *v;
	const struct script_update *u;
	const char	*title;
	const char	*text;
	size_t		 len;
	const char	*tags;
	struct lib_err	*err;
	bool		 hash_race;
};

/* lib_new_version: content of the (locked) script becomes version N+1 by the viewer. */
static enum pss_err
new_version(struct db *db, int64_t id, int64_t author, const char *text, size_t len,
    const char *message, bool force, int64_t *version, struct lib_err *err,
    bool *hash_race)
{
	struct db_res *r;
	char hash[65], sid[24], uid[24];
	int64_t other;
	enum pss_err e;

	sha256_hex(text, len, hash);
	lib_id(sid, id);
	lib_id(uid, author);
	if ((e = db_exec(db, &r, "SELECT file_hash = $2 FROM scripts WHERE id = $1", 2,
	    (const char *[]){ sid, hash })) != PSS_OK)
		return e;
	if (db_res_bool(r, 0, 0) && !force) {
		db_res_free(r);
		return PSS_OK;	/* the same content: no new version */
	}
	db_res_free(r);
	if ((other = existing_by_hash(db, hash)) != 0 && other != id) {
		if (err != NULL)
			err->existing_id = other;
		return lib_fail(err, PSS_ECONFLICT, "content", "the same content is already stored");
	}
	e = db_exec(db, &r, "UPDATE scripts SET content = $2, file_hash = $3, version = version + 1"
	    " WHERE id = $1 RETURNING version", 3, (const char *[]){ sid, text, hash });
	if (e == PSS_ECONFLICT && strcmp(db_last_constraint(db), "idx_scripts_file_hash") == 0) {
		*hash_race = true;
		return lib_fail(err, PSS_ECONFLICT, "content", "the same content is already stored");
	}
	if (e != PSS_OK)
		return e;
	if (version != NULL)
		*version = db_res_int(r, 0, 0);
	e = db_exec(db, NULL, "INSERT INTO script_versions (script_id, content, version, user_id,"
	    " commit_message) VALUES ($1, $2, $3, NULLIF($4::int, 0), $5)", 5,
	    (const char *[]){ sid, text, db_res_get(r, 0, 0), uid, message });
	db_res_free(r);
	if (e == PSS_OK)
		e = lib_enqueue_analysis(db, id);
	return e;
}

static enum pss_err
update_tx(struct db *db, void *arg)
{
	struct update_tx *t = arg;
	const struct script_update *u = t->u;
	char sid[24], cid[24];
	enum pss_err e;

	if ((e = lib_access(db, t->v, u->id, true, true)) != PSS_OK)
		return e;
	if (u->has_category && (e = category_exists(db, u->category_id, t->err)) != PSS_OK)
		return e;
	lib_id(sid, u->id);
	lib_id(cid, u->category_id);
	e = db_exec(db, NULL, "UPDATE scripts SET title = COALESCE($2, title),"
	    " description = CASE WHEN $3::bool THEN NULL ELSE COALESCE($4, description) END,"
	    " category_id = CASE WHEN $5::bool THEN NULLIF($6::int, 0) ELSE category_id END,"
	    " is_public = COALESCE($7::bool, is_public) WHERE id = $1", 7, (const char *[]){
		sid, t->title, u->clear_description ? "true" : "false", u->description,
		u->has_category ? "true" : "false", cid,
		u->is_public < 0 ? NULL : u->is_public ? "true" : "false" });
	if (e == PSS_OK && t->text != NULL)
		e = new_version(db, u->id, t->v->user_id, t->text, t->len, u->commit_message,
		    false, NULL, t->err, &t->hash_race);
	if (e == PSS_OK && t->tags != NULL)
		e = lib_tags_set(db, u->id, t->tags, true, t->err);
	return e;
}

/* After a lost race on the hash the transaction is gone: name the winner outside it. */
static void
race_winner(struct db *db, const char *text, size_t len, struct lib_err *err)
{
	char hash[65];

	sha256_hex(text, len, hash);
	if (err != NULL)
		err->existing_id = existing_by_hash(db, hash);
}

enum pss_err
db_script_update(struct db *db, const struct viewer *v, const struct script_update *u,
    struct lib_err *err)
{
	struct update_tx t = { v, u, NULL, NULL, 0, NULL, err, false };
	char *title = NULL, *text = NULL, *tags = NULL;
	enum pss_err e = PSS_EINVAL;

	if (u->title != NULL && (title = lib_title_check(u->title, err)) == NULL)
		goto out;
	if (!description_ok(u->description, err))
		goto out;
	if (u->is_public < -1 || u->is_public > 1) {
		lib_fail(err, e, "isPublic", "true or false");
		goto out;
	}
	if (!message_ok(u->commit_message, err))
		goto out;
	if (u->content != NULL &&
	    (e = check_content(u->content, u->content_len, &text, &t.len, err)) != PSS_OK)
		goto out;
	e = PSS_EINVAL;
	if (u->has_tags && (tags = lib_tags_check(u->tags, u->ntags, "tags", err)) == NULL)
		goto out;
	t.title = title;
	t.text = text;
	t.tags = tags;
	e = db_tx(db, update_tx, &t);
	if (e == PSS_ECONFLICT && t.hash_race)
		race_winner(db, text, t.len, err);
out:
	free(title);
	free(text);
	free(tags);
	return e;
}

/* version_tx: revert's body (versions.c calls it through db_version_revert). */
struct revert_tx {
	const struct viewer *v;
	int64_t		 id, n;
	int64_t		 version;
	char		*text;
	struct lib_err	*err;
	bool		 hash_race;
};

static enum pss_err
revert_tx(struct db *db, void *arg)
{
	struct revert_tx *t = arg;
	struct db_res *r;
	char sid[24], n[24], msg[64];
	enum pss_err e;

	if ((e = lib_access(db, t->v, t->id, true, true)) != PSS_OK)
		return e;
	lib_id(sid, t->id);
	lib_id(n, t->n);
	if ((e = db_exec(db, &r, "SELECT content FROM script_versions WHERE script_id = $1 AND version = $2",
	    2, (const char *[]){ sid, n })) != PSS_OK)
		return e;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		return PSS_ENOTFOUND;
	}
	free(t->text);
	t->text = xstrdup(db_res_get(r, 0, 0));
	db_res_free(r);
	snprintf(msg, sizeof(msg), "Reverted to version %lld", (long long)t->n);
	return new_version(db, t->id, t->v->user_id, t->text, strlen(t->text), msg, true,
	    &t->version, t->err, &t->hash_race);
}

enum pss_err
db_version_revert(struct db *db, const struct viewer *v, int64_t script_id, int64_t n,
    int64_t *new_version, struct lib_err *err)
{
	struct revert_tx t = { v, script_id, n, 0, NULL, err, false };
	enum pss_err e;

	*new_version = 0;
	if (n <= 0 || n > INT32_MAX)
		return PSS_ENOTFOUND;
	e = db_tx(db, revert_tx, &t);
	if (e == PSS_ECONFLICT && t.hash_race && t.text != NULL)
		race_winner(db, t.text, strlen(t.text), err);
	if (e == PSS_OK)
		*new_version = t.version;
	free(t.text);
	return e;
}

/* ---- delete and bulk ---- */

static enum pss_err
delete_tx(struct db *db, void *arg)
{
	const int64_t *id = ((const void **)arg)[1];
	const struct viewer *v = ((const void **)arg)[0];
	char sid[24];
	enum pss_err e;

	if ((e = lib_access(db, v, *id, true, true)) != PSS_OK)
		return e;
	lib_id(sid, *id);
	return db_exec(db, NULL, "DELETE FROM scripts WHERE id = $1", 1, (const char *[]){ sid });
}

enum pss_err
db_script_delete(struct db *db, const struct viewer *v, int64_t id)
{
	const void *arg[2] = { v, &id };

	return db_tx(db, delete_tx, arg);
}

/* ids_array: "{1,2,3}" for an int[] parameter; false when an id is out of range. */
static bool
ids_array(const int64_t *ids, size_t n, struct buf *b)
{
	buf_putc(b, '{');
	for (size_t i = 0; i < n; i++) {
		if (ids[i] <= 0 || ids[i] > INT32_MAX)
			return false;
		buf_printf(b, "%s%lld", i ? "," : "", (long long)ids[i]);
	}
	buf_putc(b, '}');
	return true;
}

struct bulk_tx {
	const struct viewer *v;
	const int64_t	*ids;
	size_t		 n;
	const char	*arr;
	const struct script_bulk *bu;
	const char	*add, *remove;
	int64_t		 count;
	struct lib_err	*err;
	bool		 del;
};

/* bulk_check: locks the scripts; fills err->unauthorized with the ids the viewer may not
 * change (missing ones included) and answers PSS_EFORBIDDEN when there is any. */
static enum pss_err
bulk_check(struct db *db, struct bulk_tx *t)
{
	struct db_res *r;
	char uid[24];
	enum pss_err e;
	size_t bad = 0;

	lib_id(uid, t->v->user_id);
	e = db_exec(db, &r, "SELECT id FROM scripts WHERE id = ANY($1::int[]) AND ($2::bool OR user_id = $3::int)"
	    " ORDER BY id FOR UPDATE", 3, (const char *[]){ t->arr, t->v->admin ? "true" : "false",
		t->v->user_id > 0 ? uid : NULL });
	if (e != PSS_OK)
		return e;
	for (size_t i = 0; i < t->n; i++) {
		bool ok = false;

		for (int k = 0; k < db_res_rows(r) && !ok; k++)
			ok = db_res_int(r, k, 0) == t->ids[i];
		if (!ok && t->err != NULL && bad < PSS_ARRAY_LEN(t->err->unauthorized))
			t->err->unauthorized[bad++] = t->ids[i];
		else if (!ok)
			bad++;
	}
	db_res_free(r);
	if (t->err != NULL)
		t->err->nunauthorized = bad;
	return bad > 0 ? lib_fail(t->err, PSS_EFORBIDDEN, "ids", "some scripts are not yours") : PSS_OK;
}

static enum pss_err
bulk_tx(struct db *db, void *arg)
{
	struct bulk_tx *t = arg;
	const struct script_bulk *bu = t->bu;
	struct db_res *r;
	char cid[24];
	enum pss_err e;

	if ((e = bulk_check(db, t)) != PSS_OK)
		return e;
	if (t->del) {
		if ((e = db_exec(db, &r, "DELETE FROM scripts WHERE id = ANY($1::int[]) RETURNING id", 1,
		    (const char *[]){ t->arr })) != PSS_OK)
			return e;
		t->count = db_res_rows(r);
		db_res_free(r);
		return PSS_OK;
	}
	if (bu->has_category && (e = category_exists(db, bu->category_id, t->err)) != PSS_OK)
		return e;
	lib_id(cid, bu->category_id);
	e = db_exec(db, &r, "UPDATE scripts SET is_public = COALESCE($2::bool, is_public),"
	    " category_id = CASE WHEN $3::bool THEN NULLIF($4::int, 0) ELSE category_id END"
	    " WHERE id = ANY($1::int[]) RETURNING id", 4, (const char *[]){ t->arr,
		bu->is_public < 0 ? NULL : bu->is_public ? "true" : "false",
		bu->has_category ? "true" : "false", cid });
	if (e != PSS_OK)
		return e;
	t->count = db_res_rows(r);
	db_res_free(r);
	if (t->remove != NULL && (e = db_exec(db, NULL, "DELETE FROM script_tags WHERE script_id = ANY($1::int[])"
	    " AND tag_id IN (SELECT id FROM tags WHERE name IN"
	    " (SELECT lower(x) FROM json_array_elements_text($2::json) x))", 2,
	    (const char *[]){ t->arr, t->remove })) != PSS_OK)
		return e;
	for (size_t i = 0; t->add != NULL && i < t->n; i++)
		if ((e = lib_tags_set(db, t->ids[i], t->add, false, t->err)) != PSS_OK) {
			if (e == PSS_EINVAL && t->err != NULL)
				t->err->field = "addTags";
			return e;
		}
	return PSS_OK;
}

static enum pss_err
bulk(struct db *db, struct bulk_tx *t)
{
	struct buf arr = BUF_INIT;
	enum pss_err e;

	t->count = 0;
	if (t->n == 0 || t->n > LIB_BULK_MAX)
		return lib_fail(t->err, PSS_EINVAL, "ids", "between 1 and 100 ids");
	if (t->v->user_id <= 0 && !t->v->admin)
		return lib_fail(t->err, PSS_EAUTH, NULL, "a signed-in user is required");
	if (!ids_array(t->ids, t->n, &arr)) {
		buf_free(&arr);
		return lib_fail(t->err, PSS_EINVAL, "ids", "not an id");
	}
	t->arr = arr.data;
	e = db_tx(db, bulk_tx, t);
	buf_free(&arr);
	return e;
}

enum pss_err
db_scripts_delete(struct db *db, const struct viewer *v, const int64_t *ids, size_t n,
    int64_t *deleted, struct lib_err *err)
{
	struct bulk_tx t = { v, ids, n, NULL, NULL, NULL, NULL, 0, err, true };
	enum pss_err e = bulk(db, &t);

	*deleted = e == PSS_OK ? t.count : 0;
	return e;
}

enum pss_err
db_scripts_bulk_update(struct db *db, const struct viewer *v, const struct script_bulk *bu,
    int64_t *updated, struct lib_err *err)
{
	struct bulk_tx t = { v, bu->ids, bu->nids, NULL, bu, NULL, NULL, 0, err, false };
	char *add = NULL, *remove = NULL;
	enum pss_err e = PSS_EINVAL;

	*updated = 0;
	if (bu->is_public < -1 || bu->is_public > 1) {
		lib_fail(err, e, "isPublic", "true or false");
		goto out;
	}
	if (bu->nadd > 0 && (add = lib_tags_check(bu->add_tags, bu->nadd, "addTags", err)) == NULL)
		goto out;
	if (bu->nremove > 0 && (remove = lib_tags_check(bu->remove_tags, bu->nremove, "removeTags",
	    err)) == NULL)
		goto out;
	t.add = add;
	t.remove = remove;
	if ((e = bulk(db, &t)) == PSS_OK)
		*updated = t.count;
out:
	free(add);
	free(remove);
	return e;
}
