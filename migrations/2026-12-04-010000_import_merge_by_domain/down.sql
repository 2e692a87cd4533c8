DROP INDEX import_valid_site_ref_idx;
ALTER TABLE audit_log DROP COLUMN import_id;
ALTER TABLE import_valid DROP COLUMN notes;
ALTER TABLE imports DROP COLUMN unchanged;
