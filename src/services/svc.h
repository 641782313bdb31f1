/* svc.h: what every service operation is given: the process's configuration, database and
 * cache, and where a validation or conflict failure names its field */
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

/* Why an operation refused its input: PSS_EINVAL (field did not validate) or PSS_ECONFLICT
 * (field is already taken). Both point to static strings. */
struct svc_err {
	const char	*field;
	const char	*message;
};

#endif
