/* test-analyzer-settings.c: PSScriptAnalyzer settings files read as data, and the default
 * rule set (PSScriptAnalyzer's: its off-by-default rules are off) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analyzer/analyzer.h"
#include "core/core.h"
#include "t.h"

static struct buf err, warn;

static struct ps_settings *
settings(const char *psd1)
{
	struct ps_settings *s = NULL;

	buf_reset(&err);
	buf_reset(&warn);
	if (ps_settings_parse(psd1, strlen(psd1), &s, &err, &warn) != PSS_OK)
		return NULL;
	return s;
}

/* Findings of rule when src is analysed with settings s (NULL: defaults). */
static int
hits(const char *src, const struct ps_settings *s, const char *rule)
{
	struct ps_analyze_opts o;
	struct ps_analysis *a = NULL;
	int k = 0;

	memset(&o, 0, sizeof(o));
	o.settings = s;
	if (ps_analyze(src, strlen(src), &o, &a) != PSS_OK)
		return -1;
	for (size_t i = 0; i < a->nfindings; i++)
		if (strcmp(a->findings[i].rule->id, rule) == 0)
			k++;
	ps_analysis_free(a);
	return k;
}

#define LONG_LINE "Write-Output 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'\n"

/* Each rule PSScriptAnalyzer ships disabled, on a script that violates it: silent by
 * default, reported once settings enable it. */
static const struct { const char *rule, *src; } off_rules[] = {
	{ "PSAvoidLongLines", LONG_LINE },
	{ "PSAvoidSemicolonsAsLineTerminators", "Get-Date;\n" },
	{ "PSAvoidExclaimOperator", "if (!$a) { }\n" },
	{ "PSUseCorrectCasing", "get-childitem\n" },
	{ "PSUseCompatibleSyntax", "$a = $b ?? 1\n" },
	{ "PSUseCompatibleCmdlets", "Get-WmiObject Win32_OS\n" },
	{ "PSAvoidUsingDoubleQuotesForConstantString", "$a = \"I Love PowerShell\"\n" },
	{ "PSPlaceOpenBrace", "function foo ($param1)\n{\n\n}\n" },
	{ "PSPlaceCloseBrace", "if ($true) {\n    'example' }\n" },
	{ "PSUseConsistentIndentation", "if ($true) {\n  'example'\n}\n" },
	{ "PSUseConsistentWhitespace", "$a=1\n" },
	{ "PSAlignAssignmentStatement", "$h = @{\n    a = 1\n    bb = 2\n}\n" },
};

static void
test_default_set_is_pssa_default_set(void)
{
	size_t n, noff = 0;
	const struct ps_rule_info *r = ps_rules(&n);

	for (size_t i = 0; i < PSS_ARRAY_LEN(off_rules); i++) {
		char psd1[200];
		struct ps_settings *s;

		T_ASSERT(ps_rule_find(off_rules[i].rule)->off_by_default);
		T_ASSERTF(hits(off_rules[i].src, NULL, off_rules[i].rule) == 0, "%s on by default",
		    off_rules[i].rule);
		snprintf(psd1, sizeof(psd1), "@{ Rules = @{ %s = @{ Enable = $true } } }",
		    off_rules[i].rule);
		s = settings(psd1);
		T_ASSERT(s != NULL);
		T_ASSERTF(hits(off_rules[i].src, s, off_rules[i].rule) >= 1, "%s not enabled",
		    off_rules[i].rule);
		ps_settings_free(s);
	}
	/* exactly those; our own PSS rules are all on (the text patterns rely on it) */
	for (size_t i = 0; i < n; i++) {
		if (!r[i].off_by_default)
			continue;
		noff++;
		T_ASSERTF(strncmp(r[i].id, "PSS", 3) != 0 && r[i].category == PS_CAT_BEST_PRACTICE,
		    "%s is off by default", r[i].id);
	}
	T_EQ(noff, PSS_ARRAY_LEN(off_rules));
	T_ASSERT(hits("Write-Host 1\n", NULL, "PSAvoidUsingWriteHost") == 1);
}

/* --include-rule naming a rule exactly runs it even when it is off by default (a wildcard
 * does not); IncludeRules in settings follows PSScriptAnalyzer: Enable is needed. */
