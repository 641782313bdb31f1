-- 0001_helper_functions (down)
DROP FUNCTION psscript_valid_embedding(real[]);
DROP FUNCTION psscript_set_updated_at();
