DROP TABLE import_changes;
DROP TABLE import_errors;
DROP TABLE import_valid;
DROP TABLE import_rows;
DROP TABLE imports;
