/* test-password.c: unit tests of password hashing, the password rules and the account validators */
#include "config.h"

#include <string.h>

#include "core/core.h"
#include "services/auth.h"
#include "services/password.h"
#include "services/users.h"
#include "t.h"

#define S(x) x, strlen(x)

static void
test_hash_is_bcrypt_2b_cost_12_and_verifies(void)
{
	char h[PASSWORD_HASH_MAX];
	int64_t t0 = time_mono_ms();

	T_EQ(password_hash(S("Correct horse 9"), 12, h), 0);
	printf("# one bcrypt cost-12 hash: %lld ms\n", (long long)(time_mono_ms() - t0));
	T_ASSERT(strncmp(h, "$2b$12$", 7) == 0);
	T_EQ(strlen(h), 60);
	T_ASSERT(password_verify(S("Correct horse 9"), h));
	T_ASSERT(!password_verify(S("Correct horse 8"), h));
	T_ASSERT(!password_verify(S("correct horse 9"), h));
	T_ASSERT(!password_verify("", 0, h));
}

static void
test_same_password_hashes_differently(void)
{
	char a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX];

	T_EQ(password_hash(S("Abcdefg1"), 4, a), 0);
	T_EQ(password_hash(S("Abcdefg1"), 4, b), 0);
	T_ASSERT(strcmp(a, b) != 0);
	T_ASSERT(password_verify(S("Abcdefg1"), a) && password_verify(S("Abcdefg1"), b));
}

static void
test_bytes_past_72_still_count(void)
{
	char pw[129], pw2[129], h[PASSWORD_HASH_MAX];

	memset(pw, 'a', 128);
	pw[0] = 'B';
	pw[128] = '\0';
	memcpy(pw2, pw, sizeof(pw));
	pw2[127] = 'z';
	T_EQ(password_hash(pw, 128, 4, h), 0);
	T_ASSERT(password_verify(pw, 128, h));
	T_ASSERT(!password_verify(pw2, 128, h));
}

static void
test_verify_rejects_non_bcrypt_hashes(void)
{
	T_ASSERT(!password_verify(S("x"), ""));
	T_ASSERT(!password_verify(S("x"), NULL));
	T_ASSERT(!password_verify(S("x"), "x"));
	T_ASSERT(!password_verify(S("x"), "$1$abcdefgh$abcdefghijklmnopqrstuv"));
	T_ASSERT(!password_verify(S("x"), "$2b$12$short"));
}

static void
test_burn_takes_bcrypt_time(void)
{
	int64_t t0 = time_mono_us(), dt;

	password_burn(S("whatever1A"), 12);
	dt = time_mono_us() - t0;
	printf("# burn at cost 12: %lld ms\n", (long long)dt / 1000);
	T_ASSERT(dt > 20000);
}

