/* scripts.c: the scripts table's queries: list, keyword search, get, insert, update, new
 * version, delete, bulk */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/text.h"
#include "db/analysis.h"
#include "db/scripts.h"

const char *const db_search_modes[SEARCH__MAX] = { "keyword", "semantic", "hybrid" };

const char *const db_script_sorts[SCRIPT_SORT__MAX] = {
	"updatedAt", "createdAt", "title", "executionCount", "securityScore", "codeQualityScore", "rank",
};

/* A search's rank of the row a (with the query in qq.tsq): ts_rank divided by 1 + the log of
 * the document's length (normalization 1), so a long script does not outrank a short one by
 * its length alone (chosen on bench/search-queries.tsv: keyword recall@5 / MRR .435 / .336 ->
 * .464 / .385, hybrid .797 / .584 -> .812 / .615; docs/search.md, "Quality") */
#define RANK(a) "ts_rank('{0.05, 0.1, 0.4, 1.0}', " a ".search_vector, qq.tsq, 1)::float8"

/* The sort key of each sort (a fixed whitelist: user input never becomes SQL), its type for
 * the cursor's value, and how the value is written into a cursor (exact round trip). */
static const char *const sort_expr[SCRIPT_SORT__MAX] = {
	"s.updated_at", "s.created_at", "s.title", "s.execution_count::int8",
	"COALESCE(sa.security_score, -1)::float8", "COALESCE(sa.quality_score, -1)::float8", RANK("s"),
};
static const char *const sort_cast[SCRIPT_SORT__MAX] = {
	"timestamptz", "timestamptz", "text", "int8", "float8", "float8", "float8",
};
static const char *const sort_text[SCRIPT_SORT__MAX] = {
	"to_char(p.k AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'",
	"to_char(p.k AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'",
	"p.k", "p.k::text", "p.k::text", "p.k::text", "p.k::text",
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
	"   'code_quality_score', round(sa.quality_score::numeric, 1)," \
	"   'quality_score', round(sa.quality_score::numeric, 1)," \
	"   'riskScore', round(sa.risk_score::numeric, 1)) END)"
#define SUMMARY_JOINS \
	" LEFT JOIN users u ON u.id = s.user_id LEFT JOIN categories c ON c.id = s.category_id" \
	" LEFT JOIN script_analysis sa ON sa.script_id = s.id"
/* $1 the query, $2 its alias-expanded twin or '' (matches either), each in both
 * configurations; an english side left with negations alone (its other words were stop words:
 * "the -b" is !'b') is dropped, as it would match every script without those words, and no
 * index finds such a query (bench/search-worst.sh: a stop word and 7 negations ranked 8,400
 * scripts; the simple side keeps the stop word) */
#define TSQ_SIDE(p) "(SELECT CASE WHEN querytree(e) = 'T' THEN w ELSE e || w END" \
	" FROM websearch_to_tsquery('english', " p ") e, websearch_to_tsquery('simple', " p ") w)"
/* without a twin ($2 = ''), the query's side alone: websearch_to_tsquery('') is an empty
 * tsquery, which || leaves out anyway, but makes PostgreSQL send a NOTICE ("query doesn't
 * contain lexemes") with every search; the other branch is never run */
#define TSQUERY "(CASE WHEN $2 = '' THEN " TSQ_SIDE("$1") " ELSE " TSQ_SIDE("$1") " || " \
	TSQ_SIDE("$2") " END)"
/* the snippet of a search result s: the query q.tsq, its lexemes q.lx and its headline's
 * query q.hq, made once a statement (QUERY_LEXEMES) */
#define QUERY_LEXEMES "SELECT z.tsq, " DB_HEADLINE_LEXEMES("z.tsq") " AS lx, " \
	DB_HEADLINE_QUERY("z.tsq") " AS hq FROM (SELECT " TSQUERY " AS tsq OFFSET 0) z"
#define HEADLINE(q) "ts_headline('simple', " \
	DB_HEADLINE_TEXT("coalesce(s.description, '') || E'\\n' || s.content", q ".lx") ", " \
	q ".hq, 'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=12," \
	" MaxFragments=2, FragmentDelimiter=\" ... \"')"

enum script_sort
db_script_sort_parse(const char *s)
{
	if (s == NULL || *s == '\0')
		return SCRIPT_SORT_UPDATED;
	for (int i = 0; i < SCRIPT_SORT__MAX; i++)
		if (strcmp(s, db_script_sorts[i]) == 0)
			return (enum script_sort)i;
	return SCRIPT_SORT__MAX;
}

void
db_script_filter_init(struct script_filter *f, bool search)
{
	memset(f, 0, sizeof(*f));
	f->is_public = -1;
	f->sort = search ? SCRIPT_SORT_RANK : SCRIPT_SORT_UPDATED;
	f->page = 1;
	f->limit = DB_LIMIT_DEFAULT;
}

/* ---- a statement under construction: SQL text and its text parameters ---- */

#define Q_MAXP 32
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

	db_id(b, v);
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
	if (strcmp(c->raw, db_script_sorts[sort]) != 0 || strcmp(bar[0] + 1, asc ? "a" : "d") != 0 ||
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

bool
db_script_cursor_valid(const char *s, enum script_sort sort, bool asc)
{
	struct cursor c;

	if (!cursor_parse(s, sort, asc, &c))
		return false;
	free(c.raw);
	return true;
}

static char *
cursor_make(enum script_sort sort, bool asc, int64_t id, const char *key)
{
	struct buf b = BUF_INIT;
	char *out;

	buf_printf(&b, "%s|%s|%lld|%s", db_script_sorts[sort], asc ? "a" : "d", (long long)id, key);
	out = b64url_encode(b.data, b.len);
	buf_free(&b);
	return out;
}

/* ---- list and search ---- */

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
	for (size_t i = 0; f->tag != NULL && i < f->n_and_tags && i < PSS_ARRAY_LEN(f->and_tags); i++)
		buf_printf(b, " AND EXISTS (SELECT 1 FROM script_tags st JOIN tags t ON t.id = st.tag_id"
		    " WHERE st.script_id = s.id AND t.name = lower(btrim($%d)))", q_param(q, f->and_tags[i]));
	if (f->has_min_security) {
		char d[32];

		snprintf(d, sizeof(d), "%.17g", f->min_security);
		buf_printf(b, " AND sa.security_score >= $%d::float8", q_param(q, d));
	}
}

static enum pss_err
list_or_search(struct db *db, const struct viewer *v, const struct script_filter *fin, bool search,
    struct json_object **out)
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
		f.limit = DB_LIMIT_DEFAULT;
	if (f.cursor != NULL && !cursor_parse(f.cursor, f.sort, f.asc, &cur))
		return PSS_EINVAL;
	dir = f.asc ? "ASC" : "DESC";

	/* total: one count(*) of the whole filter; a search counts its materialised matches in
	 * the page query instead (the match set is needed whole for ranking anyway) */
	if (search) {
		q_param(&cq, f.query);
		q_param(&cq, f.query_alt != NULL ? f.query_alt : "");
	}
	buf_puts(&cq.sql, "SELECT count(*) FROM scripts s LEFT JOIN script_analysis sa ON sa.script_id = s.id");
	if (search)
		buf_puts(&cq.sql, " CROSS JOIN (SELECT " TSQUERY " AS tsq) qq");
	where(&cq, v, &f, search);
	if (!search && (e = db_exec(db, &cr, cq.sql.data, cq.n, cq.p)) != PSS_OK)
		goto out;

	/* the page: ids and keys first, then the JSON (and snippets) of those rows only */
	if (search) {
		q_param(&lq, f.query);
		q_param(&lq, f.query_alt != NULL ? f.query_alt : "");
	}
	/* m: the matches with their sort key, the rank only when it is the key (the page's rows
	 * get theirs below); the query once in qq, not in every row of m (7,000 copies of a
	 * 16-word tsquery cost 6 ms) */
	if (search)
		buf_puts(&lq.sql, "WITH qq AS MATERIALIZED (" QUERY_LEXEMES "),");
	buf_printf(&lq.sql, "%s %s AS %s(SELECT s.id, %s AS k FROM scripts s"
	    " LEFT JOIN script_analysis sa ON sa.script_id = s.id", search ? "" : "WITH", search ? "m" : "p",
	    search ? "MATERIALIZED " : "", sort_expr[f.sort]);
	if (search)
		buf_puts(&lq.sql, " CROSS JOIN qq");
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
		buf_puts(&lq.sql, ", " RANK("s") ", " HEADLINE("qq") ", (SELECT count(*) FROM m)");
	buf_printf(&lq.sql, " FROM p JOIN scripts s ON s.id = p.id%s" SUMMARY_JOINS
	    " ORDER BY p.k %s, p.id %s", search ? " CROSS JOIN qq" : "", dir, dir);
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
		struct json_object *s = db_json_parse(db_res_get(lr, i, 0));

		if (search && s != NULL) {
			json_object_object_add(s, "rank", json_object_new_int64((f.page - 1) * f.limit + i + 1));
			json_object_object_add(s, "score", json_object_new_double(db_res_double(lr, i, 3)));
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
		json_object_object_add(o, "sort", json_object_new_string(db_script_sorts[f.sort]));
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

enum pss_err
db_scripts_list(struct db *db, const struct viewer *v, const struct script_filter *f,
    struct json_object **out)
{
	return list_or_search(db, v, f, false, out);
}

enum pss_err
db_scripts_search(struct db *db, const struct viewer *v, const struct script_filter *f,
    struct json_object **out)
{
	return list_or_search(db, v, f, true, out);
}

static char *ids_array(const int64_t *ids, size_t n);

enum pss_err
db_scripts_filter_ids(struct db *db, const struct viewer *v, const struct script_filter *f,
    const int64_t *ids, size_t n, uint8_t *keep)
{
	struct q q = { BUF_INIT, { 0 }, { 0 }, 0 };
	struct db_res *r = NULL;
	char *lit;
	enum pss_err e;

	memset(keep, 1, n);
	if (n == 0)
		return PSS_OK;
	lit = ids_array(ids, n);
	/* the candidates left out (gone, unseen or filtered: usually none), not the 1,000 kept.
	 * Each candidate is looked up by its id (OFFSET 0 keeps the lookup a subquery of its
	 * own): PostgreSQL's custom plan, which knows the array's 1,000 elements, would otherwise
	 * hash every script the viewer sees for an anti-join (9-12 ms at 100,000 scripts, against
	 * 1.6-2.1 ms for the 1,000 lookups), and a connection's first five runs take it. */
	buf_printf(&q.sql, "SELECT cand.ord FROM unnest($%d::int8[]) WITH ORDINALITY AS cand(id, ord)"
	    " WHERE NOT EXISTS (SELECT 1 FROM (SELECT 1 FROM scripts s"
	    " LEFT JOIN script_analysis sa ON sa.script_id = s.id", q_param(&q, lit));
	free(lit);
	where(&q, v, f, false);
	buf_puts(&q.sql, " AND s.id = cand.id OFFSET 0) x)");
	if ((e = db_exec_prepared(db, &r, q.sql.data, q.n, q.p)) == PSS_OK)
		for (int i = 0; i < db_res_rows(r); i++) {
			int64_t ord = db_res_int(r, i, 0);

			if (ord >= 1 && (size_t)ord <= n)
				keep[ord - 1] = 0;
		}
	else
		memset(keep, 0, n);
	db_res_free(r);
	q_free(&q);
	return e;
}

enum pss_err
db_scripts_pick(struct db *db, const struct viewer *v, const int64_t *ids, size_t n, int64_t skip,
    int max, size_t *ord, struct json_object **out)
{
	struct q q = { BUF_INIT, { 0 }, { 0 }, 0 };
	struct script_filter f;
	struct db_res *r = NULL;
	char *lit;
	enum pss_err e;

	*out = json_object_new_array();
	if (n == 0 || max <= 0)
		return PSS_OK;
	db_script_filter_init(&f, false);
	lit = ids_array(ids, n);
	buf_printf(&q.sql, "SELECT cand.ord, s.id, s.title, c.id, c.name"
	    " FROM unnest($%d::int8[]) WITH ORDINALITY AS cand(id, ord) JOIN scripts s ON s.id = cand.id"
	    " LEFT JOIN categories c ON c.id = s.category_id", q_param(&q, lit));
	free(lit);
	where(&q, v, &f, false);
	buf_printf(&q.sql, " AND s.id <> $%d ORDER BY cand.ord LIMIT $%d", q_int(&q, skip), q_int(&q, max));
	if ((e = db_exec_prepared(db, &r, q.sql.data, q.n, q.p)) == PSS_OK)
		for (int i = 0; i < db_res_rows(r); i++) {
			int64_t o = db_res_int(r, i, 0);
			struct json_object *sc = json_object_new_object(), *cat = NULL;

			if (o < 1 || (size_t)o > n)
				continue;
			ord[json_object_array_length(*out)] = (size_t)o - 1;
			json_object_object_add(sc, "id", json_object_new_int64(db_res_int(r, i, 1)));
			json_object_object_add(sc, "title", json_object_new_string(db_res_get(r, i, 2)));
			if (!db_res_isnull(r, i, 3)) {
				cat = json_object_new_object();
				json_object_object_add(cat, "id", json_object_new_int64(db_res_int(r, i, 3)));
				json_object_object_add(cat, "name", json_object_new_string(db_res_get(r, i, 4)));
			}
			json_object_object_add(sc, "category", cat);
			json_object_array_add(*out, sc);
		}
	db_res_free(r);
	q_free(&q);
	return e;
}

/* a text[] or float8[] literal of n elements (words: ASCII letters, digits and dashes) */
static char *
array_literal(const char *const *words, const double *nums, size_t n)
{
	struct buf b = BUF_INIT;

	buf_putc(&b, '{');
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&b, ',');
		if (words != NULL)
			buf_printf(&b, "\"%s\"", words[i]);
		else
			buf_printf(&b, "%.17g", nums[i]);
	}
	buf_putc(&b, '}');
	return buf_detach(&b);
}

