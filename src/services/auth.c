/* auth.c: logins with atomic lockout, and sessions: issue, resolve, rotate, revoke */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "services/auth.h"
#include "services/password.h"

#define MAX_UA 512

bool
auth_token_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; s[i] != '\0' && i <= AUTH_TOKEN_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == AUTH_TOKEN_LEN;
}

static void
token_hash(const char *token, char hash[65])
{
	sha256_hex(token, strlen(token), hash);
}

static void
session_key(char *key, size_t n, const char *hash)
{
	snprintf(key, n, "session:%s", hash);
}

static void
new_uuid(char out[37])
{
	uint8_t b[16];

	rand_bytes(b, sizeof(b));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
	    b[14], b[15]);
}

/* A user agent fit to store: printable ASCII, at most MAX_UA bytes. */
static char *
clean_ua(struct arena *a, const char *ua)
{
	char *out;
	size_t n = 0;

	if (ua == NULL)
		return NULL;
	out = arena_alloc(a, MAX_UA + 1);
	for (; *ua && n < MAX_UA; ua++)
		if ((unsigned char)*ua >= 0x20 && (unsigned char)*ua < 0x7f)
			out[n++] = *ua;
	out[n] = '\0';
	return out;
}

/* Issues an access and a refresh token in family (a new family when NULL). The refresh
 * token's row id goes to *refresh_id when not NULL. */
static enum pss_err
issue(const struct svc *s, struct arena *a, int64_t user_id, const char *family,
    const struct auth_origin *o, struct auth_tokens *t, int64_t *refresh_id)
{
	char uid[24], fam[37], ah[65], rh[65], attl[24], rttl[24], ip[46];
	struct db_res *r;
	enum pss_err e;

	rand_hex(t->access, 32);
	rand_hex(t->refresh, 32);
	rand_hex(t->csrf, 32);
	t->access_ttl_s = s->conf->session_access_ttl_s;
	t->refresh_ttl_s = s->conf->session_refresh_ttl_s;
	token_hash(t->access, ah);
	token_hash(t->refresh, rh);
	if (family == NULL) {
		new_uuid(fam);
		family = fam;
	}
	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	snprintf(attl, sizeof(attl), "%lld", (long long)t->access_ttl_s);
	snprintf(rttl, sizeof(rttl), "%lld", (long long)t->refresh_ttl_s);
	snprintf(ip, sizeof(ip), "%s", o != NULL && o->ip != NULL ? o->ip : "");
	e = db_exec(s->db, &r, "INSERT INTO user_sessions (user_id, token_hash, kind, family_id, "
	    "expires_at, csrf_token, ip_address, user_agent) VALUES "
	    "($1, $2, 'access', $3, now() + make_interval(secs => $4::int), $5, NULLIF($8, ''), $9), "
	    "($1, $6, 'refresh', $3, now() + make_interval(secs => $7::int), NULL, NULLIF($8, ''), $9) "
	    "RETURNING id, kind", 9,
	    (const char *[]){ uid, ah, family, attl, t->csrf, rh, rttl, ip,
	    clean_ua(a, o != NULL ? o->user_agent : NULL) });
	if (e != PSS_OK)
		return e;
	for (int i = 0; i < db_res_rows(r); i++)
		if (refresh_id != NULL && strcmp(db_res_get(r, i, 1), "refresh") == 0)
			*refresh_id = db_res_int(r, i, 0);
	db_res_free(r);
	return PSS_OK;
}

/* Runs an UPDATE ... RETURNING token_hash, kind that revoked sessions, and drops the access
 * tokens among them from every worker's cache. */
static enum pss_err
revoke(const struct svc *s, const char *sql, int n, const char *const *params)
{
	struct db_res *r;
	enum pss_err e;
	char key[80];

	if ((e = db_exec(s->db, &r, sql, n, params)) != PSS_OK)
		return e;
	for (int i = 0; i < db_res_rows(r); i++)
		if (s->cache != NULL && strcmp(db_res_get(r, i, 1), "access") == 0) {
			session_key(key, sizeof(key), db_res_get(r, i, 0));
			cache_invalidate(s->cache, key);
		}
	db_res_free(r);
	return PSS_OK;
}

static enum pss_err
revoke_family(const struct svc *s, const char *family)
{
	return revoke(s, "UPDATE user_sessions SET revoked_at = now() WHERE family_id = $1 "
	    "AND revoked_at IS NULL AND expires_at > now() RETURNING token_hash, kind", 1,
	    (const char *[]){ family });
}

enum pss_err
auth_revoke_user(const struct svc *s, int64_t user_id, const char *keep_family)
{
	char uid[24];

	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	return revoke(s, "UPDATE user_sessions SET revoked_at = now() WHERE user_id = $1 "
	    "AND revoked_at IS NULL AND expires_at > now() "
	    "AND ($2::uuid IS NULL OR family_id <> $2::uuid) RETURNING token_hash, kind", 2,
	    (const char *[]){ uid, keep_family });
}

enum pss_err
auth_logout(const struct svc *s, const struct auth_session *sess)
{
	return revoke_family(s, sess->family);
}

#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* o[key] = the text of column col of row i, or null. */
static void
add_text(struct json_object *o, const char *key, const struct db_res *r, int i, int col)
{
	json_object_object_add(o, key, db_res_isnull(r, i, col) ? NULL :
	    json_object_new_string(db_res_get(r, i, col)));
}

