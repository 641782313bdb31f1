-- 0003_categories: script categories, names unique regardless of letter case.
CREATE TABLE categories (
	id          SERIAL PRIMARY KEY,
	name        VARCHAR(255) NOT NULL,
	description TEXT,
	created_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
	updated_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
	CONSTRAINT categories_name_check CHECK (btrim(name) <> '')
);

-- Stronger than the spec's UNIQUE (name): "Security" and "security" collide (API.md).
CREATE UNIQUE INDEX categories_name_lower_key ON categories (lower(name));

CREATE TRIGGER categories_set_updated_at BEFORE UPDATE ON categories
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at();
