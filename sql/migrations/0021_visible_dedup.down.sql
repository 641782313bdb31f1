-- 0021_visible_dedup (down): one content, one script again. Fails while two users keep the
-- same content (delete one of the copies first).
DROP INDEX idx_scripts_public_file_hash;
DROP INDEX idx_scripts_owner_file_hash;
DROP INDEX idx_scripts_file_hash;
CREATE UNIQUE INDEX idx_scripts_file_hash ON scripts (file_hash);
