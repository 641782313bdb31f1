/* test-docs-api.c: /api/documentation and the documentation's pages through nginx, over the
 * shipped reference (imported here): ranking on the question set of tests/data
 * (docs-questions.tsv: exact names and aliases first, recall of plain questions), filters,
 * sorts, snippets, bad input naming the field, admin-only writes (upsert, bulk, delete), the
 * cache dropped by writes, the document page (rendered Markdown, versions, the scripts that
 * use the cmdlet) and the redirect by command name */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest-auth.h"
#include "render/escape.h"

static struct acct admin, user;

/* search: GET /api/documentation/search with query (escaped here) and extra parameters. */
static int
search(struct it_resp *r, const char *query, const char *extra)
{
	struct buf b = BUF_INIT;
	int rc;

	buf_puts(&b, "/api/documentation/search?query=");
	esc_url_arg(&b, query, strlen(query));
	if (extra != NULL)
		buf_puts(&b, extra);
	rc = it_get(r, b.data);
	buf_free(&b);
	return rc;
}

/* rank_of: the 1-based place of the first result whose title is one of want (| between)
 * among the first k, or 0. */
static int
rank_of(const struct it_resp *r, const char *want, int k)
{
	for (int i = 0; i < k; i++) {
		char path[48];
		const char *t;

		snprintf(path, sizeof(path), "documents.%d.title", i);
		if ((t = it_str(r, path)) == NULL)
			return 0;
		for (const char *w = want; *w != '\0';) {
			size_t n = strcspn(w, "|");

			if (strlen(t) == n && strncmp(t, w, n) == 0)
				return i + 1;
			w += n + (w[n] == '|');
		}
	}
	return 0;
}

static void
test_the_question_set_ranks_names_and_aliases_first(void)
{
	FILE *f = fopen(PSS_TOP_SRCDIR "/tests/data/docs-questions.tsv", "r");
	char line[512];
	int n[3] = { 0 }, top1[3] = { 0 }, top5[3] = { 0 };
	static const char *const kinds[3] = { "exact", "alias", "plain" };

	T_ASSERT(f != NULL);
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *kind = strtok(line, "\t\n"), *q = strtok(NULL, "\t\n"), *want = strtok(NULL, "\t\n");
		struct it_resp r;
		int k, at;

		if (kind == NULL || kind[0] == '#' || q == NULL || want == NULL)
			continue;
		for (k = 0; k < 3 && strcmp(kind, kinds[k]) != 0; k++)
			;
		if (k == 3)
			continue;
		T_EQ(search(&r, q, "&limit=5"), 0);
		T_EQ(r.status, 200);
		at = rank_of(&r, want, 5);
		n[k]++;
		top1[k] += at == 1;
		top5[k] += at >= 1;
		if (k < 2 && at != 1)
			T_FAIL_("%s \"%s\": %s at %d, first %s", kind, q, want, at,
			    it_str(&r, "documents.0.title") ? it_str(&r, "documents.0.title") : "(none)");
		if (k == 2 && at != 1)
			printf("#   plain \"%s\": %s at %d (first %s)\n", q, want, at,
			    it_str(&r, "documents.0.title") ? it_str(&r, "documents.0.title") : "(none)");
		it_resp_free(&r);
	}
	if (f != NULL)
		fclose(f);
	for (int k = 0; k < 3; k++)
		printf("# %s: %d questions, recall@1 %d/%d (%.2f), recall@5 %d/%d (%.2f)\n", kinds[k], n[k],
		    top1[k], n[k], n[k] ? (double)top1[k] / n[k] : 0, top5[k], n[k],
		    n[k] ? (double)top5[k] / n[k] : 0);
	T_ASSERT(n[0] >= 10 && n[1] >= 10 && n[2] >= 20);
	/* plain questions: at least 0.8 of them answered within the first five */
	T_ASSERTF(top5[2] * 10 >= n[2] * 8, "plain recall@5 %d/%d", top5[2], n[2]);
}

