/* test-analyzer-suppress.c: SuppressMessageAttribute on a script, function, parameter, class
 * and method, with rule name, suppression id, Scope, Target and Justification */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "analyzer/analyzer.h"
#include "core/core.h"
#include "t.h"

#define SM "[Diagnostics.CodeAnalysis.SuppressMessageAttribute("

static struct ps_analysis *
analyze(const char *src)
{
	struct ps_analysis *a = NULL;

	if (ps_analyze(src, strlen(src), NULL, &a) != PSS_OK)
		return NULL;
	return a;
}

/* How many findings of rule (in findings, or in suppressed) are on line. */
static int
count(const struct ps_finding *v, size_t n, const char *rule, unsigned line)
{
	int k = 0;

	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].rule->id, rule) == 0 && (line == 0 || v[i].line == line))
			k++;
	return k;
}
#define KEPT(a, r, l) count((a)->findings, (a)->nfindings, r, l)
#define SUPP(a, r, l) count((a)->suppressed, (a)->nsuppressed, r, l)

static void
test_script_level_suppression_with_justification(void)
{
	const char *src = SM "'PSAvoidUsingWriteHost', '', Justification = 'an interactive menu')]\n"
	    "param()\nWrite-Host 'a'\nfunction f { Write-Host 'b' }\n";
	struct ps_analysis *a = analyze(src);

	T_ASSERT(a != NULL);
	T_EQ(KEPT(a, "PSAvoidUsingWriteHost", 0), 0);
	T_EQ(SUPP(a, "PSAvoidUsingWriteHost", 0), 2);
	T_EQ(a->nsuppressed, 2);
	T_STREQ(a->suppressed[0].justification, "an interactive menu");
	T_ASSERT(a->suppressed[0].line < a->suppressed[1].line);	/* sorted */
	for (size_t i = 0; i < a->nfindings; i++)
		T_ASSERT(a->findings[i].justification == NULL);
	ps_analysis_free(a);
}

/* Suppressed findings weigh nothing: the score is that of the script without them. */
static void
test_suppressed_findings_leave_the_scores(void)
{
	const char *sup = SM "'PSAvoidUsingInvokeExpression', '')]\nparam()\n"
	    "Invoke-Expression $cmd\n";
	const char *plain = "param()\nInvoke-Expression $cmd\n";
	const char *none = SM "'PSAvoidUsingInvokeExpression', '')]\nparam()\n"
	    "Write-Output $cmd\n";
	struct ps_analysis *a = analyze(sup), *b = analyze(plain), *c = analyze(none);

	T_ASSERT(a != NULL && b != NULL && c != NULL);
	T_EQ(SUPP(a, "PSAvoidUsingInvokeExpression", 3), 1);
	T_EQ(KEPT(b, "PSAvoidUsingInvokeExpression", 2), 1);
	T_ASSERT(b->security_score < 10.0);
	T_ASSERT(a->security_score == c->security_score);
	T_ASSERT(a->security_score == 10.0);
	ps_analysis_free(a);
	ps_analysis_free(b);
	ps_analysis_free(c);
}

static void
test_function_suppression_covers_that_function_only(void)
{
	const char *src = "function Get-Items {\n    " SM "'PSUseSingularNouns', '')]\n"
	    "    param()\n    'x'\n}\nfunction Get-Files { param() 'y' }\n";
	struct ps_analysis *a = analyze(src);

	T_ASSERT(a != NULL);
	T_EQ(SUPP(a, "PSUseSingularNouns", 1), 1);
	T_EQ(KEPT(a, "PSUseSingularNouns", 6), 1);
	ps_analysis_free(a);
}

static void
test_parameter_suppression_covers_that_parameter_only(void)
{
	const char *src = "function f {\n    param(\n        " SM
	    "'PSReviewUnusedParameter', '')]\n        $Unused,\n        $Other\n    )\n    1\n}\n";
	struct ps_analysis *a = analyze(src);

	T_ASSERT(a != NULL);
	T_EQ(SUPP(a, "PSReviewUnusedParameter", 0), 1);
	T_EQ(KEPT(a, "PSReviewUnusedParameter", 5), 1);
	T_CONTAINS(a->suppressed[0].extent, "Unused");
	ps_analysis_free(a);
}

/* The second positional argument (RuleSuppressionId) must name the finding's subject:
 * the variable (without $, with or without scope), the parameter or the function. */
static void
test_suppression_id_names_the_subject(void)
{
	const char *src = SM "'PSUseDeclaredVarsMoreThanAssignments', 'b')]\n"
	    SM "'PSAvoidGlobalVars', 'counter')]\n"
	    "param()\n$a = 1\n$b = 2\n$global:counter = 1\n$global:other = 1\n";
	struct ps_analysis *a = analyze(src);

	T_ASSERT(a != NULL);
	T_EQ(KEPT(a, "PSUseDeclaredVarsMoreThanAssignments", 4), 1);
	T_EQ(SUPP(a, "PSUseDeclaredVarsMoreThanAssignments", 5), 1);
	T_EQ(SUPP(a, "PSAvoidGlobalVars", 6), 1);
	T_EQ(KEPT(a, "PSAvoidGlobalVars", 7), 1);
	ps_analysis_free(a);
}

