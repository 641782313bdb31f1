DROP INDEX IF EXISTS chat_history_embedding_model_idx;
DROP TRIGGER chat_history_set_updated_at ON chat_history;
CREATE TRIGGER chat_history_set_updated_at BEFORE UPDATE ON chat_history
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at();
