/* scripts.c: the scripts' operations: list, search, get, create, update, delete, bulk; the
 * visibility rule and the list cache key */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "services/library-int.h"

void
library_filter_init(struct script_filter *f, bool search)
{
	db_script_filter_init(f, search);
}

/* The sort names the original frontend sends (docs/compat.md), beside API.md's own. */
static const struct {
	const char	*name;
	enum script_sort sort;
} sort_aliases[] = {
	{ "updated", SCRIPT_SORT_UPDATED }, { "updated_at", SCRIPT_SORT_UPDATED },
	{ "created", SCRIPT_SORT_CREATED }, { "created_at", SCRIPT_SORT_CREATED },
	{ "name", SCRIPT_SORT_TITLE },
	{ "executions", SCRIPT_SORT_EXECUTIONS }, { "execution_count", SCRIPT_SORT_EXECUTIONS },
	{ "views", SCRIPT_SORT_EXECUTIONS },
	{ "security_score", SCRIPT_SORT_SECURITY },
	{ "quality", SCRIPT_SORT_QUALITY }, { "quality_score", SCRIPT_SORT_QUALITY },
	{ "code_quality_score", SCRIPT_SORT_QUALITY },
};

enum script_sort
library_sort_parse(const char *s)
{
	for (size_t i = 0; s != NULL && i < PSS_ARRAY_LEN(sort_aliases); i++)
		if (strcmp(s, sort_aliases[i].name) == 0)
			return sort_aliases[i].sort;
	return db_script_sort_parse(s);
}

enum search_mode
library_search_mode_parse(const char *s)
{
	for (int i = 0; i < SEARCH__MAX; i++)
		if (strcmp(s, db_search_modes[i]) == 0)
			return (enum search_mode)i;
	return SEARCH__MAX;
}

enum exec_status
library_exec_status_parse(const char *s)
{
	return db_exec_status_parse(s);
}

/* ---- reads ---- */

static bool
word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

