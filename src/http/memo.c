/* memo.c: what a process made from a cached value (its gzip body, its answer file), found
 * again only for the same key and the same bytes (http.h, "The memo") */
#include "config.h"

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

/* slot_for: the key's slot (FNV-1a), NULL when key or value is over the limits; *held: the
 * slot holds key and these bytes */
static struct http_memo *
slot_for(const char *key, const char *src, size_t len, bool *held)
{
	size_t klen = strlen(key);
	struct http_memo *m;

	if (klen > HTTP_MEMO_KEY_MAX || len > HTTP_MEMO_VALUE_MAX)
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
http_memo_reset(void)
{
	for (size_t i = 0; i < HTTP_MEMO_SLOTS; i++)
		memo_clear(&slots[i]);
}
