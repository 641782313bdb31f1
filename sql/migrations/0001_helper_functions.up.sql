-- 0001_helper_functions: functions the later migrations share.

-- psscript_set_updated_at: BEFORE UPDATE row trigger that keeps updated_at
-- current.  Callers never set updated_at themselves.  Optional trigger
-- arguments name columns whose changes alone do not count as an update (for
-- example a script's execution counters): when nothing else changed, the old
-- updated_at is kept.
CREATE FUNCTION psscript_set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_NARGS > 0
	   AND (to_jsonb(NEW) - TG_ARGV - 'updated_at'::text)
	       = (to_jsonb(OLD) - TG_ARGV - 'updated_at'::text) THEN
		NEW.updated_at := OLD.updated_at;
	ELSE
		NEW.updated_at := now();
	END IF;
	RETURN NEW;
END;
$$;

COMMENT ON FUNCTION psscript_set_updated_at() IS
	'BEFORE UPDATE trigger: sets updated_at to now(); trigger arguments list columns ignored for that decision';

-- psscript_valid_embedding: true when an embedding stored as real[] can be
-- converted to pgvector's vector(1536): one dimension, 1536 elements, no NULL,
-- NaN or infinite element.  NULL in, NULL out (so a CHECK passes on NULL).
CREATE FUNCTION psscript_valid_embedding(e real[]) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT array_ndims(e) = 1
	   AND cardinality(e) = 1536
	   AND array_position(e, NULL) IS NULL
	   AND NOT (e && ARRAY['NaN', 'Infinity', '-Infinity']::real[])
$$;

COMMENT ON FUNCTION psscript_valid_embedding(real[]) IS
	'true when a real[] embedding has 1536 finite, non-NULL elements (convertible to vector(1536))';
