-- 0033: a conversation's category, as the original React frontend's chat history page sets
-- it (POST /api/chat/:id/category; docs/compat.md). NULL: uncategorized.
ALTER TABLE chat_history ADD COLUMN category TEXT
	CONSTRAINT chat_history_category_len CHECK (category IS NULL OR length(category) BETWEEN 1 AND 50);
CREATE INDEX idx_chat_history_user_category ON chat_history (user_id, category) WHERE category IS NOT NULL;
