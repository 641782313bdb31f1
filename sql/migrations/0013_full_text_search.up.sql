-- 0013_full_text_search: generated tsvector columns with GIN indexes for
-- scripts, documentation and chat history, and trigram search over tag names.
--
-- Scripts: title (A) and description (B) are prose and use the 'english'
-- configuration (stemming); content (C) is code and uses 'simple', which keeps
-- every token (cmdlet names, parameters, variables) lower-cased but unstemmed.
-- Search with both configurations:
--   search_vector @@ (websearch_to_tsquery('english', $1) || websearch_to_tsquery('simple', $1))
-- A tsvector is limited to 1 MB, so only the first 100,000 characters of a
-- content (10,000 of a description or summary) are indexed; that bounds the
-- vector well under the limit whatever the text (measured: at most about 4.4
-- bytes of tsvector per character of input).

ALTER TABLE scripts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector('english'::regconfig, title), 'A')
	|| setweight(to_tsvector('english'::regconfig, left(coalesce(description, ''), 10000)), 'B')
	|| setweight(to_tsvector('simple'::regconfig, left(content, 100000)), 'C')
) STORED;
CREATE INDEX idx_scripts_search ON scripts USING gin (search_vector);

ALTER TABLE documentation ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector('english'::regconfig, title), 'A')
	|| setweight(to_tsvector('english'::regconfig, left(coalesce(summary, ''), 10000)), 'B')
	|| setweight(to_tsvector('english'::regconfig, left(coalesce(content, ''), 100000)), 'C')
) STORED;
CREATE INDEX idx_documentation_search ON documentation USING gin (search_vector);

-- psscript_chat_text: the searchable text of a chat turn, the message contents
-- then the response, cut to 100,000 characters.
CREATE FUNCTION psscript_chat_text(messages jsonb, response text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT left(coalesce((SELECT string_agg(m ->> 'content', ' ')
				FROM jsonb_array_elements(CASE jsonb_typeof(messages)
							  WHEN 'array' THEN messages
							  ELSE '[]'::jsonb END) AS m
			       WHERE jsonb_typeof(m) = 'object'), '')
		    || ' ' || coalesce(response, ''), 100000)
$$;

ALTER TABLE chat_history ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
	to_tsvector('english'::regconfig, psscript_chat_text(messages, response))
) STORED;
CREATE INDEX idx_chat_history_search ON chat_history USING gin (search_vector);

-- Tag autocomplete (GET /api/tags?q=, name LIKE 'pre%'): a trigram index
-- through pg_trgm (a trusted extension, shipped with PostgreSQL on Debian),
-- which also serves substring and similarity matches; where pg_trgm cannot be
-- had (not installed, or this role may not create it), a btree prefix index.
DO $$
BEGIN
	BEGIN
		CREATE EXTENSION IF NOT EXISTS pg_trgm;
	EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
		RAISE NOTICE 'pg_trgm not available (%); tag search uses a prefix index', SQLERRM;
	END;
	IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
		EXECUTE 'CREATE INDEX idx_tags_name_trgm ON tags USING gin (name gin_trgm_ops)';
	ELSE
		CREATE INDEX idx_tags_name_prefix ON tags (name text_pattern_ops);
	END IF;
END;
$$;
