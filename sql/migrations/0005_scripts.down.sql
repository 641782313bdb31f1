-- 0005_scripts (down)
DROP TABLE scripts;
