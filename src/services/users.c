/* users.c: the users table: validation, reads (cached for the session gate), writes */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/text.h"
#include "services/auth.h"
#include "services/password.h"
#include "services/users.h"

const char *const user_roles[ROLE__MAX] = { "user", "admin" };

#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define USER_COLS "id, username, email, role, " ISO("created_at") ", " ISO("last_login_at") \
	", CASE WHEN locked_until > now() THEN " ISO("locked_until") " END"
#define USER_CACHE_TTL 300

enum user_role
user_role_parse(const char *s)
{
	for (int i = 0; i < ROLE__MAX; i++)
		if (s != NULL && strcmp(s, user_roles[i]) == 0)
			return (enum user_role)i;
	return ROLE__MAX;
}

const char *
username_check(const char *s, size_t len)
{
	if (s == NULL || len < USERNAME_MIN || len > USERNAME_MAX)
		return "The username must be 3 to 50 characters long.";
	if (text_bidi_control(s, len) != NULL)
		return "The username may not hold Unicode bidirectional control characters.";
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return "The username may hold only letters, digits, '.', '_' and '-'.";
	return NULL;
}

const char *
email_check(const char *s, size_t len)
{
	static const char msg[] = "The email address is not valid.";
	const char *at;
	size_t local;

	if (s == NULL || len == 0)
		return "The email address is required.";
	if (len > EMAIL_MAX || strlen(s) != len)
		return msg;
	if ((at = strchr(s, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return msg;
	local = (size_t)(at - s);
	if (local == 0 || local > 64)
		return msg;
	for (size_t i = 0; i < local; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!isalnum(ch) && strchr("!#$%&'*+/=?^_`{|}~.-", ch) == NULL)
			return msg;
	}
	{
		const char *d = at + 1, *dot = strrchr(d, '.');

		if (*d == '\0' || dot == NULL || dot == d || dot[1] == '\0' || *d == '.' ||
		    *d == '-' || strstr(d, "..") != NULL)
			return msg;
		for (; *d; d++)
			if (!isalnum((unsigned char)*d) && *d != '.' && *d != '-')
				return msg;
	}
	return NULL;
}

static void
from_row(struct arena *a, const struct db_res *r, int row, struct auth_user *u)
{
	u->id = db_res_int(r, row, 0);
	u->username = arena_strdup(a, db_res_get(r, row, 1));
	u->email = arena_strdup(a, db_res_get(r, row, 2));
	u->role = user_role_parse(db_res_get(r, row, 3));
	if (u->role == ROLE__MAX)
		u->role = ROLE_USER;
	u->created_at = arena_strdup(a, db_res_get(r, row, 4));
	u->last_login_at = db_res_isnull(r, row, 5) ? NULL : arena_strdup(a, db_res_get(r, row, 5));
	u->locked_until = db_res_isnull(r, row, 6) ? NULL : arena_strdup(a, db_res_get(r, row, 6));
}

struct json_object *
users_to_json(const struct auth_user *u, bool with_lock)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(u->id));
	json_object_object_add(o, "username", json_object_new_string(u->username));
	json_object_object_add(o, "email", json_object_new_string(u->email));
	json_object_object_add(o, "role", json_object_new_string(user_roles[u->role]));
	json_object_object_add(o, "createdAt", json_object_new_string(u->created_at));
	json_object_object_add(o, "lastLoginAt",
	    u->last_login_at ? json_object_new_string(u->last_login_at) : NULL);
	if (with_lock)
		json_object_object_add(o, "lockedUntil",
		    u->locked_until ? json_object_new_string(u->locked_until) : NULL);
	return o;
}

/* The cache holds what the session gate needs; lockedUntil is not part of it. */
char *
users_cache_key(char *key, size_t n, int64_t id)
{
	snprintf(key, n, "user:%lld", (long long)id);
	return key;
}

