DROP FUNCTION IF EXISTS psscript_doc_matches(tsquery, text[]);
