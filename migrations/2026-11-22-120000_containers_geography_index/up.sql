-- Searches in metres compare geography to geography (ST_DWithin, KNN `<->`): index the
-- cast so that they never scan the table. Only live rows are searched, so the index is
-- partial.
--
-- Not CONCURRENTLY: migrations run under an advisory lock, and a concurrent build waits
-- for every older snapshot, including an instance waiting for that lock: a deadlock that
-- would leave an invalid index behind. On a large table already in production, build it
-- by hand first with the same statement plus CONCURRENTLY; IF NOT EXISTS then makes this
-- migration a no-op.
CREATE INDEX IF NOT EXISTS containers_location_geography_gist
    ON containers USING gist ((location::geography))
    WHERE archived_at IS NULL;