const char *
library_search_check(const char *q)
{
	size_t n, words = 0, positive = 0;
	bool quoted = false, negated = false;

	if (q == NULL || (n = strlen(q)) == 0 || n > LIBRARY_SEARCH_MAX_BYTES || !utf8_valid(q, n))
		return "a search text of 1 to 256 bytes is required";
	for (size_t i = 0; i < n;) {
		size_t start = i, chars = 0;

		if (!word_byte((unsigned char)q[i])) {
			/* "-" opening a token outside quotes negates the token (websearch_to_tsquery) */
			if (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r')
				negated = false;
			else if (q[i] == '-' && !quoted && (i == 0 || strchr(" \t\n\r", q[i - 1]) != NULL))
				negated = true;
			quoted ^= q[i] == '"';
			i++;
			continue;
		}
		for (; i < n && word_byte((unsigned char)q[i]); i++)
			chars += ((unsigned char)q[i] & 0xc0) != 0x80;
		if (!quoted && i - start == 2 && strncasecmp(q + start, "or", 2) == 0)
			continue;	/* the OR operator */
		if (chars > LIBRARY_SEARCH_MAX_WORD)
			return "a search word has at most 64 characters";
		if (++words > LIBRARY_SEARCH_MAX_WORDS)
			return "a search has at most 8 words";
		positive += !negated || quoted;
	}
	if (words > 0 && positive == 0)
		return "a search needs a word that is not negated";
	return NULL;
}

enum pss_err
library_filter_check(const struct viewer *v, const struct script_filter *f, bool search,
    struct svc_err *err)
{
	const char *why;

	if (f->is_public < -1 || f->is_public > 1)
		return svc_fail(err, PSS_EINVAL, "isPublic", "true or false");
	if (f->sort >= SCRIPT_SORT__MAX || (f->sort == SCRIPT_SORT_RANK && !search))
		return svc_fail(err, PSS_EINVAL, "sort", "unknown sort");
	if (f->page < 0 || f->page > 1000000)
		return svc_fail(err, PSS_EINVAL, "page", "page must be between 1 and 1000000");
	if (f->limit < 0 || f->limit > LIBRARY_LIMIT_MAX)
		return svc_fail(err, PSS_EINVAL, "limit", "limit must be between 1 and 100");
	if (f->category_id < 0 || f->user_id < 0)
		return svc_fail(err, PSS_EINVAL, f->user_id < 0 ? "userId" : "categoryId", "not an id");
	if (f->has_min_security && !(f->min_security >= 0 && f->min_security <= 10))
		return svc_fail(err, PSS_EINVAL, "minSecurityScore", "a score between 0 and 10");
	if (f->mine && v->user_id <= 0)
		return svc_fail(err, PSS_EAUTH, "mine", "mine=true needs a signed-in user");
	if (f->tag != NULL && (strlen(f->tag) > 255 || !utf8_valid(f->tag, strlen(f->tag))))
		return svc_fail(err, PSS_EINVAL, "tag", "not a tag name");
	if (f->n_and_tags > PSS_ARRAY_LEN(f->and_tags) || (f->n_and_tags > 0 && f->tag == NULL))
		return svc_fail(err, PSS_EINVAL, "tags", "at most 10 tags");
	for (size_t i = 0; i < f->n_and_tags; i++)
		if (strlen(f->and_tags[i]) > 255 || !utf8_valid(f->and_tags[i], strlen(f->and_tags[i])))
			return svc_fail(err, PSS_EINVAL, "tags", "not a tag name");
	if (search && (why = library_search_check(f->query)) != NULL)
		return svc_fail(err, PSS_EINVAL, "q", why);
	if (f->cursor != NULL && !db_script_cursor_valid(f->cursor, f->sort, f->asc))
		return svc_fail(err, PSS_EINVAL, "cursor", "not a cursor of this sort and order");
	return PSS_OK;
}

static enum pss_err
list_or_search(const struct svc *s, const struct viewer *v, const struct script_filter *in,
    bool search, struct json_object **out, struct svc_err *err)
{
	struct script_filter f = *in;
	enum pss_err e;

	*out = NULL;
	if (f.page == 0)
		f.page = 1;
	if (f.limit == 0)
		f.limit = LIBRARY_LIMIT_DEFAULT;
	if ((e = library_filter_check(v, &f, search, err)) != PSS_OK)
		return e;
	return search ? db_scripts_search(s->db, v, &f, out) : db_scripts_list(s->db, v, &f, out);
}

enum pss_err
library_scripts_list(const struct svc *s, const struct viewer *v, const struct script_filter *f,
    struct json_object **out, struct svc_err *err)
{
	return list_or_search(s, v, f, false, out, err);
}

enum pss_err
library_scripts_search(const struct svc *s, const struct viewer *v, const struct script_filter *f,
    struct json_object **out, struct svc_err *err)
{
	return list_or_search(s, v, f, true, out, err);
}

enum pss_err
library_script_get(const struct svc *s, const struct viewer *v, int64_t id, struct json_object **out)
{
	struct json_object *job = NULL, *an = NULL;
	enum pss_err e;

	if ((e = db_script_get(s->db, v, id, out)) != PSS_OK)
		return e;
	json_object_object_get_ex(*out, "analysisJob", &job);
	json_object_object_get_ex(*out, "analysis", &an);
	json_object_object_add(*out, "analysisState",
	    library_analysis_state(job, an != NULL && !json_object_is_type(an, json_type_null)));
	json_object_object_del(*out, "analysisJob");
	return PSS_OK;
}

char *
library_list_cache_key(const struct viewer *v, const struct script_filter *f, bool search)
{
	struct buf b = BUF_INIT;
	char hex[65], scope[32], *key;

	/* every field that changes the answer, unambiguously (strings length-prefixed) */
	buf_printf(&b, "%d|%d|%d|%d|%lld|%lld|%d|%d|%d|%.17g|", search, (int)f->mode, (int)f->sort, f->asc,
	    (long long)f->category_id, (long long)f->user_id, f->is_public, f->mine,
	    f->has_min_security, f->has_min_security ? f->min_security : 0.0);
	buf_printf(&b, "%zu:%s|%zu:%s|%zu:%s", f->tag ? strlen(f->tag) : 0, f->tag ? f->tag : "",
	    f->cursor ? strlen(f->cursor) : 0, f->cursor ? f->cursor : "",
	    f->query ? strlen(f->query) : 0, f->query ? f->query : "");
	for (size_t i = 0; i < f->n_and_tags && i < PSS_ARRAY_LEN(f->and_tags); i++)
		buf_printf(&b, "|%zu:%s", strlen(f->and_tags[i]), f->and_tags[i]);
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
	    (long long)(f->limit > 0 ? f->limit : LIBRARY_LIMIT_DEFAULT), scope, hex);
	key = buf_detach(&b);
	return key;
}

