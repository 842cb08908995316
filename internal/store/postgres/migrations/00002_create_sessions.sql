-- +goose Up
-- The same table as the SQLite migration of the same version, in
-- PostgreSQL's own types. A refresh token is minted from (id, counter) with
-- a server key (package token), so no column holds anything that works as
-- a token if the database leaks.
CREATE TABLE sessions (
    id              TEXT        PRIMARY KEY,
    user_id         BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    counter         BIGINT      NOT NULL DEFAULT 0 CHECK (counter >= 0),
    created_at      TIMESTAMPTZ NOT NULL,
    last_used_at    TIMESTAMPTZ NOT NULL,
    rotated_at      TIMESTAMPTZ NOT NULL,
    -- expires_at: the newest refresh token's expiry, capped by max_expires_at.
    expires_at      TIMESTAMPTZ NOT NULL,
    max_expires_at  TIMESTAMPTZ NOT NULL,
    ended_at        TIMESTAMPTZ,
    end_reason      TEXT,
    ip              TEXT        NOT NULL DEFAULT '',
    user_agent      TEXT        NOT NULL DEFAULT ''
);

-- The session list and "end all of a user's sessions".
CREATE INDEX sessions_user_id ON sessions (user_id, created_at);
-- The purge: expired sessions, and ended ones.
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_ended_at ON sessions (ended_at) WHERE ended_at IS NOT NULL;

-- +goose Down
DROP TABLE sessions;