enum pss_err
db_scripts_search_any(struct db *db, const struct viewer *v, const struct script_filter *f,
    const char *const *words, const double *idf, size_t n, int most, int budget, int max,
    int64_t *ids, double *scores, int *n_out, int *all)
{
	struct q q = { BUF_INIT, { 0 }, { 0 }, 0 };
	struct db_res *r = NULL;
	char *wl, *il;
	enum pss_err e;

	*n_out = 0;
	*all = 0;
	if (n == 0)
		return PSS_OK;
	wl = array_literal(words, NULL, n);
	il = array_literal(NULL, idf, n);
	q_param(&q, wl);	/* $1, $2, $3, $4, $5 */
	q_param(&q, il);
	q_int(&q, most);
	q_int(&q, max);
	q_int(&q, budget);
	free(wl);
	free(il);
	/*
	 * w: each word that is not a stop word (the `most` rarest by idf) as a tsquery of both
	 * configurations, with df, how many scripts have it as the column's statistics estimate
	 * (st: ANALYZE's most common lexemes and their frequencies; 0 for a word not among them,
	 * which is rarer than all of them), and gen: whether it is one of the words that find the
	 * candidates, the rarest first while their df add up to at most $5, the rarest always.
	 * qq: tsq, any word (ts_rank's); gq, the candidates' query: the generating words', or,
	 * when even the rarest word is in more than $5 scripts, the scripts with both of the two
	 * rarest; quorum, how many words a script needs (two, or the one word).
	 * c: the candidates the viewer sees, scored by the sum of the idf of the words each has
	 * (each word tested against the script's tsvector) plus its ts_rank over any word, with
	 * how many words it has: one bitmap scan of gq, each row read once, so the work is bounded
	 * by the rarer words' scripts, not by the most common word's. A script with none of the
	 * generating words but two common ones is not found: it would rank below every script
	 * with a rarer word, and semantic ranking is beside it (docs/search.md, "Hybrid's keyword
	 * side at scale").
	 */
	buf_puts(&q.sql, "WITH st AS MATERIALIZED (SELECT ps.most_common_elems::text::text[] AS e,"
	    "  ps.most_common_elem_freqs AS f, (SELECT greatest(pc.reltuples, 0) FROM pg_class pc"
	    "  WHERE pc.oid = 'scripts'::regclass) AS n FROM pg_stats ps WHERE ps.schemaname = current_schema()"
	    "  AND ps.tablename = 'scripts' AND ps.attname = 'search_vector'),"
	    " w0 AS MATERIALIZED (SELECT u.i, u.idf, plainto_tsquery('english', u.w) || plainto_tsquery('simple', u.w)"
	    "  AS q, coalesce((SELECT max(m.f) * st.n FROM st, unnest(st.e, st.f) AS m(e, f)"
	    "  WHERE m.e = ANY (l.lx) GROUP BY st.n), 0) AS df"
	    "  FROM unnest($1::text[], $2::float8[]) WITH ORDINALITY AS u(w, idf, i)"
	    "  CROSS JOIN LATERAL (SELECT tsvector_to_array(to_tsvector('english', u.w) || to_tsvector('simple', u.w))"
	    "  AS lx OFFSET 0) l WHERE length(to_tsvector('english', u.w)) > 0 ORDER BY u.idf DESC, u.i LIMIT $3::int),"
	    " w AS MATERIALIZED (SELECT w0.q, w0.idf, w0.df, row_number() OVER o AS rk,"
	    "  (row_number() OVER o = 1 OR sum(w0.df) OVER o <= $5::int) AS gen FROM w0"
	    "  WINDOW o AS (ORDER BY w0.df, w0.idf DESC, w0.i ROWS UNBOUNDED PRECEDING)),"
	    " qq AS MATERIALIZED (SELECT a.tsq, CASE WHEN a.df1 > $5::int AND a.nw > 1"
	    "  THEN (SELECT q FROM w WHERE rk = 1) && (SELECT q FROM w WHERE rk = 2) ELSE a.gq END AS gq,"
	    "  least(2, a.nw) AS quorum, a.nw FROM (SELECT"
	    "  string_agg('(' || q::text || ')', ' | ')::tsquery AS tsq,"
	    "  (string_agg('(' || q::text || ')', ' | ') FILTER (WHERE gen))::tsquery AS gq,"
	    "  count(*) AS nw, max(df) FILTER (WHERE rk = 1) AS df1 FROM w) a),"
	    " c AS MATERIALIZED (SELECT s.id, m.idf + " RANK("s") " AS score, m.n FROM qq, scripts s"
	    "  CROSS JOIN LATERAL (SELECT sum(w.idf) AS idf, count(*) AS n FROM w"
	    "  WHERE s.search_vector @@ w.q) m LEFT JOIN script_analysis sa ON sa.script_id = s.id");
	where(&q, v, f, false);
	buf_puts(&q.sql, " AND s.search_vector @@ qq.gq AND m.n >= qq.quorum)"
	    " SELECT c.id, c.score, c.n = qq.nw FROM c CROSS JOIN qq ORDER BY 2 DESC, 1 DESC LIMIT $4::int");
	if ((e = db_exec_prepared(db, &r, q.sql.data, q.n, q.p)) == PSS_OK)
		for (int i = 0; i < db_res_rows(r) && i < max; i++) {
			ids[*n_out] = db_res_int(r, i, 0);
			scores[(*n_out)++] = db_res_double(r, i, 1);
			if (*all == i && db_res_bool(r, i, 2))
				(*all)++;
		}
	db_res_free(r);
	q_free(&q);
	return e;
}

