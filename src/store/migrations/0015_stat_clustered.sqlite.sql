-- case_stat kept in its key's order (WITHOUT ROWID). As a rowid table every row a case write
-- adds to or changes touched two pages: the row's page and its key's page in the primary key's
-- index, both at random. Clustered, it is one: a case's ~30 sums (five levels, three grains,
-- with and without the category) dirtied ~9.7 pages of the write-ahead log per case at 1M
-- cases, the most of any table (docs/PERFORMANCE.md "Where create-case's time goes").
CREATE TABLE case_stat_clustered (
  area_code     TEXT NOT NULL,
  grain         INTEGER NOT NULL,
  bucket        BIGINT NOT NULL,
  kind          TEXT NOT NULL,
  category_code TEXT NOT NULL,
  received      BIGINT NOT NULL,
  merged        BIGINT NOT NULL,
  responded     BIGINT NOT NULL,
  accepted      BIGINT NOT NULL,
  declined      BIGINT NOT NULL,
  resolved      BIGINT NOT NULL,
  on_time       BIGINT NOT NULL,
  closed        BIGINT NOT NULL,
  rated         BIGINT NOT NULL,
  satisfied     BIGINT NOT NULL,
  escalations   BIGINT NOT NULL,
  open          BIGINT NOT NULL,
  overdue       BIGINT NOT NULL,
  PRIMARY KEY (area_code, grain, bucket, kind, category_code)
) WITHOUT ROWID;
INSERT INTO case_stat_clustered
SELECT area_code, grain, bucket, kind, category_code, received, merged, responded, accepted,
       declined, resolved, on_time, closed, rated, satisfied, escalations, open, overdue
FROM case_stat ORDER BY area_code, grain, bucket, kind, category_code;
DROP TABLE case_stat;
ALTER TABLE case_stat_clustered RENAME TO case_stat;
