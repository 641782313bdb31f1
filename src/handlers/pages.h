/* pages.h: the pages handlers (declared here so each area owns its header) */
#ifndef PSS_HANDLERS_PAGES_H
#define PSS_HANDLERS_PAGES_H

#include "handlers/app.h"

#endif
