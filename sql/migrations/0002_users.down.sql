-- 0002_users (down)
DROP TABLE users;
