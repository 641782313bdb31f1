/* test-library-api.c: the script library through nginx: scripts, search, versions,
 * executions, categories, tags; the visibility matrix (anonymous, owner, other user, admin)
 * over every script endpoint; bad input; CSRF; and read-after-write on every worker with
 * Redis up and with Redis stopped */
#include "config.h"

#include <ctype.h>
#include <sys/wait.h>

#include "itest-auth.h"

#define PARALLEL 3	/* the harness's FastCGI workers: 3 requests in flight reach 3 workers */
#define ROUNDS 4

static struct acct admin, alice, bob;
static int seq;

/* A 400 validation_error whose details name field. */
static void
check_field(const struct it_resp *r, const char *field)
{
	struct json_object *d, *f;

	check_error(r, 400, "validation_error");
	T_ASSERTF(r->json != NULL && json_object_object_get_ex(r->json, "details", &d) &&
	    json_object_array_length(d) > 0 &&
	    json_object_object_get_ex(json_object_array_get_idx(d, 0), "field", &f) &&
	    strcmp(json_object_get_string(f), field) == 0, "details do not name %s: %.300s", field,
	    r->body);
}

/* METHOD path as token with body; checks a 400 naming field. */
static void
expect_field(const char *method, const char *path, const char *token, const char *body,
    const char *field)
{
	struct it_resp r;

	T_EQ(it_json(&r, method, path, token, body), 0);
	check_field(&r, field);
	it_resp_free(&r);
}

/* Text unique to this run (so no two scripts share content by accident). */
static const char *
uniq(const char *prefix)
{
	static char b[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(b[k], sizeof(b[k]), "%s%d_%d", prefix, (int)getpid(), ++seq);
	return b[k];
}

/* POST /api/scripts with the members of o (taken); returns the status, *id the new id. */
static long
create(const char *token, struct json_object *o, long long *id, struct it_resp *keep)
{
	struct it_resp r;
	long st;
	const char *v;

	T_EQ(it_json(&r, "POST", "/api/scripts", token, json_object_to_json_string(o)), 0);
	json_object_put(o);
	st = r.status;
	if (id != NULL)
		*id = (v = it_str(&r, "script.id")) != NULL ? strtoll(v, NULL, 10) : 0;
	if (keep != NULL)
		*keep = r;
	else
		it_resp_free(&r);
	return st;
}

static struct json_object *
script_body(const char *title, const char *content, bool pub)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "title", json_object_new_string(title));
	json_object_object_add(o, "content", json_object_new_string(content));
	json_object_object_add(o, "isPublic", json_object_new_boolean(pub));
	json_object_object_add(o, "analyze", json_object_new_boolean(false));
	return o;
}

/* A new script of token's: its id (0 on failure). */
static long long
new_script(const char *token, const char *title, bool pub)
{
	char content[256];
	long long id = 0;
	long st;

	snprintf(content, sizeof(content), "Write-Output '%s'\nGet-Date\n", uniq("body"));
	st = create(token, script_body(title, content, pub), &id, NULL);
	T_ASSERTF(st == 201, "create %s: %ld", title, st);
	return id;
}

static long
get_status(const char *path, const char *token)
{
	return status_of("GET", path, token, NULL);
}

/* GET path as token; the body (caller frees) when the status is want, else NULL. */
static struct it_resp
get(const char *path, const char *token)
{
	struct it_resp r;

	if (it_json(&r, "GET", path, token, NULL) != 0)
		memset(&r, 0, sizeof(r));
	return r;
}

/* The ids of a list answer's "scripts", in order (at most n); returns how many. */
static size_t
list_ids(const struct it_resp *r, long long *ids, size_t n)
{
	struct json_object *arr, *v;
	size_t k = 0;

	if (r->json == NULL || !json_object_object_get_ex(r->json, "scripts", &arr))
		return 0;
	for (size_t i = 0; i < json_object_array_length(arr) && k < n; i++)
		if (json_object_object_get_ex(json_object_array_get_idx(arr, i), "id", &v))
			ids[k++] = json_object_get_int64(v);
	return k;
}

static bool
has_id(const long long *ids, size_t n, long long id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/*
 * every_worker: PARALLEL processes each GET path ROUNDS times at once, so requests are in
 * flight together and several workers answer. Each answer must have status want and, when
 * given, contain needle and not contain absent. Returns the number of answers that did
 * not (0 is success).
 */
static int
every_worker(const char *path, const char *token, long want, const char *needle, const char *absent)
{
	pid_t kids[PARALLEL];
	int bad = 0, st;

	fflush(stdout);
	for (int k = 0; k < PARALLEL; k++) {
		if ((kids[k] = fork()) == 0) {
			int miss = 0;

			it_init();	/* a connection of its own */
			for (int i = 0; i < ROUNDS; i++) {
				struct it_resp r = get(path, token);

				if (r.status != want || (needle && (r.body == NULL || !strstr(r.body, needle))) ||
				    (absent && r.body != NULL && strstr(r.body, absent))) {
					printf("#   worker read %s: %ld %.200s\n", path, r.status, r.body ? r.body : "");
					miss++;
				}
				it_resp_free(&r);
			}
			fflush(stdout);
			_exit(miss);
		}
	}
	for (int k = 0; k < PARALLEL; k++)
		if (kids[k] > 0 && waitpid(kids[k], &st, 0) == kids[k])
			bad += WIFEXITED(st) ? WEXITSTATUS(st) : ROUNDS;
		else
			bad += ROUNDS;
	return bad;
}

static void
test_setup_accounts(void)
{
	T_EQ(acct_admin(&admin, "ladm"), 0);
	T_EQ(acct_register(&alice, "lalice"), 0);
	T_EQ(acct_register(&bob, "lbob"), 0);
}

static void
test_create_returns_the_script_with_version_1_and_lower_cased_tags(void)
{
	struct json_object *o = script_body("  Inventory <report>  ", "Get-Process | Sort-Object CPU\n", true),
	    *tags = json_object_new_array(), *t;
	struct it_resp r;
	long long id;
	char path[64];

	json_object_array_add(tags, json_object_new_string("Reports"));
	json_object_array_add(tags, json_object_new_string("  INVENTORY "));
	json_object_object_add(o, "tags", tags);
	json_object_object_add(o, "categoryId", json_object_new_int(1));
	json_object_object_add(o, "description", json_object_new_string(uniq("lists processes ")));
	T_EQ(create(alice.token, o, &id, &r), 201);
	T_STREQ(it_str(&r, "success"), "true");
	T_STREQ(it_str(&r, "script.title"), "Inventory <report>");
	T_STREQ(it_str(&r, "script.version"), "1");
	T_STREQ(it_str(&r, "script.user.username"), alice.name);
	T_STREQ(it_str(&r, "script.category.name"), "System Administration");
	T_STREQ(it_str(&r, "script.content"), "Get-Process | Sort-Object CPU\n");
	T_ASSERT(it_str(&r, "script.fileHash") != NULL && strlen(it_str(&r, "script.fileHash")) == 64);
	T_ASSERT(r.json != NULL && json_object_object_get_ex(json_object_object_get(r.json, "script"),
	    "tags", &t) && json_object_array_length(t) == 2);
	T_CONTAINS(r.body, "\"inventory\"");
	T_CONTAINS(r.body, "\"reports\"");
	it_resp_free(&r);

	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	r = get(path, NULL);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "script.title"), "Inventory <report>");
	T_ASSERT(r.json != NULL && json_object_object_get_ex(json_object_object_get(r.json, "script"),
	    "analysis", &t));
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts/%lld/versions", id);
	r = get(path, NULL);
	T_STREQ(it_str(&r, "totalVersions"), "1");
	T_STREQ(it_str(&r, "currentVersion"), "1");
	it_resp_free(&r);
	/* a form-style body (strings for numbers and booleans) is accepted too */
	o = json_object_new_object();
	json_object_object_add(o, "title", json_object_new_string("form style"));
	json_object_object_add(o, "content", json_object_new_string(uniq("Get-Item ")));
	json_object_object_add(o, "category_id", json_object_new_string("2"));
	json_object_object_add(o, "is_public", json_object_new_string("true"));
	json_object_object_add(o, "tags", json_object_new_string("one, Two,,three"));
	T_EQ(create(alice.token, o, &id, &r), 201);
	T_STREQ(it_str(&r, "script.categoryId"), "2");
	T_STREQ(it_str(&r, "script.isPublic"), "true");
	T_CONTAINS(r.body, "\"tags\":[\"one\",\"three\",\"two\"]");
	it_resp_free(&r);
}

