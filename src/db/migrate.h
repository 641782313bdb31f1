/* migrate.h: numbered up/down SQL migrations recorded with checksums */
#ifndef PSS_MIGRATE_H
#define PSS_MIGRATE_H

#include <stdio.h>

#include "db/db.h"

/* Each prints its report to out and returns 0 on success, 1 on failure (logged).
 * dir holds NNNN_name.up.sql and NNNN_name.down.sql; each file runs in one transaction. */
int	 migrate_status(struct db *, const char *dir, FILE *out);	/* 1 when drift or pending */
int	 migrate_up(struct db *, const char *dir, FILE *out);
int	 migrate_down(struct db *, const char *dir, int steps, FILE *out);	/* steps < 0: all */

#endif