static void
test_search_filters_sorts_and_snippets(void)
{
	struct it_resp r;

	T_EQ(search(&r, "file", "&contentTypes=about&limit=20"), 0);
	T_EQ(r.status, 200);
	for (int i = 0; i < 20; i++) {
		char p[40];

		snprintf(p, sizeof(p), "documents.%d.contentType", i);
		if (it_str(&r, p) == NULL)
			break;
		T_STREQ(it_str(&r, p), "about");
	}
	T_ASSERT(it_str(&r, "total") != NULL && atoi(it_str(&r, "total")) > 5);
	T_CONTAINS(it_str(&r, "documents.0.snippet"), "<mark>");
	it_resp_free(&r);

	T_EQ(search(&r, "Get-ChildItem", "&tags=powershell-5.1"), 0);
	T_STREQ(it_str(&r, "documents.0.metadata.version"), "5.1");
	T_STREQ(it_str(&r, "documents.0.exact"), "true");
	it_resp_free(&r);

	T_EQ(search(&r, "process", "&sortBy=title&contentTypes=cmdlet&limit=3"), 0);
	T_ASSERT(it_str(&r, "documents.0.title") != NULL && it_str(&r, "documents.1.title") != NULL &&
	    strcasecmp(it_str(&r, "documents.0.title"), it_str(&r, "documents.1.title")) <= 0);
	it_resp_free(&r);

	/* a snippet escapes what the text holds: only <mark> is markup */
	T_EQ(search(&r, "about_Comparison_Operators", "&limit=1"), 0);
	T_ASSERT(it_str(&r, "documents.0.snippet") != NULL);
	if (it_str(&r, "documents.0.snippet") != NULL) {
		const char *s = it_str(&r, "documents.0.snippet");

		for (const char *p = strchr(s, '<'); p != NULL; p = strchr(p + 1, '<'))
			T_ASSERTF(strncmp(p, "<mark>", 6) == 0 || strncmp(p, "</mark>", 7) == 0, "markup in %.80s", p);
	}
	it_resp_free(&r);

	/* a hit is what a result list shows; its snippet is one line of the page's text with the
	 * query's words marked in every form (get: Gets, process: processes) */
	T_EQ(search(&r, "Get-Process", "&limit=3"), 0);
	T_STREQ(it_str(&r, "documents.0.title"), "Get-Process");
	T_ASSERT(it_str(&r, "documents.0.url") != NULL && it_str(&r, "documents.0.summary") != NULL);
	T_ASSERT(it_str(&r, "documents.0.metadata.versions.0") != NULL);
	T_ASSERT(it_str(&r, "documents.0.extractedCommands") == NULL);
	T_ASSERT(it_str(&r, "documents.0.metadata.parameters") == NULL);
	T_ASSERT(it_str(&r, "documents.0.snippetText") == NULL);
	T_ASSERT(it_str(&r, "terms") == NULL);
	if (it_str(&r, "documents.0.snippet") != NULL) {
		const char *s = it_str(&r, "documents.0.snippet");

		T_CONTAINS(s, "<mark>Gets</mark> the <mark>processes</mark>");
		T_ASSERT(strchr(s, '\n') == NULL && strstr(s, "##") == NULL && strstr(s, "```") == NULL);
		T_ASSERTF(strlen(s) < 240 + 40 * 13 + 3, "%zu bytes", strlen(s));
	} else
		T_ASSERT(!"no snippet");
	it_resp_free(&r);

	T_EQ(search(&r, "zzqqxxnotaword", NULL), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "total"), "0");
	it_resp_free(&r);
}

