/* test-auth.c: /api/auth through nginx: registration, login, lockout, sessions, CSRF, cookies,
 * hostile input and rate limits */
#include "config.h"

#include <ctype.h>

#include "itest-auth.h"

#define LOCKOUT_S 5	/* the harness's LOCKOUT_DURATION_S */
static const char *
db_value(const char *fmt, long long id)
{
	char sql[512];

	snprintf(sql, sizeof(sql), fmt, id);
	return it_psql(sql);
}

/* Requests with the session cookie, and optionally a CSRF header. */
static int
cookie_req(struct it_resp *r, const char *method, const char *path, const char *token,
    const char *csrf, const char *body, const char *ctype)
{
	char cookie[200], xc[200];
	const char *h[3] = { NULL, NULL, NULL };
	int n = 0;

	snprintf(cookie, sizeof(cookie), "Cookie: __Host-pss_session=%s", token);
	h[n++] = cookie;
	if (csrf != NULL) {
		snprintf(xc, sizeof(xc), "X-CSRF-Token: %s", csrf);
		h[n++] = xc;
	}
	return it_request(r, method, path, body, body ? strlen(body) : 0, ctype, h);
}

static void
test_register_returns_tokens_user_and_cookie(void)
{
	struct it_resp r;
	char name[64], body[256];
	const char *ck;

	unique_name(name, sizeof(name), "reg");
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@Example.com\",\"password\":\"" PW "\"}",
	    name, name);
	T_EQ(it_json(&r, "POST", "/api/auth/register", NULL, body), 0);
	T_EQ(r.status, 201);
	T_STREQ(it_str(&r, "success"), "true");
	T_EQ(strlen(it_str(&r, "token")), 64);
	T_EQ(strlen(it_str(&r, "refreshToken")), 64);
	T_EQ(strlen(it_str(&r, "csrfToken")), 64);
	T_ASSERT(strcmp(it_str(&r, "token"), it_str(&r, "refreshToken")) != 0);
	T_STREQ(it_str(&r, "user.username"), name);
	T_STREQ(it_str(&r, "user.role"), "user");
	T_ASSERT(it_str(&r, "user.id") != NULL && it_str(&r, "user.createdAt") != NULL);
	T_ASSERT(strstr(r.body, "assword") == NULL && strstr(r.body, "$2b$") == NULL);
	ck = it_header(&r, "set-cookie");
	T_ASSERT(ck != NULL);
	if (ck != NULL) {
		T_CONTAINS(ck, "__Host-pss_session=");
		T_CONTAINS(ck, it_str(&r, "token"));
		T_CONTAINS(ck, "HttpOnly");
		T_CONTAINS(ck, "Secure");
		T_CONTAINS(ck, "SameSite=Lax");
		T_CONTAINS(ck, "Path=/");
	}
	it_resp_free(&r);
	/* only the hash is stored */
	snprintf(body, sizeof(body), "SELECT count(*) FROM user_sessions s JOIN users u ON u.id = s.user_id "
	    "WHERE u.username = '%s' AND length(s.token_hash) = 64", name);
	T_STREQ(it_psql(body), "2");
	snprintf(body, sizeof(body), "SELECT substr(password_hash, 1, 7) FROM users WHERE username = '%s'", name);
	T_STREQ(it_psql(body), "$2b$12$");
}

static void
test_register_rejects_bad_fields_with_details(void)
{
	static const struct { const char *body; const char *field; } cases[] = {
		{ "{}", "username" },
		{ "{\"username\":\"ab\",\"email\":\"ab@example.com\",\"password\":\"" PW "\"}", "username" },
		{ "{\"username\":\"a b c\",\"email\":\"abc@example.com\",\"password\":\"" PW "\"}", "username" },
		{ "{\"username\":\"abcd\",\"email\":\"not-an-email\",\"password\":\"" PW "\"}", "email" },
		{ "{\"username\":\"abcd\",\"email\":\"abcd@example.com\",\"password\":\"short1\"}", "password" },
		{ "{\"username\":\"abcd\",\"email\":\"abcd@example.com\",\"password\":\"alllowercase\"}", "password" },
		{ "{\"username\":\"abcd\",\"email\":\"abcd@example.com\",\"password\":\"12345678\"}", "password" },
		{ "{\"username\":\"Abcd1234\",\"email\":\"abcd@example.com\",\"password\":\"abcd1234\"}", "password" },
		{ "{\"username\":\"abcd\",\"email\":\"abcd1@example.com\",\"password\":\"ABCD1@EXAMPLE.COM\"}", "password" },
		{ "{\"username\":12,\"email\":\"abcd@example.com\",\"password\":\"" PW "\"}", "username" },
		{ "{\"username\":\"abcd\",\"email\":[],\"password\":\"" PW "\"}", "email" },
		{ "{\"username\":\"abcd\",\"email\":\"abcd@example.com\",\"password\":true}", "password" },
		{ "{\"username\":\"ab\\u0000cd\",\"email\":\"abcd@example.com\",\"password\":\"" PW "\"}", "username" },
		{ "{\"username\":\"abcd\",\"email\":\"abcd@example.com\",\"password\":\"Pass\\u0000word1\"}", "password" },
	};
	struct it_resp r;

	for (size_t i = 0; i < PSS_ARRAY_LEN(cases); i++) {
		T_EQ(it_json(&r, "POST", "/api/auth/register", NULL, cases[i].body), 0);
		check_error(&r, 400, "validation_error");
		T_ASSERTF(r.json != NULL && json_object_is_type(json_object_object_get(r.json, "details"),
		    json_type_array), "case %zu: no details: %.200s", i, r.body);
		if (r.json != NULL && json_object_object_get(r.json, "details") != NULL) {
			struct json_object *d = json_object_array_get_idx(
			    json_object_object_get(r.json, "details"), 0);

			T_STREQ(json_object_get_string(json_object_object_get(d, "field")), cases[i].field);
		}
		it_resp_free(&r);
	}
	T_EQ(it_request(&r, "POST", "/api/auth/register", "username=a", 10,
	    "application/x-www-form-urlencoded", NULL), 0);
	check_error(&r, 415, "unsupported_media_type");
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", "/api/auth/register", NULL, "{\"username\":"), 0);
	check_error(&r, 400, "validation_error");
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", "/api/auth/register", NULL, "[1,2]"), 0);
	check_error(&r, 400, "validation_error");
	it_resp_free(&r);
}

static void
test_register_duplicates_in_any_case_are_409(void)
{
	struct acct a;
	struct it_resp r;
	char body[512], upper[64];

	T_EQ(acct_register(&a, "dup"), 0);
	snprintf(body, sizeof(body), "{\"username\":\"%sx\",\"email\":\"%s\",\"password\":\"" PW "\"}",
	    a.name, a.email);
	for (char *p = strchr(body, '@'); p && *p != '"'; p++)
		*p = (char)toupper((unsigned char)*p);
	T_EQ(it_json(&r, "POST", "/api/auth/register", NULL, body), 0);
	check_error(&r, 409, "email_already_exists");
	it_resp_free(&r);
	snprintf(upper, sizeof(upper), "%s", a.name);
	for (char *p = upper; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"other%s\",\"password\":\"" PW "\"}",
	    upper, a.email);
	T_EQ(it_json(&r, "POST", "/api/auth/register", NULL, body), 0);
	check_error(&r, 409, "username_already_exists");
	it_resp_free(&r);
}

