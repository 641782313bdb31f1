-- 0034_script_search_terms: what a script's commands mean, in its full-text document (issue 16;
-- docs/search.md "Keyword search and the commands' meaning").
--
-- search_terms: written by the application (it needs the cmdlet catalog, which lives in C):
-- for each distinct command or alias the content names (at most 32), the command's name, its
-- plain words ("Get-ChildItem" -> "get child item") and its synopsis, one per line, then the
-- analysis's purpose when there is one. NULL: not computed yet (a row older than this
-- migration, or loaded around the application): `psscript reembed` fills those in.
-- It is set in the transaction of every create and new version, and the embedding.compute job
-- (queued in that transaction and after an analysis) brings it up to date with the purpose.
--
-- search_vector gains it at the lowest weight (D, 0.05 in ts_rank's '{0.05, 0.1, 0.4, 1.0}'):
-- prose, so the 'english' configuration (stemming, stop words); at most 20,000 characters.
-- Its change alone is not an edit of the script (updated_at stays).
ALTER TABLE scripts ADD COLUMN search_terms TEXT;

DROP INDEX idx_scripts_search;
ALTER TABLE scripts DROP COLUMN search_vector;
ALTER TABLE scripts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector('english'::regconfig, title), 'A')
	|| setweight(to_tsvector('english'::regconfig, left(coalesce(description, ''), 10000)), 'B')
	|| setweight(to_tsvector('simple'::regconfig, left(content, 100000)), 'C')
	|| setweight(to_tsvector('english'::regconfig, left(coalesce(search_terms, ''), 20000)), 'D')
) STORED;
CREATE INDEX idx_scripts_search ON scripts USING gin (search_vector);

DROP TRIGGER scripts_set_updated_at ON scripts;
CREATE TRIGGER scripts_set_updated_at BEFORE UPDATE ON scripts
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at(
		'execution_count', 'average_execution_time', 'last_executed_at', 'search_vector',
		'search_terms');
