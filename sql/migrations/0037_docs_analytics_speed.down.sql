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
			security_score = NEW.security_score, risk_score = NEW.risk_score
		WHERE script_id = NEW.script_id;
	END IF;
	RETURN NULL;
END;
$$;
ALTER TABLE analytics_scripts DROP COLUMN IF EXISTS quality_score;
DROP FUNCTION IF EXISTS psscript_doc_hits(tsquery, text[], jsonb, jsonb, jsonb);
ALTER TABLE documentation ALTER COLUMN rank_vector SET STORAGE EXTENDED;
