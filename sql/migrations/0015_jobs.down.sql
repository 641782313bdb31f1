-- 0015_jobs (down)
DROP TABLE jobs;
DROP FUNCTION psscript_jobs_notify();
