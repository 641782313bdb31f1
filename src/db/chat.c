/* chat.c: the chat_history table's queries */
#include "config.h"

#include <stdio.h>
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
	char u[24];
	enum pss_err e;

	db_id(u, user_id);
	if ((e = db_exec_row(db, &r,
	    "INSERT INTO chat_history (user_id, session_id, title, messages, response, sources,"
	    " question_vector, embedding_model)"
	    " VALUES ($1, COALESCE(NULLIF($2, '')::uuid, gen_random_uuid()), $3, $4::jsonb, $5,"
	    " $6::jsonb, $7::real[], $8)"
	    " ON CONFLICT (user_id, session_id) DO UPDATE SET messages = EXCLUDED.messages,"
	    " response = EXCLUDED.response, sources = EXCLUDED.sources,"
	    " question_vector = EXCLUDED.question_vector, embedding_model = EXCLUDED.embedding_model"
	    " RETURNING id, session_id", 8,
	    (const char *[]){ u, row->session_id != NULL ? row->session_id : "", row->title,
	    row->messages, row->response, row->sources, row->vector, row->model })) != PSS_OK)
		return e;
	*id = db_res_int(r, 0, 0);
	snprintf(session, 37, "%s", db_res_get(r, 0, 1));
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
db_chat_search(struct db *db, int64_t user_id, const char *query, int64_t limit, int64_t offset,
    struct json_object **out)
{
	char u[24], l[24], o[24];

	db_id(u, user_id);
	db_id(l, limit);
	db_id(o, offset);
	return list_of(db, "SELECT json_build_object(" CHAT_ITEM ", 'rank', ts_rank(h.search_vector, q),"
	    " 'snippet', ts_headline('english', left(h.title || ' … ' || h.response, " DB_HEADLINE_CHARS "),"
	    " " DB_HEADLINE_QUERY("q") ", 'StartSel=<mark>, StopSel=</mark>, MaxFragments=2')),"
	    " count(*) OVER ()"
	    " FROM chat_history h, websearch_to_tsquery('english', $2) q"
	    " WHERE h.user_id = $1 AND h.search_vector @@ q"
	    " ORDER BY ts_rank(h.search_vector, q) DESC, h.updated_at DESC, h.id DESC"
	    " LIMIT $3 OFFSET $4", 4, (const char *[]){ u, query, l, o }, out);
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
