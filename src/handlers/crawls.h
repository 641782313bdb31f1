/* crawls.h: the documentation crawls' handlers (API and admin page alike; routes.c) */
#ifndef PSS_HANDLERS_CRAWLS_H
#define PSS_HANDLERS_CRAWLS_H

#include "handlers/app.h"

void	 h_crawls_start(struct http_ctx *);
void	 h_crawls_list(struct http_ctx *);
void	 h_crawls_get(struct http_ctx *);
void	 h_crawls_cancel(struct http_ctx *);
/* the original frontend's AI crawl paths (docs/compat.md): 410 naming /api/documentation/crawl */
void	 h_crawls_ai_gone(struct http_ctx *);

#endif
