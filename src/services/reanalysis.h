/* reanalysis.h: what the job runner and the command line do with analyses beyond one run: the
 * analysis job with an AI provider's prose, and re-analysis when the analyzer changes */
#ifndef PSS_SERVICES_REANALYSIS_H
#define PSS_SERVICES_REANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "services/library.h"

/* Re-analysis jobs run below everything else: upload.process is 1, a new analysis 0. */
#define LIBRARY_REANALYSIS_PRIORITY (-10)

/* library_analysis_job: the analysis.run job: library_analysis_run, with the prose of the
 * configured AI provider (AI_API_URL or AI_SERVICE_URL) merged in before it is stored: its
 * purpose replaces the built-in one, its suggestions follow the built-in ones, provider
 * becomes builtin+llm:<model> or builtin+ai-service. Findings and scores are the built-in
 * analyzer's either way; a provider's failure (logged and counted by the ai layer) stores the
 * built-in analysis as it is. Only the job runner calls this: no HTTP request waits on a
 * model. */
enum pss_err library_analysis_job(const struct svc *, int64_t script_id,
	const struct ps_analyze_opts *, char *why, size_t whysz);

/* library_analysis_prose: the AI provider's prose merged into the analysis object (json, the
 * built-in analyzer's), as library_analysis_job describes; nothing when no provider is
 * configured or it fails. */
void	 library_analysis_prose(const struct svc *, int64_t script_id, const char *content,
	size_t len, const char *title, struct json_object *analysis);

/* One re-analysis run of the command line: which scripts (all, or stale ones: analysed by
 * another analyzer version; script_id > 0: that one only), its batch id (the jobs' payload
 * member batch), how many scripts it covers and where queueing has got to. */
struct reanalysis {
	bool	 stale_only;
	int64_t	 script_id;
	char	 batch[33];
	int64_t	 total;
	int64_t	 after;
	int64_t	 queued;	/* jobs added so far */
	int64_t	 skipped;	/* scripts that had a job queued or running already */
};

/* library_reanalysis_start: counts the scripts and makes the batch id. */
enum pss_err library_reanalysis_start(const struct svc *, bool stale_only, int64_t script_id,
	struct reanalysis *);
/* library_reanalysis_queue: queues the jobs of the next (at most limit) scripts at
 * LIBRARY_REANALYSIS_PRIORITY; *more false once every script has been looked at. */
enum pss_err library_reanalysis_queue(const struct svc *, struct reanalysis *, int64_t limit,
	bool *more);
/* library_reanalysis_progress: of the batch's jobs, how many are done, failed and pending. */
enum pss_err library_reanalysis_progress(const struct svc *, const struct reanalysis *,
	int64_t *done, int64_t *failed, int64_t *pending);
/* library_reanalysis_sweep: the job runner's own re-analysis after an upgrade: queues at most
 * limit stale analyses (re-analysis priority); *queued says how many (limit: there may be
 * more). Logged and counted in /metrics when it queues any. */
enum pss_err library_reanalysis_sweep(const struct svc *, int64_t limit, int64_t *queued);

#endif
