/* cache.h: the cache layer: Redis with timeouts, an in-process LRU while Redis is down and
 * for hot copies, and invalidation that reaches every worker through PostgreSQL NOTIFY and,
 * on this host, through a shared generation counter */
#ifndef PSS_CACHE_H
#define PSS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"
#include "db/db.h"

/* The spec's TTLs (DATABASE.md, Caching Strategy). */
#define CACHE_TTL_SCRIPT	600
#define CACHE_TTL_SCRIPTS	300
#define CACHE_TTL_CATEGORIES	0	/* until changed */
#define CACHE_TTL_ANALYSIS	600
#define CACHE_TTL_ANALYTICS	3600
#define CACHE_NOTIFY_CHANNEL	"pss_cache"

struct cache;

/* cache_open: connects to Redis (failure is not an error: the LRU serves meanwhile), maps
 * the shared generation file (CACHE_SHARED_FILE, when set) and, when db is not NULL,
 * listens for invalidations from other processes. */
struct cache *cache_open(const struct conf *, struct db *);
void	 cache_close(struct cache *);

/* cache_begin: call at the start of every request: applies other workers' invalidations
 * and runs the health check (every REDIS_HEALTH_INTERVAL_S) and reconnects with backoff. */
void	 cache_begin(struct cache *);

/* cache_get: the value (caller frees) or NULL on a miss; every Redis error is a miss. */
char	*cache_get(struct cache *, const char *key, size_t *len);
/* cache_get_hot: cache_get, but a value fetched from Redis is also kept in this process (a
 * hot copy) and answered from there, with no round trip, for as long as the shared
 * generation has not moved since the request that fetched it began: every invalidation on
 * this host moves it. For data whose writers all invalidate through this layer; not for
 * sessions (a revocation by a writer that cannot map the file, on another host or as
 * another user, reaches the copies by NOTIFY only, a moment later). Without the file it is
 * cache_get. */
char	*cache_get_hot(struct cache *, const char *key, size_t *len);
/* cache_get_hot_ref: cache_get_hot without the copy of a hot value: the value (NUL-terminated)
 * or NULL on a miss. A hot copy is lent (*owned NULL): valid until the next call into the
 * cache; any other value is the caller's (*owned, the same pointer, to free). */
const char *cache_get_hot_ref(struct cache *, const char *key, size_t *len, char **owned);
/* cache_get2: the values of two keys read from Redis in one round trip (MGET), each into
 * vals[i] (caller frees; NULL for a miss) with lens[i]. false, with nothing read, when Redis
 * is not up: the caller then reads through cache_get, which answers from this process's LRU
 * meanwhile. For a caller that must see Redis as it is now (the session check). */
bool	 cache_get2(struct cache *, const char *const keys[2], char *vals[2], size_t lens[2]);
/* A mark of every invalidation this process can know of: the shared generation (this host's
 * writers, at once) and the invalidations it heard by NOTIFY (other hosts' and other users'
 * writers, a moment later), its reconnects and stale marks. cache_mark: the mark to keep
 * with a value read from Redis in this request (taken when the request began, so before the
 * read); a zero mark (no shared file, Redis not up) is never fresh. cache_mark_fresh: true
 * while nothing was invalidated since the mark was taken: the value read then is still
 * Redis's, and the caller answers from its copy (counted as a hot hit). For a caller keeping
 * its own parsed copy of a value (the session check). */
struct cache_mark {
	uint64_t gen;
	uint64_t heard;
};
struct cache_mark cache_mark(const struct cache *);
bool	 cache_mark_fresh(struct cache *, struct cache_mark);
/* cache_set: ttl_s 0 keeps the key until it is invalidated. Errors are logged, not returned.
 * In a request (after cache_begin) with the shared generation mapped, nothing is stored when
 * another process on this host invalidated anything since the request began: the value may
 * have been read before that write committed (a writer on another host reaches this host's
 * Redis by its own invalidation; the TTL bounds that case). */
