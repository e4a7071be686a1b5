-- 0008_search_bytewise.sql (SQLite): nothing to change. The PostgreSQL migration of
-- the same number makes the searched text of systems and evidence byte-ordered with
-- ASCII-only case folding, which is what SQLite's LIKE already does; this file keeps
-- the two migration lists numbered alike.
SELECT 1;
