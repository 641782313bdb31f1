/* test-pages-analysis.c: the analysis on the pages through nginx (issue 13 items 2-4): the
 * script page's analysis (scores explained, findings grouped and linked to their lines, the
 * flagged lines marked, filters as links without JavaScript, bad filters 400), "analyse
 * again" (owner or admin, CSRF, progress while queued), /analyze (paste, file, empty, not
 * UTF-8, over 1 MB, CSRF, the save form when signed in), the list's score badges, minimum
 * security score and sort, markup quoted by a finding staying text everywhere, and a long
 * script's source in windows of lines with a pager */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "itest-html.h"

#define IMG "<img src=x onerror=alert(1)>"
#define IMG_ESC "&lt;img src=x onerror=alert(1)&gt;"
/* Line 1: a variable named with markup (its finding quotes it); line 2: Invoke-Expression
 * (security, warning) of markup; line 3: a plain-text password (security, error); line 4:
 * aliases (best practice); line 5: Write-Host. */
#define SCRIPT "${" IMG "} = 1\n" \
	"Invoke-Expression \"Write-Host " IMG "\"\n" \
	"$p = ConvertTo-SecureString 'P@ssw0rd' -AsPlainText -Force\n" \
	"gci C:\\ | % { $_.Name }\n" \
	"Write-Host $p\n"

static struct acct admin_a, owner_a, other_a;
static struct visitor admin, owner, other, anon;
static long long bad_id, good_id;	/* the owner's private insecure script, public clean one */

static long long
paste(struct visitor *v, const char *title, const char *content, const char *pub)
{
	struct it_resp r;
	long long id = 0;
	const char *l;

	visit(v, &r, "GET", "/scripts/new", NULL);
	it_resp_free(&r);
	visit(v, &r, "POST", "/scripts", form_of(v, (const char *[]){ "title", title, "description", "",
	    "content", content, "tags", "", "isPublic", pub, "commitMessage", "", NULL }));
	if (r.status == 303 && (l = it_header(&r, "location")) != NULL && strncmp(l, "/scripts/", 9) == 0)
		id = strtoll(l + 9, NULL, 10);
	it_resp_free(&r);
	return id;
}

/* Waits (up to 20 s) until the job runner stored the script's analysis. */
static bool
analysed(long long id)
{
	char sql[120];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM script_analysis WHERE script_id = %lld", id);
	for (int i = 0; i < 200; i++) {
		const char *v = it_psql(sql);

		if (v != NULL && strcmp(v, "1") == 0)
			return true;
		usleep(100000);
	}
	return false;
}

