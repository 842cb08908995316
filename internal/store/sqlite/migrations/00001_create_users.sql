-- +goose Up
-- SQLite has no time type: times are TEXT in UTC RFC 3339 with whole seconds
-- ("2026-11-28T10:30:45Z"), a form that sorts in time order and that the
-- store writes and parses itself. The defaults use the same form, for rows
-- written by hand.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    username        TEXT    NOT NULL,
    email           TEXT    NOT NULL,
    hashed_password TEXT    NOT NULL,
    is_active       INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    last_login      TEXT
);

-- Usernames are unique without regard to case, decided here and not by a
-- check-then-insert; the store's lookups use the same expressions, so these
-- indexes serve them. SQLite's lower() folds ASCII only, which is all a
-- username may hold; emails arrive lower-cased from the service.
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- +goose Down
DROP TABLE users;
