-- +goose Up
-- The same column and index as the SQLite migration of the same version.
-- rotated_ip: the client IP of the refresh that last rotated the session,
-- as text like ip. The grace answer goes only to that client (API.md,
-- Tokens and sessions; compared by auth.ClientNet, an IPv6 address by its
-- /64). Empty until the first rotation, and for sessions rotated before
-- this version. A constant default makes this a catalogue change: no
-- table rewrite.
ALTER TABLE sessions ADD COLUMN rotated_ip TEXT NOT NULL DEFAULT '';

-- The session cap counts a user's sessions not ended on every login,
-- under the user's row lock: this index keeps that to the live ones,
-- however many ended sessions wait for the purge.
CREATE INDEX sessions_live_user_id ON sessions (user_id) WHERE ended_at IS NULL;

-- +goose Down
DROP INDEX sessions_live_user_id;
ALTER TABLE sessions DROP COLUMN rotated_ip;
