-- The newest-first case list filtered by state for a county or a wider scope (a leader's
-- "accepted", "in progress" … lists): walking cases_created backwards skipped every newer case
-- of another state, and a day's flood of new registered cases made each such page read
-- thousands of rows (docs/PERFORMANCE.md, "Held load and overload"). This index gives each
-- state its own newest-first order (store/case_repo.cc, list_filter). New cases append at the
-- end of their state's part; a command that changes a state moves one entry.
CREATE INDEX cases_state_created ON cases (state, created_at, number);
