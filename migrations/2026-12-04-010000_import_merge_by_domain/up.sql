-- Imports merged as the domain decides (issue 17): a row equal to its container counts as
-- unchanged (its version kept); each container an import creates or changes gets an audit
-- record naming the import, so its history shows it like any other change; a later line
-- with the same (site, reference) is refused while validating, found through an index
-- (counts never go back); notes are importable.
ALTER TABLE imports ADD COLUMN unchanged bigint NOT NULL DEFAULT 0;
ALTER TABLE import_valid ADD COLUMN notes text;
ALTER TABLE audit_log ADD COLUMN import_id uuid;
CREATE INDEX import_valid_site_ref_idx ON import_valid (import_id, site_id, external_ref);
