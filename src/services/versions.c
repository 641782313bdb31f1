/* versions.c: the versions' reads, for a script the viewer sees (revert is a write of the
 * script: scripts.c) */
#include "config.h"

#include "services/library-int.h"

enum pss_err
library_versions_list(const struct svc *s, const struct viewer *v, int64_t script_id,
    struct json_object **out)
{
	enum pss_err e;

	*out = NULL;
	if ((e = library_access(s->db, v, script_id, false, false)) != PSS_OK)
		return e;
	return db_versions_list(s->db, script_id, out);
}

enum pss_err
library_version_get(const struct svc *s, const struct viewer *v, int64_t script_id, int64_t version,
    struct json_object **out)
{
	enum pss_err e;

	*out = NULL;
	if ((e = library_access(s->db, v, script_id, false, false)) != PSS_OK)
		return e;
	if (version <= 0 || version > INT32_MAX)
		return PSS_ENOTFOUND;
	return db_version_get(s->db, script_id, version, out);
}

enum pss_err
library_versions_compare(const struct svc *s, const struct viewer *v, int64_t script_id,
    int64_t from, int64_t to, struct json_object **out)
{
	enum pss_err e;

	*out = NULL;
	if ((e = library_access(s->db, v, script_id, false, false)) != PSS_OK)
		return e;
	if (from <= 0 || from > INT32_MAX || to <= 0 || to > INT32_MAX)
		return PSS_ENOTFOUND;
	return db_versions_compare(s->db, script_id, from, to, out);
}
