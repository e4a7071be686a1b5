-- 0001_foundation.sql: organisations, users, memberships, sessions, API tokens,
-- AI systems, the change history and the sign-in log.
-- Times are RFC 3339 UTC text, so text order is time order.

CREATE TABLE orgs (
  id         INTEGER PRIMARY KEY,
  parent_id  INTEGER REFERENCES orgs(id),
  name       TEXT NOT NULL,
  kind       TEXT NOT NULL,
  path       TEXT NOT NULL UNIQUE,   -- materialised path "/1/4/": subtree = prefix
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (parent_id, name)
);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  locale        TEXT NOT NULL DEFAULT 'ko',
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);

CREATE TABLE memberships (
  user_id    INTEGER NOT NULL REFERENCES users(id),
  org_id     INTEGER NOT NULL REFERENCES orgs(id),
  role       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (user_id, org_id)
);
CREATE INDEX memberships_org ON memberships(org_id);

CREATE TABLE sessions (
  id_hash    TEXT PRIMARY KEY,        -- SHA-256 of the cookie value
  user_id    INTEGER NOT NULL REFERENCES users(id),
  csrf       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id),
  name         TEXT NOT NULL,
  hash         TEXT NOT NULL UNIQUE,  -- SHA-256 of the token
  prefix       TEXT NOT NULL,         -- first characters, to recognise it in lists
  created_at   TEXT NOT NULL,
  revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE systems (
  id              INTEGER PRIMARY KEY,
  org_id          INTEGER NOT NULL REFERENCES orgs(id),
  owner_user_id   INTEGER NOT NULL REFERENCES users(id),
  name            TEXT NOT NULL,
  purpose         TEXT NOT NULL,
  lifecycle_stage TEXT NOT NULL,
  description     TEXT NOT NULL DEFAULT '',
  org_role        TEXT NOT NULL,
  techniques      TEXT NOT NULL DEFAULT '[]',   -- JSON array of codes
  data_sources    TEXT NOT NULL DEFAULT '',
  affected_people TEXT NOT NULL DEFAULT '',
  decision_role   TEXT NOT NULL,
  human_oversight TEXT NOT NULL,
  vendor          TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL DEFAULT 'active',
  version         INTEGER NOT NULL DEFAULT 1,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  UNIQUE (org_id, name)
);
CREATE INDEX systems_org ON systems(org_id, status);
CREATE INDEX systems_name ON systems(name);
CREATE INDEX systems_updated ON systems(updated_at);
CREATE INDEX systems_stage ON systems(status, lifecycle_stage);
CREATE INDEX systems_owner ON systems(owner_user_id);

-- Append-only: the store interface offers no UPDATE or DELETE on it.
CREATE TABLE changes (
  id            INTEGER PRIMARY KEY,
  at            TEXT NOT NULL,
  actor_user_id INTEGER REFERENCES users(id),   -- NULL: the local operator (CLI)
  object_type   TEXT NOT NULL,
  object_id     INTEGER NOT NULL,
  field         TEXT NOT NULL,
  old_value     TEXT,
  new_value     TEXT
);
CREATE INDEX changes_object ON changes(object_type, object_id, id);

CREATE TABLE auth_events (
  id       INTEGER PRIMARY KEY,
  at       TEXT NOT NULL,
  kind     TEXT NOT NULL,     -- login_ok, login_failed, logout, token_created, token_revoked, password_changed
  email    TEXT,
  user_id  INTEGER,
  address  TEXT,
  detail   TEXT
);
CREATE INDEX auth_events_email ON auth_events(email, at);
CREATE INDEX auth_events_address ON auth_events(address, at);
