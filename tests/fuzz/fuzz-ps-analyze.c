/* fuzz-ps-analyze.c: libFuzzer driver for the whole analysis (rules, scores, JSON, SARIF, text)
 *
 * Build and run (from the source tree, with a configured build dir for config.h):
 *   clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -I src -I "$BUILD" \
 *       tests/fuzz/fuzz-ps-analyze.c $(ls src/analyzer/[a-z]*.c) \
 *       "$BUILD"/src/core/libcore.a $(pkg-config --cflags --libs json-c) -lm \
 *       -o /tmp/fuzz-ps-analyze
 *   /tmp/fuzz-ps-analyze -max_total_time=120 tests/fuzz/corpus/ps tests/data/labeled
 *
 * Checks, besides the sanitizers: every finding lies inside the input with ordered
 * positions, its extent is the source text, findings are sorted, the scores are in 0..10,
 * and the JSON renderings are valid and deterministic.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "analyzer/analyzer.h"
#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(const struct ps_analysis *a, const char *src, size_t len)
{
	for (size_t i = 0; i < a->nfindings; i++) {
		const struct ps_finding *f = &a->findings[i];

		if (f->start > f->end || f->end > len || f->line < 1 || f->column < 1 ||
		    f->end_line < f->line || (f->end_line == f->line && f->end_column < f->column))
			__builtin_trap();
		if (strncmp(f->extent, src + f->start, strlen(f->extent)) != 0 &&
		    memchr(src + f->start, '\0', f->end - f->start) == NULL)
			__builtin_trap();
		if (i > 0 && (a->findings[i - 1].line > f->line ||
		    (a->findings[i - 1].line == f->line && a->findings[i - 1].column > f->column)))
			__builtin_trap();
		if (f->message == NULL || f->rule == NULL || f->severity >= PS_SEV__MAX)
			__builtin_trap();
	}
	if (!(a->security_score >= 0 && a->security_score <= 10) ||
	    !(a->quality_score >= 0 && a->quality_score <= 10) ||
	    !(a->risk_score >= 0 && a->risk_score <= 10))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ps_analysis *a = NULL, *b = NULL;
	struct json_object *j1, *j2, *sarif;
	const char *uri = "fuzz.ps1";
	struct buf text = BUF_INIT;

	if (size > (1 << 20))
		return 0;
	if (ps_analyze((const char *)data, size, NULL, &a) != PSS_OK)
		__builtin_trap();
	check(a, (const char *)data, size);
	if (ps_analyze((const char *)data, size, NULL, &b) != PSS_OK)
		__builtin_trap();
	j1 = ps_analysis_to_json(a);
	j2 = ps_analysis_to_json(b);
	if (strcmp(json_object_to_json_string(j1), json_object_to_json_string(j2)) != 0)
		__builtin_trap();	/* deterministic */
	if (!utf8_valid(json_object_to_json_string(j1), strlen(json_object_to_json_string(j1))))
		__builtin_trap();	/* storable in jsonb */
	sarif = ps_report_sarif((const struct ps_analysis *const *)&a, &uri, 1);
	{
		struct json_object *back = json_tokener_parse(json_object_to_json_string(sarif));

		if (back == NULL)
			__builtin_trap();	/* the log must be valid JSON */
		json_object_put(back);
	}
	ps_report_text(&text, uri, a);
	json_object_put(j1);
	json_object_put(j2);
	json_object_put(sarif);
	buf_free(&text);
	ps_analysis_free(a);
	ps_analysis_free(b);
	return 0;
}
