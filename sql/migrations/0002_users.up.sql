-- 0002_users: accounts, with the lockout columns and the spec's user security indexes.
CREATE TABLE users (
	id             SERIAL PRIMARY KEY,
	username       VARCHAR(255) NOT NULL,
	email          VARCHAR(255) NOT NULL,
	password_hash  VARCHAR(255) NOT NULL,
	role           VARCHAR(50)  NOT NULL DEFAULT 'user',
	last_login_at  TIMESTAMPTZ,
	login_attempts INTEGER      NOT NULL DEFAULT 0,
	locked_until   TIMESTAMPTZ,
	created_at     TIMESTAMPTZ  NOT NULL DEFAULT now(),
	updated_at     TIMESTAMPTZ  NOT NULL DEFAULT now(),
	-- the spec's idx_users_email and idx_users_username are these UNIQUE indexes
	CONSTRAINT idx_users_email UNIQUE (email),
	CONSTRAINT idx_users_username UNIQUE (username),
	CONSTRAINT users_role_check CHECK (role IN ('user', 'admin')),
	CONSTRAINT users_login_attempts_check CHECK (login_attempts >= 0),
	CONSTRAINT users_username_check CHECK (btrim(username) <> ''),
	CONSTRAINT users_email_check CHECK (position('@' IN email) > 1),
	CONSTRAINT users_password_hash_check CHECK (password_hash <> '')
);

-- No two accounts may differ only in letter case.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));

CREATE INDEX idx_users_role ON users (role);
CREATE INDEX idx_users_email_password ON users (email, password_hash);
CREATE INDEX idx_users_locked_until ON users (locked_until);
CREATE INDEX idx_users_login_attempts ON users (login_attempts);
CREATE INDEX idx_users_last_login ON users (last_login_at);
CREATE INDEX idx_users_created_at ON users (created_at);

-- A login (last_login_at, login_attempts, locked_until) is not a profile update.
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at('last_login_at', 'login_attempts', 'locked_until');
