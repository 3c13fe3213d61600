-- Full-text search over the cases' words (description, address, reply; never the submitter's
-- name or contact). jiceng's own tokenizer (src/text/) writes the tokens, space-separated, and
-- to_tsvector('simple', …) turns them into the document: words, lone CJK characters and
-- overlapping CJK pairs in text order with weight A (so that phrases are adjacent lexemes),
-- every character of the longer CJK runs with weight B. store/search_repo.cc keeps it in step
-- with the case in the same transaction; the migration step that follows this script indexes
-- the existing cases.
CREATE TABLE case_search (
  number   TEXT PRIMARY KEY REFERENCES cases (number),
  document TSVECTOR NOT NULL
);
CREATE INDEX case_search_document ON case_search USING GIN (document);
