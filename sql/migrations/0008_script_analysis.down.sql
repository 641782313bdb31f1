-- 0008_script_analysis (down)
DROP TABLE script_analysis;
