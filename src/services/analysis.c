/* analysis.c: analyse and store: the built-in analyzer over a script's current content,
 * stored as its analysis (the analysis.run job's work, and next the analysis endpoints') */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "analyzer/analyzer.h"
#include "core/core.h"
#include "db/analysis.h"
#include "services/library-int.h"

enum pss_err
library_analysis_run(const struct svc *s, int64_t id, const struct ps_analyze_opts *opts,
    char *why, size_t whysz)
{
	static const struct viewer system = { 0, true };
	struct json_object *json;
	struct ps_analysis *an = NULL;
	char *content = NULL, *title = NULL;
	size_t len;
	enum pss_err e;

	if ((e = db_script_content(s->db, &system, id, &content, &len, &title)) != PSS_OK) {
		if (e == PSS_ENOTFOUND) {
			log_info("analysis of script %lld skipped: the script is gone", (long long)id);
			return PSS_OK;
		}
		snprintf(why, whysz, "reading script %lld: %s", (long long)id, pss_strerror(e));
		return e;
	}
	if (ps_analyze(content, len, opts, &an) != PSS_OK || an == NULL) {
		snprintf(why, whysz, "script %lld could not be analysed (too large?)", (long long)id);
		e = PSS_EINVAL;
		goto out;
	}
	json = ps_analysis_to_json(an);
	e = db_analysis_store(s->db, id, json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN));
	json_object_put(json);
	if (e == PSS_ENOTFOUND) {
		e = PSS_OK;	/* deleted while we worked */
		goto out;
	}
	if (e != PSS_OK) {
		snprintf(why, whysz, "storing the analysis of script %lld: %s", (long long)id,
		    db_last_error(s->db));
		goto out;
	}
	/* LISTS drops analytics:* too: the scores and findings moved */
	cache_invalidate_library(s->cache, id, CACHE_LIB_SCRIPT | CACHE_LIB_LISTS);
out:
	ps_analysis_free(an);
	free(content);
	free(title);
	return e;
}
