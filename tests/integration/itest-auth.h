/* itest-auth.h: helpers the account suites share: JSON calls with a bearer token, users made
 * through the API or the command line (header only: static functions) */
#ifndef PSS_ITEST_AUTH_H
#define PSS_ITEST_AUTH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "itest.h"
#include "t.h"

#define PW "Passw0rd-ok"

/* A signed-in user of the test. */
struct acct {
	long long id;
	char	 name[64];
	char	 email[96];
	char	 token[80];
	char	 refresh[80];
	char	 csrf[80];
};

/* it_json: METHOD path with a JSON body (may be NULL) and a bearer token (may be NULL). */
static int __attribute__((unused))
it_json(struct it_resp *r, const char *method, const char *path, const char *token,
    const char *body)
{
	char auth[160];
	const char *h[2] = { NULL, NULL };

	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h[0] = auth;
	}
	return it_request(r, method, path, body, body ? strlen(body) : 0,
	    body ? "application/json" : NULL, h);
}

/* A name unique to this run. */
static void __attribute__((unused))
unique_name(char *out, size_t n, const char *prefix)
{
	static int seq;

	snprintf(out, n, "%s%d_%d", prefix, (int)getpid(), ++seq);
}

static void __attribute__((unused))
acct_fill(struct acct *a, const struct it_resp *r)
{
	const char *v;

	if ((v = it_str(r, "token")) != NULL)
		snprintf(a->token, sizeof(a->token), "%s", v);
	if ((v = it_str(r, "refreshToken")) != NULL)
		snprintf(a->refresh, sizeof(a->refresh), "%s", v);
	if ((v = it_str(r, "csrfToken")) != NULL)
		snprintf(a->csrf, sizeof(a->csrf), "%s", v);
	if ((v = it_str(r, "user.id")) != NULL)
		a->id = strtoll(v, NULL, 10);
}

/* acct_register: a new user through POST /api/auth/register; 0 on 201. */
static int __attribute__((unused))
acct_register(struct acct *a, const char *prefix)
{
	struct it_resp r;
	char body[512];
	int rc;

	memset(a, 0, sizeof(*a));
	unique_name(a->name, sizeof(a->name), prefix);
	snprintf(a->email, sizeof(a->email), "%s@example.com", a->name);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s\",\"password\":\"" PW "\"}",
	    a->name, a->email);
	if (it_json(&r, "POST", "/api/auth/register", NULL, body) != 0)
		return -1;
	rc = r.status == 201 ? 0 : -1;
	if (rc != 0)
		printf("#   register %s: %ld %.300s\n", a->name, r.status, r.body);
	acct_fill(a, &r);
	it_resp_free(&r);
	return rc;
}

/* acct_login: POST /api/auth/login as login with pw; returns the status. */
static long __attribute__((unused))
acct_login(struct acct *a, const char *login, const char *pw)
{
	struct it_resp r;
	char body[512];
	long st;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", login, pw);
	if (it_json(&r, "POST", "/api/auth/login", NULL, body) != 0)
		return -1;
	st = r.status;
	if (st == 200)
		acct_fill(a, &r);
	it_resp_free(&r);
	return st;
}

/* acct_admin: a new administrator made with `psscript user add --admin`, then logged in. */
static int __attribute__((unused))
acct_admin(struct acct *a, const char *prefix)
{
	memset(a, 0, sizeof(*a));
	unique_name(a->name, sizeof(a->name), prefix);
	snprintf(a->email, sizeof(a->email), "%s@example.com", a->name);
	if (it_run("printf '%%s\\n' '" PW "' | \"$PSS_BIN/psscript\" user add %s %s --admin "
	    "--password-stdin >/dev/null", a->name, a->email) != 0)
		return -1;
	return acct_login(a, a->name, PW) == 200 ? 0 : -1;
}

/* status_of: the status of METHOD path as token (NULL: anonymous) with body. */
static long __attribute__((unused))
status_of(const char *method, const char *path, const char *token, const char *body)
{
	struct it_resp r;
	long st = -1;

	if (it_json(&r, method, path, token, body) == 0)
		st = r.status;
	it_resp_free(&r);
	return st;
}

/* check_error: r is the API.md error envelope with status and code. */
static void __attribute__((unused))
check_error(const struct it_resp *r, long status, const char *code)
{
	T_ASSERTF(r->status == status, "status %ld, want %ld: %.300s", r->status, status, r->body);
	T_ASSERTF(r->json != NULL, "body is not JSON: %.200s", r->body ? r->body : "");
	T_STREQ(it_str(r, "success"), "false");
	T_STREQ(it_str(r, "error"), code);
	T_ASSERT(it_str(r, "message") != NULL);
	T_ASSERT(it_str(r, "requestId") != NULL);
}

#define WORKER_ROUNDS 12	/* requests enough to reach each of the harness's 3 workers */

/* me_rounds: calls GET /api/auth/me WORKER_ROUNDS times; returns how many answered want. */
static int __attribute__((unused))
me_rounds(const char *token, long want)
{
	int hits = 0;

	for (int i = 0; i < WORKER_ROUNDS; i++)
		hits += status_of("GET", "/api/auth/me", token, NULL) == want;
	return hits;
}

#endif
