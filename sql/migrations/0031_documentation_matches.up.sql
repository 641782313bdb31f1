-- 0031_documentation_matches: the documentation search's matches through the indexes
-- (issue 15; docs/documentation.md "Search cost").
-- On a table of about a thousand pages the planner scans it for a common word rather than use
-- idx_documentation_search (it does not count the cost of reading every page's search_vector,
-- tens of kilobytes kept out of line): 18 ms a query for "process" (445 matches) against
-- 0.5 ms through the GIN index. This function asks for the indexes (a BitmapOr of the text's
-- and the command names' GIN indexes) and ranks the matches by rank_vector: 2 ms.
-- The rank is divided by 1 + the log of the number of distinct words of the ranked text
-- (normalization 16): a page whose words are about the query (a cmdlet's) ranks above one
-- that names everything (a module's list of cmdlets) for the same matches.
CREATE FUNCTION psscript_doc_matches(q tsquery, names text[])
RETURNS TABLE (id integer, rank float8, exact boolean)
LANGUAGE sql STABLE PARALLEL SAFE SET enable_seqscan = off AS $$
	SELECT d.id, ts_rank(d.rank_vector, q, 16)::float8, d.command_names && names
	FROM documentation d WHERE d.search_vector @@ q OR d.command_names && names
$$;