static void
test_login_by_email_or_username_any_case(void)
{
	struct acct a, b;
	struct it_resp r;
	char upper[96], body[256];

	T_EQ(acct_register(&a, "log"), 0);
	snprintf(upper, sizeof(upper), "%s", a.email);
	for (char *p = upper; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"" PW "\"}", upper);
	T_EQ(it_json(&r, "POST", "/api/auth/login", NULL, body), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "user.email"), a.email);
	T_ASSERT(it_str(&r, "user.lastLoginAt") != NULL);
	T_ASSERT(it_header(&r, "set-cookie") != NULL);
	it_resp_free(&r);
	memset(&b, 0, sizeof(b));
	T_EQ(acct_login(&b, a.name, PW), 200);
	T_EQ(b.id, a.id);
	T_ASSERT(strcmp(b.token, a.token) != 0);
	T_EQ(it_json(&r, "GET", "/api/auth/me", b.token, NULL), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "user.username"), a.name);
	T_STREQ(it_str(&r, "user.role"), "user");
	T_ASSERT(it_str(&r, "user.lastLoginAt") != NULL);
	T_ASSERT(strstr(r.body, "lockedUntil") == NULL && strstr(r.body, "assword") == NULL);
	it_resp_free(&r);
	/* no identifier, or no password */
	T_EQ(it_json(&r, "POST", "/api/auth/login", NULL, "{\"password\":\"x\"}"), 0);
	check_error(&r, 400, "validation_error");
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"username\":\"%s\"}", a.name);
	T_EQ(it_json(&r, "POST", "/api/auth/login", NULL, body), 0);
	check_error(&r, 400, "validation_error");
	it_resp_free(&r);
}

static int64_t
timed_login(const char *login, const char *pw, struct it_resp *r)
{
	char body[256];
	int64_t t0 = time_mono_us();

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", login, pw);
	(void)it_json(r, "POST", "/api/auth/login", NULL, body);
	return time_mono_us() - t0;
}

static void
test_unknown_user_and_wrong_password_look_the_same(void)
{
	struct acct a;
	struct it_resp r1, r2;
	int64_t t_wrong = 0, t_unknown = 0;

	T_EQ(acct_register(&a, "same"), 0);
	for (int i = 0; i < 2; i++) {
		t_wrong += timed_login(a.name, "Wrong-pass1", &r1);
		t_unknown += timed_login("nobody_by_this_name", "Wrong-pass1", &r2);
		check_error(&r1, 401, "invalid_credentials");
		check_error(&r2, 401, "invalid_credentials");
		T_STREQ(it_str(&r1, "message"), it_str(&r2, "message"));
		T_EQ(r1.len - strlen(it_str(&r1, "requestId")), r2.len - strlen(it_str(&r2, "requestId")));
		it_resp_free(&r1);
		it_resp_free(&r2);
	}
	printf("# wrong password %lld ms, unknown user %lld ms (two each)\n",
	    (long long)t_wrong / 1000, (long long)t_unknown / 1000);
	/* both pay for bcrypt: neither is an order of magnitude faster */
	T_ASSERTF(t_unknown * 3 > t_wrong && t_wrong * 3 > t_unknown, "wrong %lld us, unknown %lld us",
	    (long long)t_wrong, (long long)t_unknown);
	T_EQ(acct_login(&a, a.name, PW), 200);	/* reset the counter */
}

static void
test_lockout_at_exactly_the_fifth_failure_and_release(void)
{
	struct acct a;
	struct it_resp r;
	char body[256];
	const char *v;

	T_EQ(acct_register(&a, "lock"), 0);
	for (int i = 1; i <= 4; i++) {
		T_EQ(timed_login(a.name, "Wrong-pass1", &r) > 0, 1);
		check_error(&r, 401, "invalid_credentials");
		it_resp_free(&r);
		T_STREQ(db_value("SELECT login_attempts || ',' || (locked_until IS NULL) FROM users WHERE id = %lld",
		    a.id), i == 1 ? "1,true" : i == 2 ? "2,true" : i == 3 ? "3,true" : "4,true");
	}
	(void)timed_login(a.name, "Wrong-pass1", &r);
	check_error(&r, 423, "account_locked");
	v = it_str(&r, "details.lockoutRemaining");
	T_ASSERTF(v != NULL && strtol(v, NULL, 10) > 0 && strtol(v, NULL, 10) <= LOCKOUT_S, "lockoutRemaining %s", v ? v : "(none)");
	T_ASSERT(it_header(&r, "retry-after") != NULL);
	it_resp_free(&r);
	/* while locked, even the right password is refused, and not counted */
	(void)timed_login(a.name, PW, &r);
	check_error(&r, 423, "account_locked");
	it_resp_free(&r);
	T_STREQ(db_value("SELECT login_attempts || ',' || (locked_until > now()) FROM users WHERE id = %lld", a.id),
	    "5,true");
	/* the lock ends by itself */
	time_sleep_ms(LOCKOUT_S * 1000 + 500);
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"" PW "\"}", a.email);
	T_EQ(it_json(&r, "POST", "/api/auth/login", NULL, body), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
	T_STREQ(db_value("SELECT login_attempts || ',' || (locked_until IS NULL) FROM users WHERE id = %lld", a.id),
	    "0,true");
}

static void
test_success_resets_the_failure_count(void)
{
	struct acct a;
	struct it_resp r;

	T_EQ(acct_register(&a, "reset"), 0);
	for (int i = 0; i < 4; i++) {
		(void)timed_login(a.name, "Wrong-pass1", &r);
		T_EQ(r.status, 401);
		it_resp_free(&r);
	}
	T_EQ(acct_login(&a, a.name, PW), 200);
	T_STREQ(db_value("SELECT login_attempts FROM users WHERE id = %lld", a.id), "0");
	for (int i = 0; i < 4; i++) {
		(void)timed_login(a.name, "Wrong-pass1", &r);
		T_EQ(r.status, 401);
		it_resp_free(&r);
	}
	T_EQ(acct_login(&a, a.name, PW), 200);
}

static void
test_concurrent_failed_logins_cannot_pass_the_limit(void)
{
	struct acct a;
	char out[256];
	const char *v;
	int n401, n423;

	T_EQ(acct_register(&a, "race"), 0);
	snprintf(out, sizeof(out), "/tmp/pss-race-%d", (int)getpid());
	/* 12 wrong guesses at once */
	T_EQ(it_run("for i in $(seq 12); do curl -sk -o /dev/null -w '%%{http_code}\\n' -X POST "
	    "-H 'Content-Type: application/json' -d '{\"username\":\"%s\",\"password\":\"Guess-%%d'$i'\"}' "
	    "\"$PSS_TEST_URL/api/auth/login\" & done >%s; wait", a.name, out), 0);
	time_sleep_ms(200);
	n401 = it_run("test $(grep -c '^401$' %s) -eq 4", out) == 0;
	n423 = it_run("test $(grep -c '^423$' %s) -eq 8", out) == 0;
	T_ASSERTF(n401 && n423, "want 4 x 401 and 8 x 423");
	if (!n401 || !n423)
		(void)it_run("sed 's/^/#   /' %s", out);
	(void)it_run("rm -f %s", out);
	v = db_value("SELECT login_attempts || ',' || (locked_until > now()) FROM users WHERE id = %lld", a.id);
	T_STREQ(v, "5,true");
	/* and the right password is refused until the lock ends */
	T_EQ(acct_login(&a, a.name, PW), 423);
	time_sleep_ms(LOCKOUT_S * 1000 + 500);
	T_EQ(acct_login(&a, a.name, PW), 200);
}