bool
users_from_cached(struct arena *a, int64_t id, const char *text, struct auth_user *u)
{
	struct json_object *o, *f;
	bool ok;

	if ((o = json_tokener_parse(text)) == NULL)
		return false;
	memset(u, 0, sizeof(*u));
	u->id = id;
	if (json_object_object_get_ex(o, "username", &f) && json_object_is_type(f, json_type_string))
		u->username = arena_strdup(a, json_object_get_string(f));
	if (json_object_object_get_ex(o, "email", &f) && json_object_is_type(f, json_type_string))
		u->email = arena_strdup(a, json_object_get_string(f));
	if (json_object_object_get_ex(o, "role", &f))
		u->role = user_role_parse(json_object_get_string(f));
	if (json_object_object_get_ex(o, "createdAt", &f) && json_object_is_type(f, json_type_string))
		u->created_at = arena_strdup(a, json_object_get_string(f));
	if (json_object_object_get_ex(o, "lastLoginAt", &f) && json_object_is_type(f, json_type_string))
		u->last_login_at = arena_strdup(a, json_object_get_string(f));
	ok = u->username != NULL && u->email != NULL && u->created_at != NULL && u->role != ROLE__MAX;
	json_object_put(o);
	return ok;
}

static bool
from_cache(const struct svc *s, struct arena *a, int64_t id, struct auth_user *u)
{
	char key[40], *v;
	size_t len;
	bool ok;

	if (s->cache == NULL ||
	    (v = cache_get(s->cache, users_cache_key(key, sizeof(key), id), &len)) == NULL)
		return false;
	ok = users_from_cached(a, id, v, u);
	free(v);
	return ok;
}

static void
invalidate(const struct svc *s, int64_t id)
{
	char key[40];

	if (s->cache != NULL)
		cache_invalidate(s->cache, users_cache_key(key, sizeof(key), id));
}

static enum pss_err
read_user(const struct svc *s, struct arena *a, int64_t id, struct auth_user *u)
{
	char idbuf[24];
	struct db_res *r;
	enum pss_err e;

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	e = db_exec(s->db, &r, "SELECT " USER_COLS " FROM users WHERE id = $1", 1,
	    (const char *[]){ idbuf });
	if (e != PSS_OK)
		return e;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		return PSS_ENOTFOUND;
	}
	from_row(a, r, 0, u);
	db_res_free(r);
	return PSS_OK;
}

static bool
same_user(const struct auth_user *x, const struct auth_user *y)
{
	return x->role == y->role && strcmp(x->username, y->username) == 0 &&
	    strcmp(x->email, y->email) == 0 && (x->last_login_at == NULL) == (y->last_login_at == NULL);
}

enum pss_err
users_get(const struct svc *s, struct arena *a, int64_t id, bool cached, struct auth_user *u)
{
	struct auth_user again;
	enum pss_err e;

	if (cached && from_cache(s, a, id, u))
		return PSS_OK;
	if ((e = read_user(s, a, id, u)) != PSS_OK)
		return e;
	if (cached && s->cache != NULL) {
		struct json_object *o = users_to_json(u, false);
		char key[40];
		size_t len;
		const char *v = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);

		cache_set(s->cache, users_cache_key(key, sizeof(key), id), v, len, USER_CACHE_TTL);
		json_object_put(o);
		/* A write that committed while we read may have invalidated before our set: read
		 * once more, and drop our copy if it is already stale. */
		e = read_user(s, a, id, &again);
		if (e != PSS_OK || !same_user(u, &again)) {
			invalidate(s, id);
			if (e == PSS_OK)
				*u = again;
			return e;
		}
	}
	return PSS_OK;
}

enum pss_err
users_list(const struct svc *s, struct arena *a, int64_t page, int64_t limit,
    struct auth_user **items, size_t *n, int64_t *total)
{
	char lim[24], off[24];
	struct db_res *r;
	enum pss_err e;
	int rows;

