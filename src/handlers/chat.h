/* chat.h: the chat API's handlers (/api/chat, docs/chat.md) */
#ifndef PSS_HANDLERS_CHAT_H
#define PSS_HANDLERS_CHAT_H

#include "handlers/app.h"

void	 h_chat_ask(struct http_ctx *);			/* POST /api/chat (JSON or SSE) */
void	 h_chat_history_list(struct http_ctx *);	/* GET /api/chat/history */
void	 h_chat_history_search(struct http_ctx *);	/* GET /api/chat/history/search */
void	 h_chat_history_get(struct http_ctx *);		/* GET /api/chat/history/:id */
void	 h_chat_history_save(struct http_ctx *);	/* POST /api/chat/history */
void	 h_chat_history_clear(struct http_ctx *);	/* DELETE /api/chat/history */
void	 h_chat_history_delete(struct http_ctx *);	/* DELETE /api/chat/history/:id */
/* the original React frontend's paths (docs/compat.md) */
void	 h_chat_search(struct http_ctx *);		/* GET /api/chat/search */
void	 h_chat_categories(struct http_ctx *);		/* GET /api/chat/categories */
void	 h_chat_set_category(struct http_ctx *);	/* POST /api/chat/:id/category */

#endif
