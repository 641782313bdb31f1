/* documentation.c: the documentation table's queries: upsert by URL with a content hash,
 * reads, the ranked and highlighted search, sources, tags, counts, related documents */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/documentation.h"

const char *const db_doc_sorts[DOC_SORT__MAX] = { "relevance", "date", "title" };

/* The document object without content (lists) and with it (one document). */
#define DOC_FIELDS \
	"'id', d.id, 'title', d.title, 'url', d.url, 'summary', d.summary, 'source', d.source," \
	" 'contentType', d.content_type, 'category', d.category, 'tags', d.tags," \
	" 'extractedCommands', d.extracted_commands, 'extractedFunctions', d.extracted_functions," \
	" 'extractedModules', d.extracted_modules, 'metadata', d.metadata," \
	" 'crawledAt', d.crawled_at, 'lastUpdated', d.last_updated, 'createdAt', d.created_at," \
	" 'updatedAt', d.updated_at"
#define DOC_SUMMARY_JSON "json_build_object(" DOC_FIELDS ")"
#define DOC_JSON "(json_build_object(" DOC_FIELDS ")::jsonb || jsonb_build_object('content', d.content))"

#define TSQUERY "(websearch_to_tsquery('english', $1) || websearch_to_tsquery('simple', $1))"

enum pss_err
db_doc_upsert(struct db *db, const struct db_doc_row *r, int64_t *id, enum db_doc_upsert *res)
{
	struct db_res *x;
	enum pss_err e;
	const char *p[15] = { r->url, r->title, r->content, r->summary, r->source, r->content_type,
		r->category, r->tags, r->commands, r->functions, r->modules, r->metadata,
		r->last_updated, r->names, r->hash };

	*id = 0;
	*res = DB_DOC__MAX;
	/* an unchanged page first, by the index on url: the upsert below would compute the new
	 * row's search vectors before it finds the conflict */
	if ((e = db_exec_prepared(db, &x, "SELECT id FROM documentation WHERE url = $1 AND content_hash = $2", 2,
	    (const char *[]){ r->url, r->hash })) != PSS_OK)
		return e;
	if (db_res_rows(x) == 1) {
		*id = db_res_int(x, 0, 0);
		*res = DB_DOC_UNCHANGED;
		db_res_free(x);
		return PSS_OK;
	}
	db_res_free(x);
	/* xmax is 0 on a row this statement inserted; an unchanged hash returns no row */
	if ((e = db_exec_prepared(db, &x, "INSERT INTO documentation (url, title, content, summary, source,"
	    " content_type, category, tags, extracted_commands, extracted_functions, extracted_modules,"
	    " metadata, last_updated, command_names, content_hash) VALUES ($1, $2, $3, $4,"
	    " coalesce($5, 'Microsoft Learn'), coalesce($6, 'article'), coalesce($7, 'General'),"
	    " $8::jsonb, $9::jsonb, $10::jsonb, $11::jsonb, $12::jsonb, $13::timestamptz,"
	    " ARRAY(SELECT json_array_elements_text($14::json)), $15)"
	    " ON CONFLICT (url) DO UPDATE SET title = EXCLUDED.title, content = EXCLUDED.content,"
	    " summary = EXCLUDED.summary, source = EXCLUDED.source, content_type = EXCLUDED.content_type,"
	    " category = EXCLUDED.category, tags = EXCLUDED.tags,"
	    " extracted_commands = EXCLUDED.extracted_commands,"
	    " extracted_functions = EXCLUDED.extracted_functions,"
	    " extracted_modules = EXCLUDED.extracted_modules, metadata = EXCLUDED.metadata,"
	    " last_updated = EXCLUDED.last_updated, command_names = EXCLUDED.command_names,"
	    " content_hash = EXCLUDED.content_hash, crawled_at = now()"
	    " WHERE documentation.content_hash IS DISTINCT FROM EXCLUDED.content_hash"
	    " RETURNING id, xmax = 0", 15, p)) != PSS_OK)
		return e;
	if (db_res_rows(x) == 1) {
		*id = db_res_int(x, 0, 0);
		*res = db_res_bool(x, 0, 1) ? DB_DOC_INSERTED : DB_DOC_UPDATED;
		db_res_free(x);
		return PSS_OK;
	}
	db_res_free(x);
	if ((e = db_doc_id_by_url(db, r->url, id)) != PSS_OK)
		return e == PSS_ENOTFOUND ? PSS_ECONFLICT : e;	/* deleted meanwhile: ask again */
	*res = DB_DOC_UNCHANGED;
	return PSS_OK;
}

