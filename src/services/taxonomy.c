/* taxonomy.c: categories and tags: what a name may be, and the cache entries their writes
 * make stale (counts, and the category or tag names inside every cached script) */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/text.h"
#include "services/library-int.h"

/* A category's or tag's name is inside every cached script and list that has it. */
#define NAME_STALE (CACHE_LIB_LISTS | CACHE_LIB_TAXONOMY | CACHE_LIB_EVERY_SCRIPT)

/* delete_named: a category or tag deleted by del, then the entries naming it. */
static enum pss_err
delete_named(const struct svc *s, enum pss_err (*del)(struct db *, int64_t), int64_t id)
{
	enum pss_err e;

	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	if ((e = del(s->db, id)) == PSS_OK)
		cache_invalidate_library(s->cache, 0, NAME_STALE);
	return e;
}

enum pss_err
library_categories_list(const struct svc *s, const struct viewer *v, struct json_object **out)
{
	return db_categories_list(s->db, v, out);
}

enum pss_err
library_category_get(const struct svc *s, const struct viewer *v, int64_t id, struct json_object **out)
{
	*out = NULL;
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	return db_category_get(s->db, v, id, out);
}

/* category_fields: a trimmed name (caller frees) when name is given and valid. */
static enum pss_err
category_fields(const char *name, const char *description, char **tname, struct svc_err *err)
{
	size_t n;
	const char *t;

	*tname = NULL;
	if (description != NULL && (strlen(description) > 10000 ||
	    !utf8_valid(description, strlen(description))))
		return svc_fail(err, PSS_EINVAL, "description", "at most 10,000 bytes of text");
	if (name == NULL)
		return PSS_OK;
	t = text_trim(name, &n);
	if (n == 0 || n > 255 || !utf8_valid(t, n) || !text_no_controls(t, n))
		return svc_fail(err, PSS_EINVAL, "name", "a name of 1 to 255 bytes is required");
	if (text_bidi_control(t, n) != NULL)
		return svc_fail(err, PSS_EINVAL, "name", "the name contains a bidirectional control character");
	*tname = xstrndup(t, n);
	return PSS_OK;
}

enum pss_err
library_category_create(const struct svc *s, const char *name, const char *description, int64_t *id,
    struct svc_err *err)
{
	char *t;
	enum pss_err e;

	*id = 0;
	if (name == NULL)
		return svc_fail(err, PSS_EINVAL, "name", "a name is required");
	if ((e = category_fields(name, description, &t, err)) != PSS_OK)
		return e;
	e = db_category_insert(s->db, t, description, id);
	free(t);
	if (e == PSS_ECONFLICT)
		return svc_fail(err, e, "name", "a category of that name exists");
	if (e == PSS_OK)
		cache_invalidate_library(s->cache, 0, CACHE_LIB_TAXONOMY);
	return e;
}

enum pss_err
library_category_update(const struct svc *s, int64_t id, const char *name, const char *description,
    struct svc_err *err)
{
	char *t;
	enum pss_err e;

	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	if ((e = category_fields(name, description, &t, err)) != PSS_OK)
		return e;
	e = db_category_update(s->db, id, t, description);
	free(t);
	if (e == PSS_ECONFLICT)
		return svc_fail(err, e, "name", "a category of that name exists");
	if (e == PSS_OK)
		cache_invalidate_library(s->cache, 0, NAME_STALE);
	return e;
}

enum pss_err
library_category_delete(const struct svc *s, int64_t id)
{
	return delete_named(s, db_category_delete, id);
}

enum pss_err
library_tags_list(const struct svc *s, const struct viewer *v, const char *prefix, int64_t limit,
    struct json_object **out)
{
	size_t n = 0;
	const char *t = prefix != NULL ? text_trim(prefix, &n) : "";

	*out = NULL;
	if (limit == 0)
		limit = LIBRARY_LIMIT_DEFAULT;
	if (limit < 1 || limit > LIBRARY_LIMIT_MAX || n > 255 || !utf8_valid(t, n))
		return PSS_EINVAL;
	return db_tags_list(s->db, v, t, n, limit, out);
}

enum pss_err
library_tag_get(const struct svc *s, const struct viewer *v, int64_t id, struct json_object **out)
{
	*out = NULL;
	if (id <= 0 || id > INT32_MAX)
		return PSS_ENOTFOUND;
	return db_tag_get(s->db, v, id, false, out);
}

enum pss_err
library_tag_create(const struct svc *s, const struct viewer *v, const char *name,
    struct json_object **tag, bool *created, struct svc_err *err)
{
	const char *one[1] = { name };
	struct json_object *seen = NULL;
	char *arr;
	size_t n;
	int64_t id;
	enum pss_err e;

	*tag = NULL;
	*created = false;
	if ((arr = library_tags_check(one, 1, "name", err)) == NULL)
		return PSS_EINVAL;
	free(arr);
	name = text_trim(name, &n);
	arr = xstrndup(name, n);
	e = db_tag_insert(s->db, arr, &id, created);
	free(arr);
	if (e == PSS_OK && *created)
		cache_invalidate_library(s->cache, 0, CACHE_LIB_TAXONOMY);
	/* A tag in use only on scripts the viewer may not see acts as absent: the answer is
	 * that of a new tag, never "it exists" (issue 12 item 6). */
	if (e == PSS_OK && !*created) {
		if ((e = db_tag_get(s->db, v, id, false, &seen)) == PSS_ENOTFOUND) {
			*created = true;
			e = PSS_OK;
		}
		json_object_put(seen);
	}
	if (e == PSS_OK)
		e = db_tag_get(s->db, v, id, true, tag);
	return e;
}

enum pss_err
library_tag_delete(const struct svc *s, int64_t id)
{
	return delete_named(s, db_tag_delete, id);
}
