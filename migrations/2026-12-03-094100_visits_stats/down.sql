DROP TABLE container_predictions;
DROP INDEX reports_container_idx;
DROP INDEX import_changes_container_idx;
DROP TABLE visits;
DROP FUNCTION visit_rollups_add();
DROP TABLE visit_rollups;
ALTER TABLE sites DROP COLUMN time_zone;
