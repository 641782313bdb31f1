/* memo.c: what a process made from a cached value (its gzip body, its answer file), found
 * again only for the same key and the same bytes; a cached answer sent through it (http.h,
 * "The memo", "A cached answer") */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

/* Direct-mapped by the key's hash: a key that lands on a used slot takes it over. */
static struct http_memo slots[HTTP_MEMO_SLOTS];

static void
memo_clear(struct http_memo *m)
{
	free(m->plain);
	free(m->gz);
	memset(m, 0, sizeof(*m));
}

bool
http_memo_fits(const char *key, size_t len)
{
	return strlen(key) <= HTTP_MEMO_KEY_MAX && len <= HTTP_MEMO_VALUE_MAX;
}

/* slot_for: the key's slot (FNV-1a), NULL when key or value is over the limits; *held: the
 * slot holds key and these bytes */
static struct http_memo *
slot_for(const char *key, const char *src, size_t len, bool *held)
{
	size_t klen = strlen(key);
	struct http_memo *m;

	if (!http_memo_fits(key, len))
		return NULL;
	m = &slots[hash_fnv1a(HASH_FNV1A_INIT, key, klen) % HTTP_MEMO_SLOTS];
	*held = m->plain != NULL && m->plain_len == len && memcmp(m->key, key, klen + 1) == 0 &&
	    memcmp(m->plain, src, len) == 0;
	return m;
}

struct http_memo *
http_memo_find(const char *key, const char *src, size_t len)
{
	struct http_memo *m;
	bool held;

	return (m = slot_for(key, src, len, &held)) != NULL && held ? m : NULL;
}

struct http_memo *
http_memo_take(const char *key, const char *src, size_t len)
{
	struct http_memo *m;
	bool held;

	if ((m = slot_for(key, src, len, &held)) == NULL || held)
		return m;
	memo_clear(m);
	memcpy(m->key, key, strlen(key) + 1);
	m->plain = xmalloc(len > 0 ? len : 1);
	memcpy(m->plain, src, len);
	m->plain_len = len;
	return m;
}

void
http_memo_set_gz(struct http_memo *m, char *gz, size_t gz_len)
{
	free(m->gz);
	m->gz = gz;
	m->gz_len = gz_len;
}

void
http_memo_reset(void)
{
	for (size_t i = 0; i < HTTP_MEMO_SLOTS; i++)
		memo_clear(&slots[i]);
}

/* ---- a cached answer: an answer file for a large one, else gzip for a client that asks ---- */

bool
http_cached_reuse(struct response *r, const struct request *req, const char *form,
    const char *key, const char *src, size_t len, struct http_cached *how)
{
	how->gz = http_gzip_accepted(r, req);
	how->file = http_answer_file_wanted(r, req, len);
	if (!how->file && !how->gz)
		return false;
	snprintf(how->key, sizeof(how->key), "%s %s", form != NULL ? form : "", key);
	if (how->file)
		return http_answer_file_memo(r, how->key, src, len);
	return http_gzip_memo(r, how->key, src, len);
}

void
http_cached_keep(struct response *r, const char *src, size_t len, const struct http_cached *how)
{
	if (how->file && http_answer_file(r, how->key, src, len))
		return;
	if (how->gz)
		http_gzip(r, how->key, src, len);
}