/* How many times needle occurs in hay. */
static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; p != NULL && (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* A multipart form as the browser sends /analyze's: the token, the textarea, an optional
 * file. The status. */
static long
analyze_post(struct visitor *v, struct it_resp *r, const char *content, size_t clen, const char *fname,
    const char *fdata, size_t flen)
{
	struct buf b = BUF_INIT;
	long st;

	buf_printf(&b, "--QqQ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n%s\r\n", v->csrf);
	buf_puts(&b, "--QqQ\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\n");
	buf_append(&b, content, clen);
	buf_puts(&b, "\r\n");
	buf_printf(&b, "--QqQ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
	    "Content-Type: application/octet-stream\r\n\r\n", fname != NULL ? fname : "");
	if (fdata != NULL)
		buf_append(&b, fdata, flen);
	buf_puts(&b, "\r\n--QqQ--\r\n");
	st = visit_multipart(v, r, "/analyze", &b, "QqQ");
	buf_free(&b);
	return st;
}

static void
test_setup(void)
{
	T_EQ(acct_admin(&admin_a, "anadm"), 0);
	T_EQ(acct_register(&owner_a, "anown"), 0);
	T_EQ(acct_register(&other_a, "anoth"), 0);
	T_EQ(page_login(&admin, admin_a.name, PW), 303);
	T_EQ(page_login(&owner, owner_a.name, PW), 303);
	T_EQ(page_login(&other, other_a.name, PW), 303);
	bad_id = paste(&owner, "Markup " IMG, SCRIPT, "");
	good_id = paste(&owner, "Clean one", "<#\n.SYNOPSIS\nGets the date.\n#>\nfunction Get-Thing {\n"
	    "    <#\n    .SYNOPSIS\n    Gets the date.\n    #>\n    [CmdletBinding()]\n    param()\n"
	    "    Get-Date\n}\n", "true");
	T_ASSERT(bad_id > 0 && good_id > 0);
	T_ASSERT(analysed(bad_id));
	T_ASSERT(analysed(good_id));
}

static void
test_script_page(void)
{
	struct it_resp r;
	char path[64];

	snprintf(path, sizeof(path), "/scripts/%lld", bad_id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	check_page(&r, "script page with analysis");
	/* scores, with the meaning and the formula in words */
	T_CONTAINS(r.body, "<span class=\"score-name\">Security</span>");
	T_CONTAINS(r.body, "<span class=\"score-name\">Code quality</span>");
	T_CONTAINS(r.body, "<span class=\"score-name\">Risk</span>");
	T_CONTAINS(r.body, "higher is safer");
	T_CONTAINS(r.body, "10 minus S");
	T_CONTAINS(r.body, "This script: S = ");
	/* the execution summary and purpose */
	T_CONTAINS(r.body, "What it does when run");
	T_CONTAINS(r.body, "Runs dynamically generated code");
	T_CONTAINS(r.body, "<strong>Purpose:</strong>");
	/* findings grouped by kind and severity, each linked to its line */
	T_CONTAINS(r.body, "<h4 id=\"findings-security\">Security (");
	T_CONTAINS(r.body, "<h4 id=\"findings-practice\">Best practice (");
	T_CONTAINS(r.body, "<h5 class=\"sev-head sev-error\">Error (");
	T_CONTAINS(r.body, "<a href=\"#L3\">line 3, column 6</a>: ConvertTo-SecureString is used with -AsPlainText.");
	T_CONTAINS(r.body, "<a href=\"#L2\">line 2, column 1</a>: Invoke-Expression runs a string as code");
	/* every flagged line marked: a class and a mark in the gutter, the extent inside
	 * <mark>, the message written under the line with a link back to the finding */
	T_CONTAINS(r.body, "<tr id=\"L3\" class=\"hl-flag hl-error\"><td><span class=\"hl-mark\" aria-hidden=\"true\"></span>");
	T_CONTAINS(r.body, "<tr id=\"L2\" class=\"hl-flag hl-warning\">");
	T_CONTAINS(r.body, "<mark class=\"hl-x\">gci</mark>");
	T_CONTAINS(r.body, "<tr class=\"hl-note\">");
	T_CONTAINS(r.body, "<strong>Error</strong> ConvertTo-SecureString is used with -AsPlainText. <span class=\"hl-rule\">"
	    "(PSAvoidUsingConvertToSecureStringWithPlainText)</span>");
	{
		/* each note's link names a finding that exists on the page */
		const char *p = r.body;
		int notes = 0;

		while ((p = strstr(p, "<li class=\"hl-")) != NULL) {
			char id[40];
			const char *h = strstr(p, "href=\"#");

			T_ASSERT(h != NULL);
			snprintf(id, sizeof(id), "id=\"%.*s\"", (int)strcspn(h + 7, "\""), h + 7);
			T_CONTAINS(r.body, id);
			notes++;
			p++;
		}
		T_ASSERT(notes >= 6);
	}
	/* an unflagged line stays as before */
	T_ASSERT(strstr(r.body, "<tr id=\"L6\"") == NULL);
	/* command details: module, synopsis, availability, both documentation links */
	T_CONTAINS(r.body, "<a href=\"/docs/cmdlet/Invoke-Expression\">documentation</a>");
	T_CONTAINS(r.body, "learn.microsoft.com");
	T_CONTAINS(r.body, "Microsoft.PowerShell.Utility");
	T_CONTAINS(r.body, "5.1 and 7.x");
	T_CONTAINS(r.body, "<h3 id=\"metrics-h\">Complexity</h3>");
	T_CONTAINS(r.body, "Cyclomatic complexity");
	/* the export links and, for the owner, "analyse again" */
	T_CONTAINS(r.body, "/export-analysis?format=sarif");
	T_CONTAINS(r.body, "/export-analysis?format=md");
	T_CONTAINS(r.body, "/analyze\" class=\"inline-form\">");
	/* markup quoted by the script, a finding and the title stays text */
	T_ASSERT(strstr(r.body, "<img") == NULL);
	T_CONTAINS(r.body, "The variable &#39;" IMG_ESC "&#39; is assigned but never used.");
	T_ASSERT(count(r.body, IMG_ESC) >= 4);
	it_resp_free(&r);

	/* the export links answer (the analysis API's route) */
	{
		char ex[96];

		snprintf(ex, sizeof(ex), "/api/scripts/%lld/export-analysis?format=md", bad_id);
		T_EQ(visit(&owner, &r, "GET", ex, NULL), 200);
		it_resp_free(&r);
	}
	/* another user sees no "analyse again"; the private script is 404 to them */
	T_EQ(visit(&other, &r, "GET", path, NULL), 404);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/scripts/%lld", good_id);
	T_EQ(visit(&other, &r, "GET", path, NULL), 200);
	T_CONTAINS(r.body, "No findings: the analyzer has nothing to report.");
	T_CONTAINS(r.body, "<span class=\"score-value\">10</span>");
	T_ASSERT(strstr(r.body, "Analyse again") == NULL);
	T_CONTAINS(r.body, "<a href=\"#L5\"><code>Get-Thing</code></a>: Gets the date.");
	it_resp_free(&r);
}

static void
test_filters(void)
{
	struct it_resp r;
	char path[96];

	/* the filter is a set of links (no JavaScript, no form): kind keeps the severity */
	snprintf(path, sizeof(path), "/scripts/%lld", bad_id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	{
		char want[160];

		snprintf(want, sizeof(want), "<a href=\"/scripts/%lld?kind=security#findings\">Security (", bad_id);
		T_CONTAINS(r.body, want);
		snprintf(want, sizeof(want), "<a href=\"/scripts/%lld?severity=error#findings\">Error (", bad_id);
		T_CONTAINS(r.body, want);
	}
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/scripts/%lld?kind=security", bad_id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	check_page(&r, "filtered by kind");
	T_CONTAINS(r.body, "<h4 id=\"findings-security\">");
	T_ASSERT(strstr(r.body, "<h4 id=\"findings-practice\">") == NULL);
	T_CONTAINS(r.body, "aria-current=\"true\" class=\"current\">Security (");
	/* the marks follow the filter: the alias line is no longer flagged */
	T_ASSERT(strstr(r.body, "<tr id=\"L4\" class=\"hl-flag") == NULL);
	T_CONTAINS(r.body, "<tr id=\"L3\" class=\"hl-flag hl-error\">");
	T_CONTAINS(r.body, "Show all findings");
	{
		char want[160];

		snprintf(want, sizeof(want), "<a href=\"/scripts/%lld?kind=security&amp;severity=error#findings\">Error (",
		    bad_id);
		T_CONTAINS(r.body, want);
	}
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/scripts/%lld?kind=security&severity=error", bad_id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	T_CONTAINS(r.body, "<h5 class=\"sev-head sev-error\">");
	T_ASSERT(strstr(r.body, "<h5 class=\"sev-head sev-warning\">") == NULL);
	T_ASSERT(strstr(r.body, "<tr id=\"L2\" class=\"hl-flag") == NULL);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/scripts/%lld?kind=performance&severity=error", bad_id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	T_CONTAINS(r.body, "No finding matches the filter.");
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/scripts/%lld?kind=%%3Cb%%3E", bad_id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 400);
	T_CONTAINS(r.body, "kind must be security, practice, performance or risk.");
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/scripts/%lld?severity=fatal", bad_id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 400);
	it_resp_free(&r);
}

static void
test_analyse_again(void)
{
	struct it_resp r;
	char path[96], sql[200];

	snprintf(path, sizeof(path), "/scripts/%lld/analyze", bad_id);
	/* no token: refused, nothing queued */
	T_EQ(visit(&owner, &r, "POST", path, "csrf_token=nope"), 403);
	it_resp_free(&r);
	T_EQ(visit(&other, &r, "POST", path, form_of(&other, (const char *[]){ NULL })), 404);
	it_resp_free(&r);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM jobs WHERE type = 'analysis.run' AND status = 'queued'"
	    " AND payload->>'scriptId' = '%lld'", bad_id);
	T_STREQ(it_psql(sql), "0");
	/* the public script of the owner: another user may see it but not re-analyse it */
	snprintf(path, sizeof(path), "/scripts/%lld/analyze", good_id);
	T_EQ(visit(&other, &r, "POST", path, form_of(&other, (const char *[]){ NULL })), 403);
	it_resp_free(&r);
	/* a job that waits (run_at later) makes the page show the progress and refresh */
	snprintf(sql, sizeof(sql), "INSERT INTO jobs (type, payload, run_at, dedup_key) VALUES"
	    " ('analysis.run', '{\"scriptId\": %lld}', now() + interval '1 hour', 'analysis.run:%lld')"
	    " RETURNING id", bad_id, bad_id);
	T_ASSERT(it_psql(sql) != NULL);
	snprintf(path, sizeof(path), "/scripts/%lld/analyze", bad_id);
	T_EQ(visit(&owner, &r, "POST", path, form_of(&owner, (const char *[]){ NULL })), 303);
	snprintf(sql, sizeof(sql), "/scripts/%lld", bad_id);
	T_STREQ(it_header(&r, "location"), sql);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/scripts/%lld", bad_id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	check_page(&r, "analysis queued");
	T_CONTAINS(r.body, "The script will be analysed again.");
	T_CONTAINS(r.body, "<meta http-equiv=\"refresh\" content=\"3\" />");
	T_CONTAINS(r.body, "The script is being analysed");
	/* the stored analysis stays shown meanwhile */
	T_CONTAINS(r.body, "<h2 id=\"analysis-h\">Analysis</h2>");
	it_resp_free(&r);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM jobs WHERE type = 'analysis.run' AND status = 'queued'"
	    " AND payload->>'scriptId' = '%lld'", bad_id);
	T_STREQ(it_psql(sql), "1");
	/* an administrator may too; then the job runs and the page stops refreshing */
	snprintf(sql, sizeof(sql), "UPDATE jobs SET run_at = now() WHERE type = 'analysis.run' AND status = 'queued'"
	    " AND payload->>'scriptId' = '%lld'", bad_id);
	it_psql(sql);
	snprintf(path, sizeof(path), "/scripts/%lld/analyze", bad_id);
	T_EQ(visit(&admin, &r, "POST", path, form_of(&admin, (const char *[]){ NULL })), 303);
	it_resp_free(&r);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM jobs WHERE type = 'analysis.run' AND status IN"
	    " ('queued', 'running') AND payload->>'scriptId' = '%lld'", bad_id);
	for (int i = 0; i < 200 && strcmp(it_psql(sql), "0") != 0; i++)
		usleep(100000);
	T_STREQ(it_psql(sql), "0");
	snprintf(path, sizeof(path), "/scripts/%lld", bad_id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	T_ASSERT(strstr(r.body, "http-equiv=\"refresh\"") == NULL);
	it_resp_free(&r);
}

