/* taxonomy.h: the categories, tags and script_tags tables' queries (validation and the tag
 * limit are the caller's: services/library.h) */
#ifndef PSS_DB_TAXONOMY_H
#define PSS_DB_TAXONOMY_H

#include "db/rows.h"

/* db_categories_list: {categories: [{id, name, description, scriptCount, createdAt,
 * updatedAt}]} by name; scriptCount counts the scripts this viewer sees (pass an anonymous
 * viewer for the shared categories:all cache entry). */
enum pss_err db_categories_list(struct db *, const struct viewer *, struct json_object **out);
enum pss_err db_category_get(struct db *, const struct viewer *, int64_t id, struct json_object **out);
/* db_category_exists: *found tells whether category id (1..2^31-1) exists. */
enum pss_err db_category_exists(struct db *, int64_t id, bool *found);
/* db_category_insert / update: name already trimmed; PSS_ECONFLICT when the name is taken
 * (unique regardless of case). update: NULL keeps a column; PSS_ENOTFOUND when no such id. */
enum pss_err db_category_insert(struct db *, const char *name, const char *description, int64_t *id);
enum pss_err db_category_update(struct db *, int64_t id, const char *name, const char *description);
/* db_category_delete: its scripts keep a NULL category. */
enum pss_err db_category_delete(struct db *, int64_t id);

/* db_tags_list: {tags: [{id, name, count}]}: the tags in use on a script this viewer sees
 * (an admin: every tag) whose names start with the n bytes of prefix (LIKE metacharacters are
 * data), most used first, then by name; count is the scripts this viewer sees; at most
 * limit. */
enum pss_err db_tags_list(struct db *, const struct viewer *, const char *prefix, size_t n,
	int64_t limit, struct json_object **out);
/* db_tag_get: {id, name, count} of a tag this viewer sees (as db_tags_list; with any, every
 * tag), else PSS_ENOTFOUND. */
enum pss_err db_tag_get(struct db *, const struct viewer *, int64_t id, bool any,
	struct json_object **out);
/* db_tag_insert: name (trimmed) lower-cased; an existing name answers its id with *created
 * false; PSS_ECONFLICT when a concurrent insert hid it (ask again). */
enum pss_err db_tag_insert(struct db *, const char *name, int64_t *id, bool *created);
enum pss_err db_tag_delete(struct db *, int64_t id);
/* db_tags_set: replaces (replace true) or extends the tags of a script with the names of
 * tags_json (a JSON array, lower-cased here), inside the caller's transaction; *count gets
 * how many tags the script has then. */
enum pss_err db_tags_set(struct db *, int64_t script_id, const char *tags_json, bool replace,
	int64_t *count);

#endif