static void
test_include_lists_and_off_rules(void)
{
	struct ps_analyze_opts o;
	struct ps_analysis *a = NULL;
	const char *exact[1] = { "PSAvoidLongLines" }, *wild[1] = { "PSAvoidLong*" };
	struct ps_settings *s = settings("@{ IncludeRules = @('PSAvoidLongLines') }");

	memset(&o, 0, sizeof(o));
	o.include_rules = exact;
	o.ninclude = 1;
	T_EQ(ps_analyze(LONG_LINE, strlen(LONG_LINE), &o, &a), PSS_OK);
	T_EQ(a->nfindings, 1);
	ps_analysis_free(a);
	o.include_rules = wild;
	T_EQ(ps_analyze(LONG_LINE, strlen(LONG_LINE), &o, &a), PSS_OK);
	T_EQ(a->nfindings, 0);
	ps_analysis_free(a);
	T_ASSERT(s != NULL);
	T_EQ(hits(LONG_LINE, s, "PSAvoidLongLines"), 0);
	ps_settings_free(s);
}

static void
test_include_exclude_and_enable(void)
{
	const char *src = "gci\nWrite-Host 1\n$u = 1\n";
	struct ps_settings *inc = settings("@{ IncludeRules = 'PSAvoidUsing*' }"),
	    *exc = settings("@{ ExcludeRules = @('PSAvoidUsingCmdletAliases', 'PSUseDeclared*') }"),
	    *off = settings("@{ Rules = @{ PSAvoidUsingWriteHost = @{ Enable = $false } } }");

	T_ASSERT(inc != NULL && exc != NULL && off != NULL);
	T_EQ(hits(src, inc, "PSAvoidUsingCmdletAliases"), 1);
	T_EQ(hits(src, inc, "PSAvoidUsingWriteHost"), 1);
	T_EQ(hits(src, inc, "PSUseDeclaredVarsMoreThanAssignments"), 0);
	T_EQ(hits(src, exc, "PSAvoidUsingCmdletAliases"), 0);
	T_EQ(hits(src, exc, "PSUseDeclaredVarsMoreThanAssignments"), 0);
	T_EQ(hits(src, exc, "PSAvoidUsingWriteHost"), 1);
	T_EQ(hits(src, off, "PSAvoidUsingWriteHost"), 0);
	T_EQ(hits(src, off, "PSAvoidUsingCmdletAliases"), 1);
	ps_settings_free(inc);
	ps_settings_free(exc);
	ps_settings_free(off);
}

/* Severity keeps the listed severities (after scoring, like --severity). */
static void
test_severity_list(void)
{
	const char *src = "Invoke-Expression $x\nConvertTo-SecureString 'p' -AsPlainText -Force\n"
	    "Get-Date  \n";
	struct ps_settings *s = settings("@{ Severity = @('Error') }");
	struct ps_analyze_opts o;
	struct ps_analysis *a = NULL, *all = NULL;

	T_ASSERT(s != NULL);
	memset(&o, 0, sizeof(o));
	o.settings = s;
	T_EQ(ps_analyze(src, strlen(src), &o, &a), PSS_OK);
	T_EQ(ps_analyze(src, strlen(src), NULL, &all), PSS_OK);
	T_ASSERT(a->nfindings >= 1 && all->nfindings > a->nfindings);
	for (size_t i = 0; i < a->nfindings; i++)
		T_EQ(a->findings[i].severity, PS_SEV_ERROR);
	T_ASSERT(a->security_score == all->security_score);
	ps_analysis_free(a);
	ps_analysis_free(all);
	/* the suppressed list is filtered alike */
	src = "[Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSAvoidUsingWriteHost', '')]\n"
	    "param()\nWrite-Host 1\n";
	T_EQ(ps_analyze(src, strlen(src), NULL, &all), PSS_OK);
	T_EQ(ps_analyze(src, strlen(src), &o, &a), PSS_OK);
	T_EQ(all->nsuppressed, 1);
	T_EQ(a->nsuppressed, 0);
	ps_analysis_free(a);
	ps_analysis_free(all);
	ps_settings_free(s);
}

