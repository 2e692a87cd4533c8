-- Accounts, login sessions (refresh tokens, stored as digests) and revoked token ids.
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL CONSTRAINT users_email_key UNIQUE
                  CONSTRAINT users_email_lower CHECK (email = lower(email) AND position('@' IN email) > 1),
    display_name  text NOT NULL CONSTRAINT users_display_name_length CHECK (char_length(display_name) BETWEEN 1 AND 200),
    role          text NOT NULL CONSTRAINT users_role_known CHECK (role IN ('driver', 'manager', 'admin')),
    active        boolean NOT NULL DEFAULT true,
    password_hash text NOT NULL,
    version       integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE TABLE refresh_tokens (
    digest     bytea PRIMARY KEY,
    session_id uuid NOT NULL,
    user_id    uuid NOT NULL REFERENCES users (id),
    expires_at timestamptz NOT NULL,
    spent_at   timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id) WHERE spent_at IS NULL;

CREATE TABLE revoked_tokens (
    id         text PRIMARY KEY,
    until      timestamptz NOT NULL,
    revoked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revoked_tokens_until_idx ON revoked_tokens (until);