/* json_of: column 0 of sql's one row as JSON, with n parameters (a prepared statement: the
 * documentation's reads are few texts read often); PSS_ENOTFOUND without a row. */
static enum pss_err
json_of(struct db *db, const char *sql, int n, const char *const *p, struct json_object **out)
{
	struct db_res *r;
	enum pss_err e;

	*out = NULL;
	if ((e = db_exec_prepared(db, &r, sql, n, p)) != PSS_OK)
		return e;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		return PSS_ENOTFOUND;
	}
	*out = db_json_parse(db_res_get(r, 0, 0));
	db_res_free(r);
	return *out != NULL ? PSS_OK : PSS_EINTERNAL;
}

enum pss_err
db_doc_get(struct db *db, int64_t id, struct json_object **out)
{
	char s[24];

	*out = NULL;
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	db_id(s, id);
	return json_of(db, "SELECT " DOC_JSON " FROM documentation d WHERE d.id = $1", 1,
	    (const char *[]){ s }, out);
}

enum pss_err
db_doc_by_name(struct db *db, const char *name, int64_t *id)
{
	struct db_res *r;
	enum pss_err e;

	*id = 0;
	if ((e = db_exec_row(db, &r, "SELECT id FROM documentation WHERE command_names @> ARRAY[$1::text]"
	    " ORDER BY content_type <> 'cmdlet', lower(title) <> $1, metadata->>'version' DESC NULLS LAST, id LIMIT 1", 1,
	    (const char *[]){ name })) != PSS_OK)
		return e;
	*id = db_res_int(r, 0, 0);
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_doc_id_by_url(struct db *db, const char *url, int64_t *id)
{
	struct db_res *r;
	enum pss_err e;

	*id = 0;
	if ((e = db_exec_row(db, &r, "SELECT id FROM documentation WHERE url = $1", 1,
	    (const char *[]){ url })) != PSS_OK)
		return e;
	*id = db_res_int(r, 0, 0);
	db_res_free(r);
	return PSS_OK;
}

/* page_object: {documents: rows' column 0, total, limit, offset}. */
static struct json_object *
page_object(const struct db_res *r, int64_t total, int64_t limit, int64_t offset)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "documents", db_json_rows(r));
	json_object_object_add(o, "total", json_object_new_int64(total));
	json_object_object_add(o, "limit", json_object_new_int64(limit));
	json_object_object_add(o, "offset", json_object_new_int64(offset));
	return o;
}

enum pss_err
db_doc_recent(struct db *db, int64_t limit, int64_t offset, struct json_object **out)
{
	struct db_res *r, *c;
	char l[24], o[24];
	enum pss_err e;

	*out = NULL;
	db_id(l, limit);
	db_id(o, offset);
	if ((e = db_exec_prepared(db, &c, "SELECT count(*) FROM documentation", 0, NULL)) != PSS_OK)
		return e;
	if ((e = db_exec_prepared(db, &r, "SELECT " DOC_SUMMARY_JSON " FROM documentation d"
	    " ORDER BY d.updated_at DESC, d.id DESC LIMIT $1 OFFSET $2", 2,
	    (const char *[]){ l, o })) != PSS_OK) {
		db_res_free(c);
		return e;
	}
	*out = page_object(r, db_res_int(c, 0, 0), limit, offset);
	db_res_free(r);
	db_res_free(c);
	return PSS_OK;
}

/* The matches of a search ($1 the query, $2 the exact names as a JSON array) and its filters
 * ($3 sources, $4 tags, $5 types: JSON arrays or NULL): psscript_doc_hits (migration 0037)
 * reads them through the indexes with their rank, title and date. */
#define DOC_HITS "psscript_doc_hits(" TSQUERY ", ARRAY(SELECT json_array_elements_text(" \
	"coalesce($2, '[]')::json)), $3::jsonb, $4::jsonb, $5::jsonb)"

/* The order of the matches (m) and of the page (p). */
static const char *const sort_order[2][DOC_SORT__MAX] = {
	{ "m.exact DESC, m.rank DESC, m.id", "m.k DESC NULLS LAST, m.id DESC", "lower(m.title), m.id" },
	{ "p.exact DESC, p.rank DESC, p.id", "p.k DESC NULLS LAST, p.id DESC", "lower(p.title), p.id" },
};

