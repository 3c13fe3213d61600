-- The jurisdiction tree, the working-day calendar and deployment settings.
-- Names use the "C" collation so that prefix ranges match SQLite's binary order.
CREATE TABLE jurisdiction (
  code        TEXT PRIMARY KEY,              -- 2, 4, 6, 9 or 12 digits (GB/T 2260 and below)
  name        TEXT COLLATE "C" NOT NULL,
  level       SMALLINT NOT NULL CHECK (level BETWEEN 1 AND 5),
  parent_code TEXT REFERENCES jurisdiction (code),
  CHECK ((level = 1) = (parent_code IS NULL))
);
CREATE INDEX jurisdiction_parent ON jurisdiction (parent_code, code);
CREATE INDEX jurisdiction_name ON jurisdiction (name);

-- Official holidays (kind 1) and make-up workdays (kind 2, 调休上班); other days follow the week.
CREATE TABLE calendar_day (
  day  TEXT PRIMARY KEY,                     -- 'YYYY-MM-DD'
  kind SMALLINT NOT NULL CHECK (kind IN (1, 2)),
  name TEXT NOT NULL
);

CREATE TABLE setting (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
