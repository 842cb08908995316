-- +goose Up
-- The client IP of the refresh that last rotated the session, as text like
-- ip: the grace answer goes only to that client (API.md, Tokens and
-- sessions; compared by auth.ClientNet, an IPv6 address by its /64). Empty
-- until the first rotation, and for sessions rotated before this version.
ALTER TABLE sessions ADD COLUMN rotated_ip TEXT NOT NULL DEFAULT '';

-- The session cap counts a user's sessions not ended on every login, in
-- the write transaction: this index keeps that to the live ones, however
-- many ended sessions wait for the purge. Neither column changes when a
-- session is refreshed, so a refresh does not write it.
CREATE INDEX sessions_live_user_id ON sessions (user_id) WHERE ended_at IS NULL;

-- +goose Down
DROP INDEX sessions_live_user_id;
ALTER TABLE sessions DROP COLUMN rotated_ip;
