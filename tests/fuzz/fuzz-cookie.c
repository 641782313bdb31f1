/* fuzz-cookie.c: libFuzzer driver for cookie_parse */
/*
 * Build from the top of the checkout, with BUILD a configured build directory
 * (for config.h):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$BUILD" -Isrc \
 *       tests/fuzz/fuzz-cookie.c src/http/cookie.c src/http/urlenc.c src/core/mem.c \
 *       src/core/buf.c src/core/arena.c src/core/log.c src/core/util.c -lm -o fuzz-cookie
 * Run:
 *   ./fuzz-cookie -max_total_time=120 tests/fuzz/corpus/cookie
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
clean(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == ';')
			return 0;
	return utf8_valid(s, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	const char *s = (const char *)data;
	struct kvlist l;
	enum pss_err e;

	e = cookie_parse(&a, s, size, 64, &l);
	if (e != PSS_OK && l.n != 0)
		abort();
	if (e == PSS_OK) {
		if (l.n > 64)
			abort();
		for (size_t i = 0; i < l.n; i++) {
			const struct kv *kv = &l.items[i];
			size_t klen = strlen(kv->key);

			if (klen == 0 || strlen(kv->val) != kv->val_len ||
			    !clean(kv->key, klen) || !clean(kv->val, kv->val_len) ||
			    strchr(kv->key, '=') != NULL || kv->key[0] == ' ' ||
			    kv->key[klen - 1] == ' ')
				abort();
		}
		if (l.n > 0 && cookie_parse(&a, s, size, l.n - 1, &l) != PSS_ETOOBIG)
			abort();
	} else if (e == PSS_EINVAL) {
		if (memchr(s, '\0', size) == NULL)	/* only a NUL fails a whole header */
			abort();
	} else if (e != PSS_ETOOBIG)
		abort();
	arena_reset(&a);
	return 0;
}
