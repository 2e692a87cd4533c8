-- The registry: sites → areas → containers, and the audit log of every change.
-- Extensions live in `public` so that per-test schemas share them.
CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TABLE sites (
    id          uuid PRIMARY KEY,
    code        text NOT NULL CONSTRAINT sites_code_key UNIQUE
                CONSTRAINT sites_code_format CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
    name        text NOT NULL CONSTRAINT sites_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    archived_at timestamptz,
    version     integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE areas (
    id          uuid PRIMARY KEY,
    site_id     uuid NOT NULL CONSTRAINT areas_site_id_fkey REFERENCES sites (id),
    code        text NOT NULL CONSTRAINT areas_code_format CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
    name        text NOT NULL CONSTRAINT areas_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    boundary    geometry(MultiPolygon, 4326)
                CONSTRAINT areas_boundary_valid CHECK (boundary IS NULL OR ST_IsValid(boundary)),
    archived_at timestamptz,
    version     integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT areas_site_code_key UNIQUE (site_id, code),
    -- lets containers reference (area, site) so an area can't hold another site's containers
    CONSTRAINT areas_id_site_key UNIQUE (id, site_id)
);
CREATE INDEX areas_boundary_gist ON areas USING gist (boundary);

CREATE TABLE containers (
    id              uuid PRIMARY KEY,
    public_code     text NOT NULL CONSTRAINT containers_public_code_key UNIQUE
                    CONSTRAINT containers_public_code_format CHECK (public_code ~ '^[2-9A-HJKMNP-TW-Z]{4,12}$'),
    site_id         uuid NOT NULL CONSTRAINT containers_site_id_fkey REFERENCES sites (id),
    area_id         uuid,
    external_ref    text CONSTRAINT containers_external_ref_length CHECK (char_length(external_ref) BETWEEN 1 AND 64),
    kind            text NOT NULL
                    CONSTRAINT containers_kind_known CHECK (kind IN ('street_bin', 'underground', 'in_store', 'other')),
    status          text NOT NULL
                    CONSTRAINT containers_status_known CHECK (status IN ('active', 'full', 'damaged', 'maintenance', 'removed')),
    capacity_litres integer CONSTRAINT containers_capacity_range CHECK (capacity_litres BETWEEN 1 AND 100000),
    location        geometry(Point, 4326) NOT NULL,
    address         text CONSTRAINT containers_address_length CHECK (char_length(address) BETWEEN 1 AND 300),
    installed_on    date,
    notes           text,
    archived_at     timestamptz,
    version         integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT containers_area_id_fkey FOREIGN KEY (area_id, site_id) REFERENCES areas (id, site_id),
    CONSTRAINT containers_site_external_ref_key UNIQUE (site_id, external_ref)
);
CREATE INDEX containers_location_gist ON containers USING gist (location);
CREATE INDEX containers_site_id_idx ON containers (site_id, id);
CREATE INDEX containers_area_id_idx ON containers (area_id, id);
CREATE INDEX containers_public_code_trgm ON containers USING gin (public_code gin_trgm_ops);
CREATE INDEX containers_address_trgm ON containers USING gin (address gin_trgm_ops);

CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor_id    uuid,
    action      text NOT NULL,
    entity_type text NOT NULL,
    entity_id   uuid NOT NULL,
    before      jsonb,
    after       jsonb,
    request_id  text
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, id);
