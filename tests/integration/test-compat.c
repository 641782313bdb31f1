/* test-compat.c: the original PSScript React frontend as a client: every API call its pages
 * make (read from its public source, docs/compat.md), sent as it sends them, through nginx,
 * grouped by page. A call fails when its status is not one the original backend gave or the
 * answer lacks a field the page reads. A call of a feature not built yet is a TAP TODO point
 * ("pending"): it runs, it is counted, and it says so in the output; it never passes quietly.
 * docs/compat.md must list every call with the state the suite gives it. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>

#include "core/core.h"
#include "services/auth.h"
#include "itest-auth.h"

#ifndef PSS_TOP_SRCDIR
#define PSS_TOP_SRCDIR "."
#endif
#define BND "----compatBoundary7MA4YWxkTrZu0gW"

/* A call's state, as docs/compat.md writes it. */
enum state { WORKS, ADAPTED, PENDING, DIFFERENT, STATE__MAX };
static const char *const states[STATE__MAX] = { "works", "adapted", "pending", "different" };

/* Who sends the call, as the original client does. */
enum who {
	ANON,		/* nothing: before login */
	USER,		/* its axios client: Authorization: Bearer, plus the cookie a browser sends */
	ADMIN,		/* the same, as an administrator */
	COOKIE,		/* no bearer (its uploads, documentationApi): the session cookie only */
};

static struct acct admin, user;
static char origin[160];	/* scheme://host:port of the stack */
static char *compat_doc;	/* docs/compat.md */
static int counts[STATE__MAX], passed[STATE__MAX];
/* the ids the calls below fill in for the path templates */
static char sid[24], sid2[24], cat[24], uid[24], tagid[24], upload[64], chat[24], doc[24];

static void
origin_init(void)
{
	const char *u = getenv("PSS_TEST_URL");
	const char *p = u != NULL ? strstr(u, "://") : NULL;
	size_t n = p != NULL ? (size_t)(p - u) + 3 + strcspn(p + 3, "/") : 0;

	snprintf(origin, sizeof(origin), "%.*s", (int)n, u ? u : "");
}

static void
doc_load(void)
{
	FILE *f = fopen(PSS_TOP_SRCDIR "/docs/compat.md", "r");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	compat_doc = strdup(buf_cstr(&b));
	buf_free(&b);
}

/* expand: the template with :id, :id2, :cat, :user, :tag, :upload and :chat replaced. */
static void
expand(char *out, size_t n, const char *tpl)
{
	static const struct { const char *name; const char *val; } vars[] = {
		{ ":id2", sid2 }, { ":id", sid }, { ":cat", cat }, { ":user", uid }, { ":tag", tagid },
		{ ":upload", upload }, { ":chat", chat }, { ":doc", doc },
	};
	size_t o = 0;

	while (*tpl != '\0' && o + 1 < n) {
		size_t k;

		for (k = 0; k < PSS_ARRAY_LEN(vars); k++)
			if (strncmp(tpl, vars[k].name, strlen(vars[k].name)) == 0 &&
			    !isalnum((unsigned char)tpl[strlen(vars[k].name)]))
				break;
		if (k < PSS_ARRAY_LEN(vars)) {
			o += (size_t)snprintf(out + o, n - o, "%s", vars[k].val);
			tpl += strlen(vars[k].name);
		} else
			out[o++] = *tpl++;
	}
	out[o < n ? o : n - 1] = '\0';
}

/* has_path: whether the JSON answer holds the member at path ("a.b", "a.0.b"), even null. */
static bool
has_path(struct json_object *o, const char *path)
{
	char key[96];

	while (o != NULL && *path != '\0') {
		size_t n = strcspn(path, ".");
		struct json_object *v;

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (json_object_is_type(o, json_type_array) && isdigit((unsigned char)key[0])) {
			if (strtoul(key, NULL, 10) >= json_object_array_length(o))
				return false;
			v = json_object_array_get_idx(o, strtoul(key, NULL, 10));
		} else if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
			return false;
		path += n + (path[n] == '.');
		if (*path == '\0')
			return true;
		o = v;
	}
	return false;
}

static struct it_resp last;

/* call: one call of the original client: METHOD template, body of ctype (NULL: none), as
 * who; want is the statuses the original backend answered ("200" or "200 201"), fields the
 * members its page reads (space-separated paths). One TAP point; the answer stays in last. */
static void
call(const char *page, enum state st, const char *method, const char *tpl, const char *body,
    size_t len, const char *ctype, enum who who, const char *want, const char *fields)
{
	char path[512], name[640], auth[160], cookie[200], site[64], status[8], docrow[600];
	char jbody[2048];
	const char *h[6] = { "Accept: application/json, text/plain, */*", NULL };	/* axios's */
	const char *token = who == ADMIN ? admin.token : user.token;
	size_t nh = 1;
	bool ok;

	it_resp_free(&last);
	memset(&last, 0, sizeof(last));
	expand(path, sizeof(path), tpl);
	if (body != NULL && ctype != NULL && strcmp(ctype, "application/json") == 0) {
		expand(jbody, sizeof(jbody), body);
		body = jbody;
		len = strlen(jbody);
	}
	if (who == USER || who == ADMIN) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h[nh++] = auth;
	}
	if (who != ANON) {
		snprintf(cookie, sizeof(cookie), "Cookie: " AUTH_COOKIE "=%s", token);
		h[nh++] = cookie;
		snprintf(site, sizeof(site), "Sec-Fetch-Site: same-origin");
		h[nh++] = site;
	}
	ok = it_request(&last, method, path, body, body ? len : 0, ctype, h) == 0;
	snprintf(status, sizeof(status), "%ld", last.status);
	if (ok) {
		char w[64], st3[12];

		snprintf(w, sizeof(w), " %s ", want);
		snprintf(st3, sizeof(st3), " %s ", status);
		ok = strstr(w, st3) != NULL;
		if (!ok)
			printf("#   %s %s: status %s, the original answered %s: %.300s\n", method, path,
			    status, want, last.body ? last.body : "");
	}
	for (const char *f = fields; ok && f != NULL && *f != '\0';) {
		size_t n = strcspn(f, " ");
		char p[96];

		snprintf(p, sizeof(p), "%.*s", (int)n, f);
		if (!has_path(last.json, p)) {
			ok = false;
			printf("#   %s %s: the page reads %s, not in the answer: %.300s\n", method, path,
			    p, last.body ? last.body : "");
		}
		f += n + (f[n] == ' ');
	}
	counts[st]++;
	passed[st] += ok;
	snprintf(name, sizeof(name), "%s: %s %s", page, method, tpl);
	/* docs/compat.md lists the call with this state */
	snprintf(docrow, sizeof(docrow), "`%s %s` | %s |", method, tpl, states[st]);
	if (compat_doc == NULL || strstr(compat_doc, docrow) == NULL) {
		printf("#   docs/compat.md has no row \"%s\"\n", docrow);
		if (st != PENDING)
			ok = false;
	}
	if (st == PENDING) {
		t_count++;
		printf("%s %d - %s # TODO pending feature\n", ok ? "ok" : "not ok", t_count, name);
		fflush(stdout);
	} else
		t_result(ok, name);
}