static void
test_create_refuses_bad_input(void)
{
	struct it_resp r;
	char *big;
	size_t n = 11 * 1024 * 1024;
	struct json_object *o;
	char tags[256];

	T_EQ(status_of("POST", "/api/scripts", NULL, "{\"title\":\"a\",\"content\":\"b\"}"), 401);
	T_EQ(it_json(&r, "POST", "/api/scripts", alice.token, "{\"title\":"), 0);
	check_error(&r, 400, "validation_error");
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", "/api/scripts", alice.token, "[1,2]"), 0);
	check_error(&r, 400, "validation_error");
	it_resp_free(&r);
	{
		char auth[160];
		const char *h[] = { auth, NULL };

		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", alice.token);
		T_EQ(it_request(&r, "POST", "/api/scripts", "title=a", 7, "text/plain", h), 0);
		check_error(&r, 415, "unsupported_media_type");
		it_resp_free(&r);
	}
	expect_field("POST", "/api/scripts", alice.token, "{\"content\":\"Get-Date\"}", "title");
	expect_field("POST", "/api/scripts", alice.token, "{\"title\":\"t\"}", "content");
	expect_field("POST", "/api/scripts", alice.token, "{\"title\":5,\"content\":\"x\"}", "title");
	expect_field("POST", "/api/scripts", alice.token, "{\"title\":\"   \",\"content\":\"x\"}", "title");
	expect_field("POST", "/api/scripts", alice.token, "{\"title\":\"a\\u0007b\",\"content\":\"x\"}", "title");
	expect_field("POST", "/api/scripts", alice.token, "{\"title\":\"t\",\"content\":\"a\\u0001b\"}", "content");
	expect_field("POST", "/api/scripts", alice.token, "{\"title\":\"t\",\"content\":\"a\\u0000b\"}", "content");
	expect_field("POST", "/api/scripts", alice.token, "{\"title\":\"t\",\"content\":\"\"}", "content");
	expect_field("POST", "/api/scripts", alice.token, "{\"title\":\"t\",\"content\":[\"x\"]}", "content");
	expect_field("POST", "/api/scripts", alice.token, "{\"title\":\"t\",\"content\":\"x\",\"categoryId\":\"abc\"}", "categoryId");
	expect_field("POST", "/api/scripts", alice.token, "{\"title\":\"t\",\"content\":\"x\",\"categoryId\":1.5}", "categoryId");
	expect_field("POST", "/api/scripts", alice.token, "{\"title\":\"t\",\"content\":\"x\",\"categoryId\":99999}", "categoryId");
	expect_field("POST", "/api/scripts", alice.token, "{\"title\":\"t\",\"content\":\"x\",\"isPublic\":\"maybe\"}", "isPublic");
	expect_field("POST", "/api/scripts", alice.token, "{\"title\":\"t\",\"content\":\"x\",\"tags\":7}", "tags");
	expect_field("POST", "/api/scripts", alice.token, "{\"title\":\"t\",\"content\":\"x\",\"tags\":[1]}", "tags");
	expect_field("POST", "/api/scripts", alice.token, "{\"title\":\"t\",\"content\":\"x\",\"tags\":[\"a\\u0002\"]}", "tags");
	snprintf(tags, sizeof(tags), "{\"title\":\"t\",\"content\":\"x\",\"tags\":[%s]}",
	    "\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\"");
	expect_field("POST", "/api/scripts", alice.token, tags, "tags");
	/* a 256-character title */
	o = script_body("", "Get-Date # long title\n", true);
	big = malloc(300);
	memset(big, 'x', 256);
	big[256] = '\0';
	json_object_object_add(o, "title", json_object_new_string(big));
	free(big);
	T_EQ(it_json(&r, "POST", "/api/scripts", alice.token, json_object_to_json_string(o)), 0);
	check_field(&r, "title");
	it_resp_free(&r);
	json_object_put(o);
	/* more than 10 MB of content */
	big = malloc(n + 64);
	memcpy(big, "{\"title\":\"big\",\"content\":\"", 26);
	memset(big + 26, 'a', n);
	memcpy(big + 26 + n, "\"}", 3);
	T_EQ(it_json(&r, "POST", "/api/scripts", alice.token, big), 0);
	check_error(&r, 413, "payload_too_large");
	it_resp_free(&r);
	free(big);
}

/* A duplicate is a copy of a script the caller may see: their own or a public one (409
 * duplicate_file with existingScriptId). Another user's private script acts as absent
 * (issue 12 item 5: before, Bob's create answered 409 naming Alice's private script). */
static void
test_same_content_is_409_duplicate_file_with_the_existing_id(void)
{
	struct it_resp r;
	long long id, other, mine, pub;
	const char *content = uniq("Get-ChildItem -Recurse # ");
	char path[64], body[256];

	T_EQ(create(alice.token, script_body("first copy", content, false), &id, NULL), 201);
	/* Alice's private copy: absent for Bob, who stores his own (private) copy */
	T_EQ(create(bob.token, script_body("second copy", content, false), &mine, &r), 201);
	T_ASSERT(mine != id && mine != 0);
	T_ASSERT(strstr(r.body, "existingScriptId") == NULL);
	it_resp_free(&r);
	/* but never two of one's own */
	T_EQ(create(alice.token, script_body("again", content, true), &other, &r), 409);
	check_error(&r, 409, "duplicate_file");
	T_EQ(strtoll(it_str(&r, "existingScriptId") ? it_str(&r, "existingScriptId") : "0", NULL, 10), id);
	it_resp_free(&r);
	/* a public script is visible to everyone: its copy is a 409 naming it, for anyone */
	pub = new_script(alice.token, "public original", true);
	snprintf(path, sizeof(path), "/api/scripts/%lld/download", pub);
	{
		struct it_resp d;

		T_EQ(it_request(&d, "GET", path, NULL, 0, NULL, NULL), 0);
		T_EQ(create(bob.token, script_body("public copy", d.body, false), &other, &r), 409);
		it_resp_free(&d);
	}
	check_error(&r, 409, "duplicate_file");
	T_EQ(strtoll(it_str(&r, "existingScriptId") ? it_str(&r, "existingScriptId") : "0", NULL, 10), pub);
	it_resp_free(&r);
	/* nothing public has the content: Bob's copy may become public; Alice's private copy
	 * stays, and another user's copy is then a 409 naming Bob's */
	snprintf(path, sizeof(path), "/api/scripts/%lld", mine);
	T_EQ(status_of("PUT", path, bob.token, "{\"isPublic\":true}"), 200);
	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	T_EQ(get_status(path, alice.token), 200);
	snprintf(body, sizeof(body), "%s", content);
	T_EQ(create(admin.token, script_body("third copy", body, false), &other, &r), 409);
	T_EQ(strtoll(it_str(&r, "existingScriptId") ? it_str(&r, "existingScriptId") : "0", NULL, 10), mine);
	it_resp_free(&r);
	/* Alice's private copy cannot become a second public one */
	T_EQ(it_json(&r, "PUT", path, alice.token, "{\"isPublic\":true}"), 0);
	check_error(&r, 409, "duplicate_file");
	it_resp_free(&r);
	/* an update to content another script of one's own holds is a 409 too */
	other = new_script(alice.token, "another", true);
	snprintf(path, sizeof(path), "/api/scripts/%lld", other);
	{
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "content", json_object_new_string(content));
		T_EQ(it_json(&r, "PUT", path, alice.token, json_object_to_json_string(o)), 0);
		json_object_put(o);
	}
	check_error(&r, 409, "duplicate_file");
	it_resp_free(&r);
}

/*
 * Every script endpoint for each kind of caller, on Alice's private script P and her
 * public script Q: invisible is 404, visible but not yours is 403, no credential 401.
 */
static void
test_visibility_matrix_over_every_script_endpoint(void)
{
	long long p = new_script(alice.token, "private matrix", false);
	long long q = new_script(alice.token, "public matrix", true);
	char P[64], Q[64], paths[24][96];
	const char *upd = "{\"description\":\"changed\"}", *exec = "{\"status\":\"success\"}";
	struct {
		const char *method;
		int path;	/* index into paths */
		const char *body;
		long anon, owner, other, adm;
	} rows[] = {
		{ "GET", 0, NULL, 404, 200, 404, 200 },
		{ "GET", 1, NULL, 404, 200, 404, 200 },
		{ "GET", 2, NULL, 404, 200, 404, 200 },
		{ "GET", 3, NULL, 404, 200, 404, 200 },
		{ "GET", 4, NULL, 404, 200, 404, 200 },
		{ "GET", 5, NULL, 401, 200, 404, 200 },
		{ "POST", 6, NULL, 401, 200, 404, 200 },
		{ "PUT", 0, NULL, 401, 200, 404, 200 },
		{ "POST", 7, NULL, 401, 200, 404, 200 },
		{ "DELETE", 0, NULL, 401, 0, 404, 0 },
		{ "GET", 8, NULL, 200, 200, 200, 200 },
		{ "GET", 9, NULL, 200, 200, 200, 200 },
		{ "GET", 10, NULL, 200, 200, 200, 200 },
		{ "GET", 11, NULL, 200, 200, 200, 200 },
		{ "GET", 12, NULL, 200, 200, 200, 200 },
		{ "GET", 13, NULL, 401, 200, 403, 200 },
		{ "POST", 14, NULL, 401, 200, 200, 200 },
		{ "PUT", 8, NULL, 401, 200, 403, 200 },
		{ "POST", 15, NULL, 401, 200, 403, 200 },
		{ "DELETE", 8, NULL, 401, 0, 403, 0 },
	};
	const char *who[] = { NULL, alice.token, bob.token, admin.token };
	static const char *const names[] = { "anonymous", "owner", "other", "admin" };
	long long ids[100];
	size_t n;
	struct it_resp r;

	snprintf(P, sizeof(P), "/api/scripts/%lld", p);
	snprintf(Q, sizeof(Q), "/api/scripts/%lld", q);
	for (int k = 0; k < 2; k++) {
		const char *b = k == 0 ? P : Q;
		int o = k * 8;

		snprintf(paths[o + 0], sizeof(paths[0]), "%s", b);
		snprintf(paths[o + 1], sizeof(paths[0]), "%s/download", b);
		snprintf(paths[o + 2], sizeof(paths[0]), "%s/versions", b);
		snprintf(paths[o + 3], sizeof(paths[0]), "%s/versions/1", b);
		snprintf(paths[o + 4], sizeof(paths[0]), "%s/versions/compare?from=1&to=1", b);
		snprintf(paths[o + 5], sizeof(paths[0]), "%s/execution-history", b);
		snprintf(paths[o + 6], sizeof(paths[0]), "%s/execute", b);
		snprintf(paths[o + 7], sizeof(paths[0]), "%s/revert/1", b);
	}
	for (size_t i = 0; i < PSS_ARRAY_LEN(rows); i++) {
		const long want[] = { rows[i].anon, rows[i].owner, rows[i].other, rows[i].adm };
		const char *body = strcmp(rows[i].method, "PUT") == 0 ? upd :
		    strcmp(rows[i].method, "POST") == 0 && strstr(paths[rows[i].path], "/execute") ? exec : NULL;

		for (int k = 0; k < 4; k++) {
			long got;

			if (want[k] == 0)
				continue;
			got = status_of(rows[i].method, paths[rows[i].path], who[k], body);
			T_ASSERTF(got == want[k], "%s %s %s: %ld, want %ld", names[k], rows[i].method,
			    paths[rows[i].path], got, want[k]);
		}
	}
	/* lists and searches: P only for its owner and the admin */
	{
		char lpath[128], spath[160];

		snprintf(lpath, sizeof(lpath), "/api/scripts?userId=%lld&limit=100", alice.id);
		snprintf(spath, sizeof(spath), "/api/scripts/search?q=matrix&userId=%lld", alice.id);
		for (int k = 0; k < 4; k++)
			for (int s = 0; s < 2; s++) {
				r = get(s ? spath : lpath, who[k]);
				T_EQ(r.status, 200);
				n = list_ids(&r, ids, PSS_ARRAY_LEN(ids));
				T_ASSERTF(has_id(ids, n, q), "%s: %s lacks the public script", names[k], s ? spath : lpath);
				T_ASSERTF(has_id(ids, n, p) == (k == 1 || k == 3), "%s: %s and the private script",
				    names[k], s ? spath : lpath);
				it_resp_free(&r);
			}
	}
	/* bulk: another user's ids are refused as a whole, the admin's pass */
	{
		char body[128];

		snprintf(body, sizeof(body), "{\"ids\":[%lld,%lld],\"isPublic\":true}", p, q);
		T_EQ(status_of("POST", "/api/scripts/bulk-update", NULL, body), 401);
		T_EQ(status_of("POST", "/api/scripts/bulk-update", bob.token, body), 403);
		T_EQ(status_of("POST", "/api/scripts/delete", bob.token, body), 403);
		snprintf(body, sizeof(body), "{\"ids\":[%lld],\"isPublic\":false}", p);
		T_EQ(status_of("POST", "/api/scripts/bulk-update", admin.token, body), 200);
		T_EQ(status_of("POST", "/api/scripts/bulk-update", alice.token, body), 200);
		T_EQ(get_status(P, bob.token), 404);
	}
	/* the destructive cells */
	T_EQ(status_of("DELETE", P, alice.token, NULL), 200);
	T_EQ(get_status(P, alice.token), 404);
	T_EQ(status_of("DELETE", Q, admin.token, NULL), 200);
	T_EQ(get_status(Q, NULL), 404);
	T_EQ(status_of("DELETE", Q, admin.token, NULL), 404);
}

