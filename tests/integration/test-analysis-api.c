/* test-analysis-api.c: the analysis endpoints through nginx (issue 13 item 1): the stored
 * analysis and its state, analyse now and queued, ad-hoc analysis with its size and text
 * checks and its gzip encoding, the exports (JSON, SARIF 2.1.0, HTML, Markdown) with hostile
 * text, the visibility matrix of each endpoint, and the analysis:{id} cache dropped by a
 * content change */
#include "config.h"

#include <sys/stat.h>
#include <time.h>

#include "itest-auth.h"

static struct acct admin, alice, bob;
static int seq;

#define HOSTILE "<img src=x onerror=alert(1)>"

/* Text unique to this run. */
static const char *
uniq(const char *prefix)
{
	static char b[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(b[k], sizeof(b[k]), "%s%d_%d", prefix, (int)getpid(), ++seq);
	return b[k];
}

/* A new script of token's (not analysed), its id; fails the test when none was made. */
static long long
new_script(const char *token, const char *title, const char *content, bool pub)
{
	long long id = it_script_new(token, title, content, pub);

	T_ASSERTF(id > 0, "create %s", title);
	return id;
}

/* POST /api/scripts/analyze with {content, fileName?}: the answer (caller frees). */
static struct it_resp
adhoc(const char *content, size_t len, const char *name)
{
	struct json_object *o = json_object_new_object();
	struct it_resp r;
	const char *s;
	size_t n;

	json_object_object_add(o, "content", json_object_new_string_len(content, (int)len));
	if (name != NULL)
		json_object_object_add(o, "fileName", json_object_new_string(name));
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &n);
	if (it_request(&r, "POST", "/api/scripts/analyze", s, n, "application/json", NULL) != 0)
		memset(&r, 0, sizeof(r));
	json_object_put(o);
	return r;
}

/* The details of a 400 name field. */
static void
check_field(const struct it_resp *r, const char *field)
{
	check_error(r, 400, "validation_error");
	T_STREQ(it_str(r, "details.0.field"), field);
}

static void
test_setup_accounts(void)
{
	T_EQ(acct_admin(&admin, "aadm"), 0);
	T_EQ(acct_register(&alice, "aalice"), 0);
	T_EQ(acct_register(&bob, "abob"), 0);
}

static void
test_adhoc_analyses_and_stores_nothing(void)
{
	char before[32], sbefore[32], content[256];
	struct it_resp r;
	struct json_object *an;

	snprintf(before, sizeof(before), "%s", it_psql("SELECT count(*) FROM script_analysis") ?: "");
	snprintf(sbefore, sizeof(sbefore), "%s", it_psql("SELECT count(*) FROM scripts") ?: "");
	snprintf(content, sizeof(content), "$x = Read-Host\nInvoke-Expression $x\n# %s\n", uniq("adhoc"));
	r = adhoc(content, strlen(content), "probe.ps1");
	T_ASSERTF(r.status == 200, "adhoc: %ld %.300s", r.status, r.body);
	T_STREQ(it_str(&r, "success"), "true");
	T_ASSERT(r.json != NULL && json_object_object_get_ex(r.json, "analysis", &an));
	T_ASSERT(it_str(&r, "analysis.securityScore") != NULL);
	T_ASSERT(it_str(&r, "analysis.riskScore") != NULL);
	T_ASSERT(it_str(&r, "analysis.provider") != NULL);
	T_ASSERT(it_str(&r, "analysis.analysisVersion") != NULL);
	T_ASSERT(it_str(&r, "analysis.id") == NULL && it_str(&r, "analysis.scriptId") == NULL);
	T_ASSERT(it_str(&r, "analysis.createdAt") == NULL);
	/* Invoke-Expression of user input is a security finding on line 2 */
	T_STREQ(it_str(&r, "analysis.securityIssues.0.line"), "2");
	T_ASSERT(it_str(&r, "analysis.securityIssues.0.ruleId") != NULL);
	it_resp_free(&r);
	/* .psm1 and .psd1 are script files too; no name is fine */
	r = adhoc(content, strlen(content), "Module.PSM1");
	T_EQ(r.status, 200);
	it_resp_free(&r);
	r = adhoc(content, strlen(content), NULL);
	T_EQ(r.status, 200);
	it_resp_free(&r);
	T_STREQ(it_psql("SELECT count(*) FROM script_analysis"), before);
	T_STREQ(it_psql("SELECT count(*) FROM scripts"), sbefore);
}

/* The ad-hoc analysis goes gzip-encoded to a client that asks (as a browser does), as the
 * same bytes as without, with Vary; counted in /metrics; never to one that does not ask or
 * refuses it (q=0). */