enum pss_err
auth_sessions_list(const struct svc *s, int64_t user_id, const char *current_family,
    struct json_object **out)
{
	char uid[24];
	struct db_res *r;
	enum pss_err e;

	*out = NULL;
	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	e = db_exec(s->db, &r, "SELECT family_id::text, " ISO("min(created_at)") ", "
	    ISO("max(expires_at)") ", (array_agg(ip_address ORDER BY id DESC))[1], "
	    "(array_agg(user_agent ORDER BY id DESC))[1] FROM user_sessions "
	    "WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() "
	    "GROUP BY family_id ORDER BY min(created_at) DESC, family_id LIMIT 100", 1,
	    (const char *[]){ uid });
	if (e != PSS_OK)
		return e;
	*out = json_object_new_array();
	for (int i = 0; i < db_res_rows(r); i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_string(db_res_get(r, i, 0)));
		json_object_object_add(o, "createdAt", json_object_new_string(db_res_get(r, i, 1)));
		json_object_object_add(o, "expiresAt", json_object_new_string(db_res_get(r, i, 2)));
		add_text(o, "ipAddress", r, i, 3);
		add_text(o, "userAgent", r, i, 4);
		json_object_object_add(o, "current", json_object_new_boolean(current_family != NULL &&
		    strcmp(current_family, db_res_get(r, i, 0)) == 0));
		json_object_array_add(*out, o);
	}
	db_res_free(r);
	return PSS_OK;
}

enum pss_err
auth_revoke_login(const struct svc *s, int64_t user_id, const char *family)
{
	char uid[24];
	struct db_res *r;
	enum pss_err e;
	int rows;

	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	/* compared as text, so a malformed id is simply not found */
	e = db_exec(s->db, &r, "SELECT 1 FROM user_sessions WHERE user_id = $1 AND family_id::text = $2 "
	    "AND revoked_at IS NULL AND expires_at > now() LIMIT 1", 2, (const char *[]){ uid, family });
	if (e != PSS_OK)
		return e;
	rows = db_res_rows(r);
	db_res_free(r);
	if (rows == 0)
		return PSS_ENOTFOUND;
	return revoke(s, "UPDATE user_sessions SET revoked_at = now() WHERE user_id = $1 "
	    "AND family_id::text = $2 AND revoked_at IS NULL RETURNING token_hash, kind", 2,
	    (const char *[]){ uid, family });
}

/* PSS_OK when the session is still unrevoked, PSS_EAUTH when not. */
static enum pss_err
still_live(const struct svc *s, int64_t id)
{
	char idbuf[24];
	struct db_res *r;
	enum pss_err e;
	int rows;

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	e = db_exec(s->db, &r, "SELECT 1 FROM user_sessions WHERE id = $1 AND revoked_at IS NULL", 1,
	    (const char *[]){ idbuf });
	if (e != PSS_OK)
		return e;
	rows = db_res_rows(r);
	db_res_free(r);
	return rows == 1 ? PSS_OK : PSS_EAUTH;
}

/* The cached form of a valid access token; true when it was cached. */
static bool
cache_session(const struct svc *s, const char *hash, const struct auth_session *se)
{
	struct json_object *o;
	const char *v;
	char key[80];
	size_t len;
	int64_t ttl = se->expires_s - time_wall_ms() / 1000;

	if (s->cache == NULL || ttl <= 0)
		return false;
	if (ttl > AUTH_SESSION_CACHE_TTL)
		ttl = AUTH_SESSION_CACHE_TTL;
	o = json_object_new_object();
	json_object_object_add(o, "s", json_object_new_int64(se->id));
	json_object_object_add(o, "u", json_object_new_int64(se->user_id));
	json_object_object_add(o, "e", json_object_new_int64(se->expires_s));
	json_object_object_add(o, "f", json_object_new_string(se->family));
	json_object_object_add(o, "c", json_object_new_string(se->csrf ? se->csrf : ""));
	v = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	session_key(key, sizeof(key), hash);
	cache_set(s->cache, key, v, len, (int)ttl);
	json_object_put(o);
	return true;
}

/* session_parse: a cached session's text (cache_session's form) into *se (strings in a). */
static bool
session_parse(struct arena *a, const char *text, struct auth_session *se)
{
	struct json_object *o, *f;
	bool ok;

	if ((o = json_tokener_parse(text)) == NULL)
		return false;
	memset(se, 0, sizeof(*se));
	if (json_object_object_get_ex(o, "s", &f))
		se->id = json_object_get_int64(f);
	if (json_object_object_get_ex(o, "u", &f))
		se->user_id = json_object_get_int64(f);
	if (json_object_object_get_ex(o, "e", &f))
		se->expires_s = json_object_get_int64(f);
	if (json_object_object_get_ex(o, "f", &f))
		se->family = arena_strdup(a, json_object_get_string(f));
	if (json_object_object_get_ex(o, "c", &f) && json_object_get_string_len(f) > 0)
		se->csrf = arena_strdup(a, json_object_get_string(f));
	ok = se->id > 0 && se->user_id > 0 && se->family != NULL && se->family[0] != '\0';
	json_object_put(o);
	return ok;
}