static void
test_refresh_rotates_and_reuse_revokes_the_family(void)
{
	struct acct a, other;
	struct it_resp r;
	char body[200], old_refresh[80], new_access[80], new_refresh[80];

	T_EQ(acct_register(&a, "rot"), 0);
	memset(&other, 0, sizeof(other));
	T_EQ(acct_login(&other, a.name, PW), 200);	/* a second login of the same user */
	snprintf(old_refresh, sizeof(old_refresh), "%s", a.refresh);
	snprintf(body, sizeof(body), "{\"refreshToken\":\"%s\"}", a.refresh);
	T_EQ(it_json(&r, "POST", "/api/auth/refresh", NULL, body), 0);
	T_EQ(r.status, 200);
	snprintf(new_access, sizeof(new_access), "%s", it_str(&r, "token") ? it_str(&r, "token") : "");
	snprintf(new_refresh, sizeof(new_refresh), "%s", it_str(&r, "refreshToken") ? it_str(&r, "refreshToken") : "");
	T_EQ(strlen(new_refresh), 64);
	T_ASSERT(strcmp(new_refresh, old_refresh) != 0 && strcmp(new_access, a.token) != 0);
	it_resp_free(&r);
	T_EQ(status_of("GET", "/api/auth/me", new_access, NULL), 200);
	/* the chain is recorded */
	snprintf(body, sizeof(body), "SELECT count(*) FROM user_sessions WHERE replaced_by IS NOT NULL AND user_id = %lld", a.id);
	T_STREQ(it_psql(body), "1");
	/* the spent token again from another client (not the one it was issued to): refused,
	 * and the whole login ends (the same client's second try is docs/compat.md's window,
	 * test_refresh_reuse_after_rotation_revokes) */
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", old_refresh);
	{
		const char *h[] = { "User-Agent: another-client/1.0", NULL };

		T_EQ(it_request(&r, "POST", "/api/auth/refresh", body, strlen(body), "application/json", h), 0);
	}
	check_error(&r, 401, "invalid_token");
	it_resp_free(&r);
	T_EQ(me_rounds(new_access, 401), WORKER_ROUNDS);
	T_EQ(me_rounds(a.token, 401), WORKER_ROUNDS);
	snprintf(body, sizeof(body), "{\"refreshToken\":\"%s\"}", new_refresh);
	T_EQ(status_of("POST", "/api/auth/refresh", NULL, body), 401);
	/* the other login of the same user is untouched */
	T_EQ(me_rounds(other.token, 200), WORKER_ROUNDS);
}

/* A client that rotates (uses the refresh token it got) keeps full reuse detection: the
 * spent token presented again, even by the same client at once, ends the login. */
static void
test_refresh_reuse_after_rotation_revokes(void)
{
	struct acct a;
	struct it_resp r;
	char body[200], body2[200], access[80];

	T_EQ(acct_register(&a, "rrot"), 0);
	snprintf(body, sizeof(body), "{\"refreshToken\":\"%s\"}", a.refresh);
	T_EQ(it_json(&r, "POST", "/api/auth/refresh", NULL, body), 0);
	T_EQ(r.status, 200);
	snprintf(body2, sizeof(body2), "{\"refreshToken\":\"%s\"}", it_str(&r, "refreshToken"));
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", "/api/auth/refresh", NULL, body2), 0);	/* rotated */
	T_EQ(r.status, 200);
	snprintf(access, sizeof(access), "%s", it_str(&r, "token") ? it_str(&r, "token") : "");
	it_resp_free(&r);
	T_EQ(status_of("POST", "/api/auth/refresh", NULL, body), 401);
	T_EQ(me_rounds(access, 401), WORKER_ROUNDS);
	T_EQ(status_of("POST", "/api/auth/refresh", NULL, body2), 401);
}

static void
test_refresh_revokes_the_access_token_it_replaces(void)
{
	struct acct a;
	struct it_resp r;
	char body[200], new_access[80];

	T_EQ(acct_register(&a, "rrev"), 0);
	for (int i = 0; i < 3; i++)	/* cached by every worker, then hot */
		T_EQ(me_rounds(a.token, 200), WORKER_ROUNDS);
	snprintf(body, sizeof(body), "{\"refreshToken\":\"%s\"}", a.refresh);
	T_EQ(it_json(&r, "POST", "/api/auth/refresh", NULL, body), 0);
	T_EQ(r.status, 200);
	snprintf(new_access, sizeof(new_access), "%s", it_str(&r, "token") ? it_str(&r, "token") : "");
	it_resp_free(&r);
	T_EQ(me_rounds(a.token, 401), WORKER_ROUNDS);
	T_EQ(me_rounds(new_access, 200), WORKER_ROUNDS);
	snprintf(body, sizeof(body), "SELECT count(*) FROM user_sessions WHERE user_id = %lld "
	    "AND kind = 'access' AND revoked_at IS NULL", a.id);
	T_STREQ(it_psql(body), "1");
}

static void
test_refresh_rejects_bad_and_wrong_kind_tokens(void)
{
	struct acct a;
	struct it_resp r;
	char body[200];

	T_EQ(acct_register(&a, "rbad"), 0);
	T_EQ(it_json(&r, "POST", "/api/auth/refresh", NULL, "{}"), 0);
	check_error(&r, 400, "validation_error");
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", "/api/auth/refresh", NULL, "{\"refreshToken\":\"nope\"}"), 0);
	check_error(&r, 401, "invalid_token");
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"refreshToken\":\"%s\"}", a.token);	/* an access token */
	T_EQ(it_json(&r, "POST", "/api/auth/refresh", NULL, body), 0);
	check_error(&r, 401, "invalid_token");
	it_resp_free(&r);
	/* and a refresh token is no access token */
	T_EQ(it_json(&r, "GET", "/api/auth/me", a.refresh, NULL), 0);
	check_error(&r, 401, "invalid_token");
	it_resp_free(&r);
	/* an expired refresh token */
	snprintf(body, sizeof(body), "UPDATE user_sessions SET created_at = now() - interval '9 days', "
	    "expires_at = now() - interval '1 day' WHERE user_id = %lld AND kind = 'refresh'", a.id);
	T_ASSERT(it_psql(body) != NULL);
	snprintf(body, sizeof(body), "{\"refreshToken\":\"%s\"}", a.refresh);
	T_EQ(it_json(&r, "POST", "/api/auth/refresh", NULL, body), 0);
	check_error(&r, 401, "token_expired");
	it_resp_free(&r);
}

static void
test_expired_access_token_is_token_expired(void)
{
	struct acct a;
	struct it_resp r;
	char sql[300];

	T_EQ(acct_register(&a, "exp"), 0);
	/* never used, so no worker has it cached */
	snprintf(sql, sizeof(sql), "UPDATE user_sessions SET created_at = now() - interval '2 days', "
	    "expires_at = now() - interval '1 hour' WHERE user_id = %lld AND kind = 'access'", a.id);
	T_ASSERT(it_psql(sql) != NULL);
	T_EQ(it_json(&r, "GET", "/api/auth/me", a.token, NULL), 0);
	check_error(&r, 401, "token_expired");
	it_resp_free(&r);
}

