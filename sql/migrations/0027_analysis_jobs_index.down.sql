DROP INDEX IF EXISTS idx_jobs_analysis_script;