/* A cached read is answered with the cached bytes (reply_cached): each answer after the
 * first (a miss, just after the create's invalidation) must be byte for byte the first, and
 * the shared script:{id} entry must stay hidden from who may not see it. */
static void
test_cached_answers_are_the_bytes_of_the_first(void)
{
	char t[96], word[64], paths[5][160];
	long long p, q;
	struct it_resp first, r;

	snprintf(word, sizeof(word), "%s", uniq("cachedword"));
	snprintf(t, sizeof(t), "cached a/b </x> \"q\" %s", word);
	p = new_script(alice.token, t, false);
	q = new_script(alice.token, t + 1, true);
	snprintf(paths[0], sizeof(paths[0]), "/api/scripts/%lld", q);
	snprintf(paths[1], sizeof(paths[1]), "/api/scripts/%lld", p);
	snprintf(paths[2], sizeof(paths[2]), "/api/scripts?mine=true&limit=3");
	snprintf(paths[3], sizeof(paths[3]), "/api/scripts/search?q=%s", word);
	snprintf(paths[4], sizeof(paths[4]), "/api/scripts?isPublic=true&limit=2");
	for (int i = 0; i < 5; i++) {
		const char *tok = i == 0 || i == 4 ? NULL : alice.token;

		first = get(paths[i], tok);
		T_ASSERTF(first.status == 200 && first.json != NULL, "%s: %ld", paths[i], first.status);
		T_STREQ(it_str(&first, "success"), "true");
		T_ASSERT(it_str(&first, i < 2 ? "script.title" : "total") != NULL);
		T_ASSERT(i >= 2 || strstr(first.body, "a/b </x>") != NULL);	/* no \/ */
		for (int k = 0; k < 6; k++) {
			r = get(paths[i], tok);
			T_ASSERTF(r.status == 200 && r.body != NULL && strcmp(r.body, first.body) == 0,
			    "%s answer %d differs from the first:\n#   %.300s\n#   %.300s", paths[i], k,
			    first.body ? first.body : "", r.body ? r.body : "");
			it_resp_free(&r);
		}
		it_resp_free(&first);
	}
	/* the private script is cached now: still 404 to the anonymous and another user */
	for (int k = 0; k < 4; k++) {
		T_EQ(get_status(paths[1], NULL), 404);
		T_EQ(get_status(paths[1], bob.token), 404);
		T_EQ(get_status(paths[1], admin.token), 200);
	}
}

static void
test_bad_ids_are_400_and_missing_ones_404(void)
{
	static const char *const bad[] = { "abc", "0", "-1", "1.5", "99999999999999999999", "1%20OR%201=1" };
	char path[128];

	for (size_t i = 0; i < PSS_ARRAY_LEN(bad); i++) {
		snprintf(path, sizeof(path), "/api/scripts/%s", bad[i]);
		expect_field("GET", path, NULL, NULL, "id");
		expect_field("PUT", path, alice.token, "{\"title\":\"x\"}", "id");
		expect_field("DELETE", path, alice.token, NULL, "id");
		snprintf(path, sizeof(path), "/api/scripts/%s/versions", bad[i]);
		expect_field("GET", path, NULL, NULL, "id");
		snprintf(path, sizeof(path), "/api/categories/%s", bad[i]);
		expect_field("GET", path, NULL, NULL, "id");
		snprintf(path, sizeof(path), "/api/tags/%s", bad[i]);
		expect_field("GET", path, NULL, NULL, "id");
	}
	T_EQ(get_status("/api/scripts/2147483647", admin.token), 404);
	T_EQ(get_status("/api/scripts/2147483647/download", admin.token), 404);
	T_EQ(status_of("PUT", "/api/scripts/2147483647", admin.token, "{\"title\":\"x\"}"), 404);
	T_EQ(get_status("/api/categories/99999", NULL), 404);
	T_EQ(get_status("/api/tags/99999", NULL), 404);
}

/* Issue 12 item 2: a search's work is bounded. The 490 one-letter words that kept a worker
 * busy until the statement timeout, and every input past a bound, answer 400 naming q and
 * the bound; a search at the bounds still answers. */
static void
test_search_work_is_bounded(void)
{
	char path[4096], word[80];
	size_t k;
	struct it_resp r;

	k = (size_t)snprintf(path, sizeof(path), "/api/scripts/search?limit=100&q=");
	for (int i = 0; i < 490; i++)
		k += (size_t)snprintf(path + k, sizeof(path) - k, "%s%c", i ? "%20" : "", 'a' + i % 26);
	T_EQ(it_json(&r, "GET", path, NULL, NULL), 0);
	check_field(&r, "q");
	T_CONTAINS(r.body, "256 bytes");
	it_resp_free(&r);
	T_EQ(it_json(&r, "GET", "/api/scripts/search?q=a%20b%20c%20d%20e%20f%20g%20h%20i", NULL, NULL), 0);
	check_field(&r, "q");
	T_CONTAINS(r.body, "at most 8 words");
	it_resp_free(&r);
	expect_field("GET", "/api/scripts/search?q=a%20or%20b%20or%20c%20or%20d%20or%20e%20or%20f"
	    "%20or%20g%20or%20h%20or%20i", NULL, NULL, "q");
	expect_field("GET", "/api/scripts/search?q=%22a%20b%20c%20d%20e%20f%20g%20h%20i%22", NULL, NULL, "q");
	expect_field("GET", "/api/scripts/search?q=a-b-c-d-e-f-g-h-i", NULL, NULL, "q");
	T_EQ(it_json(&r, "GET", "/api/scripts/search?q=-a%20-b%20-c", NULL, NULL), 0);
	check_field(&r, "q");
	T_CONTAINS(r.body, "not negated");
	it_resp_free(&r);
	memset(word, 'x', 65);
	word[65] = '\0';
	snprintf(path, sizeof(path), "/api/scripts/search?q=%s", word);
	T_EQ(it_json(&r, "GET", path, NULL, NULL), 0);
	check_field(&r, "q");
	T_CONTAINS(r.body, "64 characters");
	it_resp_free(&r);
	/* at the bounds: 8 words (OR'd, a phrase, negations besides a word), a 64-character word */
	T_EQ(get_status("/api/scripts/search?q=a%20or%20b%20or%20c%20or%20d%20or%20e%20or%20f"
	    "%20or%20g%20or%20h&limit=100", NULL), 200);
	T_EQ(get_status("/api/scripts/search?q=%22a%20b%20c%20d%22%20e%20-f%20-g%20-h", NULL), 200);
	word[64] = '\0';
	snprintf(path, sizeof(path), "/api/scripts/search?q=%s", word);
	T_EQ(get_status(path, NULL), 200);
	/* a phrase, a hyphenated word and a negation still find and mark their words (the
	 * snippet's query is the search's with phrases and ANDs as ORs, negations dropped) */
	{
		char content[160], q[64];
		long long id;

		snprintf(q, sizeof(q), "zqphrase%d", (int)getpid());
		snprintf(content, sizeof(content), "Write-Output 'alpha %s omega'\nGet-Date # phrase-test\n", q);
		T_EQ(create(alice.token, script_body("phrase target", content, true), &id, NULL), 201);
		snprintf(path, sizeof(path), "/api/scripts/search?q=%%22alpha%%20%s%%22%%20phrase-test%%20-nosuchword", q);
		r = get(path, NULL);
		T_EQ(r.status, 200);
		T_STREQ(it_str(&r, "total"), "1");
		T_CONTAINS(it_str(&r, "scripts.0.snippet"), "<mark>alpha</mark>");
		T_CONTAINS(it_str(&r, "scripts.0.snippet"), "</mark>");
		it_resp_free(&r);
	}
}