static void
test_missing_and_malformed_credentials(void)
{
	struct it_resp r;
	const char *h[] = { "Authorization: Basic dXNlcjpwYXNz", NULL };

	T_EQ(it_get(&r, "/api/auth/me"), 0);
	check_error(&r, 401, "unauthorized");
	it_resp_free(&r);
	T_EQ(it_json(&r, "GET", "/api/auth/me", "0123", NULL), 0);
	check_error(&r, 401, "invalid_token");
	it_resp_free(&r);
	T_EQ(it_json(&r, "GET", "/api/auth/me",
	    "0000000000000000000000000000000000000000000000000000000000000000", NULL), 0);
	check_error(&r, 401, "invalid_token");
	it_resp_free(&r);
	T_EQ(it_request(&r, "GET", "/api/auth/me", NULL, 0, NULL, h), 0);
	check_error(&r, 401, "unauthorized");
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", "/api/auth/logout", NULL, NULL), 0);
	check_error(&r, 401, "unauthorized");
	it_resp_free(&r);
}

static void
test_logout_revokes_on_every_worker_and_clears_cookie(void)
{
	struct acct a;
	struct it_resp r;
	const char *ck;
	char body[200];

	T_EQ(acct_register(&a, "out"), 0);
	for (int i = 0; i < 3; i++)	/* cached by every worker, then hot */
		T_EQ(me_rounds(a.token, 200), WORKER_ROUNDS);
	T_EQ(it_json(&r, "POST", "/api/auth/logout", a.token, NULL), 0);
	T_EQ(r.status, 200);
	ck = it_header(&r, "set-cookie");
	T_ASSERT(ck != NULL && strstr(ck, "Max-Age=0") != NULL && strstr(ck, "__Host-pss_session=;") != NULL);
	it_resp_free(&r);
	T_EQ(me_rounds(a.token, 401), WORKER_ROUNDS);
	/* the login's refresh token ended with it */
	snprintf(body, sizeof(body), "{\"refreshToken\":\"%s\"}", a.refresh);
	T_EQ(status_of("POST", "/api/auth/refresh", NULL, body), 401);
	T_EQ(status_of("POST", "/api/auth/logout", a.token, NULL), 401);
}

/* A session each worker answers from its own parsed copy, with no Redis round trip (a token's
 * first request remembers it, the second reads it from Redis, the next are hot), is still
 * ended at once by a revocation from another process: the command line's reset-password,
 * with the shared generation file as the stack's configuration has it; a writer that cannot
 * map the file (CACHE_SHARED_FILE emptied for the command) reaches the copies by NOTIFY, a
 * moment later. */
static void
cli_revoke_round(const char *env, bool at_once)
{
	struct acct a;
	long long before, after;
	int left = WORKER_ROUNDS;

	T_EQ(acct_register(&a, "hotcli"), 0);
	T_EQ(me_rounds(a.token, 200), WORKER_ROUNDS);
	/* the job runner's pending writes end first: each invalidation moves the mark */
	T_STREQ(it_poll_sql("SELECT count(*) FROM jobs WHERE status = 'running' OR "
	    "(status = 'queued' AND run_at <= now())", "0", 30), "0");
	T_EQ(me_rounds(a.token, 200), WORKER_ROUNDS);
	T_ASSERT((before = it_hot_hits()) >= 0);
	T_EQ(me_rounds(a.token, 200), WORKER_ROUNDS);
	after = it_hot_hits();
	/* a worker the first rounds missed reads it once; without hot sessions there are none */
	T_ASSERTF(after - before >= WORKER_ROUNDS / 2, "hot sessions: %lld of %d", after - before,
	    WORKER_ROUNDS);
	T_EQ(it_run("printf 'Cli-pass-77\\n' | %s \"$PSS_BIN/psscript\" user reset-password %s "
	    "--password-stdin >/dev/null", env, a.name), 0);
	for (int i = 0; i < 40 && (left = WORKER_ROUNDS - me_rounds(a.token, 401)) != 0; i++) {
		T_ASSERTF(!at_once, "%d of %d requests still signed in", left, WORKER_ROUNDS);
		time_sleep_ms(50);
	}
	T_EQ(left, 0);
}

static void
test_hot_sessions_end_at_a_revocation_from_the_command_line(void)
{
	cli_revoke_round("", true);
	cli_revoke_round("CACHE_SHARED_FILE=", false);
}

/* me_role_rounds: WORKER_ROUNDS calls of GET /api/auth/me as token; how many said role. */
static int
me_role_rounds(const char *token, const char *role)
{
	struct it_resp r;
	int hits = 0;

	for (int i = 0; i < WORKER_ROUNDS; i++) {
		if (it_json(&r, "GET", "/api/auth/me", token, NULL) == 0 && r.status == 200 &&
		    it_str(&r, "user.role") != NULL && strcmp(it_str(&r, "user.role"), role) == 0)
			hits++;
		it_resp_free(&r);
	}
	return hits;
}

/* Each worker keeps the sessions it resolved (services/auth.c): every change of a session or
 * its user, through the API or the command line, holds on the very next request of every
 * worker, each warmed with the session first. */
static void
test_revocations_and_role_changes_reach_every_worker_at_once(void)
{
	struct acct a, other, b, admin;
	char path[160], fam[64];
	const char *v;

	T_EQ(acct_admin(&admin, "revadm"), 0);
	T_EQ(acct_register(&a, "rev"), 0);
	T_EQ(me_role_rounds(a.token, "user"), WORKER_ROUNDS);
	/* a role changed by an administrator, then by the command line */
	snprintf(path, sizeof(path), "/api/users/%lld", a.id);
	T_EQ(status_of("PUT", path, admin.token, "{\"role\":\"admin\"}"), 200);
	T_EQ(me_role_rounds(a.token, "admin"), WORKER_ROUNDS);
	T_EQ(it_run("\"$PSS_BIN/psscript\" user set-role %s user >/dev/null", a.name), 0);
	T_EQ(me_role_rounds(a.token, "user"), WORKER_ROUNDS);
	/* one login signed out from another (the sessions list's revoke) */
	memset(&other, 0, sizeof(other));
	T_EQ(acct_login(&other, a.name, PW), 200);
	T_EQ(me_rounds(other.token, 200), WORKER_ROUNDS);
	v = db_value("SELECT family_id FROM user_sessions WHERE user_id = %lld ORDER BY id DESC LIMIT 1",
	    a.id);
	T_ASSERT(v != NULL);
	snprintf(fam, sizeof(fam), "%s", v != NULL ? v : "");
	snprintf(path, sizeof(path), "/api/auth/sessions/%s", fam);
	T_EQ(status_of("DELETE", path, a.token, NULL), 200);
	T_EQ(me_rounds(other.token, 401), WORKER_ROUNDS);
	T_EQ(me_rounds(a.token, 200), WORKER_ROUNDS);
	/* deleted by the command line, and by an administrator */
	T_EQ(it_run("\"$PSS_BIN/psscript\" user delete %s >/dev/null", a.name), 0);
	T_EQ(me_rounds(a.token, 401), WORKER_ROUNDS);
	T_EQ(acct_register(&b, "rev"), 0);
	T_EQ(me_rounds(b.token, 200), WORKER_ROUNDS);
	snprintf(path, sizeof(path), "/api/users/%lld", b.id);
	T_EQ(status_of("DELETE", path, admin.token, NULL), 200);
	T_EQ(me_rounds(b.token, 401), WORKER_ROUNDS);
}

