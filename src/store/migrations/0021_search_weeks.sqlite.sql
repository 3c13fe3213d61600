-- Nothing on SQLite: FTS5 hands a word's matches over newest first already. PostgreSQL's
-- search index gains its cases' weeks here (0021_search_weeks.postgres.sql).
SELECT 1;