static bool
cached_session(const struct svc *s, struct arena *a, const char *hash, struct auth_session *se)
{
	char key[80], *v;
	size_t len;
	bool ok;

	if (s->cache == NULL)
		return false;
	session_key(key, sizeof(key), hash);
	if ((v = cache_get(s->cache, key, &len)) == NULL)
		return false;
	ok = session_parse(a, v, se);
	free(v);
	return ok;
}

/* The sessions this worker resolved lately, each with the two cached values it was parsed
 * from (session:{hash} and user:{id}), their parsed form and the cache's mark of when they
 * were last read from Redis. Redis stays the authority: while the mark is fresh (nothing was
 * invalidated on this host since, by the shared generation, and no invalidation was heard
 * from elsewhere by NOTIFY) and younger than HOT_SESSION_MS, the parsed form is what Redis
 * holds, and answers with no round trip. Every revocation (which drops session:{hash}) and
 * every change of the user (which drops user:{id}) moves the mark, so it is seen on the next
 * request in every worker of this host; a writer on another host, or one that cannot map the
 * shared file, reaches it by NOTIFY, a moment later. Otherwise both values are read again
 * from Redis in one round trip (cache_get2) and, when their bytes are unchanged, the parsed
 * form is taken instead of parsing them again. Without Redis, the ordinary path (the LRU,
 * kept whole by NOTIFY) answers. The token is kept to skip its SHA-256 (compared in constant
 * time); a slot is chosen by its first two hex digits, so a token an attacker chooses can
 * only evict. */
#define HOT_SESSION_MS 60000
#define HOT_SLOTS 256
struct hot {
	char		 token[AUTH_TOKEN_LEN + 1];	/* "" when the slot is free */
	char		 hash[65];
	char		*val[2];	/* the session's and the user's cached text; NULL until read */
	size_t		 len[2];
	struct auth_session se;	/* parsed from val (strings malloc'd) */
	struct auth_user u;
	struct cache_mark mark;	/* when val was last read from Redis */
	int64_t		 read_ms;	/* then, on the monotonic clock */
};
static struct hot hot[HOT_SLOTS];

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static char *
arena_dup_or_null(struct arena *a, const char *s)
{
	return s != NULL ? arena_strdup(a, s) : NULL;
}

/* hot_values_free: forgets a slot's values and parsed form (keeps its token and hash). */
static void
hot_values_free(struct hot *h)
{
	free(h->val[0]);
	free(h->val[1]);
	free((char *)h->se.family);
	free((char *)h->se.csrf);
	free((char *)h->u.username);
	free((char *)h->u.email);
	free((char *)h->u.created_at);
	free((char *)h->u.last_login_at);
	h->val[0] = h->val[1] = NULL;
	h->mark = (struct cache_mark){ 0, 0 };
	memset(&h->se, 0, sizeof(h->se));
	memset(&h->u, 0, sizeof(h->u));
}

static struct hot *
hot_slot(const char *token)
{
	static const char hex[] = "0123456789abcdef";

	return &hot[(strchr(hex, token[0]) - hex) * 16 + (strchr(hex, token[1]) - hex)];
}

/* hot_remember: the slot now holds this token, resolved to a session of user_id; its values
 * are read on the token's next request. */
static void
hot_remember(struct hot *h, const char *token, const char *hash, const struct auth_session *se)
{
	hot_values_free(h);
	memcpy(h->token, token, AUTH_TOKEN_LEN + 1);
	memcpy(h->hash, hash, sizeof(h->hash));
	h->se.user_id = se->user_id;
}

/* hot_check: true with *se and *u (strings in a) when Redis holds the slot's session and
 * user now (read again unless the slot's mark is fresh); the slot keeps what it read. false
 * when Redis is down or either value is missing or not whole: the ordinary path decides. */
static bool
hot_check(const struct svc *s, struct arena *a, struct hot *h, struct auth_session *se,
    struct auth_user *u)
{
	char skey[80], ukey[40], *val[2];
	const char *keys[2] = { skey, ukey };
	size_t len[2];
	int64_t uid = h->se.user_id;
	struct cache_mark mark;

	if (s->cache == NULL || uid <= 0)
		return false;
	if (h->val[0] != NULL && time_mono_ms() - h->read_ms < HOT_SESSION_MS &&
	    cache_mark_fresh(s->cache, h->mark))
		goto parsed;
	mark = cache_mark(s->cache);
	session_key(skey, sizeof(skey), h->hash);
	users_cache_key(ukey, sizeof(ukey), uid);
	if (!cache_get2(s->cache, keys, val, len))
		return false;
	if (val[0] == NULL || val[1] == NULL)
		goto miss;
	if (h->val[0] == NULL || len[0] != h->len[0] || memcmp(val[0], h->val[0], len[0]) != 0 ||
	    len[1] != h->len[1] || memcmp(val[1], h->val[1], len[1]) != 0) {
		/* new values (a refreshed entry, a changed user): parse and keep them */
		if (!session_parse(a, val[0], se) || se->user_id != uid ||
		    !users_from_cached(a, uid, val[1], u))
			goto miss;
		hot_values_free(h);
		h->se = *se;
		h->se.family = xstrdup(se->family);
		h->se.csrf = dup_or_null(se->csrf);
		h->u = *u;
		h->u.username = xstrdup(u->username);
		h->u.email = xstrdup(u->email);
		h->u.created_at = xstrdup(u->created_at);
		h->u.last_login_at = dup_or_null(u->last_login_at);
		h->val[0] = val[0], h->len[0] = len[0];
		h->val[1] = val[1], h->len[1] = len[1];
		h->mark = mark;
		h->read_ms = time_mono_ms();
		return true;
	}
	free(val[0]);
	free(val[1]);
	h->mark = mark;
	h->read_ms = time_mono_ms();
parsed:
	*se = h->se;
	se->family = arena_strdup(a, h->se.family);
	se->csrf = arena_dup_or_null(a, h->se.csrf);
	*u = h->u;
	u->username = arena_strdup(a, h->u.username);
	u->email = arena_strdup(a, h->u.email);
	u->created_at = arena_strdup(a, h->u.created_at);
	u->last_login_at = arena_dup_or_null(a, h->u.last_login_at);
	return true;
miss:
	free(val[0]);
	free(val[1]);
	return false;
}