static void
test_adhoc_answer_is_gzipped_for_clients_that_ask(void)
{
	const char *gz[] = { "Accept-Encoding: gzip, deflate, br", NULL };
	const char *refused[] = { "Accept-Encoding: gzip;q=0, identity", NULL };
	struct json_object *o = json_object_new_object();
	struct it_resp plain, r;
	struct buf content = BUF_INIT;
	long long before = it_metric("psscript_gzip_uncached_total");
	const char *s;
	char *body;
	size_t n, len;

	buf_printf(&content, "# %s\n", uniq("gz"));
	for (int i = 0; i < 60; i++)
		buf_printf(&content, "Write-Host \"step %d\"; Invoke-Expression \"Get-Date # %d\"\n", i, i);
	json_object_object_add(o, "content", json_object_new_string(buf_cstr(&content)));
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &n);
	T_EQ(it_request(&plain, "POST", "/api/scripts/analyze", s, n, "application/json", NULL), 0);
	T_EQ(plain.status, 200);
	T_ASSERT(it_header(&plain, "content-encoding") == NULL);
	T_ASSERT(plain.len > 4096);
	T_EQ(it_request(&r, "POST", "/api/scripts/analyze", s, n, "application/json", gz), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_header(&r, "content-encoding"), "gzip");
	T_ASSERT(strstr(r.headers, "vary: Accept-Encoding") != NULL);
	T_ASSERTF(r.len * 4 < plain.len, "%zu bytes gzipped against %zu", r.len, plain.len);
	body = it_gunzip(&r, &len);
	T_ASSERT(body != NULL && len == plain.len && memcmp(body, plain.body, len) == 0);
	free(body);
	it_resp_free(&r);
	T_ASSERT(before >= 0 && it_metric("psscript_gzip_uncached_total") >= before + 1);
	T_EQ(it_request(&r, "POST", "/api/scripts/analyze", s, n, "application/json", refused), 0);
	T_EQ(r.status, 200);
	T_ASSERT(it_header(&r, "content-encoding") == NULL);
	T_ASSERT(r.len == plain.len && memcmp(r.body, plain.body, r.len) == 0);
	it_resp_free(&r);
	it_resp_free(&plain);
	json_object_put(o);
	buf_free(&content);
}

static void
test_adhoc_refuses_bad_input_in_the_json_envelope(void)
{
	struct it_resp r;
	size_t big = 1024 * 1024;
	char *s = malloc(11 * big);

	r = adhoc("", 0, NULL);
	check_field(&r, "content");
	it_resp_free(&r);
	r = adhoc(" \n\t\n", 4, NULL);
	check_field(&r, "content");
	it_resp_free(&r);
	r = adhoc("Get-Date\x01", 9, NULL);
	check_field(&r, "content");
	it_resp_free(&r);
	r = adhoc("Get-Date", 8, "notes.txt");
	check_field(&r, "fileName");
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", "/api/scripts/analyze", NULL, "{}"), 0);
	check_field(&r, "content");
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", "/api/scripts/analyze", NULL, "{\"content\": 5}"), 0);
	check_field(&r, "content");
	it_resp_free(&r);
	/* bytes that are not UTF-8 */
	T_EQ(it_request(&r, "POST", "/api/scripts/analyze", "{\"content\": \"Get-Date \xff\xfe\"}", 23,
	    "application/json", NULL), 0);
	check_error(&r, 400, "validation_error");
	it_resp_free(&r);
	/* 1 MB exactly is analysed; one byte more is 413 */
	for (size_t i = 0; i < big; i += 64)	/* 16,384 lines of 64 bytes */
		memcpy(s + i, "Get-ChildItem -Path C:\\Tmp -Recurse | Where-Object Length -gt 0\n", 64);
	r = adhoc(s, big, "big.ps1");
	T_ASSERTF(r.status == 200, "1 MB: %ld %.200s", r.status, r.body);
	it_resp_free(&r);
	s[big] = '\n';
	r = adhoc(s, big + 1, "big.ps1");
	check_error(&r, 413, "payload_too_large");
	it_resp_free(&r);
	/* a body over the application's cap (4 MB) and over nginx's (10 MB): still JSON 413s */
	memset(s, 'a', 11 * big);
	memcpy(s, "{\"content\": \"", 13);
	memcpy(s + 5 * big - 2, "\"}", 2);
	T_EQ(it_request(&r, "POST", "/api/scripts/analyze", s, 5 * big, "application/json", NULL), 0);
	check_error(&r, 413, "payload_too_large");
	it_resp_free(&r);
	memcpy(s + 11 * big - 2, "\"}", 2);
	T_EQ(it_request(&r, "POST", "/api/scripts/analyze", s, 11 * big, "application/json", NULL), 0);
	check_error(&r, 413, "payload_too_large");
	it_resp_free(&r);
	free(s);
}

