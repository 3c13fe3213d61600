-- Division codes compare byte by byte: a jurisdiction subtree is one range of codes
-- (domain::scope_range), which holds only under the "C" collation. A database created with
-- another default collation (zh_CN.UTF-8, ICU) would otherwise order '360609' and '36060:'
-- differently and the range scans of scopes would come back empty.
ALTER TABLE cases ALTER COLUMN place_code TYPE TEXT COLLATE "C";
ALTER TABLE cases ALTER COLUMN county_code TYPE TEXT COLLATE "C";
ALTER TABLE account ALTER COLUMN scope_code TYPE TEXT COLLATE "C";