/* A snippet reads a window about the first match (DB_HEADLINE_TEXT in db/rows.h): a word
 * 2,100 characters into a script is still marked, and the snippet starts at a whole word. A
 * stop word and a negation find the scripts with the stop word: the english side of the
 * query, left with the negation alone, is dropped, where it matched every script without
 * the negated word. */
static void
test_search_snippet_window_and_negated_stop_word(void)
{
	char content[2600], word[32], mark[64], tag[32], path[256];
	struct json_object *o;
	struct it_resp r;
	const char *snip;
	long long id, with_the, without;

	snprintf(word, sizeof(word), "zqwindow%d", (int)getpid());
	snprintf(content, sizeof(content), "Write-Output 'start'\n");
	for (int i = 0; i < 100; i++)
		strcat(content, "# padding words here\n");
	snprintf(content + strlen(content), sizeof(content) - strlen(content), "Write-Output '%s'\n", word);
	T_EQ(create(alice.token, script_body("window target", content, true), &id, NULL), 201);
	snprintf(path, sizeof(path), "/api/scripts/search?q=%s", word);
	r = get(path, NULL);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "total"), "1");
	snip = it_str(&r, "scripts.0.snippet") != NULL ? it_str(&r, "scripts.0.snippet") : "";
	snprintf(mark, sizeof(mark), "<mark>%s</mark>", word);
	T_CONTAINS(snip, mark);
	T_ASSERTF(strncmp(snip, "# ", 2) == 0 || strncmp(snip, "padding ", 8) == 0 ||
	    strncmp(snip, "words ", 6) == 0 || strncmp(snip, "here\n", 5) == 0,
	    "the snippet starts inside a word: %.40s", snip);
	it_resp_free(&r);

	/* contents of their own: a script's content is unique (a later suite pastes Get-Date) */
	snprintf(tag, sizeof(tag), "zqstop%d", (int)getpid());
	snprintf(content, sizeof(content), "Write-Output 'the first' # %s\n", tag);
	o = script_body("stop word target", content, true);
	json_object_object_add(o, "tags", json_object_new_string(tag));
	T_EQ(create(alice.token, o, &with_the, NULL), 201);
	snprintf(content, sizeof(content), "Get-Date # %s\n", tag);
	o = script_body("stop word other", content, true);
	json_object_object_add(o, "tags", json_object_new_string(tag));
	T_EQ(create(alice.token, o, &without, NULL), 201);
	snprintf(path, sizeof(path), "/api/scripts/search?q=the%%20-zqnone%d&tag=%s", (int)getpid(), tag);
	r = get(path, NULL);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "total"), "1");
	T_EQ(strtoll(it_str(&r, "scripts.0.id") ? it_str(&r, "scripts.0.id") : "0", NULL, 10), with_the);
	it_resp_free(&r);
}

static void
test_list_parameters_are_validated(void)
{
	struct it_resp r;

	expect_field("GET", "/api/scripts?limit=0", NULL, NULL, "limit");
	expect_field("GET", "/api/scripts?limit=101", NULL, NULL, "limit");
	expect_field("GET", "/api/scripts?limit=ten", NULL, NULL, "limit");
	expect_field("GET", "/api/scripts?page=0", NULL, NULL, "page");
	expect_field("GET", "/api/scripts?page=abc", NULL, NULL, "page");
	expect_field("GET", "/api/scripts?sort=password_hash", NULL, NULL, "sort");
	expect_field("GET", "/api/scripts?sort=rank", NULL, NULL, "sort");
	expect_field("GET", "/api/scripts?order=sideways", NULL, NULL, "order");
	expect_field("GET", "/api/scripts?categoryId=abc", NULL, NULL, "categoryId");
	expect_field("GET", "/api/scripts?userId=-4", NULL, NULL, "userId");
	expect_field("GET", "/api/scripts?isPublic=maybe", NULL, NULL, "isPublic");
	expect_field("GET", "/api/scripts?minSecurityScore=11", NULL, NULL, "minSecurityScore");
	expect_field("GET", "/api/scripts?minSecurityScore=x", NULL, NULL, "minSecurityScore");
	expect_field("GET", "/api/scripts?cursor=not-a-cursor", NULL, NULL, "cursor");
	expect_field("GET", "/api/scripts?tag=%01", NULL, NULL, "tag");
	expect_field("GET", "/api/scripts/search", NULL, NULL, "q");
	expect_field("GET", "/api/scripts/search?q=x&mode=vector", NULL, NULL, "mode");
	expect_field("GET", "/api/scripts/search?q=x&sort=bogus", NULL, NULL, "sort");
	T_EQ(it_json(&r, "GET", "/api/scripts?mine=true", NULL, NULL), 0);
	check_error(&r, 401, "unauthorized");
	it_resp_free(&r);
	/* defaults: page 1, limit 20 */
	r = get("/api/scripts", NULL);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "page"), "1");
	T_ASSERT(it_str(&r, "total") != NULL && it_str(&r, "totalPages") != NULL);
	it_resp_free(&r);
	T_EQ(get_status("/api/scripts?page=1000000", NULL), 200);
	/* a cursor made for another sort is refused */
	{
		char c[512], path[640];
		const char *v;

		for (int i = 0; i < 3; i++)
			T_ASSERT(new_script(bob.token, uniq("cursor sort "), true) > 0);
		r = get("/api/scripts?limit=1&sort=title", NULL);
		v = it_str(&r, "nextCursor");
		T_ASSERT(v != NULL);
		snprintf(c, sizeof(c), "%s", v ? v : "");
		it_resp_free(&r);
		snprintf(path, sizeof(path), "/api/scripts?limit=1&sort=createdAt&cursor=%s", c);
		expect_field("GET", path, NULL, NULL, "cursor");
		snprintf(path, sizeof(path), "/api/scripts?limit=1&sort=title&cursor=%s", c);
		T_EQ(get_status(path, NULL), 200);
	}
}

static void
test_filters_mine_tag_category_and_sort(void)
{
	struct acct carol;
	struct it_resp r;
	long long ids[100], a, b, c;
	size_t n;
	char path[256];
	const char *tag = uniq("ftag");
	struct json_object *o, *t;

	T_EQ(acct_register(&carol, "lcarol"), 0);
	o = script_body("b filter", uniq("Get-Alias # "), true);
	t = json_object_new_array();
	json_object_array_add(t, json_object_new_string(tag));
	json_object_object_add(o, "tags", t);
	json_object_object_add(o, "categoryId", json_object_new_int(5));
	T_EQ(create(carol.token, o, &a, NULL), 201);
	b = new_script(carol.token, "a filter", false);
	c = new_script(carol.token, "c filter", true);
	r = get("/api/scripts?mine=true&sort=title&order=asc", carol.token);
	n = list_ids(&r, ids, 100);
	T_EQ(n, 3);
	T_ASSERT(n == 3 && ids[0] == b && ids[1] == a && ids[2] == c);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts?tag=%s", tag);
	r = get(path, NULL);
	n = list_ids(&r, ids, 100);
	T_ASSERT(n == 1 && ids[0] == a);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts?userId=%lld&categoryId=5", carol.id);
	r = get(path, NULL);
	n = list_ids(&r, ids, 100);
	T_ASSERT(n == 1 && ids[0] == a);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts?userId=%lld&isPublic=false", carol.id);
	r = get(path, carol.token);
	n = list_ids(&r, ids, 100);
	T_ASSERT(n == 1 && ids[0] == b);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts?userId=%lld&isPublic=false", carol.id);
	r = get(path, bob.token);
	T_EQ(list_ids(&r, ids, 100), 0);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts?userId=%lld&minSecurityScore=0", carol.id);
	T_EQ(get_status(path, NULL), 200);
}

/* Keyset pages: following nextCursor visits every script once, in the order of one page. */
static void
test_cursor_pages_walk_every_script_once(void)
{
	struct acct dave;
	struct it_resp r;
	long long made[7], all[16], seen[16];
	size_t nall, nseen = 0;
	char path[768], cur[512] = "";
	int pages = 0;

	T_EQ(acct_register(&dave, "ldave"), 0);
	for (int i = 0; i < 7; i++)
		made[i] = new_script(dave.token, uniq("page walk "), true);
	snprintf(path, sizeof(path), "/api/scripts?userId=%lld&sort=createdAt&order=asc&limit=16", dave.id);
	r = get(path, NULL);
	nall = list_ids(&r, all, 16);
	T_EQ(nall, 7);
	T_ASSERT(nall == 7 && all[0] == made[0] && all[6] == made[6]);
	T_ASSERT(r.json != NULL && json_object_object_get(r.json, "nextCursor") == NULL);
	it_resp_free(&r);
	do {
		const char *v;

		snprintf(path, sizeof(path), "/api/scripts?userId=%lld&sort=createdAt&order=asc&limit=3%s%s",
		    dave.id, cur[0] ? "&cursor=" : "", cur);
		r = get(path, NULL);
		T_EQ(r.status, 200);
		T_STREQ(it_str(&r, "total"), "7");
		nseen += list_ids(&r, seen + nseen, 16 - nseen);
		v = it_str(&r, "nextCursor");
		snprintf(cur, sizeof(cur), "%s", v ? v : "");
		it_resp_free(&r);
	} while (cur[0] && ++pages < 10);
	T_EQ(nseen, 7);
	for (size_t i = 0; i < nseen && i < nall; i++)
		T_EQ(seen[i], all[i]);
	/* page/limit agree */
	snprintf(path, sizeof(path), "/api/scripts?userId=%lld&sort=createdAt&order=asc&limit=3&page=3", dave.id);
	r = get(path, NULL);
	T_ASSERT(list_ids(&r, seen, 16) == 1 && seen[0] == made[6]);
	T_STREQ(it_str(&r, "totalPages"), "3");
	it_resp_free(&r);
}

