-- 0022_analysis_provider (down): providers longer than 50 are cut to their first 50.
DROP INDEX idx_script_analysis_version;
UPDATE script_analysis SET provider = left(provider, 50) WHERE length(provider) > 50;
ALTER TABLE script_analysis ALTER COLUMN provider TYPE VARCHAR(50);