/* The status each of anonymous, bob, alice (the owner) and the admin gets. */
static void
matrix(const char *method, const char *path, const long want[4])
{
	const char *tokens[4] = { NULL, bob.token, alice.token, admin.token };
	const char *who[4] = { "anonymous", "other user", "owner", "admin" };

	for (int i = 0; i < 4; i++) {
		long st = status_of(method, path, tokens[i], NULL);

		T_ASSERTF(st == want[i], "%s %s as %s: %ld, want %ld", method, path, who[i], st, want[i]);
	}
}

static void
test_visibility_matrix_of_every_analysis_endpoint(void)
{
	long long priv = new_script(alice.token, "matrix private", uniq("Get-Date # "), false);
	long long pub = new_script(alice.token, "matrix public", uniq("Get-Date # "), true);

	/* analyse now: owner or admin; another user's private script does not exist for them */
	matrix("POST", it_script_path(priv, "/analyze"), (const long[]){ 401, 404, 200, 200 });
	matrix("POST", it_script_path(pub, "/analyze"), (const long[]){ 401, 403, 200, 200 });
	matrix("GET", it_script_path(priv, "/analysis"), (const long[]){ 404, 404, 200, 200 });
	matrix("GET", it_script_path(pub, "/analysis"), (const long[]){ 200, 200, 200, 200 });
	for (const char *f = "json\0sarif\0html\0md\0"; *f != '\0'; f += strlen(f) + 1) {
		char tail[64];

		snprintf(tail, sizeof(tail), "/export-analysis?format=%s", f);
		matrix("GET", it_script_path(priv, tail), (const long[]){ 404, 404, 200, 200 });
		matrix("GET", it_script_path(pub, tail), (const long[]){ 200, 200, 200, 200 });
	}
	/* unknown ids: 404 for everyone; not an id: 400 */
	matrix("GET", "/api/scripts/2147483000/analysis", (const long[]){ 404, 404, 404, 404 });
	matrix("POST", "/api/scripts/2147483000/analyze", (const long[]){ 401, 404, 404, 404 });
	matrix("GET", "/api/scripts/2147483000/export-analysis", (const long[]){ 404, 404, 404, 404 });
	matrix("GET", "/api/scripts/abc/analysis", (const long[]){ 400, 400, 400, 400 });
	/* the analysis answer: {success, analysis, analysisState} */
	{
		struct it_resp r;

		T_EQ(it_json(&r, "GET", it_script_path(pub, "/analysis"), NULL, NULL), 0);
		T_STREQ(it_str(&r, "success"), "true");
		T_EQ(strtoll(it_str(&r, "analysis.scriptId") ?: "0", NULL, 10), pub);
		T_STREQ(it_str(&r, "analysisState.status"), "done");
		T_ASSERT(it_str(&r, "analysis.createdAt") != NULL);
		it_resp_free(&r);
	}
}

/* GET /analysis of id as alice: the 404's state status, or the 200's. */
static struct it_resp
analysis_of(long long id)
{
	struct it_resp r;

	if (it_json(&r, "GET", it_script_path(id, "/analysis"), alice.token, NULL) != 0)
		memset(&r, 0, sizeof(r));
	return r;
}

