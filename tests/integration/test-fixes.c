/* test-fixes.c: applying the analyzer's automatic fixes to a stored script (issue 14 item 7,
 * docs/analyzer.md "Applying fixes") through nginx: the list, a dry run that writes nothing,
 * a chosen subset written as a new version whose commit message lists the edits and which is
 * analysed again, stale choices refused (version, content hash, ids of older content), who
 * may, bad input and the size bound, the page flow without JavaScript (choose, preview the
 * diff, confirm with the CSRF token), and the fixes in SARIF (command line and export)
 * validated against the SARIF 2.1.0 schema */
#include "config.h"

#include "itest-html.h"

static struct acct admin_a, owner_a, other_a;
static struct visitor owner, other;
static int seq;

/* gci (1), trailing spaces (1), % (2), ls (3): four exact fixes; Write-Host and Out-Null
 * have none (a change of behaviour is never a fix) */
#define SCRIPT "$items = gci C:\\Temp  \n$items | % { $_.Name }\nls -Recurse | Out-Null\nWrite-Host 'done'\n"

/* A new script of token's (not analysed): content and a unique comment; fails the test when
 * none was made. */
static long long
new_script(const char *token, const char *content, bool pub)
{
	char title[64], text[512];
	long long id;

	snprintf(title, sizeof(title), "fixes %d_%d", (int)getpid(), ++seq);
	snprintf(text, sizeof(text), "%s# %s\n", content, title);
	id = it_script_new(token, title, text, pub);
	T_ASSERTF(id > 0, "create %s", title);
	return id;
}

static const char *
sql1(const char *fmt, long long id)
{
	char q[512];

	snprintf(q, sizeof(q), fmt, id);
	return it_psql(q);
}

static void
test_setup(void)
{
	T_EQ(acct_admin(&admin_a, "fxadm"), 0);
	T_EQ(acct_register(&owner_a, "fxown"), 0);
	T_EQ(acct_register(&other_a, "fxoth"), 0);
	T_EQ(page_login(&owner, owner_a.name, PW), 303);
	T_EQ(page_login(&other, other_a.name, PW), 303);
}

static void
test_list_names_each_exact_fix(void)
{
	long long id = new_script(owner_a.token, SCRIPT, false);
	struct it_resp r;

	T_EQ(it_json(&r, "GET", it_script_path(id, "/fixes"), owner_a.token, NULL), 0);
	T_ASSERTF(r.status == 200, "%ld %.300s", r.status, r.body);
	T_STREQ(it_str(&r, "version"), "1");
	T_STREQ(it_str(&r, "total"), "4");
	T_STREQ(it_str(&r, "manualFindings"), "2");
	T_STREQ(it_str(&r, "canApply"), "true");
	T_STREQ(it_str(&r, "contentHash"), sql1("SELECT file_hash FROM scripts WHERE id = %lld", id));
	T_STREQ(it_str(&r, "fixes.0.id"), "PSAvoidUsingCmdletAliases:9-12");
	T_STREQ(it_str(&r, "fixes.0.extent"), "gci");
	T_STREQ(it_str(&r, "fixes.0.replacement"), "Get-ChildItem");
	T_STREQ(it_str(&r, "fixes.1.ruleId"), "PSAvoidTrailingWhitespace");
	T_STREQ(it_str(&r, "fixes.2.replacement"), "ForEach-Object");
	T_STREQ(it_str(&r, "fixes.3.line"), "3");
	it_resp_free(&r);
	/* a private script is nobody else's business; another's public one may be listed, not fixed */
	T_EQ(status_of("GET", it_script_path(id, "/fixes"), other_a.token, NULL), 404);
	T_EQ(status_of("GET", it_script_path(id, "/fixes"), NULL, NULL), 404);
	T_EQ(status_of("GET", it_script_path(id, "/fixes"), admin_a.token, NULL), 200);
	T_EQ(status_of("POST", it_script_path(id, "/apply-fixes"), other_a.token, "{}"), 404);
	id = new_script(owner_a.token, SCRIPT, true);
	T_EQ(it_json(&r, "GET", it_script_path(id, "/fixes"), other_a.token, NULL), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "canApply"), "false");
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", it_script_path(id, "/apply-fixes"), other_a.token, "{}"), 0);
	check_error(&r, 403, "forbidden");
	it_resp_free(&r);
	T_EQ(status_of("POST", it_script_path(id, "/apply-fixes"), NULL, "{}"), 401);
}

