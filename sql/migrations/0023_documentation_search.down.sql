-- 0023_documentation_search: back to 0013's search vector, without the names and hash.
DROP INDEX idx_script_analysis_commands;
DROP INDEX idx_documentation_updated;
DROP INDEX idx_documentation_command_names;
DROP INDEX idx_documentation_search;
ALTER TABLE documentation DROP COLUMN search_vector;
ALTER TABLE documentation DROP COLUMN content_hash;
ALTER TABLE documentation DROP COLUMN command_names;
DROP FUNCTION psscript_doc_names(text[]);
ALTER TABLE documentation ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector('english'::regconfig, title), 'A')
	|| setweight(to_tsvector('english'::regconfig, left(coalesce(summary, ''), 10000)), 'B')
	|| setweight(to_tsvector('english'::regconfig, left(coalesce(content, ''), 100000)), 'C')
) STORED;
CREATE INDEX idx_documentation_search ON documentation USING gin (search_vector);
