-- An idempotency key is bound to the request it was first sent with: the same key on
-- another request is refused instead of answering for a visit that was never recorded.
ALTER TABLE idempotency_keys ADD COLUMN fingerprint text NOT NULL DEFAULT '';
