/* fuzz-text.c: libFuzzer driver for text_normalize and diff_lines (untrusted script bytes) */
/*
 * Build from the top of the checkout, with BUILD a configured build directory (for config.h):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$BUILD" -Isrc tests/fuzz/fuzz-text.c \
 *       src/core/text.c src/core/diff.c src/core/mem.c src/core/buf.c src/core/arena.c \
 *       src/core/log.c src/core/util.c src/core/sha256.c -lm -o fuzz-text
 * Run:
 *   ./fuzz-text -max_total_time=120 tests/fuzz/corpus/text
 * The input is split at its first 0xff 0x00 pair (or in the middle) into an old and a new
 * text. Checks: a normalised text is valid UTF-8 without NUL or control bytes; the diff's
 * hunks, applied to the old text, give the new one; the counts agree with the lines.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/diff.h"
#include "core/text.h"
#include "../diff-apply.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_text(const char *s, size_t n)
{
	char *out;
	size_t len;

	if (text_normalize(s, n, &out, &len, NULL) != TEXT_OK) {
		if (out != NULL)
			abort();
		return;
	}
	if (len == 0 || strlen(out) != len || !utf8_valid(out, len))
		abort();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 && out[i] != '\t' && out[i] != '\r' && out[i] != '\n')
			abort();
	free(out);
}

static void
check_diff(const char *a, size_t alen, const char *b, size_t blen)
{
	struct diff_result r;
	struct buf out = BUF_INIT;
	size_t added, removed;

	diff_lines(a, alen, b, blen, &(struct diff_opts){ .context = 2, .max_d = 64 }, &r);
	if (diff_apply(a, alen, &r, &out, &added, &removed) != 0)
		abort();	/* a hunk reads past the old text */
	if (out.len != blen || (blen > 0 && memcmp(out.data, b, blen) != 0))
		abort();
	if (added != r.lines_added || removed != r.lines_removed)
		abort();
	if ((r.nhunks == 0) != (r.unified_len == 0))
		abort();
	buf_free(&out);
	diff_result_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t cut = size / 2, skip = 0;

	for (size_t i = 0; i + 1 < size; i++)
		if (data[i] == 0xff && data[i + 1] == 0x00) {
			cut = i;
			skip = 2;
			break;
		}
	check_text(s, size);
	check_diff(s, cut, s + cut + skip, size - cut - skip);
	return 0;
}
