-- SQLite only (0015_stat_clustered.sqlite.sql: case_stat as a WITHOUT ROWID table). A
-- PostgreSQL table is a heap with its indexes beside it either way; nothing changes here.
SELECT 1;
