-- Validation asks, per row, for the first earlier line of the same (site, reference):
-- `ORDER BY line LIMIT 1`. With `line` in this index the answer is its first entry. Without
-- it, while import_valid had no statistics for its size (just emptied, or analysed empty),
-- PostgreSQL walked the primary key in line order and filtered every row: 9.3 s for 2,000
-- rows, every batch after the first over the statement timeout, retried forever.
DROP INDEX import_valid_site_ref_idx;
CREATE INDEX import_valid_site_ref_idx ON import_valid (import_id, site_id, external_ref, line);