static void
call_json(const char *page, enum state st, const char *method, const char *tpl, const char *body,
    enum who who, const char *want, const char *fields)
{
	call(page, st, method, tpl, body, body ? strlen(body) : 0, body ? "application/json" : NULL,
	    who, want, fields);
}

/* A call of a page that needs nothing from the calls before it. */
struct row {
	enum state	 st;
	const char	*method, *tpl, *body;
	enum who	 who;
	const char	*want, *fields;
};

static void
run_rows(const char *page, const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		call_json(page, rows[i].st, rows[i].method, rows[i].tpl, rows[i].body, rows[i].who,
		    rows[i].want, rows[i].fields);
}

static void
keep(char *dst, size_t n, const char *path)
{
	const char *v = it_str(&last, path);

	snprintf(dst, n, "%s", v ? v : "0");
}

/* mp: a multipart body of name/value pairs; a name "@field" is a file part of filename
 * "script.ps1". Returns the body (static), its length in *len. */
static const char *
mp(size_t *len, ...)
{
	static struct buf b;
	va_list ap;
	const char *k, *v;

	buf_reset(&b);
	va_start(ap, len);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (k[0] == '@')
			buf_printf(&b, "--" BND "\r\nContent-Disposition: form-data; name=\"%s\"; "
			    "filename=\"script.ps1\"\r\nContent-Type: application/octet-stream\r\n\r\n%s\r\n",
			    k + 1, v);
		else
			buf_printf(&b, "--" BND "\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n",
			    k, v);
	}
	va_end(ap);
	buf_puts(&b, "--" BND "--\r\n");
	*len = b.len;
	return buf_cstr(&b);
}

#define MP "multipart/form-data; boundary=" BND

/* ---- the pages ---- */

static void
test_login(void)
{
	char body[512];

	T_EQ(acct_admin(&admin, "cadm"), 0);
	memset(&user, 0, sizeof(user));
	unique_name(user.name, sizeof(user.name), "cuser");
	snprintf(user.email, sizeof(user.email), "%s@example.com", user.name);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s\",\"password\":\"" PW "\"}",
	    user.name, user.email);
	call_json("login", WORKS, "POST", "/api/auth/register", body, ANON, "201",
	    "token refreshToken user.id user.username user.email user.role");
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"" PW "\"}", user.email);
	call_json("login", WORKS, "POST", "/api/auth/login", body, ANON, "200",
	    "token refreshToken user.id user.username user.email user.role");
	acct_fill(&user, &last);
	call_json("login", WORKS, "GET", "/api/auth/me", NULL, USER, "200",
	    "user.id user.username user.email user.role");
	snprintf(body, sizeof(body), "{\"username\":\"%s\"}", user.name);
	call_json("login", WORKS, "PUT", "/api/auth/user", body, USER, "200", "user.id user.username");
}

/* the refresh flow: it stores the new access token only and presents the same refresh token
 * again on the next 401 (issue 19, item 5; docs/compat.md): its own client may, while the token
 * that replaced it was never used and either within 30 s (a burst of 401s) or once no access
 * token of the login is live; anything else is still reuse and ends the login */
static void
test_refresh(void)
{
	struct acct r;
	char body[256];

	T_EQ(acct_register(&r, "crefresh"), 0);
	snprintf(body, sizeof(body), "{\"refreshToken\":\"%s\"}", r.refresh);
	T_EQ(status_of("POST", "/api/auth/refresh", NULL, body), 200);
	/* the second presentation of the same refresh token, as its interceptor does */
	call_json("login", ADAPTED, "POST", "/api/auth/refresh", body, ANON, "200", "token refreshToken");
	/* its next 401, a quarter of an hour on: the window is over, its access token ran out */
	it_psqlf("UPDATE user_sessions SET revoked_at = revoked_at - interval '1 hour' WHERE user_id = %lld "
	    "AND kind = 'refresh' AND revoked_at IS NOT NULL", (long long)r.id);
	it_psqlf("UPDATE user_sessions SET created_at = now() - interval '2 hours', expires_at = now() - "
	    "interval '1 minute' WHERE user_id = %lld AND kind = 'access'", (long long)r.id);
	it_resp_free(&last);
	T_EQ(it_json(&last, "POST", "/api/auth/refresh", NULL, body), 0);
	T_EQ(last.status, 200);
	T_EQ(status_of("GET", "/api/auth/me", it_str(&last, "token"), NULL), 200);
	/* one refresh token live a login: the successors it skipped are revoked */
	T_STREQ(it_psqlf("SELECT count(*) FROM user_sessions WHERE user_id = %lld AND kind = 'refresh' "
	    "AND revoked_at IS NULL", (long long)r.id), "1");
	/* the same token outside the window while an access token is live: reuse, the login ends */
	it_psqlf("UPDATE user_sessions SET revoked_at = revoked_at - interval '1 hour' WHERE user_id = %lld "
	    "AND kind = 'refresh' AND revoked_at IS NOT NULL", (long long)r.id);
	T_EQ(status_of("POST", "/api/auth/refresh", NULL, body), 401);
	T_EQ(status_of("GET", "/api/auth/me", it_str(&last, "token"), NULL), 401);
}

