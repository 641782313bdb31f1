/* fuzz-ai-embed.c: libFuzzer driver for ai_embed_parse (a remote provider's embedding answer:
 * untrusted bytes) */
/*
 * Built and run by tests/fuzz/run.sh (with src/ai/embed.c, ai.c, http.c, libcurl and json-c).
 * The first byte chooses the API (odd: OpenAI's {data: [{embedding}]}, even: the AI
 * service's {embedding}) and the dimension (1 + the byte's upper bits); the rest is the body.
 * Checks: on AI_OK every number is finite and the vector has unit length; on any other outcome
 * the vector is all zero and the reason is said.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "ai/embed.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	float v[128];
	char why[256] = "";
	int dims;
	double norm = 0;

	if (size < 1)
		return 0;
	dims = 1 + (data[0] >> 1);
	if (ai_embed_parse((const char *)data + 1, size - 1, data[0] & 1 ? AI_EMBED_OPENAI :
	    AI_EMBED_SERVICE, dims, v, why, sizeof(why)) != AI_OK) {
		for (int i = 0; i < dims; i++)
			if (v[i] != 0)
				abort();
		if (why[0] == '\0')
			abort();
		return 0;
	}
	for (int i = 0; i < dims; i++) {
		if (!isfinite(v[i]))
			abort();
		norm += (double)v[i] * v[i];
	}
	if (fabs(norm - 1) > 1e-3)
		abort();
	return 0;
}
