/* test-lru.c: unit tests of the in-process LRU and glob matching */
#include "config.h"

#include "cache/cache.h"
#include "t.h"

static void
test_lru_evicts_least_recent(void)
{
	struct lru *l = lru_new(2);
	size_t len;

	lru_put(l, "a", "1", 1, 0);
	lru_put(l, "b", "2", 1, 0);
	T_ASSERT(lru_get(l, "a", &len, 0) != NULL);	/* a is now most recent */
	lru_put(l, "c", "3", 1, 0);
	T_ASSERT(lru_get(l, "b", &len, 0) == NULL);
	T_STREQ(lru_get(l, "a", &len, 0), "1");
	T_STREQ(lru_get(l, "c", &len, 0), "3");
	T_EQ(lru_count(l), 2);
	lru_free(l);
}

static void
test_lru_expiry(void)
{
	struct lru *l = lru_new(8);
	size_t len;

	lru_put(l, "k", "v", 1, 1000);
	T_ASSERT(lru_get(l, "k", &len, 999) != NULL);
	T_ASSERT(lru_get(l, "k", &len, 1000) == NULL);
	T_EQ(lru_count(l), 0);
	lru_free(l);
}

static void
test_lru_pattern_delete(void)
{
	struct lru *l = lru_new(16);
	size_t len;

	lru_put(l, "scripts:1:20:a", "x", 1, 0);
	lru_put(l, "scripts:2:20:b", "x", 1, 0);
	lru_put(l, "script:1", "x", 1, 0);
	lru_del(l, "scripts:*");
	T_EQ(lru_count(l), 1);
	T_ASSERT(lru_get(l, "script:1", &len, 0) != NULL);
	lru_del(l, "script:1");
	T_EQ(lru_count(l), 0);
	lru_free(l);
}

static void
test_lru_replace_keeps_one(void)
{
	struct lru *l = lru_new(4);
	size_t len;

	lru_put(l, "k", "old", 3, 0);
	lru_put(l, "k", "newer", 5, 0);
	T_EQ(lru_count(l), 1);
	T_STREQ(lru_get(l, "k", &len, 0), "newer");
	T_EQ(len, 5);
	lru_free(l);
}

static void
test_glob_match(void)
{
	T_ASSERT(glob_match("scripts:*", "scripts:1:20:x"));
	T_ASSERT(!glob_match("scripts:*", "script:1"));
	T_ASSERT(glob_match("a?c", "abc"));
	T_ASSERT(glob_match("*:*:x", "1:2:x"));
	T_ASSERT(!glob_match("*:*:x", "1:2:y"));
	T_ASSERT(glob_match("*", ""));
}

int
main(void)
{
	log_init("test-lru", LOG_ERROR);
	T_RUN(test_lru_evicts_least_recent);
	T_RUN(test_lru_expiry);
	T_RUN(test_lru_pattern_delete);
	T_RUN(test_lru_replace_keeps_one);
	T_RUN(test_glob_match);
	return t_done();
}
