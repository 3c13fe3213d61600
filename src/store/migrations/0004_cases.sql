-- Cases (demands 诉求 and petitions 信访): the common core, the append-only event history, and
-- the per-county, per-year counters the case numbers come from. The deadlines' timers live in
-- the rows themselves (next_timer_at), so a restart loses none. The case number is the key:
-- readable, unique and stable ("360602-2026-000123").
CREATE TABLE case_counter (
  county_code TEXT NOT NULL,
  year        INTEGER NOT NULL,
  last_seq    BIGINT NOT NULL,
  PRIMARY KEY (county_code, year)
);

CREATE TABLE cases (
  number            TEXT PRIMARY KEY,
  tracking_code     TEXT NOT NULL UNIQUE,
  kind              TEXT NOT NULL CHECK (kind IN ('demand', 'petition')),
  category_code     TEXT NOT NULL REFERENCES category (code),
  place_code        TEXT NOT NULL REFERENCES jurisdiction (code),
  county_code       TEXT NOT NULL,
  address           TEXT NOT NULL,
  lat               DOUBLE PRECISION,
  lon               DOUBLE PRECISION,
  anonymous         INTEGER NOT NULL,
  submitter_name    TEXT NOT NULL,
  submitter_contact TEXT NOT NULL,
  description       TEXT NOT NULL,
  channel           TEXT NOT NULL,
  unit_id           BIGINT REFERENCES unit (id),
  state             TEXT NOT NULL,
  version           BIGINT NOT NULL,
  received_at       BIGINT NOT NULL,   -- microseconds since the Unix epoch (UTC)
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL,
  clock             TEXT NOT NULL,     -- which deadline runs: acceptance, handling, review_reply, none
  clock_started_at  BIGINT,
  deadline_at       BIGINT,
  warned            INTEGER NOT NULL,  -- the warning of the running clock was raised
  breached          INTEGER NOT NULL,  -- the running clock's deadline passed
  next_timer_at     BIGINT,            -- when the scheduler next has something to do for it
  extensions        INTEGER NOT NULL,
  reply             TEXT NOT NULL,
  replied_at        BIGINT,
  rating            TEXT NOT NULL,     -- '', satisfied, basically_satisfied, unsatisfied
  merged_into       TEXT REFERENCES cases (number)
);
CREATE INDEX cases_unit_state ON cases (unit_id, state);
CREATE INDEX cases_place ON cases (place_code);
CREATE INDEX cases_county_created ON cases (county_code, created_at);
CREATE INDEX cases_next_timer ON cases (next_timer_at);

CREATE TABLE case_event (
  case_number TEXT NOT NULL REFERENCES cases (number),
  seq         INTEGER NOT NULL,
  at          BIGINT NOT NULL,
  actor       TEXT NOT NULL,
  command     TEXT NOT NULL,           -- register, accept, …, or a system event (warn, breach)
  from_state  TEXT,
  to_state    TEXT NOT NULL,
  unit_id     BIGINT REFERENCES unit (id),
  note        TEXT NOT NULL,
  public      INTEGER NOT NULL,        -- shown on the resident's tracking page
  PRIMARY KEY (case_number, seq)
);

-- Idempotency keys (Idempotency-Key header): the first response to a (scope, key) is kept and
-- returned again for a retry with the same body; another body with the same key is refused.
CREATE TABLE idempotency_key (
  scope        TEXT NOT NULL,              -- the route, e.g. 'POST /api/v1/cases'
  key          TEXT NOT NULL,
  request_hash TEXT NOT NULL,              -- SHA-256 of the request body, hex
  status       INTEGER NOT NULL,
  body         TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  PRIMARY KEY (scope, key)
);