bool
library_script_visible(const struct viewer *v, struct json_object *s)
{
	struct json_object *pub, *uid;

	if (v->admin)
		return true;
	if (json_object_object_get_ex(s, "isPublic", &pub) && json_object_get_boolean(pub))
		return true;
	return v->user_id > 0 && json_object_object_get_ex(s, "userId", &uid) &&
	    json_object_is_type(uid, json_type_int) && json_object_get_int64(uid) == v->user_id;
}

/* ---- create ---- */

struct create_tx {
	struct script_row row;
	const char	*text;
	size_t		 len;
	const char	*tags;
	bool		 analyze;
	int64_t		 id;
	struct svc_err	*err;
};

enum pss_err
library_script_insert(struct db *db, const struct script_row *row, const char *text, size_t len,
    const char *tags_json, bool analyze, int64_t *id, struct svc_err *err)
{
	struct script_row r = *row;
	char *terms = NULL;
	int64_t existing;
	enum pss_err e;

	*id = 0;
	if ((e = library_category_check(db, row->category_id, err)) != PSS_OK)
		return e;
	/* the commands' meaning, searched with the content (docs/search.md) */
	if (r.search_terms == NULL)
		r.search_terms = terms = library_search_terms(text, len, NULL);
	e = db_script_insert(db, &r, text, len, id, &existing);
	free(terms);
	if (e == PSS_ECONFLICT && existing != 0) {
		if (err != NULL)
			err->existing_id = existing > 0 ? existing : 0;
		return svc_fail(err, e, "content", "the same content is already stored");
	}
	if (e == PSS_OK && tags_json != NULL)
		e = library_tags_apply(db, *id, tags_json, true, err);
	if (e == PSS_OK && analyze)
		e = library_enqueue_analysis(db, *id);
	/* every new script is embedded, analysed or not (docs/search.md) */
	if (e == PSS_OK)
		e = library_enqueue_embedding(db, *id);
	return e;
}

static enum pss_err
create_tx(struct db *db, void *arg)
{
	struct create_tx *c = arg;

	return library_script_insert(db, &c->row, c->text, c->len, c->tags, c->analyze, &c->id, c->err);
}

enum pss_err
library_script_create(const struct svc *s, const struct script_new *in, int64_t *id,
    struct svc_err *err)
{
	struct create_tx c = { { in->user_id, NULL, in->description, in->category_id, in->is_public,
		in->commit_message != NULL ? in->commit_message : "Initial version", NULL }, NULL, 0, NULL,
		in->analyze, 0, err };
	char *title = NULL, *text = NULL, *tags = NULL;
	enum pss_err e = PSS_EINVAL;

	*id = 0;
	if (in->user_id <= 0)
		return svc_fail(err, PSS_EAUTH, NULL, "a signed-in user is required");
	if ((title = library_title_check(in->title, err)) == NULL ||
	    !library_description_ok(in->description, err))
		goto out;
	if (!library_message_ok(in->commit_message, err))
		goto out;
	if ((e = library_content_check(in->content, in->content_len, &text, &c.len, err)) != PSS_OK)
		goto out;
	e = PSS_EINVAL;
	if ((tags = library_tags_check(in->tags, in->ntags, "tags", err)) == NULL)
		goto out;
	c.row.title = title;
	c.text = text;
	c.tags = tags;
	if ((e = db_tx(s->db, create_tx, &c)) == PSS_OK) {
		*id = c.id;
		cache_invalidate_library(s->cache, c.id, CACHE_LIB_ALL);
	}
out:
	free(title);
	free(text);
	free(tags);
	return e;
}

