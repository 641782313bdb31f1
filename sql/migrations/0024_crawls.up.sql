-- 0024_crawls: the documentation crawler's record. crawls: one row per crawl an admin
-- started (its job, limits, status, counts and the reasons pages were skipped, at most 200
-- kept); crawl_pages: what each crawled URL answered last (its ETag and Last-Modified for
-- the next conditional GET, and its links, followed again when it answers 304).
CREATE TABLE crawls (
	id               BIGSERIAL PRIMARY KEY,
	job_id           BIGINT,
	user_id          INTEGER REFERENCES users(id) ON DELETE SET NULL,
	start_url        VARCHAR(2048) NOT NULL,
	max_pages        INTEGER     NOT NULL,
	depth            INTEGER     NOT NULL,
	same_host        BOOLEAN     NOT NULL DEFAULT true,
	status           VARCHAR(20) NOT NULL DEFAULT 'queued',
	cancel_requested BOOLEAN     NOT NULL DEFAULT false,
	pages_fetched    INTEGER     NOT NULL DEFAULT 0,
	pages_stored     INTEGER     NOT NULL DEFAULT 0,
	pages_unchanged  INTEGER     NOT NULL DEFAULT 0,
	pages_skipped    INTEGER     NOT NULL DEFAULT 0,
	reasons          JSONB       NOT NULL DEFAULT '[]',
	reasons_dropped  INTEGER     NOT NULL DEFAULT 0,
	message          TEXT,
	created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
	started_at       TIMESTAMPTZ,
	finished_at      TIMESTAMPTZ,
	updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
	CONSTRAINT crawls_status_check CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
	CONSTRAINT crawls_limits_check CHECK (max_pages BETWEEN 1 AND 1000 AND depth BETWEEN 0 AND 10),
	CONSTRAINT crawls_reasons_check CHECK (jsonb_typeof(reasons) = 'array')
);
CREATE INDEX idx_crawls_created_at ON crawls (created_at DESC);
CREATE INDEX idx_crawls_user_id ON crawls (user_id);

CREATE TRIGGER crawls_set_updated_at BEFORE UPDATE ON crawls
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at();

CREATE TABLE crawl_pages (
	url           VARCHAR(2048) PRIMARY KEY,
	etag          VARCHAR(512),
	last_modified VARCHAR(100),
	links         JSONB       NOT NULL DEFAULT '[]',
	fetched_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
	CONSTRAINT crawl_pages_links_check CHECK (jsonb_typeof(links) = 'array')
);
