/* library.h: the library handlers (declared here so each area owns its header) */
#ifndef PSS_HANDLERS_LIBRARY_H
#define PSS_HANDLERS_LIBRARY_H

#include "handlers/app.h"

#endif
