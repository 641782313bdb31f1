-- 0011_chat_history: stored chat conversations, deleted with their owner.
-- embedding starts as real[]; 0012's psscript_upgrade_vectors() turns it into
-- vector(1536) wherever pgvector is installed.
CREATE TABLE chat_history (
	id         SERIAL PRIMARY KEY,
	user_id    INTEGER     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	messages   JSONB       NOT NULL,
	response   TEXT        NOT NULL,
	embedding  REAL[],
	created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
	updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
	-- beyond the spec: the API's sessionId, grouping the turns of one conversation
	session_id UUID,
	CONSTRAINT chat_history_messages_check CHECK (jsonb_typeof(messages) = 'array'),
	CONSTRAINT chat_history_embedding_check CHECK (psscript_valid_embedding(embedding))
);

CREATE INDEX chat_history_user_id_idx ON chat_history (user_id);
CREATE INDEX chat_history_created_at_idx ON chat_history (created_at);
CREATE INDEX chat_history_session_idx ON chat_history (user_id, session_id) WHERE session_id IS NOT NULL;

CREATE TRIGGER chat_history_set_updated_at BEFORE UPDATE ON chat_history
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at();
