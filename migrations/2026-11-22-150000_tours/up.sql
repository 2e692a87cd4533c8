-- Tours: a driver's programme for a day. Stops (ordered, with their outcomes) are kept with
-- the tour as JSON, written whole with each change; a GIN index finds a container's visits.
CREATE TABLE tours (
    id         uuid PRIMARY KEY,
    site_id    uuid NOT NULL REFERENCES sites (id),
    date       date NOT NULL,
    driver_id  uuid CONSTRAINT tours_driver_id_fkey REFERENCES users (id),
    vehicle    text CONSTRAINT tours_vehicle_length CHECK (char_length(vehicle) BETWEEN 1 AND 64),
    depot      geometry(Point, 4326),
    notes      text,
    state      text NOT NULL
               CONSTRAINT tours_state_known CHECK (state IN ('draft', 'planned', 'in_progress', 'completed', 'cancelled')),
    stops      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(stops) = 'array'),
    version    integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX tours_date_idx ON tours (date, id);
CREATE INDEX tours_driver_date_idx ON tours (driver_id, date);
CREATE INDEX tours_stops_gin ON tours USING gin (stops jsonb_path_ops);

-- A retried visit (same driver, same key) is recorded once.
CREATE TABLE idempotency_keys (
    scope      text NOT NULL,
    key        text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
