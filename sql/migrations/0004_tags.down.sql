-- 0004_tags (down)
DROP TABLE tags;
