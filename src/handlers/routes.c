/* routes.c: the route table: one line per endpoint, in the order of API.md. Each area keeps
 * its lines in an include file of its own (routes-*.inc), so areas grow without touching
 * each other. */
#include "config.h"

#include "core/metrics.h"
#include "handlers/app.h"
#include "handlers/library.h"
#include "handlers/uploads.h"
#include "handlers/pages.h"

/* A line may leave out the trailing members (page): they are NULL. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const struct route app_routes[] = {
#include "handlers/routes-core.inc"
#include "handlers/routes-library.inc"
#include "handlers/routes-uploads.inc"
#include "handlers/routes-pages.inc"
#include "handlers/routes-pages-library.inc"
};
#pragma GCC diagnostic pop
const size_t app_nroutes = PSS_ARRAY_LEN(app_routes);
_Static_assert(PSS_ARRAY_LEN(app_routes) < METRICS_MAX_ROUTES, "raise METRICS_MAX_ROUTES");
