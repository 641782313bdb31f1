-- 0010_documentation (down)
DROP TABLE documentation;
