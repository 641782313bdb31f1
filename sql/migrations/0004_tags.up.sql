-- 0004_tags: tags, stored trimmed and lower-cased (API.md).
CREATE TABLE tags (
	id         SERIAL PRIMARY KEY,
	name       VARCHAR(255) NOT NULL,
	created_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
	CONSTRAINT tags_name_key UNIQUE (name),
	CONSTRAINT tags_name_check CHECK (name <> '' AND name = lower(name) AND name = btrim(name))
);