enum pss_err
db_scripts_summaries(struct db *db, const struct viewer *v, const int64_t *ids, size_t n,
    const char *query, const char *query_alt, struct json_object **out)
{
	struct q q = { BUF_INIT, { 0 }, { 0 }, 0 };
	struct db_res *r = NULL;
	char *lit;
	enum pss_err e;

	*out = json_object_new_array();
	if (n == 0)
		return PSS_OK;
	lit = ids_array(ids, n);
	q_param(&q, query);	/* $1, $2: TSQUERY's */
	q_param(&q, query_alt != NULL ? query_alt : "");
	buf_printf(&q.sql, "SELECT " SUMMARY_JSON ", " HEADLINE("p")
	    " FROM unnest($%d::int8[]) WITH ORDINALITY AS cand(id, ord) JOIN scripts s ON s.id = cand.id"
	    " CROSS JOIN (" QUERY_LEXEMES " OFFSET 0) p" SUMMARY_JOINS,
	    q_param(&q, lit));
	free(lit);
	where(&q, v, &(struct script_filter){ .is_public = -1 }, false);
	buf_puts(&q.sql, " ORDER BY cand.ord");
	if ((e = db_exec_prepared(db, &r, q.sql.data, q.n, q.p)) == PSS_OK)
		for (int i = 0; i < db_res_rows(r); i++) {
			struct json_object *o = db_json_parse(db_res_get(r, i, 0));

			if (o == NULL)
				continue;
			json_object_object_add(o, "snippet", json_object_new_string(db_res_get(r, i, 1)));
			json_object_array_add(*out, o);
		}
	db_res_free(r);
	q_free(&q);
	return e;
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
	db_id(sid, id);
	p[0] = sid;
	db_viewer_params(v, uid, &p[1], &p[2]);
	return db_exec_row(db, r, sql, 3, p);
}

