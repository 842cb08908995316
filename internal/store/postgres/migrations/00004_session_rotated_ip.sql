-- +goose Up
-- The same column as the SQLite migration of the same version: the client
-- IP of the refresh that last rotated the session, as text like ip. The
-- grace answer goes only to that client (API.md, Tokens and sessions;
-- compared by auth.ClientNet, an IPv6 address by its /64). Empty until the
-- first rotation, and for sessions rotated before this version. A constant
-- default makes this a catalogue change: no table rewrite.
ALTER TABLE sessions ADD COLUMN rotated_ip TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sessions DROP COLUMN rotated_ip;
