/* test-users.c: /api/users through nginx: who may do what (anonymous, user, other user, admin),
 * roles, deletion, password resets, and the psscript user command line */
#include "config.h"

#include "itest-auth.h"

static struct acct admin, alice, bob;

static void
test_setup_accounts(void)
{
	T_EQ(acct_admin(&admin, "adm"), 0);
	T_EQ(acct_register(&alice, "alice"), 0);
	T_EQ(acct_register(&bob, "bob"), 0);
}

/* Every users endpoint for each kind of caller: anonymous, Alice and Bob (each is "self" on
 * their own record and "other user" on the other's), and the admin. Bodies are invalid on
 * purpose: a 400 shows the caller got past authorization without changing anything. */
static void
test_authorization_matrix(void)
{
	char a_path[64], b_path[64], a_reset[96], b_reset[96];
	struct {
		const char *method;
		const char *path;
		const char *body;
		long anon, alice, bob, adm;	/* 0: not tried here */
	} rows[] = {
		{ "GET", "/api/users", NULL, 401, 403, 403, 200 },
		{ "GET", a_path, NULL, 401, 200, 403, 200 },
		{ "GET", b_path, NULL, 401, 403, 200, 200 },
		{ "POST", "/api/users", "{\"username\":\"mx\",\"email\":\"x\",\"password\":\"y\"}", 401, 403, 403, 400 },
		{ "PUT", a_path, "{\"email\":\"not-an-email\"}", 401, 400, 403, 400 },
		{ "PUT", b_path, "{\"email\":\"not-an-email\"}", 401, 403, 400, 400 },
		{ "DELETE", b_path, NULL, 401, 403, 403, 0 },
		{ "DELETE", a_path, NULL, 401, 403, 403, 0 },
		{ "POST", a_reset, "{\"password\":\"x\"}", 401, 403, 403, 400 },
		{ "POST", b_reset, "{\"password\":\"x\"}", 401, 403, 403, 400 },
	};
	struct acct victim;
	char v_path[64];

	T_EQ(acct_register(&victim, "victim"), 0);
	snprintf(a_path, sizeof(a_path), "/api/users/%lld", alice.id);
	snprintf(b_path, sizeof(b_path), "/api/users/%lld", bob.id);
	snprintf(a_reset, sizeof(a_reset), "/api/users/%lld/reset-password", alice.id);
	snprintf(b_reset, sizeof(b_reset), "/api/users/%lld/reset-password", bob.id);
	for (size_t i = 0; i < PSS_ARRAY_LEN(rows); i++) {
		const char *who[] = { NULL, alice.token, bob.token, admin.token };
		const long want[] = { rows[i].anon, rows[i].alice, rows[i].bob, rows[i].adm };
		static const char *const names[] = { "anonymous", "alice", "bob", "admin" };

		for (int k = 0; k < 4; k++) {
			long got;

			if (want[k] == 0)
				continue;
			got = status_of(rows[i].method, rows[i].path, who[k], rows[i].body);
			T_ASSERTF(got == want[k], "%s %s %s: %ld, want %ld", names[k], rows[i].method,
			    rows[i].path, got, want[k]);
		}
	}
	/* the destructive cells, on an account made for them */
	snprintf(v_path, sizeof(v_path), "/api/users/%lld", victim.id);
	T_EQ(status_of("DELETE", v_path, victim.token, NULL), 403);
	T_EQ(status_of("DELETE", v_path, alice.token, NULL), 403);
	T_EQ(status_of("DELETE", v_path, admin.token, NULL), 200);
	T_EQ(status_of("DELETE", v_path, admin.token, NULL), 404);
}

