/* test-cache.c: the cache layer against real Redis and PostgreSQL, as two workers would use it:
 * shared Redis entries, pattern invalidation, LRU fallback while Redis is down with
 * invalidations still reaching the other worker, and reconnection */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache.h"
#include "core/conf.h"
#include "db/db.h"
#include "itest.h"
#include "t.h"

static struct conf conf;
static struct db *db1, *db2;
static struct cache *c1, *c2;

static int
has(struct cache *c, const char *key, const char *want)
{
	size_t len;
	char *v = cache_get(c, key, &len);
	int ok = v != NULL && (want == NULL || strcmp(v, want) == 0);

	free(v);
	return ok;
}

static void
test_value_set_by_one_worker_is_read_by_another(void)
{
	cache_begin(c1);
	cache_begin(c2);
	T_ASSERT(cache_redis_up(c1) && cache_redis_up(c2));
	cache_set(c1, "script:1", "{\"id\":1}", 8, CACHE_TTL_SCRIPT);
	T_ASSERT(has(c2, "script:1", "{\"id\":1}"));
	T_STREQ(it_run("[ \"$(redis-cli -p $REDISPORT ttl script:1)\" -gt 590 ]") == 0 ? "ttl" : "no ttl", "ttl");
}

static void
test_pattern_invalidation_uses_scan(void)
{
	char key[64];

	for (int i = 0; i < 1200; i++) {
		snprintf(key, sizeof(key), "scripts:%d:20:all", i);
		cache_set(c1, key, "x", 1, CACHE_TTL_SCRIPTS);
	}
	cache_set(c1, "categories:all", "c", 1, CACHE_TTL_CATEGORIES);
	cache_invalidate(c2, "scripts:*");
	T_ASSERT(!has(c1, "scripts:7:20:all", NULL));
	T_ASSERT(!has(c1, "scripts:1199:20:all", NULL));
	T_ASSERT(has(c1, "categories:all", "c"));
	T_ASSERT(has(c1, "script:1", NULL));
}

/* cache_get2 (the session check's read): both values from Redis as it is now, a missing one
 * NULL, and one another worker dropped is gone at once, with no cache_begin between. */
static void
test_two_values_in_one_round_trip(void)
{
	const char *keys[2] = { "session:x", "user:9" };
	char *v[2];
	size_t len[2];

	cache_begin(c1);	/* a new request (the one before saw other writers) */
	cache_set(c1, "session:x", "{\"s\":1}", 7, 60);
	cache_set(c1, "user:9", "{\"u\":9}", 7, 60);
	T_ASSERT(cache_get2(c2, keys, v, len));
	T_ASSERT(v[0] != NULL && len[0] == 7 && memcmp(v[0], "{\"s\":1}", 7) == 0);
	T_ASSERT(v[1] != NULL && len[1] == 7 && memcmp(v[1], "{\"u\":9}", 7) == 0);
	free(v[0]);
	free(v[1]);
	cache_invalidate(c1, "user:9");
	T_ASSERT(cache_get2(c2, keys, v, len));
	T_ASSERT(v[0] != NULL && v[1] == NULL);
	free(v[0]);
}

/* A request that read before another process's write committed must not store what it read
 * after that write's invalidation: a set after anyone else's invalidation during the request
 * is not stored; the request's own invalidations do not count. */
static void
test_a_set_after_another_writer_is_not_stored(void)
{
	uint64_t skipped = cache_stats(c1)->skipped_sets;
	size_t len;
	char *v;

	cache_begin(c1);
	cache_begin(c2);
	cache_invalidate(c2, "script:77");	/* another worker's write, during c1's request */
	cache_set(c1, "script:77", "old", 3, CACHE_TTL_SCRIPT);
	T_EQ(cache_stats(c1)->skipped_sets, skipped + 1);
	v = cache_get(c2, "script:77", &len);
	T_ASSERT(v == NULL);
	free(v);
	cache_begin(c1);	/* the next request stores */
	cache_invalidate(c1, "script:78");	/* its own write */
	cache_set(c1, "script:77", "new", 3, CACHE_TTL_SCRIPT);
	v = cache_get(c2, "script:77", &len);
	T_ASSERT(v != NULL && len == 3 && memcmp(v, "new", 3) == 0);
	free(v);
	T_EQ(cache_stats(c1)->skipped_sets, skipped + 1);
}

static int
hot(struct cache *c, const char *key, const char *want)
{
	size_t len;
	char *v = cache_get_hot(c, key, &len);
	int ok = v != NULL && strcmp(v, want) == 0;

	free(v);
	return ok;
}

/* A hot copy answers without Redis until a write on this host moves the shared generation;
 * then it is stale at once, before any NOTIFY has been read. */
