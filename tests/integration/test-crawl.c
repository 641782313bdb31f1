/* test-crawl.c: the documentation crawler against the stand-in site (tests/standin/
 * crawl-site.py, started here on loopback): robots.txt, depth, host scope, conditional GET,
 * redirect loop, slow drip, oversized, endless, wrong type, binary, invalid UTF-8, refused
 * addresses, a 10 MB robots.txt, a file:// folder, cancelling; the admin-only API with its
 * 400s; the admin page; psscript docs crawl. The stack's harness allows loopback
 * (CRAWL_ALLOW_LOOPBACK), a 50 ms delay and a 3 s request timeout. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "integration/itest-html.h"
#include "ai/fetch.h"
#include "t.h"

#ifndef PSS_TOP_SRCDIR
#define PSS_TOP_SRCDIR "."
#endif

struct site {
	pid_t	 pid;
	int	 port;
};

static struct site site, huge;
static struct acct admin, user;

static int
site_start(struct site *s, bool huge_robots)
{
	int fd[2];
	char line[32] = "";
	ssize_t n;

	if (pipe(fd) != 0)
		return -1;
	if ((s->pid = fork()) == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		execlp("python3", "python3", PSS_TOP_SRCDIR "/tests/standin/crawl-site.py",
		    huge_robots ? "--huge-robots" : (char *)NULL, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	for (size_t got = 0; got < sizeof(line) - 1 && strchr(line, '\n') == NULL; got += (size_t)n)
		if ((n = read(fd[0], line + got, sizeof(line) - 1 - got)) <= 0)
			break;
	close(fd[0]);
	s->port = atoi(line);
	return s->port > 0 ? 0 : -1;
}

static void
site_stop(struct site *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
}

/* The stand-in's request log (JSON lines), static. */
static const char *
site_log(const struct site *s)
{
	static char *out;
	struct it_resp r;
	char url[96];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/__log", s->port);
	free(out);
	out = NULL;
	if (it_get(&r, url) == 0 && r.body != NULL)
		out = strdup(r.body);
	it_resp_free(&r);
	return out ? out : "";
}

/* How many logged requests have path (and, when inm is not NULL, that If-None-Match). */
static int
requests_of(const struct site *s, const char *path, const char *status)
{
	const char *log = site_log(s), *p = log;
	char needle[300];
	int n = 0;

	snprintf(needle, sizeof(needle), "\"path\": \"%s\"", path);
	while ((p = strstr(p, needle)) != NULL) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char st[40];

		snprintf(st, sizeof(st), "\"status\": %s", status ? status : "");
		if (status == NULL || memmem(p, len, st, strlen(st)) != NULL)
			n++;
		p += strlen(needle);
	}
	return n;
}

static const char *
fmt(const char *f, ...)
{
	static char b[16][1024];
	static int i;
	va_list ap;

	i = (i + 1) % 16;
	va_start(ap, f);
	vsnprintf(b[i], sizeof(b[i]), f, ap);
	va_end(ap);
	return b[i];
}

/* POST /api/documentation/crawl as the admin: the crawl id, 0 when not 202. */
static long long
crawl_start(const char *body)
{
	struct it_resp r;
	long long id = 0;

	if (it_json(&r, "POST", "/api/documentation/crawl", admin.token, body) == 0 && r.status == 202 &&
	    it_str(&r, "crawl.id") != NULL)
		id = strtoll(it_str(&r, "crawl.id"), NULL, 10);
	else
		printf("#   crawl %s: %ld %.300s\n", body, r.status, r.body ? r.body : "");
	it_resp_free(&r);
	return id;
}

/* The crawl once it has ended (within timeout_s), as a JSON object the caller puts. */
static struct json_object *
crawl_wait(long long id, int timeout_s)
{
	for (int i = 0; i < timeout_s * 5; i++) {
		struct it_resp r;
		struct json_object *c = NULL, *st;

		if (it_json(&r, "GET", fmt("/api/documentation/crawls/%lld", id), admin.token, NULL) == 0 &&
		    r.json != NULL && json_object_object_get_ex(r.json, "crawl", &c) &&
		    json_object_object_get_ex(c, "status", &st) &&
		    strcmp(json_object_get_string(st), "queued") != 0 &&
		    strcmp(json_object_get_string(st), "running") != 0) {
			json_object_get(c);
			it_resp_free(&r);
			return c;
		}
		it_resp_free(&r);
		usleep(200000);
	}
	printf("#   crawl %lld did not end within %d s\n", id, timeout_s);
	return NULL;
}

