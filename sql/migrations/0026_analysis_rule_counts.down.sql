-- 0026_analysis_rule_counts (down)
DROP TRIGGER script_analysis_rule_counts ON script_analysis;
DROP FUNCTION psscript_analysis_rule_counts();
DROP TABLE analysis_rule_counts;
