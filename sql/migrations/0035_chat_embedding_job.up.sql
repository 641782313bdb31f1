-- 0035_chat_embedding_job: a conversation's embedding is computed by the embedding.compute
-- job after the conversation is stored (docs/chat.md, "Embeddings"); the job writes
-- question_vector and embedding_model alone, which must not count as an update of the
-- conversation (the history lists the last updated first). The generated search_vector is
-- left out of the comparison too (a BEFORE trigger does not see it computed).
DROP TRIGGER chat_history_set_updated_at ON chat_history;
CREATE TRIGGER chat_history_set_updated_at BEFORE UPDATE ON chat_history
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at('question_vector', 'embedding_model',
		'embedding', 'search_vector');
-- the rows without a vector of a model, for psscript reembed
CREATE INDEX chat_history_embedding_model_idx ON chat_history (embedding_model, id);
