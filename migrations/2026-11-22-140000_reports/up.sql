-- Public reports about containers, their history of status changes and staff comments.
CREATE TABLE reports (
    id            uuid PRIMARY KEY,
    public_token  text NOT NULL UNIQUE,
    container_id  uuid NOT NULL REFERENCES containers (id),
    category      text NOT NULL CHECK (category IN ('full', 'damaged', 'dirty', 'missing', 'vandalism', 'other')),
    description   text CHECK (char_length(description) <= 1000),
    email         text,
    status        text NOT NULL DEFAULT 'new'
                  CHECK (status IN ('new', 'acknowledged', 'in_progress', 'resolved', 'rejected')),
    report_count  integer NOT NULL DEFAULT 1 CHECK (report_count >= 1),
    assignee_id   uuid REFERENCES users (id),
    source        text NOT NULL DEFAULT 'web',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
-- At most one open report per container and category: duplicates merge into it.
CREATE UNIQUE INDEX reports_open_unique ON reports (container_id, category)
    WHERE status IN ('new', 'acknowledged', 'in_progress');
CREATE INDEX reports_status_idx ON reports (status, created_at);

CREATE TABLE report_events (
    id          bigserial PRIMARY KEY,
    report_id   uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor_id    uuid,
    status      text,
    comment     text
);
CREATE INDEX report_events_report_idx ON report_events (report_id, id);
