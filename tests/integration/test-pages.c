/* test-pages.c: the HTML pages through nginx: every page is well-formed HTML with a title and
 * landmarks and no inline script or style; forms need their CSRF token; post/redirect/get with
 * a flash shown once; error pages; user text escaped wherever it appears; hashed assets */
#include "config.h"

#include <ctype.h>

#include "itest-html.h"

static struct acct admin;

static void
test_setup(void)
{
	T_EQ(acct_admin(&admin, "padm"), 0);
}

static void
test_public_pages(void)
{
	const char *paths[] = { "/", "/login", "/register" };
	struct visitor v = { 0 };
	struct it_resp r;

	for (size_t i = 0; i < PSS_ARRAY_LEN(paths); i++) {
		T_EQ(visit(&v, &r, "GET", paths[i], NULL), 200);
		check_page(&r, paths[i]);
		T_CONTAINS(it_header(&r, "content-security-policy"), "default-src 'self'");
		T_ASSERT(strstr(it_header(&r, "content-security-policy"), "unsafe-inline") == NULL);
		it_resp_free(&r);
	}
	T_EQ(strlen(v.anon), 64);	/* the double-submit cookie was set once and kept */
	T_STREQ(v.csrf, v.anon);
}

static void
test_signed_in_pages(void)
{
	struct visitor v;
	struct it_resp r;
	struct acct extra;
	char path[64];
	const char *paths[] = { "/", "/account", "/account/password", "/admin/users",
	    "/admin/users/new", path, "/admin/users?page=1&limit=1" };

	snprintf(path, sizeof(path), "/admin/users/%lld", admin.id);
	T_EQ(page_login(&v, admin.name, PW), 303);
	for (size_t i = 0; i < PSS_ARRAY_LEN(paths); i++) {
		T_ASSERTF(visit(&v, &r, "GET", paths[i], NULL) == 200, "%s: %ld", paths[i], r.status);
		check_page(&r, paths[i]);
		T_CONTAINS(r.body, admin.name);
		T_CONTAINS(r.body, "action=\"/logout\"");
		it_resp_free(&r);
	}
	/* the pager keeps the other arguments (two users at least) */
	T_EQ(acct_register(&extra, "ppager"), 0);
	visit(&v, &r, "GET", "/admin/users?limit=1", NULL);
	T_CONTAINS(r.body, "href=\"/admin/users?limit=1&amp;page=2\"");
	it_resp_free(&r);
}

/* A hash the file does not have (issue 12): never immutable, so no cache keeps other bytes
 * under that name; a file that does not exist is 404; the internal location is not public. */
static void
test_asset_wrong_hash(void)
{
	struct it_resp a;

	T_EQ(it_get(&a, "/static/css/app.000000000000.css"), 0);
	T_ASSERTF(a.status == 200 || a.status == 404, "status %ld", a.status);
	T_ASSERTF(it_header(&a, "cache-control") != NULL &&
	    strstr(it_header(&a, "cache-control"), "immutable") == NULL &&
	    strstr(it_header(&a, "cache-control"), "max-age=31536000") == NULL,
	    "cache-control %s", it_header(&a, "cache-control") ? it_header(&a, "cache-control") : "(none)");
	if (a.status == 200) {
		T_STREQ(it_header(&a, "cache-control"), "no-cache");
		T_CONTAINS(it_header(&a, "content-type"), "text/css");
	}
	it_resp_free(&a);
	T_EQ(it_get(&a, "/static/css/nosuch.0123456789ab.css"), 0);
	T_EQ(a.status, 404);
	T_ASSERT(it_header(&a, "cache-control") == NULL ||
	    strstr(it_header(&a, "cache-control"), "immutable") == NULL);
	it_resp_free(&a);
	T_EQ(it_get(&a, "/.assets-current/css/app.css"), 0);
	T_EQ(a.status, 404);
	it_resp_free(&a);
}

