-- 0006_script_tags: the script/tag junction; either side's deletion removes the link.
CREATE TABLE script_tags (
	script_id  INTEGER     NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
	tag_id     INTEGER     NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
	PRIMARY KEY (script_id, tag_id)
);

-- The primary key serves lookups by script; this one serves lookups by tag
-- and the cascade from tags.
CREATE INDEX idx_script_tags_tag ON script_tags (tag_id);
