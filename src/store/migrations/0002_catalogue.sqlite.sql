-- The catalogue cases hang on: the category tree (分类树), the units that handle cases (单位) and
-- the dispatch catalogue (派单目录), with a default catalogue and demo routing rules.
-- Levels are the jurisdiction levels: 3 county, 4 township, 5 village.

CREATE TABLE category (
  code              TEXT PRIMARY KEY,        -- short ASCII, e.g. 'env.noise'
  parent_code       TEXT REFERENCES category (code),  -- NULL for a top-level category
  name_zh           TEXT NOT NULL,
  name_en           TEXT NOT NULL,
  time_limit_amount INTEGER NOT NULL CHECK (time_limit_amount > 0),
  time_limit_unit   TEXT NOT NULL CHECK (time_limit_unit IN ('hours', 'calendar_days', 'working_days')),
  routing_level     INTEGER NOT NULL CHECK (routing_level BETWEEN 3 AND 5),
  active            INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  sort_order        INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- department: the county department a county_department unit is (住建局, 人社局, …).
CREATE TABLE unit (
  id                INTEGER PRIMARY KEY,
  name              TEXT NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('village_committee', 'township_government',
                                                  'county_department', 'petition_bureau',
                                                  'hotline_center')),
  department        TEXT,
  jurisdiction_code TEXT NOT NULL REFERENCES jurisdiction (code),
  active            INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  CHECK ((kind = 'county_department') = (department IS NOT NULL))
);
-- Units by node (the index on jurisdiction_code); names are unique on a node.
CREATE UNIQUE INDEX unit_jurisdiction ON unit (jurisdiction_code, name);

-- NULL kind, category or place: any. A rule on a category covers its descendants, a rule on a
-- place its subtree; keywords (comma-separated) must all appear in the case's description.
CREATE TABLE routing_rule (
  id            INTEGER PRIMARY KEY,
  kind          TEXT CHECK (kind IN ('demand', 'petition')),
  category_code TEXT REFERENCES category (code),
  place_code    TEXT REFERENCES jurisdiction (code),
  keywords      TEXT,
  level         INTEGER NOT NULL CHECK (level BETWEEN 3 AND 5),
  department    TEXT,                        -- county level only
  priority      INTEGER NOT NULL DEFAULT 0,
  CHECK (department IS NULL OR level = 3)
);
