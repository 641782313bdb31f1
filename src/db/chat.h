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
	const char	*vector;	/* "{...}" real[] text, or NULL */
	const char	*model;		/* the vector's model, or NULL */
};
/* db_chat_upsert: stores the conversation (a session the owner already has is replaced,
 * its title kept); *id and session (37 bytes) get the row's. */
enum pss_err db_chat_upsert(struct db *, int64_t user_id, const struct db_chat_row *,
	int64_t *id, char session[37]);

/* db_chat_list: {conversations: [...], total}, the last updated first. */
enum pss_err db_chat_list(struct db *, int64_t user_id, int64_t limit, int64_t offset,
	struct json_object **out);
/* db_chat_search: {conversations: [... with rank, snippet], total} matching the websearch
 * text query, by rank then the last updated. */
enum pss_err db_chat_search(struct db *, int64_t user_id, const char *query, int64_t limit,
	int64_t offset, struct json_object **out);

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
