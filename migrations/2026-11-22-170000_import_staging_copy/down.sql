DELETE FROM import_rows;
ALTER TABLE import_rows ALTER COLUMN fields TYPE jsonb USING '[]';
ALTER TABLE import_rows ADD FOREIGN KEY (import_id) REFERENCES imports (id) ON DELETE CASCADE;
ALTER TABLE import_valid ADD FOREIGN KEY (import_id) REFERENCES imports (id) ON DELETE CASCADE;
ALTER TABLE import_errors ADD FOREIGN KEY (import_id) REFERENCES imports (id) ON DELETE CASCADE;
ALTER TABLE import_changes ADD FOREIGN KEY (import_id) REFERENCES imports (id) ON DELETE CASCADE;