static void
test_rule_options(void)
{
	struct ps_settings *aliases = settings(
	    "@{ Rules = @{ PSAvoidUsingCmdletAliases = @{ allowlist = @('cd', 'GCI') } } }"),
	    *old = settings("@{ Rules = @{ PSAvoidUsingCmdletAliases = @{ Whitelist = 'gci' } } }"),
	    *len = settings("@{ Rules = @{ PSAvoidLongLines = @{ Enable = $true\n"
	    "MaximumLineLength = 20 } } }"),
	    *nouns = settings("@{ Rules = @{ PSUseSingularNouns = @{ NounAllowList = 'Files' } } }");

	T_ASSERT(aliases != NULL && old != NULL && len != NULL && nouns != NULL);
	T_EQ(hits("gci\ncd x\ngps\n", aliases, "PSAvoidUsingCmdletAliases"), 1);
	T_EQ(hits("gci\ngps\n", old, "PSAvoidUsingCmdletAliases"), 1);
	T_EQ(hits("Write-Output 'twenty-one chars'\nWrite-Output 1\n", len, "PSAvoidLongLines"), 1);
	T_EQ(hits("Write-Output 'ok'\n", len, "PSAvoidLongLines"), 0);
	/* default NounAllowList: Data and Windows */
	T_EQ(hits("function Get-Files { }\nfunction Get-ProductData { }\n", NULL,
	    "PSUseSingularNouns"), 1);
	T_EQ(hits("function Get-Files { }\nfunction Get-Items { }\n", nouns, "PSUseSingularNouns"),
	    1);
	ps_settings_free(aliases);
	ps_settings_free(old);
	ps_settings_free(len);
	ps_settings_free(nouns);
	/* ExportedOnly (default $true): with $false every function needs help */
	{
		static const char mod[] = "function Get-A { 1 }\nfunction Get-B { 2 }\n"
		    "Export-ModuleMember -Function Get-A\n";
		struct ps_settings *all = settings("@{ Rules = @{ PSProvideCommentHelp = @{ "
		    "ExportedOnly = $false } } }");

		T_ASSERT(all != NULL);
		T_EQ(hits(mod, NULL, "PSProvideCommentHelp"), 1);
		T_EQ(hits(mod, all, "PSProvideCommentHelp"), 2);
		ps_settings_free(all);
	}
}

/* Anything but data is an error naming the key; nothing is evaluated. */
static void
test_errors_name_the_key(void)
{
	static const struct { const char *psd1, *want; } bad[] = {
		{ "@{ Rules = @{ PSAvoidLongLines = @{ MaximumLineLength = $max } } }",
		    "Rules.PSAvoidLongLines.MaximumLineLength (line 1): only literals" },
		{ "@{ IncludeRules = @(Get-Content rules.txt) }", "IncludeRules (line 1): "
		    "only literals, @(...) arrays, @{...} hashtables, $true, $false and $null are "
		    "allowed, not a command" },
		{ "@{ ExcludeRules = \"PS$(Remove-Item x)\" }", "ExcludeRules (line 1): only literals" },
		{ "@{ Rules = @{ PSAvoidLongLines = @{ Enable = 'yes' } } }",
		    "Rules.PSAvoidLongLines.Enable (line 1): expected $true or $false" },
		{ "@{ Rules = @{ PSAvoidLongLines = @{ MaximumLineLength = 0 } } }",
		    "Rules.PSAvoidLongLines.MaximumLineLength (line 1): expected a whole number" },
		{ "@{ Rules = @{ PSAvoidLongLines = $true } }", "Rules.PSAvoidLongLines (line 1): "
		    "expected a hashtable of options" },
		{ "@{ Rules = 'PSAvoidLongLines' }", "Rules (line 1): expected a hashtable" },
		{ "@{ Severity = 'Fatal' }", "Severity (line 1): unknown severity 'Fatal'" },
		{ "@{\n  Foo = 1\n}", "Foo (line 2): unknown setting" },
		{ "@{ IncludeRules = @('a'\n", "line " },
		{ "Remove-Item C:\\x\n@{ }", "a settings file is one hashtable" },
		{ "", "a settings file is one hashtable" },
		{ "@{ Rules = @{ PSNoSuchRule = @{ Enable = { Remove-Item x } } } }",
		    "Rules.PSNoSuchRule.Enable (line 1): only literals" },
		{ "@{ Rules = @{ PSAvoidUsingCmdletAliases = @{ allowlist = @(1, 2) } } }",
		    "Rules.PSAvoidUsingCmdletAliases.allowlist (line 1): expected a string" },
	};

	for (size_t i = 0; i < PSS_ARRAY_LEN(bad); i++) {
		struct ps_settings *s = settings(bad[i].psd1);

		T_ASSERTF(s == NULL, "accepted: %s", bad[i].psd1);
		ps_settings_free(s);
		T_ASSERTF(strstr(buf_cstr(&err), bad[i].want) != NULL, "%s: got \"%s\"",
		    bad[i].psd1, buf_cstr(&err));
	}
}

