-- The deadline order of the case list (GET /api/v1/cases?sort=deadline, the staff queue's
-- "overdue first"): the cases on a running clock by deadline, then number. Partial, so that it
-- holds only the open cases on a clock — a small part of the table — and a page of the queue
-- reads the first entries of it instead of sorting the caller's whole subtree.
CREATE INDEX cases_running_deadline ON cases (deadline_at, number) WHERE deadline_at IS NOT NULL;