/* A search hit: what a list of results shows (no content, no extracted lists, of the
 * metadata only the versions and aliases); GET /:id has every field. */
#define DOC_HIT_JSON "json_build_object('id', d.id, 'title', d.title, 'url', d.url," \
	" 'summary', d.summary, 'source', d.source, 'contentType', d.content_type," \
	" 'category', d.category, 'tags', d.tags, 'metadata', jsonb_strip_nulls(jsonb_build_object(" \
	"'version', d.metadata->'version', 'versions', d.metadata->'versions'," \
	" 'aliases', d.metadata->'aliases')), 'lastUpdated', d.last_updated, 'updatedAt', d.updated_at)"

/* The snippet's text: the content's first DOC_SNIPPET_CHARS characters (the summary when
 * there is no content: a hit shows its summary beside the snippet, and a reference page's
 * body starts with its synopsis), for the services layer to cut and mark (docs_snippet_build)
 * with the query's terms: ts_headline cost about 0.15 ms a row and 1,000 characters (the
 * parse and the stemming of every word of the text), the largest part of a query. substr
 * and the comparison of lengths read only the start of a compressed or out-of-line content
 * (left() and nullif() decompressed all of it: tens of kilobytes a row). */
#define DOC_SNIPPET_TEXT "CASE WHEN coalesce(d.content, '') = '' THEN coalesce(d.summary, '')" \
	" ELSE substr(d.content, 1, 1200) END"

enum pss_err
db_doc_search(struct db *db, const struct doc_query *q, struct json_object **out)
{
	struct db_res *r;
	struct json_object *o, *arr;
	struct buf sql = BUF_INIT;
	char l[24], off[24];
	enum pss_err e;
	int nrows;
	int64_t total = 0;

	*out = NULL;
	if (q->sort >= DOC_SORT__MAX)
		return PSS_EINVAL;
	db_id(l, q->limit);
	db_id(off, q->offset);
	/* the matches with their keys, materialised once; then the page's JSON and snippets,
	 * for the page's rows only. Prepared: one text per sort order. */
	buf_printf(&sql, "WITH m AS MATERIALIZED (SELECT * FROM " DOC_HITS "),"
	    " p AS (SELECT * FROM m ORDER BY %s LIMIT $6 OFFSET $7)"
	    " SELECT " DOC_HIT_JSON ", p.rank, p.exact, " DOC_SNIPPET_TEXT ","
	    " (SELECT count(*) FROM m), (SELECT array_to_string(tsvector_to_array(to_tsvector("
	    "'english', $1)), ' '))"
	    " FROM p JOIN documentation d ON d.id = p.id ORDER BY %s", sort_order[0][q->sort],
	    sort_order[1][q->sort]);
	e = db_exec_prepared(db, &r, sql.data, 7, (const char *[]){ q->query, q->names, q->sources,
	    q->tags, q->types, l, off });
	buf_free(&sql);
	if (e != PSS_OK)
		return e;
	nrows = db_res_rows(r);
	if (nrows > 0)
		total = db_res_int(r, 0, 4);
	else if (q->offset > 0) {
		/* past the end: count on its own */
		struct db_res *c;

		if ((e = db_exec_prepared(db, &c, "SELECT count(*) FROM " DOC_HITS, 5,
		    (const char *[]){ q->query, q->names, q->sources, q->tags, q->types })) != PSS_OK) {
			db_res_free(r);
			return e;
		}
		total = db_res_int(c, 0, 0);
		db_res_free(c);
	}
	o = json_object_new_object();
	arr = json_object_new_array();
	if (nrows > 0)
		json_object_object_add(o, "terms", json_object_new_string(db_res_get(r, 0, 5)));
	for (int i = 0; i < nrows; i++) {
		struct json_object *d = db_json_parse(db_res_get(r, i, 0));

		if (d == NULL)
			continue;
		json_object_object_add(d, "rank", json_object_new_double(db_res_double(r, i, 1)));
		json_object_object_add(d, "exact", json_object_new_boolean(db_res_bool(r, i, 2)));
		json_object_object_add(d, "snippetText", json_object_new_string(db_res_get(r, i, 3)));
		json_object_array_add(arr, d);
	}
	db_res_free(r);
	json_object_object_add(o, "documents", arr);
	json_object_object_add(o, "total", json_object_new_int64(total));
	json_object_object_add(o, "limit", json_object_new_int64(q->limit));
	json_object_object_add(o, "offset", json_object_new_int64(q->offset));
	*out = o;
	return PSS_OK;
}

