-- +goose Up
-- Recovery and verified addresses (API.md, Mail). email_verified_at is
-- when the address was proven to reach the user; accounts that exist
-- before this migration start unverified. Version 00005 belongs to roles.
ALTER TABLE users ADD COLUMN email_verified_at TEXT;

-- One-time codes of password reset, email verification and address
-- change: the link token and the 6-digit code only as HMAC-SHA256 under a
-- data-key-derived key, so a leaked table holds nothing that works. A
-- spent code is deleted; email is the address the code was mailed to (the
-- new one for a change), which the code form is looked up by.
CREATE TABLE one_time_codes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT    NOT NULL,
    email       TEXT    NOT NULL,
    token_hash  BLOB    NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    code_hash   BLOB    NOT NULL CHECK (length(code_hash) = 32),
    tries       INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0),
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL
);
CREATE INDEX one_time_codes_user ON one_time_codes (user_id, purpose);
CREATE INDEX one_time_codes_email ON one_time_codes (email, purpose);
CREATE INDEX one_time_codes_expires ON one_time_codes (expires_at);

-- The mail queue: written in the transaction of the change that causes
-- the mail, deleted once delivered. payload is the mail's data sealed with
-- the data key (AES-256-GCM, bound to id), since it holds a token and a
-- code. next_at is when the mail may next be claimed: a claim moves it a
-- lease ahead, so a sender that dies mid-delivery leaves it for a retry.
-- A row without user_id is a forgotten-password request: the request
-- writes the same one row whatever account it names, and the sender finds
-- the account (if any) later, so the answer tells nothing by its timing.
CREATE TABLE mail_queue (
    id          TEXT    NOT NULL PRIMARY KEY,
    user_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    recipient   TEXT    NOT NULL,
    payload     BLOB    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL,
    next_at     TEXT    NOT NULL
);
CREATE INDEX mail_queue_next_at ON mail_queue (next_at);

-- +goose Down
DROP TABLE mail_queue;
DROP TABLE one_time_codes;
ALTER TABLE users DROP COLUMN email_verified_at;
