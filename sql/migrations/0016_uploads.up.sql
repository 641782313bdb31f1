-- 0016_uploads: files of POST /api/scripts/upload/async, waiting for or
-- processed by the job worker.  The id is the API's uploadId, batch_id its batchId.
CREATE TABLE uploads (
	id                 UUID         PRIMARY KEY DEFAULT gen_random_uuid(),
	batch_id           UUID         NOT NULL,
	user_id            INTEGER      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	filename           VARCHAR(255) NOT NULL,
	-- the bytes as uploaded (the worker checks the encoding); may be set to
	-- NULL once processed
	content            BYTEA,
	size               INTEGER      NOT NULL,
	status             TEXT         NOT NULL DEFAULT 'queued',
	script_id          INTEGER      REFERENCES scripts (id) ON DELETE SET NULL,
	existing_script_id INTEGER      REFERENCES scripts (id) ON DELETE SET NULL,
	error              TEXT,
	-- {title, description, category_id, tags, is_public, analyze}
	options            JSONB        NOT NULL DEFAULT '{}',
	created_at         TIMESTAMPTZ  NOT NULL DEFAULT now(),
	updated_at         TIMESTAMPTZ  NOT NULL DEFAULT now(),
	CONSTRAINT uploads_status_check
		CHECK (status IN ('queued', 'processing', 'completed', 'duplicate', 'failed')),
	CONSTRAINT uploads_size_check CHECK (size >= 0 AND (content IS NULL OR octet_length(content) = size)),
	CONSTRAINT uploads_filename_check CHECK (filename <> ''),
	CONSTRAINT uploads_options_check CHECK (jsonb_typeof(options) = 'object')
);

CREATE INDEX idx_uploads_batch ON uploads (batch_id);
CREATE INDEX idx_uploads_user ON uploads (user_id, created_at);
CREATE INDEX idx_uploads_script ON uploads (script_id) WHERE script_id IS NOT NULL;
CREATE INDEX idx_uploads_existing_script ON uploads (existing_script_id) WHERE existing_script_id IS NOT NULL;

CREATE TRIGGER uploads_set_updated_at BEFORE UPDATE ON uploads
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at();
