-- Download links sent to people (an import's rejected rows, a label sheet): one exact
-- address each, the secret stored as a digest, valid until expires_at unless voided when
-- the sessions they belong to end.
CREATE TABLE download_links (
    id         uuid PRIMARY KEY,
    digest     bytea NOT NULL UNIQUE,
    user_id    uuid NOT NULL REFERENCES users (id),
    session_id uuid,
    target     text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    voided_at  timestamptz
);
CREATE INDEX download_links_user_idx ON download_links (user_id) WHERE voided_at IS NULL;
CREATE INDEX download_links_session_idx ON download_links (session_id) WHERE voided_at IS NULL;