static void
test_no_analysis_is_404_with_the_state(void)
{
	long long id = new_script(alice.token, "stateful", uniq("Get-Date # "), false);
	char sql[512];
	struct it_resp r;

	r = analysis_of(id);
	check_error(&r, 404, "analysis_not_found");
	T_STREQ(it_str(&r, "details.analysisState.status"), "none");
	it_resp_free(&r);
	/* a re-analysis that waits (due in an hour, so the job runner leaves it; under the
	 * dedup key library_analysis_queue uses): queued */
	snprintf(sql, sizeof(sql), "INSERT INTO jobs (type, payload, run_at, dedup_key) VALUES"
	    " ('analysis.run', '{\"scriptId\": %lld}', now() + interval '1 hour', 'analysis.run:%lld')"
	    " RETURNING id", id, id);
	T_ASSERT(it_psql(sql) != NULL);
	r = analysis_of(id);
	check_error(&r, 404, "analysis_not_found");
	T_STREQ(it_str(&r, "details.analysisState.status"), "queued");
	T_ASSERT(it_str(&r, "details.analysisState.queuedAt") != NULL);
	it_resp_free(&r);
	/* the script carries the same state */
	T_EQ(it_json(&r, "GET", it_script_path(id, ""), alice.token, NULL), 0);
	T_STREQ(it_str(&r, "script.analysisState.status"), "queued");
	it_resp_free(&r);
	/* queue again: nothing new, one job is waiting already */
	T_EQ(it_json(&r, "POST", it_script_path(id, "/analyze?async=true"), alice.token, NULL), 0);
	T_EQ(r.status, 202);
	T_STREQ(it_str(&r, "queued"), "false");
	T_STREQ(it_str(&r, "analysisState.status"), "queued");
	it_resp_free(&r);
	/* running, then failed with its reason */
	snprintf(sql, sizeof(sql), "UPDATE jobs SET status = 'running', locked_at = now(),"
	    " heartbeat_at = now() + interval '1 hour', locked_by = 'test'"
	    " WHERE type = 'analysis.run' AND payload->>'scriptId' = '%lld' RETURNING id", id);
	T_ASSERT(it_psql(sql) != NULL);
	r = analysis_of(id);
	T_STREQ(it_str(&r, "details.analysisState.status"), "running");
	T_ASSERT(it_str(&r, "details.analysisState.startedAt") != NULL);
	it_resp_free(&r);
	snprintf(sql, sizeof(sql), "UPDATE jobs SET status = 'failed', finished_at = now(),"
	    " last_error = 'the analyzer gave up <b>' WHERE type = 'analysis.run'"
	    " AND payload->>'scriptId' = '%lld' RETURNING id", id);
	T_ASSERT(it_psql(sql) != NULL);
	r = analysis_of(id);
	check_error(&r, 404, "analysis_not_found");
	T_STREQ(it_str(&r, "details.analysisState.status"), "failed");
	T_STREQ(it_str(&r, "details.analysisState.error"), "the analyzer gave up <b>");
	it_resp_free(&r);
	/* analysed now: done, and the failure is history */
	T_EQ(it_json(&r, "POST", it_script_path(id, "/analyze"), alice.token, NULL), 0);
	T_EQ(r.status, 200);
	T_EQ(strtoll(it_str(&r, "analysis.scriptId") ?: "0", NULL, 10), id);
	it_resp_free(&r);
	r = analysis_of(id);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "analysisState.status"), "done");
	it_resp_free(&r);
	/* the export of a script without an analysis */
	id = new_script(alice.token, "unanalysed", uniq("Get-Date # "), true);
	T_EQ(it_json(&r, "GET", it_script_path(id, "/export-analysis?format=md"), NULL, NULL), 0);
	check_error(&r, 404, "analysis_not_found");
	it_resp_free(&r);
}

static void
test_analyze_async_queues_a_job(void)
{
	long long id = new_script(alice.token, "async", uniq("Get-Date # "), false);
	char sql[256];
	struct it_resp r;

	T_EQ(it_json(&r, "POST", it_script_path(id, "/analyze?async=true"), alice.token, NULL), 0);
	T_EQ(r.status, 202);
	T_STREQ(it_str(&r, "queued"), "true");
	it_resp_free(&r);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM jobs WHERE type = 'analysis.run'"
	    " AND payload->>'scriptId' = '%lld'", id);
	T_STREQ(it_psql(sql), "1");
	T_EQ(status_of("POST", it_script_path(id, "/analyze?async=maybe"), alice.token, NULL), 400);
	T_EQ(status_of("POST", it_script_path(id, "/analyze?async=true"), bob.token, NULL), 404);
}

/* Polls GET /analysis until it is done with securityIssues containing needle (or not, with
 * want false); true when it got there within 20 s. */
