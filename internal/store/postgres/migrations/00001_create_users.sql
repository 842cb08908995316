-- +goose Up
-- The same table as the SQLite migration of the same version, in PostgreSQL's
-- own types: an identity column, boolean and timestamptz.
CREATE TABLE users (
    id              BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username        TEXT        NOT NULL,
    email           TEXT        NOT NULL,
    hashed_password TEXT        NOT NULL,
    is_active       BOOLEAN     NOT NULL DEFAULT true,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_login      TIMESTAMPTZ
);

-- Usernames are unique without regard to case, decided here and not by a
-- check-then-insert; the store's lookups use the same expressions, so these
-- indexes serve them. Unlike SQLite's, PostgreSQL's lower() folds beyond
-- ASCII, which makes no difference for usernames (ASCII only) or for emails
-- (lower-cased by the service before they reach the store).
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- +goose Down
DROP TABLE users;
