-- 0002_system_counts.sql (PostgreSQL): counts of AI systems per organisation, status
-- and life-cycle stage, kept by triggers in the same transaction as every change (as
-- migrations/sqlite/0002), so the dashboard and list totals read a few hundred rows
-- instead of counting the inventory.

CREATE TABLE system_counts (
  org_id          BIGINT NOT NULL,
  status          TEXT NOT NULL,
  lifecycle_stage TEXT NOT NULL,
  n               BIGINT NOT NULL,
  PRIMARY KEY (org_id, status, lifecycle_stage)
);

INSERT INTO system_counts (org_id, status, lifecycle_stage, n)
  SELECT org_id, status, lifecycle_stage, count(*) FROM systems GROUP BY 1, 2, 3;

CREATE FUNCTION system_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE system_counts SET n = n - 1
      WHERE org_id = OLD.org_id AND status = OLD.status AND lifecycle_stage = OLD.lifecycle_stage;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO system_counts (org_id, status, lifecycle_stage, n)
      VALUES (NEW.org_id, NEW.status, NEW.lifecycle_stage, 1)
      ON CONFLICT (org_id, status, lifecycle_stage) DO UPDATE SET n = system_counts.n + 1;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER systems_count_insert AFTER INSERT ON systems
  FOR EACH ROW EXECUTE FUNCTION system_counts_keep();
CREATE TRIGGER systems_count_update AFTER UPDATE OF org_id, status, lifecycle_stage ON systems
  FOR EACH ROW EXECUTE FUNCTION system_counts_keep();
CREATE TRIGGER systems_count_delete AFTER DELETE ON systems
  FOR EACH ROW EXECUTE FUNCTION system_counts_keep();
