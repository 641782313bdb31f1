-- 0028_chat_history_search (down)
DROP INDEX chat_history_user_updated_idx;
DROP INDEX chat_history_session_idx;
CREATE INDEX chat_history_session_idx ON chat_history (user_id, session_id) WHERE session_id IS NOT NULL;
ALTER TABLE chat_history ALTER COLUMN session_id DROP DEFAULT,
	ALTER COLUMN session_id DROP NOT NULL;
ALTER TABLE chat_history
	DROP COLUMN embedding_model,
	DROP COLUMN question_vector,
	DROP COLUMN sources,
	DROP COLUMN title;