static void
test_keyword_search_ranks_title_over_content_with_safe_snippets(void)
{
	char word[64], content[256], path[160];
	long long by_title, by_content, ids[10];
	size_t n;
	struct it_resp r;
	struct json_object *arr, *s;

	snprintf(word, sizeof(word), "zq%dword", (int)getpid());
	by_content = 0;
	snprintf(content, sizeof(content), "# %s & \"quoted\" <script>alert(1)</script> here\nGet-Date\n", word);
	T_EQ(create(alice.token, script_body("content hit", content, true), &by_content, NULL), 201);
	snprintf(content, sizeof(content), "Get-Date # %s\n", uniq("title hit "));
	snprintf(path, sizeof(path), "%s tools", word);
	T_EQ(create(alice.token, script_body(path, content, true), &by_title, NULL), 201);
	snprintf(path, sizeof(path), "/api/scripts/search?q=%s", word);
	r = get(path, NULL);
	T_EQ(r.status, 200);
	n = list_ids(&r, ids, 10);
	T_EQ(n, 2);
	T_ASSERT(n == 2 && ids[0] == by_title && ids[1] == by_content);
	T_STREQ(it_str(&r, "query"), word);
	T_STREQ(it_str(&r, "mode"), "keyword");
	T_ASSERT(r.json != NULL && json_object_object_get_ex(r.json, "scripts", &arr) &&
	    json_object_array_length(arr) == 2);
	if (r.json != NULL && json_object_array_length(arr) == 2) {
		const char *snip;

		s = json_object_array_get_idx(arr, 1);
		T_ASSERT(json_object_object_get(s, "rank") != NULL);
		snip = json_object_get_string(json_object_object_get(s, "snippet"));
		T_CONTAINS(snip, "<mark>");
		T_CONTAINS(snip, word);
		T_CONTAINS(snip, "&amp;");
		/* safe HTML: every '<' is a highlight's */
		for (const char *p = snip; p != NULL && (p = strchr(p, '<')) != NULL; p++)
			T_ASSERTF(strncmp(p, "<mark>", 6) == 0 || strncmp(p, "</mark>", 7) == 0,
			    "raw markup in the snippet: %s", snip);
	}
	it_resp_free(&r);
	/* nothing the user types is SQL; a search with no match is an empty page */
	T_EQ(get_status("/api/scripts/search?q=%27%3B%20DROP%20TABLE%20scripts%3B--", NULL), 200);
	r = get("/api/scripts/search?q=nosuchwordanywhere", NULL);
	T_STREQ(it_str(&r, "total"), "0");
	it_resp_free(&r);
}

static void
test_versions_update_compare_and_revert(void)
{
	long long id;
	char path[128], v1[128], v2[128], body[512];
	struct it_resp r;
	struct json_object *o, *h;

	snprintf(v1, sizeof(v1), "Get-Process\n# %s\nStop-Process -Name x\n", uniq("v1 "));
	snprintf(v2, sizeof(v2), "Get-Process\n# %s\nStart-Process -Name x\n", uniq("v2 "));
	T_EQ(create(alice.token, script_body("versioned", v1, true), &id, NULL), 201);
	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	o = json_object_new_object();
	json_object_object_add(o, "content", json_object_new_string(v2));
	json_object_object_add(o, "commitMessage", json_object_new_string("start instead of stop"));
	T_EQ(it_json(&r, "PUT", path, alice.token, json_object_to_json_string(o)), 0);
	json_object_put(o);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "script.version"), "2");
	T_STREQ(it_str(&r, "script.content"), v2);
	it_resp_free(&r);
	/* a title change alone writes no version */
	T_EQ(status_of("PUT", path, alice.token, "{\"title\":\"versioned script\"}"), 200);
	snprintf(path, sizeof(path), "/api/scripts/%lld/versions", id);
	r = get(path, NULL);
	T_STREQ(it_str(&r, "totalVersions"), "2");
	T_STREQ(it_str(&r, "scriptTitle"), "versioned script");
	T_ASSERT(r.json != NULL);
	if (r.json != NULL) {
		struct json_object *vs = json_object_object_get(r.json, "versions"),
		    *first = json_object_array_get_idx(vs, 0);

		T_STREQ(json_object_get_string(json_object_object_get(first, "changelog")), "start instead of stop");
		T_EQ(json_object_get_int(json_object_object_get(first, "version")), 2);
		T_EQ(json_object_get_int(json_object_object_get(first, "linesAdded")), 2);
	}
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts/%lld/versions/1", id);
	r = get(path, NULL);
	T_STREQ(it_str(&r, "version.content"), v1);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts/%lld/versions/compare?from=1&to=2", id);
	r = get(path, NULL);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "linesAdded"), "2");
	T_STREQ(it_str(&r, "linesRemoved"), "2");
	T_CONTAINS(it_str(&r, "unified"), "@@ -1,3 +1,3 @@");
	T_CONTAINS(it_str(&r, "unified"), "\n-Stop-Process -Name x\n");
	T_CONTAINS(it_str(&r, "unified"), "\n+Start-Process -Name x\n");
	T_ASSERT(r.json != NULL && json_object_object_get_ex(r.json, "hunks", &h) &&
	    json_object_array_length(h) == 1);
	it_resp_free(&r);
	/* revert to 1: version 3 with version 1's content */
	snprintf(path, sizeof(path), "/api/scripts/%lld/revert/1", id);
	T_EQ(it_json(&r, "POST", path, alice.token, NULL), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "version"), "3");
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts/%lld/versions/3", id);
	r = get(path, NULL);
	T_STREQ(it_str(&r, "version.content"), v1);
	T_CONTAINS(it_str(&r, "version.changelog"), "1");
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	r = get(path, bob.token);
	T_STREQ(it_str(&r, "script.content"), v1);
	T_STREQ(it_str(&r, "script.version"), "3");
	it_resp_free(&r);
	/* bad input */
	snprintf(path, sizeof(path), "/api/scripts/%lld/versions/0", id);
	expect_field("GET", path, NULL, NULL, "version");
	snprintf(path, sizeof(path), "/api/scripts/%lld/versions/99", id);
	T_EQ(get_status(path, NULL), 404);
	snprintf(path, sizeof(path), "/api/scripts/%lld/versions/compare?from=1", id);
	expect_field("GET", path, NULL, NULL, "to");
	snprintf(path, sizeof(path), "/api/scripts/%lld/versions/compare?from=x&to=2", id);
	expect_field("GET", path, NULL, NULL, "from");
	snprintf(path, sizeof(path), "/api/scripts/%lld/versions/compare?from=1&to=99", id);
	T_EQ(get_status(path, NULL), 404);
	snprintf(path, sizeof(path), "/api/scripts/%lld/revert/99", id);
	T_EQ(status_of("POST", path, alice.token, NULL), 404);
	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	expect_field("PUT", path, alice.token, "{}", "title");
	expect_field("PUT", path, alice.token, "{\"commitMessage\":7,\"title\":\"x\"}", "commitMessage");
	snprintf(body, sizeof(body), "{\"title\":\"%0300d\"}", 0);
	expect_field("PUT", path, alice.token, body, "title");
}

static void
test_execute_records_and_returns_a_quoted_command(void)
{
	long long id;
	char path[128], title[64];
	struct it_resp r;
	const char *body = "{\"parameters\":{\"Name\":\"it's $(rm -rf /); `x`\",\"Count\":3,\"Force\":true},"
	    "\"status\":\"success\",\"executionTime\":100}";

	snprintf(title, sizeof(title), "Run me");
	id = new_script(alice.token, title, true);
	snprintf(path, sizeof(path), "/api/scripts/%lld/execute", id);
	T_EQ(it_json(&r, "POST", path, bob.token, body), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "command"),
	    "pwsh -NoProfile -File 'Run_me.ps1' -Name 'it''s $(rm -rf /); `x`' -Count 3 -Force:$true");
	T_STREQ(it_str(&r, "executionCount"), "1");
	T_ASSERT(it_str(&r, "executionLogId") != NULL);
	it_resp_free(&r);
	T_EQ(status_of("POST", path, alice.token, "{\"status\":\"failure\",\"executionTime\":300,"
	    "\"errorMessage\":\"boom\"}"), 200);
	T_EQ(status_of("POST", path, alice.token, "{}"), 200);
	/* refused before anything is recorded */
	expect_field("POST", path, alice.token, "{\"status\":\"exploded\"}", "status");
	expect_field("POST", path, alice.token, "{\"executionTime\":-1}", "executionTime");
	expect_field("POST", path, alice.token, "{\"executionTime\":\"soon\"}", "executionTime");
	expect_field("POST", path, alice.token, "{\"parameters\":{\"bad name\":1}}", "parameters");
	expect_field("POST", path, alice.token, "{\"parameters\":{\"$(x)\":1}}", "parameters");
	expect_field("POST", path, alice.token, "{\"parameters\":[1,2]}", "parameters");
	expect_field("POST", path, alice.token, "{\"parameters\":\"not json\"}", "parameters");
	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	r = get(path, NULL);
	T_STREQ(it_str(&r, "script.executionCount"), "3");
	T_STREQ(it_str(&r, "script.averageExecutionTime"), "200");
	T_ASSERT(it_str(&r, "script.lastExecutedAt") != NULL);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts/%lld/execution-history?limit=2", id);
	r = get(path, alice.token);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "pagination.total"), "3");
	T_STREQ(it_str(&r, "pagination.hasMore"), "true");
	T_CONTAINS(r.body, "\"ipAddress\":\"127.0.0.1\"");
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts/%lld/execution-history?offset=2&limit=2", id);
	r = get(path, admin.token);
	T_STREQ(it_str(&r, "pagination.hasMore"), "false");
	T_CONTAINS(r.body, "\"Force\":true");
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts/%lld/execution-history?limit=101", id);
	expect_field("GET", path, alice.token, NULL, "limit");
	snprintf(path, sizeof(path), "/api/scripts/%lld/execution-history?offset=-1", id);
	expect_field("GET", path, alice.token, NULL, "offset");
}

