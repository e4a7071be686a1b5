-- 0007_risks.sql: the AI risk register (ISO/IEC 42001 6.1.2 risk assessment and
-- 6.1.3 risk treatment, with the vocabulary of ISO/IEC 23894:2023: risk sources,
-- objectives at stake, consequences, likelihood × impact, treatment, owner, residual
-- risk, review date). A risk belongs to an organisation and, optionally, to one of its
-- AI systems (system_id 0: a risk of the organisation's AI use as a whole).
-- Likelihood and impact are the codes of src/model/vocab.c (five levels each). score
-- and residual_score (likelihood index × impact index, 1–25) are written by the use
-- case from src/model/risk.c on every change, so lists sort and filter by them; the
-- level (low … critical) is read from the score at display time, never stored.
-- risk_evidence: evidence that addresses a risk (a fairness test run, a report, ...).

CREATE TABLE risks (
  id                  INTEGER PRIMARY KEY,
  org_id              INTEGER NOT NULL REFERENCES orgs(id),
  system_id           INTEGER NOT NULL DEFAULT 0,   -- 0: no system
  title               TEXT NOT NULL,
  description         TEXT NOT NULL DEFAULT '',
  source              TEXT NOT NULL DEFAULT 'other',
  objectives          TEXT NOT NULL DEFAULT '[]',   -- JSON array of codes
  consequences        TEXT NOT NULL DEFAULT '',
  likelihood          TEXT NOT NULL,
  impact              TEXT NOT NULL,
  score               INTEGER NOT NULL,
  treatment           TEXT NOT NULL DEFAULT 'undecided',
  treatment_plan      TEXT NOT NULL DEFAULT '',
  residual_likelihood TEXT,                          -- NULL: not yet estimated
  residual_impact     TEXT,
  residual_score      INTEGER,
  owner_user_id       INTEGER REFERENCES users(id),
  review_date         TEXT,                          -- YYYY-MM-DD
  status              TEXT NOT NULL DEFAULT 'open',
  created_by          INTEGER REFERENCES users(id),
  version             INTEGER NOT NULL DEFAULT 1,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL
);
CREATE INDEX risks_org ON risks(org_id, id);
CREATE INDEX risks_system ON risks(system_id);

CREATE TABLE risk_evidence (
  risk_id     INTEGER NOT NULL REFERENCES risks(id),
  evidence_id INTEGER NOT NULL REFERENCES evidence(id),
  created_at  TEXT NOT NULL,
  PRIMARY KEY (risk_id, evidence_id)
);
CREATE INDEX risk_evidence_evidence ON risk_evidence(evidence_id);
