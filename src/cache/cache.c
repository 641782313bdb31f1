/* cache.c: Redis through hiredis; every error is a miss; LRU fallback and hot copies;
 * NOTIFY and shared-generation invalidation */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "core/core.h"
#include "cache/cache.h"

/* Payload telling every worker that an invalidation did not reach Redis: nobody may read
 * Redis again until it has been flushed of our keys. */
#define STALE_MARK "!redis-stale"

/* A hot copy lives at most this long even when nothing invalidates it. */
#define HOT_TTL_MS	60000

/* The shared generation file: every process of this host that invalidates maps it and moves
 * gen after Redis has dropped the keys, so a hot copy tagged with an older gen is never
 * served again, in any worker, from the moment the writer answers. */
#define SHARED_MAGIC	0x7073736367656e31ULL	/* "psscgen1" */
struct shared_gen {
	uint64_t magic;
	uint64_t gen;
};

static const char *const our_patterns[] = {
	"script:*", "scripts:*", "categories:*", "analysis:*", "analytics:*", "session:*",
	"tags:*", "user:*",
};

struct cache {
	redisContext	*rc;
	struct db	*db;
	struct lru	*lru;
	struct shared_gen *shared;	/* NULL: no hot copies */
	uint64_t	 req_gen;	/* shared->gen when this request began */
	uint64_t	 own_moves;	/* the moves of shared->gen by this request's invalidations */
	uint64_t	 heard;		/* invalidations heard by NOTIFY, reconnects, stale marks */
	bool		 in_request;	/* cache_begin ran (a FastCGI worker) */
	uint64_t	 db_reconnects;	/* the db's count when its notifications were last whole */
	char		*host;
	char		*unix_path;
	int		 port;
	char		*password;
	int		 dbnum;
	struct timeval	 connect_tv;
	struct timeval	 command_tv;
	int64_t		 health_interval_ms;
	int64_t		 max_backoff_ms;
	int64_t		 last_check_ms;
	int64_t		 next_attempt_ms;
	int64_t		 backoff_ms;
	bool		 up;
	bool		 stale;		/* Redis may hold data older than a committed write */
	struct cache_stats stats;
};

static struct timeval
ms_tv(int64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000) };

	return tv;
}

/* redis://[:password@]host[:port][/db] or unix:///path */
static void
parse_url(struct cache *c, const char *url)
{
	const char *p, *at, *slash, *colon;

	if (strncmp(url, "unix://", 7) == 0) {
		c->unix_path = xstrdup(url + 7);
		return;
	}
	p = url + 8;
	if ((at = strrchr(p, '@')) != NULL) {
		const char *pw = memchr(p, ':', (size_t)(at - p));

		if (pw != NULL)
			c->password = xstrndup(pw + 1, (size_t)(at - pw - 1));
		p = at + 1;
	}
	slash = strchr(p, '/');
	colon = memchr(p, ':', slash ? (size_t)(slash - p) : strlen(p));
	free(c->host);
	c->host = xstrndup(p, colon ? (size_t)(colon - p) : slash ? (size_t)(slash - p) : strlen(p));
	if (colon != NULL) {
		int64_t port;
		char num[8];

		snprintf(num, sizeof(num), "%.*s", (int)(slash ? slash - colon - 1 : (long)strlen(colon + 1)),
		    colon + 1);
		if (parse_int64(num, 1, 65535, &port) == 0)
			c->port = (int)port;
	}
	if (slash != NULL && slash[1] != '\0') {
		int64_t n;

		if (parse_int64(slash + 1, 0, 15, &n) == 0)
			c->dbnum = (int)n;
	}
}

static void
drop(struct cache *c, const char *why)
{
	if (c->rc != NULL) {
		if (c->up)
			log_warn("redis unavailable (%s); serving from the in-process cache", why);
		redisFree(c->rc);
		c->rc = NULL;
	}
	if (c->up)
		lru_clear(c->lru);
	c->up = false;
	c->stats.errors++;
	c->next_attempt_ms = time_mono_ms() + c->backoff_ms;
	c->backoff_ms = c->backoff_ms * 2 > c->max_backoff_ms ? c->max_backoff_ms : c->backoff_ms * 2;
}

