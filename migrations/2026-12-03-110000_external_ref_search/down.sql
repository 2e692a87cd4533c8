DROP INDEX IF EXISTS containers_external_ref_trgm;
