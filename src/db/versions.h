/* versions.h: the script_versions table's queries (the access check is the caller's:
 * services/library.h) */
#ifndef PSS_DB_VERSIONS_H
#define PSS_DB_VERSIONS_H

#include "db/rows.h"

/* db_versions_list: {scriptId, scriptTitle, currentVersion, totalVersions, versions: [{id,
 * version, changelog, userId, user {id, username} or null, createdAt, linesAdded,
 * linesRemoved}]}, newest first; the counts compare each version with the one before. */
enum pss_err db_versions_list(struct db *, int64_t script_id, struct json_object **out);
/* db_version_get: {id, scriptId, version, changelog, userId, user, createdAt, content};
 * PSS_ENOTFOUND when there is no such version. */
enum pss_err db_version_get(struct db *, int64_t script_id, int64_t version, struct json_object **out);
/* db_versions_compare: {fromVersion, toVersion, linesAdded, linesRemoved, coarse, hunks:
 * [{fromStart, fromLines, toStart, toLines, lines: [{type, content}]}], unified}. */
enum pss_err db_versions_compare(struct db *, int64_t script_id, int64_t from, int64_t to,
	struct json_object **out);
/* db_diff_json: a diff of two texts (core/diff.h) as db_versions_compare's object, labelled
 * as versions from and to (a new object; the caller puts it). */
struct diff_result;
struct json_object *db_diff_json(const struct diff_result *, int64_t from, int64_t to);
/* db_version_content: the content of version n (caller frees), PSS_ENOTFOUND when none. */
enum pss_err db_version_content(struct db *, int64_t script_id, int64_t version, char **text);

#endif
