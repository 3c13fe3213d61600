-- The running clock's warning point, extensions and limit (domain::Case::warn_at,
-- extension_days, clock_limit).
-- warn_at: when the 80 % warning (预警) is due, counted as the limit counts (working time for a
-- working-day limit), so that the scheduler needs no calendar to find it. extension_days: what
-- the running clock was extended by in all, so that its deadline can be computed again from
-- clock_started_at when the official calendar changes (CaseService::refresh_calendar), with
-- clock_amount and clock_unit, the limit the clock started with (a later change of a category's
-- limit applies to new clocks only; NULL: not known, the limit in force is taken). The
-- C++ step after this script fills both in for the clocks running now and sets next_timer_at
-- anew (store/migrations.cc).
ALTER TABLE cases ADD COLUMN warn_at BIGINT;
ALTER TABLE cases ADD COLUMN extension_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN clock_amount INTEGER;
ALTER TABLE cases ADD COLUMN clock_unit TEXT;