enum pss_err
auth_authenticate(const struct svc *s, struct arena *a, const char *token,
    struct auth_session *se, struct auth_user *u, enum auth_fail *why)
{
	char hash[65];
	struct db_res *r;
	struct hot *h;
	enum pss_err e;

	*why = AUTH_INVALID_TOKEN;
	if (!auth_token_valid(token))
		return PSS_EAUTH;
	h = hot_slot(token);
	if (h->token[0] != '\0' && ct_equal(h->token, token, AUTH_TOKEN_LEN)) {
		if (hot_check(s, a, h, se, u)) {
			if (se->expires_s <= time_wall_ms() / 1000) {
				*why = AUTH_TOKEN_EXPIRED;
				return PSS_EAUTH;
			}
			*why = AUTH_OK;
			return PSS_OK;
		}
		memcpy(hash, h->hash, sizeof(hash));
	} else
		token_hash(token, hash);
	if (!cached_session(s, a, hash, se)) {
		e = db_exec(s->db, &r, "SELECT id, user_id, kind, csrf_token, "
		    "extract(epoch FROM expires_at)::bigint, revoked_at IS NOT NULL, "
		    "expires_at <= now(), family_id FROM user_sessions WHERE token_hash = $1", 1,
		    (const char *[]){ hash });
		if (e != PSS_OK)
			return e;
		if (db_res_rows(r) == 0 || strcmp(db_res_get(r, 0, 2), "access") != 0 ||
		    db_res_bool(r, 0, 5)) {
			db_res_free(r);
			return PSS_EAUTH;
		}
		if (db_res_bool(r, 0, 6)) {
			db_res_free(r);
			*why = AUTH_TOKEN_EXPIRED;
			return PSS_EAUTH;
		}
		memset(se, 0, sizeof(*se));
		se->id = db_res_int(r, 0, 0);
		se->user_id = db_res_int(r, 0, 1);
		se->csrf = db_res_isnull(r, 0, 3) ? NULL : arena_strdup(a, db_res_get(r, 0, 3));
		se->expires_s = db_res_int(r, 0, 4);
		se->family = arena_strdup(a, db_res_get(r, 0, 7));
		db_res_free(r);
		if (cache_session(s, hash, se) && still_live(s, se->id) != PSS_OK) {
			char key[80];

			/* revoked while we read it: our copy must not outlive the revocation's
			 * invalidation, which may have run before our cache_set */
			session_key(key, sizeof(key), hash);
			cache_invalidate(s->cache, key);
			return PSS_EAUTH;
		}
	}
	if (se->expires_s <= time_wall_ms() / 1000) {
		*why = AUTH_TOKEN_EXPIRED;
		return PSS_EAUTH;
	}
	e = users_get(s, a, se->user_id, true, u);
	if (e == PSS_ENOTFOUND)
		return PSS_EAUTH;
	if (e != PSS_OK)
		return e;
	hot_remember(h, token, hash, se);
	*why = AUTH_OK;
	return PSS_OK;
}

/* Device tokens (OWASP "device cookies"). The HMAC key is 32 random bytes kept in
 * server_secrets (written by the first worker that needs one, so every worker and host of
 * the installation shares it), read once per process. Deleting the row and restarting the
 * workers invalidates every device token. */
static char device_secret[65];

static enum pss_err
secret_load(const struct svc *s)
{
	char fresh[65];
	struct db_res *r;
	enum pss_err e;

	if (device_secret[0] != '\0')
		return PSS_OK;
	rand_hex(fresh, 32);
	e = db_exec(s->db, NULL, "INSERT INTO server_secrets (name, secret) VALUES "
	    "('device_token', $1) ON CONFLICT (name) DO NOTHING", 1, (const char *[]){ fresh });
	explicit_bzero(fresh, sizeof(fresh));
	if (e != PSS_OK)
		return e;
	e = db_exec(s->db, &r, "SELECT secret FROM server_secrets WHERE name = 'device_token'", 0,
	    NULL);
	if (e != PSS_OK)
		return e;
	if (db_res_rows(r) == 1)
		snprintf(device_secret, sizeof(device_secret), "%s", db_res_get(r, 0, 0));
	db_res_free(r);
	return strlen(device_secret) == 64 ? PSS_OK : PSS_EINTERNAL;
}

static bool
lower_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return true;
}