static bool
wait_analysis(long long id, const char *needle, bool want)
{
	for (int i = 0; i < 200; i++) {
		struct it_resp r = analysis_of(id);
		bool done = r.status == 200 && it_str(&r, "analysisState.status") != NULL &&
		    strcmp(it_str(&r, "analysisState.status"), "done") == 0;
		bool has = r.body != NULL && strstr(r.body, needle) != NULL;

		it_resp_free(&r);
		if (done && has == want)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

static void
test_content_change_drops_the_cached_analysis(void)
{
	char content[256], body[512];
	long long id;
	struct it_resp r1, r2;

	snprintf(content, sizeof(content), "Get-Date\n# %s\n", uniq("cache"));
	id = new_script(alice.token, "cached analysis", content, false);
	T_EQ(status_of("POST", it_script_path(id, "/analyze"), alice.token, NULL), 200);
	/* twice the same bytes: the second from analysis:{id} */
	r1 = analysis_of(id);
	r2 = analysis_of(id);
	T_EQ(r1.status, 200);
	T_ASSERT(r1.len == r2.len && memcmp(r1.body, r2.body, r1.len) == 0);
	T_ASSERT(strstr(r1.body, "Invoke-Expression") == NULL);
	it_resp_free(&r1);
	it_resp_free(&r2);
	/* the cached entry carries the script's visibility: still 404 for bob */
	T_EQ(status_of("GET", it_script_path(id, "/analysis"), bob.token, NULL), 404);
	snprintf(body, sizeof(body), "{\"content\": \"$c = Read-Host\\nInvoke-Expression $c\\n# %s\\n\"}",
	    uniq("changed"));
	T_EQ(status_of("PUT", it_script_path(id, ""), alice.token, body), 200);
	/* the job runner re-analyses the new content; the cached analysis of the old one must
	 * not hide it for 600 s */
	T_ASSERTF(wait_analysis(id, "Invoke-Expression", true),
	    "the analysis of the new content never showed");
	/* made public: anonymous readers see it at once */
	T_EQ(status_of("PUT", it_script_path(id, ""), alice.token, "{\"isPublic\": true}"), 200);
	T_EQ(status_of("GET", it_script_path(id, "/analysis"), NULL, NULL), 200);
	/* deleted: gone for everyone, the owner too */
	T_EQ(status_of("DELETE", it_script_path(id, ""), alice.token, NULL), 200);
	T_EQ(status_of("GET", it_script_path(id, "/analysis"), NULL, NULL), 404);
	T_EQ(status_of("GET", it_script_path(id, "/analysis"), alice.token, NULL), 404);
}

/* GET .../analysis as token with extra header lines h (NULL-terminated, may be NULL). */
static struct it_resp
analysis_as(long long id, const char *token, const char *h1)
{
	struct it_resp r;
	char auth[160];
	const char *h[3] = { NULL, NULL, NULL };
	size_t n = 0;

	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h[n++] = auth;
	}
	h[n] = h1;
	if (it_request(&r, "GET", it_script_path(id, "/analysis"), NULL, 0, NULL, h) != 0)
		memset(&r, 0, sizeof(r));
	return r;
}

#define AXIOS "Accept: application/json, text/plain, */*"

/* The cached read (analysis:{id} answered from its bytes): the API.md form by default and the
 * original frontend's flat form with axios's Accept, another user's private script 404 without
 * a hint on both paths, and never an older analysis: right after "analyse now" the read is
 * the new one (while an analysis changed by SQL behind the cache's back still shows the cached
 * bytes: the read was a hit), right after a content change it shows the queued job. */
static void
test_cached_read_is_fresh_and_keeps_visibility(void)
{
	char content[256], body[512];
	const char *st;
	struct it_resp r1, r2, r, now;
	long long id;

	snprintf(content, sizeof(content), "Get-Date\n# %s\n", uniq("fresh"));
	id = new_script(alice.token, "fresh cached analysis", content, false);
	T_EQ(status_of("POST", it_script_path(id, "/analyze"), alice.token, NULL), 200);
	r1 = analysis_as(id, alice.token, NULL);
	r2 = analysis_as(id, alice.token, NULL);
	T_EQ(r1.status, 200);
	T_ASSERT(r1.len == r2.len && r1.len > 0 && memcmp(r1.body, r2.body, r1.len) == 0);
	/* API.md's form: {success, analysis, analysisState}, nothing at the top level besides */
	T_ASSERT(it_str(&r1, "analysis.purpose") != NULL);
	T_ASSERT(it_str(&r1, "purpose") == NULL && it_str(&r1, "code_quality_score") == NULL);
	T_STREQ(it_str(&r1, "analysisState.status"), "done");
	it_resp_free(&r2);
	/* the original frontend's form, from the same entry's text: the same bytes as built
	 * from the row (the entry dropped from Redis, and a write, which moves the shared
	 * generation, makes the workers' hot copies stale: the first read misses) */
	T_EQ(it_run("redis-cli -p \"$REDISPORT\" DEL analysis:%lld >/dev/null", id), 0);
	T_ASSERT(new_script(bob.token, "a write", uniq("Get-Date # "), false) > 0);
	r = analysis_as(id, alice.token, AXIOS);
	r2 = analysis_as(id, alice.token, AXIOS);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "purpose"), it_str(&r1, "analysis.purpose"));
	T_STREQ(it_str(&r, "code_quality_score"), it_str(&r1, "analysis.codeQualityScore"));
	T_STREQ(it_str(&r, "risk_score"), it_str(&r1, "analysis.riskScore"));
	T_ASSERT(it_str(&r, "analysis.id") != NULL && it_str(&r, "analysisState.status") != NULL);
	T_ASSERTF(r.len == r2.len && r.len > 0 && memcmp(r.body, r2.body, r.len) == 0,
	    "the flat form from the entry differs: %.300s", r2.body ? r2.body : "");
	it_resp_free(&r);
	it_resp_free(&r2);
	r = analysis_as(id, alice.token, NULL);	/* the entry again, the same bytes as before */
	T_ASSERT(r.len == r1.len && memcmp(r.body, r1.body, r1.len) == 0);
	it_resp_free(&r);

	/* visibility on the fast path: bob and anonymous 404 with nothing of the script */
	for (int i = 0; i < 4; i++) {
		r = analysis_as(id, i % 2 ? bob.token : NULL, i < 2 ? NULL : AXIOS);
		T_EQ(r.status, 404);
		T_STREQ(it_str(&r, "error"), "not_found");
		T_ASSERT(r.body != NULL && strstr(r.body, "fresh") == NULL &&
		    strstr(r.body, "purpose") == NULL && strstr(r.body, "analysisState") == NULL);
		it_resp_free(&r);
	}
	r = analysis_as(id, admin.token, NULL);
	T_EQ(r.status, 200);
	T_ASSERT(r.len == r1.len && memcmp(r.body, r1.body, r1.len) == 0);
	it_resp_free(&r);

	/* a change behind the cache's back (no invalidation) is not seen: the read is a hit */
	T_STREQ(it_psqlf("UPDATE script_analysis SET purpose = 'sql marker' WHERE script_id = %lld"
	    " RETURNING 1", id), "1");
	r = analysis_as(id, alice.token, NULL);
	T_ASSERT(r.len == r1.len && memcmp(r.body, r1.body, r1.len) == 0);
	it_resp_free(&r);
	/* analysed again: the next read is the new analysis (its updatedAt), on both paths */
	T_EQ(it_json(&now, "POST", it_script_path(id, "/analyze"), alice.token, NULL), 0);
	T_EQ(now.status, 200);
	T_ASSERT(it_str(&now, "analysis.updatedAt") != NULL);
	T_ASSERT(strcmp(it_str(&now, "analysis.updatedAt") ? it_str(&now, "analysis.updatedAt") : "",
	    it_str(&r1, "analysis.updatedAt") ? it_str(&r1, "analysis.updatedAt") : "") != 0);
	for (int i = 0; i < 2; i++) {
		r = analysis_as(id, alice.token, i ? AXIOS : NULL);
		T_EQ(r.status, 200);
		T_STREQ(it_str(&r, "analysis.updatedAt"), it_str(&now, "analysis.updatedAt"));
		T_ASSERT(r.body != NULL && strstr(r.body, "sql marker") == NULL);
		it_resp_free(&r);
	}
	it_resp_free(&r1);
	r1 = analysis_as(id, alice.token, NULL);	/* cached again */
	it_resp_free(&now);

	/* the content changed: the next read is not the cached analysis of the old content */
	snprintf(body, sizeof(body), "{\"content\": \"$c = Read-Host\\nInvoke-Expression $c\\n# %s\\n\"}",
	    uniq("fresh changed"));
	T_EQ(status_of("PUT", it_script_path(id, ""), alice.token, body), 200);
	r = analysis_as(id, alice.token, NULL);
	T_EQ(r.status, 200);
	T_ASSERT(r.len != r1.len || memcmp(r.body, r1.body, r1.len) != 0);
	st = it_str(&r, "analysisState.status");
	T_ASSERTF(st != NULL && (strcmp(st, "queued") == 0 || strcmp(st, "running") == 0 ||
	    (strcmp(st, "done") == 0 && strstr(r.body, "Invoke-Expression") != NULL)),
	    "after the change: %s", st ? st : "(none)");
	it_resp_free(&r);
	it_resp_free(&r1);
	T_ASSERTF(wait_analysis(id, "Invoke-Expression", true),
	    "the analysis of the new content never showed");
	/* still private on the fast path after all this */
	T_EQ(status_of("GET", it_script_path(id, "/analysis"), bob.token, NULL), 404);
}

