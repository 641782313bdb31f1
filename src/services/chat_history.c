/* chat_history.c: the asker's private chat history: list, get, delete, search
 * (services/chat.h); every query is the owner's own (db/chat.h) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "db/chat.h"
#include "services/chat-int.h"
#include "services/library.h"

#define PAGE_MAX 10000
#define LIST_TTL 300	/* seconds a cached page of a user's list lives (writes drop it) */

/* The cache of a user's list pages: chathist:{user}:{page}:{limit}, dropped by every write
 * of that user's history (chat_history_changed), so the key names whose it is. */
void
chat_history_changed(const struct svc *s, int64_t user_id)
{
	char pat[64];

	if (s->cache == NULL)
		return;
	snprintf(pat, sizeof(pat), "chathist:%lld:*", (long long)user_id);
	cache_invalidate(s->cache, pat);
}

static enum pss_err
page_check(int64_t *page, int64_t *limit, struct svc_err *err)
{
	if (*page == 0)
		*page = 1;
	if (*limit == 0)
		*limit = CHAT_LIMIT_DEFAULT;
	if (*page < 1 || *page > PAGE_MAX)
		return svc_fail(err, PSS_EINVAL, "page", "must be a whole number from 1 to 10000");
	if (*limit < 1 || *limit > CHAT_LIMIT_MAX)
		return svc_fail(err, PSS_EINVAL, "limit", "must be a whole number from 1 to 100");
	return PSS_OK;
}

/* the list's page and totalPages beside its total */
static void
paged(struct json_object *o, int64_t page, int64_t limit)
{
	struct json_object *t;
	int64_t total = json_object_object_get_ex(o, "total", &t) ? json_object_get_int64(t) : 0;

	json_object_object_add(o, "page", json_object_new_int64(page));
	json_object_object_add(o, "totalPages", json_object_new_int64((total + limit - 1) / limit));
}

int
chat_history_list_key(char *key, size_t n, const struct viewer *v, int64_t page, int64_t limit)
{
	if (v == NULL || v->user_id <= 0 || page_check(&page, &limit, &(struct svc_err){ 0 }) != PSS_OK)
		return -1;
	snprintf(key, n, "chathist:%lld:%lld:%lld", (long long)v->user_id, (long long)page,
	    (long long)limit);
	return 0;
}

enum pss_err
chat_history_list(const struct svc *s, const struct viewer *v, int64_t page, int64_t limit,
    struct json_object **out, struct svc_err *err)
{
	enum pss_err e;
	char key[96];

	*out = NULL;
	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if ((e = page_check(&page, &limit, err)) != PSS_OK)
		return e;
	(void)chat_history_list_key(key, sizeof(key), v, page, limit);
	/* the library's cached form, whose bytes the API answers with (reply_cached) */
	if ((*out = library_cache_get(s, key)) != NULL) {
		if (json_object_is_type(*out, json_type_object))
			return PSS_OK;
		json_object_put(*out);
		*out = NULL;
	}
	if ((e = db_chat_list(s->db, v->user_id, limit, (page - 1) * limit, out)) != PSS_OK)
		return e;
	paged(*out, page, limit);
	library_cache_put(s, key, *out, LIST_TTL);
	return PSS_OK;
}

enum pss_err
chat_history_get(const struct svc *s, const struct viewer *v, int64_t id, struct json_object **out)
{
	*out = NULL;
	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	return db_chat_get(s->db, v->user_id, id, out);
}

enum pss_err
chat_history_get_session(const struct svc *s, const struct viewer *v, const char *session_id,
    struct json_object **out)
{
	*out = NULL;
	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if (session_id == NULL || !text_uuid_valid(session_id))
		return PSS_ENOTFOUND;
	return db_chat_get_session(s->db, v->user_id, session_id, out);
}

enum pss_err
chat_history_delete(const struct svc *s, const struct viewer *v, int64_t id)
{
	enum pss_err e;

	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	if ((e = db_chat_delete(s->db, v->user_id, id)) == PSS_OK)
		chat_history_changed(s, v->user_id);
	return e;
}

enum pss_err
chat_history_delete_all(const struct svc *s, const struct viewer *v, int64_t *n)
{
	enum pss_err e;

	*n = 0;
	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if ((e = db_chat_delete_all(s->db, v->user_id, n)) == PSS_OK)
		chat_history_changed(s, v->user_id);
	return e;
}

enum pss_err
chat_history_search(const struct svc *s, const struct viewer *v, const char *q, int64_t page,
    int64_t limit, struct json_object **out, struct svc_err *err)
{
	const char *bad;
	enum pss_err e;

	*out = NULL;
	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if (q == NULL)
		return svc_fail(err, PSS_EINVAL, "q", "a search text is required");
	if ((bad = library_search_check(q)) != NULL)
		return svc_fail(err, PSS_EINVAL, "q", bad);
	if ((e = page_check(&page, &limit, err)) != PSS_OK)
		return e;
	if ((e = db_chat_search(s->db, v->user_id, q, limit, (page - 1) * limit, out)) != PSS_OK)
		return e;
	json_object_object_add(*out, "query", json_object_new_string(q));
	paged(*out, page, limit);
	return PSS_OK;
}

enum pss_err
chat_history_set_category(const struct svc *s, const struct viewer *v, int64_t id,
    const char *category, struct svc_err *err)
{
	char cat[CHAT_CATEGORY_MAX + 1];
	const char *t;
	size_t len = 0;
	enum pss_err e;

	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	t = category != NULL ? text_trim(category, &len) : "";
	if (len > CHAT_CATEGORY_MAX)
		return svc_fail(err, PSS_EINVAL, "category", "at most 50 bytes");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return svc_fail(err, PSS_EINVAL, "category", "no control characters");
	memcpy(cat, t, len);
	cat[len] = '\0';
	if ((e = db_chat_set_category(s->db, v->user_id, id, len > 0 ? cat : NULL)) == PSS_OK)
		chat_history_changed(s, v->user_id);
	return e;
}

enum pss_err
chat_history_categories(const struct svc *s, const struct viewer *v, struct json_object **out)
{
	static const char *const suggested[] = { "general", "scripts", "troubleshooting", "learning" };
	struct json_object *own = NULL, *arr;
	enum pss_err e;

	*out = NULL;
	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if ((e = db_chat_categories(s->db, v->user_id, 100, &own)) != PSS_OK)
		return e;
	arr = json_object_new_array();
	for (size_t i = 0; i < PSS_ARRAY_LEN(suggested); i++)
		json_object_array_add(arr, json_object_new_string(suggested[i]));
	for (size_t i = 0; i < json_object_array_length(own); i++) {
		const char *c = json_object_get_string(json_object_array_get_idx(own, i));
		size_t k;

		for (k = 0; k < PSS_ARRAY_LEN(suggested) && strcmp(c, suggested[k]) != 0; k++)
			;
		if (k == PSS_ARRAY_LEN(suggested))
			json_object_array_add(arr, json_object_new_string(c));
	}
	json_object_put(own);
	*out = arr;
	return PSS_OK;
}
