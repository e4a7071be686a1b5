-- 0003_auth_epoch.sql: a counter raised by every change that can alter who a token or
-- session belongs to or what that user may do. Servers cache resolved credentials
-- tagged with the counter and trust a cached entry only while the counter, read in
-- the request's own snapshot, is unchanged: revocations take effect at once.

CREATE TABLE auth_epoch (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  INTEGER NOT NULL
);
INSERT INTO auth_epoch (id, n) VALUES (1, 0);

CREATE TRIGGER auth_epoch_tokens_update AFTER UPDATE ON api_tokens BEGIN
  UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_tokens_delete AFTER DELETE ON api_tokens BEGIN
  UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_sessions_delete AFTER DELETE ON sessions BEGIN
  UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_users_update AFTER UPDATE ON users BEGIN
  UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_users_delete AFTER DELETE ON users BEGIN
  UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_memberships_insert AFTER INSERT ON memberships BEGIN
  UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_memberships_update AFTER UPDATE ON memberships BEGIN
  UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_memberships_delete AFTER DELETE ON memberships BEGIN
  UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_orgs_update AFTER UPDATE ON orgs BEGIN
  UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