static void
test_admin_lists_with_pages(void)
{
	struct it_resp r;
	struct json_object *users;
	const char *v;

	T_EQ(it_json(&r, "GET", "/api/users?page=1&limit=2", admin.token, NULL), 0);
	T_EQ(r.status, 200);
	users = r.json ? json_object_object_get(r.json, "users") : NULL;
	T_ASSERT(users != NULL && json_object_array_length(users) == 2);
	T_ASSERT((v = it_str(&r, "total")) != NULL && strtol(v, NULL, 10) >= 3);
	T_STREQ(it_str(&r, "page"), "1");
	T_ASSERT(it_str(&r, "totalPages") != NULL && strtol(it_str(&r, "totalPages"), NULL, 10) >= 2);
	if (users != NULL && json_object_array_length(users) > 0) {
		struct json_object *u = json_object_array_get_idx(users, 0), *x;

		T_ASSERT(json_object_object_get_ex(u, "lockedUntil", &x));
		T_ASSERT(json_object_object_get_ex(u, "lastLoginAt", &x));
		T_ASSERT(json_object_object_get_ex(u, "createdAt", &x));
		T_ASSERT(!json_object_object_get_ex(u, "password_hash", &x) &&
		    !json_object_object_get_ex(u, "passwordHash", &x));
	}
	it_resp_free(&r);
	T_EQ(status_of("GET", "/api/users?limit=101", admin.token, NULL), 400);
	T_EQ(status_of("GET", "/api/users?limit=0", admin.token, NULL), 400);
	T_EQ(status_of("GET", "/api/users?page=-1", admin.token, NULL), 400);
	T_EQ(status_of("GET", "/api/users?page=abc", admin.token, NULL), 400);
	T_EQ(status_of("GET", "/api/users?page=99999", admin.token, NULL), 200);
	T_EQ(status_of("GET", "/api/users/abc", admin.token, NULL), 400);
	T_EQ(status_of("GET", "/api/users/1%20OR%201=1", admin.token, NULL), 400);
	T_EQ(status_of("GET", "/api/users/99999999", admin.token, NULL), 404);
	T_EQ(status_of("GET", "/api/users/99999999999999999999", admin.token, NULL), 400);
}

static void
test_admin_creates_users_with_roles(void)
{
	struct it_resp r;
	struct acct made;
	char name[64], body[512];

	unique_name(name, sizeof(name), "made");
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.com\",\"password\":\"" PW "\","
	    "\"role\":\"admin\"}", name, name);
	T_EQ(it_json(&r, "POST", "/api/users", admin.token, body), 0);
	T_EQ(r.status, 201);
	T_STREQ(it_str(&r, "user.role"), "admin");
	T_STREQ(it_str(&r, "user.username"), name);
	it_resp_free(&r);
	memset(&made, 0, sizeof(made));
	T_EQ(acct_login(&made, name, PW), 200);
	T_EQ(status_of("GET", "/api/users", made.token, NULL), 200);
	/* the same rules as registration */
	T_EQ(it_json(&r, "POST", "/api/users", admin.token, body), 0);
	check_error(&r, 409, "email_already_exists");
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"username\":\"%sz\",\"email\":\"%sz@example.com\",\"password\":\"" PW "\","
	    "\"role\":\"root\"}", name, name);
	T_EQ(it_json(&r, "POST", "/api/users", admin.token, body), 0);
	check_error(&r, 400, "validation_error");
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"username\":\"%sz\",\"email\":\"%sz@example.com\",\"password\":\"weakweak\"}",
	    name, name);
	T_EQ(status_of("POST", "/api/users", admin.token, body), 400);
	T_EQ(status_of("POST", "/api/users", admin.token, "{\"username\":[1]}"), 400);
}

static void
test_nobody_raises_their_own_role(void)
{
	struct it_resp r;
	char path[64], body[128];

	snprintf(path, sizeof(path), "/api/users/%lld", alice.id);
	T_EQ(it_json(&r, "PUT", path, alice.token, "{\"role\":\"admin\"}"), 0);
	check_error(&r, 403, "forbidden");
	it_resp_free(&r);
	T_EQ(status_of("GET", "/api/users", alice.token, NULL), 403);
	/* the admin may not change their own */
	snprintf(path, sizeof(path), "/api/users/%lld", admin.id);
	T_EQ(it_json(&r, "PUT", path, admin.token, "{\"role\":\"user\"}"), 0);
	check_error(&r, 403, "forbidden");
	it_resp_free(&r);
	/* but may change another's, and it holds at once on every worker */
	snprintf(path, sizeof(path), "/api/users/%lld", bob.id);
	T_EQ(me_rounds(bob.token, 200), WORKER_ROUNDS);
	T_EQ(status_of("PUT", path, admin.token, "{\"role\":\"admin\"}"), 200);
	for (int i = 0; i < WORKER_ROUNDS; i++)
		T_EQ(status_of("GET", "/api/users", bob.token, NULL), 200);
	T_EQ(status_of("PUT", path, admin.token, "{\"role\":\"user\"}"), 200);
	for (int i = 0; i < WORKER_ROUNDS; i++)
		T_EQ(status_of("GET", "/api/users", bob.token, NULL), 403);
	snprintf(body, sizeof(body), "{\"role\":\"superuser\"}");
	T_EQ(status_of("PUT", path, admin.token, body), 400);
}

