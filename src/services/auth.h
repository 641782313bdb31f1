/* auth.h: logins, lockout and server-side sessions (opaque tokens stored as SHA-256) */
#ifndef PSS_AUTH_H
#define PSS_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "services/svc.h"
#include "services/users.h"

/* The session cookie of the web pages (HttpOnly; Secure; SameSite=Lax; Path=/). */
#define AUTH_COOKIE	"__Host-pss_session"
#define AUTH_TOKEN_LEN	64	/* 32 random bytes in lower-case hex */
#define AUTH_SESSION_CACHE_TTL 300
/* The device token of a client that has logged in (OWASP "device cookies"): the cookie of the
 * pages (HttpOnly; Secure; SameSite=Strict; Path=/), or deviceToken / X-Device-Token for API
 * clients. "<user id>.<nonce: 32 hex>.<HMAC-SHA256 of "<user id>.<nonce>": 64 hex>". */
#define AUTH_DEVICE_COOKIE	"__Host-pss_device"
#define AUTH_DEVICE_TOKEN_MAX	120
#define AUTH_DEVICE_TTL_S	(365 * 86400)

/* Why a credential was refused. */
enum auth_fail {
	AUTH_OK,
	AUTH_INVALID_TOKEN,	/* unknown, revoked, wrong kind, or its user is gone */
	AUTH_TOKEN_EXPIRED,
	AUTH_BAD_CREDENTIALS,	/* unknown login or wrong password: one answer for both */
	AUTH_LOCKED,		/* too many failures: see lock_remaining_s */
	AUTH_FAIL__MAX
};

/* An authenticated access token. */
struct auth_session {
	int64_t		 id;		/* user_sessions.id */
	int64_t		 user_id;
	int64_t		 expires_s;	/* Unix time */
	const char	*family;	/* the login's family_id */
	const char	*csrf;		/* the token unsafe cookie requests must echo */
};

/* A freshly issued pair (NUL-terminated hex). */
struct auth_tokens {
	char		 access[AUTH_TOKEN_LEN + 1];
	char		 refresh[AUTH_TOKEN_LEN + 1];
	char		 csrf[AUTH_TOKEN_LEN + 1];
	int64_t		 access_ttl_s;
	int64_t		 refresh_ttl_s;
	char		 device[AUTH_DEVICE_TOKEN_MAX + 1];	/* "" when none was issued */
};

/* A lock that refused an attempt: how long it lasts, and whether it is the account's (every
 * client without a trusted device token) or one device token's own. */
struct auth_lock {
	int64_t		 remaining_s;
	bool		 device;
};

/* Where a login comes from (stored with the session; each may be NULL). */
struct auth_origin {
	const char	*ip;
	const char	*user_agent;
	const char	*device;	/* the device token the client presented */
};

/* auth_token_valid: true when s has the shape of a token (64 lower-case hex digits). */
bool	 auth_token_valid(const char *s);

/* auth_authenticate: resolves an access token to its session and user, from the cache
 * `session:{sha256}` when there, else PostgreSQL (and then caches it). PSS_OK, PSS_EAUTH with
 * *why, or PSS_EUNAVAIL. */
enum pss_err auth_authenticate(const struct svc *, struct arena *, const char *token,
	struct auth_session *, struct auth_user *, enum auth_fail *why);

/* auth_login: email or username and password. Counts failures atomically (the attempt is
 * reserved before bcrypt runs, so concurrent guesses never exceed LOCKOUT_MAX_ATTEMPTS); the
 * attempt that reaches the limit locks for LOCKOUT_DURATION_S and is recorded in lock_events.
 * A valid device token of this account (o->device) counts on that device's own row: failures
 * from elsewhere never lock it out, its own lock only itself; without one, the account's
 * counter and lock apply. Unknown users cost the same bcrypt work. Success gives the attempt
 * back (resets that counter), stamps last_login_at and issues tokens and a new device token.
 * PSS_EAUTH with *why AUTH_BAD_CREDENTIALS or AUTH_LOCKED (*lock), PSS_EUNAVAIL. */
enum pss_err auth_login(const struct svc *, struct arena *, const char *login,
	const char *password, size_t password_len, const struct auth_origin *,
	struct auth_tokens *, struct auth_user *, enum auth_fail *why, struct auth_lock *lock);

/* auth_register: creates a user with role user (users_create's rules) and logs them in. */
enum pss_err auth_register(const struct svc *, struct arena *, const struct user_input *,
	const struct auth_origin *, struct auth_tokens *, struct auth_user *, struct svc_err *);

/* auth_refresh: spends a refresh token for a new pair in the same family; the access token
 * it replaces is revoked (and dropped from every worker's cache). A refresh token
 * that was already spent (or revoked) revokes its whole family: PSS_EAUTH, AUTH_INVALID_TOKEN,
 * except a spent one its own client presents again while the token that replaced it is
 * unused (the original frontend's flow: reuse_in_tx in auth.c, docs/compat.md).
 * An expired one: AUTH_TOKEN_EXPIRED. */
enum pss_err auth_refresh(const struct svc *, struct arena *, const char *refresh,
	const struct auth_origin *, struct auth_tokens *, struct auth_user *, enum auth_fail *why);

/* auth_logout: revokes the session's whole login (access and refresh tokens). */
enum pss_err auth_logout(const struct svc *, const struct auth_session *);

/* auth_revoke_user: revokes every live session of the user except those of keep_family
 * (NULL: all), and drops them from every worker's cache. */
enum pss_err auth_revoke_user(const struct svc *, int64_t user_id, const char *keep_family);

/* auth_sessions_list: the user's live logins (families with a token that is neither revoked nor
 * expired), newest first, at most 100: [{id (the family), createdAt, expiresAt, ipAddress,
 * userAgent, current}] where current marks current_family (may be NULL). */
struct json_object;
enum pss_err auth_sessions_list(const struct svc *, int64_t user_id, const char *current_family,
	struct json_object **out);

/* auth_revoke_login: revokes the user's login family (its access and refresh tokens).
 * PSS_ENOTFOUND when the user has no live login with that id. */
enum pss_err auth_revoke_login(const struct svc *, int64_t user_id, const char *family);

/* auth_change_password: checks the current password as auth_check_password does (PSS_EAUTH
 * with *why), sets the new one (PSS_EINVAL with err when it breaks a rule) and revokes the
 * user's other sessions. */
enum pss_err auth_change_password(const struct svc *, struct arena *,
	const struct auth_session *, const struct auth_origin *, const char *current,
	size_t current_len, const char *newpw, size_t newpw_len, enum auth_fail *why,
	struct auth_lock *lock, struct svc_err *err);

/* auth_check_password: PSS_OK when pw is the user's current password. A wrong one counts as a
 * failed login does (same counters, same lock, the device token of o honoured): PSS_EAUTH with
 * *why AUTH_BAD_CREDENTIALS, or AUTH_LOCKED with *lock (then no password is tried). */
enum pss_err auth_check_password(const struct svc *, struct arena *, int64_t user_id,
	const char *pw, size_t len, const struct auth_origin *, enum auth_fail *why,
	struct auth_lock *lock);

/* auth_lock_events: the user's locks, newest first, at most 100: [{id, scope (account or
 * device), source (login or current_password), lockedUntil, ipAddress, userAgent,
 * createdAt}]. PSS_ENOTFOUND when there is no such user. */
enum pss_err auth_lock_events(const struct svc *, int64_t user_id, struct json_object **out);

#endif
