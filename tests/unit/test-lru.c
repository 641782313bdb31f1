/* test-lru.c: unit tests of the in-process LRU and glob matching */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cache/cache.h"
#include "t.h"

static void
test_lru_evicts_least_recent(void)
{
	struct lru *l = lru_new(2, 1 << 20);
	size_t len;

	lru_put(l, "a", "1", 1, 0, 0);
	lru_put(l, "b", "2", 1, 0, 0);
	T_ASSERT(lru_get(l, "a", &len, 0, NULL) != NULL);	/* a is now most recent */
	lru_put(l, "c", "3", 1, 0, 0);
	T_ASSERT(lru_get(l, "b", &len, 0, NULL) == NULL);
	T_STREQ(lru_get(l, "a", &len, 0, NULL), "1");
	T_STREQ(lru_get(l, "c", &len, 0, NULL), "3");
	T_EQ(lru_count(l), 2);
	lru_free(l);
}

static void
test_lru_expiry(void)
{
	struct lru *l = lru_new(8, 1 << 20);
	size_t len;

	lru_put(l, "k", "v", 1, 1000, 0);
	T_ASSERT(lru_get(l, "k", &len, 999, NULL) != NULL);
	T_ASSERT(lru_get(l, "k", &len, 1000, NULL) == NULL);
	T_EQ(lru_count(l), 0);
	lru_free(l);
}

static void
test_lru_pattern_delete(void)
{
	struct lru *l = lru_new(16, 1 << 20);
	size_t len;

	lru_put(l, "scripts:1:20:a", "x", 1, 0, 0);
	lru_put(l, "scripts:2:20:b", "x", 1, 0, 0);
	lru_put(l, "script:1", "x", 1, 0, 0);
	lru_del(l, "scripts:*");
	T_EQ(lru_count(l), 1);
	T_ASSERT(lru_get(l, "script:1", &len, 0, NULL) != NULL);
	lru_del(l, "script:1");
	T_EQ(lru_count(l), 0);
	lru_free(l);
}

static void
test_lru_replace_keeps_one(void)
{
	struct lru *l = lru_new(4, 1 << 20);
	size_t len;

	lru_put(l, "k", "old", 3, 0, 0);
	lru_put(l, "k", "newer", 5, 0, 0);
	T_EQ(lru_count(l), 1);
	T_STREQ(lru_get(l, "k", &len, 0, NULL), "newer");
	T_EQ(len, 5);
	lru_free(l);
}

/* The byte bound: the least recent go until the new value fits; a value larger than an
 * eighth of the bound is not kept, and does not leave an older value of its key behind. */
static void
test_lru_byte_bound(void)
{
	struct lru *l = lru_new(100, 800);
	char v[101];
	size_t len;

	memset(v, 'x', sizeof(v));
	for (int i = 0; i < 8; i++) {
		char k[8];

		snprintf(k, sizeof(k), "k%d", i);
		lru_put(l, k, v, 100, 0, 0);
	}
	T_EQ(lru_count(l), 8);
	T_EQ(lru_bytes(l), 800);
	lru_put(l, "k8", v, 50, 0, 0);
	T_EQ(lru_count(l), 8);
	T_ASSERT(lru_get(l, "k0", &len, 0, NULL) == NULL);	/* the least recent went */
	T_ASSERT(lru_get(l, "k1", &len, 0, NULL) != NULL);
	T_EQ(lru_bytes(l), 750);
	lru_put(l, "k1", v, 101, 0, 0);	/* too large: k1's old value must not stay */
	T_ASSERT(lru_get(l, "k1", &len, 0, NULL) == NULL);
	T_EQ(lru_bytes(l), 650);
	lru_clear(l);
	T_EQ(lru_bytes(l), 0);
	lru_free(l);
}

static void
test_lru_tag(void)
{
	struct lru *l = lru_new(4, 1 << 20);
	uint64_t tag = 0;
	size_t len;

	lru_put(l, "k", "v", 1, 0, 42);
	T_STREQ(lru_get(l, "k", &len, 0, &tag), "v");
	T_EQ(tag, 42);
	lru_put(l, "k", "w", 1, 0, 43);
	T_STREQ(lru_get(l, "k", &len, 0, &tag), "w");
	T_EQ(tag, 43);
	lru_free(l);
}

static void
test_glob_match(void)
{
	T_ASSERT(cache_glob_match("scripts:*", "scripts:1:20:x"));
	T_ASSERT(!cache_glob_match("scripts:*", "script:1"));
	T_ASSERT(cache_glob_match("a?c", "abc"));
	T_ASSERT(cache_glob_match("*:*:x", "1:2:x"));
	T_ASSERT(!cache_glob_match("*:*:x", "1:2:y"));
	T_ASSERT(cache_glob_match("*", ""));
}

int
main(void)
{
	log_init("test-lru", LOG_ERROR);
	T_RUN(test_lru_evicts_least_recent);
	T_RUN(test_lru_expiry);
	T_RUN(test_lru_pattern_delete);
	T_RUN(test_lru_replace_keeps_one);
	T_RUN(test_lru_byte_bound);
	T_RUN(test_lru_tag);
	T_RUN(test_glob_match);
	return t_done();
}
