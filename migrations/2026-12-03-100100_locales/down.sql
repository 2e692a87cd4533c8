ALTER TABLE imports DROP COLUMN encoding;
ALTER TABLE reports DROP COLUMN locale;
ALTER TABLE users DROP COLUMN locale;