static void
test_hot_copies_follow_the_shared_generation(void)
{
	uint64_t h0 = cache_stats(c1)->hot_hits;

	cache_begin(c1);
	cache_begin(c2);
	cache_set(c2, "script:10", "v1", 2, CACHE_TTL_SCRIPT);
	T_ASSERT(hot(c1, "script:10", "v1"));	/* from Redis, kept */
	cache_begin(c1);
	T_ASSERT(hot(c1, "script:10", "v1"));	/* from the copy */
	T_EQ(cache_stats(c1)->hot_hits - h0, 1);
	/* changed in Redis behind the cache's back: the copy still answers (no round trip) */
	T_EQ(it_run("redis-cli -p $REDISPORT set script:10 v2 >/dev/null"), 0);
	cache_begin(c1);
	T_ASSERT(hot(c1, "script:10", "v1"));
	T_EQ(cache_stats(c1)->hot_hits - h0, 2);
	/* the other worker writes: stale at once, with c1 reading no notification */
	cache_invalidate(c2, "script:10");
	cache_set(c2, "script:10", "v3", 2, CACHE_TTL_SCRIPT);
	T_ASSERT(hot(c1, "script:10", "v3"));
	T_EQ(cache_stats(c1)->hot_hits - h0, 2);
	/* a pattern moves it too, for every key */
	cache_begin(c1);
	T_ASSERT(hot(c1, "script:10", "v3"));
	cache_begin(c1);
	T_ASSERT(hot(c1, "script:10", "v3"));
	T_EQ(cache_stats(c1)->hot_hits - h0, 3);
	cache_invalidate(c2, "tags:*");
	T_EQ(it_run("redis-cli -p $REDISPORT set script:10 v4 >/dev/null"), 0);
	T_ASSERT(hot(c1, "script:10", "v4"));
}

/* A process that cannot map the file (not there, not ours) keeps no copies and still works. */
static void
test_without_the_shared_file_there_are_no_hot_copies(void)
{
	char bad[256], missing[] = "/proc/no-such-folder/cache.shm";
	char *paths[] = { missing, bad };

	snprintf(bad, sizeof(bad), "%s/not-a-generation-file", getenv("PSS_TEST_STATE"));
	T_EQ(it_run("head -c 64 /dev/urandom > '%s'", bad), 0);
	for (size_t i = 0; i < PSS_ARRAY_LEN(paths); i++) {
		struct conf other = conf;
		struct cache *c;

		other.cache_shared_file = paths[i];
		c = cache_open(&other, NULL);
		cache_begin(c);
		cache_set(c, "script:11", "x", 1, CACHE_TTL_SCRIPT);
		for (int k = 0; k < 3; k++) {
			cache_begin(c);
			T_ASSERT(hot(c, "script:11", "x"));
		}
		T_EQ(cache_stats(c)->hot_hits, 0);
		cache_close(c);
	}
}

static void
test_redis_down_falls_back_to_lru_and_invalidations_reach_every_worker(void)
{
	T_EQ(it_harness("redis-stop"), 0);
	/* The first command fails: a miss, never an error. */
	T_ASSERT(!has(c1, "script:1", NULL));
	T_ASSERT(!has(c2, "script:1", NULL));
	cache_begin(c1);
	cache_begin(c2);
	T_ASSERT(!cache_redis_up(c1) && !cache_redis_up(c2));
	{	/* without Redis, cache_get2 reads nothing: its caller takes the LRU's path */
		const char *keys[2] = { "session:x", "user:9" };
		char *v[2];
		size_t len[2];

		T_ASSERT(!cache_get2(c1, keys, v, len));
		T_ASSERT(v[0] == NULL && v[1] == NULL);
	}
	cache_set(c2, "script:2", "old", 3, CACHE_TTL_SCRIPT);
	T_ASSERT(has(c2, "script:2", "old"));
	/* worker 1 writes and invalidates; worker 2's next request must not see "old" */
	cache_invalidate(c1, "script:2");
	cache_begin(c2);
	T_ASSERT(!has(c2, "script:2", NULL));
	/* pattern invalidations travel too */
	cache_set(c2, "scripts:1:20:a", "x", 1, CACHE_TTL_SCRIPTS);
	cache_invalidate(c1, "scripts:*");
	cache_begin(c2);
	T_ASSERT(!has(c2, "scripts:1:20:a", NULL));
}

static void
test_redis_comes_back_and_is_used_again(void)
{
	int up = 0;

	T_EQ(it_harness("redis-start"), 0);
	for (int i = 0; i < 100 && !up; i++) {
		usleep(200000);
		cache_begin(c1);
		cache_begin(c2);
		up = cache_redis_up(c1) && cache_redis_up(c2);
	}
	T_ASSERT(up);
	cache_set(c1, "script:3", "fresh", 5, CACHE_TTL_SCRIPT);
	T_ASSERT(has(c2, "script:3", "fresh"));
	T_ASSERT(cache_stats(c1)->reconnects >= 1);
}

int
main(void)
{
	it_init();
	it_db_setup("test-cache", &conf, NULL);
	conf.redis_health_interval_s = 1;
	db1 = db_open(&conf, false);
	db2 = db_open(&conf, false);
	c1 = cache_open(&conf, db1);
	c2 = cache_open(&conf, db2);
	T_RUN(test_value_set_by_one_worker_is_read_by_another);
	T_RUN(test_pattern_invalidation_uses_scan);
	T_RUN(test_two_values_in_one_round_trip);
	T_RUN(test_a_set_after_another_writer_is_not_stored);
	T_RUN(test_hot_copies_follow_the_shared_generation);
	T_RUN(test_without_the_shared_file_there_are_no_hot_copies);
	T_RUN(test_redis_down_falls_back_to_lru_and_invalidations_reach_every_worker);
	T_RUN(test_redis_comes_back_and_is_used_again);
	cache_close(c1);
	cache_close(c2);
	db_close(db1);
	db_close(db2);
	conf_free(&conf);
	return t_done();
}
