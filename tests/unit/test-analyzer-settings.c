/* test-analyzer-settings.c: PSScriptAnalyzer settings files read as data, and the default
 * rule set (PSScriptAnalyzer's: its off-by-default rules are off) */
#include "config.h"

#include <stdio.h>
#include <string.h>

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
	    "  IncludeRules = @('PSAvoid*', 'PSPlaceCloseBrace', 'NoSuch*')\n"
	    "  'Rules' = @{\n"
	    "    PSPlaceCloseBrace = @{ Enable = $true; NewLineAfter = $true }\n"
	    "    PSNoSuchRule = @{ Enable = $true }\n"
	    "    PSProvideCommentHelp = @{ Enable = $true; Placement = 'before'; Bogus = 1 }\n"
	    "  }\n"
	    "}\n");

	T_ASSERTF(s != NULL, "%s", buf_cstr(&err));
	T_CONTAINS(buf_cstr(&warn), "IncludeRules: 'PSPlaceCloseBrace' is a PSScriptAnalyzer rule "
	    "PSScript does not implement");
	T_CONTAINS(buf_cstr(&warn), "IncludeRules: 'NoSuch*' matches no rule");
	T_CONTAINS(buf_cstr(&warn), "Rules.PSPlaceCloseBrace: a PSScriptAnalyzer rule PSScript "
	    "does not implement; ignored");
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

int
main(void)
{
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