static void
test_password_change_rules_and_other_sessions(void)
{
	struct acct a, other;
	struct it_resp r;
	char body[256];

	T_EQ(acct_register(&a, "pwc"), 0);
	memset(&other, 0, sizeof(other));
	T_EQ(acct_login(&other, a.name, PW), 200);
	T_EQ(me_rounds(other.token, 200), WORKER_ROUNDS);
	T_EQ(it_json(&r, "POST", "/api/auth/password", a.token,
	    "{\"currentPassword\":\"Wrong-pass1\",\"newPassword\":\"New-pass-123\"}"), 0);
	check_error(&r, 401, "invalid_credentials");
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", "/api/auth/password", a.token,
	    "{\"currentPassword\":\"" PW "\",\"newPassword\":\"weak\"}"), 0);
	check_error(&r, 400, "validation_error");
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"currentPassword\":\"" PW "\",\"newPassword\":\"%s\"}", a.name);
	T_EQ(it_json(&r, "POST", "/api/auth/password", a.token, body), 0);
	T_EQ(r.status, 400);
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", "/api/auth/password", a.token,
	    "{\"current_password\":\"" PW "\",\"new_password\":\"New-pass-123\"}"), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
	T_EQ(me_rounds(a.token, 200), WORKER_ROUNDS);		/* this session stays */
	T_EQ(me_rounds(other.token, 401), WORKER_ROUNDS);	/* the others end */
	T_EQ(acct_login(&other, a.name, PW), 401);
	T_EQ(acct_login(&other, a.name, "New-pass-123"), 200);
}

static void
test_update_own_profile(void)
{
	struct acct a, b;
	struct it_resp r;
	char body[300], name[64];

	T_EQ(acct_register(&a, "upd"), 0);
	T_EQ(acct_register(&b, "upd"), 0);
	unique_name(name, sizeof(name), "renamed");
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.org\"}", name, name);
	T_EQ(it_json(&r, "PUT", "/api/auth/user", a.token, body), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "user.username"), name);
	it_resp_free(&r);
	/* every worker sees the new name at once */
	for (int i = 0; i < WORKER_ROUNDS; i++) {
		T_EQ(it_json(&r, "GET", "/api/auth/me", a.token, NULL), 0);
		T_STREQ(it_str(&r, "user.username"), name);
		it_resp_free(&r);
	}
	snprintf(body, sizeof(body), "{\"email\":\"%s\"}", b.email);
	T_EQ(it_json(&r, "PUT", "/api/auth/user", a.token, body), 0);
	check_error(&r, 409, "email_already_exists");
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"username\":\"%s\"}", b.name);
	T_EQ(it_json(&r, "PUT", "/api/auth/user", a.token, body), 0);
	check_error(&r, 409, "username_already_exists");
	it_resp_free(&r);
	T_EQ(it_json(&r, "PUT", "/api/auth/user", a.token, "{\"role\":\"admin\"}"), 0);
	check_error(&r, 403, "forbidden");
	it_resp_free(&r);
	T_STREQ(db_value("SELECT role FROM users WHERE id = %lld", a.id), "user");
	T_EQ(status_of("PUT", "/api/auth/user", a.token, "{}"), 400);
	T_EQ(status_of("PUT", "/api/auth/user", a.token, "{\"email\":5}"), 400);
	T_EQ(status_of("PUT", "/api/auth/user", a.token, "{\"email\":\"x\"}"), 400);
}

