-- 0002_system_counts.sql: counts of AI systems per organisation, status and
-- life-cycle stage, kept by triggers in the same transaction as every change, so the
-- dashboard and list totals read a few hundred rows instead of counting the inventory.

CREATE TABLE system_counts (
  org_id          INTEGER NOT NULL,
  status          TEXT NOT NULL,
  lifecycle_stage TEXT NOT NULL,
  n               INTEGER NOT NULL,
  PRIMARY KEY (org_id, status, lifecycle_stage)
) WITHOUT ROWID;

INSERT INTO system_counts (org_id, status, lifecycle_stage, n)
  SELECT org_id, status, lifecycle_stage, count(*) FROM systems GROUP BY 1, 2, 3;

CREATE TRIGGER systems_count_insert AFTER INSERT ON systems BEGIN
  INSERT INTO system_counts (org_id, status, lifecycle_stage, n)
    VALUES (NEW.org_id, NEW.status, NEW.lifecycle_stage, 1)
    ON CONFLICT (org_id, status, lifecycle_stage) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER systems_count_update AFTER UPDATE OF org_id, status, lifecycle_stage ON systems BEGIN
  UPDATE system_counts SET n = n - 1
    WHERE org_id = OLD.org_id AND status = OLD.status AND lifecycle_stage = OLD.lifecycle_stage;
  INSERT INTO system_counts (org_id, status, lifecycle_stage, n)
    VALUES (NEW.org_id, NEW.status, NEW.lifecycle_stage, 1)
    ON CONFLICT (org_id, status, lifecycle_stage) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER systems_count_delete AFTER DELETE ON systems BEGIN
  UPDATE system_counts SET n = n - 1
    WHERE org_id = OLD.org_id AND status = OLD.status AND lifecycle_stage = OLD.lifecycle_stage;
END;
