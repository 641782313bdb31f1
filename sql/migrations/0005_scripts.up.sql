-- 0005_scripts: PowerShell scripts, with the SHA-256 content hash used for deduplication.
CREATE TABLE scripts (
	id                     SERIAL PRIMARY KEY,
	title                  VARCHAR(255)     NOT NULL,
	description            TEXT,
	content                TEXT             NOT NULL,
	user_id                INTEGER          REFERENCES users (id) ON DELETE CASCADE,
	category_id            INTEGER          REFERENCES categories (id) ON DELETE SET NULL,
	version                INTEGER          NOT NULL DEFAULT 1,
	is_public              BOOLEAN          NOT NULL DEFAULT false,
	execution_count        INTEGER          NOT NULL DEFAULT 0,
	-- lower-case hex SHA-256 of the content (the spec says MD5; see docs/schema.md)
	file_hash              VARCHAR(255),
	average_execution_time DOUBLE PRECISION,
	last_executed_at       TIMESTAMPTZ,
	created_at             TIMESTAMPTZ      NOT NULL DEFAULT now(),
	updated_at             TIMESTAMPTZ      NOT NULL DEFAULT now(),
	CONSTRAINT scripts_title_check CHECK (btrim(title) <> ''),
	CONSTRAINT scripts_version_check CHECK (version >= 1),
	CONSTRAINT scripts_execution_count_check CHECK (execution_count >= 0),
	CONSTRAINT scripts_file_hash_check CHECK (file_hash ~ '^[0-9a-f]{64}$'),
	CONSTRAINT scripts_average_execution_time_check CHECK (average_execution_time >= 0)
);

CREATE INDEX idx_scripts_category ON scripts (category_id);
CREATE INDEX idx_scripts_user ON scripts (user_id);
-- Unique, so that deduplication holds under concurrent uploads.
CREATE UNIQUE INDEX idx_scripts_file_hash ON scripts (file_hash);

-- Executions (execution_count, average_execution_time, last_executed_at) are
-- not edits of the script; search_vector is added by a later migration.
CREATE TRIGGER scripts_set_updated_at BEFORE UPDATE ON scripts
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at(
		'execution_count', 'average_execution_time', 'last_executed_at', 'search_vector');