static void
test_csrf_needed_for_unsafe_cookie_requests(void)
{
	struct acct a;
	struct it_resp r;
	char form[200];
	const char *bearer_h[3];
	char auth[160], cookie[160];

	T_EQ(acct_register(&a, "csrf"), 0);
	/* reading with the cookie needs no token */
	T_EQ(cookie_req(&r, "GET", "/api/auth/me", a.token, NULL, NULL, NULL), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
	/* writing with the cookie does */
	T_EQ(cookie_req(&r, "PUT", "/api/auth/user", a.token, NULL, "{\"email\":\"c1@example.com\"}",
	    "application/json"), 0);
	check_error(&r, 403, "csrf_failed");
	it_resp_free(&r);
	T_EQ(cookie_req(&r, "PUT", "/api/auth/user", a.token, "0123456789abcdef",
	    "{\"email\":\"c1@example.com\"}", "application/json"), 0);
	check_error(&r, 403, "csrf_failed");
	it_resp_free(&r);
	T_EQ(cookie_req(&r, "POST", "/api/auth/logout", a.token, NULL, NULL, NULL), 0);
	check_error(&r, 403, "csrf_failed");
	it_resp_free(&r);
	T_EQ(me_rounds(a.token, 200), WORKER_ROUNDS);	/* not logged out */
	/* a bearer request needs none, even when a cookie rides along */
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", a.token);
	snprintf(cookie, sizeof(cookie), "Cookie: __Host-pss_session=%s", a.token);
	bearer_h[0] = auth;
	bearer_h[1] = cookie;
	bearer_h[2] = NULL;
	T_EQ(it_request(&r, "PUT", "/api/auth/user", "{\"username\":\"csrfok\"}", 21,
	    "application/json", bearer_h), 0);
	T_ASSERTF(r.status == 200 || r.status == 409, "bearer PUT: %ld %.200s", r.status, r.body);
	it_resp_free(&r);
	/* the right header token */
	T_EQ(cookie_req(&r, "PUT", "/api/auth/user", a.token, a.csrf, "{\"email\":\"ok-csrf@example.com\"}",
	    "application/json"), 0);
	T_ASSERTF(r.status == 200 || r.status == 409, "csrf PUT: %ld %.200s", r.status, r.body);
	it_resp_free(&r);
	/* or the csrf_token field of a form */
	snprintf(form, sizeof(form), "csrf_token=%s", a.csrf);
	T_EQ(cookie_req(&r, "POST", "/api/auth/logout", a.token, NULL, form,
	    "application/x-www-form-urlencoded"), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
	T_EQ(me_rounds(a.token, 401), WORKER_ROUNDS);
}

static void
test_sessions_survive_redis_going_away(void)
{
	struct acct a, b;
	struct it_resp r;

	T_EQ(acct_register(&a, "redis"), 0);
	T_EQ(acct_register(&b, "redis"), 0);
	T_EQ(me_rounds(a.token, 200), WORKER_ROUNDS);
	T_EQ(me_rounds(b.token, 200), WORKER_ROUNDS);
	T_EQ(it_harness("redis-stop"), 0);
	T_EQ(me_rounds(a.token, 200), WORKER_ROUNDS);
	T_EQ(acct_login(&a, a.name, PW), 200);	/* a new login works too */
	T_EQ(me_rounds(a.token, 200), WORKER_ROUNDS);
	/* a logout still reaches every worker */
	T_EQ(me_rounds(b.token, 200), WORKER_ROUNDS);
	T_EQ(status_of("POST", "/api/auth/logout", b.token, NULL), 200);
	T_EQ(me_rounds(b.token, 401), WORKER_ROUNDS);
	T_EQ(it_harness("redis-start"), 0);
	time_sleep_ms(1500);
	T_EQ(me_rounds(a.token, 200), WORKER_ROUNDS);
	T_EQ(me_rounds(b.token, 401), WORKER_ROUNDS);
	T_EQ(it_get(&r, "/api/health"), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
}

static void
test_hostile_input_in_every_field(void)
{
	static const char *const evil[] = {
		"' OR '1'='1", "admin'--", "\\\"; DROP TABLE users; --", "%00", "1; SELECT pg_sleep(5)",
		"\\u202e\\ud83d\\ude00", "<script>alert(1)</script>", "${jndi:ldap://x}",
	};
	static const char *const paths[] = { "/api/auth/login", "/api/auth/register", "/api/auth/refresh" };
	static const char *const fields[] = { "username", "email", "password", "refreshToken" };
	struct acct a;
	struct it_resp r;
	size_t big = 200000;
	char *huge = xmalloc(big + 64), body[512];
	const char *before;
	char count[32];
	long long created = 0;

	T_EQ(acct_register(&a, "evil"), 0);
	before = it_psql("SELECT count(*) FROM users");
	snprintf(count, sizeof(count), "%s", before ? before : "");
	for (size_t p = 0; p < PSS_ARRAY_LEN(paths); p++)
		for (size_t f = 0; f < PSS_ARRAY_LEN(fields); f++)
			for (size_t e = 0; e < PSS_ARRAY_LEN(evil); e++) {
				snprintf(body, sizeof(body), "{\"username\":\"u%zu%zu\",\"email\":\"e%zu@example.com\","
				    "\"password\":\"Xx1-evil-pw\",\"refreshToken\":\"x\",\"%s\":\"%s\"}",
				    p, e, e, fields[f], evil[e]);
				T_EQ(it_json(&r, "POST", paths[p], NULL, body), 0);
				/* a password may hold anything, and register ignores refreshToken: those
				 * may create an account; nothing else may succeed, nothing may fail */
				if (p == 1 && f >= 2 && r.status == 201)
					created++;
				else
					T_ASSERTF(r.status >= 400 && r.status < 500 && r.status != 404 &&
					    r.json != NULL, "%s %s=%s: %ld %.200s", paths[p], fields[f],
					    evil[e], r.status, r.body);
				it_resp_free(&r);
			}
	/* 200 kB in each field: a clear 400 or 401, never a 500 */
	for (size_t p = 0; p < PSS_ARRAY_LEN(paths); p++)
		for (size_t f = 0; f < PSS_ARRAY_LEN(fields); f++) {
			int n = snprintf(huge, 64, "{\"%s\":\"", fields[f]);

			memset(huge + n, 'A', big);
			memcpy(huge + n + big, "\"}", 3);
			T_EQ(it_json(&r, "POST", paths[p], NULL, huge), 0);
			T_ASSERTF(r.status == 400 || r.status == 401, "%s %s huge: %ld %.200s", paths[p],
			    fields[f], r.status, r.body);
			it_resp_free(&r);
		}
	for (size_t e = 0; e < PSS_ARRAY_LEN(evil); e++) {
		snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s\"}", evil[e], evil[e]);
		T_EQ(it_json(&r, "PUT", "/api/auth/user", a.token, body), 0);
		T_ASSERTF(r.status == 400, "PUT user %s: %ld", evil[e], r.status);
		it_resp_free(&r);
		snprintf(body, sizeof(body), "{\"currentPassword\":\"%s\",\"newPassword\":\"%s\"}", evil[e], evil[e]);
		T_EQ(it_json(&r, "POST", "/api/auth/password", a.token, body), 0);
		/* wrong current passwords count like failed logins: the fifth locks (item 7) */
		T_ASSERTF(r.status == 400 || r.status == 401 || r.status == 423, "password %s: %ld",
		    evil[e], r.status);
		it_resp_free(&r);
	}
	free(huge);
	snprintf(body, sizeof(body), "UPDATE users SET login_attempts = 0, locked_until = NULL "
	    "WHERE id = %lld", a.id);
	T_ASSERT(it_psql(body) != NULL);
	before = it_psql("SELECT count(*) FROM users");
	T_ASSERTF(before != NULL && strtoll(before, NULL, 10) == strtoll(count, NULL, 10) + created,
	    "users %s, want %s + %lld", before ? before : "(none)", count, created);
	T_EQ(acct_login(&a, a.name, PW), 200);
}

/* post_until_429: posts body to path (ctype NULL: JSON) until nginx answers 429, at most max
 * times; r holds that 429 (the caller frees it) and the count is returned, -1 if none came.
 * Right after a bucket is emptied, a path in the same bucket is refused at once; a stall of
 * the machine between two requests refills one place in the bucket every 50 ms (the
 * harness's 20/s), so the checks below allow a few (a fresh bucket takes more than 60). */
static int
post_until_429(struct it_resp *r, const char *path, const char *body, const char *ctype, int max)
{
	for (int i = 1; i <= max; i++) {
		int rc = ctype == NULL ? it_json(r, "POST", path, NULL, body) :
		    it_request(r, "POST", path, body, strlen(body), ctype, NULL);

		if (rc == 0 && r->status == 429)
			return i;
		it_resp_free(r);
	}
	return -1;
}

static void
test_rate_limit_answers_429_json(void)
{
	static const char *const same[] = {	/* nginx spells these /api/auth/login too (the
						 * router would 404 them, item 1 of issue 12) */
		"//api/auth/login", "/api/auth/./login", "/api%2Fauth%2Flogin",
	};
	struct it_resp r;
	int n;

	/* bodies that fail fast; nginx counts them all (the harness allows 20/s, burst 60) */
	n = post_until_429(&r, "/api/auth/register", "{}", NULL, 3000);
	T_ASSERTF(n > 0, "no 429 in 3000 registrations");
	if (n > 0) {
		check_error(&r, 429, "rate_limited");
		T_STREQ(it_header(&r, "retry-after"), "60");
		T_ASSERTF(it_security_headers_wrong(&r) == NULL, "429: %s", it_security_headers_wrong(&r));
		T_STREQ(it_header(&r, "cache-control"), "no-store");
		it_resp_free(&r);
	}
	n = post_until_429(&r, "/api/auth/login", "{}", NULL, 3000);
	T_ASSERTF(n > 0, "no 429 in 3000 logins");
	if (n > 0)
		it_resp_free(&r);
	for (size_t i = 0; i < PSS_ARRAY_LEN(same); i++) {
		n = post_until_429(&r, same[i], "{}", NULL, 20);
		T_ASSERTF(n > 0 && n <= 20, "%s: %d requests to a 429 (the login bucket is empty)",
		    same[i], n);
		if (n > 0)
			it_resp_free(&r);
	}
	n = post_until_429(&r, "/login", "login=x&password=y", "application/x-www-form-urlencoded", 20);
	T_ASSERTF(n > 0 && n <= 20, "/login form: %d requests to a 429", n);
	if (n > 0) {
		T_CONTAINS(r.body, "Too many requests");
		T_ASSERTF(it_security_headers_wrong(&r) == NULL, "429 page: %s",
		    it_security_headers_wrong(&r));
		it_resp_free(&r);
	}
	/* viewing the forms is not an attempt: never limited, and never counted (item 3) */
	for (int i = 0; i < 80; i++) {
		T_EQ(status_of("GET", "/login", NULL, NULL), 200);
		T_EQ(status_of("GET", "/register", NULL, NULL), 200);
	}
	T_EQ(status_of("HEAD", "/login", NULL, NULL), 200);
	time_sleep_ms(3500);	/* let the buckets refill for whoever runs next */
}

/* nginx limits /api/auth/login, /api/auth/register, /login and /register exactly (issue 12
 * item 1): no other spelling of those paths may reach their handlers, whatever nginx makes of
 * it. Each variant is 404 (the router) or 429 (nginx, when it normalises the variant into the
 * limited location), and a wrong password sent through them is never counted. */
static void
test_noncanonical_login_paths_never_reach_the_handler(void)
{
	static const char *const paths[] = {
		"/api/auth/login/", "/api/auth/login%2F", "/api/auth/login%2f", "//api/auth/login",
		"/api/auth//login", "/api/auth/./login", "/api/auth/x/../login", "/api/auth/login/.",
		"/api%2Fauth%2Flogin", "/api/auth%2flogin", "/API/auth/login", "/api/auth/Login",
		"/api/auth/login//", "/api/auth/%2e/login", "/api/auth/register/",
		"/api/auth/register%2F", "/login/", "/login%2F", "/register/", "//register",
	};
	struct acct a;
	char body[300];

	T_EQ(acct_register(&a, "canon"), 0);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"wrong-one\","
	    "\"email\":\"%s\"}", a.name, a.email);
	for (size_t i = 0; i < PSS_ARRAY_LEN(paths); i++)
		for (int k = 0; k < 3; k++) {
			long st = status_of("POST", paths[i], NULL, body);

			T_ASSERTF(st == 404 || st == 429, "POST %s: %ld, want 404 or 429", paths[i], st);
		}
	T_STREQ(db_value("SELECT login_attempts FROM users WHERE id = %lld", a.id), "0");
	T_EQ(acct_login(&a, a.name, PW), 200);
}

/* A login as name with pw that presents device token dev (NULL: none) the way how says: 'h'
 * the X-Device-Token header, 'b' the deviceToken body field, 'c' the device cookie. */
static long
device_login(struct it_resp *r, const char *name, const char *pw, const char *dev, char how)
{
	char body[512], hdr[256];
	const char *h[2] = { NULL, NULL };

	if (dev != NULL && how == 'b')
		snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\",\"deviceToken\":\"%s\"}",
		    name, pw, dev);
	else
		snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", name, pw);
	if (dev != NULL && how != 'b') {
		snprintf(hdr, sizeof(hdr), how == 'h' ? "X-Device-Token: %s" : "Cookie: __Host-pss_device=%s", dev);
		h[0] = hdr;
	}
	if (it_request(r, "POST", "/api/auth/login", body, strlen(body), "application/json", h) != 0)
		return -1;
	return r->status;
}

