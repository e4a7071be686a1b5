-- 0006_catalog_review.sql: entries carried over to a new catalog version whose
-- requirement text changed keep the version they were written against in review_from
-- until someone looks at them again (docs/internals/compliance.md, "Catalog
-- versions"). NULL: nothing to review.

ALTER TABLE soa_entries ADD COLUMN review_from TEXT;
ALTER TABLE assessments ADD COLUMN review_from TEXT;
