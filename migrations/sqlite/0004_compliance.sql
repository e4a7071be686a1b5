-- 0004_compliance.sql: the Statement of Applicability per organisation (ISO/IEC 42001
-- 6.1.3 d, Annex A), the frameworks chosen per AI system and the per-requirement
-- assessments of a system against them. Every row keeps the catalog id and version
-- it was made against, so entries stay tied to the text their author saw.
-- A control or requirement without a row reads as the default (applicable /
-- not_started; not_assessed): rows exist only once someone has said something.

CREATE TABLE soa_entries (
  id              INTEGER PRIMARY KEY,
  org_id          INTEGER NOT NULL REFERENCES orgs(id),
  catalog_id      TEXT NOT NULL,
  catalog_version TEXT NOT NULL,
  control_id      TEXT NOT NULL,
  applicable      INTEGER NOT NULL DEFAULT 1,   -- boolean
  justification   TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL DEFAULT 'not_started',
  owner_user_id   INTEGER REFERENCES users(id),
  due_date        TEXT,                         -- YYYY-MM-DD
  version         INTEGER NOT NULL DEFAULT 1,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  UNIQUE (org_id, catalog_id, control_id)
);

CREATE TABLE system_frameworks (
  system_id  INTEGER NOT NULL REFERENCES systems(id),
  catalog_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (system_id, catalog_id)
);

CREATE TABLE assessments (
  id               INTEGER PRIMARY KEY,
  system_id        INTEGER NOT NULL REFERENCES systems(id),
  catalog_id       TEXT NOT NULL,
  catalog_version  TEXT NOT NULL,
  requirement_id   TEXT NOT NULL,
  status           TEXT NOT NULL DEFAULT 'not_assessed',
  note             TEXT NOT NULL DEFAULT '',
  assessor_user_id INTEGER REFERENCES users(id),
  assessed_on      TEXT,                        -- YYYY-MM-DD
  version          INTEGER NOT NULL DEFAULT 1,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  UNIQUE (system_id, catalog_id, requirement_id)
);
