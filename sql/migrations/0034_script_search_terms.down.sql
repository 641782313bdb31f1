-- 0034_script_search_terms (down): search_vector as 0013 made it, without the commands' meaning.
DROP TRIGGER scripts_set_updated_at ON scripts;
CREATE TRIGGER scripts_set_updated_at BEFORE UPDATE ON scripts
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at(
		'execution_count', 'average_execution_time', 'last_executed_at', 'search_vector');

DROP INDEX idx_scripts_search;
ALTER TABLE scripts DROP COLUMN search_vector;
ALTER TABLE scripts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector('english'::regconfig, title), 'A')
	|| setweight(to_tsvector('english'::regconfig, left(coalesce(description, ''), 10000)), 'B')
	|| setweight(to_tsvector('simple'::regconfig, left(content, 100000)), 'C')
) STORED;
CREATE INDEX idx_scripts_search ON scripts USING gin (search_vector);
ALTER TABLE scripts DROP COLUMN search_terms;
