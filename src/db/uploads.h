/* uploads.h: the uploads table's queries (what a stored file becomes is decided by the
 * caller: services/library.h) */
#ifndef PSS_DB_UPLOADS_H
#define PSS_DB_UPLOADS_H

#include "db/rows.h"

/* db_upload_batch_new: a new batch id (a UUID) in batch. */
enum pss_err db_upload_batch_new(struct db *, char batch[40]);
/* db_upload_insert: one queued file of batch, with the options JSON text; id gets its UUID. */
enum pss_err db_upload_insert(struct db *, const char *batch, int64_t user_id, const char *filename,
	const void *content, size_t len, const char *options, char id[40]);
/* db_upload_start: a queued upload becomes processing (nothing when it is not queued). */
enum pss_err db_upload_start(struct db *, const char *id);

struct upload_row {
	int64_t	 user_id;
	char	*filename;
	char	*content;	/* the bytes (NUL-terminated copy); NULL when gone or unreadable */
	size_t	 len;
	char	*status;	/* queued, processing, completed, duplicate, failed */
	char	*options;	/* JSON text */
};
/* db_upload_lock: the upload, locked FOR UPDATE (inside a transaction); PSS_ENOTFOUND when
 * none. Release with db_upload_row_free. */
enum pss_err db_upload_lock(struct db *, const char *id, struct upload_row *);
void	 db_upload_row_free(struct upload_row *);
/* db_upload_finish: the final status with the script made (0: none), the script that already
 * had the content (0: none) and the reason (may be NULL); a failed upload keeps its content. */
enum pss_err db_upload_finish(struct db *, const char *id, const char *status, int64_t script_id,
	int64_t existing, const char *error);
/* db_upload_status: the owner's (or an admin's) upload: {uploadId, batchId, filename, size,
 * status, scriptId, existingScriptId, error, createdAt, updatedAt}; id a valid UUID. */
enum pss_err db_upload_status(struct db *, const struct viewer *, const char *upload_id,
	struct json_object **out);
/* db_upload_batch: {batchId, uploads: [status objects], total, done, failed}: done counts
 * finished uploads (completed, duplicate or failed), failed those that failed. */
enum pss_err db_upload_batch(struct db *, const struct viewer *, const char *batch_id,
	struct json_object **out);

#endif