/* The rendered analysis and source are cached per content, analysis and filter: a second
 * view is the same page; an edit shows the new source at once (the key holds the content)
 * and, once re-analysed, the new line's finding (the key holds the analysis's updatedAt). */
static void
test_page_cache(void)
{
	struct it_resp r, r2;
	char path[64], edit[64], sql[160];
	long long id = paste(&owner, "Cached view", "Get-Date\n", "true");
	bool found = false;

	T_ASSERT(id > 0);
	T_ASSERT(analysed(id));
	snprintf(path, sizeof(path), "/scripts/%lld", id);
	T_EQ(visit(&anon, &r, "GET", path, NULL), 200);
	T_EQ(visit(&anon, &r2, "GET", path, NULL), 200);
	T_STREQ(r.body, r2.body);
	T_ASSERT(strstr(r.body, "cache-check") == NULL);
	it_resp_free(&r);
	it_resp_free(&r2);
	snprintf(edit, sizeof(edit), "/scripts/%lld/edit", id);
	T_EQ(visit(&owner, &r, "GET", edit, NULL), 200);
	it_resp_free(&r);
	T_EQ(visit(&owner, &r, "POST", edit, form_of(&owner, (const char *[]){ "title", "Cached view",
	    "description", "", "content", "Get-Date\ngci C:\\ # cache-check\n", "tags", "",
	    "isPublic", "true", "commitMessage", "", NULL })), 303);
	it_resp_free(&r);
	T_EQ(visit(&anon, &r, "GET", path, NULL), 200);
	T_CONTAINS(r.body, "cache-check");
	it_resp_free(&r);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM jobs WHERE type = 'analysis.run' AND status IN"
	    " ('queued', 'running') AND payload->>'scriptId' = '%lld'", id);
	for (int i = 0; i < 200 && strcmp(it_psql(sql), "0") != 0; i++)
		usleep(100000);
	for (int i = 0; i < 50 && !found; i++) {
		T_EQ(visit(&anon, &r, "GET", path, NULL), 200);
		found = strstr(r.body, "<tr id=\"L2\" class=\"hl-flag") != NULL &&
		    strstr(r.body, "PSAvoidUsingCmdletAliases") != NULL;
		it_resp_free(&r);
		if (!found)
			usleep(100000);
	}
	T_ASSERT(found);
}

/* The "Analysed by ..." line of a page: the analysis's updatedAt as the page shows it. */
static void
analysed_at(const char *body, char *out, size_t n)
{
	const char *p = strstr(body, "Analysed by ");
	const char *e = p != NULL ? strstr(p, "</p>") : NULL;

	snprintf(out, n, "%.*s", e != NULL ? (int)(e - p) : 0, e != NULL ? p : "");
}

/* Waits (up to 20 s) until no analysis.run job of the script is queued or running. */
static void
jobs_done(long long id)
{
	char sql[200];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM jobs WHERE type = 'analysis.run' AND status IN"
	    " ('queued', 'running') AND payload->>'scriptId' = '%lld'", id);
	for (int i = 0; i < 200 && strcmp(it_psql(sql), "0") != 0; i++)
		usleep(100000);
	T_STREQ(it_psql(sql), "0");
}

/* A re-analysis of unchanged content is a new fragment too: the page after "analyse again"
 * shows the new analysis (its time), in every filter, never the cached one. */
