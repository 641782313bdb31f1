-- 0023_documentation_search: what the documentation search and the upsert by URL need
-- (issue 15; docs/documentation.md).
-- - command_names: the lower-cased cmdlet name and aliases a document describes (set by the
--   services layer from the catalog and the document's metadata); a query equal to one of
--   them is an exact name and ranks first; GIN index for the look-up.
-- - content_hash: SHA-256 of every field a writer gave; an upsert whose hash is unchanged
--   leaves the row untouched (no write, updated_at and crawled_at kept).
-- - search_vector: title and command names weigh A ('simple' keeps the names whole and
--   unstemmed beside the English title), the summary B, the body C. Same bounds as 0013.
CREATE FUNCTION psscript_doc_names(names text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT coalesce(left(array_to_string(names, ' '), 10000), '')
$$;

ALTER TABLE documentation ADD COLUMN command_names text[] NOT NULL DEFAULT '{}';
ALTER TABLE documentation ADD COLUMN content_hash char(64);
DROP INDEX idx_documentation_search;
ALTER TABLE documentation DROP COLUMN search_vector;
ALTER TABLE documentation ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector('english'::regconfig, title), 'A')
	|| setweight(to_tsvector('simple'::regconfig, title || ' ' || psscript_doc_names(command_names)), 'A')
	|| setweight(to_tsvector('english'::regconfig, left(coalesce(summary, ''), 10000)), 'B')
	|| setweight(to_tsvector('english'::regconfig, left(coalesce(content, ''), 100000)), 'C')
) STORED;
CREATE INDEX idx_documentation_search ON documentation USING gin (search_vector);
CREATE INDEX idx_documentation_command_names ON documentation USING gin (command_names);
CREATE INDEX idx_documentation_updated ON documentation (updated_at DESC, id DESC);
-- A document page lists the library's scripts whose analysis names its cmdlet
-- (command_details @> [{"name": ...}]).
CREATE INDEX idx_script_analysis_commands ON script_analysis USING gin (command_details jsonb_path_ops);