/* ---- update and revert ---- */

/* library_new_version (library-int.h): text becomes version N+1 of the locked script, then
 * its analysis job. */
enum pss_err
library_new_version(struct db *db, int64_t id, int64_t author, const char *text, size_t len,
    const char *message, bool force, int64_t *version, struct svc_err *err, bool *hash_race)
{
	int64_t v, existing;
	char *terms = library_search_terms(text, len, NULL);
	enum pss_err e;

	e = db_script_new_version(db, id, author, text, len, message, force, &v, &existing, hash_race,
	    terms);
	free(terms);
	if (e == PSS_ECONFLICT && (existing != 0 || *hash_race)) {
		if (err != NULL && existing != 0)
			err->existing_id = existing;
		return svc_fail(err, e, "content", "the same content is already stored");
	}
	if (version != NULL)
		*version = v;
	if (e == PSS_OK && v != 0)
		e = library_enqueue_analysis(db, id);
	if (e == PSS_OK && v != 0)
		e = library_enqueue_embedding(db, id);
	return e;
}

/* After a lost race on the hash the transaction is gone: name the winner outside it, when
 * the viewer may see it (a private script of someone else's is never named). */
static void
race_winner(struct db *db, const struct viewer *v, const char *text, size_t len, struct svc_err *err)
{
	if (err != NULL)
		err->existing_id = db_script_by_hash(db, text, len, v->user_id);
}

struct update_tx {
	const struct viewer *v;
	const struct script_update *u;
	const char	*title;
	const char	*text;
	size_t		 len;
	const char	*tags;
	struct svc_err	*err;
	bool		 hash_race;
};

static enum pss_err
update_tx(struct db *db, void *arg)
{
	struct update_tx *t = arg;
	const struct script_update *u = t->u;
	int64_t twin;
	enum pss_err e;

	if ((e = library_access(db, t->v, u->id, true, true)) != PSS_OK)
		return e;
	if (u->has_category && (e = library_category_check(db, u->category_id, t->err)) != PSS_OK)
		return e;
	/* made public while a public script has the same content (a private copy may exist
	 * beside a public one, two public ones may not): 409 naming it, as it is public; the
	 * unique index decides a race (then without a name) */
	if (u->is_public == 1 && (twin = db_script_public_twin(db, u->id)) != 0) {
		if (t->err != NULL)
			t->err->existing_id = twin;
		return svc_fail(t->err, PSS_ECONFLICT, "isPublic", "a public script has the same content");
	}
	e = db_script_set(db, u->id, t->title, u->description, u->clear_description, u->has_category,
	    u->category_id, u->is_public);
	if (e == PSS_ECONFLICT && strcmp(db_last_constraint(db), "idx_scripts_public_file_hash") == 0)
		return svc_fail(t->err, e, "isPublic", "a public script has the same content");
	if (e == PSS_OK && t->text != NULL)
		e = library_new_version(db, u->id, t->v->user_id, t->text, t->len, u->commit_message,
		    false, NULL, t->err, &t->hash_race);
	if (e == PSS_OK && t->tags != NULL)
		e = library_tags_apply(db, u->id, t->tags, true, t->err);
	/* what is embedded changed without a new version: embed again (a new version did) */
	if (e == PSS_OK && t->text == NULL && (t->title != NULL || u->description != NULL ||
	    u->clear_description || t->tags != NULL))
		e = library_enqueue_embedding(db, u->id);
	return e;
}

enum pss_err
library_script_update(const struct svc *s, const struct viewer *v, const struct script_update *u,
    struct svc_err *err)
{
	struct update_tx t = { v, u, NULL, NULL, 0, NULL, err, false };
	char *title = NULL, *text = NULL, *tags = NULL;
	enum pss_err e = PSS_EINVAL;