static void
test_page_cache_reanalysis(void)
{
	struct it_resp r;
	char path[80], before[200], before_f[200], after[200], after_f[200], sql[160];
	long long id = paste(&owner, "Re-analysed view", "gci C:\\\ngci D:\\\n", "true");

	T_ASSERT(id > 0);
	T_ASSERT(analysed(id));
	jobs_done(id);
	snprintf(path, sizeof(path), "/scripts/%lld", id);
	for (int i = 0; i < 2; i++) {	/* the second one from the cache */
		T_EQ(visit(&anon, &r, "GET", path, NULL), 200);
		analysed_at(r.body, before, sizeof(before));
		it_resp_free(&r);
	}
	snprintf(path, sizeof(path), "/scripts/%lld?kind=practice", id);
	T_EQ(visit(&anon, &r, "GET", path, NULL), 200);
	analysed_at(r.body, before_f, sizeof(before_f));
	it_resp_free(&r);
	T_ASSERT(before[0] != '\0');
	T_STREQ(before, before_f);
	snprintf(sql, sizeof(sql), "SELECT to_char(updated_at, 'YYYY-MM-DD\"T\"HH24:MI:SS') FROM script_analysis"
	    " WHERE script_id = %lld", id);
	{
		char was[40];

		snprintf(was, sizeof(was), "%s", it_psql(sql));
		sleep(1);	/* the page shows the time to the second */
		snprintf(path, sizeof(path), "/scripts/%lld/analyze", id);
		T_EQ(visit(&owner, &r, "POST", path, form_of(&owner, (const char *[]){ NULL })), 303);
		it_resp_free(&r);
		jobs_done(id);
		T_ASSERT(strcmp(it_psql(sql), was) != 0);
		T_CONTAINS(before, was);
	}
	snprintf(path, sizeof(path), "/scripts/%lld", id);
	T_EQ(visit(&anon, &r, "GET", path, NULL), 200);
	check_page(&r, "re-analysed");
	analysed_at(r.body, after, sizeof(after));
	T_CONTAINS(after, it_psql(sql));
	T_CONTAINS(r.body, "<tr id=\"L2\" class=\"hl-flag hl-warning\">");
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/scripts/%lld?kind=practice", id);
	T_EQ(visit(&anon, &r, "GET", path, NULL), 200);
	analysed_at(r.body, after_f, sizeof(after_f));
	it_resp_free(&r);
	T_ASSERT(strcmp(before, after) != 0);
	T_STREQ(after, after_f);
}

/* The cached fragment is looked up only after the viewer may see the script: another user's
 * private script is 404 (the page and every filter) after its owner's views filled the
 * cache, and a public script made private stops being shown at once. */
static void
test_page_cache_private(void)
{
	static const char *const paths[] = { "", "?kind=security", "?kind=practice", "?severity=error" };
	struct it_resp r;
	char path[96], edit[64];
	long long id;

	for (size_t i = 0; i < PSS_ARRAY_LEN(paths); i++) {
		snprintf(path, sizeof(path), "/scripts/%lld%s", bad_id, paths[i]);
		T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
		T_CONTAINS(r.body, "ConvertTo-SecureString");
		it_resp_free(&r);
		T_EQ(visit(&owner, &r, "GET", path, NULL), 200);	/* cached now */
		it_resp_free(&r);
		T_EQ(visit(&other, &r, "GET", path, NULL), 404);
		T_ASSERT(strstr(r.body, "ConvertTo-SecureString") == NULL);
		T_ASSERT(strstr(r.body, "hl-flag") == NULL);
		it_resp_free(&r);
		T_EQ(visit(&anon, &r, "GET", path, NULL), 404);
		T_ASSERT(strstr(r.body, "ConvertTo-SecureString") == NULL);
		it_resp_free(&r);
		T_EQ(visit(&admin, &r, "GET", path, NULL), 200);
		it_resp_free(&r);
	}
	/* public, viewed (cached), then made private by its owner */
	id = paste(&owner, "Soon private", "gci C:\\ # soon-private\n", "true");
	T_ASSERT(id > 0);
	T_ASSERT(analysed(id));
	jobs_done(id);
	snprintf(path, sizeof(path), "/scripts/%lld", id);
	T_EQ(visit(&anon, &r, "GET", path, NULL), 200);
	T_CONTAINS(r.body, "soon-private");
	it_resp_free(&r);
	T_EQ(visit(&other, &r, "GET", path, NULL), 200);
	it_resp_free(&r);
	snprintf(edit, sizeof(edit), "/scripts/%lld/edit", id);
	T_EQ(visit(&owner, &r, "GET", edit, NULL), 200);
	it_resp_free(&r);
	T_EQ(visit(&owner, &r, "POST", edit, form_of(&owner, (const char *[]){ "title", "Soon private",
	    "description", "", "content", "gci C:\\ # soon-private\n", "tags", "", "isPublic", "",
	    "commitMessage", "", NULL })), 303);
	it_resp_free(&r);
	T_EQ(visit(&anon, &r, "GET", path, NULL), 404);
	T_ASSERT(strstr(r.body, "soon-private") == NULL);
	it_resp_free(&r);
	T_EQ(visit(&other, &r, "GET", path, NULL), 404);
	T_ASSERT(strstr(r.body, "soon-private") == NULL);
	it_resp_free(&r);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	T_CONTAINS(r.body, "soon-private");
	it_resp_free(&r);
}

/* Findings that say the same thing are listed once with links to their other lines, each
 * the anchor its line's note links to; a cached filtered page is still only its findings. */
static void
test_repeated_findings(void)
{
	struct it_resp r;
	char path[96], want[96];
	long long id = paste(&owner, "Repeated", "gci C:\\\ngci D:\\\ngci E:\\\n", "true");

	T_ASSERT(id > 0);
	T_ASSERT(analysed(id));
	jobs_done(id);
	snprintf(path, sizeof(path), "/scripts/%lld", id);
	for (int i = 0; i < 2; i++) {
		T_EQ(visit(&anon, &r, "GET", path, NULL), 200);
		check_page(&r, "repeated findings");
		T_EQ(count(r.body, "is an alias of &#39;Get-ChildItem&#39;. Aliases"), 4);	/* the list, 3 notes */
		T_CONTAINS(r.body, "<a href=\"#L1\">line 1, column 1</a> and 2 more lines: ");
		T_CONTAINS(r.body, "<p class=\"finding-lines\">Also on lines <a id=\"f-");
		for (int line = 1; line <= 3; line++) {
			const char *p;
			char id_attr[40];

			snprintf(want, sizeof(want), "<tr id=\"L%d\" class=\"hl-flag hl-warning\">", line);
			T_ASSERT((p = strstr(r.body, want)) != NULL);
			/* the note under the line links to an anchor the page has */
			T_ASSERT(p != NULL && (p = strstr(p, "<tr class=\"hl-note\"><td></td><td><ul><li class=\"hl-warning\"><a href=\"#")) != NULL);
			if (p != NULL) {
				p = strchr(p, '#') + 1;
				snprintf(id_attr, sizeof(id_attr), "id=\"%.*s\"", (int)strcspn(p, "\""), p);
				T_CONTAINS(r.body, id_attr);
			}
		}
		it_resp_free(&r);
	}
	snprintf(path, sizeof(path), "/scripts/%lld?kind=security", id);
	for (int i = 0; i < 2; i++) {
		T_EQ(visit(&anon, &r, "GET", path, NULL), 200);
		T_CONTAINS(r.body, "No finding matches the filter.");
		T_ASSERT(strstr(r.body, "hl-flag") == NULL);
		it_resp_free(&r);
	}
}