/* PSScriptAnalyzer ignores what it does not know; PSScript accepts it too, with a warning. */
static void
test_warnings_for_what_is_ignored(void)
{
	struct ps_settings *s = settings(
	    "@{\n"
	    "  IncludeRules = @('PSAvoid*', 'PSUseCompatibleCommands', 'NoSuch*')\n"
	    "  'Rules' = @{\n"
	    "    PSUseCompatibleCommands = @{ Enable = $true; TargetProfiles = @('x') }\n"
	    "    PSNoSuchRule = @{ Enable = $true }\n"
	    "    PSProvideCommentHelp = @{ Enable = $true; Placement = 'before'; Bogus = 1 }\n"
	    "  }\n"
	    "}\n");

	T_ASSERTF(s != NULL, "%s", buf_cstr(&err));
	T_CONTAINS(buf_cstr(&warn), "IncludeRules: 'PSUseCompatibleCommands' is a PSScriptAnalyzer "
	    "rule PSScript does not implement");
	T_CONTAINS(buf_cstr(&warn), "IncludeRules: 'NoSuch*' matches no rule");
	T_CONTAINS(buf_cstr(&warn), "Rules.PSUseCompatibleCommands: a PSScriptAnalyzer rule "
	    "PSScript does not implement; ignored");
	T_CONTAINS(buf_cstr(&warn), "Rules.PSNoSuchRule: no such rule");
	T_CONTAINS(buf_cstr(&warn), "Rules.PSProvideCommentHelp.Placement: accepted, but");
	T_CONTAINS(buf_cstr(&warn), "Rules.PSProvideCommentHelp.Bogus: not an option");
	T_ASSERT(strstr(buf_cstr(&warn), "Enable") == NULL);
	ps_settings_free(s);
}

/* PSScriptAnalyzer's own sample settings files parse (CmdletDesign.psd1 and
 * CodeFormatting.psd1 shapes: comments, quoted keys, nested hashtables, numbers). */
static void
test_pssa_sample_settings_parse(void)
{
	struct ps_settings *s = settings(
	    "# CmdletDesign\n"
	    "@{\n"
	    "    IncludeRules = @('PSUseApprovedVerbs',\n"
	    "        'PSReservedCmdletChar',\n"
	    "        'PSReservedParams',\n"
	    "        'PSShouldProcess',\n"
	    "        'PSUseShouldProcessForStateChangingFunctions',\n"
	    "        'PSUseSingularNouns',\n"
	    "        'PSMissingModuleManifestField',\n"
	    "        'PSAvoidDefaultValueSwitchParameter')\n"
	    "    Severity = 'Error', 'Warning'\n"
	    "    Rules = @{\n"
	    "        PSUseCompatibleSyntax = @{ Enable = $true; TargetVersions = @('5.1', '7.0') }\n"
	    "        PSUseCorrectCasing = @{ Enable = $true }\n"
	    "        PSAvoidLongLines = @{ Enable = $false; MaximumLineLength = 115 }\n"
	    "    }\n"
	    "}\n");

	T_ASSERTF(s != NULL, "%s", buf_cstr(&err));
	T_EQ(hits("function Get-Files { }\ngci\n", s, "PSUseSingularNouns"), 1);
	T_EQ(hits("function Get-Files { }\ngci\n", s, "PSAvoidUsingCmdletAliases"), 0);
	ps_settings_free(s);
}

/* PSPlaceOpenBrace's three options, as its documentation describes them. */
static void
test_open_brace_options(void)
{
	static const char *const allman = "function foo ($param1)\n{\n\n}\n",
	    *otbs = "function foo ($param1) {\n\n}\n", *oneline = "$x = if ($true) { 'a' } else { 'b' }\n";
	struct ps_settings *on = settings("@{ Rules = @{ PSPlaceOpenBrace = @{ Enable = $true } } }"),
	    *other = settings("@{ Rules = @{ PSPlaceOpenBrace = @{ Enable = $true; OnSameLine = $false } } }"),
	    *strict = settings("@{ Rules = @{ PSPlaceOpenBrace = @{ Enable = $true; IgnoreOneLineBlock = $false;"
		" NewLineAfter = $true } } }"),
	    *nonl = settings("@{ Rules = @{ PSPlaceOpenBrace = @{ Enable = $true; NewLineAfter = $false;"
		" IgnoreOneLineBlock = $false } } }");

	T_ASSERT(on != NULL && other != NULL && strict != NULL && nonl != NULL);
	T_EQ(hits(allman, on, "PSPlaceOpenBrace"), 1);
	T_EQ(hits(otbs, on, "PSPlaceOpenBrace"), 0);
	T_EQ(hits(otbs, other, "PSPlaceOpenBrace"), 1);
	T_EQ(hits(allman, other, "PSPlaceOpenBrace"), 0);
	T_EQ(hits(oneline, on, "PSPlaceOpenBrace"), 0);
	T_EQ(hits(oneline, strict, "PSPlaceOpenBrace"), 2);	/* no new line after either */
	T_EQ(hits(oneline, nonl, "PSPlaceOpenBrace"), 0);
	/* a script block argument is part of the command: never reported */
	T_EQ(hits("Get-Process | ForEach-Object { $_ }\n", strict, "PSPlaceOpenBrace"), 0);
	T_EQ(hits("Get-Process |\n  ForEach-Object\n{ $_ }\n", on, "PSPlaceOpenBrace"), 0);
	ps_settings_free(on);
	ps_settings_free(other);
	ps_settings_free(strict);
	ps_settings_free(nonl);
}

