-- Links to the submitter's photos or files of a matter (domain::Intake::media_url: Open311's
-- media_url, or media_url in POST /api/v1/cases), as given, numbered from 0 per case in the
-- order they came. Shown to staff in the case file only: a photo can show people, so the
-- public views (the tracking page, Open311's lists) leave it out, as they leave out the
-- description. A table of its own, so that the many cases without one cost nothing.
CREATE TABLE case_media (
  number   TEXT NOT NULL REFERENCES cases (number),
  position INTEGER NOT NULL,
  url      TEXT NOT NULL,
  added_at BIGINT NOT NULL,
  PRIMARY KEY (number, position)
);