/* crawl_done: crawl_start and crawl_wait; NULL (a failed test point) when either fails. */
static struct json_object *
crawl_done(const char *body, int timeout_s)
{
	long long id = crawl_start(body);
	struct json_object *c = id > 0 ? crawl_wait(id, timeout_s) : NULL;

	T_ASSERTF(c != NULL, "crawl %s did not end", body);
	return c;
}

static int64_t
num(struct json_object *o, const char *k)
{
	struct json_object *v;

	return o != NULL && json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : -1;
}

static const char *
str(struct json_object *o, const char *k)
{
	struct json_object *v;

	return o != NULL && json_object_object_get_ex(o, k, &v) && v != NULL ? json_object_get_string(v) : "";
}

/* The reason recorded for a URL ending in tail, or NULL. */
static const char *
reason_for(struct json_object *c, const char *tail)
{
	struct json_object *rs;
	size_t tl = strlen(tail);

	if (c == NULL || !json_object_object_get_ex(c, "reasons", &rs))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(rs); i++) {
		struct json_object *r = json_object_array_get_idx(rs, i);
		const char *u = str(r, "url");
		size_t ul = strlen(u);

		if (ul >= tl && strcmp(u + ul - tl, tail) == 0)
			return str(r, "reason");
	}
	return NULL;
}

static const char *
doc_count(const char *like)
{
	return it_psql(fmt("SELECT count(*) FROM documentation WHERE url LIKE '%s'", like));
}

static void
test_setup(void)
{
	T_EQ(site_start(&site, false), 0);
	T_EQ(site_start(&huge, true), 0);
	T_EQ(acct_admin(&admin, "crawladm"), 0);
	T_EQ(acct_register(&user, "crawlusr"), 0);
}

static void
test_api_admin_only(void)
{
	char before[24];
	const char *body = fmt("{\"url\":\"http://127.0.0.1:%d/docs/index.html\"}", site.port);

	snprintf(before, sizeof(before), "%s", it_psql("SELECT count(*) FROM crawls"));
	T_EQ(status_of("POST", "/api/documentation/crawl", NULL, body), 401);
	T_EQ(status_of("POST", "/api/documentation/crawl", user.token, body), 403);
	T_EQ(status_of("GET", "/api/documentation/crawls", user.token, NULL), 403);
	T_EQ(status_of("GET", "/api/documentation/crawls", NULL, NULL), 401);
	T_EQ(status_of("GET", "/api/documentation/crawls", admin.token, NULL), 200);
	T_EQ(status_of("GET", "/api/documentation/crawls/999999", admin.token, NULL), 404);
	T_EQ(status_of("POST", "/api/documentation/crawls/999999/cancel", admin.token, NULL), 404);
	T_STREQ(it_psql("SELECT count(*) FROM crawls"), before);	/* nothing was queued */
}

/* A bad request is 400 naming the field, and queues nothing. */
static void
bad(const char *body, const char *field, const char *phrase)
{
	struct it_resp r;

	T_EQ(it_json(&r, "POST", "/api/documentation/crawl", admin.token, body), 0);
	T_ASSERTF(r.status == 400, "%s: got %ld %.200s", body, r.status, r.body ? r.body : "");
	T_STREQ(it_str(&r, "error"), "validation_error");
	T_STREQ(it_str(&r, "details.0.field"), field);
	if (phrase != NULL)
		T_CONTAINS(it_str(&r, "message"), phrase);
	it_resp_free(&r);
}

