/* fuzz-request.c: libFuzzer driver for http_request_parse (FastCGI parameters to a request).
 * The input is split at NUL bytes into "KEY=value" parameters. Built and run by
 * tests/fuzz/run.sh. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "http/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct http_limits lim = { 1024, 4096, 32 };
	const char *envp[65];
	char *copy = malloc(size + 1);
	struct arena a;
	struct request r;
	size_t n = 0, start = 0;

	memcpy(copy, data, size);
	copy[size] = '\0';
	for (size_t i = 0; i <= size && n < 64; i++)
		if (i == size || copy[i] == '\0') {
			copy[i] = '\0';
			envp[n++] = copy + start;
			start = i + 1;
		}
	envp[n] = NULL;
	arena_init(&a);
	if (http_request_parse(&a, envp, &lim, &r) == HTTP_REJECT_NONE) {
		/* what a handler relies on */
		if (r.path[0] != '/' || !utf8_valid(r.path, strlen(r.path)))
			abort();
		for (size_t i = 0; i < r.query.n; i++)
			if (!utf8_valid(r.query.items[i].val, r.query.items[i].val_len))
				abort();
		(void)http_query(&r, "q");
		(void)http_header(&r, "cookie");
	}
	arena_free(&a);
	free(copy);
	return 0;
}