static void
test_deleted_owner_takes_the_cached_analysis_along(void)
{
	struct acct carol;
	long long id;
	char path[64];

	T_EQ(acct_register(&carol, "acarol"), 0);
	id = new_script(carol.token, "carol's", uniq("Get-Date # "), true);
	T_EQ(status_of("POST", it_script_path(id, "/analyze"), carol.token, NULL), 200);
	T_EQ(status_of("GET", it_script_path(id, "/analysis"), NULL, NULL), 200);	/* now cached */
	snprintf(path, sizeof(path), "/api/users/%lld", carol.id);
	T_EQ(status_of("DELETE", path, admin.token, NULL), 200);
	T_EQ(status_of("GET", it_script_path(id, "/analysis"), NULL, NULL), 404);
	T_EQ(status_of("GET", it_script_path(id, "/analysis"), admin.token, NULL), 404);
}

/* The export of id in fmt, as alice. */
static struct it_resp
export(long long id, const char *fmt)
{
	struct it_resp r;
	char tail[64];

	snprintf(tail, sizeof(tail), "/export-analysis?format=%s", fmt);
	if (it_json(&r, "GET", it_script_path(id, tail), alice.token, NULL) != 0)
		memset(&r, 0, sizeof(r));
	return r;
}

/* The export of id in fmt, as alice, asked with Accept-Encoding: gzip: 1 when it came
 * gzip-encoded and decodes to want, 0 when it came as want itself, -1 otherwise. */
static int
export_gzipped(long long id, const char *fmt, const struct it_resp *want)
{
	char tail[64], *got;
	bool gzipped = false;
	size_t n = 0;
	int rc;

	snprintf(tail, sizeof(tail), "/export-analysis?format=%s", fmt);
	got = it_get_gzip(it_script_path(id, tail), alice.token, &n, &gzipped);
	rc = got != NULL && n == want->len && memcmp(got, want->body, n) == 0 ? gzipped : -1;
	free(got);
	return rc;
}

