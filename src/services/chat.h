/* chat.h: the chat's operations: a grounded answer to a question (retrieval over the shipped
 * reference, the cmdlet catalog, the asker's visible scripts and a script's analysis; an
 * extractive answer, or a configured model's prose over the same sources), streamed or whole,
 * and the asker's private history. The API handlers and the /chat pages call these. */
#ifndef PSS_SERVICES_CHAT_H
#define PSS_SERVICES_CHAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "services/svc.h"
#include "db/rows.h"

/*
 * Conventions (as services/library.h): reads fill *out (caller puts); PSS_EINVAL or
 * PSS_ETOOBIG with err naming the field (the API's camelCase name) and a phrase;
 * PSS_ENOTFOUND for a conversation or script the asker may not see (no hint that it
 * exists); PSS_EAUTH without a signed-in user; PSS_EUNAVAIL / PSS_EINTERNAL from the
 * database. err may be NULL.
 */

#define CHAT_MESSAGES_MAX	50		/* messages a request (more: 400) */
#define CHAT_MESSAGE_MAX	(16 * 1024)	/* bytes of one message's content */
#define CHAT_TOTAL_MAX		(64 * 1024)	/* bytes of every message's content */
#define CHAT_SOURCES_MAX	8		/* sources an answer cites */
#define CHAT_SESSION_LEN	36		/* a UUID's text */
#define CHAT_LIMIT_DEFAULT	20
#define CHAT_LIMIT_MAX		100
#define CHAT_STREAM_SECONDS	30		/* a streamed answer's whole time */

enum chat_role {
	CHAT_ROLE_USER,
	CHAT_ROLE_ASSISTANT,
	CHAT_ROLE_SYSTEM,
	CHAT_ROLE__MAX
};
extern const char *const chat_role_names[CHAT_ROLE__MAX];	/* "user", "assistant", "system" */

struct chat_message {
	enum chat_role	 role;
	const char	*content;	/* UTF-8, no NUL inside */
	size_t		 len;
};

/* A question. The last message is the question (role user); the ones before are the
 * conversation so far. With session_id naming a conversation of the asker and only one
 * message, the question continues the stored conversation. */
struct chat_request {
	struct chat_message	*messages;
	size_t			 nmessages;
	char			 session_id[CHAT_SESSION_LEN + 1];	/* "": a new conversation */
	int64_t			 script_id;	/* 0: none; else a script the asker must see */
	bool			 extractive;	/* true: never ask a model */
};

/* chat_request_parse: body ({messages: [{role, content}], sessionId?, scriptId?}) checked
 * into req, whose strings point into body (which must outlive req). PSS_EINVAL / PSS_ETOOBIG
 * with err (fields messages, messages[i].role, messages[i].content, sessionId, scriptId).
 * Free with chat_request_free (also after a failure). */
enum pss_err chat_request_parse(struct json_object *body, struct chat_request *req,
	struct svc_err *);
/* chat_request_check: the same checks on a request built in code (the pages' form). */
enum pss_err chat_request_check(const struct chat_request *, struct svc_err *);
void	 chat_request_free(struct chat_request *);

enum chat_source_type {
	CHAT_SOURCE_DOC,
	CHAT_SOURCE_SCRIPT,
	CHAT_SOURCE__MAX
};
extern const char *const chat_source_names[CHAT_SOURCE__MAX];	/* "doc", "script" */

struct chat_source {
	enum chat_source_type	 type;
	int64_t			 id;
	char			*title;
	char			*url;	/* the site's own page: /docs/:id, /scripts/:id */
};

/* An answer. Every string owned: chat_answer_free. */
struct chat_answer {
	char			*response;	/* Markdown (render it with the safe renderer) */
	char			 session_id[CHAT_SESSION_LEN + 1];
	struct chat_source	 sources[CHAT_SOURCES_MAX];
	size_t			 nsources;
	char			 model[128];	/* "extractive" or "llm:<model>" */
	const char		*fallback;	/* static: why the model was not used, or NULL */
	int64_t			 history_id;	/* the stored conversation (0: not stored) */
};

/* chat_ask: answers req for viewer (signed in: PSS_EAUTH otherwise) and stores the
 * exchange in the asker's history (the conversation of req's session, a new one without).
 * PSS_ENOTFOUND when script_id is not a script the viewer sees. The answer is extractive
 * when no model is configured, req asks so, or the model failed (fallback says why, and the
 * response says so). */
enum pss_err chat_ask(const struct svc *, const struct viewer *, const struct chat_request *,
	struct chat_answer *out, struct svc_err *);

/* A chunk of the response's Markdown as it is written (len 0, text "": the model is being
 * asked, a progress signal; text NULL: drop the chunks so far, the answer follows from its
 * start); nonzero: the reader went away, no more chunks (the whole answer is stored all the
 * same). */
typedef int (*chat_chunk_fn)(void *arg, const char *text, size_t len);

/* chat_ask_stream: chat_ask that calls chunk with the response as it is written: a model's
 * answer streamed as its tokens arrive (made safe up to each line; within what is left of
 * CHAT_STREAM_SECONDS and AI_TIMEOUT_MS), an extractive one in pieces of about 160 bytes cut
 * after a line; out holds the whole answer at the end, which is what the chunks since the
 * last reset add up to. Errors before the first chunk (bad input, a hidden script) come back
 * as chat_ask's. */