static void
test_user_updates_own_record(void)
{
	struct it_resp r;
	struct acct again;
	char path[64], body[256], name[64];

	snprintf(path, sizeof(path), "/api/users/%lld", alice.id);
	unique_name(name, sizeof(name), "alicia");
	snprintf(body, sizeof(body), "{\"username\":\"%s\"}", name);
	T_EQ(it_json(&r, "PUT", path, alice.token, body), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "user.username"), name);
	it_resp_free(&r);
	snprintf(alice.name, sizeof(alice.name), "%s", name);
	/* a new password of one's own needs the current one */
	T_EQ(it_json(&r, "PUT", path, alice.token, "{\"password\":\"Brand-new-1\"}"), 0);
	check_error(&r, 400, "validation_error");
	it_resp_free(&r);
	T_EQ(it_json(&r, "PUT", path, alice.token, "{\"password\":\"Brand-new-1\",\"currentPassword\":\"nope-Nope1\"}"), 0);
	check_error(&r, 401, "invalid_credentials");
	it_resp_free(&r);
	memset(&again, 0, sizeof(again));
	T_EQ(acct_login(&again, alice.name, PW), 200);
	T_EQ(status_of("PUT", path, alice.token, "{\"password\":\"Brand-new-1\",\"currentPassword\":\"" PW "\"}"), 200);
	T_EQ(me_rounds(alice.token, 200), WORKER_ROUNDS);
	T_EQ(me_rounds(again.token, 401), WORKER_ROUNDS);
	T_EQ(acct_login(&again, alice.name, "Brand-new-1"), 200);
	/* duplicates */
	snprintf(body, sizeof(body), "{\"email\":\"%s\"}", bob.email);
	T_EQ(it_json(&r, "PUT", path, alice.token, body), 0);
	check_error(&r, 409, "email_already_exists");
	it_resp_free(&r);
}

static void
test_admin_reset_unlocks_and_ends_sessions(void)
{
	struct acct c, probe;
	struct it_resp r;
	char path[96];

	T_EQ(acct_register(&c, "carol"), 0);
	memset(&probe, 0, sizeof(probe));
	for (int i = 0; i < 5; i++)
		(void)acct_login(&probe, c.name, "Wrong-pass1");
	T_EQ(acct_login(&probe, c.name, PW), 423);
	T_EQ(me_rounds(c.token, 200), WORKER_ROUNDS);
	snprintf(path, sizeof(path), "/api/users/%lld", c.id);
	T_EQ(it_json(&r, "GET", path, admin.token, NULL), 0);
	T_ASSERT(it_str(&r, "user.lockedUntil") != NULL);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/users/%lld/reset-password", c.id);
	T_EQ(status_of("POST", path, admin.token, "{\"password\":\"short\"}"), 400);
	T_EQ(status_of("POST", path, admin.token, "{}"), 400);
	T_EQ(it_json(&r, "POST", path, admin.token, "{\"password\":\"Reset-pass-9\"}"), 0);
	T_EQ(r.status, 200);
	T_ASSERT(it_str(&r, "user.lockedUntil") == NULL);
	it_resp_free(&r);
	T_EQ(me_rounds(c.token, 401), WORKER_ROUNDS);
	T_EQ(acct_login(&probe, c.name, PW), 401);
	T_EQ(acct_login(&probe, c.name, "Reset-pass-9"), 200);
	snprintf(path, sizeof(path), "/api/users/999999/reset-password");
	T_EQ(status_of("POST", path, admin.token, "{\"password\":\"Reset-pass-9\"}"), 404);
}

