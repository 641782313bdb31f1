/* analysis.h: storing an analysis in script_analysis (one row per script) */
#ifndef PSS_DB_ANALYSIS_H
#define PSS_DB_ANALYSIS_H

#include <stdint.h>

#include "db/rows.h"

/* db_analysis_store: upserts the analysis of a script from the API.md analysis object given as
 * JSON text (camelCase keys: purpose, securityScore, codeQualityScore, riskScore, parameters,
 * suggestions, … executionSummary, analysisVersion, provider) into the snake_case columns.
 * PSS_ENOTFOUND when the script is gone (deleted meanwhile); PSS_EINVAL when the object
 * does not fit the columns' checks. */
enum pss_err db_analysis_store(struct db *, int64_t script_id, const char *analysis_json);

/* db_analysis_scripts_using: {scripts: [{id, title}]}: at most limit scripts the viewer sees
 * whose stored analysis names the command (its catalog spelling, command_details' "name"),
 * the most recently updated first. */
enum pss_err db_analysis_scripts_using(struct db *, const struct viewer *, const char *command,
	int64_t limit, struct json_object **out);

#endif