/* A cache that fails is a miss, never a wrong or broken page: a fragment entry that does
 * not parse (planted in Redis, read once the hot copies are dropped, by the workers that kept
 * no copy of the fragment: a kept copy's bytes cannot change under its key) and Redis stopped
 * both give the page rendered afresh, with its marks. */
static void
test_page_cache_failures(void)
{
	struct it_resp r;
	char path[64], cmd[400];
	long long id = paste(&owner, "Cache failures", "gci C:\\ # fallback-check\n", "true");

	T_ASSERT(id > 0);
	T_ASSERT(analysed(id));
	jobs_done(id);
	snprintf(path, sizeof(path), "/scripts/%lld", id);
	for (int i = 0; i < 2; i++) {
		T_EQ(visit(&anon, &r, "GET", path, NULL), 200);
		it_resp_free(&r);
	}
	snprintf(cmd, sizeof(cmd), "keys=$(redis-cli -p $REDISPORT --scan --pattern 'analysis:%lld:view:*'); "
	    "[ -n \"$keys\" ] && for k in $keys; do redis-cli -p $REDISPORT set \"$k\" '#av 1 9 9 0 99999999' "
	    ">/dev/null || exit 1; done", id);
	T_EQ(it_run("%s", cmd), 0);
	/* a library write moves the shared generation: the workers' hot copies go */
	T_ASSERT(paste(&other, "Generation mover", "Get-Date # moves the generation\n", "") > 0);
	for (int i = 0; i < 6; i++) {	/* every worker */
		T_EQ(visit(&anon, &r, "GET", path, NULL), 200);
		T_CONTAINS(r.body, "fallback-check");
		T_CONTAINS(r.body, "<tr id=\"L1\" class=\"hl-flag hl-warning\">");
		T_CONTAINS(r.body, "<h2 id=\"analysis-h\">Analysis</h2>");
		T_ASSERT(strstr(r.body, "#av ") == NULL);
		it_resp_free(&r);
	}
	T_EQ(it_harness("redis-stop"), 0);
	sleep(3);	/* the workers' health check (1 s in the harness) notices */
	for (int i = 0; i < 4; i++) {
		T_EQ(visit(&anon, &r, "GET", path, NULL), 200);
		T_CONTAINS(r.body, "<tr id=\"L1\" class=\"hl-flag hl-warning\">");
		it_resp_free(&r);
	}
	snprintf(path, sizeof(path), "/scripts/%lld?kind=security", id);
	T_EQ(visit(&anon, &r, "GET", path, NULL), 200);
	T_ASSERT(strstr(r.body, "hl-flag") == NULL);
	it_resp_free(&r);
	T_EQ(it_harness("redis-start"), 0);
	sleep(3);
}

static void
test_analyze_page(void)
{
	struct it_resp r;
	struct buf big = BUF_INIT;
	const char *l;

	T_EQ(visit(&anon, &r, "GET", "/analyze", NULL), 200);
	check_page(&r, "/analyze");
	T_CONTAINS(r.body, "enctype=\"multipart/form-data\"");
	it_resp_free(&r);
	/* pasted: the same view, not filterable, nothing stored */
	{
		const char *n0 = it_psql("SELECT count(*) FROM scripts");
		char before[32];

		snprintf(before, sizeof(before), "%s", n0 != NULL ? n0 : "");
		T_EQ(analyze_post(&anon, &r, SCRIPT, strlen(SCRIPT), NULL, NULL, 0), 200);
		check_page(&r, "/analyze result");
		T_CONTAINS(r.body, "<h2 id=\"analysis-h\">Analysis</h2>");
		T_CONTAINS(r.body, "<tr id=\"L3\" class=\"hl-flag hl-error\">");
		T_CONTAINS(r.body, "<a href=\"#L2\">line 2, column 1</a>");
		T_ASSERT(strstr(r.body, "finding-filters") == NULL);
		T_ASSERT(strstr(r.body, "<img") == NULL);
		T_CONTAINS(r.body, "The variable &#39;" IMG_ESC "&#39;");
		T_CONTAINS(r.body, "Log in</a> to save scripts");
		T_ASSERT(strstr(r.body, "action=\"/scripts\"") == NULL);
		it_resp_free(&r);
		T_STREQ(it_psql("SELECT count(*) FROM scripts"), before);
	}
	/* a file */
	T_EQ(analyze_post(&anon, &r, "", 0, "probe.ps1", "gci\n", 4), 200);
	T_CONTAINS(r.body, "&#39;gci&#39; is an alias of &#39;Get-ChildItem&#39;");
	it_resp_free(&r);
	T_EQ(analyze_post(&anon, &r, "", 0, "notes.exe", "gci\n", 4), 400);
	T_CONTAINS(r.body, "Choose a .ps1, .psm1 or .psd1 file.");
	it_resp_free(&r);
	/* empty, not UTF-8, over 1 MB: a readable message on the form, the text typed kept */
	T_EQ(analyze_post(&anon, &r, "", 0, NULL, NULL, 0), 400);
	check_page(&r, "/analyze empty");
	T_CONTAINS(r.body, "class=\"field-error\" id=\"analyze-content-error\"");
	it_resp_free(&r);
	/* a file that is not UTF-8 text: the service's message under the field (a browser's
	 * textarea always sends UTF-8; a pasted field that is not is "the form could not be
	 * read", as on every form) */
	T_EQ(analyze_post(&anon, &r, "", 0, "latin1.ps1", "Get-Date # \xe9t\xe9\n", 15), 400);
	check_page(&r, "/analyze not UTF-8");
	T_CONTAINS(r.body, "class=\"field-error\" id=\"analyze-content-error\"");
	it_resp_free(&r);
	T_EQ(analyze_post(&anon, &r, "Get-Date \xff\xfe", 11, NULL, NULL, 0), 400);
	check_page(&r, "/analyze pasted not UTF-8");
	T_CONTAINS(r.body, "The form could not be read.");
	it_resp_free(&r);
	for (int i = 0; i < 40000; i++)
		buf_puts(&big, "Write-Output 'padding line'\n");	/* 1.1 MB */
	T_EQ(analyze_post(&anon, &r, "", 0, "big.ps1", big.data, big.len), 413);
	check_page(&r, "/analyze too big");
	T_CONTAINS(r.body, "MB");
	it_resp_free(&r);
	buf_free(&big);
	/* no token: refused */
	{
		struct visitor fresh = { 0 };

		T_EQ(analyze_post(&fresh, &r, "gci", 3, NULL, NULL, 0), 403);
		it_resp_free(&r);
	}
	/* signed in: the new-script form with the text, which saves it */
	T_EQ(visit(&other, &r, "GET", "/analyze", NULL), 200);
	it_resp_free(&r);
	T_EQ(analyze_post(&other, &r, "", 0, "saved-" "probe.ps1", "Get-Date\n", 9), 200);
	check_page(&r, "/analyze signed in");
	T_CONTAINS(r.body, "<form method=\"post\" action=\"/scripts\" class=\"stack\">");
	T_CONTAINS(r.body, "value=\"saved-probe.ps1\"");
	T_CONTAINS(r.body, "<textarea id=\"content\" name=\"content\"");
	it_resp_free(&r);
	T_EQ(visit(&other, &r, "POST", "/scripts", form_of(&other, (const char *[]){ "title", "saved-probe.ps1",
	    "description", "", "content", "Get-Date\r\n", "tags", "", "commitMessage", "", NULL })), 303);
	T_ASSERT((l = it_header(&r, "location")) != NULL && strncmp(l, "/scripts/", 9) == 0);
	it_resp_free(&r);
}

