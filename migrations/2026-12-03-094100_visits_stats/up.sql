-- Traceability and reporting: one row per recorded stop outcome (visit or skip), written
-- with the tour in the same transaction, so that statistics, timelines and predictions
-- read an indexed table instead of every tour's JSON. The site, area and type are those of
-- the container at the time of the visit: a kilo collected stays where it was collected.
CREATE TABLE visits (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tour_id        uuid NOT NULL REFERENCES tours (id),
    container_id   uuid NOT NULL REFERENCES containers (id),
    site_id        uuid NOT NULL,
    area_id        uuid,
    container_kind text NOT NULL,
    driver_id      uuid,
    occurred_at    timestamptz NOT NULL,
    outcome        text NOT NULL CONSTRAINT visits_outcome_known CHECK (outcome IN ('visited', 'skipped')),
    fill_level     smallint CONSTRAINT visits_fill_level_range CHECK (fill_level BETWEEN 0 AND 100),
    weight_kg      double precision,
    emptied        boolean NOT NULL DEFAULT false,
    skip_reason    text,
    CONSTRAINT visits_once_per_stop UNIQUE (tour_id, container_id)
);
CREATE INDEX visits_container_idx ON visits (container_id, occurred_at DESC, id DESC);
-- Statistics filter on a time range, per site or not; the included columns let the
-- aggregates run from the index alone.
CREATE INDEX visits_time_idx ON visits (occurred_at)
    INCLUDE (site_id, area_id, container_id, outcome, fill_level, weight_kg, emptied);
CREATE INDEX visits_site_time_idx ON visits (site_id, occurred_at);

-- Visits recorded before this table existed, from the tours' stops.
INSERT INTO visits (tour_id, container_id, site_id, area_id, container_kind, driver_id,
                    occurred_at, outcome, fill_level, weight_kg, emptied, skip_reason)
SELECT t.id, c.id, t.site_id, c.area_id, c.kind, t.driver_id,
       (s->'outcome'->>'at')::timestamptz, s->'outcome'->>'outcome',
       (s->'outcome'->>'fill_level')::smallint, (s->'outcome'->>'weight_kg')::double precision,
       coalesce((s->'outcome'->>'emptied')::boolean, false), s->'outcome'->>'reason'
FROM tours t
CROSS JOIN LATERAL jsonb_array_elements(t.stops) s
JOIN containers c ON c.id = (s->>'container_id')::uuid
WHERE s->'outcome'->>'outcome' IN ('visited', 'skipped');

-- Local days (statistics periods) are counted in the site's time zone.
-- (An IANA name; only the default is set for now.)
ALTER TABLE sites ADD COLUMN time_zone text NOT NULL DEFAULT 'Europe/Paris';

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
