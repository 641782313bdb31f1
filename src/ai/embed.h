/* embed.h: embeddings from a remote provider: an OpenAI-compatible POST {base}/embeddings or
 * the original PSScript AI service's POST {base}/embedding (docs/search.md, "Providers") */
#ifndef PSS_AI_EMBED_H
#define PSS_AI_EMBED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ai/ai.h"

/* The most bytes of text one request sends (cut on a character): about 8,000 tokens of code,
 * within text-embedding-3-small's 8,191 and the AI service's 100 KB. */
#define AI_EMBED_MAX_INPUT	(24 * 1024)

/* Which API: parallel to ai_embed_apis[] ("openai", "psscript-ai"). */
enum ai_embed_api {
	AI_EMBED_OPENAI,	/* {model, input[, dimensions]} -> {data: [{embedding: [...]}]} */
	AI_EMBED_SERVICE,	/* {content} -> {embedding: [...]} */
	AI_EMBED__MAX
};
extern const char *const ai_embed_apis[AI_EMBED__MAX];

/* Where and how to ask. */
struct ai_embed_target {
	enum ai_embed_api	 api;
	const char		*base_url;	/* …/v1 for openai; http://host:8000 for the service */
	const char		*key;		/* NULL or "": no Authorization header */
	const char		*model;		/* openai's "model" (ignored by the service) */
	int			 dims;		/* the vector's size the answer must have */
	bool			 send_dims;	/* openai: ask for dims ("dimensions") */
	int64_t			 timeout_ms;	/* the whole request (the connect: at most this) */
};

/* ai_embed: the unit-length embedding of text (its first AI_EMBED_MAX_INPUT bytes) into
 * out[t->dims], within the AI_* limits of c and t->timeout_ms. AI_OK, or the outcome with
 * why saying it in words (a status, not JSON, a vector of the wrong size...); out is then
 * all zero. Logs one warning line on a failure. */
enum ai_outcome ai_embed(const struct conf *c, const struct ai_embed_target *t, const char *text,
	    size_t len, float *out, char *why, size_t whysz);

/* ai_embed_parse: the vector of a reply body (pure, for the tests and a fuzz driver):
 * openai's data[0].embedding or the service's embedding, exactly dims finite numbers, not all
 * zero, scaled to unit length into out. AI_BAD_JSON when body is not JSON, AI_BAD_ANSWER (why
 * says what) otherwise. */
enum ai_outcome ai_embed_parse(const char *body, size_t len, enum ai_embed_api api, int dims,
	    float *out, char *why, size_t whysz);

#endif
