-- 0007_script_versions (down)
DROP TABLE script_versions;