	if (u->title != NULL && (title = library_title_check(u->title, err)) == NULL)
		goto out;
	if (!library_description_ok(u->description, err))
		goto out;
	if (u->is_public < -1 || u->is_public > 1) {
		svc_fail(err, e, "isPublic", "true or false");
		goto out;
	}
	if (!library_message_ok(u->commit_message, err))
		goto out;
	if (u->content != NULL &&
	    (e = library_content_check(u->content, u->content_len, &text, &t.len, err)) != PSS_OK)
		goto out;
	e = PSS_EINVAL;
	if (u->has_tags && (tags = library_tags_check(u->tags, u->ntags, "tags", err)) == NULL)
		goto out;
	t.title = title;
	t.text = text;
	t.tags = tags;
	e = db_tx(s->db, update_tx, &t);
	if (e == PSS_ECONFLICT && t.hash_race)
		race_winner(s->db, v, text, t.len, err);
	if (e == PSS_OK)
		cache_invalidate_library(s->cache, u->id, CACHE_LIB_ALL);
out:
	free(title);
	free(text);
	free(tags);
	return e;
}

struct revert_tx {
	const struct viewer *v;
	int64_t		 id, n;
	int64_t		 version;
	char		*text;
	struct svc_err	*err;
	bool		 hash_race;
};

static enum pss_err
revert_tx(struct db *db, void *arg)
{
	struct revert_tx *t = arg;
	char msg[64];
	enum pss_err e;

	if ((e = library_access(db, t->v, t->id, true, true)) != PSS_OK)
		return e;
	free(t->text);
	t->text = NULL;
	if ((e = db_version_content(db, t->id, t->n, &t->text)) != PSS_OK)
		return e;
	snprintf(msg, sizeof(msg), "Reverted to version %lld", (long long)t->n);
	return library_new_version(db, t->id, t->v->user_id, t->text, strlen(t->text), msg, true,
	    &t->version, t->err, &t->hash_race);
}

enum pss_err
library_version_revert(const struct svc *s, const struct viewer *v, int64_t script_id, int64_t n,
    int64_t *new_version, struct svc_err *err)
{
	struct revert_tx t = { v, script_id, n, 0, NULL, err, false };
	enum pss_err e;

	*new_version = 0;
	if (n <= 0 || n > INT32_MAX)
		return PSS_ENOTFOUND;
	e = db_tx(s->db, revert_tx, &t);
	if (e == PSS_ECONFLICT && t.hash_race && t.text != NULL)
		race_winner(s->db, v, t.text, strlen(t.text), err);
	if (e == PSS_OK) {
		*new_version = t.version;
		cache_invalidate_library(s->cache, script_id, CACHE_LIB_ALL);
	}
	free(t.text);
	return e;
}

/* ---- delete and bulk ---- */

struct delete_tx {
	const struct viewer *v;
	int64_t		 id;
};

static enum pss_err
delete_tx(struct db *db, void *arg)
{
	struct delete_tx *t = arg;
	enum pss_err e;

	if ((e = library_access(db, t->v, t->id, true, true)) != PSS_OK)
		return e;
	return db_script_delete(db, t->id);
}

enum pss_err
library_script_delete(const struct svc *s, const struct viewer *v, int64_t id)
{
	struct delete_tx t = { v, id };
	enum pss_err e;

	if ((e = db_tx(s->db, delete_tx, &t)) == PSS_OK)
		cache_invalidate_library(s->cache, id, CACHE_LIB_ALL);
	return e;
}

struct bulk_tx {
	const struct viewer *v;
	const int64_t	*ids;
	size_t		 n;
	const struct script_bulk *bu;
	const char	*add, *remove;
	int64_t		 count;
	struct svc_err	*err;
	bool		 del;
};

/* bulk_check: locks the scripts; fills err->unauthorized with the ids the viewer may not
 * change (missing ones included) and answers PSS_EFORBIDDEN when there is any. */
static enum pss_err
bulk_check(struct db *db, struct bulk_tx *t)
{
	bool *owned = xcalloc(t->n, sizeof(*owned));
	enum pss_err e;
	size_t bad = 0;

	if ((e = db_scripts_lock_owned(db, t->v, t->ids, t->n, owned)) != PSS_OK) {
		free(owned);
		return e;
	}
	for (size_t i = 0; i < t->n; i++) {
		if (owned[i])
			continue;
		if (t->err != NULL && bad < PSS_ARRAY_LEN(t->err->unauthorized))
			t->err->unauthorized[bad] = t->ids[i];
		bad++;
	}
	free(owned);
	if (t->err != NULL)
		t->err->nunauthorized = bad;
	return bad > 0 ? svc_fail(t->err, PSS_EFORBIDDEN, "ids", "some scripts are not yours") : PSS_OK;
}

