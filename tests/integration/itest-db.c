/* itest-db.c: the set-up of the integration tests that call the layers below HTTP directly
 * (its own object in libitest.a: the HTTP-only suites do not link libpq for it) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/conf.h"
#include "db/db.h"
#include "itest.h"

void
it_db_setup(const char *name, struct conf *conf, struct db **db)
{
	char err[512];

	log_init(name, LOG_ERROR);
	if (conf_load(conf, NULL, err, sizeof(err)) != 0) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
	if (db == NULL)
		return;
	*db = db_open(conf, false);
	if (db_ensure(*db) != PSS_OK) {
		printf("Bail out! no database\n");
		exit(1);
	}
}