static char *fixed_rounds(const char *, const struct ps_settings *, const char *, int);

/* Apply the fixes of rule under settings s until none is left (at most 4 rounds). */
static char *
fixed(const char *src, const struct ps_settings *s, const char *rule)
{
	return fixed_rounds(src, s, rule, 4);
}

/* One round of fixes (a static buffer, for comparing). */
static const char *
fixed_once(const char *src, const struct ps_settings *s, const char *rule)
{
	static char out[1024];
	char *t = fixed_rounds(src, s, rule, 1);

	snprintf(out, sizeof(out), "%s", t);
	free(t);
	return out;
}

static char *
fixed_rounds(const char *src, const struct ps_settings *s, const char *rule, int rounds)
{
	char *text = xstrdup(src);

	for (int round = 0; round < rounds; round++) {
		struct ps_analyze_opts o;
		struct ps_analysis *a = NULL;
		struct buf out = BUF_INIT;
		size_t n;

		memset(&o, 0, sizeof(o));
		o.settings = s;
		if (ps_analyze(text, strlen(text), &o, &a) != PSS_OK)
			break;
		for (size_t i = 0; i < a->nfindings; i++)
			if (strcmp(a->findings[i].rule->id, rule) != 0)
				a->findings[i].fix = NULL;	/* only this rule's */
		n = ps_fixes_apply(text, strlen(text), a, &out);
		ps_analysis_free(a);
		free(text);
		text = xstrdup(buf_cstr(&out));
		buf_free(&out);
		if (n == 0)
			break;
	}
	return text;
}

/* What a text runs (commandDetails without the lines, which a moved brace may change) and
 * its parse errors. */
static void
shape(const char *src, struct buf *out)
{
	struct ps_analysis *a = NULL;
	struct json_object *j, *v;

	buf_reset(out);
	if (ps_analyze(src, strlen(src), NULL, &a) != PSS_OK)
		return;
	j = ps_analysis_to_json(a);
	if (json_object_object_get_ex(j, "commandDetails", &v)) {
		for (size_t i = 0; i < json_object_array_length(v); i++)
			json_object_object_del(json_object_array_get_idx(v, i), "lines");
		buf_puts(out, json_object_to_json_string(v));
	}
	if (json_object_object_get_ex(j, "codeComplexityMetrics", &v) &&
	    json_object_object_get_ex(v, "parseErrors", &v))
		buf_printf(out, "\nparse errors %d\n", json_object_get_int(v));
	json_object_put(j);
	ps_analysis_free(a);
}

/* The fixed text has no finding of the rule, no parse error and runs the same commands
 * with the same parameters (lines may move). */
static void
check_fixed(const char *src, const struct ps_settings *s, const char *rule, const char *want)
{
	char *got = fixed(src, s, rule);
	struct buf sa = BUF_INIT, sb = BUF_INIT;

	T_STREQ(got, want);
	T_EQ(hits(got, s, rule), 0);
	shape(src, &sa);
	shape(got, &sb);
	T_STREQ(buf_cstr(&sb), buf_cstr(&sa));
	T_CONTAINS(buf_cstr(&sb), "parse errors 0");
	buf_free(&sa);
	buf_free(&sb);
	free(got);
}

static struct ps_settings *
enable(const char *rule, const char *opts)
{
	char psd1[1024];

	snprintf(psd1, sizeof(psd1), "@{ Rules = @{ %s = @{ Enable = $true%s%s } } }", rule,
	    opts[0] != '\0' ? "; " : "", opts);
	return settings(psd1);
}

