-- +goose Up
-- Sessions of API.md's "Tokens and sessions". A refresh token is minted
-- from (id, counter) with a server key (package token), so no column holds
-- anything that works as a token if the database leaks. Times are TEXT in
-- UTC RFC 3339 with whole seconds, as in users, so they compare as text.
CREATE TABLE sessions (
    id              TEXT    PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    counter         INTEGER NOT NULL DEFAULT 0 CHECK (counter >= 0),
    created_at      TEXT    NOT NULL,
    last_used_at    TEXT    NOT NULL,
    rotated_at      TEXT    NOT NULL,
    -- expires_at: the newest refresh token's expiry, capped by max_expires_at.
    expires_at      TEXT    NOT NULL,
    max_expires_at  TEXT    NOT NULL,
    ended_at        TEXT,
    end_reason      TEXT,
    ip              TEXT    NOT NULL DEFAULT '',
    user_agent      TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- The session list and "end all of a user's sessions".
CREATE INDEX sessions_user_id ON sessions (user_id, created_at);
-- The purge: expired sessions, and ended ones.
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_ended_at ON sessions (ended_at) WHERE ended_at IS NOT NULL;

-- +goose Down
DROP TABLE sessions;