static long long hostile_id;
static char hostile_content[256];

static void
test_exports_are_attachments_named_after_the_script(void)
{
	char content[256];
	struct it_resp r;
	static const char *const fmts[][3] = {
		{ "json", "application/json; charset=utf-8", "-analysis.json\"" },
		{ "sarif", "application/sarif+json; charset=utf-8", "-analysis.sarif\"" },
		{ "html", "text/html; charset=utf-8", "-analysis.html\"" },
		{ "md", "text/markdown; charset=utf-8", "-analysis.md\"" },
	};

	snprintf(content, sizeof(content), "$p = Read-Host\nInvoke-Expression \"Write-Host '" HOSTILE
	    "' $p\"\n# ``` %s\n", uniq("export"));
	snprintf(hostile_content, sizeof(hostile_content), "%s", content);
	hostile_id = new_script(alice.token, "Report " HOSTILE, content, false);
	T_EQ(status_of("POST", it_script_path(hostile_id, "/analyze"), alice.token, NULL), 200);
	for (size_t i = 0; i < PSS_ARRAY_LEN(fmts); i++) {
		r = export(hostile_id, fmts[i][0]);
		T_ASSERTF(r.status == 200, "%s: %ld %.200s", fmts[i][0], r.status, r.body);
		T_STREQ(it_header(&r, "content-type"), fmts[i][1]);
		T_CONTAINS(it_header(&r, "content-disposition"), "attachment; filename=\"Report_img_src_x");
		T_CONTAINS(it_header(&r, "content-disposition"), fmts[i][2]);
		T_STREQ(it_header(&r, "cache-control"), "private, no-store");
		/* gzip-encoded for a client that asks, once worth it (1 KB), the same bytes */
		T_EQ(export_gzipped(hostile_id, fmts[i][0], &r), r.len >= 1024 ? 1 : 0);
		it_resp_free(&r);
	}
	/* no format: json; an unknown one: 400 naming format */
	T_EQ(it_json(&r, "GET", it_script_path(hostile_id, "/export-analysis"), alice.token, NULL), 0);
	T_EQ(r.status, 200);
	T_ASSERT(r.json != NULL);
	T_EQ(strtoll(it_str(&r, "scriptId") ?: "0", NULL, 10), hostile_id);
	it_resp_free(&r);
	r = export(hostile_id, "pdf");
	check_field(&r, "format");
	it_resp_free(&r);
	r = export(hostile_id, "JSON");
	check_field(&r, "format");
	it_resp_free(&r);
}

/* Writes the body of r to a temporary file; returns its path (static). */
static const char *
save(const struct it_resp *r, const char *suffix)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/pss-analysis-%d%s", (int)getpid(), suffix);
	if ((f = fopen(path, "wb")) == NULL)
		return NULL;
	fwrite(r->body, 1, r->len, f);
	fclose(f);
	return path;
}

static void
test_sarif_export_is_the_clis_sarif_2_1_0(void)
{
	struct it_resp r = export(hostile_id, "sarif");
	struct json_object *runs, *run, *results, *res, *loc, *v;
	const char *file, *val;
	int rc;
	char cwd[512];

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		cwd[0] = '\0';

	T_EQ(r.status, 200);
	T_ASSERT(r.json != NULL);
	T_STREQ(it_str(&r, "version"), "2.1.0");
	T_CONTAINS(it_str(&r, "$schema"), "sarif-schema-2.1.0");
	T_ASSERT(json_object_object_get_ex(r.json, "runs", &runs) && json_object_array_length(runs) == 1);
	run = json_object_array_get_idx(runs, 0);
	T_ASSERT(json_object_object_get_ex(run, "tool", &v) &&
	    json_object_object_get_ex(v, "driver", &v) && json_object_object_get_ex(v, "name", &v));
	T_ASSERT(json_object_object_get_ex(run, "results", &results) &&
	    json_object_array_length(results) > 0);
	res = json_object_array_get_idx(results, 0);
	T_ASSERT(json_object_object_get_ex(res, "ruleId", &v));
	T_ASSERT(json_object_object_get_ex(res, "message", &v) && json_object_object_get_ex(v, "text", &v));
	T_ASSERT(json_object_object_get_ex(res, "locations", &loc) && json_object_array_length(loc) > 0);
	T_CONTAINS(it_str(&r, "runs.0.artifacts.0.location.uri"), "Report_img_src_x");
	T_CONTAINS(it_str(&r, "runs.0.results.0.locations.0.physicalLocation.artifactLocation.uri"),
	    ".ps1");
	/* the same log as the command line writes for the same text and file name */
	file = save(&r, ".sarif");
	T_ASSERT(file != NULL);
	{
		FILE *f;
		char dir[64];

		snprintf(dir, sizeof(dir), "/tmp/pss-analysis-%d.d", (int)getpid());
		mkdir(dir, 0700);
		if (chdir(dir) == 0 && (f = fopen(it_str(&r, "runs.0.artifacts.0.location.uri"), "wb")) != NULL) {
			fputs(hostile_content, f);
			fclose(f);
			T_EQ(it_run("\"$PSS_BIN/psscript\" analyze --format sarif --fail-on none '%s' > cli.sarif; "
			    "cmp cli.sarif %s", it_str(&r, "runs.0.artifacts.0.location.uri"), file), 0);
		} else
			T_FAIL_("cannot write the script for the command line");
		if (cwd[0] != '\0' && chdir(cwd) != 0)
			T_FAIL_("chdir back");
		(void)it_run("rm -rf %s", dir);
	}
	/* schema validation when the validator is installed (tests/js: npm ci) */
	rc = it_run("node \"${PSS_HARNESS%%/harness.sh}/js/sarif-validate.mjs\" %s", file);
	if (rc == 77 || rc == 127)
		printf("# skip: SARIF schema validation (no node, or tests/js/node_modules missing:"
		    " cd tests/js && npm ci); the structure was checked above\n");
	else
		T_ASSERTF(rc == 0, "the SARIF export does not validate against the 2.1.0 schema");
	unlink(file);
	val = it_str(&r, "runs.0.results.0.level");
	T_ASSERT(val != NULL);
	it_resp_free(&r);
}

