-- 0007_script_versions: every version of a script's content.
CREATE TABLE script_versions (
	id             SERIAL PRIMARY KEY,
	script_id      INTEGER     NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
	content        TEXT        NOT NULL,
	version        INTEGER     NOT NULL,
	-- the spec gives no cascade here: the version stays when its author is deleted
	user_id        INTEGER     REFERENCES users (id) ON DELETE SET NULL,
	commit_message TEXT,
	created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
	CONSTRAINT script_versions_script_id_version_key UNIQUE (script_id, version),
	CONSTRAINT script_versions_version_check CHECK (version >= 1)
);

CREATE INDEX idx_script_versions_script ON script_versions (script_id);
CREATE INDEX idx_script_versions_user ON script_versions (user_id);