static void
test_bulk_delete_and_update_are_all_or_nothing(void)
{
	long long a1 = new_script(alice.token, "bulk one", true), a2 = new_script(alice.token, "bulk two", true),
	    b1 = new_script(bob.token, "bulk bob", true);
	char body[512], path[64];
	struct it_resp r;
	struct json_object *u;

	snprintf(body, sizeof(body), "{\"ids\":[%lld,%lld]}", a1, b1);
	T_EQ(it_json(&r, "POST", "/api/scripts/delete", alice.token, body), 0);
	check_error(&r, 403, "forbidden");
	T_ASSERT(r.json != NULL && json_object_object_get_ex(r.json, "unauthorizedIds", &u) &&
	    json_object_array_length(u) == 1 && json_object_get_int64(json_object_array_get_idx(u, 0)) == b1);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts/%lld", a1);
	T_EQ(get_status(path, NULL), 200);
	snprintf(body, sizeof(body), "{\"ids\":[%lld,%lld],\"isPublic\":false,\"addTags\":[\"Bulk\"]}", a1, b1);
	T_EQ(it_json(&r, "POST", "/api/scripts/bulk-update", alice.token, body), 0);
	check_error(&r, 403, "forbidden");
	it_resp_free(&r);
	T_EQ(get_status(path, NULL), 200);	/* still public */
	snprintf(body, sizeof(body), "{\"ids\":[%lld,%lld],\"isPublic\":false,\"addTags\":[\"Bulk\"],"
	    "\"categoryId\":3}", a1, a2);
	T_EQ(it_json(&r, "POST", "/api/scripts/bulk-update", alice.token, body), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "updated"), "2");
	it_resp_free(&r);
	T_EQ(get_status(path, NULL), 404);	/* private now */
	r = get(path, alice.token);
	T_STREQ(it_str(&r, "script.categoryId"), "3");
	T_CONTAINS(r.body, "\"tags\":[\"bulk\"]");
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"ids\":[%lld],\"addTags\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\","
	    "\"h\",\"i\",\"j\"]}", a1);
	expect_field("POST", "/api/scripts/bulk-update", alice.token, body, "addTags");
	snprintf(body, sizeof(body), "{\"ids\":[%lld],\"removeTags\":[\"bulk\"]}", a1);
	T_EQ(status_of("POST", "/api/scripts/bulk-update", alice.token, body), 200);
	expect_field("POST", "/api/scripts/bulk-update", alice.token, "{\"ids\":[]}", "ids");
	snprintf(body, sizeof(body), "{\"ids\":[%lld]}", a1);
	expect_field("POST", "/api/scripts/bulk-update", alice.token, body, "ids");
	expect_field("POST", "/api/scripts/delete", alice.token, "{\"ids\":\"1,2\"}", "ids");
	expect_field("POST", "/api/scripts/delete", alice.token, "{\"ids\":[\"x\"]}", "ids");
	expect_field("POST", "/api/scripts/delete", alice.token, "{}", "ids");
	T_EQ(status_of("POST", "/api/scripts/delete", NULL, "{\"ids\":[1]}"), 401);
	snprintf(body, sizeof(body), "{\"ids\":[%lld,%lld]}", a1, a2);
	T_EQ(it_json(&r, "POST", "/api/scripts/delete", alice.token, body), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "deleted"), "2");
	it_resp_free(&r);
	T_EQ(get_status(path, alice.token), 404);
	/* an admin may bulk-delete anyone's */
	snprintf(body, sizeof(body), "{\"ids\":[%lld]}", b1);
	T_EQ(status_of("POST", "/api/scripts/delete", admin.token, body), 200);
}

/* Issue 12 item 10: a non-ASCII title keeps its name in filename* (RFC 6266), the ASCII
 * fallback in filename; whitespace-only content is 400; a tag given twice (any case, spaces)
 * counts once toward the 10; bidirectional controls are refused in titles, tags and
 * category names. */
static void
test_small_library_rules(void)
{
	struct json_object *o, *tags;
	struct it_resp r;
	long long id;
	char path[96], content[128];
	static const char *const t11[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", " A ", "J" };

	snprintf(content, sizeof(content), "Get-Date # %s\n", uniq("dl8 "));
	T_EQ(create(alice.token, script_body("R\xc3\xa9sum\xc3\xa9 report", content, true), &id, NULL), 201);
	snprintf(path, sizeof(path), "/api/scripts/%lld/download", id);
	T_EQ(it_request(&r, "GET", path, NULL, 0, NULL, NULL), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_header(&r, "content-disposition"), "attachment; filename=\"R_sum_report.ps1\"; "
	    "filename*=UTF-8''R%C3%A9sum%C3%A9_report.ps1");
	it_resp_free(&r);

	expect_field("POST", "/api/scripts", alice.token,
	    "{\"title\":\"blank\",\"content\":\" \\n\\t\\r\\n \"}", "content");
	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	expect_field("PUT", path, alice.token, "{\"content\":\"\\n\\n\"}", "content");

	o = script_body("eleven tags, ten distinct", uniq("Get-Date # tags "), true);
	tags = json_object_new_array();
	for (size_t i = 0; i < PSS_ARRAY_LEN(t11); i++)
		json_object_array_add(tags, json_object_new_string(t11[i]));
	json_object_object_add(o, "tags", tags);
	T_EQ(create(alice.token, o, &id, &r), 201);
	T_STREQ(it_str(&r, "script.tags.9"), "j");
	T_ASSERT(it_str(&r, "script.tags.10") == NULL);
	it_resp_free(&r);

	expect_field("POST", "/api/scripts", alice.token,
	    "{\"title\":\"invoice\\u202egpj.ps1\",\"content\":\"Get-Date # bidi\"}", "title");
	expect_field("POST", "/api/scripts", alice.token,
	    "{\"title\":\"t\",\"content\":\"Get-Date # bidi tag\",\"tags\":[\"ok\\u2066x\"]}", "tags");
	expect_field("POST", "/api/categories", admin.token, "{\"name\":\"Net\\u200fwork\"}", "name");
}

static void
test_download_is_an_attachment_named_after_the_title(void)
{
	long long id;
	char path[96], content[128];
	struct it_resp r;

	snprintf(content, sizeof(content), "Write-Host 'héllo'\r\n# %s\n", uniq("dl "));
	T_EQ(create(alice.token, script_body("../../etc/passwd \"x\"; y", content, true), &id, NULL), 201);
	snprintf(path, sizeof(path), "/api/scripts/%lld/download", id);
	T_EQ(it_request(&r, "GET", path, NULL, 0, NULL, NULL), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_header(&r, "content-type"), "text/plain; charset=utf-8");
	/* a safe name: only letters, digits, '.', '-', '_', ending in .ps1, no path */
	{
		const char *d = it_header(&r, "content-disposition"), *q;

		T_ASSERT(d != NULL && strncmp(d, "attachment; filename=\"", 22) == 0);
		q = d != NULL ? d + 22 : "";
		T_ASSERT(strspn(q, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
		    strlen(q) - 1 && q[strlen(q) - 1] == '"');
		T_CONTAINS(q, "etc_passwd_x_y.ps1\"");
		T_ASSERT(q[0] != '.');
	}
	T_ASSERT(r.len == strlen(content) && memcmp(r.body, content, r.len) == 0);
	it_resp_free(&r);
}

static void
test_categories_with_counts_admin_writes_and_set_null(void)
{
	struct it_resp r;
	struct json_object *arr;
	char name[64], body[256], path[96], spath[96];
	long long cat, sid;
	const char *v;

	r = get("/api/categories", NULL);
	T_EQ(r.status, 200);
	T_ASSERT(r.json != NULL && json_object_object_get_ex(r.json, "categories", &arr) &&
	    json_object_array_length(arr) >= 10);
	T_CONTAINS(r.body, "\"scriptCount\":");
	T_CONTAINS(r.body, "Utilities & Helpers");
	it_resp_free(&r);
	snprintf(name, sizeof(name), "%s", uniq("Cat "));
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"description\":\"made by the test\"}", name);
	T_EQ(status_of("POST", "/api/categories", NULL, body), 401);
	T_EQ(status_of("POST", "/api/categories", alice.token, body), 403);
	T_EQ(it_json(&r, "POST", "/api/categories", admin.token, body), 0);
	T_EQ(r.status, 201);
	T_STREQ(it_str(&r, "category.name"), name);
	cat = (v = it_str(&r, "category.id")) ? strtoll(v, NULL, 10) : 0;
	it_resp_free(&r);
	for (char *p = body; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	T_EQ(it_json(&r, "POST", "/api/categories", admin.token, body), 0);
	check_error(&r, 409, "conflict");
	it_resp_free(&r);
	expect_field("POST", "/api/categories", admin.token, "{\"name\":\"\"}", "name");
	expect_field("POST", "/api/categories", admin.token, "{\"description\":\"x\"}", "name");
	expect_field("POST", "/api/categories", admin.token, "{\"name\":[1]}", "name");
	/* a script in it: counted, listed under it */
	{
		struct json_object *o = script_body("categorised", uniq("Get-Host # "), true);

		json_object_object_add(o, "categoryId", json_object_new_int64(cat));
		T_EQ(create(alice.token, o, &sid, NULL), 201);
	}
	snprintf(path, sizeof(path), "/api/categories/%lld", cat);
	r = get(path, NULL);
	T_STREQ(it_str(&r, "category.scriptCount"), "1");
	it_resp_free(&r);
	T_EQ(every_worker("/api/categories", NULL, 200, "made by the test\",\"scriptCount\":1", NULL), 0);
	snprintf(path, sizeof(path), "/api/categories/%lld/scripts", cat);
	r = get(path, NULL);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "total"), "1");
	T_STREQ(it_str(&r, "category.name"), name);
	it_resp_free(&r);
	/* renamed: every worker's copy of the script names the new category */
	snprintf(spath, sizeof(spath), "/api/scripts/%lld", sid);
	T_EQ(every_worker(spath, NULL, 200, name, NULL), 0);
	snprintf(path, sizeof(path), "/api/categories/%lld", cat);
	snprintf(body, sizeof(body), "{\"name\":\"%s renamed\"}", name);
	T_EQ(status_of("PUT", path, alice.token, body), 403);
	T_EQ(status_of("PUT", path, admin.token, body), 200);
	snprintf(body, sizeof(body), "%s renamed", name);
	T_EQ(every_worker(spath, NULL, 200, body, NULL), 0);
	/* deleted: the script keeps a NULL category */
	T_EQ(status_of("DELETE", path, alice.token, NULL), 403);
	T_EQ(status_of("DELETE", path, admin.token, NULL), 200);
	T_EQ(get_status(path, NULL), 404);
	T_EQ(every_worker(spath, NULL, 200, "\"categoryId\":null", NULL), 0);
	T_EQ(every_worker("/api/categories", NULL, 200, NULL, body), 0);
	T_EQ(status_of("DELETE", path, admin.token, NULL), 404);
	T_EQ(status_of("PUT", "/api/categories/99999", admin.token, "{\"name\":\"x\"}"), 404);
}