static void
test_bad_search_input_is_400_naming_the_field(void)
{
	static const struct { const char *path, *field; } cases[] = {
		{ "/api/documentation/search", "query" },
		{ "/api/documentation/search?query=a+b+c+d+e+f+g+h+i", "query" },
		{ "/api/documentation/search?query=-x", "query" },
		{ "/api/documentation/search?query=x&limit=0", "limit" },
		{ "/api/documentation/search?query=x&limit=abc", "limit" },
		{ "/api/documentation/search?query=x&offset=-1", "offset" },
		{ "/api/documentation/search?query=x&sortBy=rank", "sortBy" },
		{ "/api/documentation/search?query=x&contentTypes=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u", "contentTypes" },
		{ "/api/documentation/search?query=x&sources=%01", "sources" },
		{ "/api/documentation?limit=101", "limit" },
		{ "/api/documentation/tags?limit=0", "limit" },
		{ "/api/documentation/abc", "id" },
	};

	for (size_t i = 0; i < PSS_ARRAY_LEN(cases); i++) {
		struct it_resp r;

		T_EQ(it_get(&r, cases[i].path), 0);
		check_error(&r, 400, "validation_error");
		T_STREQ(it_str(&r, "details.0.field"), cases[i].field);
		it_resp_free(&r);
	}
}

static void
test_reads_recent_sources_tags_stats_and_one_document(void)
{
	struct it_resp r;
	char path[64];

	T_EQ(it_get(&r, "/api/documentation?limit=2"), 0);
	T_EQ(r.status, 200);
	T_ASSERT(it_str(&r, "documents.1.id") != NULL && it_str(&r, "documents.2.id") == NULL);
	T_ASSERT(it_str(&r, "documents.0.content") == NULL);
	it_resp_free(&r);
	T_EQ(it_get(&r, "/api/documentation/sources"), 0);
	T_CONTAINS(r.body, "\"source\":\"PowerShell-Docs\"");
	it_resp_free(&r);
	T_EQ(it_get(&r, "/api/documentation/tags?limit=5"), 0);
	T_CONTAINS(r.body, "powershell-7.6");
	it_resp_free(&r);
	T_EQ(it_get(&r, "/api/documentation/stats"), 0);
	T_ASSERT(it_str(&r, "total") != NULL && atoi(it_str(&r, "total")) >= 1024);
	T_ASSERT(it_str(&r, "contentTypes.about") != NULL);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/documentation/%s", it_psql("SELECT id FROM documentation WHERE"
	    " url LIKE '%/get-childitem?view=powershell-7.6'"));
	T_EQ(it_get(&r, path), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "document.title"), "Get-ChildItem");
	T_CONTAINS(it_str(&r, "document.content"), "## SYNOPSIS");
	T_STREQ(it_str(&r, "document.metadata.aliases.1"), "gci");
	it_resp_free(&r);
	T_EQ(it_get(&r, "/api/documentation/2147483647"), 0);
	check_error(&r, 404, "not_found");
	it_resp_free(&r);
}

