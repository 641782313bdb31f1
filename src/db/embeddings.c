/* embeddings.c: the script_embeddings table's queries (embeddings.h) */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/embeddings.h"
#include "db/rows.h"

/* The lock that orders the writes of vectors before a copy of them is read: a write holds it
 * shared until it commits, a reader takes it alone, so every write whose seq the generation
 * counts has committed when the reader's statement starts (docs/search.md). */
#define EMBEDDINGS_LOCK "7316016"

/* "{v0,v1,...}": a real[] literal (pgvector casts it to vector on assignment). */
static char *
vec_literal(const float *v, int dims)
{
	struct buf b = BUF_INIT;

	buf_putc(&b, '{');
	for (int i = 0; i < dims; i++)
		buf_printf(&b, "%s%.9g", i ? "," : "", (double)v[i]);
	buf_putc(&b, '}');
	return buf_detach(&b);
}

/* Parses "{a,b,...}" (or pgvector's "[a,b,...]") of exactly dims numbers into out. */
static int
vec_parse(const char *s, int dims, float *out)
{
	char *end;

	if (*s != '{' && *s != '[')
		return -1;
	s++;
	for (int i = 0; i < dims; i++) {
		double d = strtod(s, &end);

		if (end == s || !isfinite(d))
			return -1;
		out[i] = (float)d;
		s = end;
		if (i + 1 < dims ? *s != ',' : (*s != '}' && *s != ']'))
			return -1;
		s++;
	}
	return *s == '\0' ? 0 : -1;
}

enum pss_err
db_embedding_store(struct db *db, int64_t script_id, const char *type, const char *model,
    const float *v, int dims, const char *text_hash)
{
	char id[24], d[16];
	char *lit = vec_literal(v, dims);
	const char *p[6];
	struct db_res *r = NULL;
	enum pss_err e;

	db_id(id, script_id);
	snprintf(d, sizeof(d), "%d", dims);
	p[0] = id;
	p[1] = lit;
	p[2] = type;
	p[3] = model;
	p[4] = d;
	p[5] = text_hash;
	/* one row per script and model (0029); a new model of the same provider (a regenerated
	 * built-in model, another OpenAI model) replaces its rows of the old one */
	e = db_exec(db, &r,
	    "WITH old AS (DELETE FROM script_embeddings WHERE script_id = $1 AND embedding_type = $3"
	    " AND model_version <> $4)"
	    " INSERT INTO script_embeddings (script_id, embedding, embedding_type, model_version,"
	    " dimensions, text_hash)"
	    " SELECT s.id, $2::real[], $3, $4, $5::int, $6 FROM scripts s,"
	    " (SELECT pg_advisory_xact_lock_shared(" EMBEDDINGS_LOCK ")) l WHERE s.id = $1"
	    " ON CONFLICT (script_id, model_version) DO UPDATE SET embedding = EXCLUDED.embedding,"
	    " embedding_type = EXCLUDED.embedding_type,"
	    " dimensions = EXCLUDED.dimensions, text_hash = EXCLUDED.text_hash"
	    " RETURNING script_id", 6, p);
	if (e == PSS_OK && db_res_rows(r) == 0)
		e = PSS_ENOTFOUND;
	db_res_free(r);
	free(lit);
	return e;
}

char *
db_embedding_text_hash(struct db *db, int64_t script_id, const char *model)
{
	char id[24];
	const char *p[2] = { id, model };
	struct db_res *r;
	char *h = NULL;

	db_id(id, script_id);
	if (db_exec(db, &r, "SELECT text_hash FROM script_embeddings WHERE script_id = $1"
	    " AND model_version = $2", 2, p) != PSS_OK)
		return NULL;
	if (db_res_rows(r) == 1 && !db_res_isnull(r, 0, 0))
		h = xstrdup(db_res_get(r, 0, 0));
	db_res_free(r);
	return h;
}

