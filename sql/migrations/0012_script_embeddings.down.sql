-- 0012_script_embeddings (down): chat_history.embedding goes back to real[]
-- with its CHECK if it had been converted, and pgvector is dropped when nothing
-- else in the database uses it.
DROP TABLE script_embeddings;
DROP FUNCTION psscript_upgrade_vectors();

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_attribute
		    WHERE attrelid = 'chat_history'::regclass AND attname = 'embedding'
		      AND atttypid <> 'real[]'::regtype) THEN
		DROP INDEX IF EXISTS chat_history_embedding_idx;
		ALTER TABLE chat_history ALTER COLUMN embedding TYPE real[] USING embedding::real[];
		ALTER TABLE chat_history ADD CONSTRAINT chat_history_embedding_check
			CHECK (psscript_valid_embedding(embedding));
	END IF;
	IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') THEN
		BEGIN
			DROP EXTENSION vector;
		EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN
			RAISE NOTICE 'pgvector left installed: %', SQLERRM;
		END;
	END IF;
END;
$$;