static void
device_mac(const char *uid, const char *nonce, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	char msg[64];
	uint8_t mac[32];
	int n = snprintf(msg, sizeof(msg), "%s.%s", uid, nonce);

	hmac_sha256(device_secret, 64, msg, (size_t)n, mac);
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[mac[i] >> 4];
		hex[2 * i + 1] = digits[mac[i] & 15];
	}
	hex[64] = '\0';
}

/* The nonce of tok when it is a valid device token of user uid; NULL when it is absent,
 * malformed, forged or another account's (the client is then untrusted). */
static const char *
device_nonce(const struct svc *s, struct arena *a, const char *uid, const char *tok)
{
	size_t ul = strlen(uid);
	const char *nonce;
	char mac[65];

	if (tok == NULL || strlen(tok) != ul + 1 + 32 + 1 + 64 || strncmp(tok, uid, ul) != 0 ||
	    tok[ul] != '.' || tok[ul + 33] != '.')
		return NULL;
	nonce = arena_strndup(a, tok + ul + 1, 32);
	if (!lower_hex(nonce, 32) || !lower_hex(tok + ul + 34, 64) || secret_load(s) != PSS_OK)
		return NULL;
	device_mac(uid, nonce, mac);
	return ct_equal(mac, tok + ul + 34, 64) ? nonce : NULL;
}

/* A new device token for user uid in out ("" when the secret cannot be had: logged). */
static void
device_issue(const struct svc *s, const char *uid, char out[AUTH_DEVICE_TOKEN_MAX + 1])
{
	char nonce[33], mac[65];

	out[0] = '\0';
	if (secret_load(s) != PSS_OK) {
		log_warn("login: no device token secret; issuing no device token");
		return;
	}
	rand_hex(nonce, 16);
	device_mac(uid, nonce, mac);
	snprintf(out, AUTH_DEVICE_TOKEN_MAX + 1, "%s.%s.%s", uid, nonce, mac);
}

/* Seconds until the lock ends (0 when not locked): the device's when nonce is set, else the
 * account's. */
static int64_t
lock_remaining(const struct svc *s, const char *uid, const char *nonce)
{
	struct db_res *r;
	int64_t n = 0;
	enum pss_err e;

	if (nonce != NULL)
		e = db_exec(s->db, &r, "SELECT GREATEST(1, ceil(extract(epoch FROM locked_until - "
		    "now())))::bigint FROM device_lockouts WHERE nonce = $1 AND locked_until > now()", 1,
		    (const char *[]){ nonce });
	else
		e = db_exec(s->db, &r, "SELECT GREATEST(1, ceil(extract(epoch FROM locked_until - "
		    "now())))::bigint FROM users WHERE id = $1 AND locked_until > now()", 1,
		    (const char *[]){ uid });
	if (e != PSS_OK)
		return 0;
	if (db_res_rows(r) == 1)
		n = db_res_int(r, 0, 0);
	db_res_free(r);
	return n;
}

/* The reservations: each takes one of LOCKOUT_MAX_ATTEMPTS ($3) atomically before bcrypt
 * runs, so concurrent guesses each take one, and the one that takes the last locks for $4
 * seconds. An expired lock starts a fresh count. No row comes back while locked. */
#define RESERVE_NEXT(t) "CASE WHEN " t ".locked_until IS NOT NULL THEN 1 ELSE " t ".login_attempts + 1 END"
static const char reserve_account[] = "UPDATE users u SET login_attempts = " RESERVE_NEXT("u") ", "
    "locked_until = CASE WHEN " RESERVE_NEXT("u") " >= $2::int "
    "THEN now() + make_interval(secs => $3::int) END "
    "WHERE id = $1 AND (locked_until IS NULL OR locked_until <= now()) "
    "RETURNING password_hash, locked_until IS NOT NULL";
static const char reserve_device[] = "INSERT INTO device_lockouts AS d (nonce, user_id, "
    "login_attempts, locked_until) VALUES ($2, $1, 1, CASE WHEN 1 >= $3::int "
    "THEN now() + make_interval(secs => $4::int) END) "
    "ON CONFLICT (nonce) DO UPDATE SET login_attempts = " RESERVE_NEXT("d") ", "
    "locked_until = CASE WHEN " RESERVE_NEXT("d") " >= $3::int "
    "THEN now() + make_interval(secs => $4::int) END "
    "WHERE d.user_id = $1 AND (d.locked_until IS NULL OR d.locked_until <= now()) "
    "RETURNING (SELECT password_hash FROM users WHERE id = $1), locked_until IS NOT NULL";

/* One counted try of user uid's password (a login, or the current password of a signed-in
 * user: source). PSS_OK when right (the attempt is given back), PSS_EAUTH with *why and
 * *lock when wrong or locked. */
