-- 0013_full_text_search (down); pg_trgm is dropped when nothing else uses it.
DROP INDEX IF EXISTS idx_tags_name_trgm;
DROP INDEX IF EXISTS idx_tags_name_prefix;
ALTER TABLE chat_history DROP COLUMN search_vector;
DROP FUNCTION psscript_chat_text(jsonb, text);
ALTER TABLE documentation DROP COLUMN search_vector;
ALTER TABLE scripts DROP COLUMN search_vector;

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
		BEGIN
			DROP EXTENSION pg_trgm;
		EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN
			RAISE NOTICE 'pg_trgm left installed: %', SQLERRM;
		END;
	END IF;
END;
$$;
