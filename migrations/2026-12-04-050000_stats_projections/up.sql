-- Reporting at one million visits (issue 24): what the report figures, the neglect report
-- and the declaration read, kept current by triggers in the writing transaction (as the
-- daily rollups are), so that each answers from a few thousand narrow rows instead of
-- joining or probing the visits and report events per container or report.

-- The report's local day (its container's site's time zone, fixed when it is made, as a
-- visit's) and its first acknowledgement and resolution (the first event past `new`, the
-- first `resolved` event): the report figures filter, count and time reports from these
-- columns alone instead of converting each time and joining every event.
ALTER TABLE reports ADD COLUMN local_day date,
                    ADD COLUMN acknowledged_at timestamptz,
                    ADD COLUMN resolved_at timestamptz;

UPDATE reports r SET local_day = (r.created_at AT TIME ZONE s.time_zone)::date
FROM containers c JOIN sites s ON s.id = c.site_id WHERE c.id = r.container_id;
UPDATE reports r SET acknowledged_at = e.ack_at, resolved_at = e.resolved_at
FROM (SELECT report_id,
             min(occurred_at) FILTER (WHERE status IN ('acknowledged', 'in_progress', 'resolved', 'rejected')) AS ack_at,
             min(occurred_at) FILTER (WHERE status = 'resolved') AS resolved_at
      FROM report_events GROUP BY report_id) e
WHERE e.report_id = r.id;
ALTER TABLE reports ALTER COLUMN local_day SET NOT NULL;
CREATE INDEX reports_local_day_idx ON reports (local_day);

CREATE FUNCTION reports_local_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A missing container fails on the foreign key just after; the zone only has to exist.
    NEW.local_day := (NEW.created_at AT TIME ZONE coalesce(
        (SELECT s.time_zone FROM containers c JOIN sites s ON s.id = c.site_id
         WHERE c.id = NEW.container_id), 'UTC'))::date;
    RETURN NEW;
END $$;
CREATE TRIGGER reports_local_day BEFORE INSERT OR UPDATE OF created_at, container_id ON reports
    FOR EACH ROW EXECUTE FUNCTION reports_local_day();

CREATE FUNCTION report_milestones_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('acknowledged', 'in_progress', 'resolved', 'rejected') THEN
        -- least() skips NULLs: the first step wins even if events arrive out of order.
        UPDATE reports SET acknowledged_at = least(acknowledged_at, NEW.occurred_at),
               resolved_at = CASE WHEN NEW.status = 'resolved'
                                  THEN least(resolved_at, NEW.occurred_at) ELSE resolved_at END
        WHERE id = NEW.report_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER report_milestones AFTER INSERT ON report_events
    FOR EACH ROW EXECUTE FUNCTION report_milestones_add();

-- Each container's last visit proper (not a skip): the neglect report joins it instead of
-- probing every container's visits (20,000 index probes per request).
CREATE TABLE container_last_visits (
    container_id    uuid PRIMARY KEY REFERENCES containers (id),
    last_visited_at timestamptz NOT NULL
);
-- Visits within the last N days with their fill, from the index alone: the neglect
-- report's "visited often while nearly empty".
CREATE INDEX visits_visited_at_idx ON visits (occurred_at) INCLUDE (container_id, fill_level)
    WHERE outcome = 'visited';

-- Kilograms and visits per container and quarter (local days): the declaration reads one
-- row per container instead of summing the quarter's visits.
CREATE TABLE container_quarter_rollups (
    quarter      date NOT NULL,
    container_id uuid NOT NULL REFERENCES containers (id),
    visits       integer NOT NULL,
    kilograms    double precision NOT NULL,
    PRIMARY KEY (quarter, container_id)
);

CREATE FUNCTION visit_container_rollups_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.outcome = 'visited' THEN
        INSERT INTO container_last_visits AS l (container_id, last_visited_at)
        VALUES (NEW.container_id, NEW.occurred_at)
        ON CONFLICT (container_id) DO UPDATE
            SET last_visited_at = greatest(l.last_visited_at, EXCLUDED.last_visited_at);
        INSERT INTO container_quarter_rollups AS q (quarter, container_id, visits, kilograms)
        VALUES (date_trunc('quarter', NEW.local_day)::date, NEW.container_id, 1,
                coalesce(NEW.weight_kg, 0))
        ON CONFLICT (quarter, container_id) DO UPDATE
            SET visits = q.visits + 1, kilograms = q.kilograms + EXCLUDED.kilograms;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER visits_container_rollup AFTER INSERT ON visits
    FOR EACH ROW EXECUTE FUNCTION visit_container_rollups_add();

INSERT INTO container_last_visits (container_id, last_visited_at)
SELECT container_id, max(occurred_at) FROM visits WHERE outcome = 'visited' GROUP BY container_id;
INSERT INTO container_quarter_rollups (quarter, container_id, visits, kilograms)
SELECT date_trunc('quarter', local_day)::date, container_id, count(*), coalesce(sum(weight_kg), 0)
FROM visits WHERE outcome = 'visited' GROUP BY 1, 2;