static void
test_deletion_ends_sessions_everywhere_and_cascades(void)
{
	struct acct d;
	char path[64], sql[256];
	const char *v;

	T_EQ(acct_register(&d, "dave"), 0);
	T_EQ(me_rounds(d.token, 200), WORKER_ROUNDS);
	snprintf(path, sizeof(path), "/api/users/%lld", d.id);
	T_EQ(status_of("DELETE", path, admin.token, NULL), 200);
	T_EQ(me_rounds(d.token, 401), WORKER_ROUNDS);
	T_EQ(status_of("GET", path, admin.token, NULL), 404);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM user_sessions WHERE user_id = %lld", d.id);
	v = it_psql(sql);
	T_STREQ(v, "0");
	/* the admin may not delete themselves */
	snprintf(path, sizeof(path), "/api/users/%lld", admin.id);
	T_EQ(status_of("DELETE", path, admin.token, NULL), 403);
}

static void
test_hostile_input_in_every_users_field(void)
{
	static const char *const evil[] = {
		"' OR '1'='1", "admin'--", "1); DELETE FROM users; --", "<img src=x>",
	};
	static const char *const fields[] = { "username", "email", "password", "role" };
	char path[64], body[512], *huge;
	size_t big = 100000;
	long st;

	snprintf(path, sizeof(path), "/api/users/%lld", bob.id);
	for (size_t f = 0; f < PSS_ARRAY_LEN(fields); f++)
		for (size_t e = 0; e < PSS_ARRAY_LEN(evil); e++) {
			snprintf(body, sizeof(body), "{\"%s\":\"%s\"}", fields[f], evil[e]);
			st = status_of("PUT", path, admin.token, body);
			/* a password may hold anything that follows the rules */
			T_ASSERTF(st == 400 || (f == 2 && st == 200), "PUT %s=%s: %ld", fields[f], evil[e], st);
			snprintf(body, sizeof(body), "{\"username\":\"ok%zu%zu\",\"email\":\"ok%zu%zu@example.com\","
			    "\"password\":\"" PW "\",\"%s\":\"%s\"}", f, e, f, e, fields[f], evil[e]);
			st = status_of("POST", "/api/users", admin.token, body);
			T_ASSERTF(st == 400 || (f == 2 && st == 201), "POST %s=%s: %ld", fields[f], evil[e], st);
		}
	huge = xmalloc(big + 64);
	for (size_t f = 0; f < PSS_ARRAY_LEN(fields); f++) {
		int n = snprintf(huge, 64, "{\"%s\":\"", fields[f]);

		memset(huge + n, 'A', big);
		memcpy(huge + n + big, "\"}", 3);
		T_EQ(status_of("PUT", path, admin.token, huge), 400);
		T_EQ(status_of("POST", "/api/users", admin.token, huge), 400);
	}
	free(huge);
	T_STREQ(it_psql("SELECT count(*) > 3 FROM users"), "t");
}

/* Unicode bidirectional controls (issue 12 item 10) are refused in a username wherever one is
 * set: registration, one's own profile, an admin's create and update, the command line. */
static void
test_bidi_controls_in_usernames_are_refused(void)
{
	static const char *const bidi[] = { "\\u202e", "\\u2066", "\\u200f", "\\u061c" };
	char path[64], body[512], own[128];
	struct it_resp r;

	snprintf(path, sizeof(path), "/api/users/%lld", bob.id);
	for (size_t i = 0; i < PSS_ARRAY_LEN(bidi); i++) {
		const char *calls[][3] = {
			{ "POST", "/api/auth/register", NULL }, { "PUT", "/api/auth/user", alice.token },
			{ "POST", "/api/users", admin.token }, { "PUT", path, admin.token },
		};

		snprintf(body, sizeof(body), "{\"username\":\"nim%sda\",\"email\":\"bidi%zu@example.com\","
		    "\"password\":\"" PW "\"}", bidi[i], i);
		snprintf(own, sizeof(own), "{\"username\":\"nim%sda\"}", bidi[i]);
		for (size_t k = 0; k < PSS_ARRAY_LEN(calls); k++) {
			T_EQ(it_json(&r, calls[k][0], calls[k][1], calls[k][2], k == 1 ? own : body), 0);
			check_error(&r, 400, "validation_error");
			T_CONTAINS(it_str(&r, "details.0.message"), "bidirectional");
			T_STREQ(it_str(&r, "details.0.field"), "username");
			it_resp_free(&r);
		}
	}
	T_EQ(it_run("\"$PSS_BIN/psscript\" user add \"$(printf 'nim\\342\\200\\256da')\" "
	    "bidi@example.com >/dev/null 2>&1") != 0, 1);
	T_STREQ(it_psql("SELECT count(*) FROM users WHERE email LIKE 'bidi%'"), "0");
}

