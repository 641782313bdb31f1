-- 0029_embedding_models (down): one row per script again. Where a script has rows of
-- several models, the most recently written one stays (psscript reembed makes the others).
DROP FUNCTION psscript_vector_support();
DELETE FROM script_embeddings e USING script_embeddings n
 WHERE n.script_id = e.script_id AND n.seq > e.seq;
ALTER TABLE script_embeddings DROP CONSTRAINT script_embeddings_script_model_key;
ALTER TABLE script_embeddings ADD CONSTRAINT script_embeddings_script_id_key UNIQUE (script_id);
