-- CSV imports: the import itself, its staged rows (raw fields as uploaded), the rows that
-- passed validation, the rejected rows with their reasons, and each container change made.
CREATE TABLE imports (
    id               uuid PRIMARY KEY,
    uploaded_by      uuid,
    file_name        text NOT NULL,
    checksum         text,
    dry_run          boolean NOT NULL DEFAULT false,
    state            text NOT NULL DEFAULT 'receiving'
                     CONSTRAINT imports_state_known CHECK (state IN ('receiving', 'uploaded', 'validating',
                         'merging', 'completed', 'failed', 'cancelled')),
    failure          text,
    delimiter        text NOT NULL DEFAULT ',',
    columns          text[] NOT NULL DEFAULT '{}',
    staged           bigint NOT NULL DEFAULT 0,
    valid            bigint NOT NULL DEFAULT 0,
    rejected         bigint NOT NULL DEFAULT 0,
    inserted         bigint NOT NULL DEFAULT 0,
    updated          bigint NOT NULL DEFAULT 0,
    validated_through bigint NOT NULL DEFAULT 0,
    merged_through   bigint NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
-- one live import per file content: a second upload of the same bytes is refused
CREATE UNIQUE INDEX imports_checksum_live_key ON imports (checksum)
    WHERE state NOT IN ('receiving', 'failed', 'cancelled');

CREATE TABLE import_rows (
    import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    line      bigint NOT NULL,
    fields    jsonb NOT NULL,
    PRIMARY KEY (import_id, line)
);

CREATE TABLE import_valid (
    import_id       uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    line            bigint NOT NULL,
    container_id    uuid NOT NULL,
    public_code     text NOT NULL,
    site_id         uuid NOT NULL,
    area_id         uuid,
    external_ref    text NOT NULL,
    kind            text NOT NULL,
    status          text NOT NULL,
    capacity_litres integer,
    latitude        double precision NOT NULL,
    longitude       double precision NOT NULL,
    address         text,
    installed_on    date,
    PRIMARY KEY (import_id, line)
);

CREATE TABLE import_errors (
    import_id   uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    line        bigint NOT NULL,
    column_name text NOT NULL,
    value       text NOT NULL,
    reason      text NOT NULL,
    PRIMARY KEY (import_id, line, column_name)
);

-- per-row changes: which container each line created or updated, and its state before
CREATE TABLE import_changes (
    import_id    uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    line         bigint NOT NULL,
    container_id uuid NOT NULL,
    action       text NOT NULL CHECK (action IN ('inserted', 'updated')),
    before       jsonb,
    PRIMARY KEY (import_id, line)
);
