-- +goose Up
-- The same column, table and indexes as the SQLite migration of the same
-- version. roles: the role names joined by commas, sorted, '' for none; a
-- column rather than a table so the session check behind every bearer call
-- reads it in its one-row join without an aggregate (reasons in the
-- SQLite file). A constant default makes this a catalogue change.
ALTER TABLE users ADD COLUMN roles TEXT NOT NULL DEFAULT '';

-- user_id has no foreign key on purpose: events outlive the user.
CREATE TABLE audit_events (
    id          BIGSERIAL   PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    action      TEXT        NOT NULL,
    actor_id    TEXT,
    user_id     BIGINT,
    ip          TEXT        NOT NULL DEFAULT '',
    user_agent  TEXT        NOT NULL DEFAULT '',
    request_id  TEXT        NOT NULL DEFAULT '',
    details     JSONB       NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_events_user_id ON audit_events (user_id, id);
CREATE INDEX audit_events_action ON audit_events (action, id);
CREATE INDEX audit_events_at ON audit_events (at);

-- +goose Down
DROP TABLE audit_events;
ALTER TABLE users DROP COLUMN roles;
