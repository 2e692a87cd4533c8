-- `q` finds a container by its external reference too, as by its code or address: the
-- same kind of trigram index, so that the three-way OR stays on indexes. (Not
-- CONCURRENTLY, for the reason the geography index's migration gives.)
CREATE INDEX IF NOT EXISTS containers_external_ref_trgm
    ON containers USING gin (external_ref gin_trgm_ops);
