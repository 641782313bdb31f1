-- 0018_performance_indexes: indexes beyond the spec for the API's sorts,
-- filters and analytics (the spec's add_performance_indexes.sql).
-- Script lists: sort by updatedAt / createdAt with keyset pagination on (time, id).
CREATE INDEX idx_scripts_updated_at ON scripts (updated_at, id);
CREATE INDEX idx_scripts_created_at ON scripts (created_at, id);
-- Anonymous callers see public scripts only.
CREATE INDEX idx_scripts_public ON scripts (updated_at, id) WHERE is_public;
-- Analytics over the last 30 days.
CREATE INDEX idx_execution_logs_created_at ON execution_logs (created_at);
-- Documentation: "recent" and the source / tag filters.
CREATE INDEX idx_documentation_crawled_at ON documentation (crawled_at);
CREATE INDEX idx_documentation_source ON documentation (source);
CREATE INDEX idx_documentation_tags ON documentation USING gin (tags jsonb_path_ops);