/* PSPlaceCloseBrace's options, as its documentation describes them. */
static void
test_close_brace_options(void)
{
	static const char *const cuddled = "if ($a) {\n    1\n} else {\n    2\n}\n",
	    *uncuddled = "if ($a) {\n    1\n}\nelse {\n    2\n}\n",
	    *empty = "if ($a) {\n    1\n\n}\n", *oneline = "$x = if ($a) { 1 } else { 2 }\n";
	struct ps_settings *on = enable("PSPlaceCloseBrace", ""),
	    *noempty = enable("PSPlaceCloseBrace", "NoEmptyLineBefore = $true"),
	    *otbs = enable("PSPlaceCloseBrace", "NewLineAfter = $false"),
	    *strict = enable("PSPlaceCloseBrace", "IgnoreOneLineBlock = $false");

	T_ASSERT(on != NULL && noempty != NULL && otbs != NULL && strict != NULL);
	T_EQ(hits(cuddled, on, "PSPlaceCloseBrace"), 1);	/* NewLineAfter: else goes down */
	T_EQ(hits(uncuddled, on, "PSPlaceCloseBrace"), 0);
	T_EQ(hits(cuddled, otbs, "PSPlaceCloseBrace"), 0);
	T_EQ(hits(uncuddled, otbs, "PSPlaceCloseBrace"), 1);
	T_EQ(hits("try {\n    1\n}catch {\n    2\n}\n", otbs, "PSPlaceCloseBrace"), 1);
	T_EQ(hits(empty, on, "PSPlaceCloseBrace"), 0);
	T_EQ(hits(empty, noempty, "PSPlaceCloseBrace"), 1);
	T_EQ(hits(oneline, on, "PSPlaceCloseBrace"), 0);
	T_EQ(hits(oneline, strict, "PSPlaceCloseBrace"), 3);	/* two braces, one else */
	/* a one-line hashtable and a command's script block argument are never reported */
	T_EQ(hits("$h = @{ a = 1 }\n", strict, "PSPlaceCloseBrace"), 0);
	T_EQ(hits("Get-Process | ForEach-Object {\n    $_ }\n", on, "PSPlaceCloseBrace"), 0);
	check_fixed(cuddled, on, "PSPlaceCloseBrace", uncuddled);
	/* a script that does not parse gets the findings, not the fixes */
	T_STREQ(fixed_once("function f}else { 1 }\n", strict, "PSPlaceCloseBrace"),
	    "function f}else { 1 }\n");
	check_fixed(uncuddled, otbs, "PSPlaceCloseBrace", cuddled);
	check_fixed("function f {\n\tif ($a) {\n\t\tGet-Date }\n\n\n}\r\n", noempty,
	    "PSPlaceCloseBrace", "function f {\n\tif ($a) {\n\t\tGet-Date\n\t}\n}\r\n");
	check_fixed("try { Get-Date }   finally { Get-Item x }\n", strict, "PSPlaceCloseBrace",
	    "try { Get-Date\n}\nfinally { Get-Item x\n}\n");
	ps_settings_free(on);
	ps_settings_free(noempty);
	ps_settings_free(otbs);
	ps_settings_free(strict);
}

/* PSUseConsistentIndentation's options: IndentationSize, Kind and PipelineIndentation. */
static void
test_indentation_options(void)
{
	static const char *const pipe = "Get-Process |\n    Where-Object { $_ } |\n    Sort-Object\n",
	    *every = "Get-Process |\n    Where-Object { $_ } |\n        Sort-Object\n",
	    *flat = "Get-Process |\nWhere-Object { $_ } |\nSort-Object\n";
	struct ps_settings *on = enable("PSUseConsistentIndentation", ""),
	    *two = enable("PSUseConsistentIndentation", "IndentationSize = 2"),
	    *tab = enable("PSUseConsistentIndentation", "Kind = 'tab'"),
	    *ev = enable("PSUseConsistentIndentation",
		"PipelineIndentation = 'IncreaseIndentationAfterEveryPipeline'"),
	    *no = enable("PSUseConsistentIndentation", "PipelineIndentation = 'NoIndentation'"),
	    *none = enable("PSUseConsistentIndentation", "PipelineIndentation = 'None'");

	T_ASSERT(on != NULL && two != NULL && tab != NULL && ev != NULL && no != NULL &&
	    none != NULL);
	T_EQ(hits(pipe, on, "PSUseConsistentIndentation"), 0);
	T_EQ(hits(every, on, "PSUseConsistentIndentation"), 1);
	T_EQ(hits(every, ev, "PSUseConsistentIndentation"), 0);
	T_EQ(hits(pipe, ev, "PSUseConsistentIndentation"), 1);
	T_EQ(hits(flat, no, "PSUseConsistentIndentation"), 0);
	T_EQ(hits(pipe, no, "PSUseConsistentIndentation"), 2);
	T_EQ(hits(flat, none, "PSUseConsistentIndentation"), 0);	/* pipelines add nothing */
	T_EQ(hits("if ($a) {\n  1\n}\n", two, "PSUseConsistentIndentation"), 0);
	T_EQ(hits("if ($a) {\n    1\n}\n", two, "PSUseConsistentIndentation"), 1);
	T_EQ(hits("if ($a) {\n\t1\n}\n", tab, "PSUseConsistentIndentation"), 0);
	T_EQ(hits("if ($a) {\n    1\n}\n", tab, "PSUseConsistentIndentation"), 1);
	/* a line continuation adds a level; here-string and block comment lines are data */
	T_EQ(hits("Get-Item `\n    -Path x\n$s = @\"\n  x\n\"@\n<#\n  c\n#>\n", on,
	    "PSUseConsistentIndentation"), 0);
	/* a leading pipe is the first token of its line */
	T_EQ(hits("Get-Process\n    | Sort-Object\n", on, "PSUseConsistentIndentation"), 1);
	check_fixed(pipe, ev, "PSUseConsistentIndentation", every);
	check_fixed(every, no, "PSUseConsistentIndentation", flat);
	check_fixed("function f {\n  if ($a) {\n      Get-Date\n  }\n}\n", tab,
	    "PSUseConsistentIndentation", "function f {\n\tif ($a) {\n\t\tGet-Date\n\t}\n}\n");
	ps_settings_free(on);
	ps_settings_free(two);
	ps_settings_free(tab);
	ps_settings_free(ev);
	ps_settings_free(no);
	ps_settings_free(none);
}

