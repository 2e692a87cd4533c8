DROP INDEX imports_checksum_live_key;
CREATE UNIQUE INDEX imports_checksum_live_key ON imports (checksum)
    WHERE state NOT IN ('receiving', 'failed', 'cancelled');
