-- Each import stages its rows in a table of its own (`import_staged_<id>`, made with the
-- import, dropped when it ends), so the space of a big or cut-off upload goes back to the
-- system at once. Imports still being uploaded or validated lose their staged rows: they
-- fail, to be uploaded again (merging ones no longer need them).
UPDATE imports SET state = 'failed', failure = 'interrupted by an upgrade; upload the file again',
    updated_at = now()
WHERE state IN ('receiving', 'uploaded', 'validating');
-- The shared table stays, unused and empty, until every deployed version stages per import
-- (a later migration drops it): dropping it now breaks a version still running beside this.
COMMENT ON TABLE import_rows IS 'unused: imports stage in import_staged_<id>; to be dropped';
