-- Staged rows hold the raw fields as text[] (written by binary COPY) instead of JSON.
-- Imports still being uploaded or validated lose their staged rows: they fail, to be uploaded again.
UPDATE imports SET state = 'failed', failure = 'interrupted by an upgrade; upload the file again',
    updated_at = now()
WHERE state IN ('receiving', 'uploaded', 'validating');
DELETE FROM import_rows;
ALTER TABLE import_rows ALTER COLUMN fields TYPE text[] USING '{}';

-- The per-row tables are written only by the import code, under the import's row lock:
-- their foreign keys cost a trigger call per row (4 per imported line) and guard nothing
-- more. Imports are never deleted; their staged and valid rows are dropped once it ends.
ALTER TABLE import_rows DROP CONSTRAINT import_rows_import_id_fkey;
ALTER TABLE import_valid DROP CONSTRAINT import_valid_import_id_fkey;
ALTER TABLE import_errors DROP CONSTRAINT import_errors_import_id_fkey;
ALTER TABLE import_changes DROP CONSTRAINT import_changes_import_id_fkey;
