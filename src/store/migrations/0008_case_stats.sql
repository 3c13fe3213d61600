-- The dashboard's figures (docs/STATS.md, domain/case_stats.h): the facts of every case summed
-- per (area, grain, bucket, kind, category), kept exact by the same transaction as each case
-- write. area_code is every node on the case's chain (province … its place); grain 1 = day
-- (bucket: days since 1970-01-01, China time, of received_at), 2 = month (year × 12 + month − 1),
-- 3 = all time (bucket 0). category_code is the case's own category, or '' for the sum over all
-- categories (what an area's figures read).
CREATE TABLE case_stat (
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
);

-- The same sums recounted from the cases and their events: what case_stat must equal at every
-- commit. Used once below to fill case_stat for the cases that exist, and by the consistency
-- tests. The month of a day number is computed with integer arithmetic (the civil-from-days
-- algorithm), the same in both stores.
CREATE VIEW case_stat_recount AS
WITH lens (n) AS (VALUES (2), (4), (6), (9), (12)),
grains (g) AS (VALUES (1), (2), (3)),
split (by_category) AS (VALUES (1), (0)),
facts AS (
  SELECT c.place_code, c.kind, c.category_code,
         (c.received_at + 28800000000) / 86400000000 AS day,
         CASE WHEN c.state = 'merged' THEN 1 ELSE 0 END AS merged,
         CASE WHEN EXISTS (SELECT 1 FROM case_event e WHERE e.case_number = c.number
                           AND e.command IN ('accept', 'decline')) THEN 1 ELSE 0 END AS responded,
         CASE WHEN EXISTS (SELECT 1 FROM case_event e WHERE e.case_number = c.number
                           AND e.command = 'accept') THEN 1 ELSE 0 END AS accepted,
         CASE WHEN c.state = 'declined' THEN 1 ELSE 0 END AS declined,
         CASE WHEN c.state IN ('resolved', 'followed_up', 'closed', 'under_review', 'reviewed',
                               'under_re_review') THEN 1 ELSE 0 END AS resolved,
         CASE WHEN c.state IN ('resolved', 'followed_up', 'closed', 'under_review', 'reviewed',
                               'under_re_review')
              AND NOT EXISTS (SELECT 1 FROM case_event b WHERE b.case_number = c.number
                              AND b.command = 'breach'
                              AND b.seq < (SELECT MAX(r.seq) FROM case_event r
                                           WHERE r.case_number = c.number
                                           AND r.command = 'resolve'))
              THEN 1 ELSE 0 END AS on_time,
         CASE WHEN c.state = 'closed' THEN 1 ELSE 0 END AS closed,
         CASE WHEN c.rating <> '' THEN 1 ELSE 0 END AS rated,
         CASE WHEN c.rating IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END AS satisfied,
         (SELECT COUNT(*) FROM case_event e WHERE e.case_number = c.number
          AND e.command = 'escalate') AS escalations,
         CASE WHEN c.state IN ('closed', 'declined', 'merged') THEN 0 ELSE 1 END AS open,
         CASE WHEN c.breached <> 0 THEN 1 ELSE 0 END AS overdue
  FROM cases c),
era AS (
  SELECT f.*, (day + 719468) / 146097 AS era,
         day + 719468 - ((day + 719468) / 146097) * 146097 AS doe
  FROM facts f),
yoe AS (
  SELECT era.*, (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365 AS yoe FROM era),
mp AS (
  SELECT yoe.*, (5 * (doe - (365 * yoe + yoe / 4 - yoe / 100)) + 2) / 153 AS mp FROM yoe),
bucketed AS (
  SELECT mp.*,
         (yoe + era * 400 + CASE WHEN mp >= 10 THEN 1 ELSE 0 END) * 12
           + CASE WHEN mp < 10 THEN mp + 2 ELSE mp - 10 END AS month
  FROM mp)
SELECT substr(b.place_code, 1, l.n) AS area_code,
       g.g AS grain,
       CASE g.g WHEN 1 THEN b.day WHEN 2 THEN b.month ELSE 0 END AS bucket,
       b.kind,
       CASE s.by_category WHEN 1 THEN b.category_code ELSE '' END AS category_code,
       CAST(COUNT(*) AS BIGINT) AS received,
       CAST(SUM(b.merged) AS BIGINT) AS merged,
       CAST(SUM(b.responded) AS BIGINT) AS responded,
       CAST(SUM(b.accepted) AS BIGINT) AS accepted,
       CAST(SUM(b.declined) AS BIGINT) AS declined,
       CAST(SUM(b.resolved) AS BIGINT) AS resolved,
       CAST(SUM(b.on_time) AS BIGINT) AS on_time,
       CAST(SUM(b.closed) AS BIGINT) AS closed,
       CAST(SUM(b.rated) AS BIGINT) AS rated,
       CAST(SUM(b.satisfied) AS BIGINT) AS satisfied,
       CAST(SUM(b.escalations) AS BIGINT) AS escalations,
       CAST(SUM(b.open) AS BIGINT) AS open,
       CAST(SUM(b.overdue) AS BIGINT) AS overdue
FROM bucketed b
JOIN lens l ON l.n <= length(b.place_code)
CROSS JOIN grains g
CROSS JOIN split s
GROUP BY substr(b.place_code, 1, l.n), g.g,
         CASE g.g WHEN 1 THEN b.day WHEN 2 THEN b.month ELSE 0 END, b.kind,
         CASE s.by_category WHEN 1 THEN b.category_code ELSE '' END;

INSERT INTO case_stat (area_code, grain, bucket, kind, category_code, received, merged,
                       responded, accepted, declined, resolved, on_time, closed, rated, satisfied,
                       escalations, open, overdue)
SELECT area_code, grain, bucket, kind, category_code, received, merged, responded, accepted,
       declined, resolved, on_time, closed, rated, satisfied, escalations, open, overdue
FROM case_stat_recount;

-- The overdue cases of a subtree, most overdue first: this index in deadline order.
CREATE INDEX cases_overdue ON cases (deadline_at, place_code) WHERE breached = 1;

-- The latest escalations (提级) of an area: one row per escalate event and node on the chain of
-- the case's place when it was escalated, so that any area's newest come first in the key.
CREATE TABLE case_escalation (
  area_code   TEXT NOT NULL,
  at          BIGINT NOT NULL,
  case_number TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  PRIMARY KEY (area_code, at, case_number, seq)
);
WITH lens (n) AS (VALUES (2), (4), (6), (9), (12))
INSERT INTO case_escalation (area_code, at, case_number, seq)
SELECT substr(c.place_code, 1, l.n), e.at, e.case_number, e.seq
FROM case_event e JOIN cases c ON c.number = e.case_number
JOIN lens l ON l.n <= length(c.place_code)
WHERE e.command = 'escalate';
