-- A dry run changes nothing: it neither blocks the real import of the same file nor is
-- blocked by it.
DROP INDEX imports_checksum_live_key;
CREATE UNIQUE INDEX imports_checksum_live_key ON imports (checksum)
    WHERE state NOT IN ('receiving', 'failed', 'cancelled') AND NOT dry_run;
