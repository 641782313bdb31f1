/* library-int.h: the rules the library's operations share (the services/ files only) */
#ifndef PSS_SERVICES_LIBRARY_INT_H
#define PSS_SERVICES_LIBRARY_INT_H

#include "services/library.h"

/* library_access: the script exists and the viewer sees it (PSS_ENOTFOUND), and with
 * want_write the viewer owns it or is an admin (PSS_EFORBIDDEN). With lock, the row is
 * locked FOR UPDATE (inside a transaction). */
enum pss_err library_access(struct db *, const struct viewer *, int64_t id, bool want_write,
	bool lock);
/* library_category_check: 0 (none) or an existing category (PSS_EINVAL naming categoryId). */
enum pss_err library_category_check(struct db *, int64_t id, struct svc_err *);
/* library_tags_apply: db_tags_set, then the limit of 10 a script (PSS_EINVAL naming tags). */
enum pss_err library_tags_apply(struct db *, int64_t script_id, const char *tags_json, bool replace,
	struct svc_err *);
/* library_filter_check: a list's or search's filter within its bounds (PSS_EINVAL naming the
 * field; mine without a user: PSS_EAUTH). */
enum pss_err library_filter_check(const struct viewer *, const struct script_filter *, bool search,
	struct svc_err *);
/* library_enqueue_analysis: the analysis.run job of a script (inside the caller's
 * transaction). */
enum pss_err library_enqueue_analysis(struct db *, int64_t script_id);
/* library_script_insert: the create transaction's body (uploads reuse it): the category
 * checked, the script and its version 1 (PSS_ECONFLICT naming content, with
 * err->existing_id, for a duplicate), its tags, and its analysis job when analyze. */
enum pss_err library_script_insert(struct db *, const struct script_row *, const char *text,
	size_t len, const char *tags_json, bool analyze, int64_t *id, struct svc_err *);
/* library_description_ok / library_message_ok / library_content_check: a script's
 * description (<= 100,000 bytes of text), commit message (<= 10,000 bytes of text) and
 * content (text_normalize's; the normalised copy in *text, caller frees). */
bool	 library_description_ok(const char *, struct svc_err *);
bool	 library_message_ok(const char *, struct svc_err *);
enum pss_err library_content_check(const char *content, size_t len, char **text, size_t *outlen,
	struct svc_err *);

/* library_new_version: inside the caller's transaction, with the script locked
 * (library_access): text (normalised) becomes version N+1 by author with message (force: even
 * when the content is the same), then its analysis and embedding jobs; *version (may be NULL)
 * gets N+1, 0 when nothing changed. PSS_ECONFLICT naming content when another script the
 * author may see has that text (err->existing_id), or *hash_race when a concurrent write won. */
enum pss_err library_new_version(struct db *, int64_t id, int64_t author, const char *text,
	size_t len, const char *message, bool force, int64_t *version, struct svc_err *err,
	bool *hash_race);

/* library_analysis_state: the analysis state object (library.h) from the newest analysis
 * job (DB_ANALYSIS_JOB_JSON, may be NULL) and whether an analysis is stored. New object. */
struct json_object *library_analysis_state(struct json_object *job, bool has_analysis);
/* library_analysis_pending: the state is queued or running: it changes without a write that
 * drops the cache, so an object carrying it is not cached. */
bool	 library_analysis_pending(struct json_object *state);

#endif