static enum pss_err
attempt(const struct svc *s, struct arena *a, const char *uid, const char *pw, size_t pwlen,
    const struct auth_origin *o, const char *source, enum auth_fail *why, struct auth_lock *lock)
{
	const char *nonce = device_nonce(s, a, uid, o != NULL ? o->device : NULL);
	char max[24], dur[24], ip[46], *hash;
	struct db_res *r;
	enum pss_err e;
	bool locked_now, ok;

	*why = AUTH_BAD_CREDENTIALS;
	lock->remaining_s = 0;
	lock->device = nonce != NULL;
	snprintf(max, sizeof(max), "%lld", (long long)s->conf->lockout_max_attempts);
	snprintf(dur, sizeof(dur), "%lld", (long long)s->conf->lockout_duration_s);
	if (nonce != NULL)
		e = db_exec(s->db, &r, reserve_device, 4, (const char *[]){ uid, nonce, max, dur });
	else
		e = db_exec(s->db, &r, reserve_account, 3, (const char *[]){ uid, max, dur });
	if (e != PSS_OK)
		return e;
	if (db_res_rows(r) == 0 || db_res_isnull(r, 0, 0)) {
		db_res_free(r);
		if ((lock->remaining_s = lock_remaining(s, uid, nonce)) > 0)
			*why = AUTH_LOCKED;
		else
			password_burn(pw, pwlen, (int)s->conf->bcrypt_cost);
		return PSS_EAUTH;
	}
	hash = arena_strdup(a, db_res_get(r, 0, 0));
	locked_now = db_res_bool(r, 0, 1);
	db_res_free(r);
	ok = password_verify(pw, pwlen, hash);
	explicit_bzero(hash, strlen(hash));
	if (!ok) {
		if (locked_now) {
			*why = AUTH_LOCKED;
			lock->remaining_s = s->conf->lockout_duration_s;
			log_warn("%s: %s of user %s locked after %s failed attempts", source,
			    nonce != NULL ? "a device" : "the account", uid, max);
			snprintf(ip, sizeof(ip), "%s", o != NULL && o->ip != NULL ? o->ip : "");
			(void)db_exec(s->db, NULL, "INSERT INTO lock_events (user_id, scope, source, "
			    "locked_until, ip_address, user_agent) VALUES ($1, $2, $3, "
			    "now() + make_interval(secs => $4::int), NULLIF($5, ''), $6)", 6,
			    (const char *[]){ uid, nonce != NULL ? "device" : "account", source, dur, ip,
			    clean_ua(a, o != NULL ? o->user_agent : NULL) });
		}
		return PSS_EAUTH;
	}
	if (nonce != NULL)
		e = db_exec(s->db, NULL, "DELETE FROM device_lockouts WHERE nonce = $1", 1,
		    (const char *[]){ nonce });
	else
		e = db_exec(s->db, NULL, "UPDATE users SET login_attempts = 0, locked_until = NULL "
		    "WHERE id = $1", 1, (const char *[]){ uid });
	if (e != PSS_OK)
		return e;
	*why = AUTH_OK;
	return PSS_OK;
}

enum pss_err
auth_login(const struct svc *s, struct arena *a, const char *login, const char *pw,
    size_t pwlen, const struct auth_origin *o, struct auth_tokens *t, struct auth_user *u,
    enum auth_fail *why, struct auth_lock *lock)
{
	char uid[24];
	enum pss_err e;
	int64_t id;

	*why = AUTH_BAD_CREDENTIALS;
	lock->remaining_s = 0;
	lock->device = false;
	if ((id = users_find(s, login)) < 0)
		return PSS_EUNAVAIL;
	if (id == 0) {
		password_burn(pw, pwlen, (int)s->conf->bcrypt_cost);
		return PSS_EAUTH;
	}
	snprintf(uid, sizeof(uid), "%lld", (long long)id);
	if ((e = attempt(s, a, uid, pw, pwlen, o, "login", why, lock)) != PSS_OK)
		return e;
	e = db_exec(s->db, NULL, "UPDATE users SET last_login_at = now() WHERE id = $1", 1,
	    (const char *[]){ uid });
	if (e != PSS_OK)
		return e;
	/* Sessions that ended more than a day ago are of no more use (reuse detection needs
	 * spent refresh tokens only until they expire). */
	(void)db_exec(s->db, NULL, "DELETE FROM user_sessions WHERE user_id = $1 "
	    "AND expires_at < now() - interval '1 day'", 1, (const char *[]){ uid });
	if (s->cache != NULL) {
		char key[40];

		snprintf(key, sizeof(key), "user:%s", uid);
		cache_invalidate(s->cache, key);
	}
	if ((e = users_get(s, a, id, false, u)) != PSS_OK)
		return e;
	if ((e = issue(s, a, id, NULL, o, t, NULL)) != PSS_OK)
		return e;
	device_issue(s, uid, t->device);
	*why = AUTH_OK;
	return PSS_OK;
}

enum pss_err
auth_register(const struct svc *s, struct arena *a, const struct user_input *in,
    const struct auth_origin *o, struct auth_tokens *t, struct auth_user *u, struct svc_err *err)
{
	struct user_input uin = *in;
	enum pss_err e;
	char uid[24];

	uin.role = NULL;	/* everyone starts as a user */
	if ((e = users_create(s, a, &uin, u, err)) != PSS_OK)
		return e;
	if ((e = issue(s, a, u->id, NULL, o, t, NULL)) != PSS_OK)
		return e;
	snprintf(uid, sizeof(uid), "%lld", (long long)u->id);
	device_issue(s, uid, t->device);
	return PSS_OK;
}

/* The happy path of a refresh, as one transaction: spend the token, issue the next pair in
 * its family, and record the chain. PSS_ENOTFOUND when the token cannot be spent. */
