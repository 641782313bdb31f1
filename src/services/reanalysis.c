/* reanalysis.c: the analysis job's AI prose and re-analysis when the analyzer's version changes
 * (docs/ai.md, README "Re-analysis") */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ai/ai.h"
#include "analyzer/analyzer.h"
#include "core/core.h"
#include "core/metrics.h"
#include "db/analysis.h"
#include "services/reanalysis.h"

void
library_analysis_prose(const struct svc *s, int64_t id, const char *content, size_t len,
    const char *title, struct json_object *analysis)
{
	struct ai_ask q = { content, len, title, id, analysis };
	struct ai_prose p;
	struct json_object *sugg;
	char provider[160];

	if (!ai_configured(s->conf) || ai_prose_ask(s->conf, &q, &p) != AI_OK)
		return;
	if (p.purpose != NULL)
		json_object_object_add(analysis, "purpose", json_object_new_string(p.purpose));
	if (!json_object_object_get_ex(analysis, "suggestions", &sugg) ||
	    !json_object_is_type(sugg, json_type_array)) {
		sugg = json_object_new_array();
		json_object_object_add(analysis, "suggestions", sugg);
	}
	for (size_t i = 0; i < p.nsuggestions; i++)
		json_object_array_add(sugg, json_object_new_string(p.suggestions[i]));
	snprintf(provider, sizeof(provider), "%s+%s", PS_ANALYZER_PROVIDER, p.provider);
	json_object_object_add(analysis, "provider", json_object_new_string(provider));
	ai_prose_free(&p);
}

static void
selection(const struct reanalysis *r, struct db_reanalysis *sel)
{
	sel->stale_only = r->stale_only;
	sel->version = PS_ANALYZER_VERSION;
	sel->script_id = r->script_id;
}

enum pss_err
library_reanalysis_start(const struct svc *s, bool stale_only, int64_t script_id,
    struct reanalysis *r)
{
	struct db_reanalysis sel;

	memset(r, 0, sizeof(*r));
	r->stale_only = stale_only;
	r->script_id = script_id;
	rand_hex(r->batch, 16);
	selection(r, &sel);
	return db_analysis_count(s->db, &sel, &r->total);
}

enum pss_err
library_reanalysis_queue(const struct svc *s, struct reanalysis *r, int64_t limit, bool *more)
{
	struct db_reanalysis sel;
	int64_t picked = 0, queued = 0;
	enum pss_err e;

	selection(r, &sel);
	e = db_analysis_queue(s->db, &sel, r->after, limit, LIBRARY_REANALYSIS_PRIORITY, r->batch,
	    &picked, &queued, &r->after);
	if (e != PSS_OK)
		return e;
	r->queued += queued;
	r->skipped += picked - queued;
	*more = picked == limit && r->script_id == 0;
	return PSS_OK;
}

enum pss_err
library_reanalysis_progress(const struct svc *s, const struct reanalysis *r, int64_t *done,
    int64_t *failed, int64_t *pending)
{
	return db_analysis_batch(s->db, r->batch, done, failed, pending);
}

enum pss_err
library_reanalysis_sweep(const struct svc *s, int64_t limit, int64_t *queued)
{
	struct db_reanalysis sel = { true, PS_ANALYZER_VERSION, 0 };
	int64_t picked = 0, last = 0;
	enum pss_err e;

	*queued = 0;
	e = db_analysis_queue(s->db, &sel, 0, limit, LIBRARY_REANALYSIS_PRIORITY, "sweep", &picked,
	    queued, &last);
	if (e != PSS_OK) {
		log_warn("re-analysis sweep: %s", db_last_error(s->db));
		return e;
	}
	if (*queued > 0) {
		metrics_add(M_ANALYSES_STALE_QUEUED, (uint64_t)*queued);
		log_info("re-analysis: queued %lld analyses of another analyzer version than %s",
		    (long long)*queued, PS_ANALYZER_VERSION);
	}
	return PSS_OK;
}