static void
test_assets(void)
{
	struct visitor v = { 0 };
	struct it_resp r, a;
	char url[256], want[13], hex[65];
	const char *p;
	FILE *f;
	struct buf css = BUF_INIT;
	char chunk[4096];
	size_t n;

	visit(&v, &r, "GET", "/login", NULL);
	p = strstr(r.body, "<link rel=\"stylesheet\" href=\"");
	T_ASSERT(p != NULL);
	if (p == NULL) {
		it_resp_free(&r);
		return;
	}
	p += strlen("<link rel=\"stylesheet\" href=\"");
	snprintf(url, sizeof(url), "%.*s", (int)strcspn(p, "\""), p);
	it_resp_free(&r);
	T_ASSERTF(strncmp(url, "/static/css/app.", 16) == 0 && strlen(url) == 16 + 12 + 4, "url %s", url);
	/* the name holds the hash of the bytes served */
	T_EQ(it_get(&a, url), 0);
	T_EQ(a.status, 200);
	T_CONTAINS(it_header(&a, "content-type"), "text/css");
	T_CONTAINS(it_header(&a, "cache-control"), "immutable");
	T_CONTAINS(it_header(&a, "cache-control"), "max-age=31536000");
	sha256_hex(a.body, a.len, hex);
	snprintf(want, sizeof(want), "%.12s", hex);
	T_ASSERTF(strncmp(url + 16, want, 12) == 0, "hash in %s, content %s", url, want);
	it_resp_free(&a);
	/* and it is static/css/app.css of the tree */
	snprintf(url, sizeof(url), "%s/static/css/app.css", getenv("PSS_SRCDIR") ? getenv("PSS_SRCDIR") : ".");
	if ((f = fopen(url, "rb")) != NULL) {
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_append(&css, chunk, n);
		fclose(f);
		sha256_hex(css.data, css.len, hex);
		T_ASSERT(strncmp(hex, want, 12) == 0);
		buf_free(&css);
	}
	/* an unhashed name: a short cache */
	T_EQ(it_get(&a, "/static/css/app.css"), 0);
	T_EQ(a.status, 200);
	T_CONTAINS(it_header(&a, "cache-control"), "max-age=300");
	it_resp_free(&a);
	test_asset_wrong_hash();
}

static void
test_error_pages(void)
{
	struct visitor v = { 0 }, u;
	struct it_resp r;
	struct acct plain;

	T_EQ(visit(&v, &r, "GET", "/no/such/page", NULL), 404);
	check_page(&r, "404");
	T_CONTAINS(r.body, "Page not found");
	it_resp_free(&r);
	T_EQ(visit(&v, &r, "PUT", "/login", NULL), 405);
	check_page(&r, "405");
	it_resp_free(&r);
	/* the API keeps its JSON */
	T_EQ(visit(&v, &r, "GET", "/api/no/such", NULL), 404);
	T_STREQ(it_str(&r, "error"), "not_found");
	it_resp_free(&r);
	/* a page that needs a login goes there and comes back */
	T_EQ(visit(&v, &r, "GET", "/admin/users?page=2", NULL), 303);
	T_STREQ(it_header(&r, "location"), "/login?next=%2Fadmin%2Fusers%3Fpage%3D2");
	it_resp_free(&r);
	{	/* a query too long to come back to (the login page takes at most 512 bytes): to
		 * the login alone, never a Location past nginx's header buffer (a 503 was seen) */
		char long_q[6100];

		memcpy(long_q, "/admin/users?q=", 15);
		memset(long_q + 15, 'a', 6000);
		long_q[6015] = '\0';
		T_EQ(visit(&v, &r, "GET", long_q, NULL), 303);
		T_STREQ(it_header(&r, "location"), "/login");
		it_resp_free(&r);
	}
	/* a signed-in user who is not an admin: the 403 page */
	T_EQ(acct_register(&plain, "pplain"), 0);
	T_EQ(page_login(&u, plain.name, PW), 303);
	T_EQ(visit(&u, &r, "GET", "/admin/users", NULL), 403);
	check_page(&r, "403");
	T_CONTAINS(r.body, "Not allowed");
	it_resp_free(&r);
	/* a bad id: 400 page, not JSON, not 500; a missing user: 404 page */
	T_EQ(page_login(&u, admin.name, PW), 303);
	T_EQ(visit(&u, &r, "GET", "/admin/users/abc", NULL), 400);
	check_page(&r, "400");
	it_resp_free(&r);
	T_EQ(visit(&u, &r, "GET", "/admin/users/2000000000", NULL), 404);
	check_page(&r, "404 user");
	it_resp_free(&r);
	/* a path no route has, signed in: the layout still knows who it is */
	T_EQ(visit(&u, &r, "GET", "/no/such/page", NULL), 404);
	T_CONTAINS(r.body, admin.name);
	it_resp_free(&r);
	/* an expired cookie: cleared, and the login asked for */
	snprintf(u.session, sizeof(u.session), "%064d", 0);
	T_EQ(visit(&u, &r, "GET", "/account", NULL), 303);
	T_STREQ(set_cookie(&r, "__Host-pss_session"), "");
	it_resp_free(&r);
}