static void
test_scope_function_with_target_wildcard(void)
{
	const char *src = SM "'PSUseDeclaredVarsMoreThanAssignments', '', Scope = 'Function', "
	    "Target = 'Test-*')]\nparam()\n"
	    "function Test-One { $x = 1 }\nfunction Get-Two { $y = 1 }\n$z = 1\n";
	const char *all = SM "'PSUseDeclaredVarsMoreThanAssignments', '', Scope = 'function')]\n"
	    "param()\nfunction Test-One { $x = 1 }\nfunction Get-Two { $y = 1 }\n$z = 1\n";
	struct ps_analysis *a = analyze(src), *b = analyze(all);

	T_ASSERT(a != NULL && b != NULL);
	T_EQ(SUPP(a, "PSUseDeclaredVarsMoreThanAssignments", 3), 1);
	T_EQ(KEPT(a, "PSUseDeclaredVarsMoreThanAssignments", 4), 1);
	T_EQ(KEPT(a, "PSUseDeclaredVarsMoreThanAssignments", 5), 1);	/* not in a function */
	/* no Target: every function, still not the script-level statement */
	T_EQ(SUPP(b, "PSUseDeclaredVarsMoreThanAssignments", 0), 2);
	T_EQ(KEPT(b, "PSUseDeclaredVarsMoreThanAssignments", 5), 1);
	ps_analysis_free(a);
	ps_analysis_free(b);
}

static void
test_class_and_method_suppression(void)
{
	const char *src = SM "'PSAvoidUsingWriteHost', '', Scope = 'Class', Target = 'Ui*')]\n"
	    "param()\nclass UiMenu {\n    [void] Show() { Write-Host 'm' }\n}\n"
	    "class Worker {\n    " SM "'PSAvoidUsingWriteHost', '')]\n"
	    "    [void] Run() { Write-Host 'r' }\n    [void] Stop() { Write-Host 's' }\n}\n";
	struct ps_analysis *a = analyze(src);

	T_ASSERT(a != NULL);
	T_EQ(SUPP(a, "PSAvoidUsingWriteHost", 4), 1);
	T_EQ(SUPP(a, "PSAvoidUsingWriteHost", 8), 1);
	T_EQ(KEPT(a, "PSAvoidUsingWriteHost", 9), 1);
	ps_analysis_free(a);
}

/* Spellings: SuppressMessage, the System. prefix, rule-name wildcards, named CheckId. */
static void
test_attribute_spellings(void)
{
	const char *srcs[] = {
		"[SuppressMessage('PSAvoidUsingWriteHost', '')]\nparam()\nWrite-Host 1\n",
		"[System.Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSAvoidUsingWriteHost', "
		    "'')]\nparam()\nWrite-Host 1\n",
		"[Diagnostics.CodeAnalysis.SuppressMessage('PSAvoidUsing*', '')]\nparam()\n"
		    "Write-Host 1\n",
		SM "Category = 'PSAvoidUsingWriteHost')]\nparam()\nWrite-Host 1\n",
		SM "'psavoidusingwritehost', '')]\nparam()\nWrite-Host 1\n",
	};

	for (size_t i = 0; i < PSS_ARRAY_LEN(srcs); i++) {
		struct ps_analysis *a = analyze(srcs[i]);

		T_ASSERT(a != NULL);
		T_ASSERTF(SUPP(a, "PSAvoidUsingWriteHost", 3) == 1 &&
		    KEPT(a, "PSAvoidUsingWriteHost", 0) == 0, "spelling %zu", i);
		ps_analysis_free(a);
	}
}

/* Attributes that suppress nothing: another rule, a bad Scope, a computed argument, another
 * attribute, a suppression id that names something else. */
static void
test_what_does_not_suppress(void)
{
	const char *srcs[] = {
		SM "'PSAvoidGlobalVars', '')]\nparam()\nWrite-Host 1\n",
		SM "'PSAvoidUsingWriteHost', '', Scope = 'Module')]\nparam()\nWrite-Host 1\n",
		SM "$rule, '')]\nparam()\nWrite-Host 1\n",
		"[Obsolete('PSAvoidUsingWriteHost')]\nparam()\nWrite-Host 1\n",
		SM "'PSAvoidUsingWriteHost', 'Write-Output')]\nparam()\nWrite-Host 1\n",
		"function g { " SM "'PSAvoidUsingWriteHost', '')] param() }\nWrite-Host 1\n",
	};

	for (size_t i = 0; i < PSS_ARRAY_LEN(srcs); i++) {
		struct ps_analysis *a = analyze(srcs[i]);

		T_ASSERT(a != NULL);
		T_ASSERTF(KEPT(a, "PSAvoidUsingWriteHost", 0) == 1 && a->nsuppressed == 0,
		    "case %zu suppressed", i);
		ps_analysis_free(a);
	}
}

