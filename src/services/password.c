/* password.c: bcrypt hashing and verification through libxcrypt, and the password rules */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <crypt.h>

#include "core/core.h"
#include "services/password.h"

#define BCRYPT_MAX_BYTES 72

const char *
password_check(const char *pw, size_t len, const char *username, const char *email)
{
	size_t chars = 0;
	bool lower = false, upper = false, digit = false, other = false;

	if (pw == NULL || memchr(pw, '\0', len) != NULL || !utf8_valid(pw, len))
		return "The password must be valid text.";
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)pw[i];

		if ((ch & 0xc0) != 0x80)
			chars++;
		if (ch < 0x20 || ch == 0x7f)
			return "The password must not contain control characters.";
		if (islower(ch))
			lower = true;
		else if (isupper(ch))
			upper = true;
		else if (isdigit(ch))
			digit = true;
		else
			other = true;
	}
	if (chars < PASSWORD_MIN_CHARS || chars > PASSWORD_MAX_CHARS)
		return "The password must be 8 to 128 characters long.";
	if (lower + upper + digit + other < 2)
		return "The password must mix at least two of: lower case, upper case, digits, other characters.";
	if (username != NULL && strlen(username) == len && strncasecmp(pw, username, len) == 0)
		return "The password must not be the username.";
	if (email != NULL && strlen(email) == len && strncasecmp(pw, email, len) == 0)
		return "The password must not be the email address.";
	return NULL;
}

/* The bytes bcrypt sees: the password itself, or the hex SHA-256 of a longer one. The
 * result is NUL-terminated in buf (which holds BCRYPT_MAX_BYTES + 1). */
static const char *
phrase(const char *pw, size_t len, char buf[BCRYPT_MAX_BYTES + 1])
{
	if (len > BCRYPT_MAX_BYTES) {
		sha256_hex(pw, len, buf);
		return buf;
	}
	memcpy(buf, pw, len);
	buf[len] = '\0';
	return buf;
}

/* One crypt_data per process (32 KiB; the workers are single-threaded). */
static struct crypt_data cdata;

int
password_hash(const char *pw, size_t len, int cost, char out[PASSWORD_HASH_MAX])
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE], p[BCRYPT_MAX_BYTES + 1];
	const char *h;

	if (crypt_gensalt_rn("$2b$", (unsigned long)cost, NULL, 0, salt, sizeof(salt)) == NULL) {
		log_error("crypt_gensalt_rn($2b$, %d) failed", cost);
		return -1;
	}
	memset(&cdata, 0, sizeof(cdata));
	h = crypt_rn(phrase(pw, len, p), salt, &cdata, sizeof(cdata));
	explicit_bzero(p, sizeof(p));
	if (h == NULL || h[0] == '*' || strlen(h) >= PASSWORD_HASH_MAX) {
		log_error("crypt_rn failed");
		return -1;
	}
	memcpy(out, h, strlen(h) + 1);
	explicit_bzero(&cdata, sizeof(cdata));
	return 0;
}

bool
password_verify(const char *pw, size_t len, const char *hash)
{
	char p[BCRYPT_MAX_BYTES + 1];
	const char *h;
	size_t hlen = hash != NULL ? strlen(hash) : 0;
	bool ok;

	if (hlen < 7 || strncmp(hash, "$2", 2) != 0)
		return false;
	memset(&cdata, 0, sizeof(cdata));
	h = crypt_rn(phrase(pw, len, p), hash, &cdata, sizeof(cdata));
	explicit_bzero(p, sizeof(p));
	ok = h != NULL && h[0] != '*' && strlen(h) == hlen && ct_equal(h, hash, hlen);
	explicit_bzero(&cdata, sizeof(cdata));
	return ok;
}

void
password_burn(const char *pw, size_t len, int cost)
{
	/* A hash of an unknown random phrase at the default cost: the first burn is no slower
	 * than the others. Another cost makes its own once. */
	static char dummy[PASSWORD_HASH_MAX] = "$2b$12$XBmBWCz9Q/TaRi.clzhjq.IXNd08UCSiv7JUpQMlrJK3nEKwpCLIS";
	static int dummy_cost = 12;

	if (dummy_cost != cost) {
		char rnd[33];

		rand_hex(rnd, 16);
		if (password_hash(rnd, strlen(rnd), cost, dummy) != 0)
			return;
		dummy_cost = cost;
	}
	(void)password_verify(pw, len, dummy);
}
