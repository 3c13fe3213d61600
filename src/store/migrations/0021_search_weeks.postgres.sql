-- The search index by week (issue 6's search speed on PostgreSQL): GIN gives a word's matches
-- in no order, so the newest 2,000 of a frequent word meant reading all of them. Each document
-- now also holds the lexemes of its case's week in the deployment and in each scope of its place
-- (τw2969 τ360603w2969 …: the whole weeks since 1970 of created_at, store/search_repo.h
-- kWeekMark), and the row its case's created_at, so that a search asks its scope's newest weeks
-- first and stops when its window is full (store/search_repo.cc, find_in_postgres). The table is made anew, empty; the migration step that follows this
-- script indexes every case again, oldest first, so that a week's rows lie together.
DROP TABLE case_search;
CREATE TABLE case_search (
  number     TEXT PRIMARY KEY REFERENCES cases (number),
  created_at BIGINT NOT NULL,
  document   TSVECTOR NOT NULL
);
CREATE INDEX case_search_document ON case_search USING GIN (document);