static void
test_reports_count_and_list_suppressed(void)
{
	const char *src = SM "'PSAvoidUsingWriteHost', '', Justification = 'menu')]\nparam()\n"
	    "Write-Host 1\n";
	struct ps_analysis *a = analyze(src);
	const struct ps_analysis *const one[1] = { a };
	const char *const uris[1] = { "x.ps1" };
	struct json_object *o, *es, *v, *arr, *sarif, *res, *sup;
	struct buf b = BUF_INIT;

	T_ASSERT(a != NULL);
	o = ps_analysis_to_json(a);
	T_ASSERT(json_object_object_get_ex(o, "executionSummary", &es));
	T_ASSERT(json_object_object_get_ex(es, "findingsSuppressed", &v));
	T_EQ(json_object_get_int(v), 1);
	/* not listed anywhere in the stored object (findings, suggestions, references) */
	T_ASSERT(strstr(json_object_to_json_string(o), "PSAvoidUsingWriteHost") == NULL);
	json_object_put(o);
	arr = ps_suppressed_to_json(a);
	T_EQ(json_object_array_length(arr), 1);
	T_STREQ(json_object_get_string(json_object_object_get(json_object_array_get_idx(arr, 0),
	    "justification")), "menu");
	json_object_put(arr);
	ps_report_text(&b, "x.ps1", a);
	T_CONTAINS(buf_cstr(&b), "(1 suppressed)");
	T_ASSERT(strstr(buf_cstr(&b), "PSAvoidUsingWriteHost") == NULL);
	ps_report_text_suppressed(&b, "x.ps1", a);
	T_CONTAINS(buf_cstr(&b), "x.ps1:3:1: suppressed: ");
	T_CONTAINS(buf_cstr(&b), "[PSAvoidUsingWriteHost] (menu)");
	buf_free(&b);
	/* SARIF: the suppressed result is present with an inSource suppression */
	sarif = ps_report_sarif(one, uris, 1);
	res = json_object_object_get(json_object_array_get_idx(json_object_object_get(sarif,
	    "runs"), 0), "results");
	sup = NULL;
	for (size_t i = 0; i < json_object_array_length(res); i++) {
		struct json_object *r = json_object_array_get_idx(res, i);

		if (strcmp(json_object_get_string(json_object_object_get(r, "ruleId")),
		    "PSAvoidUsingWriteHost") == 0)
			sup = json_object_object_get(r, "suppressions");
	}
	T_ASSERT(sup != NULL && json_object_array_length(sup) == 1);
	if (sup != NULL) {
		struct json_object *s0 = json_object_array_get_idx(sup, 0);

		T_STREQ(json_object_get_string(json_object_object_get(s0, "kind")), "inSource");
		T_STREQ(json_object_get_string(json_object_object_get(s0, "justification")), "menu");
	}
	json_object_put(sarif);
	ps_analysis_free(a);
}

/* Thousands of attributes and functions: the pass stays bounded (the first 256 attributes,
 * at most 1,024 covered regions); what they cover is suppressed. */
static void
test_many_attributes_stay_bounded(void)
{
	struct buf b = BUF_INIT;
	struct ps_analysis *a = NULL;

	for (int i = 0; i < 3000; i++)
		buf_printf(&b, "function Get-F%d { " SM "'PSUseDeclaredVars*', '', Scope = 'Function', "
		    "Target = 'Get-*')] param() $v = 1 }\n", i);
	T_EQ(ps_analyze(b.data, b.len, NULL, &a), PSS_OK);
	T_ASSERT(a->nsuppressed > 0);
	T_EQ(KEPT(a, "PSUseDeclaredVarsMoreThanAssignments", 1), 0);
	ps_analysis_free(a);
	buf_free(&b);
}

int
main(void)
{
	T_RUN(test_script_level_suppression_with_justification);
	T_RUN(test_suppressed_findings_leave_the_scores);
	T_RUN(test_function_suppression_covers_that_function_only);
	T_RUN(test_parameter_suppression_covers_that_parameter_only);
	T_RUN(test_suppression_id_names_the_subject);
	T_RUN(test_scope_function_with_target_wildcard);
	T_RUN(test_class_and_method_suppression);
	T_RUN(test_attribute_spellings);
	T_RUN(test_what_does_not_suppress);
	T_RUN(test_reports_count_and_list_suppressed);
	T_RUN(test_many_attributes_stay_bounded);
	return t_done();
}
