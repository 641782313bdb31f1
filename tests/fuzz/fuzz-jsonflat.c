/* fuzz-jsonflat.c: libFuzzer driver for json_flat_parse, against json-c: every input it reads
 * must be an object json-c reads too (strict, as json_body asks), with the same members */
/*
 * Build from the top of the checkout, with BUILD a configured build directory
 * (for config.h):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$BUILD" -Isrc \
 *       tests/fuzz/fuzz-jsonflat.c src/http/jsonflat.c src/http/urlenc.c src/core/mem.c \
 *       src/core/buf.c src/core/arena.c src/core/log.c src/core/util.c \
 *       $(pkg-config --cflags --libs json-c) -lm -o fuzz-jsonflat
 * Run:
 *   ./fuzz-jsonflat -max_total_time=120 tests/fuzz/corpus/jsonflat
 */
#include "config.h"

#include <json-c/json.h>
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
	struct json_tokener *tok;
	struct json_object *o;
	struct kvlist l;
	size_t distinct = 0;

	if (size > (1 << 20))
		return 0;
	if (json_flat_parse(&a, s, size, &l) != PSS_OK) {
		if (l.n != 0)
			abort();
		arena_reset(&a);
		return 0;
	}
	tok = json_tokener_new_ex(32);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, s, (int)size);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    (size_t)json_tokener_get_parse_end(tok) > size || !json_object_is_type(o, json_type_object))
		abort();
	for (size_t i = 0; i < size - (size_t)json_tokener_get_parse_end(tok); i++)
		if (strchr(" \t\r\n", s[json_tokener_get_parse_end(tok) + i]) == NULL)
			abort();	/* json_body refuses what follows the object */
	for (size_t i = 0; i < l.n; i++) {
		struct json_object *v;
		bool last = true;

		if (strlen(l.items[i].val) != l.items[i].val_len)
			abort();
		for (size_t j = i + 1; j < l.n; j++)
			if (strcmp(l.items[j].key, l.items[i].key) == 0)
				last = false;
		if (!last)
			continue;
		distinct++;
		if (!json_object_object_get_ex(o, l.items[i].key, &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    (size_t)json_object_get_string_len(v) != l.items[i].val_len ||
		    memcmp(json_object_get_string(v), l.items[i].val, l.items[i].val_len) != 0)
			abort();
	}
	if ((size_t)json_object_object_length(o) != distinct)
		abort();
	json_object_put(o);
	json_tokener_free(tok);
	arena_reset(&a);
	return 0;
}
