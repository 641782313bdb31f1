/* users.h: accounts: the user record, its validation, and the operations on it */
#ifndef PSS_USERS_H
#define PSS_USERS_H

#include <stdbool.h>
#include <stdint.h>

#include "services/svc.h"

enum user_role { ROLE_USER, ROLE_ADMIN, ROLE__MAX };
extern const char *const user_roles[ROLE__MAX];
enum user_role user_role_parse(const char *);	/* ROLE__MAX when unknown */

#define USERNAME_MIN	3
#define USERNAME_MAX	50
#define EMAIL_MAX	254

/* A user as the API shows it (never the password hash). Strings are the arena's. */
struct auth_user {
	int64_t		 id;
	const char	*username;
	const char	*email;
	enum user_role	 role;
	const char	*created_at;	/* ISO 8601 UTC */
	const char	*last_login_at;	/* NULL when never */
	const char	*locked_until;	/* NULL unless locked now */
};

/* What a create or update sets; NULL members are left alone (create needs the first three). */
struct user_input {
	const char	*username;
	const char	*email;
	const char	*password;
	size_t		 password_len;
	const char	*role;
};

/* username_check, email_check: NULL when valid, else a static message.
 * Usernames: 3-50 of A-Z a-z 0-9 . _ - ; emails: local@domain.tld, at most 254 bytes. */
const char *username_check(const char *, size_t len);
const char *email_check(const char *, size_t len);

/* users_get: one user. With cached, from the cache `user:{id}` when there (the session gate);
 * else from the database. PSS_ENOTFOUND, PSS_EUNAVAIL. */
enum pss_err users_get(const struct svc *, struct arena *, int64_t id, bool cached,
	struct auth_user *);
/* users_list: a page (from 1) of users by id; *items in the arena. */
enum pss_err users_list(const struct svc *, struct arena *, int64_t page, int64_t limit,
	struct auth_user **items, size_t *n, int64_t *total);
/* users_create: validates (every rule, password included), hashes, inserts. PSS_EINVAL or
 * PSS_ECONFLICT with err naming the field. */
enum pss_err users_create(const struct svc *, struct arena *, const struct user_input *,
	struct auth_user *out, struct svc_err *err);
/* users_update: changes the members that are set. A new password follows the rules, clears
 * the lockout and revokes the user's sessions except the login family keep_family (may be
 * NULL). A new username drops the library's cached scripts (they name their owner).
 * PSS_ENOTFOUND, PSS_EINVAL, PSS_ECONFLICT. */
enum pss_err users_update(const struct svc *, struct arena *, int64_t id,
	const struct user_input *, const char *keep_family, struct auth_user *out,
	struct svc_err *err);
/* users_unlock: resets the failed-login counter and the lock, the account's and its trusted
 * devices'. PSS_ENOTFOUND. */
enum pss_err users_unlock(const struct svc *, int64_t id);
/* users_delete: deletes the user (sessions, scripts and chats cascade; the library's cache
 * entries go). PSS_ENOTFOUND. */
enum pss_err users_delete(const struct svc *, int64_t id);
/* users_count_admins: how many admins exist (-1 when the database fails). */
int64_t	 users_count_admins(const struct svc *);
/* users_find: the id of the user with this username or email (any case); 0 when none, -1
 * when the database fails. */
int64_t	 users_find(const struct svc *, const char *login);

/* users_cache_key: "user:{id}", the user's cached copy (what the session check needs). */
char	*users_cache_key(char *key, size_t n, int64_t id);
/* users_from_cached: a cached copy's text into *u (strings in the arena); false when it is
 * not a whole one. */
bool	 users_from_cached(struct arena *, int64_t id, const char *text, struct auth_user *);

/* users_to_json: the API's camelCase object; lockedUntil only when with_lock. */
struct json_object;
struct json_object *users_to_json(const struct auth_user *, bool with_lock);

#endif