enum pss_err
db_script_get(struct db *db, const struct viewer *v, int64_t id, struct json_object **out)
{
	struct db_res *r;
	enum pss_err e;

	*out = NULL;
	if ((e = script_row(db, v, id, "SELECT " SUMMARY_JSON ", s.content, " DB_ANALYSIS_JSON
	    ", " DB_ANALYSIS_JOB_JSON " FROM scripts s" SUMMARY_JOINS " WHERE s.id = $1 AND " VISIBLE, &r)) != PSS_OK)
		return e;
	*out = db_json_parse(db_res_get(r, 0, 0));
	json_object_object_add(*out, "content", json_object_new_string(db_res_get(r, 0, 1)));
	json_object_object_add(*out, "analysis", db_res_isnull(r, 0, 2) ? NULL :
	    db_json_parse(db_res_get(r, 0, 2)));
	json_object_object_add(*out, "analysisJob", db_res_isnull(r, 0, 3) ? NULL :
	    db_json_parse(db_res_get(r, 0, 3)));
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
db_script_access(struct db *db, const struct viewer *v, int64_t id, bool lock, bool *owner)
{
	struct db_res *r;
	enum pss_err e;

	*owner = false;
	if ((e = script_row(db, v, id, lock ?
	    "SELECT $3::bool OR s.user_id = $2::int FROM scripts s WHERE s.id = $1 AND " VISIBLE " FOR UPDATE" :
	    "SELECT $3::bool OR s.user_id = $2::int FROM scripts s WHERE s.id = $1 AND " VISIBLE, &r)) != PSS_OK)
		return e;
	*owner = db_res_bool(r, 0, 0);
	db_res_free(r);
	return PSS_OK;
}

/* A script with this content the owner (user id, "" for none) may see: its own first, else a
 * public one; not the script skip (0: none). 0 when there is none (or on an error). Another
 * user's private copy is never named: a private script acts as absent for everyone else
 * (issue 12 item 5; docs/library.md "What a duplicate is"). */
static int64_t
visible_by_hash(struct db *db, const char *hash, const char *owner, int64_t skip)
{
	struct db_res *r;
	char sk[24];
	int64_t id = 0;

	db_id(sk, skip);
	if (db_exec(db, &r, "SELECT id FROM scripts WHERE file_hash = $1 AND id <> $3::int"
	    " AND (is_public OR user_id IS NOT DISTINCT FROM NULLIF($2, '')::int)"
	    " ORDER BY is_public, id LIMIT 1", 3, (const char *[]){ hash, owner, sk }) == PSS_OK) {
		if (db_res_rows(r) > 0)
			id = db_res_int(r, 0, 0);
		db_res_free(r);
	}
	return id;
}

/* hash_lock: one writer of a content at a time until the transaction ends, so the check
 * for a visible copy and the write that follows are one step (the unique indexes,
 * idx_scripts_owner_file_hash and idx_scripts_public_file_hash, back it). */
static enum pss_err
hash_lock(struct db *db, const char *hash)
{
	return db_exec(db, NULL, "SELECT pg_advisory_xact_lock(hashtextextended($1, 20260))", 1,
	    (const char *[]){ hash });
}

int64_t
db_script_by_hash(struct db *db, const char *text, size_t len, int64_t owner)
{
	char hash[65], uid[24];

	sha256_hex(text, len, hash);
	db_id(uid, owner);
	return visible_by_hash(db, hash, owner > 0 ? uid : "", 0);
}

int64_t
db_script_public_twin(struct db *db, int64_t id)
{
	struct db_res *r;
	char sid[24];
	int64_t twin = 0;

	db_id(sid, id);
	if (db_exec(db, &r, "SELECT p.id FROM scripts s JOIN scripts p ON p.file_hash = s.file_hash"
	    " AND p.is_public AND p.id <> s.id WHERE s.id = $1 LIMIT 1", 1, (const char *[]){ sid }) == PSS_OK) {
		if (db_res_rows(r) > 0)
			twin = db_res_int(r, 0, 0);
		db_res_free(r);
	}
	return twin;
}

enum pss_err
db_script_insert(struct db *db, const struct script_row *sr, const char *text, size_t len,
    int64_t *id, int64_t *existing)
{
	struct db_res *r;
	char hash[65], uid[24], cid[24], sid[24];
	const char *owner;
	enum pss_err e;

	*id = *existing = 0;
	sha256_hex(text, len, hash);
	db_id(uid, sr->user_id);
	db_id(cid, sr->category_id);
	owner = sr->user_id > 0 ? uid : "";
	if ((e = hash_lock(db, hash)) != PSS_OK)
		return e;
	if ((*existing = visible_by_hash(db, hash, owner, 0)) != 0)
		return PSS_ECONFLICT;
	/* DO NOTHING keeps the transaction usable should the indexes refuse it still (a content
	 * made public meanwhile by an update, which takes no lock on the new flag) */
	e = db_exec(db, &r, "INSERT INTO scripts (title, description, content, user_id, category_id,"
	    " is_public, file_hash, search_terms) VALUES ($1, $2, $3, NULLIF($4, '')::int,"
	    " NULLIF($5::int, 0), $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id", 8, (const char *[]){
		sr->title, sr->description, text, owner, cid, sr->is_public ? "true" : "false", hash,
		sr->search_terms });
	if (e != PSS_OK)
		return e;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		if ((*existing = visible_by_hash(db, hash, owner, 0)) == 0)
			*existing = -1;
		return PSS_ECONFLICT;
	}
	*id = db_res_int(r, 0, 0);
	db_res_free(r);
	db_id(sid, *id);
	return db_exec(db, NULL, "INSERT INTO script_versions (script_id, content, version, user_id,"
	    " commit_message) VALUES ($1, $2, 1, NULLIF($3, '')::int, $4)", 4, (const char *[]){ sid,
		text, owner, sr->commit_message });
}

