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

-- The admin user search (a substring of lower(username) or of email, which
-- is stored lower-cased) through a trigram index, so a rare match does not
-- walk every user (about 50 ms at 100,000 users; under 2 ms with it).
-- pg_trgm ships with PostgreSQL; it is installed into public when it is
-- not installed yet and the role may, and the index names its operator
-- class in whatever schema holds it. Without it (no privilege, no public
-- schema) the search still works: it walks the primary key, bounded by
-- the page size. Two migrations racing to install it: the loser's error is
-- caught and it finds the winner's.
-- +goose StatementBegin
DO $$
DECLARE
    trgm text;
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    EXCEPTION WHEN others THEN
        RAISE NOTICE 'pg_trgm not installed (%): the user search walks the users', SQLERRM;
    END;
    SELECT n.nspname INTO trgm
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    IF trgm IS NOT NULL THEN
        EXECUTE format('CREATE INDEX users_search_trgm ON users USING gin (lower(username) %I.gin_trgm_ops, email %I.gin_trgm_ops)', trgm, trgm);
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX IF EXISTS users_search_trgm;
DROP TABLE audit_events;
ALTER TABLE users DROP COLUMN roles;
