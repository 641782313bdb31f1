/* fuzz-ps-lex.c: libFuzzer driver for the PowerShell tokenizer (ps_tokenize)
 *
 * Build and run (from the source tree, with a configured build dir for config.h):
 *   clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -I src -I "$BUILD" \
 *       tests/fuzz/fuzz-ps-lex.c src/analyzer/lex.c "$BUILD"/src/core/libcore.a -lm \
 *       -o /tmp/fuzz-ps-lex
 *   /tmp/fuzz-ps-lex -max_total_time=120 tests/fuzz/corpus/ps
 *
 * Checks, besides the sanitizers: offsets in range, top-level tokens in order
 * without overlap, nested tokens inside the input, line and column equal to
 * ps_position, and the error count equal to the tokens flagged as errors.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "analyzer/ps_lex.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ps_tokens t;
	size_t prev_end = 0, nerr = 0;

	ps_tokenize((const char *)data, len, &t);
	for (size_t i = 0; i < t.n; i++) {
		const struct ps_token *k = &t.v[i];
		uint32_t line, col;

		if (k->start > k->end || k->end > len || k->kind >= PS_TOK__MAX)
			__builtin_trap();
		if (!(k->flags & PS_TOKF_NESTED)) {
			if (k->start < prev_end)
				__builtin_trap();
			prev_end = k->end;
		}
		ps_position(&t, k->start, &line, &col);
		if (line != k->line || col != k->column)
			__builtin_trap();
		ps_position(&t, k->end, &line, &col);
		if (line != k->end_line || col != k->end_column)
			__builtin_trap();
		nerr += (size_t)ps_token_is_error(k);
		(void)ps_token_class((enum ps_tok_kind)k->kind);
	}
	if (nerr != t.nerrors)
		__builtin_trap();
	ps_tokens_free(&t);
	return 0;
}
