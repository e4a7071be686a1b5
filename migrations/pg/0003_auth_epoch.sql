-- 0003_auth_epoch.sql (PostgreSQL): a counter raised by every change that can alter
-- who a token or session belongs to or what that user may do (as
-- migrations/sqlite/0003). Servers cache resolved credentials tagged with the counter
-- and trust a cached entry only while the counter, read in the request's own
-- snapshot, is unchanged: revocations take effect at once, on every server process.

CREATE TABLE auth_epoch (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  BIGINT NOT NULL
);
INSERT INTO auth_epoch (id, n) VALUES (1, 0);

CREATE FUNCTION auth_epoch_raise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
  RETURN NULL;
END $$;

CREATE TRIGGER auth_epoch_tokens AFTER UPDATE OR DELETE ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION auth_epoch_raise();
CREATE TRIGGER auth_epoch_sessions AFTER DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION auth_epoch_raise();
CREATE TRIGGER auth_epoch_users AFTER UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION auth_epoch_raise();
CREATE TRIGGER auth_epoch_memberships AFTER INSERT OR UPDATE OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION auth_epoch_raise();
CREATE TRIGGER auth_epoch_orgs AFTER UPDATE ON orgs
  FOR EACH ROW EXECUTE FUNCTION auth_epoch_raise();
