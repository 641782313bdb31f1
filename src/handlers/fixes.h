/* fixes.h: the handlers of a script's automatic fixes (fixes.c, services/fixes.h) */
#ifndef PSS_HANDLERS_FIXES_H
#define PSS_HANDLERS_FIXES_H

#include "handlers/app.h"

void	 h_scripts_fixes(struct http_ctx *);		/* GET /api/scripts/:id/fixes */
void	 h_scripts_apply_fixes(struct http_ctx *);	/* POST /api/scripts/:id/apply-fixes */
void	 h_page_fixes(struct http_ctx *);		/* GET /scripts/:id/fixes */
/* POST /api/scripts/:id/apply-suggestions: the original platform's path, 410 */
void	 h_scripts_apply_suggestions_gone(struct http_ctx *);

#endif