/* device_status: the status of a login presenting dev by how; copies a new device token to
 * newdev when not NULL. */
static long
device_status(const char *name, const char *pw, const char *dev, char how, char *newdev)
{
	struct it_resp r;
	long st = device_login(&r, name, pw, dev, how);

	if (newdev != NULL)
		snprintf(newdev, 160, "%s", st == 200 && it_str(&r, "deviceToken") ? it_str(&r, "deviceToken") : "");
	it_resp_free(&r);
	return st;
}

/* Issue 12 item 4 (OWASP device cookies): five failures from elsewhere lock the account
 * against untrusted clients only; a client that logged in before presents its device token
 * (header, body or cookie) and still gets in; forged, malformed or another account's tokens
 * are untrusted; failures through a device token lock only that token; the admin sees each
 * lock and an unlock clears the devices' locks too. */
static void
test_device_token_survives_a_lockout_from_elsewhere(void)
{
	struct acct a, b, admin;
	struct it_resp r;
	char dev[160], dev2[160], devb[160], forged[160], sql[256], path[96];
	const char *ck, *v;

	T_EQ(acct_register(&a, "dev"), 0);
	T_EQ(acct_register(&b, "devb"), 0);
	T_EQ(acct_admin(&admin, "devadm"), 0);
	/* a login hands out a device token, in the body and as a strict cookie */
	T_EQ(device_login(&r, a.name, PW, NULL, 0), 200);
	v = it_str(&r, "deviceToken");
	snprintf(dev, sizeof(dev), "%s", v ? v : "");
	snprintf(sql, sizeof(sql), "%lld.", a.id);
	T_ASSERTF(strncmp(dev, sql, strlen(sql)) == 0 && strlen(dev) == strlen(sql) + 32 + 1 + 64,
	    "device token %s", dev);
	ck = strstr(r.headers, "set-cookie: __Host-pss_device=");
	T_ASSERT(ck != NULL && strstr(ck, "HttpOnly") != NULL && strstr(ck, "SameSite=Strict") != NULL &&
	    strstr(ck, "Secure") != NULL);
	it_resp_free(&r);
	T_EQ(device_status(b.name, PW, NULL, 0, devb), 200);
	/* five failures from elsewhere: the account locks (for an hour, so the test has time) */
	for (int i = 1; i <= 5; i++)
		T_EQ(device_status(a.name, "Wrong-pass1", NULL, 0, NULL), i < 5 ? 401 : 423);
	snprintf(sql, sizeof(sql), "UPDATE users SET locked_until = now() + interval '1 hour' WHERE id = %lld", a.id);
	T_ASSERT(it_psql(sql) != NULL);
	T_EQ(device_login(&r, a.name, PW, NULL, 0), 423);
	T_STREQ(it_str(&r, "details.lockScope"), "account");
	it_resp_free(&r);
	/* the owner's device gets in, by header, body field or cookie */
	T_EQ(device_status(a.name, PW, dev, 'h', dev2), 200);
	T_EQ(device_status(a.name, PW, dev, 'b', NULL), 200);
	T_EQ(device_status(a.name, PW, dev, 'c', NULL), 200);
	T_ASSERT(strlen(dev2) > 0 && strcmp(dev2, dev) != 0);	/* a fresh token each time */
	/* ... and nobody else does: forged, cut, another account's, junk */
	snprintf(forged, sizeof(forged), "%s", dev);
	forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == '0' ? '1' : '0';
	T_EQ(device_status(a.name, PW, forged, 'h', NULL), 423);
	forged[strlen(forged) - 1] = '\0';
	T_EQ(device_status(a.name, PW, forged, 'h', NULL), 423);
	T_EQ(device_status(a.name, PW, devb, 'h', NULL), 423);
	T_EQ(device_status(a.name, PW, "'; DROP TABLE users; --", 'b', NULL), 423);
	/* the account's lock is untouched by the device's logins */
	T_STREQ(db_value("SELECT locked_until > now() + interval '50 minutes' FROM users WHERE id = %lld", a.id), "t");
	/* failures through the device count on their own and lock only that device */
	for (int i = 1; i <= 5; i++)
		T_EQ(device_status(a.name, "Wrong-pass1", dev, 'h', NULL), i < 5 ? 401 : 423);
	T_EQ(device_login(&r, a.name, PW, dev, 'h'), 423);
	T_STREQ(it_str(&r, "details.lockScope"), "device");
	T_ASSERT(it_header(&r, "retry-after") != NULL);
	it_resp_free(&r);
	T_EQ(device_status(a.name, PW, dev2, 'h', NULL), 200);
	/* the admin sees both locks, newest first */
	snprintf(path, sizeof(path), "/api/users/%lld/lock-events", a.id);
	T_EQ(it_json(&r, "GET", path, admin.token, NULL), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "events.0.scope"), "device");
	T_STREQ(it_str(&r, "events.0.source"), "login");
	T_STREQ(it_str(&r, "events.1.scope"), "account");
	T_ASSERT(it_str(&r, "events.1.lockedUntil") != NULL && it_str(&r, "events.1.createdAt") != NULL);
	T_STREQ(it_str(&r, "events.1.ipAddress"), "127.0.0.1");
	T_ASSERT(it_str(&r, "events.2.scope") == NULL);
	it_resp_free(&r);
	T_EQ(status_of("GET", path, a.token, NULL), 403);
	T_EQ(status_of("GET", path, NULL, NULL), 401);
	T_EQ(status_of("GET", "/api/users/999999999/lock-events", admin.token, NULL), 404);
	T_EQ(status_of("GET", "/api/users/x/lock-events", admin.token, NULL), 400);
	snprintf(path, sizeof(path), "/api/users/%lld/lock-events", b.id);
	T_EQ(it_json(&r, "GET", path, admin.token, NULL), 0);
	T_EQ(r.status, 200);
	T_ASSERT(it_str(&r, "events.0.id") == NULL && r.json != NULL);
	it_resp_free(&r);
	/* an admin's unlock clears the account's and the devices' locks */
	snprintf(path, sizeof(path), "/api/users/%lld/unlock", a.id);
	T_EQ(status_of("POST", path, admin.token, NULL), 200);
	T_EQ(device_status(a.name, PW, dev, 'h', NULL), 200);
	T_EQ(device_status(a.name, PW, NULL, 0, NULL), 200);
}