static void
test_api_bad_requests(void)
{
	char before[24];

	snprintf(before, sizeof(before), "%s", it_psql("SELECT count(*) FROM crawls"));
	bad("{}", "url", "required");
	bad("{\"url\":42}", "url", NULL);
	bad("{\"url\":\"not a url\"}", "url", "not a valid URL");
	bad("{\"url\":\"ftp://example.com/docs\"}", "url", "unsupported scheme");
	bad("{\"url\":\"gopher://example.com/\"}", "url", "unsupported scheme");
	bad("{\"url\":\"http://10.0.0.1/\"}", "url", "refused address");
	bad("{\"url\":\"http://169.254.169.254/latest/\"}", "url", "refused address");
	bad("{\"url\":\"http://[::ffff:10.0.0.1]/\"}", "url", "refused address");
	bad("{\"url\":\"http://[fd00::1]/\"}", "url", "refused address");
	bad("{\"url\":\"http://0.0.0.0/\"}", "url", "refused address");
	bad("{\"url\":\"http://0x0a000001/\"}", "url", "refused address");	/* 10.0.0.1 */
	bad(fmt("{\"url\":\"http://127.0.0.1:%d/\",\"maxPages\":0}", site.port), "maxPages", "1 to 1000");
	bad(fmt("{\"url\":\"http://127.0.0.1:%d/\",\"maxPages\":5000}", site.port), "maxPages", NULL);
	bad(fmt("{\"url\":\"http://127.0.0.1:%d/\",\"maxPages\":\"many\"}", site.port), "maxPages", NULL);
	bad(fmt("{\"url\":\"http://127.0.0.1:%d/\",\"depth\":11}", site.port), "depth", "0 to 10");
	bad(fmt("{\"url\":\"http://127.0.0.1:%d/\",\"depth\":-1}", site.port), "depth", NULL);
	bad(fmt("{\"url\":\"http://127.0.0.1:%d/\",\"sameHost\":\"perhaps\"}", site.port), "sameHost", NULL);
	T_STREQ(it_psql("SELECT count(*) FROM crawls"), before);
}

static void
test_crawl_site(void)
{
	struct json_object *c = crawl_done(fmt("{\"url\":\"http://127.0.0.1:%d/docs/index.html\","
	    "\"maxPages\":40,\"depth\":2}", site.port), 90);
	const char *r;
	char base[64];

	snprintf(base, sizeof(base), "http://127.0.0.1:%d/", site.port);
	if (c == NULL)
		return;
	T_STREQ(str(c, "status"), "done");
	if (num(c, "pagesStored") != 7)
		printf("#   crawl: %s\n", json_object_to_json_string(c));
	/* stored: the start page, its HTML, Markdown and text pages, depth 2, the etag page */
	T_STREQ(doc_count(fmt("%sdocs/index.html", base)), "1");
	T_STREQ(doc_count(fmt("%sdocs/page1.html", base)), "1");
	T_STREQ(doc_count(fmt("%sdocs/deep2.html", base)), "1");
	T_STREQ(doc_count(fmt("%sdocs/etag.html", base)), "1");
	T_STREQ(doc_count(fmt("%sdocs/notes.md", base)), "1");
	T_STREQ(doc_count(fmt("%sdocs/plain.txt", base)), "1");
	/* depth: three hops is beyond depth 2 */
	T_STREQ(doc_count(fmt("%sdocs/deep3.html", base)), "0");
	T_EQ(requests_of(&site, "/docs/deep3.html", NULL), 0);
	/* code blocks stay code; the title is the page's */
	T_STREQ(it_psql(fmt("SELECT position(E'```powershell\\nGet-Process | Where-Object' in content) > 0"
	    " FROM documentation WHERE url = '%sdocs/page1.html'", base)), "t");
	T_STREQ(it_psql(fmt("SELECT title FROM documentation WHERE url = '%sdocs/page1.html'", base)),
	    "Get-Process example");
	/* robots.txt: the crawler's own group forbids /private/ */
	T_STREQ(doc_count(fmt("%sprivate/%%", base)), "0");
	T_EQ(requests_of(&site, "/private/secret.html", NULL), 0);
	T_CONTAINS(reason_for(c, "/private/secret.html"), "robots.txt");
	/* host scope: localhost is another host */
	T_EQ(requests_of(&site, "/docs/other-host.html", NULL), 0);
	/* each bad page: its reason, and the crawl went on */
	T_CONTAINS(reason_for(c, "/loop/a"), "redirect loop");
	T_CONTAINS(reason_for(c, "/slow"), "no complete answer");
	T_CONTAINS(reason_for(c, "/big"), "larger than");
	T_CONTAINS(reason_for(c, "/endless"), "larger than");
	T_CONTAINS(reason_for(c, "/image.png"), "unsupported content type image/png");
	T_CONTAINS(reason_for(c, "/binary.html"), "binary");
	T_CONTAINS(reason_for(c, "/bad-utf8.md"), "UTF-8");
	T_CONTAINS(reason_for(c, "/missing.html"), "HTTP 404");
	/* a redirect to another host is out of scope before any address is tried */
	T_CONTAINS((r = reason_for(c, "/to-private")), "scope");
	/* the counts add up */
	T_EQ(num(c, "pagesFetched"), num(c, "pagesStored") + num(c, "pagesUnchanged") + num(c, "pagesSkipped") -
	    1 /* robots' refusal is skipped without a fetch */);
	T_EQ(num(c, "pagesStored"), 7);	/* index, page1, deep2, etag, etag-child, notes, plain */
	json_object_put(c);
}

