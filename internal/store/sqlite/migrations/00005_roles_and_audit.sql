-- +goose Up
-- roles: the user's role names joined by commas, sorted ("admin,editor"),
-- '' for none. A column rather than a table: the session check behind
-- every bearer call reads it in its one-row join without an aggregate, a
-- user has at most 20 short names, and nothing but the last-admin rule
-- asks "who has role X" (it matches ',admin,' in the few active rows).
-- A role name cannot hold a comma (API.md: [a-z][a-z0-9_.-]{0,31}).
ALTER TABLE users ADD COLUMN roles TEXT NOT NULL DEFAULT '';

-- The audit trail (API.md, Audit trail). user_id has no foreign key on
-- purpose: a user's events outlive the user's deletion. actor_id is NULL
-- for the user on their own account, 'cli' for the operator's commands,
-- else the acting admin's id as text. details is a JSON object of names.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    actor_id    TEXT,
    user_id     INTEGER,
    ip          TEXT    NOT NULL DEFAULT '',
    user_agent  TEXT    NOT NULL DEFAULT '',
    request_id  TEXT    NOT NULL DEFAULT '',
    details     TEXT    NOT NULL DEFAULT '{}'
);

-- /auth/events and /admin/audit?user_id=: one user's events, newest first.
CREATE INDEX audit_events_user_id ON audit_events (user_id, id);
-- /admin/audit?action=.
CREATE INDEX audit_events_action ON audit_events (action, id);
-- The retention purge.
CREATE INDEX audit_events_at ON audit_events (at);

-- +goose Down
DROP TABLE audit_events;
ALTER TABLE users DROP COLUMN roles;
