-- Traceability and reporting: one row per recorded stop outcome (visit or skip), written
-- with the tour in the same transaction, so that statistics, timelines and predictions
-- read an indexed table instead of every tour's JSON. The site, area and type are those of
-- the container at the time of the visit: a kilo collected stays where it was collected.

-- The site's time zone: local days (statistics periods) are counted in it. An IANA name.
ALTER TABLE sites ADD COLUMN time_zone text NOT NULL DEFAULT 'Europe/Paris';

CREATE TABLE visits (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tour_id        uuid NOT NULL REFERENCES tours (id),
    container_id   uuid NOT NULL REFERENCES containers (id),
    site_id        uuid NOT NULL,
    area_id        uuid,
    container_kind text NOT NULL,
    driver_id      uuid,
    occurred_at    timestamptz NOT NULL,
    -- The day in the site's time zone, fixed when recorded (converting per row when
    -- reading costs more than the rest of a statistics query).
    local_day      date NOT NULL,
    outcome        text NOT NULL CONSTRAINT visits_outcome_known CHECK (outcome IN ('visited', 'skipped')),
    fill_level     smallint CONSTRAINT visits_fill_level_range CHECK (fill_level BETWEEN 0 AND 100),
    weight_kg      double precision,
    emptied        boolean NOT NULL DEFAULT false,
    skip_reason    text,
    CONSTRAINT visits_once_per_stop UNIQUE (tour_id, container_id)
);
CREATE INDEX visits_container_idx ON visits (container_id, occurred_at DESC, id DESC);
-- A container's visits proper (not skips), newest first, with the fill found: the neglect
-- report reads it from the index alone, one probe per container.
CREATE INDEX visits_container_visited_idx ON visits (container_id, occurred_at DESC)
    INCLUDE (fill_level) WHERE outcome = 'visited';
CREATE INDEX visits_site_day_idx ON visits (site_id, local_day);
CREATE INDEX visits_area_day_idx ON visits (area_id, local_day);
CREATE INDEX visits_day_idx ON visits (local_day);

-- Daily figures per site and per (area | type | driver | the site itself): what the
-- statistics read for long ranges. Kept by a trigger on each new visit, so they commit
-- with it; visits are never updated or deleted.
CREATE TABLE visit_rollups (
    dimension     text NOT NULL CONSTRAINT visit_rollups_dimension_known
                  CHECK (dimension IN ('site', 'area', 'type', 'driver')),
    local_day     date NOT NULL,
    site_id       uuid NOT NULL,
    key           text NOT NULL,
    visits        integer NOT NULL DEFAULT 0,
    skips         integer NOT NULL DEFAULT 0,
    skips_inaccessible integer NOT NULL DEFAULT 0,
    skips_blocked integer NOT NULL DEFAULT 0,
    skips_not_found integer NOT NULL DEFAULT 0,
    skips_unsafe  integer NOT NULL DEFAULT 0,
    skips_out_of_time integer NOT NULL DEFAULT 0,
    skips_other   integer NOT NULL DEFAULT 0,
    kilograms     double precision NOT NULL DEFAULT 0,
    fill_sum      bigint NOT NULL DEFAULT 0,
    fill_count    integer NOT NULL DEFAULT 0,
    emptied       integer NOT NULL DEFAULT 0,
    found_overflowing integer NOT NULL DEFAULT 0,
    PRIMARY KEY (dimension, local_day, site_id, key)
);

CREATE FUNCTION visit_rollups_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    visited int := (NEW.outcome = 'visited')::int;
    skipped int := (NEW.outcome = 'skipped')::int;
