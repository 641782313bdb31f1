-- 0018_performance_indexes (down)
DROP INDEX idx_documentation_tags;
DROP INDEX idx_documentation_source;
DROP INDEX idx_documentation_crawled_at;
DROP INDEX idx_execution_logs_created_at;
DROP INDEX idx_scripts_public;
DROP INDEX idx_scripts_created_at;
DROP INDEX idx_scripts_updated_at;
