-- Counts by topic word (docs/SIGNALS.md "Counts by topic word"): signal_count gets rows of
-- dimension 'word' (term: the word) for each case's counted words in its county and township,
-- kept by every case write from now on; the migration's step (store::signals::count_all_words)
-- counts the cases stored before it. No row of that dimension exists yet; the statement makes
-- the step start from none in any case.
DELETE FROM signal_count WHERE dimension = 'word';