static void
test_upload(void)
{
	size_t len;
	const char *b;

	call_json("upload", WORKS, "GET", "/api/categories", NULL, USER, "200",
	    "categories.0.id categories.0.name");
	keep(cat, sizeof(cat), "categories.0.id");
	call_json("upload", WORKS, "POST", "/api/tags", "{\"name\":\"compat-net\"}", USER, "200 201",
	    "tag.id tag.name");
	keep(tagid, sizeof(tagid), "tag.id");
	/* its form: the file, and the same text in content, with the session cookie only */
	b = mp(&len, "title", "Compat upload", "description", "from the original form",
	    "content", "Get-ChildItem -Path C:\\\\temp | Where-Object Length -gt 0\n",
	    "category_id", cat, "tags", "[\"compat-net\",\"compat-two\"]", "is_public", "true",
	    "analyze_with_ai", "true",
	    "@script_file", "Get-ChildItem -Path C:\\\\temp | Where-Object Length -gt 0\n", NULL);
	call("upload", ADAPTED, "POST", "/api/scripts/upload", b, len, MP, COOKIE, "200 201", "script.id");
	keep(sid, sizeof(sid), "script.id");
	/* no file chosen: the text typed in its editor */
	b = mp(&len, "title", "Compat typed", "description", "", "content",
	    "param([string]$Name)\nWrite-Output \"Hello $Name\"\n", "is_public", "false",
	    "analyze_with_ai", "false", NULL);
	call("upload", ADAPTED, "POST", "/api/scripts/upload", b, len, MP, COOKIE, "200 201", "script.id");
	keep(sid2, sizeof(sid2), "script.id");
	call_json("upload", WORKS, "GET", "/api/tags", NULL, USER, "200", "tags.0.id tags.0.name");
	/* a large file: its single-file field on the async route */
	b = mp(&len, "title", "Compat large", "is_public", "false",
	    "@script_file", "Get-Service | Sort-Object Status\n", NULL);
	call("upload", ADAPTED, "POST", "/api/scripts/upload/async", b, len, MP, COOKIE, "200 201 202",
	    "uploads.0.uploadId");
	keep(upload, sizeof(upload), "uploads.0.uploadId");
	call_json("upload", WORKS, "GET", "/api/scripts/upload/status/:upload", NULL, USER, "200", "status");
	/* the path its later versions send large files to */
	b = mp(&len, "title", "Compat large two", "@script_file", "Get-Process | Select-Object -First 3\n",
	    NULL);
	call("upload", ADAPTED, "POST", "/api/scripts/upload/large", b, len, MP, COOKIE, "200 201",
	    "script.id");
	call_json("upload", DIFFERENT, "GET", "/api/scripts/clear-cache", NULL, USER, "400 404", "error");
	/* its JSON path (no file) */
	call_json("upload", WORKS, "POST", "/api/scripts",
	    "{\"title\":\"Compat json\",\"content\":\"Get-Date -Format o\\n\",\"category_id\":1,"
	    "\"tags\":[\"compat-net\"],\"is_public\":true}", USER, "200 201", "script.id id title");
	call_json("upload", WORKS, "POST", "/api/scripts/analyze",
	    "{\"content\":\"Invoke-Expression $x\\n\"}", USER, "200", NULL);
}

/* The CSRF rule the upload relies on: same-origin cookie requests pass, cross-site fail. */
static void
test_upload_csrf_cross_site_refused(void)
{
	struct { const char *h1; long want; } rows[] = {
		{ "Sec-Fetch-Site: cross-site", 403 },
		{ "Sec-Fetch-Site: same-site", 403 },
		{ "Sec-Fetch-Site: none", 403 },
		{ "Origin: https://evil.example", 403 },
		{ "Origin: null", 403 },
		{ NULL, 403 },			/* neither header: the token is needed */
		{ "Origin: ", 201 },		/* filled below with the stack's origin */
		{ "Sec-Fetch-Site: same-origin", 201 },
	};
	char cookie[200], org[200];
	size_t len;

	snprintf(cookie, sizeof(cookie), "Cookie: " AUTH_COOKIE "=%s", user.token);
	snprintf(org, sizeof(org), "Origin: %s", origin);
	rows[6].h1 = org;
	for (size_t i = 0; i < PSS_ARRAY_LEN(rows); i++) {
		char title[64];
		const char *b, *h[3] = { cookie, rows[i].h1, NULL };
		struct it_resp r;

		snprintf(title, sizeof(title), "csrf row %zu", i);
		b = mp(&len, "title", title, "@script_file", title, NULL);
		T_EQ(it_request(&r, "POST", "/api/scripts/upload", b, len, MP, h), 0);
		T_ASSERTF(r.status == rows[i].want, "%s: %ld, want %ld: %.200s",
		    rows[i].h1 ? rows[i].h1 : "(no header)", r.status, rows[i].want, r.body);
		if (rows[i].want == 403)
			T_STREQ(it_str(&r, "error"), "csrf_failed");
		it_resp_free(&r);
	}
	/* the token still works without the browser's word */
	{
		char tok[160], title[] = "csrf with token";
		const char *b = mp(&len, "title", title, "@script_file", title, NULL);
		const char *h[3] = { cookie, tok, NULL };
		struct it_resp r;

		snprintf(tok, sizeof(tok), "X-CSRF-Token: %s", user.csrf);
		T_EQ(it_request(&r, "POST", "/api/scripts/upload", b, len, MP, h), 0);
		T_EQ(r.status, 201);
		it_resp_free(&r);
	}
	/* cross-site JSON writes too */
	{
		const char *h[3] = { cookie, "Sec-Fetch-Site: cross-site", NULL };
		struct it_resp r;

		T_EQ(it_request(&r, "POST", "/api/tags", "{\"name\":\"x\"}", 12, "application/json", h), 0);
		T_EQ(r.status, 403);
		it_resp_free(&r);
	}
}

static void
test_dashboard(void)
{
	char path[64], sql[512];

	snprintf(path, sizeof(path), "/api/scripts/%s/analyze", sid);
	T_EQ(status_of("POST", path, user.token, NULL), 200);
	call_json("dashboard", ADAPTED, "GET", "/api/scripts?limit=5&sort=updated", NULL, USER, "200",
	    "scripts.0.id scripts.0.title scripts.0.category scripts.0.user.username "
	    "scripts.0.updatedAt total");
	call_json("dashboard", ADAPTED, "GET", "/api/scripts?limit=5&sort=created_at", NULL, USER,
	    "200", "scripts.0.id");
	/* the page reads the scores of the user's newest script (an upload of the test before):
	 * wait for its analysis job */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM (SELECT s.id FROM scripts s"
	    " JOIN users u ON u.id = s.user_id WHERE u.username = '%s'"
	    " ORDER BY s.updated_at DESC, s.id DESC LIMIT 1) n"
	    " WHERE NOT EXISTS (SELECT 1 FROM script_analysis a WHERE a.script_id = n.id)", user.name);
	T_STREQ(it_poll_sql(sql, "0", 30), "0");
	call_json("dashboard", ADAPTED, "GET", "/api/scripts?limit=5&sort=updated_at&mine=true", NULL,
	    USER, "200", "scripts.0.analysis.code_quality_score");
	call_json("dashboard", ADAPTED, "GET", "/api/analytics/usage", NULL, USER, "200",
	    "totalScripts executionsToday userScripts averageQuality");
}