/* PSUseConsistentWhitespace's nine options, each alone. */
static void
test_whitespace_options(void)
{
	static const struct { const char *opt, *src; int on, off; } c[] = {
		{ "CheckInnerBrace", "if ($a) {Get-Date}\n", 2, 0 },
		{ "CheckOpenBrace", "if ($a){ Get-Date }\n", 1, 0 },
		{ "CheckOpenParen", "if($a) { Get-Date }\nwhile  ($a) { }\n", 2, 0 },
		{ "CheckOperator", "$a=1\n$b = $a+  1\n$c = -$a\n$d = [int]-1\n", 2, 0 },
		{ "CheckPipe", "Get-Process|Sort-Object\nGet-Process  |  Sort-Object\n", 1, 0 },
		{ "CheckSeparator", "$a = @(1,2,  3)\n@{a = 1;b = 2}\n", 3, 0 },
	};
	static const char *const quiet = "CheckInnerBrace = $false; CheckOpenBrace = $false; "
	    "CheckOpenParen = $false; CheckOperator = $false; CheckPipe = $false; "
	    "CheckSeparator = $false";
	struct ps_settings *on = enable("PSUseConsistentWhitespace", ""),
	    *off = enable("PSUseConsistentWhitespace", quiet), *more, *hash;
	char opts[512];

	T_ASSERT(on != NULL && off != NULL);
	for (size_t i = 0; i < PSS_ARRAY_LEN(c); i++) {
		struct ps_settings *only;

		T_ASSERTF(hits(c[i].src, on, "PSUseConsistentWhitespace") == c[i].on, "%s: %d",
		    c[i].opt, hits(c[i].src, on, "PSUseConsistentWhitespace"));
		T_EQ(hits(c[i].src, off, "PSUseConsistentWhitespace"), c[i].off);
		snprintf(opts, sizeof(opts), "%s; %s = $true", quiet, c[i].opt);
		only = enable("PSUseConsistentWhitespace", opts);
		T_ASSERT(only != NULL);
		T_EQ(hits(c[i].src, only, "PSUseConsistentWhitespace"), c[i].on);
		ps_settings_free(only);
	}
	/* the options off by default */
	snprintf(opts, sizeof(opts), "%s; CheckPipeForRedundantWhitespace = $true; "
	    "CheckParameter = $true", quiet);
	more = enable("PSUseConsistentWhitespace", opts);
	T_ASSERT(more != NULL);
	T_EQ(hits("Get-Process  |  Sort-Object\n", more, "PSUseConsistentWhitespace"), 1);
	T_EQ(hits("foo   -bar   $baz   -bat\nfoo -bar:$baz  -bat\n", more,
	    "PSUseConsistentWhitespace"), 4);
	T_EQ(hits("foo   -bar   $baz\n", on, "PSUseConsistentWhitespace"), 0);
	hash = enable("PSUseConsistentWhitespace", "IgnoreAssignmentOperatorInsideHashTable = $true");
	T_ASSERT(hash != NULL);
	T_EQ(hits("$h = @{\n    a   = 1\n    bb  = 2\n}\n", on, "PSUseConsistentWhitespace"), 2);
	T_EQ(hits("$h = @{\n    a   = 1\n    bb  = 2\n}\n", hash, "PSUseConsistentWhitespace"), 0);
	T_EQ(hits("$h = @{ a  = 1 }\n", hash, "PSUseConsistentWhitespace"), 1);
	check_fixed("Get-Process|Sort-Object\n$a=@(1,2)\nforeach($i in $a){$i*2}\n", on,
	    "PSUseConsistentWhitespace", "Get-Process | Sort-Object\n$a = @(1, 2)\n"
	    "foreach ($i in $a) { $i * 2 }\n");
	/* a gap both neighbours want fixed gets one space in one round */
	T_STREQ(fixed_once("$a = 1,{ 2 }\n$b ={ 3 }\nfoo|{ 4 }\n", on, "PSUseConsistentWhitespace"),
	    "$a = 1, { 2 }\n$b = { 3 }\nfoo | { 4 }\n");
	T_EQ(hits("$a = 1,{ 2 }\n", on, "PSUseConsistentWhitespace"), 2);
	check_fixed("foo   -bar   $baz  |  bar\n", more, "PSUseConsistentWhitespace",
	    "foo -bar $baz | bar\n");
	ps_settings_free(on);
	ps_settings_free(off);
	ps_settings_free(more);
	ps_settings_free(hash);
}

