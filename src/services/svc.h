/* svc.h: what every service operation is given (the process's configuration, database and
 * cache) and the one error type every service reports its refusals with */
#ifndef PSS_SVC_H
#define PSS_SVC_H

#include "core/core.h"
#include "core/conf.h"
#include "db/db.h"
#include "cache/cache.h"

struct svc {
	const struct conf *conf;
	struct db	*db;
	struct cache	*cache;	/* may be NULL (no caching, no invalidation) */
};

/* Why an operation refused, beside its enum pss_err (handlers/fields.c, svc_reply_error, is
 * the one place that turns both into an HTTP answer). Every string is static.
 * - PSS_EINVAL: field did not validate; PSS_ECONFLICT: field is already taken (for a
 *   script's content, existing_id is the script that has it); PSS_EFORBIDDEN: with
 *   nunauthorized, the ids of a bulk operation the caller may not change.
 * - message is a sentence for the reader ("Username must be 3 to 50 characters."), or, with
 *   phrase, what is wrong with field ("a title is required"), which the answer prints as
 *   "title: a title is required.". */
struct svc_err {
	const char	*field;		/* NULL when not about one field */
	const char	*message;	/* NULL: the answer's default */
	bool		 phrase;
	int64_t		 existing_id;
	int64_t		 unauthorized[100];
	size_t		 nunauthorized;
};

/* svc_fail: fills err (when not NULL) with field and a phrase; returns e. */
static inline enum pss_err
svc_fail(struct svc_err *err, enum pss_err e, const char *field, const char *phrase)
{
	if (err != NULL) {
		err->field = field;
		err->message = phrase;
		err->phrase = true;
	}
	return e;
}

#endif
