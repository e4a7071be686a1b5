-- 0008_search_bytewise.sql (PostgreSQL): the rest of the text that `q` searches is
-- COLLATE "C" too, as risks' already is (0007): ILIKE then folds ASCII letters only,
-- as SQLite's LIKE does, so a search finds the same systems and evidence on both
-- backends (under a UTF-8 locale 'café' matched 'CAFÉ' here and not on SQLite).
-- systems.name and evidence.title were "C" from the start.

ALTER TABLE systems
  ALTER COLUMN purpose TYPE TEXT COLLATE "C",
  ALTER COLUMN vendor TYPE TEXT COLLATE "C";

ALTER TABLE evidence
  ALTER COLUMN description TYPE TEXT COLLATE "C",
  ALTER COLUMN filename TYPE TEXT COLLATE "C";