/* cmd: one command; NULL (and the connection dropped) on any error. */
static redisReply *
cmd(struct cache *c, int argc, const char **argv, const size_t *lens)
{
	redisReply *r;

	if (c->rc == NULL)
		return NULL;
	r = redisCommandArgv(c->rc, argc, argv, lens);
	if (r == NULL) {
		drop(c, c->rc->errstr[0] ? c->rc->errstr : "no reply");
		return NULL;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		log_warn("redis error: %s", r->str);
		c->stats.errors++;
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

static bool flush_ours(struct cache *c);

static bool
try_connect(struct cache *c)
{
	redisReply *r;

	if (c->rc != NULL)
		redisFree(c->rc);
	c->rc = c->unix_path ? redisConnectUnixWithTimeout(c->unix_path, c->connect_tv)
	    : redisConnectWithTimeout(c->host, c->port, c->connect_tv);
	if (c->rc == NULL || c->rc->err) {
		if (c->rc != NULL) {
			redisFree(c->rc);
			c->rc = NULL;
		}
		return false;
	}
	redisSetTimeout(c->rc, c->command_tv);
	if (c->password != NULL && c->password[0] != '\0') {
		const char *argv[] = { "AUTH", c->password };

		if ((r = cmd(c, 2, argv, NULL)) == NULL)
			return false;
		freeReplyObject(r);
	}
	if (c->dbnum != 0) {
		char n[4];
		const char *argv[] = { "SELECT", n };

		snprintf(n, sizeof(n), "%d", c->dbnum);
		if ((r = cmd(c, 2, argv, NULL)) == NULL)
			return false;
		freeReplyObject(r);
	}
	if (c->stale && !flush_ours(c))
		return false;
	c->up = true;
	c->backoff_ms = 1000;
	c->last_check_ms = time_mono_ms();
	lru_clear(c->lru);
	c->heard++;
	return true;
}

static void
on_notify(const char *channel, const char *payload, void *arg)
{
	struct cache *c = arg;

	if (strcmp(channel, CACHE_NOTIFY_CHANNEL) != 0)
		return;
	c->heard++;
	if (strcmp(payload, STALE_MARK) == 0) {
		c->stale = true;
		lru_clear(c->lru);
		return;
	}
	lru_del(c->lru, payload);
}

/* map_shared: the shared generation file, created when missing; NULL (logged) when this
 * process cannot map it, and then it keeps no hot copies. */
static struct shared_gen *
map_shared(const char *path)
{
	struct shared_gen *g;
	uint64_t zero = 0;

	if ((g = mem_map_shared(path, sizeof(*g))) == NULL) {
		log_warn("cache: %s: %s; no hot copies in this process", path, strerror(errno));
		return NULL;
	}
	(void)__atomic_compare_exchange_n(&g->magic, &zero, SHARED_MAGIC, false, __ATOMIC_ACQ_REL,
	    __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&g->magic, __ATOMIC_ACQUIRE) != SHARED_MAGIC) {
		log_warn("cache: %s is not a shared generation file; no hot copies", path);
		munmap(g, sizeof(*g));
		return NULL;
	}
	return g;
}

static uint64_t
shared_gen(const struct cache *c)
{
	return c->shared != NULL ? __atomic_load_n(&c->shared->gen, __ATOMIC_ACQUIRE) : 0;
}

/* lru_fresh: this process's copy of key, unless a write on this host has made it stale. */
static const char *
lru_fresh(struct cache *c, const char *key, size_t *len)
{
	uint64_t tag;
	const char *v = lru_get(c->lru, key, len, time_mono_ms(), &tag);

	return v != NULL && tag == shared_gen(c) ? v : NULL;
}

struct cache *
cache_open(const struct conf *conf, struct db *db)
{
	struct cache *c = xcalloc(1, sizeof(*c));

	c->db = db;
	c->lru = lru_new((size_t)conf->cache_lru_entries, (size_t)conf->cache_lru_bytes);
	if (conf->cache_shared_file[0] != '\0')
		c->shared = map_shared(conf->cache_shared_file);
	if (db != NULL)
		c->db_reconnects = db_stats(db)->reconnects;
	c->host = xstrdup(conf->redis_host);
	c->port = (int)conf->redis_port;
	c->password = conf->redis_password[0] ? xstrdup(conf->redis_password) : NULL;
	c->dbnum = (int)conf->redis_db;
	if (conf->redis_url[0] != '\0')
		parse_url(c, conf->redis_url);
	c->connect_tv = ms_tv(conf->redis_connect_timeout_ms);
	c->command_tv = ms_tv(conf->redis_command_timeout_ms);
	c->health_interval_ms = conf->redis_health_interval_s * 1000;
	c->max_backoff_ms = conf->redis_retry_max_delay_ms;
	c->backoff_ms = 1000;
	if (db != NULL)
		(void)db_listen(db, CACHE_NOTIFY_CHANNEL);
	if (try_connect(c))
		log_debug("redis connected");
	else {
		log_warn("redis unreachable at start; serving from the in-process cache");
		c->next_attempt_ms = time_mono_ms() + c->backoff_ms;
	}
	return c;
}

void
cache_close(struct cache *c)
{
	if (c == NULL)
		return;
	if (c->rc != NULL)
		redisFree(c->rc);
	if (c->shared != NULL)
		munmap(c->shared, sizeof(*c->shared));
	lru_free(c->lru);
	free(c->host);
	free(c->unix_path);
	free(c->password);
	free(c);
}

bool
cache_redis_up(const struct cache *c)
{
	return c->up && !c->stale;
}

/* When Redis is down and the backoff has passed, try once; a failure doubles the backoff. */
static void
maybe_reconnect(struct cache *c)
{
	if (c->up || time_mono_ms() < c->next_attempt_ms)
		return;
	if (try_connect(c)) {
		c->stats.reconnects++;
		log_info("redis connection restored");
	} else
		drop(c, "reconnect failed");
}

bool
cache_ping(struct cache *c)
{
	const char *argv[] = { "PING" };
	redisReply *r;

	maybe_reconnect(c);
	if (!c->up)
		return false;
	if ((r = cmd(c, 1, argv, NULL)) == NULL)
		return false;
	freeReplyObject(r);
	c->last_check_ms = time_mono_ms();
	return true;
}

const struct cache_stats *
cache_stats(const struct cache *c)
{
	return &c->stats;
}

void
cache_begin(struct cache *c)
{
	int64_t now = time_mono_ms();

	c->req_gen = shared_gen(c);
	c->own_moves = 0;
	c->in_request = true;
	if (c->db != NULL) {
		/* Without Redis the LRU must not serve anything older than a committed write:
		 * one round trip makes the server deliver every NOTIFY committed before it. */
		if (!cache_redis_up(c) && db_connected(c->db))
			(void)db_exec(c->db, NULL, "SELECT 1", 0, NULL);
		(void)db_notifies(c->db, on_notify, c);
		if (db_stats(c->db)->reconnects != c->db_reconnects) {
			/* notifications sent while the connection was down are lost */
			c->db_reconnects = db_stats(c->db)->reconnects;
			lru_clear(c->lru);
			c->heard++;
		}
	}
	if (c->up && now - c->last_check_ms >= c->health_interval_ms) {
		const char *argv[] = { "PING" };
		redisReply *r = cmd(c, 1, argv, NULL);

		c->last_check_ms = now;
		if (r != NULL)
			freeReplyObject(r);
	}
	if (c->up && c->stale) {
		if (flush_ours(c))
			log_info("redis flushed after a missed invalidation");
	}
	maybe_reconnect(c);
}

char *
cache_get(struct cache *c, const char *key, size_t *len)
{
	redisReply *r;
	char *out = NULL;

	if (!cache_redis_up(c)) {
		const char *v = lru_fresh(c, key, len);

		if (v != NULL) {
			c->stats.lru_hits++;
			c->stats.hits++;
			return xstrndup(v, *len);
		}
		c->stats.misses++;
		return NULL;
	}
	{
		const char *argv[] = { "GET", key };

		r = cmd(c, 2, argv, NULL);
	}
	if (r != NULL && r->type == REDIS_REPLY_STRING) {
		out = xmalloc((size_t)r->len + 1);
		memcpy(out, r->str, (size_t)r->len);
		out[r->len] = '\0';
		*len = (size_t)r->len;
	}
	if (r != NULL)
		freeReplyObject(r);
	if (out != NULL)
		c->stats.hits++;
	else
		c->stats.misses++;
	return out;
}

bool
cache_get2(struct cache *c, const char *const keys[2], char *vals[2], size_t lens[2])
{
	const char *argv[] = { "MGET", keys[0], keys[1] };
	redisReply *r;

	vals[0] = vals[1] = NULL;
	if (!cache_redis_up(c) || (r = cmd(c, 3, argv, NULL)) == NULL)
		return false;
	for (size_t i = 0; i < 2; i++) {
		const redisReply *v = r->type == REDIS_REPLY_ARRAY && r->elements == 2 ?
		    r->element[i] : NULL;

		if (v != NULL && v->type == REDIS_REPLY_STRING) {
			vals[i] = xmalloc((size_t)v->len + 1);
			memcpy(vals[i], v->str, (size_t)v->len);
			vals[i][v->len] = '\0';
			lens[i] = (size_t)v->len;
			c->stats.hits++;
		} else
			c->stats.misses++;
	}
	freeReplyObject(r);
	return true;
}

const char *
cache_get_hot_ref(struct cache *c, const char *key, size_t *len, char **owned)
{
	const char *v;
	char *out;

	*owned = NULL;
	if (c->shared == NULL || !cache_redis_up(c))
		return *owned = cache_get(c, key, len);
	if ((v = lru_fresh(c, key, len)) != NULL) {
		c->stats.hot_hits++;
		c->stats.hits++;
		return v;
	}
	/* Tagged with the generation read when the request began, before the GET: if a write
	 * moved it since, the copy is stale at once. */
	if ((out = cache_get(c, key, len)) != NULL)
		lru_put(c->lru, key, out, *len, time_mono_ms() + HOT_TTL_MS, c->req_gen);
	return *owned = out;
}

char *
cache_get_hot(struct cache *c, const char *key, size_t *len)
{
	char *owned;
	const char *v = cache_get_hot_ref(c, key, len, &owned);

	return owned != NULL || v == NULL ? owned : xstrndup(v, *len);
}

void
cache_set(struct cache *c, const char *key, const char *val, size_t len, int ttl_s)
{
	redisReply *r;

	/* A value read from PostgreSQL before another process's write committed, stored after
	 * that write's invalidation, would stay until its TTL: when anything on this host
	 * invalidated since this request began (other than this request itself), the value
	 * may be such a one, and is not stored (the next read fills the key). */
	if (c->in_request && c->shared != NULL &&
	    shared_gen(c) != c->req_gen + c->own_moves) {
		c->stats.skipped_sets++;
		return;
	}
	if (!cache_redis_up(c)) {
		lru_put(c->lru, key, val, len, ttl_s > 0 ? time_mono_ms() + ttl_s * 1000LL : 0,
		    c->req_gen);
		return;
	}
	if (ttl_s > 0) {
		char ttl[16];
		const char *argv[] = { "SET", key, val, "EX", ttl };
		size_t lens[] = { 3, strlen(key), len, 2, 0 };

		snprintf(ttl, sizeof(ttl), "%d", ttl_s);
		lens[4] = strlen(ttl);
		r = cmd(c, 5, argv, lens);
	} else {
		const char *argv[] = { "SET", key, val };
		size_t lens[] = { 3, strlen(key), len };

		r = cmd(c, 3, argv, lens);
	}
	if (r != NULL)
		freeReplyObject(r);
}

/* Delete a key or every key matching a pattern, with SCAN (never KEYS). false on error. */
static bool
redis_delete(struct cache *c, const char *pat)
{
	char cursor[32] = "0";

	if (strpbrk(pat, "*?[") == NULL) {
		const char *argv[] = { "DEL", pat };
		redisReply *r = cmd(c, 2, argv, NULL);

		if (r == NULL)
			return false;
		freeReplyObject(r);
		return true;
	}
	do {
		const char *argv[] = { "SCAN", cursor, "MATCH", pat, "COUNT", "500" };
		redisReply *r = cmd(c, 6, argv, NULL), *keys;

		if (r == NULL)
			return false;
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[0]->type != REDIS_REPLY_STRING) {
			freeReplyObject(r);
			return false;
		}
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		keys = r->element[1];
		if (keys->type == REDIS_REPLY_ARRAY && keys->elements > 0) {
			const char **argv2 = xcalloc(keys->elements + 1, sizeof(*argv2));
			redisReply *d;

			argv2[0] = "UNLINK";
			for (size_t i = 0; i < keys->elements; i++)
				argv2[i + 1] = keys->element[i]->str;
			d = cmd(c, (int)keys->elements + 1, argv2, NULL);
			free(argv2);
			if (d == NULL) {
				freeReplyObject(r);
				return false;
			}
			freeReplyObject(d);
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	return true;
}

static bool
flush_ours(struct cache *c)
{
	for (size_t i = 0; i < PSS_ARRAY_LEN(our_patterns); i++)
		if (!redis_delete(c, our_patterns[i]))
			return false;
	c->stale = false;
	return true;
}

void
cache_invalidate(struct cache *c, const char *pat)
{
	bool reached = false;

	lru_del(c->lru, pat);
	if (c->up)
		reached = redis_delete(c, pat);
	if (c->shared != NULL) {
		__atomic_add_fetch(&c->shared->gen, 1, __ATOMIC_ACQ_REL);
		c->own_moves++;
	}
	if (c->db != NULL) {
		/* Other workers drop it from their LRU. If Redis missed the delete, everyone must
		 * stop trusting Redis until it has been flushed. */
		(void)db_exec(c->db, NULL, "SELECT pg_notify($1, $2)", 2,
		    (const char *[]){ CACHE_NOTIFY_CHANNEL, pat });
		if (!reached)
			(void)db_exec(c->db, NULL, "SELECT pg_notify($1, $2)", 2,
			    (const char *[]){ CACHE_NOTIFY_CHANNEL, STALE_MARK });
	}
	if (!reached) {
		c->stale = true;
		c->heard++;
	}
}

struct cache_mark
cache_mark(const struct cache *c)
{
	struct cache_mark m = { 0, 0 };

	if (c->shared != NULL && cache_redis_up(c)) {
		m.gen = c->in_request ? c->req_gen : shared_gen(c);
		m.heard = c->heard + 1;
	}
	return m;
}

bool
cache_mark_fresh(struct cache *c, struct cache_mark m)
{
	if (m.heard == 0 || c->shared == NULL || !cache_redis_up(c) || m.gen != shared_gen(c) ||
	    m.heard != c->heard + 1)
		return false;
	c->stats.hot_hits++;
	c->stats.hits++;
	return true;
}

void
cache_invalidate_library(struct cache *cache, int64_t id, unsigned what)
{
	char key[48];

	if (cache == NULL)
		return;
	if ((what & CACHE_LIB_SCRIPT) && id > 0) {
		snprintf(key, sizeof(key), "script:%lld", (long long)id);
		cache_invalidate(cache, key);
		snprintf(key, sizeof(key), "analysis:%lld", (long long)id);
		cache_invalidate(cache, key);
	}
	if (what & CACHE_LIB_EVERY_SCRIPT) {
		cache_invalidate(cache, "script:*");
		cache_invalidate(cache, "analysis:*");	/* a deleted user's scripts are gone */
	}
	if (what & CACHE_LIB_LISTS)
		cache_invalidate(cache, "scripts:*");
	if (what & CACHE_LIB_TAXONOMY) {
		cache_invalidate(cache, "categories:*");
		cache_invalidate(cache, "tags:*");
	}
	if (what & (CACHE_LIB_LISTS | CACHE_LIB_TAXONOMY | CACHE_LIB_ANALYTICS))
		cache_invalidate(cache, "analytics:*");
}

bool
cache_redis_version(struct cache *c, char *buf, size_t n)
{
	const char *argv[] = { "INFO", "server" };
	redisReply *r;
	const char *p, *e;
	bool ok = false;

	if (n == 0 || !cache_redis_up(c) || (r = cmd(c, 2, argv, NULL)) == NULL)
		return false;
	if (r->type == REDIS_REPLY_STRING &&
	    (p = strstr(r->str, "redis_version:")) != NULL) {
		p += strlen("redis_version:");
		e = p + strcspn(p, "\r\n");
		snprintf(buf, n, "%.*s", (int)(e - p), p);
		ok = true;
	}
	freeReplyObject(r);
	return ok;
}
