-- The W3C trace context (`traceparent`) of the request that wrote the event, so the job
-- that carries it continues the same trace. A column of its own: payloads stay as they are.
ALTER TABLE outbox ADD COLUMN trace_context text;