static void
test_writes_are_admin_only_upsert_bulk_delete_and_drop_the_cache(void)
{
	struct it_resp r;
	char url[160], body[1200], path[64], id[24];
	const char *doc = "\"title\":\"Invoke-Zorblatt\",\"content\":\"# Invoke-Zorblatt\\n\\n```powershell\\n"
	    "gci | Invoke-Zorblatt\\n```\\n\",\"summary\":\"Zorblatts things.\",\"source\":\"Probe source\","
	    "\"contentType\":\"cmdlet\",\"category\":\"Probe\",\"tags\":[\"probe\"],"
	    "\"metadata\":{\"aliases\":[\"izb\"]},\"lastUpdated\":\"2025-01-02\"";

	unique_name(id, sizeof(id), "zorb");
	snprintf(url, sizeof(url), "https://docs.example.test/%s", id);
	/* the search before: nothing, and that answer is cached */
	T_EQ(search(&r, "izb", NULL), 0);
	T_STREQ(it_str(&r, "total"), "0");
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"url\":\"%s\",%s}", url, doc);
	T_EQ(status_of("POST", "/api/documentation", NULL, body), 401);
	T_EQ(status_of("POST", "/api/documentation", user.token, body), 403);
	T_EQ(it_json(&r, "POST", "/api/documentation", admin.token, body), 0);
	T_EQ(r.status, 201);
	T_STREQ(it_str(&r, "result"), "inserted");
	T_STREQ(it_str(&r, "document.extractedCommands.0"), "Get-ChildItem");
	snprintf(path, sizeof(path), "/api/documentation/%s", it_str(&r, "document.id") ? it_str(&r, "document.id") : "0");
	it_resp_free(&r);
	/* the write dropped the cached search: the alias finds it now */
	T_EQ(search(&r, "izb", NULL), 0);
	T_STREQ(it_str(&r, "documents.0.title"), "Invoke-Zorblatt");
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", "/api/documentation", admin.token, body), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "result"), "unchanged");
	it_resp_free(&r);
	T_EQ(it_get(&r, path), 0);	/* cached now */
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"url\":\"%s\",%s,\"title\":\"Invoke-Zorblatt2\"}", url, doc);
	T_EQ(it_json(&r, "POST", "/api/documentation", admin.token, body), 0);
	T_STREQ(it_str(&r, "result"), "updated");
	it_resp_free(&r);
	T_EQ(it_get(&r, path), 0);
	T_STREQ(it_str(&r, "document.title"), "Invoke-Zorblatt2");
	it_resp_free(&r);

	/* bad bodies name the field */
	T_EQ(it_json(&r, "POST", "/api/documentation", admin.token, "{\"url\":\"javascript:alert(1)\",\"title\":\"x\"}"), 0);
	check_error(&r, 400, "validation_error");
	T_STREQ(it_str(&r, "details.0.field"), "url");
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", "/api/documentation", admin.token, "{\"url\":\"https://x.test/a\",\"title\":\"x\",\"metadata\":[1]}"), 0);
	T_STREQ(it_str(&r, "details.0.field"), "metadata");
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", "/api/documentation", admin.token, "{\"url\":\"https://x.test/a\",\"title\":7}"), 0);
	T_STREQ(it_str(&r, "details.0.field"), "title");
	it_resp_free(&r);

	/* bulk: each on its own */
	snprintf(body, sizeof(body), "{\"documents\":[{\"url\":\"%s/b1\",\"title\":\"Bulk one\"},"
	    "{\"url\":\"%s/b2\",\"title\":\"\"},{\"url\":\"%s/b1\",\"title\":\"Bulk one\"},7]}", url, url, url);
	T_EQ(status_of("POST", "/api/documentation/bulk", user.token, body), 403);
	T_EQ(it_json(&r, "POST", "/api/documentation/bulk", admin.token, body), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "inserted"), "1");
	T_STREQ(it_str(&r, "unchanged"), "1");
	T_STREQ(it_str(&r, "failed"), "2");
	T_STREQ(it_str(&r, "results.1.error.field"), "title");
	T_STREQ(it_str(&r, "results.3.error.field"), "document");
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", "/api/documentation/bulk", admin.token, "{\"documents\":[]}"), 0);
	T_STREQ(it_str(&r, "details.0.field"), "documents");
	it_resp_free(&r);

	/* delete */
	T_EQ(status_of("DELETE", path, user.token, NULL), 403);
	T_EQ(status_of("DELETE", path, admin.token, NULL), 200);
	T_EQ(status_of("GET", path, NULL, NULL), 404);
	T_EQ(status_of("DELETE", path, admin.token, NULL), 404);
	T_EQ(search(&r, "izb", NULL), 0);
	T_STREQ(it_str(&r, "total"), "0");
	it_resp_free(&r);
	it_psql("DELETE FROM documentation WHERE source = 'Probe source' OR url LIKE 'https://docs.example.test/zorb%'");
}

/* searches: q searched n times (spread over the workers), each answer's first title (or "")
 * and summary compared with want_title and want_summary (NULL: not compared); the count of
 * answers that matched */
static int
searches(const char *q, int n, const char *want_title, const char *want_summary)
{
	int ok = 0;

	for (int i = 0; i < n; i++) {
		struct it_resp r;
		const char *t, *sm;

		if (search(&r, q, NULL) != 0)
			continue;
		t = it_str(&r, "documents.0.title");
		sm = it_str(&r, "documents.0.summary");
		if (r.status == 200 && strcmp(t != NULL ? t : "", want_title) == 0 &&
		    (want_summary == NULL || (sm != NULL && strcmp(sm, want_summary) == 0)))
			ok++;
		it_resp_free(&r);
	}
	return ok;
}

