-- The jurisdiction tree, the working-day calendar and deployment settings.
CREATE TABLE jurisdiction (
  code        TEXT PRIMARY KEY,              -- 2, 4, 6, 9 or 12 digits (GB/T 2260 and below)
  name        TEXT NOT NULL,
  level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
  parent_code TEXT REFERENCES jurisdiction (code),
  CHECK ((level = 1) = (parent_code IS NULL))
) WITHOUT ROWID;
CREATE INDEX jurisdiction_parent ON jurisdiction (parent_code, code);
CREATE INDEX jurisdiction_name ON jurisdiction (name);

-- Official holidays (kind 1) and make-up workdays (kind 2, 调休上班); other days follow the week.
CREATE TABLE calendar_day (
  day  TEXT PRIMARY KEY,                     -- 'YYYY-MM-DD'
  kind INTEGER NOT NULL CHECK (kind IN (1, 2)),
  name TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE setting (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