/* At most one request per CRAWL_DELAY_MS (50 ms here) to the host: the gaps between the
 * crawler's requests in the site's log. */
static void
test_politeness(void)
{
	const char *log = site_log(&site), *p = log;
	double last = -1, smallest = 1e9;
	int n = 0;

	while ((p = strstr(p, "{\"t\": ")) != NULL) {
		double t = strtod(p + 6, NULL);
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (memmem(p, len, "PSScript-Crawler", 16) != NULL) {
			if (last >= 0 && t - last < smallest)
				smallest = t - last;
			last = t;
			n++;
		}
		p += 6;
	}
	T_ASSERT(n > 10);
	T_ASSERTF(smallest >= 0.045, "two requests %.3f s apart", smallest);
}

static void
test_recrawl_conditional(void)
{
	struct json_object *c;
	int before304 = requests_of(&site, "/docs/etag.html", "304");
	int child = requests_of(&site, "/docs/etag-child.html", NULL);
	char stored[24];

	snprintf(stored, sizeof(stored), "%s", doc_count("http://127.0.0.1:%"));
	c = crawl_done(fmt("{\"url\":\"http://127.0.0.1:%d/docs/index.html\",\"maxPages\":40,"
	    "\"depth\":2}", site.port), 90);
	T_STREQ(str(c, "status"), "done");
	/* the etag page answered 304 to If-None-Match and counted as unchanged */
	T_EQ(requests_of(&site, "/docs/etag.html", "304"), before304 + 1);
	T_ASSERT(strstr(site_log(&site), "\"inm\": \"\\\"v1\\\"\"") != NULL);
	/* its remembered links were still followed */
	T_EQ(requests_of(&site, "/docs/etag-child.html", NULL), child + 1);
	T_EQ(num(c, "pagesStored"), 0);
	T_EQ(num(c, "pagesUnchanged"), 7);
	/* nothing already stored was lost */
	T_STREQ(doc_count("http://127.0.0.1:%"), stored);
	json_object_put(c);
}

static void
test_any_host_and_refused_redirect(void)
{
	struct json_object *c = crawl_done(fmt("{\"url\":\"http://127.0.0.1:%d/docs/index.html\",\"maxPages\":40,"
	    "\"depth\":1,\"sameHost\":false}", site.port), 90);

	T_STREQ(doc_count(fmt("http://localhost:%d/docs/other-host.html", site.port)), "1");
	/* the redirect's target is a link-local address: refused at connect time */
	T_CONTAINS(reason_for(c, "/to-private"), "refused address 169.254.169.254");
	json_object_put(c);
}

