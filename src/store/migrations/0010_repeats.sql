-- Repeat detection at intake (store/repeat_repo.h): what a case looked like when it was
-- registered, in the form candidates are looked up by. The same SQL on both stores.
-- case_signature: the MinHash of the description's topic words (text/minhash.h, 128 hex
-- digits), where and what it was about, and a key of the submitter's contact within the county
-- (a 64-bit hash, NULL for anonymous cases and cases without a contact) — never the contact.
-- case_band: one row per MinHash band; a band key already holds the county, so one index
-- finds the cases of the same area that share a band, newest first.
-- store/repeat_repo.cc writes both in the transaction that inserts the case; the migration
-- step that follows this script fills them for the cases stored before it.
CREATE TABLE case_signature (
  number        TEXT PRIMARY KEY REFERENCES cases (number),
  place_code    TEXT NOT NULL,
  category_code TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  contact_key   BIGINT,
  minhash       TEXT NOT NULL
);
CREATE INDEX case_signature_contact ON case_signature (contact_key, created_at);
CREATE INDEX case_signature_place ON case_signature (place_code, category_code, created_at);

CREATE TABLE case_band (
  band_key   BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  number     TEXT NOT NULL REFERENCES cases (number),
  PRIMARY KEY (band_key, created_at, number)
);
