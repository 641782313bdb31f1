/* password.h: password hashing (bcrypt through libxcrypt) and the password rules of API.md */
#ifndef PSS_PASSWORD_H
#define PSS_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_MIN_CHARS	8
#define PASSWORD_MAX_CHARS	128
#define PASSWORD_HASH_MAX	128	/* room for a $2b$ hash and its NUL */

/* password_check: NULL when pw (len bytes) follows the rules: valid UTF-8 without NUL or
 * control characters, 8..128 characters, at least two of the classes lower case, upper case,
 * digit, other; not the username or the email (ignoring case; either may be NULL).
 * Otherwise a static message for people. */
const char *password_check(const char *pw, size_t len, const char *username, const char *email);

/* password_hash: a new "$2b$" hash at the given cost (4..31) into out (PASSWORD_HASH_MAX
 * bytes). Passwords longer than bcrypt's 72 bytes are first reduced to their SHA-256 in hex,
 * so that no byte of them is ignored. 0, or -1 (logged) when libxcrypt fails. */
int	 password_hash(const char *pw, size_t len, int cost, char out[PASSWORD_HASH_MAX]);

/* password_verify: true when pw matches the stored hash (compared in constant time). A hash
 * that is not a bcrypt hash never matches. */
bool	 password_verify(const char *pw, size_t len, const char *hash);

/* password_burn: the same work as password_verify against a hash of the given cost, for a
 * login whose user does not exist (the answer must not come faster). */
void	 password_burn(const char *pw, size_t len, int cost);

#endif