	*items = NULL;
	*n = 0;
	*total = 0;
	snprintf(lim, sizeof(lim), "%lld", (long long)limit);
	snprintf(off, sizeof(off), "%lld", (long long)((page - 1) * limit));
	e = db_exec(s->db, &r, "SELECT " USER_COLS ", count(*) OVER () FROM users ORDER BY id "
	    "LIMIT $1 OFFSET $2", 2, (const char *[]){ lim, off });
	if (e != PSS_OK)
		return e;
	rows = db_res_rows(r);
	if (rows > 0) {
		*items = arena_alloc(a, sizeof(**items) * (size_t)rows);
		for (int i = 0; i < rows; i++)
			from_row(a, r, i, &(*items)[i]);
		*total = db_res_int(r, 0, 7);
	}
	*n = (size_t)rows;
	db_res_free(r);
	if (rows == 0 && page > 1) {
		/* past the end: the total still tells the client where the end is */
		if (db_exec(s->db, &r, "SELECT count(*) FROM users", 0, NULL) == PSS_OK) {
			*total = db_res_int(r, 0, 0);
			db_res_free(r);
		}
	}
	return PSS_OK;
}

static enum pss_err
fail(struct svc_err *err, enum pss_err e, const char *field, const char *message)
{
	err->field = field;
	err->message = message;
	return e;
}

/* Validates the members that are set; role must name a role. */
static enum pss_err
validate(const struct user_input *in, const char *username, const char *email,
    struct svc_err *err)
{
	const char *m;

	if (in->username != NULL && (m = username_check(in->username, strlen(in->username))) != NULL)
		return fail(err, PSS_EINVAL, "username", m);
	if (in->email != NULL && (m = email_check(in->email, strlen(in->email))) != NULL)
		return fail(err, PSS_EINVAL, "email", m);
	if (in->role != NULL && user_role_parse(in->role) == ROLE__MAX)
		return fail(err, PSS_EINVAL, "role", "The role must be user or admin.");
	if (in->password != NULL &&
	    (m = password_check(in->password, in->password_len, username, email)) != NULL)
		return fail(err, PSS_EINVAL, "password", m);
	return PSS_OK;
}

/* Maps a unique violation to the field that is taken. */
static enum pss_err
conflict(const struct svc *s, struct svc_err *err)
{
	const char *c = db_last_constraint(s->db);

	if (strstr(c, "email") != NULL)
		return fail(err, PSS_ECONFLICT, "email", "An account with this email already exists.");
	if (strstr(c, "username") != NULL)
		return fail(err, PSS_ECONFLICT, "username", "This username is taken.");
	return fail(err, PSS_ECONFLICT, NULL, "The account conflicts with another one.");
}

enum pss_err
users_create(const struct svc *s, struct arena *a, const struct user_input *in,
    struct auth_user *out, struct svc_err *err)
{
	char hash[PASSWORD_HASH_MAX];
	struct db_res *r;
	enum pss_err e;

	if (in->username == NULL)
		return fail(err, PSS_EINVAL, "username", "The username is required.");
	if (in->email == NULL)
		return fail(err, PSS_EINVAL, "email", "The email address is required.");
	if (in->password == NULL)
		return fail(err, PSS_EINVAL, "password", "The password is required.");
	if ((e = validate(in, in->username, in->email, err)) != PSS_OK)
		return e;
	if (password_hash(in->password, in->password_len, (int)s->conf->bcrypt_cost, hash) != 0)
		return PSS_EINTERNAL;
	e = db_exec(s->db, &r, "INSERT INTO users (username, email, password_hash, role) "
	    "VALUES ($1, $2, $3, $4) RETURNING " USER_COLS, 4,
	    (const char *[]){ in->username, in->email, hash, in->role ? in->role : "user" });
	explicit_bzero(hash, sizeof(hash));
	if (e == PSS_ECONFLICT)
		return conflict(s, err);
	if (e != PSS_OK)
		return e;
	from_row(a, r, 0, out);
	db_res_free(r);
	cache_invalidate_library(s->cache, 0, CACHE_LIB_ANALYTICS);	/* totalUsers */
	return PSS_OK;
}

