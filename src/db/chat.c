/* chat.c: the chat_history table's queries */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/chat.h"
#include "db/rows.h"

#define CHAT_JSON \
	"json_build_object('id', h.id, 'sessionId', h.session_id, 'title', h.title," \
	" 'messages', h.messages, 'response', h.response, 'sources', h.sources," \
	" 'category', h.category, 'createdAt', h.created_at, 'updatedAt', h.updated_at)"

#define CHAT_ITEM \
	"'id', h.id, 'sessionId', h.session_id, 'title', h.title," \
	" 'preview', left(h.response, 200), 'messageCount', jsonb_array_length(h.messages)," \
	" 'category', h.category," \
	" 'createdAt', h.created_at, 'updatedAt', h.updated_at"

static enum pss_err
one(struct db *db, const char *sql, const char *a, const char *b, struct json_object **out)
{
	struct db_res *r;
	enum pss_err e;

	*out = NULL;
	if ((e = db_exec_row(db, &r, sql, 2, (const char *[]){ a, b })) != PSS_OK)
		return e;
	*out = db_json_parse(db_res_get(r, 0, 0));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_chat_get(struct db *db, int64_t user_id, int64_t id, struct json_object **out)
{
	char u[24], i[24];

	db_id(u, user_id);
	db_id(i, id);
	return one(db, "SELECT " CHAT_JSON " FROM chat_history h WHERE h.user_id = $1 AND h.id = $2",
	    u, i, out);
}

enum pss_err
db_chat_get_session(struct db *db, int64_t user_id, const char *session_id, struct json_object **out)
{
	char u[24];

	db_id(u, user_id);
	return one(db, "SELECT " CHAT_JSON " FROM chat_history h"
	    " WHERE h.user_id = $1 AND h.session_id = $2::uuid", u, session_id, out);
}

enum pss_err
db_chat_upsert(struct db *db, int64_t user_id, const struct db_chat_row *row, int64_t *id,
    char session[37])
{
	struct db_res *r;
	char u[24], att[16];
	enum pss_err e;

	db_id(u, user_id);
	snprintf(att, sizeof(att), "%d", row->job_attempts);
	/* the vector stays until the embedding job replaces it (chat_history_embed); the row and
	 * its job in one statement, so one is never stored without the other */
	if ((e = db_exec_row(db, &r,
	    "WITH h AS (INSERT INTO chat_history (user_id, session_id, title, messages, response,"
	    " sources)"
	    " VALUES ($1, COALESCE(NULLIF($2, '')::uuid, gen_random_uuid()), $3, $4::jsonb, $5,"
	    " $6::jsonb)"
	    " ON CONFLICT (user_id, session_id) DO UPDATE SET messages = EXCLUDED.messages,"
	    " response = EXCLUDED.response, sources = EXCLUDED.sources"
	    " RETURNING id, session_id),"
	    " j AS (INSERT INTO jobs (type, payload, max_attempts)"
	    " SELECT $7::text, jsonb_build_object('chatId', h.id), $8::int FROM h"
	    " WHERE $7::text IS NOT NULL)"
	    " SELECT id, session_id FROM h", 8,
	    (const char *[]){ u, row->session_id != NULL ? row->session_id : "", row->title,
	    row->messages, row->response, row->sources, row->job_type, att })) != PSS_OK)
		return e;
	*id = db_res_int(r, 0, 0);
	snprintf(session, 37, "%s", db_res_get(r, 0, 1));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_chat_embed_source(struct db *db, int64_t id, size_t max, char **text, char **version)
{
	struct db_res *r;
	char i[24];
	const char *t;
	size_t n;
	enum pss_err e;

	*text = *version = NULL;
	db_id(i, id);
	if ((e = db_exec_row(db, &r, "SELECT coalesce((SELECT string_agg(m->>'content', E'\n'"
	    " ORDER BY o) FROM jsonb_array_elements(h.messages) WITH ORDINALITY AS t(m, o)"
	    " WHERE m->>'role' = 'user' AND jsonb_typeof(m->'content') = 'string'), h.title),"
	    " h.updated_at::text FROM chat_history h WHERE h.id = $1", 1,
	    (const char *[]){ i })) != PSS_OK)
		return e;
	t = db_res_get(r, 0, 0);
	n = utf8_cut(t, strlen(t), max);	/* on a character */
	*text = xstrndup(t, n);
	*version = xstrdup(db_res_get(r, 0, 1));
	db_res_free(r);
	return PSS_OK;
}

/* "{v0,v1,...}": a real[] literal */
static char *
real_array(const float *v, int dims)
{
	struct buf b = BUF_INIT;

	buf_putc(&b, '{');
	for (int k = 0; k < dims; k++)
		buf_printf(&b, "%s%.9g", k > 0 ? "," : "", (double)v[k]);
	buf_putc(&b, '}');
	return buf_detach(&b);
}

enum pss_err
db_chat_store_vector(struct db *db, int64_t id, const char *version, const float *v, int dims,
    const char *model, const char *keep)
{
	struct db_res *r;
	char i[24], *lit = real_array(v, dims);
	enum pss_err e;

	db_id(i, id);
	e = db_exec_row(db, &r, "UPDATE chat_history SET question_vector = $3::real[],"
	    " embedding_model = $4 WHERE id = $1 AND updated_at = $2::timestamptz"
	    " AND ($5::text IS NULL OR embedding_model IS DISTINCT FROM $5) RETURNING id", 5,
	    (const char *[]){ i, version, lit, model, keep });
	if (e == PSS_OK)
		db_res_free(r);
	free(lit);
	return e;
}

enum pss_err
db_chat_stale_ids(struct db *db, const char *model, int dims, int64_t after, int max, int64_t *ids,
    int *n)
{
	struct db_res *r;
	char a[24], d[16], m[16];
	enum pss_err e;

	*n = 0;
	db_id(a, after);
	snprintf(d, sizeof(d), "%d", dims);
	snprintf(m, sizeof(m), "%d", max);
	if ((e = db_exec(db, &r, "SELECT id FROM chat_history WHERE id > $1 AND"
	    " (embedding_model IS DISTINCT FROM $2"
	    " OR cardinality(question_vector) IS DISTINCT FROM $3::int)"
	    " ORDER BY id LIMIT $4::int", 4, (const char *[]){ a, model, d, m })) != PSS_OK)
		return e;
	for (int k = 0; k < db_res_rows(r) && k < max; k++)
		ids[(*n)++] = db_res_int(r, k, 0);
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_chat_embed_progress(struct db *db, const char *model, int dims, int64_t *all, int64_t *done)
{
	struct db_res *r;
	char d[16];
	enum pss_err e;

	snprintf(d, sizeof(d), "%d", dims);
	if ((e = db_exec_row(db, &r, "SELECT count(*), count(*) FILTER (WHERE embedding_model = $1"
	    " AND cardinality(question_vector) = $2::int) FROM chat_history", 2,
	    (const char *[]){ model, d })) != PSS_OK)
		return e;
	*all = db_res_int(r, 0, 0);
	*done = db_res_int(r, 0, 1);
	db_res_free(r);
	return PSS_OK;
}

/* Parses the real[] text "{a,b,...}" of exactly dims numbers into out; -1 otherwise. */
static int
real_array_parse(const char *s, int dims, float *out)
{
	int k = 0;

	if (*s++ != '{')
		return -1;
	while (k < dims) {
		char *end;
		float f = strtof(s, &end);

		if (end == s || !isfinite(f))
			return -1;
		out[k++] = f;
		s = end;
		if (*s == ',' && k < dims)
			s++;
		else
			break;
	}
	return k == dims && s[0] == '}' && s[1] == '\0' ? 0 : -1;
}

enum pss_err
db_chat_vectors(struct db *db, int64_t user_id, const char *model, int dims, int max,
    db_chat_vector_fn fn, void *arg)
{
	struct db_res *r;
	char u[24], d[16], m[16];
	float *v;
	enum pss_err e;

	db_id(u, user_id);
	snprintf(d, sizeof(d), "%d", dims);
	snprintf(m, sizeof(m), "%d", max);
	if ((e = db_exec(db, &r, "SELECT id, question_vector FROM chat_history"
	    " WHERE user_id = $1 AND embedding_model = $2"
	    " AND cardinality(question_vector) = $3::int"
	    " ORDER BY updated_at DESC, id DESC LIMIT $4::int", 4,
	    (const char *[]){ u, model, d, m })) != PSS_OK)
		return e;
	v = xcalloc((size_t)dims, sizeof(*v));
	for (int k = 0; k < db_res_rows(r); k++)
		if (real_array_parse(db_res_get(r, k, 1), dims, v) == 0)
			fn(db_res_int(r, k, 0), v, arg);
	free(v);
	db_res_free(r);
	return PSS_OK;
}

/* A list's answer: {conversations, total} from rows of (item JSON, total). */
static enum pss_err
list_of(struct db *db, const char *sql, int n, const char *const *params, struct json_object **out)
{
	struct db_res *r;
	struct json_object *o;
	enum pss_err e;

	*out = NULL;
	if ((e = db_exec(db, &r, sql, n, params)) != PSS_OK)
		return e;
	o = json_object_new_object();
	json_object_object_add(o, "conversations", db_json_rows(r));
	json_object_object_add(o, "total", json_object_new_int64(db_res_rows(r) > 0 ?
	    db_res_int(r, 0, 1) : 0));
	db_res_free(r);
	*out = o;
	return PSS_OK;
}

enum pss_err
db_chat_list(struct db *db, int64_t user_id, int64_t limit, int64_t offset, struct json_object **out)
{
	char u[24], l[24], o[24];
	enum pss_err e;
	struct db_res *r;

	db_id(u, user_id);
	db_id(l, limit);
	db_id(o, offset);
	if ((e = list_of(db, "SELECT json_build_object(" CHAT_ITEM "), count(*) OVER ()"
	    " FROM chat_history h WHERE h.user_id = $1"
	    " ORDER BY h.updated_at DESC, h.id DESC LIMIT $2 OFFSET $3", 3,
	    (const char *[]){ u, l, o }, out)) != PSS_OK)
		return e;
	/* a page past the end still tells the total */
	if (json_object_array_length(json_object_object_get(*out, "conversations")) == 0 && offset > 0) {
		if ((e = db_exec_row(db, &r, "SELECT count(*) FROM chat_history WHERE user_id = $1", 1,
		    (const char *[]){ u })) != PSS_OK) {
			json_object_put(*out);
			*out = NULL;
			return e;
		}
		json_object_object_add(*out, "total", json_object_new_int64(db_res_int(r, 0, 0)));
		db_res_free(r);
	}
	return PSS_OK;
}

enum pss_err
db_chat_search_ids(struct db *db, int64_t user_id, const char *query, int max, int64_t *ids,
    double *scores, int *n)
{
	struct db_res *r;
	char u[24], m[16];
	enum pss_err e;

	*n = 0;
	db_id(u, user_id);
	snprintf(m, sizeof(m), "%d", max);
	if ((e = db_exec(db, &r, "SELECT h.id, ts_rank(h.search_vector, q)::float8"
	    " FROM chat_history h, websearch_to_tsquery('english', $2) q"
	    " WHERE h.user_id = $1 AND h.search_vector @@ q"
	    " ORDER BY 2 DESC, h.updated_at DESC, h.id DESC LIMIT $3::int", 3,
	    (const char *[]){ u, query, m })) != PSS_OK)
		return e;
	for (int k = 0; k < db_res_rows(r) && k < max; k++) {
		ids[*n] = db_res_int(r, k, 0);
		scores[(*n)++] = db_res_double(r, k, 1);
	}
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_chat_items(struct db *db, int64_t user_id, const int64_t *ids, size_t n, const char *query,
    struct json_object **out)
{
	struct buf lit = BUF_INIT;
	struct db_res *r;
	char u[24];
	enum pss_err e;

	*out = NULL;
	db_id(u, user_id);
	buf_putc(&lit, '{');
	for (size_t k = 0; k < n; k++)
		buf_printf(&lit, "%s%lld", k > 0 ? "," : "", (long long)ids[k]);
	buf_putc(&lit, '}');
	/* in the order of ids; the owner's rows only */
	e = db_exec(db, &r, "SELECT json_build_object(" CHAT_ITEM ","
	    " 'snippet', ts_headline('english',"
	    " left(h.title || ' … ' || h.response, " DB_HEADLINE_CHARS "),"
	    " " DB_HEADLINE_QUERY("q") ", 'StartSel=<mark>, StopSel=</mark>, MaxFragments=2'))"
	    " FROM unnest($2::int8[]) WITH ORDINALITY AS i(id, o)"
	    " JOIN chat_history h ON h.id = i.id AND h.user_id = $1,"
	    " websearch_to_tsquery('english', $3) q ORDER BY i.o", 3,
	    (const char *[]){ u, lit.data, query });
	buf_free(&lit);
	if (e != PSS_OK)
		return e;
	*out = db_json_rows(r);
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_chat_delete(struct db *db, int64_t user_id, int64_t id)
{
	struct db_res *r;
	char u[24], i[24];
	enum pss_err e;

	db_id(u, user_id);
	db_id(i, id);
	if ((e = db_exec_row(db, &r, "DELETE FROM chat_history WHERE user_id = $1 AND id = $2 RETURNING id",
	    2, (const char *[]){ u, i })) != PSS_OK)
		return e;
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_chat_delete_all(struct db *db, int64_t user_id, int64_t *n)
{
	struct db_res *r;
	char u[24];
	enum pss_err e;

	*n = 0;
	db_id(u, user_id);
	if ((e = db_exec_row(db, &r, "WITH d AS (DELETE FROM chat_history WHERE user_id = $1 RETURNING 1)"
	    " SELECT count(*) FROM d", 1, (const char *[]){ u })) != PSS_OK)
		return e;
	*n = db_res_int(r, 0, 0);
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_chat_set_category(struct db *db, int64_t user_id, int64_t id, const char *category)
{
	struct db_res *r;
	char u[24], i[24];
	enum pss_err e;

	db_id(u, user_id);
	db_id(i, id);
	if ((e = db_exec_row(db, &r, "UPDATE chat_history SET category = $3"
	    " WHERE user_id = $1 AND id = $2 RETURNING id", 3,
	    (const char *[]){ u, i, category })) != PSS_OK)
		return e;
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_chat_categories(struct db *db, int64_t user_id, int limit, struct json_object **out)
{
	char u[24], l[24];

	db_id(u, user_id);
	db_id(l, limit);
	return one(db, "SELECT coalesce(json_agg(c ORDER BY lower(c), c), '[]')"
	    " FROM (SELECT DISTINCT category AS c FROM chat_history"
	    " WHERE user_id = $1 AND category IS NOT NULL ORDER BY 1 LIMIT $2) t", u, l, out);
}