enum pss_err
db_embedding_get(struct db *db, const struct viewer *v, int64_t script_id, const char *model,
    int dims, float *out, bool *has)
{
	char id[24], d[16], uid[24];
	const char *p[5] = { id, NULL, NULL, model, d };
	struct db_res *r;
	enum pss_err e;

	*has = false;
	if (script_id <= 0 || script_id > INT32_MAX)
		return PSS_ENOTFOUND;
	db_id(id, script_id);
	db_viewer_params(v, uid, &p[1], &p[2]);
	snprintf(d, sizeof(d), "%d", dims);
	/* the script's visibility and its vector in one statement (similar scripts read the
	 * whole script for the first before) */
	if ((e = db_exec_prepared(db, &r, "SELECT e.embedding::real[] FROM scripts s"
	    " LEFT JOIN script_embeddings e ON e.script_id = s.id AND e.model_version = $4"
	    " AND e.dimensions = $5::int"
	    " WHERE s.id = $1 AND ($3::bool OR s.is_public OR s.user_id = $2::int)", 5, p)) != PSS_OK)
		return e;
	if (db_res_rows(r) != 1)
		e = PSS_ENOTFOUND;
	else if (!db_res_isnull(r, 0, 0)) {
		if (vec_parse(db_res_get(r, 0, 0), dims, out) != 0)
			e = PSS_EINTERNAL;
		else
			*has = true;
	}
	db_res_free(r);
	return e;
}

int64_t
db_embeddings_gen(struct db *db)
{
	struct db_res *r;
	int64_t g;

	if (db_exec_prepared(db, &r, "SELECT CASE WHEN is_called THEN last_value ELSE 0 END"
	    " FROM script_embeddings_seq", 0, NULL) != PSS_OK)
		return -1;
	g = db_res_int(r, 0, 0);
	db_res_free(r);
	return g;
}

enum pss_err
db_embeddings_read(struct db *db, const char *model, int dims, db_embedding_fn fn, void *arg,
    int64_t *gen)
{
	char d[16];
	const char *p[2] = { model, d };
	struct db_res *r = NULL;
	float *v;
	enum pss_err e;

	*gen = -1;
	snprintf(d, sizeof(d), "%d", dims);
	if ((e = db_exec(db, NULL, "SELECT pg_advisory_lock(" EMBEDDINGS_LOCK ")", 0, NULL)) != PSS_OK)
		return e;
	/* one statement: the generation and the rows in one snapshot, taken after every write
	 * that holds the lock shared has committed */
	e = db_exec(db, &r, "SELECT g.gen, e.script_id, e.embedding::real[]"
	    " FROM (SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS gen"
	    "  FROM script_embeddings_seq) g LEFT JOIN script_embeddings e"
	    " ON e.model_version = $1 AND e.dimensions = $2::int ORDER BY e.script_id", 2, p);
	(void)db_exec(db, NULL, "SELECT pg_advisory_unlock(" EMBEDDINGS_LOCK ")", 0, NULL);
	if (e != PSS_OK)
		return e;
	v = xmalloc(sizeof(float) * (size_t)dims);
	for (int i = 0; i < db_res_rows(r); i++) {
		*gen = db_res_int(r, i, 0);
		if (db_res_isnull(r, i, 1))
			continue;
		if (vec_parse(db_res_get(r, i, 2), dims, v) != 0) {
			log_warn("script_embeddings: the vector of script %s does not parse",
			    db_res_get(r, i, 1));
			continue;
		}
		fn(db_res_int(r, i, 1), v, arg);
	}
	free(v);
	db_res_free(r);
	return PSS_OK;
}

bool
db_embeddings_pgvector(struct db *db)
{
	struct db_res *r;
	bool yes;

	if (db_exec(db, &r, "SELECT atttypid <> 'real[]'::regtype FROM pg_attribute"
	    " WHERE attrelid = 'script_embeddings'::regclass AND attname = 'embedding'", 0, NULL) != PSS_OK)
		return false;
	yes = db_res_rows(r) == 1 && db_res_bool(r, 0, 0);
	db_res_free(r);
	return yes;
}