/* PSAlignAssignmentStatement's options: hashtables, enums, comments, valueless members. */
static void
test_align_options(void)
{
	static const char *const ht = "$h = @{\n    a = 1\n    bb = 2\n}\n",
	    *en = "enum E {\n    a = 1\n    bb = 2\n}\n",
	    *cm = "$h = @{\n    a = 1\n    bb <# why #> = 2\n}\n",
	    *vl = "enum E {\n    a = 1\n    bbbb\n    cc = 2\n}\n";
	struct ps_settings *on = enable("PSAlignAssignmentStatement", ""),
	    *noht = enable("PSAlignAssignmentStatement", "CheckHashtable = $false"),
	    *noen = enable("PSAlignAssignmentStatement", "CheckEnum = $false"),
	    *nocm = enable("PSAlignAssignmentStatement", "AlignHashtableKvpWithInterveningComment = $false"),
	    *novl = enable("PSAlignAssignmentStatement", "IncludeValuelessEnumMembers = $false");

	T_ASSERT(on != NULL && noht != NULL && noen != NULL && nocm != NULL && novl != NULL);
	T_EQ(hits(ht, on, "PSAlignAssignmentStatement"), 1);
	T_EQ(hits(ht, noht, "PSAlignAssignmentStatement"), 0);
	T_EQ(hits(en, on, "PSAlignAssignmentStatement"), 1);
	T_EQ(hits(en, noen, "PSAlignAssignmentStatement"), 0);
	T_EQ(hits(cm, on, "PSAlignAssignmentStatement"), 1);
	T_EQ(hits(cm, nocm, "PSAlignAssignmentStatement"), 0);	/* one line left: nothing to align */
	T_EQ(hits(vl, on, "PSAlignAssignmentStatement"), 2);
	T_EQ(hits(vl, novl, "PSAlignAssignmentStatement"), 1);
	T_EQ(hits("$h = @{ a = 1; bb = 2 }\n", on, "PSAlignAssignmentStatement"), 0);
	check_fixed(cm, on, "PSAlignAssignmentStatement",
	    "$h = @{\n    a            = 1\n    bb <# why #> = 2\n}\n");
	check_fixed(vl, on, "PSAlignAssignmentStatement", "enum E {\n    a    = 1\n    bbbb\n"
	    "    cc   = 2\n}\n");
	ps_settings_free(on);
	ps_settings_free(noht);
	ps_settings_free(noen);
	ps_settings_free(nocm);
	ps_settings_free(novl);
}

/* Bad values of the formatting options are errors naming the key; an unknown Kind is
 * space, as documented, with a warning. */
static void
test_format_option_errors(void)
{
	struct ps_settings *s;

	T_ASSERT(enable("PSUseConsistentIndentation", "PipelineIndentation = 'Sideways'") == NULL);
	T_CONTAINS(buf_cstr(&err), "Rules.PSUseConsistentIndentation.PipelineIndentation (line 1):");
	T_ASSERT(enable("PSUseConsistentIndentation", "IndentationSize = 0") == NULL);
	T_ASSERT(enable("PSUseConsistentIndentation", "IndentationSize = 65") == NULL);
	T_ASSERT(enable("PSPlaceCloseBrace", "NewLineAfter = 'yes'") == NULL);
	T_CONTAINS(buf_cstr(&err), "Rules.PSPlaceCloseBrace.NewLineAfter");
	s = enable("PSUseConsistentIndentation", "Kind = 'spaces'");
	T_ASSERT(s != NULL);
	T_CONTAINS(buf_cstr(&warn), "neither 'space' nor 'tab'");
	T_EQ(hits("if ($a) {\n    1\n}\n", s, "PSUseConsistentIndentation"), 0);
	ps_settings_free(s);
}

int
main(void)
{
	T_RUN(test_close_brace_options);
	T_RUN(test_indentation_options);
	T_RUN(test_whitespace_options);
	T_RUN(test_align_options);
	T_RUN(test_format_option_errors);
	T_RUN(test_default_set_is_pssa_default_set);
	T_RUN(test_open_brace_options);
	T_RUN(test_include_lists_and_off_rules);
	T_RUN(test_include_exclude_and_enable);
	T_RUN(test_severity_list);
	T_RUN(test_rule_options);
	T_RUN(test_errors_name_the_key);
	T_RUN(test_warnings_for_what_is_ignored);
	T_RUN(test_pssa_sample_settings_parse);
	buf_free(&err);
	buf_free(&warn);
	return t_done();
}
