-- The Open311 list (GET /open311/v2/requests, store/open311_repo.cc) filters and orders on the
-- time a request was received (requested_datetime; staff may date it back), not on when it was
-- stored: its default page, the last 90 days newest first, walks this index backwards. Partial:
-- only what the list may show, demands that accuse no unit (petitions and whistle-blowing never
-- appear). The number breaks ties, so that pages are stable.
CREATE INDEX cases_public_received ON cases (received_at, number)
  WHERE kind = 'demand' AND accused_unit_id IS NULL;
