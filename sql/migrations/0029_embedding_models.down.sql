-- 0029_embedding_models (down): one row per script again. Where a script has rows of
-- several models, the most recently written one stays (psscript reembed makes the others).
-- (Only when there are such rows: a DELETE statement advances script_embeddings_seq.)
DROP FUNCTION psscript_vector_support();
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM script_embeddings GROUP BY script_id HAVING count(*) > 1) THEN
		DELETE FROM script_embeddings e USING script_embeddings n
		 WHERE n.script_id = e.script_id AND n.seq > e.seq;
	END IF;
END;
$$;
ALTER TABLE script_embeddings DROP CONSTRAINT script_embeddings_script_model_key;
ALTER TABLE script_embeddings ADD CONSTRAINT script_embeddings_script_id_key UNIQUE (script_id);
