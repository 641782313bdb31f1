-- 0021_visible_dedup: a private script acts as absent for everyone else, the duplicate
-- check too (issue 12 item 5). Before, one UNIQUE index on file_hash made every content
-- unique across all users, so storing content that another user keeps private answered 409
-- with that script's id, confirming its content. Now a content is unique per owner
-- (idx_scripts_owner_file_hash; scripts without an owner count as one owner) and among
-- public scripts (idx_scripts_public_file_hash): two users may each keep the same content
-- private, while a user never holds two copies and the public library none. The service
-- refuses a copy of a public script as well, checking under a transaction-level advisory
-- lock on the hash (docs/library.md "What a duplicate is"). idx_scripts_file_hash stays,
-- as the spec's plain B-tree, for the lookups by content.
DROP INDEX idx_scripts_file_hash;
CREATE INDEX idx_scripts_file_hash ON scripts (file_hash);
CREATE UNIQUE INDEX idx_scripts_owner_file_hash ON scripts (file_hash, user_id) NULLS NOT DISTINCT
	WHERE file_hash IS NOT NULL;
CREATE UNIQUE INDEX idx_scripts_public_file_hash ON scripts (file_hash) WHERE is_public;