static void
test_scripts_list(void)
{
	call_json("scripts list", ADAPTED, "GET",
	    "/api/scripts?category=:cat&isPublic=true&tags[]=compat-net&tags[]=compat-two", NULL, USER,
	    "200", "scripts.0.id scripts.0.title scripts.0.description scripts.0.version scripts.0.tags "
	    "scripts.0.isPublic scripts.0.category.name scripts.0.executionCount scripts.0.user.username");
	T_STREQ(it_str(&last, "scripts.0.id"), sid);
	T_STREQ(it_str(&last, "total"), "1");
	call_json("scripts list", ADAPTED, "GET", "/api/scripts?search=ChildItem&category_id=:cat", NULL,
	    USER, "200", "scripts.0.id scripts.0.title total");
	T_STREQ(it_str(&last, "scripts.0.id"), sid);
	call_json("scripts list", ADAPTED, "GET", "/api/scripts?sort=views", NULL, USER, "200",
	    "scripts total");
	call_json("scripts list", WORKS, "POST", "/api/scripts/bulk-update",
	    "{\"ids\":[:id2],\"isPublic\":false}", USER, "200", "success");
}

static void
test_script_detail(void)
{
	static const struct row rows[] = {
		{ ADAPTED, "GET", "/api/scripts/:id", NULL, USER, "200",
		  "title content version updatedAt createdAt category.name user.username executionCount" },
		/* its page reads the analysis's members at the top level (analysis.parameters) */
		{ ADAPTED, "GET", "/api/scripts/:id/analysis", NULL, USER, "200",
		  "parameters purpose code_quality_score security_score risk_score" },
		{ ADAPTED, "GET", "/api/scripts/:id/similar", NULL, USER, "200",
		  "similar_scripts.0.script_id similar_scripts.0.title similar_scripts.0.similarity" },
		{ WORKS, "GET", "/api/scripts/:id/versions", NULL, USER, "200",
		  "versions.0.id versions.0.version versions.0.createdAt" },
		{ WORKS, "POST", "/api/scripts/:id/execute", "{\"params\":{}}", USER, "200 201", NULL },
		{ WORKS, "GET", "/api/scripts/:id/execution-history?limit=10&offset=0", NULL, USER, "200",
		  "executions pagination.total pagination.hasMore" },
		{ DIFFERENT, "POST", "/api/scripts/:id/apply-suggestions",
		  "{\"suggestions\":[\"Use -Filter\"]}", USER, "410", "error details.replacement" },
		{ WORKS, "PUT", "/api/scripts/:id", "{\"content\":\"Get-ChildItem -Path C:\\\\temp -File\\n\"}",
		  USER, "200", NULL },
	};

	run_rows("script detail", rows, PSS_ARRAY_LEN(rows));
}

static void
test_analysis_view(void)
{
	call_json("analysis view", WORKS, "POST", "/api/scripts/:id/analyze", NULL, USER, "200",
	    "analysis.purpose analysis.securityScore analysis.codeQualityScore analysis.suggestions");
	call_json("analysis view", WORKS, "GET", "/api/scripts/:id/versions/1", NULL, USER, "200",
	    "version.content");
	call_json("analysis view", WORKS, "POST", "/api/scripts/:id/revert/1", NULL, USER, "200 201", NULL);
	/* its "Run AI Analysis" button: an EventSource (cookie, no bearer); the revert queued an
	 * analysis, so this stream follows a job (test_analysis_stream reads the events) */
	call("analysis view", ADAPTED, "GET",
	    "/api/scripts/:id/analysis-stream?require_human_review=false&model=gpt-4.1", NULL, 0, NULL,
	    COOKIE, "200", NULL);
	T_ASSERT(it_header(&last, "content-type") != NULL &&
	    strncmp(it_header(&last, "content-type"), "text/event-stream", 17) == 0);
}

/* ---- the analysis stream (issue 19 item 7): its events, read as its EventSource does ---- */

/* What a stream said: the data of each event (parsed), the last id, whether it asked for a
 * reconnection delay (retry:), how many events were named (its onmessage gets none of those). */
struct stream {
	struct it_resp	 r;
	struct json_object *events;	/* array */
	char		 last_id[16];
	bool		 retry;
	int		 named;
	int64_t		 ms;		/* how long the answer took */
};

static void
stream_free(struct stream *st)
{
	it_resp_free(&st->r);
	json_object_put(st->events);
	memset(st, 0, sizeof(*st));
}

/* stream_open: GET the stream of script id as its EventSource does: Accept:
 * text/event-stream, the session cookie of token (NULL: none), Sec-Fetch-Site site (NULL:
 * none), and one more header line (NULL: none); query is appended to the path. */
static void
stream_open(struct stream *st, const char *id, const char *query, const char *token,
    const char *site, const char *extra)
{
	char path[256], cookie[200], sf[64];
	const char *h[5] = { "Accept: text/event-stream", NULL, NULL, NULL, NULL };
	size_t nh = 1;
	int64_t t0 = time_mono_ms();

	memset(st, 0, sizeof(*st));
	st->events = json_object_new_array();
	snprintf(path, sizeof(path), "/api/scripts/%s/analysis-stream%s", id, query ? query : "");
	if (token != NULL) {
		snprintf(cookie, sizeof(cookie), "Cookie: " AUTH_COOKIE "=%s", token);
		h[nh++] = cookie;
	}
	if (site != NULL) {
		snprintf(sf, sizeof(sf), "Sec-Fetch-Site: %s", site);
		h[nh++] = sf;
	}
	h[nh] = extra;
	T_EQ(it_request(&st->r, "GET", path, NULL, 0, NULL, h), 0);
	st->ms = time_mono_ms() - t0;
	for (const char *p = st->r.body ? st->r.body : ""; *p != '\0';) {
		size_t n = strcspn(p, "\n");

		if (strncmp(p, "data: ", 6) == 0) {
			char *j = strndup(p + 6, n - 6);
			struct json_object *o = json_tokener_parse(j);

			T_ASSERTF(o != NULL, "an event's data is not JSON: %s", j);
			if (o != NULL)
				json_object_array_add(st->events, o);
			free(j);
		} else if (strncmp(p, "id: ", 4) == 0)
			snprintf(st->last_id, sizeof(st->last_id), "%.*s", (int)(n - 4), p + 4);
		else if (strncmp(p, "retry: ", 7) == 0)
			st->retry = true;
		else if (strncmp(p, "event:", 6) == 0)
			st->named++;
		p += n + (p[n] == '\n');
	}
}

