-- +goose Up
-- The same tables as the SQLite migration of the same version, in
-- PostgreSQL's own types. Version 00005 belongs to roles.
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMPTZ;

CREATE TABLE one_time_codes (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT        NOT NULL,
    email       TEXT        NOT NULL,
    token_hash  BYTEA       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    code_hash   BYTEA       NOT NULL CHECK (length(code_hash) = 32),
    tries       INTEGER     NOT NULL DEFAULT 0 CHECK (tries >= 0),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX one_time_codes_user ON one_time_codes (user_id, purpose);
CREATE INDEX one_time_codes_email ON one_time_codes (email, purpose);
CREATE INDEX one_time_codes_expires ON one_time_codes (expires_at);

-- Replicas claim with FOR UPDATE SKIP LOCKED: each mail goes to one. A
-- row without user_id is a forgotten-password request not yet resolved to
-- an account (see the SQLite migration).
CREATE TABLE mail_queue (
    id          TEXT        NOT NULL PRIMARY KEY,
    user_id     BIGINT      REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT        NOT NULL,
    recipient   TEXT        NOT NULL,
    payload     BYTEA       NOT NULL,
    attempts    INTEGER     NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL,
    next_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX mail_queue_next_at ON mail_queue (next_at);

-- +goose Down
DROP TABLE mail_queue;
DROP TABLE one_time_codes;
ALTER TABLE users DROP COLUMN email_verified_at;
