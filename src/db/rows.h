/* rows.h: what the library's queries share: who asks, ids as parameters, rows as JSON,
 * savepoints */
#ifndef PSS_DB_ROWS_H
#define PSS_DB_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "db/db.h"

/*
 * Conventions of the library's query files (scripts, versions, taxonomy, executions,
 * uploads, analysis). They run statements and shape rows; they do not decide: the input
 * was validated, the access checked and the follow-up jobs chosen by the services layer
 * (services/library.h), which also runs the transactions.
 * - A read fills *out with a json-c object in the API's shape (camelCase keys, as API.md
 *   names them), which the caller releases with json_object_put; on failure *out is NULL.
 * - PSS_ENOTFOUND: no such row, or not visible to the viewer (the visibility rule is a
 *   condition of the statement); PSS_ECONFLICT: a unique index refused the row;
 *   PSS_EUNAVAIL / PSS_EINTERNAL from the database.
 * - Timestamps are ISO 8601 strings; scores have one decimal; ids are numbers.
 */

/* Who asks: user_id 0 is anonymous (public scripts only); a user sees public scripts and
 * their own; an admin sees all. */
struct viewer {
	int64_t	 user_id;
	bool	 admin;
};

/* db_id: v as a statement parameter. */
void	 db_id(char buf[24], int64_t v);
/* db_exec_row: db_exec that wants a row: PSS_ENOTFOUND (nothing to free) when none. */
enum pss_err db_exec_row(struct db *, struct db_res **, const char *sql, int n,
	const char *const *params);
/* db_viewer_params: the viewer as two parameters: its id (NULL when anonymous; uid is the
 * storage) and "true"/"false" for admin. */
void	 db_viewer_params(const struct viewer *, char uid[24], const char **id, const char **admin);
/* db_json_parse: a column's JSON text as an object; never NULL in effect (json-c's null on
 * bad text). */
struct json_object *db_json_parse(const char *);
/* db_json_rows: parses column 0 of every row (JSON text) into an array. */
struct json_object *db_json_rows(const struct db_res *);
/* db_savepoint / db_savepoint_rollback: SAVEPOINT name and ROLLBACK TO SAVEPOINT name
 * inside the caller's transaction (name is a fixed identifier, never input). */
enum pss_err db_savepoint(struct db *, const char *name);
enum pss_err db_savepoint_rollback(struct db *, const char *name);

/* A search snippet's cost is bounded (issue 12 item 2, docs/library.md "Search bounds"): every
 * search's ts_headline reads a bounded part of a row (the chat history's its first
 * DB_HEADLINE_CHARS characters; the scripts' DB_HEADLINE_WINDOW characters about the first
 * match in those, DB_HEADLINE_TEXT), and it gets the
 * query tsq (an SQL expression of type tsquery) with every phrase (<->, <N>) and AND turned
 * into OR and negations dropped: the same words marked, while a phrase's covers cost hundreds
 * of ms over texts dense with its words (an 8-word phrase: 440 ms for 9 rows of 20,000
 * characters, 6 ms as ORs of 3,000). The rewrite touches only operators after a lexeme's
 * closing quote or a ')', and never adds or removes a quote, so the text stays a valid
 * tsquery. The scripts' and the chat history's searches use both; the documentation's builds
 * its snippets in C (docs_snippet_build in services/docs.c). */
#define DB_HEADLINE_CHARS "3000"
/* DB_HEADLINE_TEXT(text, lx): the part of text (an SQL expression) that a script search's
 * ts_headline reads: DB_HEADLINE_WINDOW characters from a little before the first place in
 * the first DB_HEADLINE_CHARS where one of the lexemes lx (a text[], DB_HEADLINE_LEXEMES)
 * occurs (lower case, as a substring: an English stem starts its words), or from the start
 * when none does; a word cut by the window's start is left out. ts_headline parses all it
 * gets, about 60 ns a character: 3,000 characters of each of a page of 100 long scripts made
 * 10 to 17 ms of a request (bench/search-worst.sh). The window holds the two fragments of
 * MaxWords=35 that the snippet shows. */
#define DB_HEADLINE_WINDOW "1000"
#define DB_HEADLINE_TEXT(text, lx) \
	"(SELECT substr(x.t, b.s + CASE WHEN b.s > 1 THEN strpos(translate(substr(x.lt, b.s, 120)," \
	" E'\\n\\r\\t', '   '), ' ') ELSE 0 END, " DB_HEADLINE_WINDOW ") FROM (SELECT y.t," \
	" lower(left(y.t, " DB_HEADLINE_CHARS ")) AS lt FROM (SELECT " text " AS t OFFSET 0) y OFFSET 0) x," \
	" LATERAL (SELECT greatest(1, coalesce((SELECT min(nullif(strpos(x.lt, l), 0)) FROM" \
	" unnest(" lx ") l), 1) - 120) AS s) b)"
/* DB_HEADLINE_LEXEMES(tsq): the distinct lexemes of tsq that are not negated, as a text[]
 * (from its text, where each is quoted, quotes and backslashes doubled) */
#define DB_HEADLINE_LEXEMES(tsq) \
	"ARRAY(SELECT DISTINCT replace(replace(rm[2], '''''', ''''), '\\\\', '\\') FROM" \
	" regexp_matches(" tsq "::text, '(!?)''((?:[^'']|'''')*)''', 'g') rm WHERE rm[1] = '')"
#define DB_HEADLINE_QUERY(tsq) "regexp_replace(regexp_replace(" tsq "::text, '!\\s*(?=[''(])', '', 'g')," \
	" '(''|\\))\\s*(?:<(?:-|[0-9]+)>|&)', '\\1 |', 'g')::tsquery"

#endif
