-- The search index with each case's place (issue 6's search speed): the document also holds a
-- scope lexeme per level of the case's place code from the county down (π360603 π360603101,
-- weight B, store/search_repo.h scope_tokens), so that a search ANDs the caller's scope into
-- the GIN match. The index is emptied here; the migration step that follows this script
-- indexes every case again with its place.
DELETE FROM case_search;
