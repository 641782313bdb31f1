/* cache.h: the cache layer: Redis with timeouts, an in-process LRU while Redis is down,
 * and invalidation that reaches every worker through PostgreSQL NOTIFY */
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

/* cache_open: connects to Redis (failure is not an error: the LRU serves meanwhile) and,
 * when db is not NULL, listens for invalidations from other processes. */
struct cache *cache_open(const struct conf *, struct db *);
void	 cache_close(struct cache *);

/* cache_begin: call at the start of every request: applies other workers' invalidations
 * and runs the health check (every REDIS_HEALTH_INTERVAL_S) and reconnects with backoff. */
void	 cache_begin(struct cache *);

/* cache_get: the value (caller frees) or NULL on a miss; every Redis error is a miss. */
char	*cache_get(struct cache *, const char *key, size_t *len);
/* cache_set: ttl_s 0 keeps the key until it is invalidated. Errors are logged, not returned. */
void	 cache_set(struct cache *, const char *key, const char *val, size_t len, int ttl_s);
/* cache_invalidate: drops a key, or every key matching a glob pattern ("scripts:*"), in
 * Redis (SCAN + DEL, never KEYS), in this process's LRU, and, by NOTIFY, in every other
 * worker's LRU. Call after the write committed, before answering. */
void	 cache_invalidate(struct cache *, const char *key_or_pattern);

bool	 cache_redis_up(const struct cache *);
/* cache_ping: a live PING (reconnecting if due); true when Redis answered. */
bool	 cache_ping(struct cache *);

struct cache_stats {
	uint64_t hits;
	uint64_t misses;
	uint64_t errors;
	uint64_t lru_hits;
	uint64_t reconnects;
};
const struct cache_stats *cache_stats(const struct cache *);

/* The LRU, exposed for tests. */
struct lru;
struct lru *lru_new(size_t capacity);
void	 lru_free(struct lru *);
const char *lru_get(struct lru *, const char *key, size_t *len, int64_t now_ms);
void	 lru_put(struct lru *, const char *key, const char *val, size_t len, int64_t expires_ms);
void	 lru_del(struct lru *, const char *key_or_pattern);	/* glob patterns: * ? */
void	 lru_clear(struct lru *);
size_t	 lru_count(const struct lru *);

/* glob_match: Redis-style * and ? (no character classes). */
bool	 glob_match(const char *pat, const char *s);

#endif
