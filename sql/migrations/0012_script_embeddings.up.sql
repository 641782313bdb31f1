-- 0012_script_embeddings: one embedding per script, and the pgvector detection.
--
-- Both embedding columns (this table's and chat_history's) are created as
-- real[] with a CHECK that they hold 1536 finite numbers.  Then
-- psscript_upgrade_vectors() runs: when pgvector can be had it creates the
-- extension, converts both columns to vector(1536) and builds HNSW cosine
-- indexes; when it cannot, nothing changes and similarity search falls back to
-- full-text search (DESIGN.md, Data).  `psscript migrate up` calls the
-- function again after every run, so installing pgvector later converts the
-- existing data on the next `migrate up`.
CREATE TABLE script_embeddings (
	id             SERIAL PRIMARY KEY,
	script_id      INTEGER     NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
	embedding      REAL[]      NOT NULL,
	embedding_type VARCHAR(50) NOT NULL DEFAULT 'openai',
	model_version  VARCHAR(50) NOT NULL DEFAULT 'text-embedding-ada-002',
	created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
	updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
	CONSTRAINT script_embeddings_script_id_key UNIQUE (script_id),
	CONSTRAINT script_embeddings_embedding_check CHECK (psscript_valid_embedding(embedding))
);

CREATE TRIGGER script_embeddings_set_updated_at BEFORE UPDATE ON script_embeddings
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at();

-- psscript_upgrade_vectors: idempotent.  Returns 'vector' when both embedding
-- columns are vector(1536) on return, 'real[]' when pgvector is not available
-- (or this role may not create it; a NOTICE says so).
CREATE FUNCTION psscript_upgrade_vectors() RETURNS text
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

COMMENT ON FUNCTION psscript_upgrade_vectors() IS
	'converts the real[] embedding columns to pgvector vector(1536) with HNSW cosine indexes when pgvector can be had; idempotent; returns vector or real[]';

SELECT psscript_upgrade_vectors();
