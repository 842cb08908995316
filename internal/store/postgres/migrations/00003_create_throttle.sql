-- +goose Up
-- The same table as the SQLite migration of the same version, in
-- PostgreSQL's own types: throttling's counters and known-IP records, keyed
-- by an HMAC-SHA256 (32 bytes) so no IP or login identifier is stored.
-- Version 00002 belongs to the sessions tables.
CREATE TABLE throttle_records (
    key         BYTEA       NOT NULL PRIMARY KEY CHECK (length(key) = 32),
    count       INTEGER     NOT NULL CHECK (count >= 0),
    window_ends TIMESTAMPTZ NOT NULL,
    last_at     TIMESTAMPTZ NOT NULL
);

-- The purge deletes by window_ends.
CREATE INDEX throttle_records_window_ends ON throttle_records (window_ends);

-- +goose Down
DROP TABLE throttle_records;
