-- +goose Up
-- The client IP of the refresh that last rotated the session, as text like
-- ip: the grace answer goes only to that client (API.md, Tokens and
-- sessions; compared by auth.ClientNet, an IPv6 address by its /64). Empty
-- until the first rotation, and for sessions rotated before this version.
ALTER TABLE sessions ADD COLUMN rotated_ip TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sessions DROP COLUMN rotated_ip;
