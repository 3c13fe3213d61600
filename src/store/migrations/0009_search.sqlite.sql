-- Full-text search over the cases' words (description, address, reply; never the submitter's
-- name or contact). jiceng's own tokenizer (src/text/) writes the tokens, space-separated:
-- `sequence` holds words, lone CJK characters and overlapping CJK pairs in text order (so that
-- phrases are adjacent tokens), `unigrams` every character of the longer CJK runs. unicode61
-- only splits at the spaces. Contentless: the index keeps no copy of the text; a row's rowid is
-- its case's rowid, and store/search_repo.cc keeps it in step with the case in the same
-- transaction. The migration step that follows this script indexes the existing cases.
CREATE VIRTUAL TABLE case_search USING fts5(
  sequence, unigrams, content = '', tokenize = 'unicode61 remove_diacritics 0');
