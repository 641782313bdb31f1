/* lru.c: a bounded in-process LRU with expiry and tags: the fallback while Redis is down,
 * and the hot copies */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "cache/cache.h"

struct lru_entry {
	char		*key;
	char		*val;
	size_t		 len;
	int64_t		 expires_ms;	/* 0: never */
	uint64_t	 tag;
	uint64_t	 hash;
	struct lru_entry *prev, *next;	/* recency list, most recent first */
	struct lru_entry *chain;	/* hash bucket */
};

struct lru {
	struct lru_entry **buckets;
	size_t		 nbuckets;
	size_t		 count;
	size_t		 capacity;
	size_t		 bytes;		/* of the values */
	size_t		 max_bytes;
	struct lru_entry *head, *tail;
};

static uint64_t
fnv1a(const char *s)
{
	return hash_fnv1a(HASH_FNV1A_INIT, s, strlen(s));
}

bool
cache_glob_match(const char *p, const char *s)
{
	const char *star = NULL, *ss = NULL;

	/* Iterative with one backtrack point: linear for practical patterns, no recursion. */
	while (*s) {
		if (*p == '*') {
			star = p++;
			ss = s;
		} else if (*p == '?' || *p == *s) {
			p++;
			s++;
		} else if (star != NULL) {
			p = star + 1;
			s = ++ss;
		} else
			return false;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

struct lru *
lru_new(size_t capacity, size_t max_bytes)
{
	struct lru *l = xcalloc(1, sizeof(*l));

	l->capacity = capacity;
	l->max_bytes = max_bytes;
	l->nbuckets = 64;
	while (l->nbuckets < capacity * 2 && l->nbuckets < (1u << 24))
		l->nbuckets *= 2;
	l->buckets = xcalloc(l->nbuckets, sizeof(*l->buckets));
	return l;
}

static void
unlink_entry(struct lru *l, struct lru_entry *e)
{
	struct lru_entry **pp = &l->buckets[e->hash & (l->nbuckets - 1)];

	while (*pp != e)
		pp = &(*pp)->chain;
	*pp = e->chain;
	if (e->prev)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	free(e->key);
	free(e->val);
	l->bytes -= e->len;
	free(e);
	l->count--;
}

static struct lru_entry *
find(struct lru *l, const char *key, uint64_t h)
{
	for (struct lru_entry *e = l->buckets[h & (l->nbuckets - 1)]; e; e = e->chain)
		if (e->hash == h && strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

static void
to_front(struct lru *l, struct lru_entry *e)
{
	if (l->head == e)
		return;
	e->prev->next = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = NULL;
	e->next = l->head;
	l->head->prev = e;
	l->head = e;
}

const char *
lru_get(struct lru *l, const char *key, size_t *len, int64_t now_ms, uint64_t *tag)
{
	uint64_t h = fnv1a(key);
	struct lru_entry *e = find(l, key, h);

	if (e == NULL)
		return NULL;
	if (e->expires_ms != 0 && e->expires_ms <= now_ms) {
		unlink_entry(l, e);
		return NULL;
	}
	to_front(l, e);
	*len = e->len;
	if (tag != NULL)
		*tag = e->tag;
	return e->val;
}

void
lru_put(struct lru *l, const char *key, const char *val, size_t len, int64_t expires_ms,
    uint64_t tag)
{
	uint64_t h = fnv1a(key);
	struct lru_entry *e;

	if ((e = find(l, key, h)) != NULL)
		unlink_entry(l, e);
	if (l->capacity == 0 || len > l->max_bytes / 8)
		return;
	while ((l->count >= l->capacity || l->bytes + len > l->max_bytes) && l->tail != NULL)
		unlink_entry(l, l->tail);
	e = xcalloc(1, sizeof(*e));
	e->key = xstrdup(key);
	e->val = xmalloc(len + 1);
	memcpy(e->val, val, len);
	e->val[len] = '\0';
	e->len = len;
	e->expires_ms = expires_ms;
	e->tag = tag;
	e->hash = h;
	e->chain = l->buckets[h & (l->nbuckets - 1)];
	l->buckets[h & (l->nbuckets - 1)] = e;
	e->next = l->head;
	if (l->head)
		l->head->prev = e;
	l->head = e;
	if (l->tail == NULL)
		l->tail = e;
	l->count++;
	l->bytes += len;
}

void
lru_del(struct lru *l, const char *pat)
{
	struct lru_entry *e, *next;

	if (strpbrk(pat, "*?") == NULL) {
		if ((e = find(l, pat, fnv1a(pat))) != NULL)
			unlink_entry(l, e);
		return;
	}
	for (e = l->head; e != NULL; e = next) {
		next = e->next;
		if (cache_glob_match(pat, e->key))
			unlink_entry(l, e);
	}
}

void
lru_clear(struct lru *l)
{
	while (l->head != NULL)
		unlink_entry(l, l->head);
}

size_t
lru_count(const struct lru *l)
{
	return l->count;
}

size_t
lru_bytes(const struct lru *l)
{
	return l->bytes;
}

void
lru_free(struct lru *l)
{
	if (l == NULL)
		return;
	lru_clear(l);
	free(l->buckets);
	free(l);
}
