-- Division codes compare byte by byte (domain::scope_range). SQLite's default collation,
-- BINARY, already does; the PostgreSQL version of this migration sets COLLATE "C".
SELECT 1;
