-- 0020_login_devices: lockout that cannot be turned against the owner (OWASP "device
-- cookies", issue 12).  A successful login hands the client a device token,
-- "<user id>.<nonce>.<HMAC-SHA256 under the server secret>"; a login (or a check of the
-- current password) presenting a valid one for that account counts its failures on the
-- device's own row here instead of the account's, so failures from elsewhere cannot lock
-- that device out, and guessing through a stolen token locks only that token.
CREATE TABLE server_secrets (
	name       TEXT        PRIMARY KEY,
	-- 32 random bytes in hex, written by the first worker that needs it
	secret     TEXT        NOT NULL,
	created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
	CONSTRAINT server_secrets_secret_check CHECK (secret ~ '^[0-9a-f]{64}$')
);

CREATE TABLE device_lockouts (
	nonce          TEXT        PRIMARY KEY,
	user_id        INTEGER     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	login_attempts INTEGER     NOT NULL DEFAULT 0,
	locked_until   TIMESTAMPTZ,
	updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
	CONSTRAINT device_lockouts_nonce_check CHECK (nonce ~ '^[0-9a-f]{32}$'),
	CONSTRAINT device_lockouts_login_attempts_check CHECK (login_attempts >= 0)
);
CREATE INDEX idx_device_lockouts_user ON device_lockouts (user_id);
CREATE TRIGGER device_lockouts_set_updated_at BEFORE UPDATE ON device_lockouts
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at();

-- Every lock, for the administrators (GET /api/users/:id/lock-events).
CREATE TABLE lock_events (
	id           BIGSERIAL   PRIMARY KEY,
	user_id      INTEGER     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	-- account: untrusted clients are locked out; device: one device token is
	scope        TEXT        NOT NULL,
	-- what was being guessed: a login, or the current password of a signed-in session
	source       TEXT        NOT NULL,
	locked_until TIMESTAMPTZ NOT NULL,
	ip_address   VARCHAR(45),
	user_agent   TEXT,
	created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
	CONSTRAINT lock_events_scope_check CHECK (scope IN ('account', 'device')),
	CONSTRAINT lock_events_source_check CHECK (source IN ('login', 'current_password'))
);
CREATE INDEX idx_lock_events_user ON lock_events (user_id, created_at DESC);
