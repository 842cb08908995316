-- +goose Up
-- Throttling's facts (internal/auth/throttle.go): counters of failed logins
-- and registrations, and the record of an account's last successful login
-- from one IP. key is an HMAC-SHA256 (32 bytes) of what the record is about,
-- so no IP or login identifier is stored. Times are TEXT in UTC RFC 3339
-- with whole seconds, like the users table's, which compare in time order.
-- Version 00002 belongs to the sessions tables.
CREATE TABLE throttle_records (
    key         BLOB    NOT NULL PRIMARY KEY CHECK (length(key) = 32),
    count       INTEGER NOT NULL CHECK (count >= 0),
    window_ends TEXT    NOT NULL,
    last_at     TEXT    NOT NULL
) WITHOUT ROWID;

-- The purge deletes by window_ends.
CREATE INDEX throttle_records_window_ends ON throttle_records (window_ends);

-- +goose Down
DROP TABLE throttle_records;
