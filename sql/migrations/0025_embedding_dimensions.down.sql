-- 0025_embedding_dimensions (down): back to one fixed 1536 dimensions. The rows of any other
-- dimension (the built-in model's) are deleted: `psscript reembed` makes them again.
DROP TRIGGER script_embeddings_seq_update ON script_embeddings;
DROP TRIGGER script_embeddings_seq_delete ON script_embeddings;
DROP FUNCTION psscript_embeddings_seq();
DROP TRIGGER script_embeddings_dimensions ON script_embeddings;
DROP FUNCTION psscript_embeddings_dimensions();
DROP INDEX script_embeddings_model_idx;
DELETE FROM script_embeddings WHERE dimensions <> 1536;

DO $$
DECLARE
	i record;
BEGIN
	FOR i IN SELECT indexname FROM pg_indexes
		  WHERE tablename = 'script_embeddings' AND indexname LIKE 'script_embeddings_hnsw_%' LOOP
		EXECUTE format('DROP INDEX %I', i.indexname);
	END LOOP;
	IF EXISTS (SELECT 1 FROM pg_attribute
		    WHERE attrelid = 'script_embeddings'::regclass AND attname = 'embedding'
		      AND atttypid = 'real[]'::regtype) THEN
		ALTER TABLE script_embeddings DROP CONSTRAINT script_embeddings_embedding_check;
		ALTER TABLE script_embeddings ADD CONSTRAINT script_embeddings_embedding_check
			CHECK (psscript_valid_embedding(embedding));
	ELSE
		EXECUTE 'ALTER TABLE script_embeddings ALTER COLUMN embedding TYPE vector(1536) '
			'USING embedding::vector(1536)';
		EXECUTE 'CREATE INDEX script_embeddings_idx ON script_embeddings '
			'USING hnsw (embedding vector_cosine_ops)';
	END IF;
END;
$$;

ALTER TABLE script_embeddings DROP CONSTRAINT script_embeddings_dimensions_check,
	DROP COLUMN dimensions, DROP COLUMN seq, DROP COLUMN text_hash;
DROP FUNCTION psscript_embedding_index(text, integer);
DROP FUNCTION psscript_valid_embedding_n(real[], integer);

-- psscript_upgrade_vectors as 0012 made it
CREATE OR REPLACE FUNCTION psscript_upgrade_vectors() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	col record;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') THEN
		IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
			RETURN 'real[]';
		END IF;
		BEGIN
			CREATE EXTENSION vector;
		EXCEPTION WHEN insufficient_privilege THEN
			RAISE NOTICE 'pgvector is installed but this role may not create the extension; '
				'run CREATE EXTENSION vector as a superuser, then psscript migrate up';
			RETURN 'real[]';
		END;
	END IF;

	FOR col IN
		SELECT c.relname AS tab, c.relname || '_embedding_check' AS chk,
		       CASE c.relname WHEN 'script_embeddings' THEN 'script_embeddings_idx'
		                      ELSE 'chat_history_embedding_idx' END AS idx
		  FROM pg_attribute a
		  JOIN pg_class c ON c.oid = a.attrelid
		 WHERE c.oid IN (to_regclass('script_embeddings'), to_regclass('chat_history'))
		   AND a.attname = 'embedding'
		   AND a.atttypid = 'real[]'::regtype
	LOOP
		-- The CHECK guarantees every stored array converts.
		EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', col.tab, col.chk);
		EXECUTE format('ALTER TABLE %I ALTER COLUMN embedding TYPE vector(1536) '
			'USING embedding::vector(1536)', col.tab);
		EXECUTE format('CREATE INDEX %I ON %I USING hnsw (embedding vector_cosine_ops)',
			col.idx, col.tab);
	END LOOP;
	RETURN 'vector';
END;
$$;