static void
test_dry_run_writes_nothing(void)
{
	long long id = new_script(owner_a.token, SCRIPT, false);
	struct it_resp r;

	T_EQ(it_json(&r, "POST", it_script_path(id, "/apply-fixes"), owner_a.token, "{\"dryRun\":true}"), 0);
	T_ASSERTF(r.status == 200, "%ld %.300s", r.status, r.body);
	T_STREQ(it_str(&r, "fromVersion"), "1");
	T_ASSERT(it_str(&r, "version") == NULL);
	T_STREQ(it_str(&r, "applied.3.ruleId"), "PSAvoidUsingCmdletAliases");
	T_STREQ(it_str(&r, "skipped"), "0");
	T_CONTAINS(it_str(&r, "diff.unified"), "+$items = Get-ChildItem C:\\Temp\n");
	T_CONTAINS(it_str(&r, "diff.unified"), "-ls -Recurse | Out-Null\n");
	it_resp_free(&r);
	T_STREQ(sql1("SELECT version FROM scripts WHERE id = %lld", id), "1");
	T_STREQ(sql1("SELECT count(*) FROM script_versions WHERE script_id = %lld", id), "1");
}

static void
test_chosen_fixes_make_a_new_version_listing_them(void)
{
	long long id = new_script(owner_a.token, SCRIPT, false);
	struct it_resp r;
	char body[512], jobs[32];

	snprintf(jobs, sizeof(jobs), "%s", sql1("SELECT count(*) FROM jobs WHERE type = 'analysis.run'"
	    " AND payload->>'scriptId' = '%lld'", id));
	/* two of the four: the alias on line 3 and the trailing spaces on line 1 */
	snprintf(body, sizeof(body), "{\"version\":1,\"findingIds\":[\"PSAvoidUsingCmdletAliases:46-48\","
	    "\"PSAvoidTrailingWhitespace:20-22\"]}");
	T_EQ(it_json(&r, "POST", it_script_path(id, "/apply-fixes"), owner_a.token, body), 0);
	T_ASSERTF(r.status == 201, "%ld %.300s", r.status, r.body);
	T_STREQ(it_str(&r, "version"), "2");
	T_STREQ(it_str(&r, "commitMessage"),
	    "Applied 2 fixes: PSAvoidTrailingWhitespace (line 1), PSAvoidUsingCmdletAliases (line 3)");
	T_STREQ(it_str(&r, "linesAdded"), "2");
	T_STREQ(it_str(&r, "linesRemoved"), "2");
	it_resp_free(&r);
	T_STREQ(sql1("SELECT version FROM scripts WHERE id = %lld", id), "2");
	T_STREQ(sql1("SELECT commit_message FROM script_versions WHERE script_id = %lld AND version = 2", id),
	    "Applied 2 fixes: PSAvoidTrailingWhitespace (line 1), PSAvoidUsingCmdletAliases (line 3)");
	T_STREQ(sql1("SELECT split_part(content, E'\\n', 1) || '|' || split_part(content, E'\\n', 3)"
	    " FROM scripts WHERE id = %lld", id), "$items = gci C:\\Temp|Get-ChildItem -Recurse | Out-Null");
	/* version 1 is kept */
	T_STREQ(sql1("SELECT split_part(content, E'\\n', 3) FROM script_versions WHERE script_id = %lld"
	    " AND version = 1", id), "ls -Recurse | Out-Null");
	/* analysed again, as any change of content */
	T_ASSERTF(atoi(sql1("SELECT count(*) FROM jobs WHERE type = 'analysis.run'"
	    " AND payload->>'scriptId' = '%lld'", id)) > atoi(jobs), "no analysis job after the fixes");
	/* the rest, by rule: the two aliases left */
	T_EQ(it_json(&r, "POST", it_script_path(id, "/apply-fixes"), owner_a.token,
	    "{\"version\":2,\"ruleIds\":[\"psavoidusingcmdletaliases\"]}"), 0);
	T_ASSERTF(r.status == 201, "%ld %.300s", r.status, r.body);
	T_STREQ(it_str(&r, "version"), "3");
	T_STREQ(it_str(&r, "commitMessage"),
	    "Applied 2 fixes: PSAvoidUsingCmdletAliases (line 1), PSAvoidUsingCmdletAliases (line 2)");
	it_resp_free(&r);
	/* nothing left to fix */
	T_EQ(it_json(&r, "POST", it_script_path(id, "/apply-fixes"), owner_a.token, "{}"), 0);
	check_error(&r, 400, "validation_error");
	it_resp_free(&r);
	T_EQ(it_json(&r, "GET", it_script_path(id, "/fixes"), owner_a.token, NULL), 0);
	T_STREQ(it_str(&r, "total"), "0");
	it_resp_free(&r);
	/* an administrator may apply them too */
	id = new_script(owner_a.token, SCRIPT, false);
	T_EQ(status_of("POST", it_script_path(id, "/apply-fixes"), admin_a.token, "{}"), 201);
	T_STREQ(sql1("SELECT commit_message FROM script_versions WHERE script_id = %lld AND version = 2", id),
	    "Applied 4 fixes: PSAvoidUsingCmdletAliases (line 1), PSAvoidTrailingWhitespace (line 1), "
	    "PSAvoidUsingCmdletAliases (line 2), PSAvoidUsingCmdletAliases (line 3)");
}