/* probe_page: the reference page of Get-Quuxprobe (alias gqxp) with synopsis into dir */
static int
probe_page(const char *dir, const char *synopsis)
{
	return it_run("mkdir -p '%s/reference/7.6/Probe.Module' && printf -- '---\\nModule Name: Probe.Module\\n"
	    "ms.date: 01/02/2025\\naliases:\\n  - gqxp\\ntitle: Get-Quuxprobe\\n---\\n\\n# Get-Quuxprobe\\n\\n"
	    "## SYNOPSIS\\n\\n%s\\n' >'%s/reference/7.6/Probe.Module/Get-Quuxprobe.md'", dir, synopsis, dir);
}

static void
test_an_import_drops_the_cached_searches_on_every_worker(void)
{
	char dir[] = "/tmp/pss-docs-probe.XXXXXX";

	T_ASSERT(mkdtemp(dir) != NULL);
	/* nothing yet, and that answer cached by every worker (and in Redis) */
	T_EQ(searches("gqxp", 12, "", NULL), 12);
	T_EQ(probe_page(dir, "Gets the first probe."), 0);
	T_EQ(it_run("\"$PSS_BIN/psscript\" docs import '%s' >/dev/null 2>&1", dir), 0);
	/* the import dropped them: every worker finds the new page by its alias at once */
	T_EQ(searches("gqxp", 12, "Get-Quuxprobe", "Gets the first probe."), 12);
	/* a changed page: the cached answer (with the old summary) is dropped again */
	T_EQ(probe_page(dir, "Gets the second probe."), 0);
	T_EQ(it_run("\"$PSS_BIN/psscript\" docs import '%s' >/dev/null 2>&1", dir), 0);
	T_EQ(searches("gqxp", 12, "Get-Quuxprobe", "Gets the second probe."), 12);
	it_psql("DELETE FROM documentation WHERE title = 'Get-Quuxprobe'");
	(void)it_run("rm -rf '%s'", dir);
}

static void
test_pages_search_document_and_redirect(void)
{
	struct it_resp r;
	const char *id = it_psql("SELECT id FROM documentation WHERE url LIKE '%/get-childitem?view=powershell-7.6'");
	char want[64], path[64];

	snprintf(want, sizeof(want), "/docs/%s", id != NULL ? id : "0");
	T_EQ(it_get(&r, "/docs/cmdlet/gci"), 0);
	T_EQ(r.status, 302);
	T_STREQ(it_header(&r, "location"), want);
	it_resp_free(&r);
	T_EQ(it_get(&r, "/docs/cmdlet/Get-ChildItem"), 0);
	T_STREQ(it_header(&r, "location"), want);
	it_resp_free(&r);
	T_EQ(it_get(&r, "/docs/cmdlet/No-Such-Thing"), 0);
	T_EQ(r.status, 404);
	it_resp_free(&r);
	T_EQ(it_get(&r, "/docs?query=gci"), 0);
	T_EQ(r.status, 200);
	T_CONTAINS(r.body, want);
	T_CONTAINS(r.body, "exact name");
	it_resp_free(&r);
	T_EQ(it_get(&r, "/docs?query=-x"), 0);
	T_EQ(r.status, 400);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/docs/%s", id != NULL ? id : "0");
	T_EQ(it_get(&r, path), 0);
	T_EQ(r.status, 200);
	T_CONTAINS(r.body, "<h1>Get-ChildItem</h1>");
	T_CONTAINS(r.body, "<code class=\"language-powershell\">");
	T_CONTAINS(r.body, "<h-m>");
	T_CONTAINS(r.body, "PowerShell 5.1</a>");
	T_CONTAINS(r.body, "aria-current=\"page\">PowerShell 7.6");
	T_CONTAINS(r.body, "Scripts in the library that use it");
	T_CONTAINS(r.body, "href=\"/docs/cmdlet/Get-Item\"");
	{	/* gzip-encoded for a client that asks: the document's text as a piece */
		const char *h[] = { "Accept-Encoding: gzip", NULL };
		struct it_resp gz;
		char *dec;
		size_t n = 0;

		T_EQ(it_request(&gz, "GET", path, NULL, 0, NULL, h), 0);
		T_EQ(gz.status, 200);
		T_STREQ(it_header(&gz, "content-encoding"), "gzip");
		T_ASSERTF(gz.len * 3 < r.len, "%zu bytes gzip-encoded, %zu identity", gz.len, r.len);
		dec = it_gunzip(&gz, &n);
		T_ASSERT(dec != NULL && n == r.len && memcmp(dec, r.body, n) == 0);
		free(dec);
		it_resp_free(&gz);
	}
	it_resp_free(&r);
}