struct refresh_tx {
	const struct svc *s;
	struct arena	*a;
	const char	*hash;
	const struct auth_origin *o;
	struct auth_tokens *t;
	int64_t		 uid;
	const char	**replaced;	/* hashes of the access tokens the new pair replaces */
	int		 nreplaced;
};

/* The spent refresh token's row (id, user_id, family_id first) into oldid, x->uid and
 * *family; PSS_ENOTFOUND when there is none. r stays the caller's. */
static enum pss_err
spent_row(struct refresh_tx *x, const struct db_res *r, char oldid[24], const char **family)
{
	if (db_res_rows(r) == 0)
		return PSS_ENOTFOUND;
	snprintf(oldid, 24, "%s", db_res_get(r, 0, 0));
	x->uid = db_res_int(r, 0, 1);
	*family = arena_strdup(x->a, db_res_get(r, 0, 2));
	return PSS_OK;
}

/* The next pair in family, recorded as what replaced the refresh token of row oldid. */
static enum pss_err
reissue(struct db *db, struct refresh_tx *x, const char *family, const char *oldid)
{
	char newid[24];
	int64_t rid = 0;
	enum pss_err e;

	x->t->device[0] = '\0';
	if ((e = issue(x->s, x->a, x->uid, family, x->o, x->t, &rid)) != PSS_OK)
		return e;
	snprintf(newid, sizeof(newid), "%lld", (long long)rid);
	return db_exec(db, NULL, "UPDATE user_sessions SET replaced_by = $2 WHERE id = $1", 2,
	    (const char *[]){ oldid, newid });
}

static enum pss_err
refresh_in_tx(struct db *db, void *arg)
{
	struct refresh_tx *x = arg;
	char oldid[24];
	const char *family;
	struct db_res *r;
	enum pss_err e;

	/* Only one request can win this UPDATE. */
	e = db_exec(db, &r, "UPDATE user_sessions SET revoked_at = now(), last_used_at = now() "
	    "WHERE token_hash = $1 AND kind = 'refresh' AND revoked_at IS NULL "
	    "AND expires_at > now() RETURNING id, user_id, family_id", 1, (const char *[]){ x->hash });
	if (e != PSS_OK)
		return e;
	e = spent_row(x, r, oldid, &family);
	db_res_free(r);
	if (e != PSS_OK)
		return e;
	/* The access token issued with the spent refresh token ends with it. */
	e = db_exec(db, &r, "UPDATE user_sessions SET revoked_at = now() WHERE family_id = $1 "
	    "AND kind = 'access' AND revoked_at IS NULL RETURNING token_hash", 1,
	    (const char *[]){ family });
	if (e != PSS_OK)
		return e;
	x->nreplaced = db_res_rows(r);
	x->replaced = arena_alloc(x->a, (size_t)(x->nreplaced + 1) * sizeof(*x->replaced));
	for (int i = 0; i < x->nreplaced; i++)
		x->replaced[i] = arena_strdup(x->a, db_res_get(r, i, 0));
	db_res_free(r);
	return reissue(db, x, family, oldid);
}

/* The original React frontend keeps only the access token a refresh answers and presents
 * the refresh token it logged in with again on its next 401 (docs/compat.md, issue 19 item
 * 5). A spent refresh token is therefore honoured again, in a transaction, when all of:
 * it has not expired; the request comes from the client it was issued to (the same IP
 * address and User-Agent); the refresh token that replaced it was never presented and the
 * login is not revoked (so a client that rotates, as API.md's do, still has every reuse
 * detected); and either it was spent less than REFRESH_REUSE_WINDOW_S ago (the parallel
 * retries of one burst of 401s) or no access token of the login is live any more (the
 * client came back because its token ran out). The unused successor is revoked and the new
 * pair replaces it; any other presentation of a spent token still ends the whole login. */
#define REFRESH_REUSE_WINDOW_S "30"

static enum pss_err
reuse_in_tx(struct db *db, void *arg)
{
	struct refresh_tx *x = arg;
	char oldid[24], succ[24], ip[46];
	const char *family, *ua;
	struct db_res *r;
	enum pss_err e;

	snprintf(ip, sizeof(ip), "%s", x->o != NULL && x->o->ip != NULL ? x->o->ip : "");
	ua = clean_ua(x->a, x->o != NULL ? x->o->user_agent : NULL);
	e = db_exec(db, &r, "SELECT s.id, s.user_id, s.family_id, n.id FROM user_sessions s"
	    " JOIN user_sessions n ON n.id = s.replaced_by"
	    " WHERE s.token_hash = $1 AND s.kind = 'refresh' AND s.revoked_at IS NOT NULL"
	    " AND s.expires_at > now() AND n.kind = 'refresh' AND n.revoked_at IS NULL"
	    " AND n.expires_at > now()"
	    " AND coalesce(s.ip_address, '') = $2 AND coalesce(s.user_agent, '') = $3"
	    " AND (s.revoked_at > now() - make_interval(secs => " REFRESH_REUSE_WINDOW_S ")"
	    "  OR NOT EXISTS (SELECT 1 FROM user_sessions c WHERE c.family_id = s.family_id"
	    "   AND c.kind = 'access' AND c.revoked_at IS NULL AND c.expires_at > now()))"
	    " FOR UPDATE OF s, n", 3, (const char *[]){ x->hash, ip, ua != NULL ? ua : "" });
	if ((e = spent_row(x, r, oldid, &family)) == PSS_OK)
		snprintf(succ, sizeof(succ), "%s", db_res_get(r, 0, 3));
	db_res_free(r);
	if (e != PSS_OK)
		return e;
	/* the successor the client never presented */
	if ((e = db_exec(db, NULL, "UPDATE user_sessions SET revoked_at = now() WHERE id = $1", 1,
	    (const char *[]){ succ })) != PSS_OK)
		return e;
	return reissue(db, x, family, oldid);
}