static void
test_html_report_is_well_formed_and_keeps_markup_as_text(void)
{
	struct it_resp r = export(hostile_id, "html");
	const char *file;

	T_EQ(r.status, 200);
	T_ASSERT(r.body != NULL && strstr(r.body, "<img") == NULL);
	T_CONTAINS(r.body, "&lt;img src=x onerror=alert(1)&gt;");
	T_CONTAINS(r.body, "@page");
	T_ASSERT(strstr(r.body, "<link") == NULL && strstr(r.body, "<script") == NULL &&
	    strstr(r.body, "src=\"") == NULL && strstr(r.body, "url(") == NULL);
	T_CONTAINS(r.body, "Security");
	T_CONTAINS(r.body, "higher is better");
	T_CONTAINS(r.body, "class=\"ln\">2</span>");	/* the flagged line, numbered */
	T_CONTAINS(it_header(&r, "content-security-policy"), "default-src 'none'");
	file = save(&r, ".html");
	T_ASSERT(file != NULL);
	if (file != NULL) {	/* T_ASSERT goes on: the sanitizer build sees a NULL %s otherwise */
		T_EQ(it_run("xmllint --noout --nonet %s", file), 0);
		unlink(file);
	}
	it_resp_free(&r);
}

static void
test_markdown_keeps_markup_inside_code(void)
{
	struct it_resp r = export(hostile_id, "md");
	const char *p;

	T_EQ(r.status, 200);
	T_ASSERT(r.body != NULL);
	T_CONTAINS(r.body, "# Analysis of `Report " HOSTILE);
	T_CONTAINS(r.body, "## Scores");
	T_CONTAINS(r.body, "### Security");
	/* every occurrence of the markup sits inside a code span (CommonMark: a run of n
	 * backticks opens a span that the next run of exactly n closes) */
	for (p = r.body; (p = strstr(p, HOSTILE)) != NULL; p++) {
		const char *q = p;
		bool inside = false;

		while (q > r.body && q[-1] != '\n')
			q--;
		for (size_t open = 0; q < p;) {
			size_t n = strspn(q, "`");

			if (n == 0) {
				q++;
				continue;
			}
			if (!inside) {
				inside = true;
				open = n;
			} else if (n == open)
				inside = false;
			q += n;
		}
		T_ASSERTF(inside, "markup outside a code span: %.100s", p);
	}
	it_resp_free(&r);
}

int
main(void)
{
	it_init();
	T_RUN(test_setup_accounts);
	T_RUN(test_adhoc_analyses_and_stores_nothing);
	T_RUN(test_adhoc_answer_is_gzipped_for_clients_that_ask);
	T_RUN(test_adhoc_refuses_bad_input_in_the_json_envelope);
	T_RUN(test_visibility_matrix_of_every_analysis_endpoint);
	T_RUN(test_no_analysis_is_404_with_the_state);
	T_RUN(test_analyze_async_queues_a_job);
	T_RUN(test_content_change_drops_the_cached_analysis);
	T_RUN(test_cached_read_is_fresh_and_keeps_visibility);
	T_RUN(test_deleted_owner_takes_the_cached_analysis_along);
	T_RUN(test_exports_are_attachments_named_after_the_script);
	T_RUN(test_sarif_export_is_the_clis_sarif_2_1_0);
	T_RUN(test_html_report_is_well_formed_and_keeps_markup_as_text);
	T_RUN(test_markdown_keeps_markup_inside_code);
	return t_done();
}
