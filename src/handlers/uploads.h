/* uploads.h: the uploads handlers (declared here so each area owns its header) */
#ifndef PSS_HANDLERS_UPLOADS_H
#define PSS_HANDLERS_UPLOADS_H

#include "handlers/app.h"

#endif