/* the member at path ("data.analysis.purpose") of event i (-1: the last), or NULL */
static const char *
ev(const struct stream *st, int i, const char *path)
{
	size_t n = json_object_array_length(st->events);
	struct json_object *o;

	if (n == 0 || (i >= 0 && (size_t)i >= n))
		return NULL;
	o = json_object_array_get_idx(st->events, i < 0 ? n - 1 : (size_t)i);
	while (o != NULL && *path != '\0') {
		size_t k = strcspn(path, ".");
		char key[64];

		snprintf(key, sizeof(key), "%.*s", (int)k, path);
		if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &o))
			return NULL;
		path += k + (path[k] == '.');
	}
	return o != NULL ? json_object_get_string(o) : NULL;
}

/* stream_until_final: streams as its EventSource would, reconnecting after an early end, until
 * a final event (id "end") or max streams; st keeps the last one. */
static void
stream_until_final(struct stream *st, const char *id, const char *token, int max)
{
	for (int i = 0; i < max; i++) {
		stream_open(st, id, NULL, token, "same-origin", NULL);
		if (strcmp(st->last_id, "end") == 0 || st->r.status != 200)
			return;
		T_ASSERT(st->retry);
		stream_free(st);
	}
	stream_open(st, id, NULL, token, "same-origin", NULL);
}

/* the SQL of the status of the newest analysis job of script id (static) */
static const char *
job_sql(const char *id)
{
	static char sql[200];

	snprintf(sql, sizeof(sql), "SELECT status FROM jobs WHERE type = 'analysis.run' AND "
	    "payload->>'scriptId' = '%s' ORDER BY id DESC LIMIT 1", id);
	return sql;
}

static const char *
jobs_of(const char *id)
{
	return it_psqlf("SELECT count(*) FROM jobs WHERE type = 'analysis.run' AND "
	    "payload->>'scriptId' = '%s'", id);
}

/* a new script of user's through the API; its analysis job done */
static void
stream_script(char *id, size_t n, const char *title, bool pub)
{
	struct it_resp r;
	char body[512];

	snprintf(body, sizeof(body), "{\"title\":\"%s %d\",\"content\":\"# %s %d\\n"
	    "param([string]$Path)\\nGet-ChildItem -Path $Path | Remove-Item -Force\\n\","
	    "\"isPublic\":%s}", title, (int)getpid(), title, (int)getpid(), pub ? "true" : "false");
	T_EQ(it_json(&r, "POST", "/api/scripts", user.token, body), 0);
	T_EQ(r.status, 201);
	snprintf(id, n, "%s", it_str(&r, "script.id") ? it_str(&r, "script.id") : "0");
	it_resp_free(&r);
	T_STREQ(it_poll_sql(job_sql(id), "done", 20), "done");
}

static void
test_analysis_stream(void)
{
	struct stream st;
	struct acct other;
	char pub[24], none[24], q[160], nf[160];
	const char *ct, *who[2];

	/* the stream the contract call opened, followed to its end: the events its page reads */
	stream_until_final(&st, sid, user.token, 5);
	T_EQ(st.r.status, 200);
	ct = it_header(&st.r, "content-type");
	T_ASSERT(ct != NULL && strncmp(ct, "text/event-stream", 17) == 0);
	T_EQ(st.named, 0);
	T_STREQ(ev(&st, 0, "type"), "connected");
	T_STREQ(ev(&st, 0, "data.script_id"), sid);
	T_STREQ(ev(&st, -1, "type"), "completed");
	T_STREQ(ev(&st, -1, "script_id"), sid);
	T_STREQ(ev(&st, -1, "data.analysisState.status"), "done");
	T_ASSERT(ev(&st, -1, "data.analysis.purpose") != NULL);
	T_ASSERT(ev(&st, -1, "data.analysis.securityScore") != NULL);
	T_ASSERT(ev(&st, -1, "data.request_id") != NULL);
	T_STREQ(st.last_id, "end");
	printf("# a stream of a done analysis: %lld ms, %zu events\n", (long long)st.ms,
	    json_object_array_length(st.events));
	stream_free(&st);
	/* EventSource reconnects after any end, with the last id: 204 stops it */
	stream_open(&st, sid, NULL, user.token, "same-origin", "Last-Event-ID: end");
	T_EQ(st.r.status, 204);
	T_EQ(json_object_array_length(st.events), 0);
	stream_free(&st);

	/* privacy: sid2 is user's private script; anyone else gets the 404 of no script at all */
	stream_open(&st, "2147483000", NULL, user.token, "same-origin", NULL);
	check_error(&st.r, 404, "not_found");
	snprintf(nf, sizeof(nf), "%s", it_str(&st.r, "message") ? it_str(&st.r, "message") : "");
	stream_free(&st);
	T_EQ(acct_register(&other, "cstream"), 0);
	who[0] = NULL;
	who[1] = other.token;
	for (int i = 0; i < 2; i++) {
		stream_open(&st, sid2, NULL, who[i], "same-origin", NULL);
		check_error(&st.r, 404, "not_found");
		T_STREQ(it_str(&st.r, "message"), nf);
		T_EQ(json_object_array_length(st.events), 0);
		stream_free(&st);
	}
	/* its EventSource also puts the token in the query: that is not a credential (URLs are
	 * logged); the cookie it sends is */
	snprintf(q, sizeof(q), "?token=%s", user.token);
	stream_open(&st, sid2, q, NULL, NULL, NULL);
	check_error(&st.r, 404, "not_found");
	stream_free(&st);
	stream_open(&st, sid2, q, user.token, "same-origin", NULL);
	T_EQ(st.r.status, 200);
	stream_free(&st);

	/* a job that waits (to run in an hour): the stream says queued, holds its worker no
	 * longer than its bound, and ends asking EventSource to come back */
	stream_script(pub, sizeof(pub), "Stream wait", true);
	it_psqlf("INSERT INTO jobs (type, payload, run_at, dedup_key) VALUES ('analysis.run', "
	    "'{\"scriptId\": %s}', now() + interval '1 hour', 'analysis.run:%s')", pub, pub);
	stream_open(&st, pub, NULL, NULL, NULL, NULL);
	T_EQ(st.r.status, 200);
	T_STREQ(ev(&st, 0, "type"), "connected");
	T_STREQ(ev(&st, -1, "type"), "stage_change");
	T_STREQ(ev(&st, -1, "data.stage"), "queued");
	T_STREQ(ev(&st, -1, "data.analysisState.status"), "queued");
	T_ASSERT(st.retry);
	T_STREQ(st.last_id, "");
	T_ASSERTF(st.ms >= 2000 && st.ms < 6000, "a pending stream took %lld ms", (long long)st.ms);
	printf("# a pending stream held its worker %lld ms\n", (long long)st.ms);
	stream_free(&st);
	/* each open stream holds a worker: nginx lets a client address hold 2 at once */
	{
		char f[64], line[16];
		int n200 = 0, n429 = 0;
		FILE *fp;

		snprintf(f, sizeof(f), "/tmp/pss-compat-streams.%d", (int)getpid());
		T_EQ(it_run("{ for i in 1 2 3; do curl -s --cacert \"$PSS_TEST_CA\" -o /dev/null "
		    "-w '%%{http_code}\\n' -H 'Accept: text/event-stream' "
		    "\"$PSS_TEST_URL/api/scripts/%s/analysis-stream\" & done; wait; } >%s", pub, f), 0);
		if ((fp = fopen(f, "r")) != NULL) {
			while (fgets(line, sizeof(line), fp) != NULL) {
				n200 += strncmp(line, "200", 3) == 0;
				n429 += strncmp(line, "429", 3) == 0;
			}
			fclose(fp);
		}
		unlink(f);
		T_ASSERTF(n200 == 2 && n429 == 1, "3 streams at once: %d answered 200, %d 429", n200, n429);
	}
	/* it fails for good: the reason, and the end; watching starts nothing */
	it_psqlf("UPDATE jobs SET status = 'failed', last_error = 'the analyzer ran out of time', "
	    "finished_at = now() WHERE type = 'analysis.run' AND payload->>'scriptId' = '%s' AND "
	    "status = 'queued'", pub);
	stream_open(&st, pub, NULL, NULL, NULL, NULL);
	T_STREQ(ev(&st, -1, "type"), "error");
	T_STREQ(ev(&st, -1, "message"), "the analyzer ran out of time");
	T_STREQ(ev(&st, -1, "data.analysisState.status"), "failed");
	T_STREQ(st.last_id, "end");
	stream_free(&st);
	T_STREQ(jobs_of(pub), "2");
	/* its owner's button starts it again, and the stream follows it to the end */
	stream_until_final(&st, pub, user.token, 5);
	T_STREQ(ev(&st, -1, "type"), "completed");
	stream_free(&st);
	T_STREQ(jobs_of(pub), "3");

	/* no analysis at all (the page's "Run AI Analysis" case): only its owner's stream from
	 * this site's own page starts one */
	stream_script(none, sizeof(none), "Stream none", true);
	it_psqlf("DELETE FROM script_analysis WHERE script_id = %s", none);
	it_psqlf("DELETE FROM jobs WHERE type = 'analysis.run' AND payload->>'scriptId' = '%s'", none);
	stream_open(&st, none, NULL, NULL, NULL, NULL);
	T_STREQ(ev(&st, -1, "type"), "error");
	T_STREQ(ev(&st, -1, "message"), "The script has no analysis yet.");
	T_STREQ(ev(&st, -1, "data.analysisState.status"), "none");
	stream_free(&st);
	stream_open(&st, none, NULL, user.token, "cross-site", NULL);
	T_STREQ(ev(&st, -1, "type"), "error");
	stream_free(&st);
	T_STREQ(jobs_of(none), "0");
	stream_until_final(&st, none, user.token, 5);
	printf("# the owner's stream from none to done: %lld ms, %zu events\n", (long long)st.ms,
	    json_object_array_length(st.events));
	T_STREQ(ev(&st, -1, "type"), "completed");
	T_ASSERT(ev(&st, -1, "data.analysis.codeQualityScore") != NULL);
	stream_free(&st);
	T_STREQ(jobs_of(none), "1");
}

