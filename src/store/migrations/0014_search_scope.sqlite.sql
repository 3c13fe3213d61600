-- The search index with each case's place (issue 6's search speed): the unigrams column also
-- holds a scope token per level of the case's place code from the county down (π360603
-- π360603101, store/search_repo.h scope_tokens), so that a search ANDs the caller's scope into
-- the match and FTS5's newest-first walk meets only the cases of that scope. The index is
-- emptied here; the migration step that follows this script indexes every case again with its
-- place.
INSERT INTO case_search (case_search) VALUES ('delete-all');