enum pss_err chat_ask_stream(const struct svc *, const struct viewer *,
	const struct chat_request *, chat_chunk_fn chunk, void *arg, struct chat_answer *out,
	struct svc_err *);

void	 chat_answer_free(struct chat_answer *);
/* chat_answer_json: {response, sessionId, sources: [{type, id, title, url}], model,
 * fallback?, historyId}; caller puts. */
struct json_object *chat_answer_json(const struct chat_answer *);

/* ---- history: private to its owner (an admin sees only their own too) ---- */

/* chat_history_list: {conversations: [{id, sessionId, title, preview, messageCount,
 * createdAt, updatedAt}], total, page, totalPages}, newest first (page from 1, limit
 * 1..CHAT_LIMIT_MAX; fields page, limit). */
enum pss_err chat_history_list(const struct svc *, const struct viewer *, int64_t page,
	int64_t limit, struct json_object **out, struct svc_err *);
/* chat_history_list_key: the cache key of that page of the viewer's list (its cached bytes
 * answer the API: reply_cached); -1 when there is no such page. */
int	 chat_history_list_key(char *key, size_t n, const struct viewer *, int64_t page,
	int64_t limit);
/* chat_history_get: {id, sessionId, title, messages: [{role, content, sources?}], response,
 * sources, createdAt, updatedAt}. */
enum pss_err chat_history_get(const struct svc *, const struct viewer *, int64_t id,
	struct json_object **out);
/* chat_history_get_session: chat_history_get by the conversation's sessionId. */
enum pss_err chat_history_get_session(const struct svc *, const struct viewer *,
	const char *session_id, struct json_object **out);
/* chat_history_save: stores body ({messages, sessionId?}, checked as a request, whose last
 * message may be the assistant's) as a conversation; *out is chat_history_get's object. */
enum pss_err chat_history_save(const struct svc *, const struct viewer *,
	struct json_object *body, struct json_object **out, struct svc_err *);
enum pss_err chat_history_delete(const struct svc *, const struct viewer *, int64_t id);
/* chat_history_delete_all: *n gets how many conversations went. */
enum pss_err chat_history_delete_all(const struct svc *, const struct viewer *, int64_t *n);
/* chat_history_set_category: the owner's conversation's category, for the original
 * frontend's history page (docs/compat.md): category a string of 1 to CHAT_CATEGORY_MAX bytes
 * without control characters (trimmed), or empty or NULL for none; PSS_ENOTFOUND for a
 * conversation that is not the viewer's. */
#define CHAT_CATEGORY_MAX 50
enum pss_err chat_history_set_category(const struct svc *, const struct viewer *, int64_t id,
	const char *category, struct svc_err *);
/* chat_history_categories: the categories to offer as a JSON array of strings: the
 * suggested ones (general, scripts, troubleshooting, learning) and then the viewer's own. */
enum pss_err chat_history_categories(const struct svc *, const struct viewer *,
	struct json_object **out);
/* chat_history_search: chat_history_list's shape for q (the library's search bounds, field
 * q) over the owner's conversations, each with rank (its place from 1) and score, and a
 * snippet; mode (field mode) keyword (full-text), semantic (the cosine of the conversations'
 * vectors to q's, at least CHAT_SEMANTIC_MIN) or hybrid (NULL: both, fused as the scripts'
 * search fuses them; full-text alone with fallback and reason when there is nothing to
 * compare by meaning). The answer echoes query and mode, and method (provider:model). */
#define CHAT_SEMANTIC_MIN	0.35
#define CHAT_VECTORS_MAX	5000	/* an owner's latest conversations compared */
enum pss_err chat_history_search(const struct svc *, const struct viewer *, const char *q,
	const char *mode, int64_t page, int64_t limit, struct json_object **out, struct svc_err *);

/* ---- embeddings of conversations (docs/chat.md, "Embeddings") ---- */
#define CHAT_EMBED_TEXT_MAX	(16 * 1024)	/* bytes of a conversation's questions */
/* chat_history_embed: the embedding.compute job {chatId} that every write of a conversation
 * queues with it (db_chat_upsert): the conversation's questions embedded by the configured
 * provider and stored with the model's name, unless it changed meanwhile (its own job
 * follows). A conversation deleted meanwhile is not an error. A remote provider that failed:
 * the built-in model's vector is stored and PSS_EUNAVAIL returned (why says), so the job is
 * tried again. The conversation's text is never written here. */
enum pss_err chat_history_embed(const struct svc *, int64_t id, char *why, size_t whysz);
/* chat_history_reembed: queues the job for every conversation without a vector of the
 * configured model (psscript reembed); *queued gets how many. chat_history_reembed_next: the
 * lowest such ids above after (at most max; --inline). chat_history_embed_progress:
 * conversations in all and those with a vector of the configured model. */
enum pss_err chat_history_reembed(const struct svc *, int64_t *queued, char *why, size_t whysz);
enum pss_err chat_history_reembed_next(const struct svc *, int64_t after, int64_t *ids, int max,
	int *n);
enum pss_err chat_history_embed_progress(const struct svc *, int64_t *all, int64_t *done);

#endif