static void
test_tags_lower_case_autocomplete_and_admin_delete(void)
{
	struct it_resp r;
	char body[128], prefix[64], path[128];
	long long tid, sid;
	const char *v;
	struct json_object *o, *t;

	snprintf(prefix, sizeof(prefix), "%s", uniq("Tg"));
	snprintf(body, sizeof(body), "{\"name\":\"  %sMixed  \"}", prefix);
	T_EQ(status_of("POST", "/api/tags", NULL, body), 401);
	T_EQ(it_json(&r, "POST", "/api/tags", alice.token, body), 0);
	T_EQ(r.status, 201);
	T_STREQ(it_str(&r, "created"), "true");
	for (char *p = prefix; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	snprintf(path, sizeof(path), "%smixed", prefix);
	T_STREQ(it_str(&r, "tag.name"), path);
	tid = (v = it_str(&r, "tag.id")) ? strtoll(v, NULL, 10) : 0;
	it_resp_free(&r);
	/* in use on no script: absent for everyone but an admin (issue 12 item 6), so bob's
	 * create answers as for a new tag */
	T_EQ(it_json(&r, "POST", "/api/tags", bob.token, body), 0);
	T_EQ(r.status, 201);
	T_STREQ(it_str(&r, "created"), "true");
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/tags/%lld", tid);
	T_EQ(get_status(path, NULL), 404);
	T_EQ(get_status(path, admin.token), 200);
	snprintf(path, sizeof(path), "%smixed", prefix);
	expect_field("POST", "/api/tags", alice.token, "{\"name\":\"   \"}", "name");
	expect_field("POST", "/api/tags", alice.token, "{\"name\":\"a\\u0003\"}", "name");
	expect_field("POST", "/api/tags", alice.token,
	    "{\"name\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}", "name");
	/* a script tagged with it, in upper case */
	o = script_body("tagged", uniq("Get-Culture # "), true);
	t = json_object_new_array();
	snprintf(path, sizeof(path), "%sMIXED", prefix);
	json_object_array_add(t, json_object_new_string(path));
	json_object_object_add(o, "tags", t);
	T_EQ(create(alice.token, o, &sid, NULL), 201);
	T_EQ(it_json(&r, "POST", "/api/tags", bob.token, body), 0);
	T_EQ(r.status, 200);	/* in use on a script bob sees: it exists */
	T_STREQ(it_str(&r, "created"), "false");
	it_resp_free(&r);
	/* autocomplete: the prefix in any case, with counts; LIKE characters are data */
	snprintf(path, sizeof(path), "/api/tags?q=%s", prefix);
	r = get(path, NULL);
	T_EQ(r.status, 200);
	T_CONTAINS(r.body, "mixed\",\"count\":1");
	it_resp_free(&r);
	r = get("/api/tags?q=%25%25%25_", NULL);
	T_EQ(r.status, 200);
	T_CONTAINS(r.body, "\"tags\":[]");
	it_resp_free(&r);
	expect_field("GET", "/api/tags?limit=0", NULL, NULL, "limit");
	snprintf(path, sizeof(path), "/api/tags/%lld", tid);
	r = get(path, NULL);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "tag.count"), "1");
	T_STREQ(it_str(&r, "total"), "1");
	it_resp_free(&r);
	/* every worker holds the tagged script; deleting the tag reaches all of them */
	snprintf(body, sizeof(body), "/api/scripts/%lld", sid);
	T_EQ(every_worker(body, NULL, 200, "mixed\"]", NULL), 0);
	T_EQ(status_of("DELETE", path, alice.token, NULL), 403);
	T_EQ(status_of("DELETE", path, admin.token, NULL), 200);
	T_EQ(get_status(path, NULL), 404);
	T_EQ(every_worker(body, NULL, 200, "\"tags\":[]", NULL), 0);
}