static void
test_huge_robots(void)
{
	struct json_object *c = crawl_done(fmt("{\"url\":\"http://127.0.0.1:%d/docs/index.html\",\"maxPages\":5,"
	    "\"depth\":0}", huge.port), 60);

	T_STREQ(str(c, "status"), "done");
	T_CONTAINS(reason_for(c, "/robots.txt"), "only its first 512 KB");
	T_STREQ(doc_count(fmt("http://127.0.0.1:%d/docs/index.html", huge.port)), "1");
	json_object_put(c);
	/* its rules were read: /blocked/ is refused */
	c = crawl_done(fmt("{\"url\":\"http://127.0.0.1:%d/blocked/page.html\",\"depth\":0}", huge.port), 60);
	T_CONTAINS(reason_for(c, "/blocked/page.html"), "robots.txt");
	T_EQ(requests_of(&huge, "/blocked/page.html", NULL), 0);
	json_object_put(c);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
test_file_folder(void)
{
	const char *st = getenv("PSS_TEST_STATE");
	char dir[512];
	struct json_object *c;

	T_ASSERT(st != NULL);
	if (st == NULL)
		return;
	snprintf(dir, sizeof(dir), "%s/crawl-files/docs", st);
	it_run("mkdir -p '%s/sub' '%s/.hidden'", dir, dir);
	write_file(fmt("%s/index.md", dir), "# Local index\n\nSee [a](sub/a.md).\n");
	write_file(fmt("%s/sub/a.md", dir), "# Local A\n\n```powershell\nGet-Service\n```\n");
	write_file(fmt("%s/page.html", dir), "<title>Local page</title><p>html</p>");
	write_file(fmt("%s/image.png", dir), "\x89PNG");
	write_file(fmt("%s/.hidden/x.md", dir), "# hidden\n");
	c = crawl_done(fmt("{\"url\":\"file://%s\",\"maxPages\":20,\"depth\":3}", dir), 60);
	T_STREQ(str(c, "status"), "done");
	T_STREQ(doc_count(fmt("file://%s/%%", dir)), "3");
	T_STREQ(it_psql(fmt("SELECT title FROM documentation WHERE url = 'file://%s/sub/a.md'", dir)), "Local A");
	T_STREQ(it_psql(fmt("SELECT source FROM documentation WHERE url = 'file://%s/sub/a.md'", dir)), "Local files");
	json_object_put(c);
	/* again: unchanged files answer by their modification time */
	c = crawl_done(fmt("{\"url\":\"file://%s/\",\"maxPages\":20,\"depth\":3}", dir), 60);
	T_EQ(num(c, "pagesStored"), 0);
	T_EQ(num(c, "pagesUnchanged"), 3);
	json_object_put(c);
	/* a file URL outside CRAWL_FILE_ROOT is refused at fetch time, with its reason */
	c = crawl_done("{\"url\":\"file:///etc/passwd\",\"depth\":0}", 60);
	T_CONTAINS(reason_for(c, "/etc/passwd"), "outside CRAWL_FILE_ROOT");
	json_object_put(c);
}

static void
test_cancel(void)
{
	struct json_object *c;
	struct it_resp r;
	long long id = crawl_start(fmt("{\"url\":\"http://127.0.0.1:%d/slow\",\"depth\":0}", site.port));
	int i;

	T_ASSERT(id > 0);
	for (i = 0; i < 50; i++) {	/* running, in the middle of the slow page */
		const char *s = it_psql(fmt("SELECT status FROM crawls WHERE id = %lld", id));

		if (s != NULL && strcmp(s, "running") == 0)
			break;
		usleep(100000);
	}
	usleep(300000);
	T_EQ(it_json(&r, "POST", fmt("/api/documentation/crawls/%lld/cancel", id), admin.token, NULL), 0);
	T_EQ(r.status, 200);
	T_ASSERT(it_str(&r, "crawl.cancelRequested") != NULL && strcmp(it_str(&r, "crawl.cancelRequested"), "true") == 0);
	it_resp_free(&r);
	T_ASSERT((c = crawl_wait(id, 10)) != NULL);
	T_STREQ(str(c, "status"), "cancelled");
	json_object_put(c);
	/* a finished crawl cannot be cancelled */
	T_EQ(status_of("POST", fmt("/api/documentation/crawls/%lld/cancel", id), admin.token, NULL), 409);
}

static void
test_fetch_checks_connected_address(void)
{
	/* the address rule is on the socket: a name (not a literal) that resolves to loopback is
	 * refused when loopback is not allowed, and nothing reaches the site */
	struct fetch_opts o = { .user_agent = "PSScript-Crawler/test", .max_bytes = 1 << 20,
		.timeout_ms = 3000, .connect_timeout_ms = 3000 };
	struct fetch_result r;
	int before = requests_of(&site, "/docs/plain.txt", NULL);

	fetch_global_init();
	T_EQ(fetch_get(&o, fmt("http://localhost:%d/docs/plain.txt", site.port), NULL, NULL, &r), -1);
	T_CONTAINS(r.why, "refused address");
	fetch_result_free(&r);
	T_EQ(requests_of(&site, "/docs/plain.txt", NULL), before);
	o.allow.loopback = true;
	T_EQ(fetch_get(&o, fmt("http://localhost:%d/docs/plain.txt", site.port), NULL, NULL, &r), 0);
	T_EQ(r.status, 200);
	T_STREQ(r.media_type, "text/plain");
	fetch_result_free(&r);
}

static void
test_page(void)
{
	struct visitor v;
	struct it_resp r;

	T_EQ(page_login(&v, admin.name, PW), 303);
	T_EQ(visit(&v, &r, "GET", "/admin/docs/crawls", NULL), 200);
	check_page(&r, "/admin/docs/crawls");
	T_CONTAINS(r.body, fmt("http://127.0.0.1:%d/docs/index.html", site.port));
	T_CONTAINS(r.body, "redirect loop");
	it_resp_free(&r);
	/* a bad form is shown again with the field's message */
	T_EQ(visit(&v, &r, "POST", "/admin/docs/crawls", form_of(&v, (const char *[]){ "url",
	    "http://10.1.2.3/", "maxPages", "5", "depth", "0", "sameHost", "true", NULL })), 400);
	T_CONTAINS(r.body, "refused address");
	T_CONTAINS(r.body, "Crawls");
	it_resp_free(&r);
	T_EQ(visit(&v, &r, "POST", "/admin/docs/crawls", form_of(&v, (const char *[]){ "url",
	    fmt("http://127.0.0.1:%d/docs/plain.txt", site.port), "maxPages", "1", "depth", "0",
	    "sameHost", "true", NULL })), 303);
	it_resp_free(&r);
	T_STREQ(it_psql(fmt("SELECT count(*) FROM crawls WHERE start_url = 'http://127.0.0.1:%d/docs/plain.txt'"
	    " AND max_pages = 1", site.port)), "1");
}

static void
test_cli(void)
{
	T_EQ(it_run("\"$PSS_BIN/psscript\" docs crawl 'ftp://example.com/' 2>&1 | grep -q 'url: unsupported scheme'"), 0);
	T_ASSERT(it_run("\"$PSS_BIN/psscript\" docs crawl 'ftp://example.com/' >/dev/null 2>&1") != 0);
	T_EQ(it_run("\"$PSS_BIN/psscript\" docs crawl --max-pages 0 http://x.test/ >/dev/null 2>&1"), 2);
	T_EQ(it_run("\"$PSS_BIN/psscript\" docs crawl 'http://127.0.0.1:%d/docs/plain.txt' --depth 0 --wait"
	    " >/dev/null 2>&1", site.port), 0);
}

static void
test_teardown(void)
{
	site_stop(&site);
	site_stop(&huge);
}

int
main(void)
{
	it_init();
	T_RUN(test_setup);
	T_RUN(test_api_admin_only);
	T_RUN(test_api_bad_requests);
	T_RUN(test_crawl_site);
	T_RUN(test_politeness);
	T_RUN(test_recrawl_conditional);
	T_RUN(test_any_host_and_refused_redirect);
	T_RUN(test_huge_robots);
	T_RUN(test_file_folder);
	T_RUN(test_cancel);
	T_RUN(test_fetch_checks_connected_address);
	T_RUN(test_page);
	T_RUN(test_cli);
	T_RUN(test_teardown);
	html_check_done();
	return t_done();
}
