-- 0005_evidence.sql: evidence, the documents that show how a requirement is met
-- (ISO/IEC 42001 7.5 documented information), and what each one is linked to.
-- The bytes live outside the database in a content-addressed directory (named by
-- SHA-256, see src/store/blobs.c); a row holds the digest, so a changed or missing
-- file is detected on download and by `aims evidence verify`.
-- A link names a system, a requirement (catalog_id + requirement_id: the
-- organisation's SoA or requirement), or both (the system's assessment of that
-- requirement). Empty values ('' and 0) stand for "not part of the link" so the
-- unique index treats them as equal on both backends.

CREATE TABLE evidence (
  id            INTEGER PRIMARY KEY,
  org_id        INTEGER NOT NULL REFERENCES orgs(id),
  title         TEXT NOT NULL,
  description   TEXT NOT NULL DEFAULT '',
  kind          TEXT NOT NULL DEFAULT 'file',
  filename      TEXT NOT NULL,
  media_type    TEXT NOT NULL,
  size_bytes    INTEGER NOT NULL,
  sha256        TEXT NOT NULL,
  issued_on     TEXT,                         -- YYYY-MM-DD: the date the evidence is from
  valid_until   TEXT,                         -- YYYY-MM-DD; NULL: does not expire
  uploaded_by   INTEGER REFERENCES users(id),
  version       INTEGER NOT NULL DEFAULT 1,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX evidence_org ON evidence(org_id, id);
CREATE INDEX evidence_sha ON evidence(sha256);

CREATE TABLE evidence_links (
  id             INTEGER PRIMARY KEY,
  evidence_id    INTEGER NOT NULL REFERENCES evidence(id),
  system_id      INTEGER NOT NULL DEFAULT 0,  -- 0: no system
  catalog_id     TEXT NOT NULL DEFAULT '',
  requirement_id TEXT NOT NULL DEFAULT '',
  created_at     TEXT NOT NULL,
  UNIQUE (evidence_id, system_id, catalog_id, requirement_id)
);
CREATE INDEX evidence_links_requirement ON evidence_links(catalog_id, requirement_id);
CREATE INDEX evidence_links_system ON evidence_links(system_id);
