-- 0011_chat_history (down)
DROP TABLE chat_history;