static void
test_anonymous_csrf(void)
{
	struct visitor v = { 0 };
	struct it_resp r;
	char name[64], email[96];
	const char *f;

	unique_name(name, sizeof(name), "pcsrf");
	snprintf(email, sizeof(email), "%s@example.com", name);
	/* no cookie, no field */
	T_EQ(visit(&v, &r, "POST", "/register", "username=x&email=y&password=z"), 403);
	check_page(&r, "csrf 403");
	it_resp_free(&r);
	/* a cookie, but the field of another */
	visit(&v, &r, "GET", "/register", NULL);
	it_resp_free(&r);
	f = form_of(&(struct visitor){ .csrf = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
	    (const char *[]){ "username", name, "email", email, "password", PW, NULL });
	T_EQ(visit(&v, &r, "POST", "/register", f), 403);
	it_resp_free(&r);
	T_STREQ(it_psql("SELECT count(*) FROM users WHERE username = 'x'"), "0");
	/* the right one */
	T_EQ(visit(&v, &r, "POST", "/register", form_of(&v, (const char *[]){ "username", name,
	    "email", email, "password", PW, NULL })), 303);
	T_STREQ(it_header(&r, "location"), "/");
	T_EQ(strlen(v.session), 64);
	T_STREQ(v.flash, "Your%20account%20is%20ready.%20Welcome%21");
	it_resp_free(&r);
	/* the flash once, then cleared */
	T_EQ(visit(&v, &r, "GET", "/", NULL), 200);
	T_CONTAINS(r.body, "<div class=\"flash\" role=\"status\">Your account is ready. Welcome!</div>");
	T_STREQ(set_cookie(&r, "__Host-pss_flash"), "");
	T_CONTAINS(r.body, name);
	it_resp_free(&r);
	T_EQ(visit(&v, &r, "GET", "/", NULL), 200);
	T_ASSERT(strstr(r.body, "class=\"flash\"") == NULL);
	it_resp_free(&r);
}

static void
test_session_csrf(void)
{
	struct visitor v;
	struct it_resp r;
	char good[96];

	T_EQ(page_login(&v, admin.name, PW), 303);
	snprintf(good, sizeof(good), "%s", v.csrf);
	T_EQ(strlen(good), 64);
	T_ASSERT(strcmp(good, v.anon) != 0);	/* the session's token, not the anonymous one */
	/* a signed-in form without the token, or with the anonymous one */
	T_EQ(visit(&v, &r, "POST", "/logout", "x=1"), 403);
	T_CONTAINS(r.body, "CSRF");
	it_resp_free(&r);
	snprintf(v.csrf, sizeof(v.csrf), "%s", v.anon);
	T_EQ(visit(&v, &r, "POST", "/logout", form_of(&v, (const char *[]){ NULL })), 403);
	it_resp_free(&r);
	/* with it: logged out, cookie cleared, the session gone */
	snprintf(v.csrf, sizeof(v.csrf), "%s", good);
	T_EQ(visit(&v, &r, "POST", "/logout", form_of(&v, (const char *[]){ NULL })), 303);
	T_STREQ(it_header(&r, "location"), "/login");
	T_STREQ(set_cookie(&r, "__Host-pss_session"), "");
	it_resp_free(&r);
	T_EQ(visit(&v, &r, "GET", "/login", NULL), 200);
	T_CONTAINS(r.body, "You have been logged out.");
	it_resp_free(&r);
}

static void
test_login_form(void)
{
	struct visitor v = { 0 };
	struct it_resp r;

	visit(&v, &r, "GET", "/login?next=/account", NULL);
	T_CONTAINS(r.body, "name=\"next\" value=\"/account\"");
	it_resp_free(&r);
	/* wrong password: the form again, 401, the login kept, the password not */
	T_EQ(visit(&v, &r, "POST", "/login", form_of(&v, (const char *[]){ "login", admin.name,
	    "password", "Wrong-pass-9", "next", "/account", NULL })), 401);
	check_page(&r, "login 401");
	T_CONTAINS(r.body, "Invalid email, username or password.");
	T_CONTAINS(r.body, admin.name);
	T_ASSERT(strstr(r.body, "Wrong-pass-9") == NULL);
	T_CONTAINS(r.body, "name=\"next\" value=\"/account\"");
	it_resp_free(&r);
	/* right: to next */
	T_EQ(visit(&v, &r, "POST", "/login", form_of(&v, (const char *[]){ "login", admin.name,
	    "password", PW, "next", "/account", NULL })), 303);
	T_STREQ(it_header(&r, "location"), "/account");
	it_resp_free(&r);
	/* next to another site is ignored */
	memset(&v, 0, sizeof(v));
	visit(&v, &r, "GET", "/login", NULL);
	it_resp_free(&r);
	T_EQ(visit(&v, &r, "POST", "/login", form_of(&v, (const char *[]){ "login", admin.name,
	    "password", PW, "next", "//evil.example/x", NULL })), 303);
	T_STREQ(it_header(&r, "location"), "/");
	it_resp_free(&r);
}

static void
test_register_errors(void)
{
	struct visitor v = { 0 };
	struct it_resp r;

	visit(&v, &r, "GET", "/register", NULL);
	it_resp_free(&r);
	/* a weak password: 400, the form with the message and the values, not the password */
	T_EQ(visit(&v, &r, "POST", "/register", form_of(&v, (const char *[]){ "username", "pweak_user",
	    "email", "pweak@example.com", "password", "short", NULL })), 400);
	check_page(&r, "register 400");
	T_CONTAINS(r.body, "class=\"form-error\"");
	T_CONTAINS(r.body, "value=\"pweak_user\"");
	T_CONTAINS(r.body, "value=\"pweak@example.com\"");
	T_ASSERT(strstr(r.body, "value=\"short\"") == NULL);
	/* the field is marked and points to its message */
	T_CONTAINS(r.body, "aria-describedby=\"password-hint password-error\" aria-invalid=\"true\"");
	T_CONTAINS(r.body, "<p class=\"field-error\" id=\"password-error\">");
	it_resp_free(&r);
	/* a taken username: 409 */
	T_EQ(visit(&v, &r, "POST", "/register", form_of(&v, (const char *[]){ "username", admin.name,
	    "email", "pother@example.com", "password", PW, NULL })), 409);
	check_page(&r, "register 409");
	it_resp_free(&r);
	/* a body that is not a form the page reads: still a page */
	T_EQ(visit(&v, &r, "POST", "/register", "%zz=1"), 400);
	check_page(&r, "register bad body");
	it_resp_free(&r);
}

/* User text with markup, quotes and Unicode, everywhere it is shown. */
static void
test_escaping(void)
{
	static const char evil[] = "<script>alert(\"x\")</script> 'q' &amp; \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	struct visitor v = { 0 };
	struct it_resp r;
	struct acct a;
	char body[512], ua[200];
	const char *h[2] = { ua, NULL };

	/* echoed into a re-rendered form */
	visit(&v, &r, "GET", "/register", NULL);
	it_resp_free(&r);
	T_EQ(visit(&v, &r, "POST", "/register", form_of(&v, (const char *[]){ "username", evil,
	    "email", evil, "password", PW, NULL })), 400);
	check_page(&r, "register evil");
	T_ASSERT(strstr(r.body, "<script>alert") == NULL);
	T_CONTAINS(r.body, "value=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#39;q&#39; &amp;amp; \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	it_resp_free(&r);
	/* a script title on the dashboard */
	T_EQ(acct_register(&a, "pesc"), 0);
	snprintf(body, sizeof(body), "{\"title\":\"%s\",\"content\":\"Get-Date # %d\",\"isPublic\":true}",
	    "<script>alert(\\\"t\\\")</script> 'q' \xc3\xbcn\xc3\xaf", (int)getpid());
	T_EQ(status_of("POST", "/api/scripts", a.token, body), 201);
	T_EQ(page_login(&v, a.name, PW), 303);
	T_EQ(visit(&v, &r, "GET", "/", NULL), 200);
	check_page(&r, "dashboard evil");
	T_ASSERT(strstr(r.body, "<script>alert") == NULL);
	T_CONTAINS(r.body, "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &#39;q&#39; \xc3\xbcn\xc3\xaf");
	it_resp_free(&r);
	/* a user agent on the sessions page */
	snprintf(ua, sizeof(ua), "User-Agent: <script>alert('ua')</script> \"q\"");
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\"}", a.name);
	T_EQ(it_request(&r, "POST", "/api/auth/login", body, strlen(body), "application/json", h), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
	T_EQ(visit(&v, &r, "GET", "/account", NULL), 200);
	check_page(&r, "account evil");
	T_ASSERT(strstr(r.body, "<script>alert") == NULL);
	T_CONTAINS(r.body, "&lt;script&gt;alert(&#39;ua&#39;)&lt;/script&gt; &quot;q&quot;");
	it_resp_free(&r);
}

static void
test_password_and_sessions(void)
{
	struct visitor v, w;
	struct it_resp r;
	struct acct a;
	char path[160];
	const char *p;
	int n = 0;

	T_EQ(acct_register(&a, "ppw"), 0);	/* one login from the API */
	T_EQ(page_login(&w, a.name, PW), 303);	/* two */
	T_EQ(page_login(&v, a.name, PW), 303);	/* three: this one */
	T_EQ(visit(&v, &r, "GET", "/account", NULL), 200);
	for (p = r.body; (p = strstr(p, "/revoke\"")) != NULL; p++)
		n++;
	T_EQ(n, 3);
	T_CONTAINS(r.body, "(this one)");
	it_resp_free(&r);
	/* end the API's login from the page (an unknown id is a 404 page) */
	T_EQ(visit(&v, &r, "POST", "/account/sessions/not-a-session/revoke", form_of(&v, (const char *[]){ NULL })), 404);
	check_page(&r, "revoke 404");
	it_resp_free(&r);
	T_EQ(status_of("GET", "/api/auth/me", a.token, NULL), 200);
	{
		char sql[256];
		const char *fam;

		snprintf(sql, sizeof(sql), "SELECT family_id FROM user_sessions WHERE user_id = %lld "
		    "ORDER BY id LIMIT 1", a.id);
		fam = it_psql(sql);
		T_ASSERT(fam != NULL);
		snprintf(path, sizeof(path), "/account/sessions/%s/revoke", fam ? fam : "x");
	}
	T_EQ(visit(&v, &r, "POST", path, form_of(&v, (const char *[]){ NULL })), 303);
	T_STREQ(it_header(&r, "location"), "/account");
	it_resp_free(&r);
	T_EQ(status_of("GET", "/api/auth/me", a.token, NULL), 401);
	/* the JSON twin */
	T_EQ(it_json(&r, "GET", "/api/auth/sessions", NULL, NULL), 0);
	T_EQ(r.status, 401);
	it_resp_free(&r);
	/* change the password: wrong current one re-renders; right one ends the other logins */
	T_EQ(visit(&v, &r, "POST", "/account/password", form_of(&v, (const char *[]){
	    "currentPassword", "Wrong-pass-9", "newPassword", "N3w-Passw0rd", NULL })), 401);
	check_page(&r, "password 401");
	T_CONTAINS(r.body, "The current password is not right.");
	it_resp_free(&r);
	T_EQ(visit(&v, &r, "POST", "/account/password", form_of(&v, (const char *[]){
	    "currentPassword", PW, "newPassword", "N3w-Passw0rd", NULL })), 303);
	T_STREQ(it_header(&r, "location"), "/account");
	it_resp_free(&r);
	T_EQ(visit(&v, &r, "GET", "/account", NULL), 200);
	T_CONTAINS(r.body, "Your password was changed.");
	n = 0;
	for (p = r.body; (p = strstr(p, "/revoke\"")) != NULL; p++)
		n++;
	T_EQ(n, 1);
	it_resp_free(&r);
	T_EQ(visit(&w, &r, "GET", "/account", NULL), 303);	/* the other browser is signed out */
	it_resp_free(&r);
	T_EQ(page_login(&w, a.name, "N3w-Passw0rd"), 303);
}

static void
test_admin_users(void)
{
	struct visitor v;
	struct it_resp r;
	char name[64], email[96], path[128], sql[256], id[24];

	T_EQ(page_login(&v, admin.name, PW), 303);
	unique_name(name, sizeof(name), "pnew");
	snprintf(email, sizeof(email), "%s@example.com", name);
	/* create: a bad one re-renders, a good one redirects to the list with a flash */
	T_EQ(visit(&v, &r, "POST", "/admin/users", form_of(&v, (const char *[]){ "username", name,
	    "email", "bad", "password", PW, "role", "user", NULL })), 400);
	check_page(&r, "create 400");
	T_CONTAINS(r.body, "value=\"bad\"");
	it_resp_free(&r);
	T_EQ(visit(&v, &r, "POST", "/admin/users", form_of(&v, (const char *[]){ "username", name,
	    "email", email, "password", PW, "role", "user", NULL })), 303);
	T_STREQ(it_header(&r, "location"), "/admin/users");
	it_resp_free(&r);
	T_EQ(visit(&v, &r, "GET", "/admin/users?limit=100", NULL), 200);
	T_CONTAINS(r.body, "The user was created.");
	it_resp_free(&r);
	snprintf(sql, sizeof(sql), "SELECT id FROM users WHERE username = '%s'", name);
	snprintf(id, sizeof(id), "%s", it_psql(sql) ? it_psql(sql) : "0");
	/* role */
	snprintf(path, sizeof(path), "/admin/users/%s/role", id);
	T_EQ(visit(&v, &r, "POST", path, form_of(&v, (const char *[]){ "role", "admin", NULL })), 303);
	it_resp_free(&r);
	snprintf(sql, sizeof(sql), "SELECT role FROM users WHERE username = '%s'", name);
	T_STREQ(it_psql(sql), "admin");
	snprintf(path, sizeof(path), "/admin/users/%s", id);
	T_EQ(visit(&v, &r, "GET", path, NULL), 200);
	T_CONTAINS(r.body, "The role was changed.");
	T_CONTAINS(r.body, "<option value=\"admin\" selected=\"selected\">");
	it_resp_free(&r);
	/* lock it with failed logins, see it locked, unlock it */
	for (int i = 0; i < 5; i++) {
		struct acct x;

		acct_login(&x, name, "Wrong-pass-9");
	}
	T_EQ(visit(&v, &r, "GET", path, NULL), 200);
	T_CONTAINS(r.body, "Locked until");
	T_CONTAINS(r.body, "/unlock\"");
	/* and the lock's record (issue 12 item 4) */
	T_CONTAINS(r.body, "<h2>Locks</h2>");
	T_CONTAINS(r.body, "<td>account</td><td>login</td>");
	T_CONTAINS(r.body, "<td>127.0.0.1</td>");
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/admin/users/%s/unlock", id);
	T_EQ(visit(&v, &r, "POST", path, form_of(&v, (const char *[]){ NULL })), 303);
	it_resp_free(&r);
	snprintf(sql, sizeof(sql), "SELECT locked_until IS NULL FROM users WHERE username = '%s'", name);
	T_STREQ(it_psql(sql), "t");
	/* reset the password: weak re-renders, good one works */
	snprintf(path, sizeof(path), "/admin/users/%s/password", id);
	T_EQ(visit(&v, &r, "GET", path, NULL), 200);
	check_page(&r, "reset form");
	it_resp_free(&r);
	T_EQ(visit(&v, &r, "POST", path, form_of(&v, (const char *[]){ "password", "weak", NULL })), 400);
	check_page(&r, "reset 400");
	T_CONTAINS(r.body, "class=\"form-error\"");
	it_resp_free(&r);
	T_EQ(visit(&v, &r, "POST", path, form_of(&v, (const char *[]){ "password", "Rese7-Passw0rd", NULL })), 303);
	it_resp_free(&r);
	{
		struct acct x;

		T_EQ(acct_login(&x, name, "Rese7-Passw0rd"), 200);
	}
	/* delete: the confirmation page, then the deed */
	snprintf(path, sizeof(path), "/admin/users/%s/delete", id);
	T_EQ(visit(&v, &r, "GET", path, NULL), 200);
	check_page(&r, "delete confirm");
	T_CONTAINS(r.body, name);
	it_resp_free(&r);
	T_EQ(visit(&v, &r, "POST", path, form_of(&v, (const char *[]){ NULL })), 303);
	T_STREQ(it_header(&r, "location"), "/admin/users");
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/admin/users/%s", id);
	T_EQ(visit(&v, &r, "GET", path, NULL), 404);
	it_resp_free(&r);
	/* the unlock API twin */
	snprintf(path, sizeof(path), "/api/users/%lld/unlock", admin.id);
	T_EQ(it_json(&r, "POST", path, admin.token, NULL), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "user.username"), admin.name);
	it_resp_free(&r);
}

/* The page and the API answer from one view object: the users page lists exactly the users
 * of GET /api/users with the same arguments, and the account page the logins of
 * GET /api/auth/sessions. */
static void
test_page_matches_api(void)
{
	struct visitor v;
	struct it_resp api, page;
	struct json_object *users, *u, *sessions;
	int rows = 0;
	char cell[160];

	T_EQ(page_login(&v, admin.name, PW), 303);
	T_EQ(it_json(&api, "GET", "/api/users?page=2&limit=3", admin.token, NULL), 0);
	T_EQ(visit(&v, &page, "GET", "/admin/users?page=2&limit=3", NULL), 200);
	T_ASSERT(api.json != NULL && json_object_object_get_ex(api.json, "users", &users));
	for (size_t i = 0; api.json != NULL && i < json_object_array_length(users); i++) {
		u = json_object_array_get_idx(users, i);
		snprintf(cell, sizeof(cell), "<td><a href=\"/admin/users/%lld\">%s</a></td>",
		    (long long)json_object_get_int64(json_object_object_get(u, "id")),
		    json_object_get_string(json_object_object_get(u, "username")));
		T_CONTAINS(page.body, cell);
	}
	for (const char *p = page.body; (p = strstr(p, "<td><a href=\"/admin/users/")) != NULL; p++)
		rows++;
	T_EQ(rows, api.json != NULL ? (long long)json_object_array_length(users) : -1);
	snprintf(cell, sizeof(cell), "%s user%s.", it_str(&api, "total"),
	    strcmp(it_str(&api, "total"), "1") == 0 ? "" : "s");
	T_CONTAINS(page.body, cell);
	it_resp_free(&api);
	it_resp_free(&page);
	/* the account page: one row per login of the API's list */
	T_EQ(visit(&v, &page, "GET", "/account", NULL), 200);
	{
		char auth[160];
		const char *h[3] = { auth, NULL, NULL };

		snprintf(auth, sizeof(auth), "Cookie: __Host-pss_session=%s", v.session);
		T_EQ(it_request(&api, "GET", "/api/auth/sessions", NULL, 0, NULL, h), 0);
	}
	T_EQ(api.status, 200);
	T_ASSERT(api.json != NULL && json_object_object_get_ex(api.json, "sessions", &sessions));
	rows = 0;
	for (const char *p = page.body; (p = strstr(p, "/revoke\"")) != NULL; p++)
		rows++;
	T_EQ(rows, api.json != NULL ? (long long)json_object_array_length(sessions) : -1);
	for (size_t i = 0; api.json != NULL && i < json_object_array_length(sessions); i++) {
		snprintf(cell, sizeof(cell), "/account/sessions/%s/revoke", json_object_get_string(
		    json_object_object_get(json_object_array_get_idx(sessions, i), "id")));
		T_CONTAINS(page.body, cell);
	}
	it_resp_free(&api);
	it_resp_free(&page);
}

/* PostgreSQL away: a readable 503 page with Retry-After, never JSON; back when it is */
static void
test_unavailable_page(void)
{
	struct visitor v;
	struct it_resp r;
	int up = 0;

	T_EQ(page_login(&v, admin.name, PW), 303);
	T_EQ(it_harness("pg-stop"), 0);
	for (int i = 0; i < 4; i++) {	/* more than one worker */
		T_EQ(visit(&v, &r, "GET", "/admin/users", NULL), 503);
		check_page(&r, "503");
		T_CONTAINS(r.body, "Temporarily unavailable");
		T_ASSERT(it_header(&r, "retry-after") != NULL);
		it_resp_free(&r);
	}
	T_EQ(it_harness("pg-start"), 0);
	for (int i = 0; i < 450 && up < 4; i++) {
		up = visit(&v, &r, "GET", "/admin/users", NULL) == 200 ? up + 1 : 0;
		it_resp_free(&r);
		if (up == 0)
			usleep(100000);
	}
	T_EQ(up, 4);
}

/* nginx's rate limit of the login form answers a page too (last: it throttles this address;
 * the harness allows 20/s with a burst of 60). It counts the form's posts: viewing the form
 * is never limited (test-auth). */
static void
test_rate_limited_page(void)
{
	struct it_resp r;
	long st = 0;

	for (int i = 0; i < 3000 && st != 429; i++) {
		T_EQ(it_request(&r, "POST", "/login", "login=x&password=y", 18,
		    "application/x-www-form-urlencoded", NULL), 0);
		st = r.status;
		if (st == 429) {
			well_formed(&r, "429");
			T_CONTAINS(r.body, "Too many requests");
			T_STREQ(it_header(&r, "retry-after"), "60");
		}
		it_resp_free(&r);
	}
	T_EQ(st, 429);
	sleep(4);	/* the zone refills for the suites after this one */
}

int
main(void)
{
	it_init();
	T_RUN(test_setup);
	T_RUN(test_public_pages);
	T_RUN(test_signed_in_pages);
	T_RUN(test_assets);
	T_RUN(test_error_pages);
	T_RUN(test_anonymous_csrf);
	T_RUN(test_session_csrf);
	T_RUN(test_login_form);
	T_RUN(test_register_errors);
	T_RUN(test_escaping);
	T_RUN(test_password_and_sessions);
	T_RUN(test_admin_users);
	T_RUN(test_page_matches_api);
	T_RUN(test_unavailable_page);
	T_RUN(test_rate_limited_page);
	html_check_done();
	return t_done();
}