static void
test_list(void)
{
	struct it_resp r;
	char want[200];

	T_EQ(visit(&owner, &r, "GET", "/scripts?mine=true", NULL), 200);
	check_page(&r, "list with badges");
	T_CONTAINS(r.body, "<ul class=\"score-badges\" aria-label=\"Scores\">");
	T_CONTAINS(r.body, "<li class=\"score-good\">Security <strong>10</strong><span class=\"visually-hidden\"> of 10</span> "
	    "<span class=\"score-level\">good</span></li>");
	T_CONTAINS(r.body, "<label for=\"minSecurityScore\">Security score</label>");
	T_ASSERT(strstr(r.body, "<img") == NULL);
	T_CONTAINS(r.body, "Markup " IMG_ESC);
	it_resp_free(&r);
	/* at least 9: the clean script only, the option kept selected */
	T_EQ(visit(&owner, &r, "GET", "/scripts?mine=true&minSecurityScore=9", NULL), 200);
	snprintf(want, sizeof(want), "<a href=\"/scripts/%lld\">Clean one</a>", good_id);
	T_CONTAINS(r.body, want);
	snprintf(want, sizeof(want), "<a href=\"/scripts/%lld\">", bad_id);
	T_ASSERT(strstr(r.body, want) == NULL);
	T_CONTAINS(r.body, "<option value=\"9\" selected=\"selected\">9 or more</option>");
	it_resp_free(&r);
	/* sorted by security score, lowest first */
	T_EQ(visit(&owner, &r, "GET", "/scripts?mine=true&sort=securityScore&order=asc", NULL), 200);
	{
		char a[64], b[64];
		const char *pa, *pb;

		snprintf(a, sizeof(a), "<a href=\"/scripts/%lld\">", bad_id);
		snprintf(b, sizeof(b), "<a href=\"/scripts/%lld\">", good_id);
		pa = strstr(r.body, a);
		pb = strstr(r.body, b);
		T_ASSERT(pa != NULL && pb != NULL && pa < pb);
	}
	T_CONTAINS(r.body, "<option value=\"securityScore\" selected=\"selected\">");
	it_resp_free(&r);
	T_EQ(visit(&owner, &r, "GET", "/scripts?minSecurityScore=11", NULL), 400);
	it_resp_free(&r);
}

/* The source of a long script in windows of 200 lines: the pager (without JavaScript: plain
 * links keeping the filter), a finding on line 900 linking to the window that holds it with
 * the line's anchor there, notes only under the window's lines, the whole script on asking,
 * a from past the end clamped, and bad arguments 400 with a readable message. */