enum pss_err
db_doc_sources(struct db *db, struct json_object **out)
{
	return json_of(db, "SELECT json_build_object('sources', coalesce(json_agg(json_build_object("
	    "'source', s.source, 'count', s.n, 'contentTypes', s.types, 'lastCrawled', s.last)"
	    " ORDER BY s.n DESC, s.source), '[]'))"
	    " FROM (SELECT source, sum(n) AS n, json_object_agg(content_type, n) AS types,"
	    " max(last) AS last FROM (SELECT source, content_type, count(*) AS n, max(crawled_at) AS last"
	    " FROM documentation GROUP BY source, content_type) t GROUP BY source) s", 0, NULL, out);
}

enum pss_err
db_doc_tags(struct db *db, int64_t limit, struct json_object **out)
{
	char l[24];

	db_id(l, limit);
	return json_of(db, "SELECT json_build_object('tags', coalesce(json_agg(json_build_object("
	    "'tag', t.tag, 'count', t.n) ORDER BY t.n DESC, t.tag), '[]'))"
	    " FROM (SELECT x AS tag, count(*) AS n FROM documentation d,"
	    " jsonb_array_elements_text(d.tags) x GROUP BY x ORDER BY count(*) DESC, x LIMIT $1) t",
	    1, (const char *[]){ l }, out);
}

enum pss_err
db_doc_stats(struct db *db, struct json_object **out)
{
	return json_of(db, "SELECT json_build_object('total', (SELECT count(*) FROM documentation),"
	    " 'sources', (SELECT count(DISTINCT source) FROM documentation),"
	    " 'categories', (SELECT count(DISTINCT category) FROM documentation),"
	    " 'tagsCount', (SELECT count(DISTINCT x) FROM documentation d, jsonb_array_elements_text(d.tags) x),"
	    " 'contentTypes', (SELECT coalesce(json_object_agg(content_type, n), '{}') FROM"
	    " (SELECT content_type, count(*) AS n FROM documentation GROUP BY content_type) t),"
	    " 'lastCrawled', (SELECT max(crawled_at) FROM documentation),"
	    " 'lastUpdated', (SELECT max(updated_at) FROM documentation))", 0, NULL, out);
}

enum pss_err
db_doc_related(struct db *db, int64_t id, int64_t limit, struct json_object **out)
{
	char s[24], l[24];

	*out = NULL;
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	db_id(s, id);
	db_id(l, limit);
	/* shared commands: this document's names and extracted commands against theirs */
	return json_of(db, "WITH me AS (SELECT id, title, category, command_names || ARRAY(SELECT"
	    " lower(x) FROM jsonb_array_elements_text(extracted_commands) x) AS cmds"
	    " FROM documentation WHERE id = $1)"
	    " SELECT json_build_object('documents', coalesce(json_agg(r.j ORDER BY r.score DESC,"
	    " lower(r.title), r.id), '[]')) FROM (SELECT " DOC_SUMMARY_JSON " AS j, d.id, d.title,"
	    " (d.category = me.category)::int * 2 + (d.command_names && me.cmds)::int * 3 AS score"
	    " FROM documentation d, me WHERE d.id <> me.id AND lower(d.title) <> lower(me.title) AND (d.category = me.category"
	    " OR d.command_names && me.cmds) ORDER BY score DESC, lower(d.title), d.id LIMIT $2) r", 2,
	    (const char *[]){ s, l }, out);
}

enum pss_err
db_doc_delete(struct db *db, int64_t id)
{
	struct db_res *r;
	char s[24];
	enum pss_err e;

	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	db_id(s, id);
	if ((e = db_exec_row(db, &r, "DELETE FROM documentation WHERE id = $1 RETURNING id", 1,
	    (const char *[]){ s })) != PSS_OK)
		return e;
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
db_doc_delete_source(struct db *db, const char *source, int64_t *n)
{
	struct db_res *r;
	enum pss_err e;

	*n = 0;
	if ((e = db_exec(db, &r, "WITH x AS (DELETE FROM documentation WHERE source = $1 RETURNING 1)"
	    " SELECT count(*) FROM x", 1, (const char *[]){ source })) != PSS_OK)
		return e;
	*n = db_res_int(r, 0, 0);
	db_res_free(r);
	return PSS_OK;
}
