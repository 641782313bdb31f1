/* ai.h: the analysis's prose from an optional AI provider: an OpenAI-compatible chat API or the
 * original PSScript AI service (docs/ai.md) */
#ifndef PSS_AI_AI_H
#define PSS_AI_AI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"
#include "ai/http.h"

struct json_object;

#define AI_MAX_SUGGESTIONS	5	/* kept from one answer */
#define AI_MAX_PURPOSE		1000	/* bytes of purpose kept */
#define AI_MAX_SUGGESTION	400	/* bytes of one suggestion kept */

/* How one request ended: ok, a transport failure (as ai/http.h names it), a non-2xx status,
 * a body that is not JSON, or JSON without a purpose or suggestions. Parallel to the metrics
 * counters M_AI_OK … M_AI_BAD_ANSWER and to ai_outcome_name. */
enum ai_outcome {
	AI_OK,
	AI_REFUSED,
	AI_TIMEOUT,
	AI_SLOW,
	AI_TOO_BIG,
	AI_REDIRECT,
	AI_TLS,
	AI_IO,
	AI_STATUS,
	AI_BAD_JSON,
	AI_BAD_ANSWER,
	AI_OUTCOME__MAX
};
const char *ai_outcome_name(enum ai_outcome);	/* "ok", "refused", … "bad_answer" */

/* What the analysis job gives the provider: the script, its name and id, and the built-in
 * analysis object (ps_analysis_to_json's shape: its purpose, scores and findings). */
struct ai_ask {
	const char		*content;
	size_t			 len;
	const char		*file_name;	/* may be NULL */
	int64_t			 script_id;
	struct json_object	*analysis;
};

/* The prose one answer adds: a purpose (NULL when the answer had none), up to
 * AI_MAX_SUGGESTIONS suggestions, and the provider label ("llm:<model>" or "ai-service").
 * Strings are plain text (control bytes dropped), owned here: ai_prose_free. */
struct ai_prose {
	char	*purpose;
	char	*suggestions[AI_MAX_SUGGESTIONS];
	size_t	 nsuggestions;
	char	 provider[128];
};

/* ai_configured: whether conf names a provider (AI_API_URL or AI_SERVICE_URL). */
bool	 ai_configured(const struct conf *);

/* ai_prose_ask: asks the configured provider for the prose of one analysis, within the AI_*
 * limits. AI_OK fills out; any other outcome leaves it empty. Either way the request is
 * counted in /metrics by outcome, and a failure logs one warning line with the reason. */
enum ai_outcome ai_prose_ask(const struct conf *, const struct ai_ask *, struct ai_prose *out);
void	 ai_prose_free(struct ai_prose *);

/* ai_prose_parse: the prose of a reply body (pure, for the fuzz driver and the tests):
 * llm true: an OpenAI chat completion whose first choice's message content is a JSON object
 * {purpose, suggestions} (a ```json fence around it is accepted); llm false: the AI service's
 * answer object {purpose, suggestions}. AI_BAD_JSON when body is not JSON, AI_BAD_ANSWER when
 * it holds neither a purpose nor a suggestion. */
enum ai_outcome ai_prose_parse(const char *body, size_t len, bool llm, struct ai_prose *out);

/* ai_chat_configured: whether conf names an OpenAI-compatible chat API (AI_API_URL). */
bool	 ai_chat_configured(const struct conf *);
/* ai_chat_complete: one chat completion of messages (a JSON array of {role, content}) by
 * AI_MODEL within the AI_* limits, the whole request within timeout_ms when that is
 * shorter. AI_OK with *text (caller frees): the first choice's message content, non-empty
 * UTF-8, otherwise unchecked (the caller makes it safe). Any other outcome: *text NULL, why
 * says it in words; counted in /metrics and logged as ai_prose_ask's are. */
enum ai_outcome ai_chat_complete(const struct conf *, struct json_object *messages,
	int64_t timeout_ms, char **text, char *why, size_t whysz);
/* ai_chat_stream: ai_chat_complete asking for a streamed answer ("stream": true): fn gets
 * each piece of the content as it arrives (choices[0].delta.content of each "data:" event;
 * a server that answers whole JSON instead: the content at once). The outcome and *text
 * (every piece together) as ai_chat_complete's; pieces given to fn before a failure (a
 * timeout mid-stream, an event that is not JSON) are not taken back here: the caller says
 * so. */
typedef void (*ai_chat_delta_fn)(void *arg, const char *text, size_t len);
enum ai_outcome ai_chat_stream(const struct conf *, struct json_object *messages,
	int64_t timeout_ms, ai_chat_delta_fn fn, void *arg, char **text, char *why, size_t whysz);

/* Shared by the ai layer's clients (ai.c, embed.c):
 * ai_json_parse: a whole JSON text of len bytes, or NULL (trailing bytes other than white
 * space are refused; s need not be NUL-terminated). Caller puts it.
 * ai_outcome_of_http: the outcome of a transport failure (ai/http.h).
 * ai_endpoint: base + path without a doubled slash. Caller frees. */
struct json_object *ai_json_parse(const char *s, size_t len);
enum ai_outcome ai_outcome_of_http(enum ai_http_err);
char	*ai_endpoint(const char *base, const char *path);

#endif
