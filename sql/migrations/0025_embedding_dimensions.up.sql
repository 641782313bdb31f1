-- 0025_embedding_dimensions: script_embeddings holds each script's vector of the model that
-- made it, in that model's dimension (the built-in model's 256, text-embedding-3-small's
-- 1536...) instead of a fixed 1536 (docs/search.md). No row is lost: every stored vector
-- stays, and `dimensions` is filled from it.
--
-- `seq` numbers the writes: every insert and update takes the next value of
-- script_embeddings_seq, and every delete advances it too, so the sequence's last value
-- tells a reader whether its copy (the flat vector file the job runner writes) is current.
-- `text_hash` is the SHA-256 of the text that was embedded (a re-embedding of an unchanged
-- text with the same model is skipped).
--
-- With pgvector, the column is the dimension-less `vector` and each (model, dimension) has
-- its own partial HNSW cosine index (psscript_embedding_index); without it, real[] with a
-- CHECK that the array has `dimensions` finite numbers.
CREATE SEQUENCE script_embeddings_seq;

ALTER TABLE script_embeddings
	ADD COLUMN dimensions INTEGER,
	ADD COLUMN seq        BIGINT,
	ADD COLUMN text_hash  TEXT;

-- psscript_valid_embedding_n: a real[] embedding of exactly n finite, non-NULL numbers.
CREATE FUNCTION psscript_valid_embedding_n(e real[], n integer) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT array_ndims(e) = 1
	   AND cardinality(e) = n
	   AND array_position(e, NULL) IS NULL
	   AND NOT (e && ARRAY['NaN', 'Infinity', '-Infinity']::real[])
$$;

-- psscript_embedding_index: with pgvector, the HNSW cosine index of one model's vectors
-- (idempotent); 'none' without pgvector or over HNSW's 2,000 dimensions.
CREATE FUNCTION psscript_embedding_index(model text, dims integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	idx text := 'script_embeddings_hnsw_' || substr(md5(model), 1, 12) || '_' || dims;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_attribute
			WHERE attrelid = 'script_embeddings'::regclass AND attname = 'embedding'
			  AND atttypid <> 'real[]'::regtype) OR dims > 2000 THEN
		RETURN 'none';
	END IF;
	EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON script_embeddings USING hnsw '
		'((embedding::vector(%s)) vector_cosine_ops) WHERE model_version = %L AND dimensions = %s',
		idx, dims, model, dims);
	RETURN idx;
END;
$$;

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_attribute
		    WHERE attrelid = 'script_embeddings'::regclass AND attname = 'embedding'
		      AND atttypid = 'real[]'::regtype) THEN
		UPDATE script_embeddings SET dimensions = cardinality(embedding);
		ALTER TABLE script_embeddings DROP CONSTRAINT script_embeddings_embedding_check;
		ALTER TABLE script_embeddings ADD CONSTRAINT script_embeddings_embedding_check
			CHECK (psscript_valid_embedding_n(embedding, dimensions));
	ELSE
		-- pgvector: vector(1536) becomes vector, its one index one per model
		EXECUTE 'UPDATE script_embeddings SET dimensions = vector_dims(embedding)';
		DROP INDEX IF EXISTS script_embeddings_idx;
		EXECUTE 'ALTER TABLE script_embeddings ALTER COLUMN embedding TYPE vector';
	END IF;
END;
$$;

UPDATE script_embeddings SET seq = nextval('script_embeddings_seq');
ALTER TABLE script_embeddings
	ALTER COLUMN dimensions SET NOT NULL,
	ALTER COLUMN seq SET NOT NULL,
	ALTER COLUMN seq SET DEFAULT nextval('script_embeddings_seq'),
	ADD CONSTRAINT script_embeddings_dimensions_check CHECK (dimensions BETWEEN 1 AND 16000);
ALTER SEQUENCE script_embeddings_seq OWNED BY script_embeddings.seq;
SELECT psscript_embedding_index(model_version, dimensions)
  FROM (SELECT DISTINCT model_version, dimensions FROM script_embeddings) m;

CREATE INDEX script_embeddings_model_idx ON script_embeddings (model_version, script_id);

-- A row inserted without its dimension (an older writer) gets its vector's.
CREATE FUNCTION psscript_embeddings_dimensions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.dimensions IS NULL THEN
		NEW.dimensions := array_length(NEW.embedding::real[], 1);
	END IF;
	RETURN NEW;
END;
$$;
CREATE TRIGGER script_embeddings_dimensions BEFORE INSERT ON script_embeddings
	FOR EACH ROW EXECUTE FUNCTION psscript_embeddings_dimensions();

CREATE FUNCTION psscript_embeddings_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' THEN
		NEW.seq := nextval('script_embeddings_seq');
		RETURN NEW;
	END IF;
	PERFORM nextval('script_embeddings_seq');
	RETURN NULL;
END;
$$;
CREATE TRIGGER script_embeddings_seq_update BEFORE UPDATE ON script_embeddings
	FOR EACH ROW EXECUTE FUNCTION psscript_embeddings_seq();
CREATE TRIGGER script_embeddings_seq_delete AFTER DELETE ON script_embeddings
	FOR EACH STATEMENT EXECUTE FUNCTION psscript_embeddings_seq();

-- psscript_upgrade_vectors, as in 0012, except that script_embeddings becomes the
-- dimension-less vector with an index per model (chat_history keeps vector(1536)).
CREATE OR REPLACE FUNCTION psscript_upgrade_vectors() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	m record;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') THEN
		IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
			RETURN 'real[]';
		END IF;
		BEGIN
			CREATE EXTENSION vector;
		EXCEPTION WHEN insufficient_privilege THEN
			RAISE NOTICE 'pgvector is installed but this role may not create the extension; '
				'run CREATE EXTENSION vector as a superuser, then psscript migrate up';
			RETURN 'real[]';
		END;
	END IF;
	IF EXISTS (SELECT 1 FROM pg_attribute
		    WHERE attrelid = 'chat_history'::regclass AND attname = 'embedding'
		      AND atttypid = 'real[]'::regtype) THEN
		ALTER TABLE chat_history DROP CONSTRAINT chat_history_embedding_check;
		EXECUTE 'ALTER TABLE chat_history ALTER COLUMN embedding TYPE vector(1536) '
			'USING embedding::vector(1536)';
		EXECUTE 'CREATE INDEX chat_history_embedding_idx ON chat_history '
			'USING hnsw (embedding vector_cosine_ops)';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_attribute
		    WHERE attrelid = 'script_embeddings'::regclass AND attname = 'embedding'
		      AND atttypid = 'real[]'::regtype) THEN
		ALTER TABLE script_embeddings DROP CONSTRAINT script_embeddings_embedding_check;
		EXECUTE 'ALTER TABLE script_embeddings ALTER COLUMN embedding TYPE vector '
			'USING embedding::vector';
		FOR m IN SELECT DISTINCT model_version, dimensions FROM script_embeddings LOOP
			PERFORM psscript_embedding_index(m.model_version, m.dimensions);
		END LOOP;
	END IF;
	RETURN 'vector';
END;
$$;
