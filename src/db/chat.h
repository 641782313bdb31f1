/* chat.h: the chat_history table's queries (one row a conversation; sql/migrations 0011,
 * 0028). Every query is scoped to its owner: no function reads or writes another user's row. */
#ifndef PSS_DB_CHAT_H
#define PSS_DB_CHAT_H

#include <stdint.h>

#include <json-c/json.h>

#include "db/db.h"

/* The conversation object: {id, sessionId, title, messages, response, sources, createdAt,
 * updatedAt}; a list item: {id, sessionId, title, preview, messageCount, createdAt,
 * updatedAt} (a search's also rank and snippet: ts_headline text, NOT escaped). */

/* db_chat_get / db_chat_get_session: the owner's conversation, or PSS_ENOTFOUND. */
enum pss_err db_chat_get(struct db *, int64_t user_id, int64_t id, struct json_object **out);
enum pss_err db_chat_get_session(struct db *, int64_t user_id, const char *session_id,
	struct json_object **out);

struct db_chat_row {
	const char	*session_id;	/* "" or NULL: a new one */
	const char	*title;		/* kept from the first write of a session */
	const char	*messages;	/* JSON array text */
	const char	*response;
	const char	*sources;	/* JSON array text */
	const char	*job_type;	/* NULL, or the job {chatId} queued with the row */
	int		 job_attempts;
};
/* db_chat_upsert: stores the conversation (a session the owner already has is replaced,
 * its title kept; its vector stays until the embedding job replaces it) and, in the same
 * statement, the job row->job_type {chatId} when not NULL; *id and session (37 bytes) get
 * the row's. */
enum pss_err db_chat_upsert(struct db *, int64_t user_id, const struct db_chat_row *,
	int64_t *id, char session[37]);

/* db_chat_list: {conversations: [...], total}, the last updated first. */
enum pss_err db_chat_list(struct db *, int64_t user_id, int64_t limit, int64_t offset,
	struct json_object **out);
/* db_chat_search_ids: the owner's conversations matching the websearch text query, by
 * full-text rank then the last updated: at most max ids and their ranks; *n gets how many. */
enum pss_err db_chat_search_ids(struct db *, int64_t user_id, const char *query, int max,
	int64_t *ids, double *scores, int *n);
/* db_chat_items: the list items (with a snippet of query: ts_headline text, NOT escaped) of
 * the owner's conversations among ids, in the order of ids, as a JSON array; another user's
 * id is left out. */
enum pss_err db_chat_items(struct db *, int64_t user_id, const int64_t *ids, size_t n,
	const char *query, struct json_object **out);

/* ---- embeddings (the embedding.compute job; services/chat_history.c) ---- */
/* db_chat_embed_source: what a conversation's embedding is made of (its user messages, at
 * most max bytes cut on a character; the title when it has none) and its version (the
 * updated_at text). Any owner's: the job's. PSS_ENOTFOUND when gone. */
enum pss_err db_chat_embed_source(struct db *, int64_t id, size_t max, char **text,
	char **version);
/* db_chat_store_vector: the conversation's vector and model, when it is still at version
 * (not changed since it was read: PSS_ENOTFOUND otherwise, also when gone) and, when keep is
 * not NULL, its vector is not already of model keep (a stand-in never replaces the configured
 * model's vector: PSS_ENOTFOUND too). Not an update of the conversation: its updated_at stays
 * (0035's trigger). */
enum pss_err db_chat_store_vector(struct db *, int64_t id, const char *version, const float *v,
	int dims, const char *model, const char *keep);
/* db_chat_stale_ids: the lowest ids above after (at most max) of conversations without a
 * vector of model and dims. db_chat_embed_progress: conversations in all and with one. */
enum pss_err db_chat_stale_ids(struct db *, const char *model, int dims, int64_t after, int max,
	int64_t *ids, int *n);
enum pss_err db_chat_embed_progress(struct db *, const char *model, int dims, int64_t *all,
	int64_t *done);
/* db_chat_vectors: fn for each of the owner's conversations with a vector of model and dims
 * (the last updated first, at most max). */
typedef void (*db_chat_vector_fn)(int64_t id, const float *v, void *arg);
enum pss_err db_chat_vectors(struct db *, int64_t user_id, const char *model, int dims, int max,
	db_chat_vector_fn fn, void *arg);

/* db_chat_delete: PSS_ENOTFOUND when the owner has no such row. db_chat_delete_all: *n gets
 * how many went. */
enum pss_err db_chat_delete(struct db *, int64_t user_id, int64_t id);
enum pss_err db_chat_delete_all(struct db *, int64_t user_id, int64_t *n);
/* db_chat_set_category: the owner's conversation's category (NULL: none), or
 * PSS_ENOTFOUND. db_chat_categories: the owner's distinct categories (at most limit) as a
 * JSON array of strings. */
enum pss_err db_chat_set_category(struct db *, int64_t user_id, int64_t id, const char *category);
enum pss_err db_chat_categories(struct db *, int64_t user_id, int limit, struct json_object **out);

#endif
