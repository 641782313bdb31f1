/* fuzz-lexicon.c: libFuzzer driver for ps_lexicon_expand, the query lexicon's look-up of a
 * search's words (untrusted: any bytes of a query)
 *
 * Built and run by tests/fuzz/run.sh (seed corpus tests/fuzz/corpus/lexicon). Checks, besides
 * the sanitizers: at most PS_LEXICON_MAX_WORDS expansions of at most six terms each, and the
 * output words separated by single spaces, each a term of some entry.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/lexicon.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* 1 when the n bytes at p are one of the terms of some entry */
static int
is_term(const char *p, size_t n)
{
	for (size_t i = 0; i < ps_lexicon_len; i++)
		for (const char *t = ps_lexicon[i].terms; *t != '\0'; ) {
			size_t k = strcspn(t, " ");

			if (k == n && memcmp(t, p, n) == 0)
				return 1;
			t += k;
			t += *t == ' ';
		}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = BUF_INIT;
	size_t n, words = 0, i = 0;

	n = ps_lexicon_expand((const char *)data, size, &b);
	if (n > PS_LEXICON_MAX_WORDS || (n == 0) != (b.len == 0))
		abort();
	while (i < b.len) {
		size_t k;

		if (b.data[i++] != ' ')
			abort();
		k = strcspn(b.data + i, " ");
		if (k == 0 || !is_term(b.data + i, k))
			abort();
		i += k;
		words++;
	}
	if (words > 6 * n)
		abort();
	buf_free(&b);
	return 0;
}