static void
test_search(void)
{
	call_json("search", ADAPTED, "GET",
	    "/api/scripts/search?q=ChildItem&category_id=:cat&tags=compat-net,compat-two&sort=updated",
	    NULL, USER, "200", "scripts.0.id scripts.0.title scripts.0.user.username scripts.0.updatedAt "
	    "scripts.0.analysis.quality_score scripts.0.category.name scripts.0.version "
	    "scripts.0.executionCount total");
	call_json("search", ADAPTED, "GET", "/api/scripts/search?q=ChildItem&sort=quality&mine=true",
	    NULL, USER, "200", "scripts total");
}

static void
test_documentation(void)
{
	static const struct row rows[] = {
		{ ADAPTED, "GET", "/api/documentation?limit=20", NULL, COOKIE, "200", "success data.0.id "
		  "data.0.title data.0.url data.0.source data.0.tags" },
		{ ADAPTED, "GET", "/api/documentation/search?query=Get-ChildItem&limit=20", NULL, COOKIE,
		  "200", "success data.0.id data.0.title total limit offset" },
		{ ADAPTED, "GET", "/api/documentation/sources", NULL, COOKIE, "200", "success data.0" },
		{ ADAPTED, "GET", "/api/documentation/tags", NULL, COOKIE, "200", "success data.0" },
		{ ADAPTED, "GET", "/api/documentation/stats", NULL, COOKIE, "200",
		  "success data.total data.sources data.tagsCount data.lastCrawled" },
		{ ADAPTED, "GET", "/api/documentation/:doc", NULL, COOKIE, "200",
		  "success data.title data.url data.content" },
	};
	const char *h[] = { "Accept: application/json, text/plain, */*", NULL };
	struct json_object *v;
	struct it_resp r;

	char body[512], url[96];

	/* a document to read (an administrator's upsert, API.md) */
	unique_name(url, sizeof(url), "compat-doc");
	snprintf(body, sizeof(body), "{\"url\":\"https://docs.example.test/%s\",\"title\":\"Get-ChildItem\","
	    "\"content\":\"# Get-ChildItem\\n\\nGets the items in a location: Get-ChildItem -Path C:\\\\temp\","
	    "\"source\":\"Compat source\",\"contentType\":\"cmdlet\",\"tags\":[\"compat\"]}", url);
	T_EQ(it_json(&r, "POST", "/api/documentation", admin.token, body), 0);
	T_EQ(r.status, 201);
	snprintf(doc, sizeof(doc), "%s", it_str(&r, "document.id") ? it_str(&r, "document.id") : "0");
	it_resp_free(&r);
	static const struct row gone[] = {
		{ DIFFERENT, "POST", "/api/documentation/crawl/ai",
		  "{\"url\":\"https://learn.microsoft.com/powershell\",\"maxPages\":5,\"depth\":1}", ADMIN,
		  "410", "error details.replacement" },
		{ DIFFERENT, "POST", "/api/documentation/crawl/ai/start",
		  "{\"url\":\"https://learn.microsoft.com/powershell\",\"maxPages\":5,\"depth\":1}", ADMIN,
		  "410", "error details.replacement" },
		{ DIFFERENT, "GET", "/api/documentation/crawl/ai/status/1", NULL, ADMIN, "410",
		  "error details.replacement" },
	};

	run_rows("documentation", gone, PSS_ARRAY_LEN(gone));
	run_rows("documentation", rows, PSS_ARRAY_LEN(rows));
	v = last.json != NULL ? json_object_object_get(last.json, "data") : NULL;
	T_ASSERT(v != NULL && json_object_is_type(json_object_object_get(v, "url"), json_type_string));
	/* its lists of sources and tags are of names */
	T_EQ(it_request(&r, "GET", "/api/documentation/sources", NULL, 0, NULL, h), 0);
	T_ASSERT(r.json != NULL && json_object_is_type(json_object_array_get_idx(
	    json_object_object_get(r.json, "data"), 0), json_type_string));
	it_resp_free(&r);
	/* asked otherwise (API.md's clients), no data */
	T_EQ(it_json(&r, "GET", "/api/documentation/sources", NULL, NULL), 0);
	T_ASSERT(it_str(&r, "sources.0.source") != NULL && it_str(&r, "data") == NULL);
	it_resp_free(&r);
}

