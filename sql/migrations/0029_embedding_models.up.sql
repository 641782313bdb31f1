-- 0029_embedding_models: one row per script and model instead of one per script, so the
-- built-in model's vectors stay beside a remote provider's (OpenAI-compatible or the AI
-- service): a query the provider cannot embed is answered by the built-in model over the
-- built-in rows, never by comparing vectors of two models (docs/search.md, "Providers").
-- Every stored row is kept (the old key was stricter).
--
-- pgvector: psscript_vector_support() says what this server has ('vector': the column is
-- pgvector's and each model has its HNSW index; 'available': the extension is installed on
-- the server but not created in this database (psscript migrate up creates it when the role
-- may); 'absent'). The HNSW index of every model already stored is made here, and the job
-- runner makes the index of a newly configured model at its first embedding.index job
-- (psscript_embedding_index, 0025). Not tested here: pgvector is not packaged for Debian 12.
ALTER TABLE script_embeddings DROP CONSTRAINT script_embeddings_script_id_key;
ALTER TABLE script_embeddings ADD CONSTRAINT script_embeddings_script_model_key
	UNIQUE (script_id, model_version);

CREATE FUNCTION psscript_vector_support() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE
		WHEN EXISTS (SELECT 1 FROM pg_attribute
			      WHERE attrelid = 'script_embeddings'::regclass AND attname = 'embedding'
				AND atttypid <> 'real[]'::regtype) THEN 'vector'
		WHEN EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN 'available'
		ELSE 'absent' END
$$;

SELECT psscript_embedding_index(model_version, dimensions)
  FROM (SELECT DISTINCT model_version, dimensions FROM script_embeddings) m
 WHERE psscript_vector_support() = 'vector';
