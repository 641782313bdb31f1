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

/* The next line of p (with its newline) in [*p, end). */
static size_t
line_len(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
}

static void
check_diff(const char *a, size_t alen, const char *b, size_t blen)
{
	struct diff_result r;
	struct buf out = BUF_INIT;
	const char *p = a, *end = a + alen;
	size_t line = 1, added = 0, removed = 0;

	diff_lines(a, alen, b, blen, &(struct diff_opts){ .context = 2, .max_d = 64 }, &r);
	for (size_t h = 0; h < r.nhunks; h++) {
		const struct diff_hunk *hk = &r.hunks[h];
		size_t first = hk->from_lines == 0 ? hk->from_start + 1 : hk->from_start;

		for (; line < first && p < end; line++) {
			size_t l = line_len(p, end);

			buf_append(&out, p, l);
			p += l;
		}
		for (size_t k = 0; k < hk->nlines; k++) {
			const struct diff_line *dl = &hk->lines[k];

			if (dl->type != DIFF_REMOVED) {
				buf_append(&out, dl->text, dl->len);
				if (dl->cr)
					buf_putc(&out, '\r');
				if (dl->newline)
					buf_putc(&out, '\n');
				added += dl->type == DIFF_ADDED;
			}
			if (dl->type != DIFF_ADDED) {
				if (p >= end)
					abort();	/* the hunk reads past the old text */
				p += line_len(p, end);
				line++;
				removed += dl->type == DIFF_REMOVED;
			}
		}
	}
	buf_append(&out, p, (size_t)(end - p));
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