static void
test_chat(void)
{
	char auth[160];
	static const struct row rows[] = {
		{ ADAPTED, "GET", "/api/chat/history", NULL, USER, "200",
		  "history.0.id history.0.messages.0.content history.0.timestamp history.0.category" },
		{ ADAPTED, "GET", "/api/chat/search?q=hi", NULL, USER, "200",
		  "results.0.id results.0.messages.0.content results.0.score results.0.timestamp" },
		{ ADAPTED, "GET", "/api/chat/categories", NULL, USER, "200", "categories.0" },
		{ ADAPTED, "POST", "/api/chat/:chat/category", "{\"category\":\"scripts\"}", USER, "200",
		  "success" },
	};

	call_json("chat", WORKS, "POST", "/api/chat", "{\"messages\":[{\"role\":\"user\","
	    "\"content\":\"What does Get-ChildItem do?\"}],\"model\":\"gpt-4o\"}", USER, "200", "response");
	call_json("chat", WORKS, "POST", "/api/chat/history",
	    "{\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"},"
	    "{\"role\":\"assistant\",\"content\":\"Hello.\"}]}", USER, "200 201", "success");
	keep(chat, sizeof(chat), "conversation.id");
	run_rows("chat", rows, PSS_ARRAY_LEN(rows));
	/* the category set is the one its history page shows */
	{
		const char *h[] = { "Accept: application/json, text/plain, */*", auth, NULL };
		struct it_resp r;

		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", user.token);
		T_EQ(it_request(&r, "GET", "/api/chat/history", NULL, 0, NULL, h), 0);
		T_STREQ(it_str(&r, "history.0.category"), "scripts");
		T_STREQ(it_str(&r, "conversations.0.category"), "scripts");
		it_resp_free(&r);
		/* asked otherwise (API.md's clients), no history */
		T_EQ(it_json(&r, "GET", "/api/chat/history", user.token, NULL), 0);
		T_ASSERT(it_str(&r, "conversations.0.id") != NULL && it_str(&r, "history") == NULL);
		it_resp_free(&r);
	}
	call_json("chat", WORKS, "DELETE", "/api/chat/history/:chat", NULL, USER, "200", "success");
	call_json("chat", WORKS, "DELETE", "/api/chat/history", NULL, USER, "200", "success");
}

static void
test_analytics(void)
{
	call_json("analytics", ADAPTED, "GET", "/api/analytics/security", NULL, USER, "200",
	    "highSecurityCount mediumSecurityCount lowSecurityCount commonIssues "
	    "highSecurityPercentage mediumSecurityPercentage lowSecurityPercentage totalScripts");
	call_json("analytics", WORKS, "GET", "/api/analytics/categories", NULL, USER, "200",
	    "categories");
}

static void
test_settings(void)
{
	char body[160];

	call_json("settings", WORKS, "GET", "/api/categories", NULL, ADMIN, "200", "categories.0.id "
	    "categories.0.name categories.0.description categories.0.scriptCount");
	snprintf(body, sizeof(body), "{\"name\":\"Compat %d\",\"description\":\"from settings\"}",
	    (int)getpid());
	call_json("settings", WORKS, "POST", "/api/categories", body, ADMIN, "200 201",
	    "category.id category.name");
	keep(cat, sizeof(cat), "category.id");
	snprintf(body, sizeof(body), "{\"name\":\"Compat %d renamed\",\"description\":null}", (int)getpid());
	call_json("settings", WORKS, "PUT", "/api/categories/:cat", body, ADMIN, "200", "category.id category.name");
	call_json("settings", WORKS, "DELETE", "/api/categories/:cat?mode=uncategorize", NULL, ADMIN, "200",
	    NULL);
}

static void
test_users(void)
{
	char body[256], name[64];

	struct it_resp r;

	/* its January form reads a bare array with snake_case dates (its later form takes either) */
	call_json("users", ADAPTED, "GET", "/api/users", NULL, ADMIN, "200",
	    "0.id 0.username 0.email 0.role 0.created_at 0.last_login_at 0.createdAt 0.lastLoginAt");
	T_ASSERT(last.json != NULL && json_object_is_type(last.json, json_type_array));
	T_ASSERT(it_header(&last, "x-total-count") != NULL);
	/* asked otherwise (API.md's clients: another Accept, or a page), API.md's form */
	T_EQ(it_json(&r, "GET", "/api/users", admin.token, NULL), 0);
	T_EQ(r.status, 200);
	T_ASSERT(it_str(&r, "users.0.id") != NULL && it_str(&r, "totalPages") != NULL);
	it_resp_free(&r);
	{
		const char *h[] = { "Accept: application/json, text/plain, */*", NULL, NULL };
		char auth[160];

		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", admin.token);
		h[1] = auth;
		T_EQ(it_request(&r, "GET", "/api/users?page=1", NULL, 0, NULL, h), 0);
		T_EQ(r.status, 200);
		T_ASSERT(it_str(&r, "users.0.id") != NULL);
		it_resp_free(&r);
	}
	unique_name(name, sizeof(name), "cnew");
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.com\","
	    "\"password\":\"" PW "\",\"role\":\"user\"}", name, name);
	call_json("users", WORKS, "POST", "/api/users", body, ADMIN, "200 201", "user.id");
	keep(uid, sizeof(uid), "user.id");
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.com\",\"role\":\"admin\"}",
	    name, name);
	call_json("users", WORKS, "PUT", "/api/users/:user", body, ADMIN, "200", NULL);
	call_json("users", WORKS, "POST", "/api/users/:user/reset-password",
	    "{\"password\":\"An0ther-pass\"}", ADMIN, "200", NULL);
	call_json("users", WORKS, "DELETE", "/api/users/:user", NULL, ADMIN, "200", NULL);
}

