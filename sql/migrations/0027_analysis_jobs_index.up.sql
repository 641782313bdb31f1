-- 0027_analysis_jobs_index: a script's analysis.run jobs, newest first, for the analysis
-- state of GET /api/scripts/:id and GET /api/scripts/:id/analysis (db/analysis.h,
-- DB_ANALYSIS_JOB_JSON): without it each read scans every analysis job ever run.
CREATE INDEX idx_jobs_analysis_script ON jobs ((payload->>'scriptId'), id)
	WHERE type = 'analysis.run';