static void
test_command_line(void)
{
	char cmd_out[128], sql[256];
	const char *v;
	struct acct e;

	snprintf(cmd_out, sizeof(cmd_out), "/tmp/pss-cli-%d", (int)getpid());
	unique_name(e.name, sizeof(e.name), "cli");
	/* a generated password is printed once, and works */
	T_EQ(it_run("\"$PSS_BIN/psscript\" user add %s %s@example.com >%s", e.name, e.name, cmd_out), 0);
	T_EQ(it_run("grep -q '^password: [A-Za-z0-9]\\{20\\}$' %s", cmd_out), 0);
	T_EQ(it_run("p=$(sed -n 's/^password: //p' %s); curl -sk -o /dev/null -w '%%{http_code}' "
	    "-H 'Content-Type: application/json' -d '{\"username\":\"%s\",\"password\":\"'$p'\"}' "
	    "\"$PSS_TEST_URL/api/auth/login\" | grep -q 200", cmd_out, e.name), 0);
	T_EQ(it_run("\"$PSS_BIN/psscript\" user list | grep -q ' %s '", e.name), 0);
	T_EQ(it_run("\"$PSS_BIN/psscript\" user set-role %s admin >/dev/null", e.name), 0);
	snprintf(sql, sizeof(sql), "SELECT role FROM users WHERE username = '%s'", e.name);
	T_STREQ(it_psql(sql), "admin");
	T_EQ(it_run("\"$PSS_BIN/psscript\" user set-role %s root >/dev/null 2>&1", e.name) != 0, 1);
	/* lock, unlock */
	memset(&e.token, 0, sizeof(e.token));
	for (int i = 0; i < 5; i++)
		(void)acct_login(&e, e.name, "Wrong-pass1");
	snprintf(sql, sizeof(sql), "SELECT locked_until > now() FROM users WHERE username = '%s'", e.name);
	T_STREQ(it_psql(sql), "t");
	T_EQ(it_run("\"$PSS_BIN/psscript\" user unlock %s@example.com >/dev/null", e.name), 0);
	T_STREQ(it_psql(sql), "");
	/* reset with a password from stdin, which must follow the rules */
	T_EQ(it_run("printf 'weak\\n' | \"$PSS_BIN/psscript\" user reset-password %s --password-stdin >/dev/null 2>&1",
	    e.name) != 0, 1);
	T_EQ(it_run("printf 'Cli-pass-77\\n' | \"$PSS_BIN/psscript\" user reset-password %s --password-stdin >%s",
	    e.name, cmd_out), 0);
	T_EQ(it_run("grep -q password: %s", cmd_out), 1);	/* not echoed */
	T_EQ(acct_login(&e, e.name, "Cli-pass-77"), 200);
	T_EQ(me_rounds(e.token, 200), WORKER_ROUNDS);
	/* deletion from the command line ends the sessions on every worker */
	T_EQ(it_run("\"$PSS_BIN/psscript\" user delete %s >/dev/null", e.name), 0);
	T_EQ(me_rounds(e.token, 401), WORKER_ROUNDS);
	T_EQ(it_run("\"$PSS_BIN/psscript\" user delete %s >/dev/null 2>&1", e.name) != 0, 1);
	T_EQ(it_run("\"$PSS_BIN/psscript\" user add x >/dev/null 2>&1"), 2);
	T_EQ(it_run("\"$PSS_BIN/psscript\" user add %s bad-email >/dev/null 2>&1", e.name), 1);
	v = it_psql("SELECT count(*) FROM users WHERE email = 'bad-email'");
	T_STREQ(v, "0");
	(void)it_run("rm -f %s", cmd_out);
}

int
main(void)
{
	it_init();
	T_RUN(test_setup_accounts);
	T_RUN(test_authorization_matrix);
	T_RUN(test_admin_lists_with_pages);
	T_RUN(test_admin_creates_users_with_roles);
	T_RUN(test_nobody_raises_their_own_role);
	T_RUN(test_user_updates_own_record);
	T_RUN(test_admin_reset_unlocks_and_ends_sessions);
	T_RUN(test_deletion_ends_sessions_everywhere_and_cascades);
	T_RUN(test_hostile_input_in_every_users_field);
	T_RUN(test_bidi_controls_in_usernames_are_refused);
	T_RUN(test_command_line);
	return t_done();
}