static enum pss_err
bulk_tx(struct db *db, void *arg)
{
	struct bulk_tx *t = arg;
	const struct script_bulk *bu = t->bu;
	enum pss_err e;

	if ((e = bulk_check(db, t)) != PSS_OK)
		return e;
	if (t->del)
		return db_scripts_delete(db, t->ids, t->n, &t->count);
	if (bu->has_category && (e = library_category_check(db, bu->category_id, t->err)) != PSS_OK)
		return e;
	if ((e = db_scripts_set(db, t->ids, t->n, bu->is_public, bu->has_category, bu->category_id,
	    &t->count)) != PSS_OK)
		return e;
	if (t->remove != NULL && (e = db_scripts_untag(db, t->ids, t->n, t->remove)) != PSS_OK)
		return e;
	for (size_t i = 0; t->add != NULL && i < t->n; i++)
		if ((e = library_tags_apply(db, t->ids[i], t->add, false, t->err)) != PSS_OK) {
			if (e == PSS_EINVAL && t->err != NULL)
				t->err->field = "addTags";
			return e;
		}
	return PSS_OK;
}

static enum pss_err
bulk(const struct svc *s, struct bulk_tx *t)
{
	enum pss_err e;

	t->count = 0;
	if (t->n == 0 || t->n > LIBRARY_BULK_MAX)
		return svc_fail(t->err, PSS_EINVAL, "ids", "between 1 and 100 ids");
	if (t->v->user_id <= 0 && !t->v->admin)
		return svc_fail(t->err, PSS_EAUTH, NULL, "a signed-in user is required");
	for (size_t i = 0; i < t->n; i++)
		if (t->ids[i] <= 0 || t->ids[i] > INT32_MAX)
			return svc_fail(t->err, PSS_EINVAL, "ids", "not an id");
	if ((e = db_tx(s->db, bulk_tx, t)) != PSS_OK)
		return e;
	/* every script's entry, then the lists and counts once */
	for (size_t i = 0; i < t->n; i++)
		cache_invalidate_library(s->cache, t->ids[i], CACHE_LIB_SCRIPT);
	cache_invalidate_library(s->cache, 0, CACHE_LIB_LISTS | CACHE_LIB_TAXONOMY);
	return PSS_OK;
}

enum pss_err
library_scripts_delete(const struct svc *s, const struct viewer *v, const int64_t *ids, size_t n,
    int64_t *deleted, struct svc_err *err)
{
	struct bulk_tx t = { v, ids, n, NULL, NULL, NULL, 0, err, true };
	enum pss_err e = bulk(s, &t);

	*deleted = e == PSS_OK ? t.count : 0;
	return e;
}

enum pss_err
library_scripts_bulk_update(const struct svc *s, const struct viewer *v, const struct script_bulk *bu,
    int64_t *updated, struct svc_err *err)
{
	struct bulk_tx t = { v, bu->ids, bu->nids, bu, NULL, NULL, 0, err, false };
	char *add = NULL, *remove = NULL;
	enum pss_err e = PSS_EINVAL;

	*updated = 0;
	if (bu->is_public < -1 || bu->is_public > 1) {
		svc_fail(err, e, "isPublic", "true or false");
		goto out;
	}
	if (bu->nadd > 0 && (add = library_tags_check(bu->add_tags, bu->nadd, "addTags", err)) == NULL)
		goto out;
	if (bu->nremove > 0 && (remove = library_tags_check(bu->remove_tags, bu->nremove, "removeTags",
	    err)) == NULL)
		goto out;
	t.add = add;
	t.remove = remove;
	if ((e = bulk(s, &t)) == PSS_OK)
		*updated = t.count;
out:
	free(add);
	free(remove);
	return e;
}
