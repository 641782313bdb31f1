-- 0009_execution_logs: executions reported by clients; a deleted user leaves a NULL executor.
CREATE TABLE execution_logs (
	id             SERIAL PRIMARY KEY,
	script_id      INTEGER          NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
	user_id        INTEGER          REFERENCES users (id) ON DELETE SET NULL,
	status         VARCHAR(50)      NOT NULL,
	execution_time DOUBLE PRECISION,
	parameters     JSONB            NOT NULL DEFAULT '{}',
	error_message  TEXT,
	ip_address     VARCHAR(45),
	created_at     TIMESTAMPTZ      NOT NULL DEFAULT now(),
	CONSTRAINT execution_logs_status_check CHECK (status IN ('success', 'failure', 'timeout', 'cancelled')),
	CONSTRAINT execution_logs_execution_time_check CHECK (execution_time >= 0),
	CONSTRAINT execution_logs_parameters_check CHECK (jsonb_typeof(parameters) = 'object')
);

CREATE INDEX idx_execution_logs_script ON execution_logs (script_id);
CREATE INDEX idx_execution_logs_user ON execution_logs (user_id);