/* The session cookie needs the CSRF token on unsafe methods; a bearer token does not. */
static void
test_cookie_sessions_need_the_csrf_token(void)
{
	char cookie[200], xc[200], body[256], path[64];
	const char *h1[] = { cookie, NULL }, *h2[] = { cookie, xc, NULL };
	struct it_resp r;
	long long id = new_script(alice.token, "csrf target", true);

	snprintf(cookie, sizeof(cookie), "Cookie: __Host-pss_session=%s", alice.token);
	snprintf(xc, sizeof(xc), "X-CSRF-Token: %s", alice.csrf);
	snprintf(body, sizeof(body), "{\"title\":\"by cookie\",\"content\":\"%s\"}", uniq("Get-Random # "));
	T_EQ(it_request(&r, "POST", "/api/scripts", body, strlen(body), "application/json", h1), 0);
	check_error(&r, 403, "csrf_failed");
	it_resp_free(&r);
	T_EQ(it_request(&r, "POST", "/api/scripts", body, strlen(body), "application/json", h2), 0);
	T_EQ(r.status, 201);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	T_EQ(it_request(&r, "DELETE", path, NULL, 0, NULL, h1), 0);
	check_error(&r, 403, "csrf_failed");
	it_resp_free(&r);
	T_EQ(get_status(path, NULL), 200);
	/* reads need none, and the cookie's user sees their own private scripts */
	T_EQ(it_request(&r, "GET", "/api/scripts?mine=true", NULL, 0, NULL, h1), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
	T_EQ(it_request(&r, "DELETE", path, NULL, 0, NULL, h2), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
}

/* The owner renamed, then deleted: every worker's cached copies follow. */
static void
test_owner_renamed_or_deleted_reaches_every_worker(void)
{
	struct acct erin;
	long long id;
	char path[64], list[96], body[160], renamed[80];

	T_EQ(acct_register(&erin, "lerin"), 0);
	id = new_script(erin.token, "owned by erin", true);
	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	snprintf(list, sizeof(list), "/api/scripts?userId=%lld", erin.id);
	T_EQ(every_worker(path, NULL, 200, erin.name, NULL), 0);
	T_EQ(every_worker(list, NULL, 200, erin.name, NULL), 0);
	snprintf(renamed, sizeof(renamed), "%sx", erin.name);
	snprintf(body, sizeof(body), "{\"username\":\"%s\"}", renamed);
	T_EQ(status_of("PUT", "/api/auth/user", erin.token, body), 200);
	snprintf(body, sizeof(body), "\"username\":\"%s\"", renamed);
	T_EQ(every_worker(path, NULL, 200, body, NULL), 0);
	T_EQ(every_worker(list, NULL, 200, body, NULL), 0);
	snprintf(body, sizeof(body), "/api/users/%lld", erin.id);
	T_EQ(status_of("DELETE", body, admin.token, NULL), 200);
	T_EQ(every_worker(path, NULL, 404, NULL, NULL), 0);
	T_EQ(every_worker(list, NULL, 200, "\"total\":0", NULL), 0);
}

/* gz_get: GET path asking for gzip; the body decoded (caller frees), or NULL (with a "# "
 * line) when the answer was not 200 and gzip-encoded or did not decode. */
static char *
gz_get(const char *path)
{
	bool gzipped = false;
	size_t n;
	char *out = it_get_gzip(path, NULL, &n, &gzipped);

	if (out != NULL && !gzipped) {
		printf("#   %s: not gzip-encoded\n", path);
		free(out);
		out = NULL;
	}
	return out;
}

/* Cached answers go gzip-encoded to the clients that ask (a browser, axios, curl --compressed),
 * each compressed once per worker: they decode to the identity answer, and a write is seen at
 * once in them too, on every worker. */
static void
test_cached_answers_are_gzipped_for_clients_that_ask(void)
{
	struct it_resp r;
	char path[64], content[4096], body[4400], *gz;
	long long id;
	int stale = 0;

	/* a script long enough to be worth compressing (HTTP_GZIP_MIN) */
	snprintf(content, sizeof(content), "# %s\n", uniq("gz"));
	for (int i = 0; i < 40; i++)
		snprintf(content + strlen(content), sizeof(content) - strlen(content),
		    "Get-ChildItem -Path /var/log/app%d -Recurse | Remove-Item\n", i);
	T_EQ(create(alice.token, script_body("compressed on the wire", content, true), &id, NULL), 201);
	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	T_EQ(it_json(&r, "GET", path, NULL, NULL), 0);	/* fills the entry */
	T_EQ(r.status, 200);
	T_ASSERT(r.len > 1024);
	T_ASSERT(it_header(&r, "content-encoding") == NULL);
	T_ASSERT(strstr(r.headers, "vary: Accept-Encoding") != NULL);
	for (int i = 0; i < 12; i++) {	/* every worker: compressed, then from its memo */
		gz = gz_get(path);
		T_ASSERT(gz != NULL && strcmp(gz, r.body) == 0);
		free(gz);
	}
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"title\":\"%s\"}", uniq("recompressed"));
	T_EQ(status_of("PUT", path, alice.token, body), 200);
	for (int i = 0; i < 12; i++) {
		gz = gz_get(path);
		if (gz == NULL || strstr(gz, "\"recompressed") == NULL)
			stale++;
		free(gz);
	}
	T_EQ(stale, 0);
}

/* Repeated reads are answered from the workers' hot copies (no Redis round trip): of 24
 * reads of one script one misses and each worker (PARALLEL of them) makes one Redis GET. */
static void
test_repeated_reads_are_answered_from_hot_copies(void)
{
	long long id = new_script(alice.token, "read again and again", true), before, after;
	char path[64];

	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	/* the job runner's writes (the new script's embedding, whose invalidation moves the
	 * shared generation) end first, or they would make some of the reads below misses */
	T_STREQ(it_poll_sql("SELECT count(*) FROM jobs WHERE status = 'running' OR "
	    "(status = 'queued' AND run_at <= now())", "0", 30), "0");
	T_ASSERT((before = it_hot_hits()) >= 0);
	for (int i = 0; i < 24; i++)
		T_EQ(get_status(path, NULL), 200);
	after = it_hot_hits();
	T_ASSERTF(after - before >= 24 - 1 - PARALLEL, "hot hits: %lld of 24 reads", after - before);
	/* and a write is seen at once, by every worker */
	T_EQ(status_of("PUT", path, alice.token, "{\"title\":\"read once more\"}"), 200);
	T_EQ(every_worker(path, NULL, 200, "read once more", NULL), 0);
}

/* A user deleted from the command line: with the shared generation file (as the stack's
 * configuration has it) every worker's copies go at once; a writer that cannot map it
 * (here: CACHE_SHARED_FILE emptied for the command) reaches them by NOTIFY, a moment later. */
static void
cli_delete_round(const char *env, bool at_once)
{
	struct acct u;
	long long id;
	char path[64];
	int bad = 1;

	T_EQ(acct_register(&u, "lcli"), 0);
	id = new_script(u.token, "owned by a user the CLI deletes", true);
	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	T_EQ(every_worker(path, NULL, 200, NULL, NULL), 0);
	T_EQ(every_worker(path, NULL, 200, NULL, NULL), 0);	/* hot everywhere */
	T_EQ(it_run("%s \"$PSS_BIN/psscript\" user delete %s >/dev/null", env, u.name), 0);
	for (int i = 0; i < 40 && (bad = every_worker(path, NULL, 404, NULL, NULL)) != 0; i++) {
		T_ASSERT(!at_once);
		usleep(50000);
	}
	T_EQ(bad, 0);
}

static void
test_cli_user_delete_reaches_every_worker(void)
{
	cli_delete_round("", true);
	cli_delete_round("CACHE_SHARED_FILE=", false);
}

/*
 * Read-after-write on every worker: each read is made by PARALLEL processes at once, after
 * the workers have cached the old answer.
 */
static void
read_after_write_round(const char *label)
{
	long long id;
	char path[96], list[160], search[160], title[96], cats[64], word[48];
	struct json_object *o;

	snprintf(word, sizeof(word), "raw%d%s", (int)getpid(), label);
	snprintf(title, sizeof(title), "%s before", word);
	o = script_body(title, uniq("Get-Uptime # "), true);
	json_object_object_add(o, "categoryId", json_object_new_int(8));
	T_EQ(create(alice.token, o, &id, NULL), 201);
	snprintf(path, sizeof(path), "/api/scripts/%lld", id);
	snprintf(list, sizeof(list), "/api/scripts?userId=%lld&limit=100", alice.id);
	snprintf(search, sizeof(search), "/api/scripts/search?q=%s", word);
	snprintf(cats, sizeof(cats), "/api/categories/8/scripts");
	/* warm every worker's copy */
	T_EQ(every_worker(path, NULL, 200, "before", NULL), 0);
	T_EQ(every_worker(list, bob.token, 200, title, NULL), 0);
	T_EQ(every_worker(search, NULL, 200, title, NULL), 0);
	T_EQ(every_worker(cats, NULL, 200, title, NULL), 0);
	/* update: the new title everywhere */
	T_EQ(status_of("PUT", path, alice.token, "{\"title\":\"after the update\"}"), 200);
	T_EQ(every_worker(path, NULL, 200, "after the update", "before"), 0);
	T_EQ(every_worker(list, bob.token, 200, "after the update", title), 0);
	T_EQ(every_worker(search, NULL, 200, "\"total\":0", NULL), 0);
	T_EQ(every_worker(cats, NULL, 200, "after the update", title), 0);
	/* execute: the counts */
	snprintf(list, sizeof(list), "%s/execute", path);
	T_EQ(status_of("POST", list, bob.token, "{\"executionTime\":5}"), 200);
	T_EQ(every_worker(path, NULL, 200, "\"executionCount\":1", NULL), 0);
	snprintf(list, sizeof(list), "/api/scripts?userId=%lld&limit=100", alice.id);
	/* made private: gone for others on every worker, still there for the owner */
	T_EQ(status_of("PUT", path, alice.token, "{\"isPublic\":false}"), 200);
	T_EQ(every_worker(path, NULL, 404, NULL, NULL), 0);
	T_EQ(every_worker(path, bob.token, 404, NULL, NULL), 0);
	T_EQ(every_worker(path, alice.token, 200, "after the update", NULL), 0);
	T_EQ(every_worker(list, bob.token, 200, NULL, "after the update"), 0);
	/* revert and a content change are seen too */
	snprintf(list, sizeof(list), "%s/revert/1", path);
	T_EQ(status_of("POST", list, alice.token, NULL), 200);
	T_EQ(every_worker(path, alice.token, 200, "\"version\":2", NULL), 0);
	/* deleted: 404 everywhere, out of every list */
	T_EQ(status_of("DELETE", path, alice.token, NULL), 200);
	T_EQ(every_worker(path, alice.token, 404, NULL, NULL), 0);
	snprintf(list, sizeof(list), "/api/scripts?userId=%lld&limit=100", alice.id);
	T_EQ(every_worker(list, alice.token, 200, NULL, "after the update"), 0);
	T_EQ(every_worker(cats, NULL, 200, NULL, "after the update"), 0);
}

static void
test_read_after_write_on_every_worker_with_redis_up(void)
{
	read_after_write_round("up");
}

static void
test_read_after_write_on_every_worker_with_redis_stopped(void)
{
	T_EQ(it_harness("redis-stop"), 0);
	sleep(3);	/* the workers' health check (1 s in the harness) notices */
	read_after_write_round("down");
	T_EQ(it_harness("redis-start"), 0);
	sleep(3);
	/* and back on Redis: still right */
	read_after_write_round("back");
}

/* The database away: 503 with Retry-After (a read nobody has cached). */
static void
test_database_down_is_503_with_retry_after(void)
{
	struct it_resp r;
	char path[96];

	snprintf(path, sizeof(path), "/api/scripts?tag=%s", uniq("never"));
	T_EQ(it_harness("pg-stop"), 0);
	T_EQ(it_json(&r, "GET", path, NULL, NULL), 0);
	check_error(&r, 503, "unavailable");
	T_ASSERT(it_header(&r, "retry-after") != NULL);
	it_resp_free(&r);
	T_EQ(it_harness("pg-start"), 0);
	for (int i = 0; i < 40 && get_status(path, NULL) != 200; i++)
		usleep(250000);
	T_EQ(get_status(path, NULL), 200);
}

int
main(void)
{
	it_init();
	T_RUN(test_setup_accounts);
	T_RUN(test_create_returns_the_script_with_version_1_and_lower_cased_tags);
	T_RUN(test_create_refuses_bad_input);
	T_RUN(test_same_content_is_409_duplicate_file_with_the_existing_id);
	T_RUN(test_visibility_matrix_over_every_script_endpoint);
	T_RUN(test_cached_answers_are_the_bytes_of_the_first);
	T_RUN(test_bad_ids_are_400_and_missing_ones_404);
	T_RUN(test_list_parameters_are_validated);
	T_RUN(test_search_work_is_bounded);
	T_RUN(test_small_library_rules);
	T_RUN(test_filters_mine_tag_category_and_sort);
	T_RUN(test_cursor_pages_walk_every_script_once);
	T_RUN(test_keyword_search_ranks_title_over_content_with_safe_snippets);
	T_RUN(test_search_snippet_window_and_negated_stop_word);
	T_RUN(test_versions_update_compare_and_revert);
	T_RUN(test_execute_records_and_returns_a_quoted_command);
	T_RUN(test_bulk_delete_and_update_are_all_or_nothing);
	T_RUN(test_download_is_an_attachment_named_after_the_title);
	T_RUN(test_categories_with_counts_admin_writes_and_set_null);
	T_RUN(test_tags_lower_case_autocomplete_and_admin_delete);
	T_RUN(test_cookie_sessions_need_the_csrf_token);
	T_RUN(test_owner_renamed_or_deleted_reaches_every_worker);
	T_RUN(test_repeated_reads_are_answered_from_hot_copies);
	T_RUN(test_cached_answers_are_gzipped_for_clients_that_ask);
	T_RUN(test_cli_user_delete_reaches_every_worker);
	T_RUN(test_read_after_write_on_every_worker_with_redis_up);
	T_RUN(test_read_after_write_on_every_worker_with_redis_stopped);
	T_RUN(test_database_down_is_503_with_retry_after);
	return t_done();
}
