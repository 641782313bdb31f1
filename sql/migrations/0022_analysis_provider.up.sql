-- 0022_analysis_provider: room in provider for "builtin+llm:<model>" (AI_MODEL is up to 100
-- bytes), and an index to find the analyses of another analyzer version (re-analysis sweeps).
ALTER TABLE script_analysis ALTER COLUMN provider TYPE VARCHAR(120);
CREATE INDEX idx_script_analysis_version ON script_analysis (analysis_version, script_id);
