-- The transactional outbox: events written in the same transaction as the change that
-- caused them, relayed to the job queue by the worker.
CREATE TABLE outbox (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_type     text NOT NULL,
    aggregate_type text NOT NULL,
    aggregate_id   uuid NOT NULL,
    payload        jsonb NOT NULL,
    correlation_id text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    -- A relay holds unsent events until then; past it, another relay may take them.
    claimed_until  timestamptz,
    sent_at        timestamptz
);
-- The relay only ever looks at unsent events, in order.
CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL;

-- Wakes relays listening on the channel (they also poll, so a missed one only delays).
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tisseco_outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- E-mails sent, one row per de-duplication key: an e-mail is sent once.
CREATE TABLE sent_emails (
    dedup_key  text PRIMARY KEY,
    recipient  text NOT NULL,
    template   text NOT NULL,
    sent_at    timestamptz NOT NULL DEFAULT now()
);

-- Registry events handled by the worker, one row per job id: handled once.
CREATE TABLE event_journal (
    job_id         text PRIMARY KEY,
    event_type     text NOT NULL,
    correlation_id text,
    payload        jsonb NOT NULL,
    handled_at     timestamptz NOT NULL DEFAULT now()
);