enum pss_err
db_script_set(struct db *db, int64_t id, const char *title, const char *description,
    bool clear_description, bool has_category, int64_t category_id, int is_public)
{
	char sid[24], cid[24];

	db_id(sid, id);
	db_id(cid, category_id);
	return db_exec(db, NULL, "UPDATE scripts SET title = COALESCE($2, title),"
	    " description = CASE WHEN $3::bool THEN NULL ELSE COALESCE($4, description) END,"
	    " category_id = CASE WHEN $5::bool THEN NULLIF($6::int, 0) ELSE category_id END,"
	    " is_public = COALESCE($7::bool, is_public) WHERE id = $1", 7, (const char *[]){
		sid, title, clear_description ? "true" : "false", description,
		has_category ? "true" : "false", cid,
		is_public < 0 ? NULL : is_public ? "true" : "false" });
}

enum pss_err
db_script_new_version(struct db *db, int64_t id, int64_t author, const char *text, size_t len,
    const char *message, bool force, int64_t *version, int64_t *existing, bool *hash_race,
    const char *search_terms)
{
	struct db_res *r;
	char hash[65], sid[24], uid[24], owner[24];
	int64_t other;
	enum pss_err e;

	*version = *existing = 0;
	sha256_hex(text, len, hash);
	db_id(sid, id);
	db_id(uid, author);
	if ((e = db_exec(db, &r, "SELECT file_hash = $2, COALESCE(user_id::text, '') FROM scripts"
	    " WHERE id = $1", 2, (const char *[]){ sid, hash })) != PSS_OK)
		return e;
	if (db_res_bool(r, 0, 0) && !force) {
		db_res_free(r);
		return PSS_OK;	/* the same content: no new version */
	}
	snprintf(owner, sizeof(owner), "%s", db_res_get(r, 0, 1));
	db_res_free(r);
	/* a copy the script's owner may see: theirs, or a public one */
	if ((e = hash_lock(db, hash)) != PSS_OK)
		return e;
	if ((other = visible_by_hash(db, hash, owner, id)) != 0) {
		*existing = other;
		return PSS_ECONFLICT;
	}
	/* the commands' meaning follows the content in the same row write (the purpose, of the
	 * old content, goes until the new analysis's embedding job puts its own) */
	e = db_exec(db, &r, "UPDATE scripts SET content = $2, file_hash = $3, version = version + 1,"
	    " search_terms = $4 WHERE id = $1 RETURNING version", 4, (const char *[]){ sid, text, hash,
		search_terms });
	if (e == PSS_ECONFLICT && strstr(db_last_constraint(db), "file_hash") != NULL) {
		*hash_race = true;
		return e;
	}
	if (e != PSS_OK)
		return e;
	*version = db_res_int(r, 0, 0);
	e = db_exec(db, NULL, "INSERT INTO script_versions (script_id, content, version, user_id,"
	    " commit_message) VALUES ($1, $2, $3, NULLIF($4::int, 0), $5)", 5,
	    (const char *[]){ sid, text, db_res_get(r, 0, 0), uid, message });
	db_res_free(r);
	return e;
}

