DROP INDEX IF EXISTS idx_chat_history_user_category;
ALTER TABLE chat_history DROP COLUMN IF EXISTS category;
