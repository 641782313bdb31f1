/* fuzz-multipart.c: libFuzzer driver for multipart_boundary and multipart_parse */
/*
 * The first line of the input is the boundary, or a whole Content-Type value when
 * it starts with "multipart/" (then multipart_boundary finds the boundary); the
 * rest is the body.
 * Build from the top of the checkout, with BUILD a configured build directory
 * (for config.h):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$BUILD" -Isrc \
 *       tests/fuzz/fuzz-multipart.c src/http/multipart.c src/http/urlenc.c \
 *       src/core/mem.c src/core/buf.c src/core/arena.c src/core/log.c src/core/util.c \
 *       -lm -o fuzz-multipart
 * Run:
 *   ./fuzz-multipart -max_total_time=120 -dict=tests/fuzz/corpus/multipart.dict \
 *       tests/fuzz/corpus/multipart
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAX_PARTS 16

static void
check_parts(const struct mpartlist *l, const char *body, size_t len)
{
	if (l->n > MAX_PARTS)
		abort();
	for (size_t i = 0; i < l->n; i++) {
		const struct mpart *p = &l->items[i];

		if (p->name == NULL || !utf8_valid(p->name, strlen(p->name)))
			abort();
		if (p->data < body || p->len > len || p->data + p->len > body + len)
			abort();
		if (p->filename != NULL) {
			size_t fl = strlen(p->filename);

			if (strchr(p->filename, '/') || strchr(p->filename, '\\') ||
			    !strcmp(p->filename, ".") || !strcmp(p->filename, "..") ||
			    !utf8_valid(p->filename, fl))
				abort();
			for (size_t j = 0; j < fl; j++)
				if ((unsigned char)p->filename[j] < 0x20)
					abort();
		}
		if (p->content_type != NULL && strchr(p->content_type, '\n'))
			abort();
		if (multipart_get(l, p->name) == NULL)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	const char *s = (const char *)data, *nl, *boundary;
	struct mpartlist l;
	enum pss_err e;
	size_t blen, len;
	char *line, *body;

	nl = memchr(s, '\n', size);
	if (nl == NULL)
		return 0;
	blen = (size_t)(nl - s);
	line = malloc(blen + 1);
	memcpy(line, s, blen);
	line[blen] = '\0';
	/* An exact copy of the body, so any read past it is caught. */
	len = size - blen - 1;
	body = malloc(len ? len : 1);
	memcpy(body, nl + 1, len);
	boundary = line;
	if (strncmp(line, "multipart/", 10) == 0 &&
	    multipart_boundary(&a, line, &boundary) != PSS_OK) {
		if (boundary != NULL)
			abort();
		goto out;
	}
	e = multipart_parse(&a, boundary, body, len, MAX_PARTS, &l);
	if (e != PSS_OK && l.n != 0)
		abort();
	if (e == PSS_OK) {
		struct kvlist kv;

		check_parts(&l, body, len);
		if (multipart_fields(&a, &l, &kv) == PSS_OK) {
			for (size_t i = 0; i < kv.n; i++)
				if (strlen(kv.items[i].val) != kv.items[i].val_len ||
				    !utf8_valid(kv.items[i].val, kv.items[i].val_len))
					abort();
		} else if (kv.n != 0)
			abort();
		if (l.n > 0 && multipart_parse(&a, boundary, body, len, l.n - 1, &l) != PSS_ETOOBIG)
			abort();
	} else if (e != PSS_EINVAL && e != PSS_ETOOBIG)
		abort();
out:
	free(body);
	free(line);
	arena_reset(&a);
	return 0;
}
