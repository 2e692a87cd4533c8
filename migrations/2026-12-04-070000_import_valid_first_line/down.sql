DROP INDEX import_valid_site_ref_idx;
CREATE INDEX import_valid_site_ref_idx ON import_valid (import_id, site_id, external_ref);