static void
test_password_rules(void)
{
	T_ASSERT(password_check(S("Abcdefg1"), "bob", "bob@example.com") == NULL);
	T_ASSERT(password_check(S("abcdefgh1"), NULL, NULL) == NULL);
	T_ASSERT(password_check(S("abcdefg!"), NULL, NULL) == NULL);
	T_ASSERT(password_check(S("Abcdef1"), NULL, NULL) != NULL);	/* 7 */
	T_ASSERT(password_check(S("abcdefgh"), NULL, NULL) != NULL);	/* one class */
	T_ASSERT(password_check(S("12345678"), NULL, NULL) != NULL);
	T_ASSERT(password_check(S("ABCDEFGH"), NULL, NULL) != NULL);
	T_ASSERT(password_check(S("Alice.Smith1"), "alice.smith1", NULL) != NULL);
	T_ASSERT(password_check(S("a@example.COM"), NULL, "A@example.com") != NULL);
	T_ASSERT(password_check("abc\0defg1", 9, NULL, NULL) != NULL);
	T_ASSERT(password_check(S("abc\tdefg1"), NULL, NULL) != NULL);
	T_ASSERT(password_check(S("abc\xff" "defg1"), NULL, NULL) != NULL);
	/* characters, not bytes: 8 two-byte letters plus a digit */
	T_ASSERT(password_check(S("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "1"), NULL, NULL) == NULL);
	T_ASSERT(password_check(S("\xc3\xa9\xc3\xa9\xc3\xa9" "1"), NULL, NULL) != NULL);
	{
		char pw[200];

		memset(pw, 'a', sizeof(pw));
		pw[0] = '1';
		T_ASSERT(password_check(pw, 128, NULL, NULL) == NULL);
		T_ASSERT(password_check(pw, 129, NULL, NULL) != NULL);
	}
}

static void
test_username_rules(void)
{
	T_ASSERT(username_check(S("bob")) == NULL);
	T_ASSERT(username_check(S("Bob_the-builder.2")) == NULL);
	T_ASSERT(username_check(S("bo")) != NULL);
	T_ASSERT(username_check(S("a23456789012345678901234567890123456789012345678901")) != NULL);
	T_ASSERT(username_check(S("bob smith")) != NULL);
	T_ASSERT(username_check(S("bob@x")) != NULL);
	T_ASSERT(username_check(S("x'; DROP TABLE users;--")) != NULL);
	T_ASSERT(username_check(S("b\xc3\xb6" "b")) != NULL);
	/* issue 12: a bidirectional control is named as such (it could make a name read as
	 * another's) */
	T_CONTAINS(username_check(S("adm\xe2\x80\xaenim")), "bidirectional");
	T_CONTAINS(username_check(S("\xe2\x81\xa6" "bob")), "bidirectional");
	T_CONTAINS(username_check(S("bob\xd8\x9c")), "bidirectional");
}

static void
test_email_rules(void)
{
	T_ASSERT(email_check(S("bob@example.com")) == NULL);
	T_ASSERT(email_check(S("bob.o'neil+tag@mail.example.co.uk")) == NULL);
	T_ASSERT(email_check(S("bob")) != NULL);
	T_ASSERT(email_check(S("@example.com")) != NULL);
	T_ASSERT(email_check(S("bob@")) != NULL);
	T_ASSERT(email_check(S("bob@example")) != NULL);
	T_ASSERT(email_check(S("bob@@example.com")) != NULL);
	T_ASSERT(email_check(S("bob@exa mple.com")) != NULL);
	T_ASSERT(email_check(S("bob@example..com")) != NULL);
	T_ASSERT(email_check(S("bob@example.com.")) != NULL);
	T_ASSERT(email_check(S("b ob@example.com")) != NULL);
	T_ASSERT(email_check(S("bob\n@example.com")) != NULL);
	{
		char e[300];

		memset(e, 'a', sizeof(e));
		memcpy(e + 240, "@example.com", 13);
		T_ASSERT(email_check(e, strlen(e)) != NULL);	/* local part over 64 */
	}
}

static void
test_token_shape(void)
{
	char tok[65];

	rand_hex(tok, 32);
	T_ASSERT(auth_token_valid(tok));
	T_ASSERT(!auth_token_valid(""));
	T_ASSERT(!auth_token_valid(NULL));
	tok[10] = 'A';
	T_ASSERT(!auth_token_valid(tok));
	tok[10] = 'a';
	T_ASSERT(auth_token_valid(tok));
	tok[63] = '\0';
	T_ASSERT(!auth_token_valid(tok));
	T_ASSERT(!auth_token_valid("' OR 1=1 --"));
}

static void
test_roles_parse(void)
{
	T_EQ(user_role_parse("user"), ROLE_USER);
	T_EQ(user_role_parse("admin"), ROLE_ADMIN);
	T_EQ(user_role_parse("Admin"), ROLE__MAX);
	T_EQ(user_role_parse("root"), ROLE__MAX);
	T_EQ(user_role_parse(NULL), ROLE__MAX);
}

int
main(void)
{
	T_RUN(test_hash_is_bcrypt_2b_cost_12_and_verifies);
	T_RUN(test_same_password_hashes_differently);
	T_RUN(test_bytes_past_72_still_count);
	T_RUN(test_verify_rejects_non_bcrypt_hashes);
	T_RUN(test_burn_takes_bcrypt_time);
	T_RUN(test_password_rules);
	T_RUN(test_username_rules);
	T_RUN(test_email_rules);
	T_RUN(test_token_shape);
	T_RUN(test_roles_parse);
	return t_done();
}
