-- +goose Up
-- Two-factor login (API.md, Two-factor login (TOTP)). A user has at most
-- one TOTP factor: sealed is its secret under the data keys (AES-256-GCM,
-- the key id inside, so a data-key rotation leaves it readable);
-- confirmed_at is NULL while enrolment is pending; last_step is the last
-- accepted TOTP step, moved only by compare-and-swap so a code is accepted
-- once on any replica.
CREATE TABLE mfa_factors (
    user_id      INTEGER NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed       BLOB    NOT NULL,
    last_step    INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT    NOT NULL,
    confirmed_at TEXT
);

-- Recovery codes as HMAC-SHA256 under a data-key-derived key; a used code
-- is deleted.
CREATE TABLE mfa_recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash BLOB    NOT NULL CHECK (length(code_hash) = 32),
    PRIMARY KEY (user_id, code_hash)
);

-- Logins waiting for their second step: the mfa_token only as its hash.
CREATE TABLE mfa_challenges (
    token_hash BLOB    NOT NULL PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tries      INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0),
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
);
CREATE INDEX mfa_challenges_expires ON mfa_challenges (expires_at);

-- The authentication assurance level a session was opened at (aal1: a
-- password; aal2: a password and a second factor), kept for its refreshes.
ALTER TABLE sessions ADD COLUMN aal TEXT NOT NULL DEFAULT 'aal1';

-- +goose Down
ALTER TABLE sessions DROP COLUMN aal;
DROP TABLE mfa_challenges;
DROP TABLE mfa_recovery_codes;
DROP TABLE mfa_factors;
