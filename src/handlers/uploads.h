/* uploads.h: the uploads handlers (declared here so each area owns its header) */
#ifndef PSS_HANDLERS_UPLOADS_H
#define PSS_HANDLERS_UPLOADS_H

#include "handlers/app.h"

/* POST /api/scripts/upload: multipart, one file in script_file → 201 {success, script}. */
void	 h_uploads_sync(struct http_ctx *);
/* POST /api/scripts/upload/async: up to 50 files in files → 202 {success, batchId, uploads}. */
void	 h_uploads_async(struct http_ctx *);
/* GET /api/scripts/upload/status/:uploadId and /upload/batch/:batchId (owner or admin). */
void	 h_upload_status(struct http_ctx *);
void	 h_upload_batch(struct http_ctx *);

#endif