enum pss_err
db_embeddings_nearest(struct db *db, const char *model, int dims, const float *q, int k,
    int64_t *ids, float *scores, int *n)
{
	char d[16], kk[16];
	char *lit = vec_literal(q, dims);
	const char *p[4] = { model, d, lit, kk };
	struct buf sql = BUF_INIT;
	struct db_res *r;
	enum pss_err e;

	*n = 0;
	snprintf(d, sizeof(d), "%d", dims);
	snprintf(kk, sizeof(kk), "%d", k);
	/* the expression and predicate of psscript_embedding_index's partial index, so the
	 * planner can use it: the dimension must be a literal in the cast */
	buf_printf(&sql, "SELECT script_id, 1 - (embedding::vector(%d) <=> $3::real[]::vector(%d))"
	    " FROM script_embeddings WHERE model_version = $1 AND dimensions = $2::int"
	    " ORDER BY embedding::vector(%d) <=> $3::real[]::vector(%d) LIMIT $4::int",
	    dims, dims, dims, dims);
	e = db_exec(db, &r, sql.data, 4, p);
	buf_free(&sql);
	free(lit);
	if (e != PSS_OK)
		return e;
	for (int i = 0; i < db_res_rows(r) && i < k; i++) {
		ids[i] = db_res_int(r, i, 0);
		scores[i] = (float)db_res_double(r, i, 1);
		(*n)++;
	}
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_embeddings_index(struct db *db, const char *model, int dims, char *name, size_t namesz)
{
	char d[16];
	const char *p[2] = { model, d };
	struct db_res *r;
	enum pss_err e;

	snprintf(d, sizeof(d), "%d", dims);
	if ((e = db_exec(db, &r, "SELECT psscript_embedding_index($1, $2::int)", 2, p)) != PSS_OK)
		return e;
	snprintf(name, namesz, "%s", db_res_get(r, 0, 0));
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_embedding_source(struct db *db, int64_t script_id, size_t max_content, char **text)
{
	char id[24], mx[24];
	const char *p[2] = { id, mx };
	struct db_res *r;
	enum pss_err e;

	*text = NULL;
	db_id(id, script_id);
	snprintf(mx, sizeof(mx), "%zu", max_content);
	if ((e = db_exec(db, &r, "SELECT concat_ws(E'\\n', s.title, s.description,"
	    " (SELECT string_agg(t.name, ' ' ORDER BY t.name) FROM script_tags st"
	    "   JOIN tags t ON t.id = st.tag_id WHERE st.script_id = s.id),"
	    " sa.purpose, left(s.content, $2::int))"
	    " FROM scripts s LEFT JOIN script_analysis sa ON sa.script_id = s.id WHERE s.id = $1",
	    2, p)) != PSS_OK)
		return e;
	if (db_res_rows(r) != 1)
		e = PSS_ENOTFOUND;
	else
		*text = xstrdup(db_res_get(r, 0, 0));
	db_res_free(r);
	return e;
}

enum pss_err
db_embeddings_stale_ids(struct db *db, const char *model, int dims, int64_t after, int max,
    int64_t *ids, int *n)
{
	char d[16], a[24], m[16];
	const char *p[4] = { model, d, a, m };
	struct db_res *r;
	enum pss_err e;

	*n = 0;
	snprintf(d, sizeof(d), "%d", dims);
	db_id(a, after);
	snprintf(m, sizeof(m), "%d", max);
	/* and those whose search_terms were never made (older than migration 0034) */
	if ((e = db_exec(db, &r, "SELECT s.id FROM scripts s WHERE s.id > $3 AND (s.search_terms IS NULL"
	    " OR NOT EXISTS (SELECT 1 FROM script_embeddings e WHERE e.script_id = s.id"
	    "  AND e.model_version = $1 AND e.dimensions = $2::int)) ORDER BY s.id LIMIT $4::int", 4,
	    p)) != PSS_OK)
		return e;
	for (int i = 0; i < db_res_rows(r) && i < max; i++)
		ids[(*n)++] = db_res_int(r, i, 0);
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_embeddings_progress(struct db *db, const char *model, int dims, int64_t *scripts,
    int64_t *done)
{
	char d[16];
	const char *p[2] = { model, d };
	struct db_res *r;
	enum pss_err e;

	snprintf(d, sizeof(d), "%d", dims);
	if ((e = db_exec(db, &r, "SELECT (SELECT count(*) FROM scripts), (SELECT count(*) FROM scripts s"
	    " WHERE s.search_terms IS NOT NULL AND EXISTS (SELECT 1 FROM script_embeddings e"
	    "  WHERE e.script_id = s.id AND e.model_version = $1 AND e.dimensions = $2::int))", 2,
	    p)) != PSS_OK)
		return e;
	*scripts = db_res_int(r, 0, 0);
	*done = db_res_int(r, 0, 1);
	db_res_free(r);
	return PSS_OK;
}
