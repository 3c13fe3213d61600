-- Hotspots and early warnings (docs/SIGNALS.md "Hotspots and warnings", domain/burst.h).
--
-- signal_count: the cases per cell and day and the people behind them, kept by the same
-- transaction as each case write (store::stats::record_change). One row per (area, dimension,
-- term, day, person): area is each node of the case's chain from its county down to its place;
-- dimension 'category' (term: the leaf category) — topic words come as dimension 'word'; day
-- counts days since 1970-01-01 in China time (received_at); person is domain::person_of, a
-- 24-bit pseudonym. A cell's cases on a day are SUM(cases), its people COUNT(*).
CREATE TABLE signal_count (
  area_code TEXT NOT NULL,
  dimension TEXT NOT NULL,
  term      TEXT NOT NULL,
  day       BIGINT NOT NULL,
  person    BIGINT NOT NULL,
  cases     BIGINT NOT NULL,
  PRIMARY KEY (area_code, dimension, term, day, person)
);
-- The detector's step reads the last few days of every cell; hot places read a period.
CREATE INDEX signal_count_day ON signal_count (dimension, day, area_code);

-- One warning per burst of a cell: open (new, acknowledged) until handled or dismissed; at most
-- one open per cell, updated as the burst grows.
CREATE TABLE burst_warning (
  id            INTEGER PRIMARY KEY,
  area_code     TEXT NOT NULL,
  dimension     TEXT NOT NULL,
  term          TEXT NOT NULL,
  level         TEXT NOT NULL,
  status        TEXT NOT NULL,
  first_day     BIGINT NOT NULL,
  last_day      BIGINT NOT NULL,
  cases         BIGINT NOT NULL,
  people        BIGINT NOT NULL,
  baseline_rate DOUBLE PRECISION NOT NULL,
  p_value       DOUBLE PRECISION NOT NULL,
  unit_id       BIGINT REFERENCES unit (id),
  raised_at     BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  version       BIGINT NOT NULL,
  note          TEXT NOT NULL,
  acted_by      TEXT NOT NULL
);
CREATE UNIQUE INDEX burst_warning_open ON burst_warning (area_code, dimension, term)
  WHERE status IN ('new', 'acknowledged');
CREATE INDEX burst_warning_area ON burst_warning (area_code, raised_at);

-- The evidence: the cases of the cell in the burst's window.
CREATE TABLE burst_warning_case (
  warning_id  BIGINT NOT NULL REFERENCES burst_warning (id),
  case_number TEXT NOT NULL,
  PRIMARY KEY (warning_id, case_number)
);