enum pss_err
auth_refresh(const struct svc *s, struct arena *a, const char *refresh,
    const struct auth_origin *o, struct auth_tokens *t, struct auth_user *u, enum auth_fail *why)
{
	char hash[65];
	struct refresh_tx x = { s, a, hash, o, t, 0, NULL, 0 };
	const char *family;
	struct db_res *r;
	enum pss_err e;

	*why = AUTH_INVALID_TOKEN;
	if (!auth_token_valid(refresh))
		return PSS_EAUTH;
	token_hash(refresh, hash);
	e = db_tx(s->db, refresh_in_tx, &x);
	if (e == PSS_ENOTFOUND)
		e = db_tx(s->db, reuse_in_tx, &x);
	if (e == PSS_ENOTFOUND) {
		e = db_exec(s->db, &r, "SELECT revoked_at IS NOT NULL, family_id FROM user_sessions "
		    "WHERE token_hash = $1 AND kind = 'refresh'", 1, (const char *[]){ hash });
		if (e != PSS_OK)
			return e;
		if (db_res_rows(r) == 1 && db_res_bool(r, 0, 0)) {
			/* A spent token came back: someone holds a copy. End that whole login. */
			family = arena_strdup(a, db_res_get(r, 0, 1));
			db_res_free(r);
			log_warn("refresh token reuse: revoking login family %s", family);
			if ((e = revoke_family(s, family)) != PSS_OK)
				return e;
			return PSS_EAUTH;
		}
		if (db_res_rows(r) == 1)
			*why = AUTH_TOKEN_EXPIRED;
		db_res_free(r);
		return PSS_EAUTH;
	}
	if (e != PSS_OK)
		return e;
	/* after the commit, so no worker can cache the replaced token again from a read that
	 * had not seen its revocation */
	for (int i = 0; i < x.nreplaced && s->cache != NULL; i++) {
		char key[80];

		session_key(key, sizeof(key), x.replaced[i]);
		cache_invalidate(s->cache, key);
	}
	if ((e = users_get(s, a, x.uid, false, u)) != PSS_OK)
		return e == PSS_ENOTFOUND ? PSS_EAUTH : e;
	*why = AUTH_OK;
	return PSS_OK;
}

enum pss_err
auth_check_password(const struct svc *s, struct arena *a, int64_t user_id, const char *pw,
    size_t len, const struct auth_origin *o, enum auth_fail *why, struct auth_lock *lock)
{
	char uid[24];

	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	return attempt(s, a, uid, pw, len, o, "current_password", why, lock);
}

enum pss_err
auth_change_password(const struct svc *s, struct arena *a, const struct auth_session *se,
    const struct auth_origin *o, const char *cur, size_t curlen, const char *newpw,
    size_t newlen, enum auth_fail *why, struct auth_lock *lock, struct svc_err *err)
{
	struct user_input in = { NULL, NULL, newpw, newlen, NULL };
	struct auth_user u;
	enum pss_err e;

	if ((e = auth_check_password(s, a, se->user_id, cur, curlen, o, why, lock)) != PSS_OK)
		return e;
	return users_update(s, a, se->user_id, &in, se->family, &u, err);
}

enum pss_err
auth_lock_events(const struct svc *s, int64_t user_id, struct json_object **out)
{
	char uid[24];
	struct db_res *r;
	enum pss_err e;

	*out = NULL;
	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	e = db_exec(s->db, &r, "SELECT e.id, e.scope, e.source, " ISO("e.locked_until") ", "
	    "e.ip_address, e.user_agent, " ISO("e.created_at") " FROM users u "
	    "LEFT JOIN LATERAL (SELECT * FROM lock_events l WHERE l.user_id = u.id "
	    "ORDER BY l.created_at DESC, l.id DESC LIMIT 100) e ON true WHERE u.id = $1 "
	    "ORDER BY e.created_at DESC, e.id DESC", 1, (const char *[]){ uid });
	if (e != PSS_OK)
		return e;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		return PSS_ENOTFOUND;
	}
	*out = json_object_new_array();
	for (int i = 0; i < db_res_rows(r) && !db_res_isnull(r, i, 0); i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_int64(db_res_int(r, i, 0)));
		json_object_object_add(o, "scope", json_object_new_string(db_res_get(r, i, 1)));
		json_object_object_add(o, "source", json_object_new_string(db_res_get(r, i, 2)));
		json_object_object_add(o, "lockedUntil", json_object_new_string(db_res_get(r, i, 3)));
		add_text(o, "ipAddress", r, i, 4);
		add_text(o, "userAgent", r, i, 5);
		json_object_object_add(o, "createdAt", json_object_new_string(db_res_get(r, i, 6)));
		json_object_array_add(*out, o);
	}
	db_res_free(r);
	return PSS_OK;
}