static void
test_stale_choices_are_refused(void)
{
	long long id = new_script(owner_a.token, SCRIPT, false);
	struct it_resp r;
	char hash[80], body[256];

	snprintf(hash, sizeof(hash), "%s", sql1("SELECT file_hash FROM scripts WHERE id = %lld", id));
	/* the content changes under the chooser's feet (an edit adds a line at the top) */
	T_EQ(it_json(&r, "PUT", it_script_path(id, ""), owner_a.token,
	    "{\"content\":\"# new first line\\n$items = gci C:\\\\Temp  \\nls\\n\"}"), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
	T_EQ(it_json(&r, "POST", it_script_path(id, "/apply-fixes"), owner_a.token,
	    "{\"version\":1,\"findingIds\":[\"PSAvoidUsingCmdletAliases:9-12\"]}"), 0);
	check_error(&r, 409, "conflict");
	T_CONTAINS(it_str(&r, "message"), "changed since");
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"contentHash\":\"%s\",\"findingIds\":[\"PSAvoidUsingCmdletAliases:9-12\"]}",
	    hash);
	T_EQ(it_json(&r, "POST", it_script_path(id, "/apply-fixes"), owner_a.token, body), 0);
	check_error(&r, 409, "conflict");
	it_resp_free(&r);
	/* the right version, but an id of the old content: not offered any more */
	T_EQ(it_json(&r, "POST", it_script_path(id, "/apply-fixes"), owner_a.token,
	    "{\"version\":2,\"findingIds\":[\"PSAvoidUsingCmdletAliases:9-12\"]}"), 0);
	check_error(&r, 409, "conflict");
	it_resp_free(&r);
	T_STREQ(sql1("SELECT version FROM scripts WHERE id = %lld", id), "2");
}

static void
test_bad_input_and_the_size_bound(void)
{
	long long id = new_script(owner_a.token, SCRIPT, false);
	struct it_resp r;
	static const char *const bad[][2] = {
		{ "{\"findingIds\":[\"PSAvoidUsingCmdletAliases:9-12\"]}", "version" },
		{ "{\"version\":1,\"findingIds\":[\"gci; rm -rf /\"]}", "findingIds" },
		{ "{\"version\":1,\"findingIds\":[\"PSAvoidUsingCmdletAliases:9\"]}", "findingIds" },
		{ "{\"ruleIds\":[\"NoSuchRule\"]}", "ruleIds" },
		{ "{\"version\":0}", "version" },
		{ "{\"version\":\"x\"}", "version" },
		{ "{\"findingIds\":7}", "findingIds" },
		{ "{\"dryRun\":\"perhaps\"}", "dryRun" },
	};

	for (size_t i = 0; i < PSS_ARRAY_LEN(bad); i++) {
		T_EQ(it_json(&r, "POST", it_script_path(id, "/apply-fixes"), owner_a.token, bad[i][0]), 0);
		check_error(&r, 400, "validation_error");
		T_ASSERTF(it_str(&r, "details.0.field") != NULL && strcmp(it_str(&r, "details.0.field"),
		    bad[i][1]) == 0, "%s: field %s", bad[i][0], it_str(&r, "details.0.field"));
		it_resp_free(&r);
	}
	T_EQ(status_of("POST", it_script_path(id, "/apply-fixes"), owner_a.token, "not json"), 400);
	/* well-formed (a rule id may hold digits) but not offered: stale, not malformed */
	T_EQ(status_of("POST", it_script_path(id, "/apply-fixes"), owner_a.token,
	    "{\"version\":1,\"findingIds\":[\"PSSAvoidBase64Execution:1-2\"]}"), 409);
	T_EQ(status_of("POST", it_script_path(id, "/apply-fixes"), owner_a.token,
	    "{\"version\":1,\"findingIds\":[\"1PSS:1-2\"]}"), 400);
	T_STREQ(sql1("SELECT version FROM scripts WHERE id = %lld", id), "1");
	/* over 1 MB: the command line's job, a clear 413 */
	sql1("UPDATE scripts SET content = repeat(E'ls # padding the script past the bound\\n', 30000)"
	    " WHERE id = %lld", id);
	T_EQ(it_json(&r, "POST", it_script_path(id, "/apply-fixes"), owner_a.token, "{}"), 0);
	check_error(&r, 413, "payload_too_large");
	T_CONTAINS(it_str(&r, "message"), "psscript analyze --fix");
	it_resp_free(&r);
	T_EQ(status_of("GET", it_script_path(id, "/fixes"), owner_a.token, NULL), 413);
}

