-- 0014_user_sessions: server-side sessions.  The client holds an opaque
-- random token; only its SHA-256 is stored.  A login creates one family
-- (family_id) of an access and a refresh token; refreshing revokes the used
-- refresh token, points replaced_by at its successor and issues a new pair in
-- the same family.  Presenting a revoked refresh token is reuse: the whole
-- family is revoked (UPDATE ... SET revoked_at = now() WHERE family_id = $1).
CREATE TABLE user_sessions (
	id           BIGSERIAL PRIMARY KEY,
	user_id      INTEGER     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	-- lower-case hex SHA-256 of the token
	token_hash   TEXT        NOT NULL,
	kind         TEXT        NOT NULL,
	family_id    UUID        NOT NULL DEFAULT gen_random_uuid(),
	expires_at   TIMESTAMPTZ NOT NULL,
	revoked_at   TIMESTAMPTZ,
	replaced_by  BIGINT      REFERENCES user_sessions (id) ON DELETE SET NULL,
	-- for cookie sessions of the web pages: the token the forms must echo
	csrf_token   TEXT,
	ip_address   VARCHAR(45),
	user_agent   TEXT,
	created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
	last_used_at TIMESTAMPTZ,
	CONSTRAINT user_sessions_token_hash_key UNIQUE (token_hash),
	CONSTRAINT user_sessions_token_hash_check CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	CONSTRAINT user_sessions_kind_check CHECK (kind IN ('access', 'refresh')),
	CONSTRAINT user_sessions_expires_at_check CHECK (expires_at > created_at)
);

CREATE INDEX idx_user_sessions_user ON user_sessions (user_id);
CREATE INDEX idx_user_sessions_family ON user_sessions (family_id);
CREATE INDEX idx_user_sessions_expires ON user_sessions (expires_at);
CREATE INDEX idx_user_sessions_replaced_by ON user_sessions (replaced_by) WHERE replaced_by IS NOT NULL;
