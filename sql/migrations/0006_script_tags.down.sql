-- 0006_script_tags (down)
DROP TABLE script_tags;