enum pss_err
users_update(const struct svc *s, struct arena *a, int64_t id, const struct user_input *in,
    const char *keep_family, struct auth_user *out, struct svc_err *err)
{
	char idbuf[24], hash[PASSWORD_HASH_MAX];
	struct auth_user cur;
	struct db_res *r;
	enum pss_err e;

	if ((e = users_get(s, a, id, false, &cur)) != PSS_OK)
		return e;
	if ((e = validate(in, in->username ? in->username : cur.username,
	    in->email ? in->email : cur.email, err)) != PSS_OK)
		return e;
	if (in->password != NULL &&
	    password_hash(in->password, in->password_len, (int)s->conf->bcrypt_cost, hash) != 0)
		return PSS_EINTERNAL;
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	/* A new password also clears the lockout (an administrator's reset unlocks). */
	e = db_exec(s->db, &r, "UPDATE users SET username = COALESCE($2, username), "
	    "email = COALESCE($3, email), role = COALESCE($4, role), "
	    "password_hash = COALESCE($5, password_hash), "
	    "login_attempts = CASE WHEN $5 IS NULL THEN login_attempts ELSE 0 END, "
	    "locked_until = CASE WHEN $5 IS NULL THEN locked_until END "
	    "WHERE id = $1 RETURNING " USER_COLS, 5,
	    (const char *[]){ idbuf, in->username, in->email, in->role,
	    in->password ? hash : NULL });
	explicit_bzero(hash, sizeof(hash));
	if (e == PSS_ECONFLICT)
		return conflict(s, err);
	if (e != PSS_OK)
		return e;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		return PSS_ENOTFOUND;
	}
	from_row(a, r, 0, out);
	db_res_free(r);
	invalidate(s, id);
	if (in->username != NULL)	/* the library's cached scripts name their owner */
		cache_invalidate_library(s->cache, 0, CACHE_LIB_USER);
	if (in->password != NULL)
		return auth_revoke_user(s, id, keep_family);
	return PSS_OK;
}

enum pss_err
users_unlock(const struct svc *s, int64_t id)
{
	char idbuf[24];
	struct db_res *r;
	enum pss_err e;
	int rows;

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	/* the locks of its trusted devices too */
	e = db_exec(s->db, &r, "WITH d AS (DELETE FROM device_lockouts WHERE user_id = $1) "
	    "UPDATE users SET login_attempts = 0, locked_until = NULL "
	    "WHERE id = $1 RETURNING id", 1, (const char *[]){ idbuf });
	if (e != PSS_OK)
		return e;
	rows = db_res_rows(r);
	db_res_free(r);
	return rows == 1 ? PSS_OK : PSS_ENOTFOUND;
}

enum pss_err
users_delete(const struct svc *s, int64_t id)
{
	char idbuf[24];
	struct db_res *r;
	enum pss_err e;
	int rows;

	/* Drop the cached sessions first (the rows cascade away with the user). */
	if ((e = auth_revoke_user(s, id, NULL)) != PSS_OK)
		return e;
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	e = db_exec(s->db, &r, "DELETE FROM users WHERE id = $1 RETURNING id", 1,
	    (const char *[]){ idbuf });
	if (e != PSS_OK)
		return e;
	rows = db_res_rows(r);
	db_res_free(r);
	invalidate(s, id);
	if (rows != 1)
		return PSS_ENOTFOUND;
	cache_invalidate_library(s->cache, 0, CACHE_LIB_USER);	/* their scripts went too */
	return PSS_OK;
}

int64_t
users_count_admins(const struct svc *s)
{
	struct db_res *r;
	int64_t n;

	if (db_exec(s->db, &r, "SELECT count(*) FROM users WHERE role = 'admin'", 0, NULL) != PSS_OK)
		return -1;
	n = db_res_int(r, 0, 0);
	db_res_free(r);
	return n;
}

int64_t
users_find(const struct svc *s, const char *login)
{
	struct db_res *r;
	int64_t id = 0;

	/* Usernames cannot hold '@', so a login names one column. */
	if (db_exec(s->db, &r, strchr(login, '@') != NULL ?
	    "SELECT id FROM users WHERE lower(email) = lower($1)" :
	    "SELECT id FROM users WHERE lower(username) = lower($1)", 1,
	    (const char *[]){ login }) != PSS_OK)
		return -1;
	if (db_res_rows(r) == 1)
		id = db_res_int(r, 0, 0);
	db_res_free(r);
	return id;
}