/* The device path keeps the reservation's race safety: 12 concurrent wrong guesses through one
 * device token test at most 5 passwords (4 x 401, 8 x 423), and leave the account unlocked. */
static void
test_concurrent_failures_through_a_device_cannot_pass_the_limit(void)
{
	struct acct a;
	char dev[160], out[256];
	int n401, n423;

	T_EQ(acct_register(&a, "drace"), 0);
	T_EQ(device_status(a.name, PW, NULL, 0, dev), 200);
	snprintf(out, sizeof(out), "/tmp/pss-drace-%d", (int)getpid());
	T_EQ(it_run("for i in $(seq 12); do curl -sk -o /dev/null -w '%%{http_code}\\n' -X POST "
	    "-H 'Content-Type: application/json' -H 'X-Device-Token: %s' "
	    "-d '{\"username\":\"%s\",\"password\":\"Guess-%%d'$i'\"}' "
	    "\"$PSS_TEST_URL/api/auth/login\" & done >%s; wait", dev, a.name, out), 0);
	n401 = it_run("test $(grep -c '^401$' %s) -eq 4", out) == 0;
	n423 = it_run("test $(grep -c '^423$' %s) -eq 8", out) == 0;
	T_ASSERTF(n401 && n423, "want 4 x 401 and 8 x 423");
	if (!n401 || !n423)
		(void)it_run("sed 's/^/#   /' %s", out);
	(void)it_run("rm -f %s", out);
	T_STREQ(db_value("SELECT login_attempts || ',' || (locked_until IS NULL) FROM users WHERE id = %lld", a.id),
	    "0,true");
	T_STREQ(db_value("SELECT string_agg(login_attempts || ',' || (locked_until > now()), ';') "
	    "FROM device_lockouts WHERE user_id = %lld", a.id), "5,true");
	T_EQ(device_status(a.name, PW, NULL, 0, NULL), 200);	/* elsewhere: fine */
}

/* Issue 12 item 7: guessing the current password counts like a failed login (the same
 * counters and lock), on POST /api/auth/password and PUT /api/users/:id alike. */
static void
test_current_password_guesses_count_like_logins(void)
{
	struct acct a;
	struct it_resp r;
	char path[64], body[256];

	T_EQ(acct_register(&a, "cpw"), 0);
	snprintf(path, sizeof(path), "/api/users/%lld", a.id);
	for (int i = 1; i <= 5; i++) {
		if (i % 2)
			T_EQ(it_json(&r, "POST", "/api/auth/password", a.token,
			    "{\"currentPassword\":\"Wrong-pass1\",\"newPassword\":\"Another-pass-9\"}"), 0);
		else
			T_EQ(it_json(&r, "PUT", path, a.token,
			    "{\"password\":\"Another-pass-9\",\"currentPassword\":\"Wrong-pass1\"}"), 0);
		if (i < 5)
			check_error(&r, 401, "invalid_credentials");
		else {
			check_error(&r, 423, "account_locked");
			T_STREQ(it_str(&r, "details.lockScope"), "account");
		}
		it_resp_free(&r);
		T_STREQ(db_value("SELECT login_attempts FROM users WHERE id = %lld", a.id),
		    i == 1 ? "1" : i == 2 ? "2" : i == 3 ? "3" : i == 4 ? "4" : "5");
	}
	/* locked: the right current password is refused too, and so is a login */
	snprintf(body, sizeof(body), "{\"currentPassword\":\"" PW "\",\"newPassword\":\"Another-pass-9\"}");
	T_EQ(status_of("POST", "/api/auth/password", a.token, body), 423);
	T_EQ(acct_login(&a, a.name, PW), 423);
	T_STREQ(db_value("SELECT scope || ',' || source FROM lock_events WHERE user_id = %lld", a.id),
	    "account,current_password");
	/* after the lock, a right one resets the count */
	time_sleep_ms(LOCKOUT_S * 1000 + 500);
	T_EQ(status_of("POST", "/api/auth/password", a.token, body), 200);
	T_STREQ(db_value("SELECT login_attempts FROM users WHERE id = %lld", a.id), "0");
}

int
main(void)
{
	it_init();
	T_RUN(test_register_returns_tokens_user_and_cookie);
	T_RUN(test_register_rejects_bad_fields_with_details);
	T_RUN(test_register_duplicates_in_any_case_are_409);
	T_RUN(test_login_by_email_or_username_any_case);
	T_RUN(test_unknown_user_and_wrong_password_look_the_same);
	T_RUN(test_lockout_at_exactly_the_fifth_failure_and_release);
	T_RUN(test_success_resets_the_failure_count);
	T_RUN(test_concurrent_failed_logins_cannot_pass_the_limit);
	T_RUN(test_device_token_survives_a_lockout_from_elsewhere);
	T_RUN(test_concurrent_failures_through_a_device_cannot_pass_the_limit);
	T_RUN(test_current_password_guesses_count_like_logins);
	T_RUN(test_refresh_rotates_and_reuse_revokes_the_family);
	T_RUN(test_refresh_reuse_after_rotation_revokes);
	T_RUN(test_refresh_revokes_the_access_token_it_replaces);
	T_RUN(test_refresh_rejects_bad_and_wrong_kind_tokens);
	T_RUN(test_expired_access_token_is_token_expired);
	T_RUN(test_missing_and_malformed_credentials);
	T_RUN(test_logout_revokes_on_every_worker_and_clears_cookie);
	T_RUN(test_hot_sessions_end_at_a_revocation_from_the_command_line);
	T_RUN(test_revocations_and_role_changes_reach_every_worker_at_once);
	T_RUN(test_password_change_rules_and_other_sessions);
	T_RUN(test_update_own_profile);
	T_RUN(test_csrf_needed_for_unsafe_cookie_requests);
	T_RUN(test_sessions_survive_redis_going_away);
	T_RUN(test_hostile_input_in_every_field);
	T_RUN(test_noncanonical_login_paths_never_reach_the_handler);
	T_RUN(test_rate_limit_answers_429_json);
	return t_done();
}