BEGIN
    INSERT INTO visit_rollups AS r (dimension, local_day, site_id, key, visits, skips,
        skips_inaccessible, skips_blocked, skips_not_found, skips_unsafe, skips_out_of_time,
        skips_other, kilograms, fill_sum, fill_count, emptied, found_overflowing)
    SELECT d.dimension, NEW.local_day, NEW.site_id, d.key, visited, skipped,
        (NEW.skip_reason IS NOT DISTINCT FROM 'inaccessible')::int, (NEW.skip_reason IS NOT DISTINCT FROM 'blocked')::int,
        (NEW.skip_reason IS NOT DISTINCT FROM 'not_found')::int, (NEW.skip_reason IS NOT DISTINCT FROM 'unsafe')::int,
        (NEW.skip_reason IS NOT DISTINCT FROM 'out_of_time')::int, (NEW.skip_reason IS NOT DISTINCT FROM 'other')::int,
        CASE WHEN visited = 1 THEN coalesce(NEW.weight_kg, 0) ELSE 0 END,
        CASE WHEN visited = 1 THEN coalesce(NEW.fill_level, 0) ELSE 0 END,
        (visited = 1 AND NEW.fill_level IS NOT NULL)::int,
        NEW.emptied::int, coalesce(NEW.fill_level >= 100, false)::int
    FROM (VALUES ('site', NEW.site_id::text), ('area', coalesce(NEW.area_id::text, '')),
                 ('type', NEW.container_kind), ('driver', coalesce(NEW.driver_id::text, ''))) d (dimension, key)
    ON CONFLICT (dimension, local_day, site_id, key) DO UPDATE SET
        visits = r.visits + EXCLUDED.visits, skips = r.skips + EXCLUDED.skips,
        skips_inaccessible = r.skips_inaccessible + EXCLUDED.skips_inaccessible,
        skips_blocked = r.skips_blocked + EXCLUDED.skips_blocked,
        skips_not_found = r.skips_not_found + EXCLUDED.skips_not_found,
        skips_unsafe = r.skips_unsafe + EXCLUDED.skips_unsafe,
        skips_out_of_time = r.skips_out_of_time + EXCLUDED.skips_out_of_time,
        skips_other = r.skips_other + EXCLUDED.skips_other,
        kilograms = r.kilograms + EXCLUDED.kilograms, fill_sum = r.fill_sum + EXCLUDED.fill_sum,
        fill_count = r.fill_count + EXCLUDED.fill_count, emptied = r.emptied + EXCLUDED.emptied,
        found_overflowing = r.found_overflowing + EXCLUDED.found_overflowing;
    RETURN NULL;
END $$;
CREATE TRIGGER visits_rollup AFTER INSERT ON visits FOR EACH ROW EXECUTE FUNCTION visit_rollups_add();

-- Visits recorded before this table existed, from the tours' stops (the trigger rolls
-- them up).
INSERT INTO visits (tour_id, container_id, site_id, area_id, container_kind, driver_id,
                    occurred_at, local_day, outcome, fill_level, weight_kg, emptied, skip_reason)
SELECT t.id, c.id, t.site_id, c.area_id, c.kind, t.driver_id,
       (s->'outcome'->>'at')::timestamptz,
       ((s->'outcome'->>'at')::timestamptz AT TIME ZONE site.time_zone)::date,
       s->'outcome'->>'outcome',
       (s->'outcome'->>'fill_level')::smallint, (s->'outcome'->>'weight_kg')::double precision,
       coalesce((s->'outcome'->>'emptied')::boolean, false), s->'outcome'->>'reason'
FROM tours t
JOIN sites site ON site.id = t.site_id
CROSS JOIN LATERAL jsonb_array_elements(t.stops) s
JOIN containers c ON c.id = (s->>'container_id')::uuid
WHERE s->'outcome'->>'outcome' IN ('visited', 'skipped');

-- The timeline finds a container's import changes.
CREATE INDEX import_changes_container_idx ON import_changes (container_id);
CREATE INDEX reports_container_idx ON reports (container_id, created_at);

-- Each container's predicted fill, recomputed by the worker after each visit. The level
-- now is derived when read, from the anchor (the last known level) and the rate.
CREATE TABLE container_predictions (
    container_id     uuid PRIMARY KEY REFERENCES containers (id),
    own_rate         double precision,
    own_observations integer NOT NULL CHECK (own_observations >= 0),
    rate_per_day     double precision NOT NULL CHECK (rate_per_day >= 0),
    source           text NOT NULL CONSTRAINT container_predictions_source_known
                     CHECK (source IN ('container', 'area', 'type', 'default')),
    confidence       double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    anchor_at        timestamptz,
    anchor_level     double precision NOT NULL,
    threshold        smallint NOT NULL CHECK (threshold BETWEEN 1 AND 100),
    threshold_at     timestamptz,
    computed_at      timestamptz NOT NULL
);
CREATE INDEX container_predictions_due_idx ON container_predictions (threshold_at);