/* The page /scripts/<id><tail> as v, GET (form NULL) or POST: the status must be want, the
 * body must hold each needle ("!" first: must not), and a 200 page passes check_page. */
static void
page_is(struct visitor *v, long long id, const char *tail, const char *form, long want,
    const char *const *needles)
{
	struct it_resp r;
	char path[192];

	snprintf(path, sizeof(path), "/scripts/%lld%s", id, tail);
	T_ASSERTF(visit(v, &r, form ? "POST" : "GET", path, form) == want, "%s: %ld, want %ld", path,
	    r.status, want);
	if (r.status == 200 && want == 200)
		check_page(&r, path);
	for (; needles != NULL && *needles != NULL; needles++)
		if (**needles == '!')
			T_ASSERTF(r.body == NULL || strstr(r.body, *needles + 1) == NULL, "%s: has %s", path,
			    *needles + 1);
		else
			T_ASSERTF(r.body != NULL && strstr(r.body, *needles) != NULL, "%s: no %s", path, *needles);
	it_resp_free(&r);
}

static void
test_page_flow_without_javascript(void)
{
	long long id = new_script(owner_a.token, SCRIPT, false);
	struct it_resp r;
	char link[64], url[64];
	const char *confirm;

	/* the script page links to it for the owner */
	snprintf(link, sizeof(link), "href=\"/scripts/%lld/fixes\"", id);
	page_is(&owner, id, "", NULL, 200, (const char *[]){ link, NULL });
	/* the list: a checkbox a fix, all ticked, no preview yet; nobody else's */
	page_is(&owner, id, "/fixes", NULL, 200, (const char *[]){
	    "<input type=\"checkbox\" name=\"fix\" value=\"PSAvoidUsingCmdletAliases:9-12\" "
	    "id=\"fix-PSAvoidUsingCmdletAliases:9-12\" checked=\"checked\" />",
	    "<code>gci</code></td><td><code>Get-ChildItem</code>", "2 findings without an automatic fix",
	    "<td><em>2 spaces</em></td><td><em>nothing</em></td>",
	    "!Apply and save", NULL });
	page_is(&other, id, "/fixes", NULL, 404, NULL);
	/* choose one (a GET form): the preview with the diff and the confirming form */
	page_is(&owner, id, "/fixes?version=1&fix=PSAvoidUsingCmdletAliases%3A32-33", NULL, 200,
	    (const char *[]){ "1 fix would be applied", "!overlap", "Applied 1 fix: PSAvoidUsingCmdletAliases (line 2)",
	    "<span class=\"dv-sign\">+</span>$items | ForEach-Object { $_.Name }",
	    "<input type=\"hidden\" name=\"findingIds\" value=\"PSAvoidUsingCmdletAliases:32-33\" />",
	    "Apply and save version 2", NULL });
	T_STREQ(sql1("SELECT version FROM scripts WHERE id = %lld", id), "1");
	/* confirm: no token is refused; with it, version 2 and back to the script */
	page_is(&owner, id, "/fixes", "version=1&findingIds=PSAvoidUsingCmdletAliases%3A32-33", 403, NULL);
	confirm = form_of(&owner, (const char *[]){ "version", "1", "findingIds",
	    "PSAvoidUsingCmdletAliases:32-33", NULL });
	snprintf(url, sizeof(url), "/scripts/%lld/fixes", id);
	T_EQ(visit(&owner, &r, "POST", url, confirm), 303);
	snprintf(url, sizeof(url), "/scripts/%lld", id);
	T_STREQ(it_header(&r, "location"), url);
	it_resp_free(&r);
	T_STREQ(sql1("SELECT s.version || ' ' || commit_message FROM scripts s JOIN script_versions v"
	    " ON v.script_id = s.id AND v.version = s.version WHERE s.id = %lld", id),
	    "2 Applied 1 fix: PSAvoidUsingCmdletAliases (line 2)");
	page_is(&owner, id, "", NULL, 200, (const char *[]){ "The fixes were applied as a new version", NULL });
	/* the same confirmation again is stale: a readable 409 page, nothing written */
	page_is(&owner, id, "/fixes", form_of(&owner, (const char *[]){ "version", "1", "findingIds",
	    "PSAvoidUsingCmdletAliases:32-33", NULL }), 409,
	    (const char *[]){ "changed since these fixes were listed", NULL });
	T_STREQ(sql1("SELECT version FROM scripts WHERE id = %lld", id), "2");
	/* a preview chosen on version 1 shows the notice and the current fixes */
	page_is(&owner, id, "/fixes?version=1&fix=PSAvoidUsingCmdletAliases%3A9-12", NULL, 200,
	    (const char *[]){ "The script has changed since these fixes were chosen", "!Apply and save", NULL });
	/* preview all: three left; a malformed id is a 400 page */
	page_is(&owner, id, "/fixes?version=2&all=1", NULL, 200, (const char *[]){ "3 fixes would be applied", NULL });
	page_is(&owner, id, "/fixes?fix=x", NULL, 400, NULL);
}

