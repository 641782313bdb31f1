-- 0015_jobs: the job queue of psscript-worker.
--
-- Take a job:  UPDATE jobs SET status = 'running', attempts = attempts + 1,
--                     locked_by = $1, locked_at = now(), heartbeat_at = now()
--               WHERE id = (SELECT id FROM jobs
--                            WHERE status = 'queued' AND run_at <= now()
--                            ORDER BY priority DESC, run_at, id
--                            FOR UPDATE SKIP LOCKED LIMIT 1)
--              RETURNING *;
-- A running job whose heartbeat_at is stale belonged to a dead worker and is
-- set back to 'queued' (or 'failed' once attempts = max_attempts).
-- Every insert of a queued job, and every job set back to 'queued', sends
-- NOTIFY jobs with the job type as payload.
CREATE TABLE jobs (
	id           BIGSERIAL PRIMARY KEY,
	type         TEXT        NOT NULL,
	payload      JSONB       NOT NULL DEFAULT '{}',
	status       TEXT        NOT NULL DEFAULT 'queued',
	-- higher runs first
	priority     INTEGER     NOT NULL DEFAULT 0,
	attempts     INTEGER     NOT NULL DEFAULT 0,
	max_attempts INTEGER     NOT NULL DEFAULT 5,
	run_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
	locked_by    TEXT,
	locked_at    TIMESTAMPTZ,
	heartbeat_at TIMESTAMPTZ,
	last_error   TEXT,
	-- optional: at most one queued or running job per key (e.g. 'analyze:42')
	dedup_key    TEXT,
	created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
	updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
	finished_at  TIMESTAMPTZ,
	CONSTRAINT jobs_type_check CHECK (type ~ '^[a-z][a-z0-9_.-]{0,62}$'),
	CONSTRAINT jobs_status_check CHECK (status IN ('queued', 'running', 'done', 'failed')),
	CONSTRAINT jobs_attempts_check CHECK (attempts >= 0),
	CONSTRAINT jobs_max_attempts_check CHECK (max_attempts >= 1),
	CONSTRAINT jobs_payload_check CHECK (jsonb_typeof(payload) = 'object')
);

-- The runnable queue, in the order workers take it.
CREATE INDEX idx_jobs_runnable ON jobs (priority DESC, run_at, id) WHERE status = 'queued';
-- Running jobs by heartbeat, to find those of dead workers.
CREATE INDEX idx_jobs_running ON jobs (heartbeat_at) WHERE status = 'running';
CREATE UNIQUE INDEX idx_jobs_dedup_key ON jobs (dedup_key)
	WHERE dedup_key IS NOT NULL AND status IN ('queued', 'running');
CREATE INDEX idx_jobs_type_status ON jobs (type, status);

CREATE TRIGGER jobs_set_updated_at BEFORE UPDATE ON jobs
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at();

CREATE FUNCTION psscript_jobs_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('jobs', NEW.type);
	RETURN NULL;
END;
$$;

CREATE TRIGGER jobs_notify_insert AFTER INSERT ON jobs
	FOR EACH ROW WHEN (NEW.status = 'queued')
	EXECUTE FUNCTION psscript_jobs_notify();
CREATE TRIGGER jobs_notify_requeue AFTER UPDATE OF status ON jobs
	FOR EACH ROW WHEN (NEW.status = 'queued' AND OLD.status <> 'queued')
	EXECUTE FUNCTION psscript_jobs_notify();
