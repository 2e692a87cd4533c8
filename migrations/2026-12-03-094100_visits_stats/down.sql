DROP TABLE container_predictions;
DROP INDEX reports_container_idx;
DROP INDEX import_changes_container_idx;
ALTER TABLE sites DROP COLUMN time_zone;
DROP TABLE visits;
