-- 0037_docs_analytics_speed: a documentation search's statement made cheaper (issue 15;
-- docs/documentation.md "Search cost"), and the analytics' usage part without a join
-- (issue 18; docs/analytics.md).
-- 1. rank_vector kept in the table's own rows (STORAGE MAIN: compressed if need be, moved out
--    of line only as a last resort): ranking a common word's matches read every match's
--    vector from the TOAST table (three buffers a row through the TOAST index): 0.8 ms of
--    the 1.0 ms that ranking "process"'s 445 matches took, 0.25 ms after. The rows already
--    stored are rewritten (the updated_at trigger off, so no document looks changed).
-- 2. psscript_doc_hits: psscript_doc_matches with the row's title and date and the filters,
--    so the statement does not join the whole table again for them (a hash join over every
--    row, 0.4 ms), and in PL/pgSQL, whose statement plans are kept for the session (a SQL
--    function that cannot be inlined is planned again on each call).
ALTER TABLE documentation ALTER COLUMN rank_vector SET STORAGE MAIN;
ALTER TABLE documentation DISABLE TRIGGER documentation_set_updated_at;
UPDATE documentation SET title = title;
ALTER TABLE documentation ENABLE TRIGGER documentation_set_updated_at;

-- the parameters are named p_*: "tags" is also a column of the table
CREATE FUNCTION psscript_doc_hits(p_q tsquery, p_names text[], p_sources jsonb, p_tags jsonb,
    p_types jsonb)
RETURNS TABLE (id integer, title text, k timestamptz, rank float8, exact boolean)
LANGUAGE plpgsql STABLE PARALLEL SAFE SET enable_seqscan = off AS $$
BEGIN
	RETURN QUERY SELECT d.id, d.title::text, coalesce(d.last_updated, d.updated_at),
	    ts_rank(d.rank_vector, p_q, 16)::float8, d.command_names && p_names
	FROM documentation d
	WHERE (d.search_vector @@ p_q OR d.command_names && p_names)
	    AND (p_sources IS NULL OR p_sources ? d.source)
	    AND (p_tags IS NULL OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_tags) t
	        WHERE d.tags @> jsonb_build_array(t)))
	    AND (p_types IS NULL OR p_types ? d.content_type);
END
$$;

-- 3. analytics_scripts (0030) keeps the analysis's quality score too: the usage part's
--    averageQuality joined every visible script's script_analysis row (a hash join of
--    10,000 wide rows: 7 of the part's 20 ms).
ALTER TABLE analytics_scripts ADD COLUMN quality_score DOUBLE PRECISION;
UPDATE analytics_scripts a SET quality_score = sa.quality_score
FROM script_analysis sa WHERE sa.script_id = a.script_id;

CREATE OR REPLACE FUNCTION psscript_analytics_analysis() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	s record;
BEGIN
	SELECT user_id, is_public, category_id INTO s FROM scripts WHERE id = NEW.script_id FOR SHARE;
	IF FOUND THEN
		PERFORM psscript_analytics_rules_move(NEW.script_id, s.user_id, s.is_public, s.category_id,
			TG_ARGV[0]::int);
	END IF;
	IF TG_ARGV[0] = '1' THEN
		UPDATE analytics_scripts SET analysed_on = (NEW.updated_at AT TIME ZONE 'UTC')::date,
			security_score = NEW.security_score, risk_score = NEW.risk_score,
			quality_score = NEW.quality_score
		WHERE script_id = NEW.script_id;
	END IF;
	RETURN NULL;
END;
$$;
