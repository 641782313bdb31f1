-- 0030_analytics_rollup (down)
DROP TRIGGER script_analysis_1_analytics_out ON script_analysis;
DROP TRIGGER script_analysis_z_analytics_in ON script_analysis;
DROP FUNCTION psscript_analytics_analysis();
DROP TRIGGER scripts_analytics_insert ON scripts;
DROP TRIGGER scripts_analytics_update ON scripts;
DROP TRIGGER scripts_analytics_delete ON scripts;
DROP FUNCTION psscript_analytics_script();
DROP FUNCTION psscript_analytics_rules_move(INTEGER, INTEGER, BOOLEAN, INTEGER, INTEGER);
DROP FUNCTION psscript_analytics_compact();
DROP TABLE analytics_rule_totals;
DROP TABLE analytics_scripts;