/* the deletions last: the scripts list page's archive buttons */
static void
test_scripts_list_deletes(void)
{
	call_json("scripts list", WORKS, "POST", "/api/scripts/delete", "{\"ids\":[:id2]}", USER,
	    "200", "success");
	call_json("scripts list", WORKS, "DELETE", "/api/scripts/:id", NULL, USER, "200", "success");
}

/* CORS (issue 19 item 6): the stack lists https://frontend.example.test (tests/harness.sh) */
static void
test_cors_listed_origins_only(void)
{
	const char *good = "Origin: https://frontend.example.test";
	struct { const char *method, *path, *origin, *acrm; long want; bool allowed; } rows[] = {
		{ "OPTIONS", "/api/scripts", good, "Access-Control-Request-Method: POST", 204, true },
		{ "OPTIONS", "/api/scripts/1/analysis", good, "Access-Control-Request-Method: GET", 204, true },
		{ "OPTIONS", "/api/no-such-thing", good, "Access-Control-Request-Method: GET", 404, true },
		{ "GET", "/api/categories", good, NULL, 200, true },
		{ "GET", "/api/categories", "Origin: https://frontend.example.test.evil.example", NULL, 200, false },
		{ "GET", "/api/categories", "Origin: https://evil.example", NULL, 200, false },
		{ "GET", "/api/categories", "Origin: null", NULL, 200, false },
		{ "GET", "/api/categories", "Origin: http://frontend.example.test", NULL, 200, false },
		{ "OPTIONS", "/api/scripts", "Origin: https://evil.example",
		  "Access-Control-Request-Method: POST", 405, false },
	};

	for (size_t i = 0; i < PSS_ARRAY_LEN(rows); i++) {
		const char *h[4] = { rows[i].origin, rows[i].acrm, NULL, NULL };
		const char *acao, *acac;
		char acao_b[160];
		struct it_resp r;

		T_EQ(it_request(&r, rows[i].method, rows[i].path, NULL, 0, NULL, h), 0);
		snprintf(acao_b, sizeof(acao_b), "%s", it_header(&r, "access-control-allow-origin") ?
		    it_header(&r, "access-control-allow-origin") : "");
		acao = acao_b[0] != '\0' ? acao_b : NULL;
		acac = it_header(&r, "access-control-allow-credentials");
		T_ASSERTF(r.status == rows[i].want, "%s %s %s: %ld, want %ld", rows[i].method,
		    rows[i].path, rows[i].origin, r.status, rows[i].want);
		if (rows[i].allowed) {
			T_ASSERTF(acao != NULL && strcmp(acao, rows[i].origin + 8) == 0, "%s: ACAO %s",
			    rows[i].origin, acao ? acao : "(none)");
			T_ASSERT(acac != NULL && strcmp(acac, "true") == 0);
		} else
			T_ASSERTF(acao == NULL && acac == NULL, "%s: ACAO %s", rows[i].origin,
			    acao ? acao : "(none)");
		T_ASSERT(it_header(&r, "vary") != NULL && strstr(it_header(&r, "vary"), "Origin") != NULL);
		if (rows[i].want == 204) {
			const char *m = it_header(&r, "access-control-allow-methods");

			T_ASSERT(m != NULL && strstr(m, "GET") != NULL);
			T_ASSERT(strcmp(rows[i].path, "/api/scripts") != 0 || strstr(m, "POST") != NULL);
			T_ASSERT(it_header(&r, "access-control-allow-headers") != NULL &&
			    strstr(it_header(&r, "access-control-allow-headers"), "Authorization") != NULL);
		}
		it_resp_free(&r);
	}
	/* a cross-site cookie write from a listed origin still needs the CSRF token */
	{
		char cookie[200];
		const char *h[4] = { cookie, good, "Sec-Fetch-Site: cross-site", NULL };
		struct it_resp r;

		snprintf(cookie, sizeof(cookie), "Cookie: " AUTH_COOKIE "=%s", user.token);
		T_EQ(it_request(&r, "POST", "/api/tags", "{\"name\":\"cors\"}", 15, "application/json", h), 0);
		T_EQ(r.status, 403);
		it_resp_free(&r);
	}
}

/* the original platform's health path answers as /api/health does (issue 19 item 7) */
static void
test_health_original_path(void)
{
	struct it_resp r;

	T_EQ(it_json(&r, "GET", "/health", NULL, NULL), 0);
	T_EQ(r.status, 200);
	T_ASSERT(it_str(&r, "status") != NULL);
	it_resp_free(&r);
}

static void
test_summary(void)
{
	int total = 0, working = passed[WORKS] + passed[ADAPTED];

	for (int i = 0; i < STATE__MAX; i++)
		total += counts[i];
	printf("# compat: %d calls: %d work (%d as they are, %d with an adapted shape or parameter), "
	    "%d pending a feature (%d of them already answer), %d deliberately different\n",
	    total, working, passed[WORKS], passed[ADAPTED], counts[PENDING], passed[PENDING],
	    counts[DIFFERENT]);
	T_ASSERT(compat_doc != NULL);
	T_EQ(working, counts[WORKS] + counts[ADAPTED]);
}

int
main(void)
{
	it_init();
	origin_init();
	doc_load();
	T_RUN(test_login);
	T_RUN(test_refresh);
	T_RUN(test_upload);
	T_RUN(test_upload_csrf_cross_site_refused);
	T_RUN(test_dashboard);
	T_RUN(test_scripts_list);
	T_RUN(test_script_detail);
	T_RUN(test_analysis_view);
	T_RUN(test_analysis_stream);
	T_RUN(test_search);
	T_RUN(test_documentation);
	T_RUN(test_chat);
	T_RUN(test_analytics);
	T_RUN(test_settings);
	T_RUN(test_users);
	T_RUN(test_scripts_list_deletes);
	T_RUN(test_cors_listed_origins_only);
	T_RUN(test_health_original_path);
	T_RUN(test_summary);
	it_resp_free(&last);
	free(compat_doc);
	return t_done();
}
