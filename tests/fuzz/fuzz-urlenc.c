/* fuzz-urlenc.c: libFuzzer driver for urlenc_parse and urlenc_decode */
/*
 * Build from the top of the checkout, with BUILD a configured build directory
 * (for config.h):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$BUILD" -Isrc \
 *       tests/fuzz/fuzz-urlenc.c src/http/urlenc.c src/core/mem.c src/core/buf.c \
 *       src/core/arena.c src/core/log.c src/core/util.c -lm -o fuzz-urlenc
 * Run:
 *   ./fuzz-urlenc -max_total_time=120 tests/fuzz/corpus/urlenc
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	const char *s = (const char *)data;
	struct kvlist l;
	enum pss_err e;
	char *dec;
	size_t n;

	e = urlenc_parse(&a, s, size, 64, &l);
	if (e != PSS_OK && l.n != 0)
		abort();
	if (e == PSS_OK) {
		if (l.n > 64)
			abort();
		for (size_t i = 0; i < l.n; i++) {
			const struct kv *kv = &l.items[i];
			size_t klen = strlen(kv->key);

			if (klen == 0 || strlen(kv->val) != kv->val_len ||
			    !utf8_valid(kv->key, klen) || !utf8_valid(kv->val, kv->val_len))
				abort();
			if (kv_get(&l, kv->key) == NULL)
				abort();
		}
		/* One pair fewer allowed must say so. */
		if (l.n > 0 && urlenc_parse(&a, s, size, l.n - 1, &l) != PSS_ETOOBIG)
			abort();
	} else if (e != PSS_EINVAL && e != PSS_ETOOBIG)
		abort();
	dec = malloc(size ? size : 1);
	if (urlenc_decode(dec, s, size, 0, &n) == PSS_OK && n > size)
		abort();
	free(dec);
	arena_reset(&a);
	return 0;
}