static void
test_the_document_page_lists_visible_scripts_using_the_cmdlet(void)
{
	struct it_resp r;
	char body[400], name[64], path[64], id[24];

	/* it_psql answers in a static buffer: keep the id */
	snprintf(id, sizeof(id), "%s", it_psql("SELECT id FROM documentation WHERE url LIKE"
	    " '%/get-childitem?view=powershell-7.6'") ?: "0");

	/* two scripts of the user with their analysis stored inline: one public, one private */
	unique_name(name, sizeof(name), "UsesGci");
	snprintf(body, sizeof(body), "{\"title\":\"%s public\",\"content\":\"gci C:\\\\ # %s\",\"isPublic\":true}",
	    name, name);
	T_EQ(it_json(&r, "POST", "/api/scripts", user.token, body), 0);
	T_EQ(r.status, 201);
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"title\":\"%s private\",\"content\":\"Get-ChildItem # %s\",\"isPublic\":false}",
	    name, name);
	T_EQ(it_json(&r, "POST", "/api/scripts", user.token, body), 0);
	it_resp_free(&r);
	/* the job runner analyses them; wait for both analyses */
	for (int i = 0; i < 600; i++) {
		char sql[200];
		const char *n;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM script_analysis sa JOIN scripts s ON s.id ="
		    " sa.script_id WHERE s.title LIKE '%s%%'", name);
		if ((n = it_psql(sql)) != NULL && strcmp(n, "2") == 0)
			break;
		if (i == 599)
			printf("#   the analyses did not finish in 60 s (%s of 2)\n", n != NULL ? n : "?");
		usleep(100000);
	}
	snprintf(path, sizeof(path), "/docs/%s", id);
	T_EQ(it_get(&r, path), 0);
	snprintf(body, sizeof(body), "%s public", name);
	T_CONTAINS(strstr(r.body, "Scripts in the library"), body);
	snprintf(body, sizeof(body), "%s private", name);
	T_ASSERT(strstr(r.body, body) == NULL);
	it_resp_free(&r);
}

int
main(void)
{
	it_init();
	if (it_run("\"$PSS_BIN/psscript\" docs import \"%s/data/powershell-docs\" >/dev/null", PSS_TOP_SRCDIR) != 0) {
		printf("Bail out! the reference did not import\n");
		return 1;
	}
	T_EQ(acct_admin(&admin, "docadm"), 0);
	T_EQ(acct_register(&user, "docusr"), 0);
	T_RUN(test_the_question_set_ranks_names_and_aliases_first);
	T_RUN(test_search_filters_sorts_and_snippets);
	T_RUN(test_bad_search_input_is_400_naming_the_field);
	T_RUN(test_reads_recent_sources_tags_stats_and_one_document);
	T_RUN(test_writes_are_admin_only_upsert_bulk_delete_and_drop_the_cache);
	T_RUN(test_an_import_drops_the_cached_searches_on_every_worker);
	T_RUN(test_pages_search_document_and_redirect);
	T_RUN(test_the_document_page_lists_visible_scripts_using_the_cmdlet);
	return t_done();
}