enum pss_err
db_script_terms_source(struct db *db, int64_t id, size_t max, char **content, char **purpose,
    char **hash)
{
	struct db_res *r;
	char sid[24], mx[24];
	enum pss_err e;

	*content = *purpose = *hash = NULL;
	db_id(sid, id);
	snprintf(mx, sizeof(mx), "%zu", max);
	if ((e = db_exec(db, &r, "SELECT left(s.content, $2::int), coalesce(sa.purpose, ''), s.file_hash"
	    " FROM scripts s LEFT JOIN script_analysis sa ON sa.script_id = s.id WHERE s.id = $1", 2,
	    (const char *[]){ sid, mx })) != PSS_OK)
		return e;
	if (db_res_rows(r) != 1)
		e = PSS_ENOTFOUND;
	else {
		*content = xstrdup(db_res_get(r, 0, 0));
		*purpose = xstrdup(db_res_get(r, 0, 1));
		*hash = xstrdup(db_res_get(r, 0, 2));
	}
	db_res_free(r);
	return e;
}

enum pss_err
db_script_terms_set(struct db *db, int64_t id, const char *hash, const char *terms, bool *changed)
{
	struct db_res *r;
	char sid[24];
	enum pss_err e;

	*changed = false;
	db_id(sid, id);
	if ((e = db_exec(db, &r, "UPDATE scripts SET search_terms = $3 WHERE id = $1 AND file_hash = $2"
	    " AND search_terms IS DISTINCT FROM $3 RETURNING id", 3,
	    (const char *[]){ sid, hash, terms })) != PSS_OK)
		return e;
	*changed = db_res_rows(r) > 0;
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_script_delete(struct db *db, int64_t id)
{
	char sid[24];

	db_id(sid, id);
	return db_exec(db, NULL, "DELETE FROM scripts WHERE id = $1", 1, (const char *[]){ sid });
}

enum pss_err
db_scripts_vacuum(struct db *db)
{
	/* the simple protocol, outside any transaction: VACUUM runs in no transaction block */
	return db_exec_script(db, "VACUUM (ANALYZE) scripts");
}

/* ---- bulk ---- */

/* ids_array: "{1,2,3}" for an int[] parameter (caller frees). */
static char *
ids_array(const int64_t *ids, size_t n)
{
	struct buf b = BUF_INIT;

	/* without printf: a printf a number was most of building semantic search's 1,000
	 * candidates (about 1 M instructions a request, callgrind) */
	buf_grow(&b, n * FMT_INT_MAX + 3);
	buf_putc(&b, '{');
	for (size_t i = 0; i < n; i++) {
		char d[FMT_INT_MAX];

		if (i > 0)
			buf_putc(&b, ',');
		buf_append(&b, d, fmt_i64(d, ids[i]));
	}
	buf_putc(&b, '}');
	return buf_detach(&b);
}

enum pss_err
db_scripts_lock_owned(struct db *db, const struct viewer *v, const int64_t *ids, size_t n, bool *owned)
{
	struct db_res *r;
	char uid[24], *arr = ids_array(ids, n);
	enum pss_err e;

	db_id(uid, v->user_id);
	e = db_exec(db, &r, "SELECT id FROM scripts WHERE id = ANY($1::int[]) AND ($2::bool OR user_id = $3::int)"
	    " ORDER BY id FOR UPDATE", 3, (const char *[]){ arr, v->admin ? "true" : "false",
		v->user_id > 0 ? uid : NULL });
	free(arr);
	if (e != PSS_OK)
		return e;
	for (size_t i = 0; i < n; i++) {
		owned[i] = false;
		for (int k = 0; k < db_res_rows(r) && !owned[i]; k++)
			owned[i] = db_res_int(r, k, 0) == ids[i];
	}
	db_res_free(r);
	return PSS_OK;
}

/* ids_count: runs sql ($1 the ids, then params) and counts the rows it returns. */
static enum pss_err
ids_count(struct db *db, const char *sql, const int64_t *ids, size_t n, int np,
    const char *const *params, int64_t *count)
{
	struct db_res *r;
	const char *p[4];
	char *arr = ids_array(ids, n);
	enum pss_err e;

	p[0] = arr;
	for (int i = 0; i < np && i < 3; i++)
		p[i + 1] = params[i];
	e = db_exec(db, &r, sql, np + 1, p);
	free(arr);
	if (e != PSS_OK)
		return e;
	if (count != NULL)
		*count = db_res_rows(r);
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_scripts_delete(struct db *db, const int64_t *ids, size_t n, int64_t *count)
{
	return ids_count(db, "DELETE FROM scripts WHERE id = ANY($1::int[]) RETURNING id", ids, n, 0,
	    NULL, count);
}

enum pss_err
db_scripts_set(struct db *db, const int64_t *ids, size_t n, int is_public, bool has_category,
    int64_t category_id, int64_t *count)
{
	char cid[24];

	db_id(cid, category_id);
	return ids_count(db, "UPDATE scripts SET is_public = COALESCE($2::bool, is_public),"
	    " category_id = CASE WHEN $3::bool THEN NULLIF($4::int, 0) ELSE category_id END"
	    " WHERE id = ANY($1::int[]) RETURNING id", ids, n, 3, (const char *[]){
		is_public < 0 ? NULL : is_public ? "true" : "false", has_category ? "true" : "false",
		cid }, count);
}

enum pss_err
db_scripts_untag(struct db *db, const int64_t *ids, size_t n, const char *tags_json)
{
	return ids_count(db, "DELETE FROM script_tags WHERE script_id = ANY($1::int[])"
	    " AND tag_id IN (SELECT id FROM tags WHERE name IN"
	    " (SELECT lower(x) FROM json_array_elements_text($2::json) x)) RETURNING script_id", ids, n,
	    1, (const char *[]){ tags_json }, NULL);
}
