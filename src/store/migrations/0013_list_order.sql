-- The newest-first order of the case list (GET /api/v1/cases, the staff queue, a resident's
-- cases): a page for a county or a wider scope walks this index backwards and keeps the cases
-- in the scope, instead of reading and sorting every case of the scope (store/case_repo.cc,
-- list_filter).
CREATE INDEX cases_created ON cases (created_at, number);
