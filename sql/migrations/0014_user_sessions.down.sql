-- 0014_user_sessions (down)
DROP TABLE user_sessions;
