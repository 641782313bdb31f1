-- 0009_execution_logs (down)
DROP TABLE execution_logs;