/* SARIF: the fixes as fixes[].artifactChanges[].replacements[] with deletedRegion and
 * insertedContent, in the command line's log and the export, both valid SARIF 2.1.0. */
static void
test_sarif_carries_the_fixes(void)
{
	long long id = new_script(owner_a.token, SCRIPT, false);
	struct it_resp r;
	char file[96], cmd[512];
	FILE *f;
	int rc;

	T_EQ(it_json(&r, "GET", it_script_path(id, "/export-analysis?format=sarif"), owner_a.token, NULL), 0);
	if (r.status == 404) {	/* no stored analysis yet: analyse now */
		it_resp_free(&r);
		T_EQ(status_of("POST", it_script_path(id, "/analyze"), owner_a.token, NULL), 200);
		T_EQ(it_json(&r, "GET", it_script_path(id, "/export-analysis?format=sarif"), owner_a.token, NULL), 0);
	}
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "runs.0.results.0.ruleId"), "PSAvoidUsingCmdletAliases");
	T_STREQ(it_str(&r, "runs.0.results.0.fixes.0.artifactChanges.0.replacements.0.insertedContent.text"),
	    "Get-ChildItem");
	T_STREQ(it_str(&r, "runs.0.results.0.fixes.0.artifactChanges.0.replacements.0.deletedRegion.startColumn"),
	    "10");
	T_STREQ(it_str(&r, "runs.0.results.0.fixes.0.artifactChanges.0.replacements.0.deletedRegion.endColumn"),
	    "13");
	snprintf(file, sizeof(file), "/tmp/pss-fixes-%d.sarif", (int)getpid());
	if ((f = fopen(file, "w")) != NULL) {
		fputs(r.body, f);
		fclose(f);
	}
	it_resp_free(&r);
	snprintf(cmd, sizeof(cmd), "%s.ps1", file);
	if ((f = fopen(cmd, "w")) != NULL) {
		fputs(SCRIPT, f);
		fclose(f);
	}
	T_EQ(it_run("\"$PSS_BIN/psscript\" analyze --format sarif --fail-on none %s.ps1 > %s.cli && "
	    "tr -d ' \\n' < %s.cli | grep -q '\"insertedContent\":{\"text\":\"ForEach-Object\"}'", file, file,
	    file), 0);
	rc = it_run("node \"${PSS_HARNESS%%/harness.sh}/js/sarif-validate.mjs\" %s %s.cli", file, file);
	if (rc == 77 || rc == 127)
		printf("# skip: SARIF schema validation (no node, or tests/js/node_modules missing)\n");
	else
		T_ASSERTF(rc == 0, "a SARIF log with fixes does not validate against the 2.1.0 schema");
	(void)it_run("rm -f %s %s.ps1 %s.cli", file, file, file);
}

int
main(void)
{
	it_init();
	T_RUN(test_setup);
	T_RUN(test_list_names_each_exact_fix);
	T_RUN(test_dry_run_writes_nothing);
	T_RUN(test_chosen_fixes_make_a_new_version_listing_them);
	T_RUN(test_stale_choices_are_refused);
	T_RUN(test_bad_input_and_the_size_bound);
	T_RUN(test_page_flow_without_javascript);
	T_RUN(test_sarif_carries_the_fixes);
	html_check_done();
	return t_done();
}
