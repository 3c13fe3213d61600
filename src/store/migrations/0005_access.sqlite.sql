-- Access and audit: accounts (staff and residents), server-side sessions, API keys of Open311
-- apps, and the hash-chained audit log. Secrets are never stored: passwords as argon2id hashes,
-- session tokens and API keys as SHA-256 digests.

-- role: operator, handler, unit_head, mediator, correction_officer, grid_worker, cadre, leader,
-- admin, auditor for staff; resident for residents. scope_code: the staff member's jurisdiction
-- subtree (NULL for residents).
CREATE TABLE account (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,   -- staff: a login name; residents: phone or e-mail
  kind          TEXT NOT NULL CHECK (kind IN ('staff', 'resident')),
  role          TEXT NOT NULL,
  scope_code    TEXT REFERENCES jurisdiction (code),
  unit_id       BIGINT REFERENCES unit (id),
  display_name  TEXT NOT NULL,
  password_hash TEXT NOT NULL,          -- libsodium crypto_pwhash_str (argon2id)
  totp_secret   TEXT,                   -- base32; NULL without a second factor
  totp_last_step BIGINT NOT NULL DEFAULT 0,  -- the last accepted TOTP step: no code is used twice
  disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at    BIGINT NOT NULL,
  CHECK ((kind = 'staff') = (scope_code IS NOT NULL)),
  CHECK ((kind = 'resident') = (role = 'resident'))
);

CREATE TABLE session (
  token_hash   TEXT PRIMARY KEY,        -- SHA-256 of the cookie's token, hex
  account_id   BIGINT NOT NULL REFERENCES account (id),
  csrf_token   TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  remote       TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_account ON session (account_id);

CREATE TABLE api_key (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  key_hash   TEXT NOT NULL UNIQUE,      -- SHA-256 of the key's secret part, hex
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);

-- The audit log: append-only, one row per state-changing command and per read of a person's
-- record, never holding the personal data itself. Each entry's hash covers its fields and the
-- previous entry's hash (store/audit_repo.h); audit_head holds the newest (seq, hash) and is updated in the
-- same transaction, which also serializes appends.
CREATE TABLE audit_log (
  seq         BIGINT PRIMARY KEY,       -- 1, 2, … without gaps
  at          BIGINT NOT NULL,          -- microseconds since the Unix epoch (UTC)
  actor       TEXT NOT NULL,            -- a username, 'resident:ID', 'app:ID', 'anonymous', 'system'
  role        TEXT NOT NULL,
  action      TEXT NOT NULL,            -- 'case.read', 'case.accept', 'session.login', …
  object_type TEXT NOT NULL,            -- 'case', 'account', 'audit', … ('' for none)
  object_id   TEXT NOT NULL,
  purpose     TEXT NOT NULL,            -- the stated purpose of a read, where one is asked
  outcome     TEXT NOT NULL,            -- 'ok', 'denied', 'failed', 'throttled'
  remote      TEXT NOT NULL,            -- the client's address
  request_id  TEXT NOT NULL,
  prev_hash   TEXT NOT NULL,            -- hex SHA-256 of the previous entry (64 zeros for seq 1)
  hash        TEXT NOT NULL
);
CREATE INDEX audit_actor ON audit_log (actor, seq);
CREATE INDEX audit_object ON audit_log (object_type, object_id, seq);
CREATE INDEX audit_at ON audit_log (at);

CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only in the database too (the hash chain catches whoever drops these triggers).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Cases: the resident account a case belongs to (NULL for anonymous and staff-registered ones),
-- and the unit a whistle-blowing case accuses (never shown to it, never routed to it).
ALTER TABLE cases ADD COLUMN resident_id BIGINT REFERENCES account (id);
ALTER TABLE cases ADD COLUMN accused_unit_id BIGINT REFERENCES unit (id);
CREATE INDEX cases_resident ON cases (resident_id);