static void
test_source_windows(void)
{
	struct it_resp r;
	struct buf src = BUF_INIT;
	char path[96], want[160];
	long long id;

	for (int i = 1; i <= 1000; i++)
		if (i == 5 || i == 900)
			buf_puts(&src, "gci C:\\ | Out-Null\n");
		else
			buf_printf(&src, "Write-Output 'line %d'\n", i);
	id = paste(&owner, "Long one", buf_cstr(&src), "");
	buf_free(&src);
	T_ASSERT(id > 0);
	T_ASSERT(analysed(id));

	/* the first window: lines 1-200, the next and the whole script, no previous */
	snprintf(path, sizeof(path), "/scripts/%lld", id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	check_page(&r, "script page, first window");
	T_CONTAINS(r.body, "<nav class=\"pager src-pager\" aria-label=\"Source lines\">");
	T_CONTAINS(r.body, "<span>Lines 1\xe2\x80\x93" "200 of 1,000</span>");
	T_CONTAINS(r.body, "<tr id=\"L200\">");
	T_ASSERT(strstr(r.body, "<tr id=\"L201\"") == NULL);
	T_ASSERT(strstr(r.body, "rel=\"prev\" href=\"/scripts") == NULL);
	snprintf(want, sizeof(want), "<a rel=\"next\" href=\"/scripts/%lld?from=201#source-h\">Next lines</a>", id);
	T_EQ(count(r.body, want), 2);	/* above and below the source */
	snprintf(want, sizeof(want), "<a href=\"/scripts/%lld?lines=all#source-h\">Whole script</a>", id);
	T_CONTAINS(r.body, want);
	T_CONTAINS(r.body, "<a href=\"#L5\">line 5");		/* in this window */
	snprintf(want, sizeof(want), "href=\"/scripts/%lld?from=801#L900\"", id);
	T_CONTAINS(r.body, want);				/* the window holding line 900 */
	T_CONTAINS(r.body, "<tr id=\"L5\" class=\"hl-flag hl-");
	T_EQ(count(r.body, "<tr class=\"hl-note\">"), 1);	/* line 5's note only */
	it_resp_free(&r);

	/* following that link: line 900 is there, marked, with its note; line 5 links back */
	snprintf(path, sizeof(path), "/scripts/%lld?from=801", id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	check_page(&r, "script page, last window");
	T_CONTAINS(r.body, "<span>Lines 801\xe2\x80\x93" "1,000 of 1,000</span>");
	T_CONTAINS(r.body, "<tr id=\"L900\" class=\"hl-flag hl-");
	T_CONTAINS(r.body, "<tr id=\"L1000\">");
	T_ASSERT(strstr(r.body, "<tr id=\"L800\"") == NULL);
	T_CONTAINS(r.body, "href=\"#L900\"");
	snprintf(want, sizeof(want), "<a href=\"/scripts/%lld#L5\">line 5", id);
	T_CONTAINS(r.body, want);
	T_EQ(count(r.body, "<tr class=\"hl-note\">"), 1);
	snprintf(want, sizeof(want), "<a rel=\"prev\" href=\"/scripts/%lld?from=601#source-h\">", id);
	T_CONTAINS(r.body, want);
	T_ASSERT(strstr(r.body, "rel=\"next\" href=\"/scripts") == NULL);
	it_resp_free(&r);

	/* a line inside a window and a from past the end show the window holding it / the last */
	snprintf(path, sizeof(path), "/scripts/%lld?from=850", id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	T_CONTAINS(r.body, "<span>Lines 801\xe2\x80\x93" "1,000 of 1,000</span>");
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/scripts/%lld?from=99999999999999", id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	T_CONTAINS(r.body, "<tr id=\"L1000\">");
	it_resp_free(&r);

	/* the filter is kept by the pager and the line links, the window by the filter links */
	snprintf(path, sizeof(path), "/scripts/%lld?kind=practice&from=801", id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	check_page(&r, "script page, filtered window");
	snprintf(want, sizeof(want), "href=\"/scripts/%lld?kind=practice&amp;from=601#source-h\"", id);
	T_CONTAINS(r.body, want);
	snprintf(want, sizeof(want), "href=\"/scripts/%lld?kind=practice#L5\"", id);
	T_CONTAINS(r.body, want);
	snprintf(want, sizeof(want), "href=\"/scripts/%lld?kind=security&amp;from=801#findings\"", id);
	T_CONTAINS(r.body, want);
	snprintf(want, sizeof(want), "href=\"/scripts/%lld?kind=practice&amp;lines=all#source-h\"", id);
	T_CONTAINS(r.body, want);
	T_CONTAINS(r.body, "<tr id=\"L900\" class=\"hl-flag hl-");
	it_resp_free(&r);

	/* the whole script on asking: every line, every finding links on the page */
	snprintf(path, sizeof(path), "/scripts/%lld?lines=all", id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	check_page(&r, "script page, whole script");
	T_CONTAINS(r.body, "<span>All 1,000 lines</span>");
	T_CONTAINS(r.body, "<tr id=\"L1\">");
	T_CONTAINS(r.body, "<tr id=\"L1000\">");
	T_CONTAINS(r.body, "href=\"#L900\"");
	T_EQ(count(r.body, "<tr class=\"hl-note\">"), 2);
	snprintf(want, sizeof(want), "<a href=\"/scripts/%lld#source-h\">In parts of 200 lines</a>", id);
	T_CONTAINS(r.body, want);
	snprintf(want, sizeof(want), "href=\"/scripts/%lld?kind=security&amp;lines=all#findings\"", id);
	T_CONTAINS(r.body, want);
	it_resp_free(&r);

	/* bad arguments: a readable 400 page */
	{
		static const char *const bad[] = { "from=abc", "from=0", "from=-3", "from=1e3", "from=%20",
		    "lines=some", "lines=200" };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(path, sizeof(path), "/scripts/%lld?%s", id, bad[i]);
			T_EQ(visit(&owner, &r, "GET", path, NULL), 400);
			check_page(&r, "bad window");
			T_CONTAINS(r.body, bad[i][0] == 'f' ? "from must be a line number: 1 or more." :
			    "lines must be all (the whole script) or left out.");
			it_resp_free(&r);
		}
	}

	/* a short script has no pager */
	snprintf(path, sizeof(path), "/scripts/%lld?from=3", bad_id);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	T_ASSERT(strstr(r.body, "src-pager") == NULL);
	T_CONTAINS(r.body, "<tr id=\"L1\"");
	it_resp_free(&r);
}

/* same_gzipped: path as v (a GET, or a POST of form when not NULL), asked without and with
 * Accept-Encoding: gzip: the two decode to the same bytes; 1 when the second was gzip-encoded
 * (with Vary), 0 when it was not, -1 on a difference. *raw_len: the gzip body's length. */
static int
same_gzipped(struct visitor *v, const char *path, const char *form, const char *secret,
    size_t *raw_len)
{
	const char *method = form != NULL ? "POST" : "GET";
	struct it_resp id, gz;
	const char *ce;
	char *dec;
	size_t n = 0;
	int rc = -1;

	if (visit(v, &id, method, path, form) != 200 ||
	    visit_with(v, &gz, method, path, form, "Accept-Encoding: gzip, deflate, br") != 200) {
		printf("#   %s: not 200\n", path);
		goto out;
	}
	*raw_len = gz.len;
	T_ASSERTF(it_header(&id, "content-encoding") == NULL, "%s: identity asked", path);
	if ((ce = it_header(&gz, "content-encoding")) == NULL) {
		rc = gz.len == id.len && memcmp(gz.body, id.body, id.len) == 0 ? 0 : -1;
		goto out;
	}
	T_STREQ(ce, "gzip");
	T_ASSERTF(strstr(gz.headers, "vary: Accept-Encoding") != NULL, "%s: no Vary", path);
	T_ASSERTF(strstr(id.headers, "vary: Accept-Encoding") != NULL, "%s: no Vary (identity)", path);
	/* a per-request part (the CSRF token, the user's name) is stored: its bytes appear as
	 * they are in the gzip body, never compressed */
	if (secret != NULL)
		T_ASSERTF(memmem(gz.body, gz.len, secret, strlen(secret)) != NULL, "%s: %s not stored",
		    path, secret);
	if ((dec = it_gunzip(&gz, &n)) != NULL && n == id.len && memcmp(dec, id.body, n) == 0)
		rc = 1;
	else
		printf("#   %s: decoded %zu bytes, identity %zu\n", path, dec != NULL ? n : 0, id.len);
	free(dec);
out:
	it_resp_free(&id);
	it_resp_free(&gz);
	return rc;
}

/* Pages with a memoised fragment (the script page's analysis and source) go gzip-encoded to
 * the clients that ask, the fragment compressed alone and everything else stored (README,
 * HTTP; docs/security.md, "Compressed pages"): decoding gives the identity page byte for byte,
 * on every worker, for each viewer; the CSRF token and the user's name are in the gzip body
 * as they are; q=0 and no Accept-Encoding get identity; pages without a fragment stay identity. */
static void
test_pages_gzip(void)
{
	struct it_resp r;
	struct buf src = BUF_INIT;
	char path[96];
	size_t raw = 0;
	long long id, pages;

	for (int i = 1; i <= 300; i++)
		buf_printf(&src, i % 7 == 0 ? "gci C:\\logs%d | %% { $_.Name }\n" :
		    "Write-Output \"compressed line %d of the page\"\n", i);
	id = paste(&owner, "Sent gzip-encoded", buf_cstr(&src), "true");
	T_ASSERT(id > 0);
	T_ASSERT(analysed(id));
	snprintf(path, sizeof(path), "/scripts/%lld", id);
	/* the page stops changing: the flash of the paste shown, the similar scripts found once
	 * the embedding jobs are done */
	T_STREQ(it_poll_sql("SELECT count(*) FROM jobs WHERE status = 'running' OR "
	    "(status = 'queued' AND run_at <= now())", "0", 30), "0");
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	it_resp_free(&r);
	T_EQ(visit(&other, &r, "GET", path, NULL), 200);	/* the flash of an earlier test */
	it_resp_free(&r);
	T_ASSERT(*owner.csrf != '\0');
	pages = it_metric("psscript_gzip_pages_total");
	for (int i = 0; i < 8; i++) {	/* every worker: compressed once, then from the fragment */
		T_EQ(same_gzipped(&owner, path, NULL, owner.csrf, &raw), 1);
		T_EQ(same_gzipped(&anon, path, NULL, NULL, &raw), 1);
	}
	/* counted (a worker adds its counts just after sending each answer) */
	for (int i = 0; i < 20 && it_metric("psscript_gzip_pages_total") < pages + 16; i++)
		usleep(100000);
	T_ASSERTF(pages >= 0 && it_metric("psscript_gzip_pages_total") >= pages + 16, "pages %lld then %lld",
	    pages, it_metric("psscript_gzip_pages_total"));
	T_ASSERT(it_metric("psscript_gzip_pieces_total") >= 2);
	T_EQ(same_gzipped(&other, path, NULL, other_a.name, &raw), 1);
	T_EQ(visit(&owner, &r, "GET", path, NULL), 200);
	T_ASSERTF(raw < r.len / 3, "%zu bytes gzip-encoded, %zu identity", raw, r.len);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/scripts/%lld?kind=practice", id);
	T_EQ(same_gzipped(&owner, path, NULL, owner.csrf, &raw), 1);
	snprintf(path, sizeof(path), "/scripts/%lld?from=201", id);
	T_EQ(same_gzipped(&anon, path, NULL, NULL, &raw), 1);
	snprintf(path, sizeof(path), "/scripts/%lld", bad_id);
	T_EQ(same_gzipped(&owner, path, NULL, owner.csrf, &raw), 1);

	/* refused, or not asked: identity */
	snprintf(path, sizeof(path), "/scripts/%lld", id);
	T_EQ(visit_with(&owner, &r, "GET", path, NULL, "Accept-Encoding: gzip;q=0, identity"), 200);
	T_ASSERT(it_header(&r, "content-encoding") == NULL);
	T_CONTAINS(r.body, "compressed line 199 of the page");
	it_resp_free(&r);
	T_EQ(visit_with(&owner, &r, "GET", path, NULL, "Accept-Encoding: *;q=0"), 200);
	T_ASSERT(it_header(&r, "content-encoding") == NULL);
	it_resp_free(&r);

	/* /analyze's result: the analysis and the source made for this response from the text
	 * posted, and that text echoed in the form, each compressed for it alone; the token
	 * stored */
	buf_reset(&src);
	T_EQ(visit(&anon, &r, "GET", "/analyze", NULL), 200);	/* its token */
	it_resp_free(&r);
	for (int i = 1; i <= 200; i++)
		buf_printf(&src, "Write-Host \"posted line %d\"\n", i);
	T_EQ(same_gzipped(&anon, "/analyze", form_of(&anon, (const char *[]){ "content", buf_cstr(&src),
	    NULL }), anon.csrf, &raw), 1);
	T_EQ(visit(&anon, &r, "POST", "/analyze", form_of(&anon, (const char *[]){ "content",
	    buf_cstr(&src), NULL })), 200);
	T_CONTAINS(r.body, "posted line 199");
	T_ASSERTF(raw < r.len / 3, "%zu bytes gzip-encoded, %zu identity", raw, r.len);
	it_resp_free(&r);
	T_EQ(same_gzipped(&owner, "/analyze", form_of(&owner, (const char *[]){ "content", buf_cstr(&src),
	    NULL }), owner.csrf, &raw), 1);
	/* the text echoed in the two forms (signed in: the save form too) goes compressed as
	 * well, each a piece of its own: not one of its lines is in the encoding as it is */
	T_EQ(visit(&owner, &r, "POST", "/analyze", form_of(&owner, (const char *[]){ "content",
	    buf_cstr(&src), NULL })), 200);
	T_ASSERTF(raw < r.len / 8, "%zu bytes gzip-encoded, %zu identity", raw, r.len);
	it_resp_free(&r);
	T_EQ(visit_with(&owner, &r, "POST", "/analyze", form_of(&owner, (const char *[]){ "content",
	    buf_cstr(&src), NULL }), "Accept-Encoding: gzip"), 200);
	T_STREQ(it_header(&r, "content-encoding"), "gzip");
	T_ASSERT(memmem(r.body, r.len, "posted line 150&quot;", 21) == NULL);
	T_ASSERT(memmem(r.body, r.len, owner.csrf, strlen(owner.csrf)) != NULL);
	it_resp_free(&r);
	buf_free(&src);

	/* pages without such a fragment: identity either way */
	T_EQ(same_gzipped(&owner, "/scripts", NULL, NULL, &raw), 0);
	T_EQ(same_gzipped(&owner, "/analyze", NULL, NULL, &raw), 0);
	T_EQ(same_gzipped(&anon, "/", NULL, NULL, &raw), 0);
}

int
main(void)
{
	it_init();
	T_RUN(test_setup);
	T_RUN(test_script_page);
	T_RUN(test_filters);
	T_RUN(test_analyse_again);
	T_RUN(test_page_cache);
	T_RUN(test_page_cache_reanalysis);
	T_RUN(test_page_cache_private);
	T_RUN(test_repeated_findings);
	T_RUN(test_page_cache_failures);
	T_RUN(test_analyze_page);
	T_RUN(test_list);
	T_RUN(test_source_windows);
	T_RUN(test_pages_gzip);
	html_check_done();
	return t_done();
}
