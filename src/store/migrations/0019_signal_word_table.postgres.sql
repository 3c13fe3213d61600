-- Counts by topic word in a table of their own (docs/SIGNALS.md "Counts by topic word"), keyed
-- by area and day, so that a case's word rows land beside the same day's rows of its county and
-- township. In signal_count (0018) each word row was a random insert into its key and its index
-- by day (and, in SQLite, its rowid table): a create-case lost a third of its rate to them, and a
-- million cases took 1.5 GB more (docs/PERFORMANCE.md "What the word counts cost"). The rows of
-- 0018 are dropped; the migration's step (store::signals::count_all_words) counts every stored
-- case's words again, here.
CREATE TABLE signal_word (
  area_code TEXT NOT NULL,
  day       BIGINT NOT NULL,
  term      TEXT NOT NULL,
  person    BIGINT NOT NULL,
  cases     BIGINT NOT NULL,
  PRIMARY KEY (area_code, day, term, person)
);
DELETE FROM signal_count WHERE dimension = 'word';