void	 cache_set(struct cache *, const char *key, const char *val, size_t len, int ttl_s);
/* cache_invalidate: drops a key, or every key matching a glob pattern ("scripts:*"), in
 * Redis (SCAN + DEL, never KEYS), in this process's LRU, then moves the shared generation
 * (every hot copy on this host is stale from then on) and, by NOTIFY, drops it from every
 * other worker's LRU. Call after the write committed, before answering. */
void	 cache_invalidate(struct cache *, const char *key_or_pattern);

/* The library's keys (API.md, DESIGN.md's caching strategy): script:{id}, analysis:{id},
 * scripts:{...} (lists and searches), categories:*, tags:*. */
enum cache_lib {
	CACHE_LIB_SCRIPT = 1 << 0,	/* script:{id} (when id > 0) */
	CACHE_LIB_LISTS = 1 << 1,	/* scripts:* (lists and searches of every scope) */
	CACHE_LIB_TAXONOMY = 1 << 2,	/* categories:* and tags:* (their script counts) */
	CACHE_LIB_EVERY_SCRIPT = 1 << 3,	/* script:* (a category renamed or deleted, a tag deleted) */
	/* analytics:* (every figure): dropped by LISTS and TAXONOMY too, since every write
	 * that changes a list or a count changes the analytics; alone for a new account */
	CACHE_LIB_ANALYTICS = 1 << 4,
	CACHE_LIB_ALL = CACHE_LIB_SCRIPT | CACHE_LIB_LISTS | CACHE_LIB_TAXONOMY,
	/* a user renamed or deleted: script objects and lists name them, their scripts count */
	CACHE_LIB_USER = CACHE_LIB_LISTS | CACHE_LIB_TAXONOMY | CACHE_LIB_EVERY_SCRIPT,
};
/* cache_invalidate_library: the ONE invalidation of the library's cache entries, called after
 * a write committed and before answering (cache_invalidate of each key or pattern). Every
 * program that writes the library calls it: create, update, delete, bulk, revert and
 * uploads with CACHE_LIB_ALL; execute with SCRIPT | LISTS (counts and the executionCount
 * sort change, category and tag counts do not); a category or tag created: TAXONOMY; a
 * category renamed or deleted, a tag deleted: LISTS | TAXONOMY | EVERY_SCRIPT (every
 * script object names its category and tags). */
void	 cache_invalidate_library(struct cache *, int64_t script_id, unsigned what);

bool	 cache_redis_up(const struct cache *);
/* cache_redis_version: Redis's redis_version (INFO server) into buf; false when Redis is down
 * or did not say. */
bool	 cache_redis_version(struct cache *, char *buf, size_t n);
/* cache_ping: a live PING (reconnecting if due); true when Redis answered. */
bool	 cache_ping(struct cache *);

struct cache_stats {
	uint64_t hits;
	uint64_t misses;
	uint64_t errors;
	uint64_t lru_hits;
	uint64_t hot_hits;	/* answered from a hot copy (also counted in hits) */
	uint64_t reconnects;
	uint64_t skipped_sets;	/* cache_set calls not stored (the generation moved) */
};
const struct cache_stats *cache_stats(const struct cache *);

/* The LRU, exposed for tests: at most capacity entries and max_bytes of values (a value
 * larger than an eighth of max_bytes is not kept); each entry carries a tag (the shared
 * generation it was fetched under), which lru_get returns in *tag when tag is not NULL. */
struct lru;
struct lru *lru_new(size_t capacity, size_t max_bytes);
void	 lru_free(struct lru *);
const char *lru_get(struct lru *, const char *key, size_t *len, int64_t now_ms, uint64_t *tag);
void	 lru_put(struct lru *, const char *key, const char *val, size_t len, int64_t expires_ms,
	    uint64_t tag);
void	 lru_del(struct lru *, const char *key_or_pattern);	/* glob patterns: * ? */
void	 lru_clear(struct lru *);
size_t	 lru_count(const struct lru *);
size_t	 lru_bytes(const struct lru *);

/* cache_glob_match: Redis-style * and ? (no character classes). */
bool	 cache_glob_match(const char *pat, const char *s);

#endif
