-- 0028_chat_history_search: what the chat stores beside 0011's columns (docs/chat.md).
-- One row is one conversation (the API's sessionId, now unique per owner); messages hold
-- every turn, each assistant turn with the sources it cited. title is the first question,
-- sources the last answer's (0013's search_vector searches the text), question_vector the
-- built-in embedding model's vector of the last question (any dimension; 0011's embedding
-- column stays for a 1536-dimension external model).
ALTER TABLE chat_history
	ADD COLUMN title           TEXT  NOT NULL DEFAULT '',
	ADD COLUMN sources         JSONB NOT NULL DEFAULT '[]',
	ADD COLUMN question_vector REAL[],
	ADD COLUMN embedding_model TEXT,
	ADD CONSTRAINT chat_history_title_check CHECK (length(title) <= 200),
	ADD CONSTRAINT chat_history_sources_check CHECK (jsonb_typeof(sources) = 'array'),
	ADD CONSTRAINT chat_history_question_vector_check
		CHECK (psscript_valid_embedding_n(question_vector, cardinality(question_vector)));

UPDATE chat_history SET session_id = gen_random_uuid() WHERE session_id IS NULL;
-- an older install may hold two rows of one session: the later ones get their own
UPDATE chat_history h SET session_id = gen_random_uuid()
 WHERE EXISTS (SELECT 1 FROM chat_history o
		WHERE o.user_id = h.user_id AND o.session_id = h.session_id AND o.id < h.id);
ALTER TABLE chat_history ALTER COLUMN session_id SET NOT NULL,
	ALTER COLUMN session_id SET DEFAULT gen_random_uuid();
DROP INDEX chat_history_session_idx;
CREATE UNIQUE INDEX chat_history_session_idx ON chat_history (user_id, session_id);
CREATE INDEX chat_history_user_updated_idx ON chat_history (user_id, updated_at DESC, id DESC);
