-- Vigia foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql.
CREATE TABLE agencies (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    country     TEXT NOT NULL,
    subdivision TEXT,
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL,
    agency_id      TEXT NOT NULL REFERENCES agencies(id),
    password_hash  TEXT NOT NULL,
    identity_grant INTEGER NOT NULL DEFAULT 0,
    created_at_ms  INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    token_hash    TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id),
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id),
    csrf_token    TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL
);

CREATE TABLE cases (
    id                 TEXT PRIMARY KEY,
    agency_id          TEXT NOT NULL REFERENCES agencies(id),
    country            TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    created_at_ms      INTEGER NOT NULL,
    external_ref       TEXT,
    sex                TEXT NOT NULL,
    age                INTEGER,
    age_bracket        TEXT,
    minor              INTEGER,
    citizenship        TEXT,
    acts               TEXT NOT NULL,
    means              TEXT NOT NULL,
    exploitation       TEXT NOT NULL,
    recruitment        TEXT,
    recruiter_relation TEXT,
    identified_on      TEXT NOT NULL,
    status             TEXT NOT NULL,
    identity_ct        BLOB NOT NULL,
    UNIQUE (agency_id, external_ref)
);
CREATE INDEX cases_agency ON cases(agency_id, created_at_ms);
CREATE INDEX cases_country ON cases(country, created_at_ms);

CREATE TABLE case_places (
    case_id      TEXT NOT NULL REFERENCES cases(id),
    seq          INTEGER NOT NULL,
    country      TEXT NOT NULL,
    subdivision  TEXT,
    municipality TEXT,
    lat          REAL,
    lon          REAL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE audit_log (
    seq      INTEGER PRIMARY KEY,
    at_ms    INTEGER NOT NULL,
    actor    TEXT,
    action   TEXT NOT NULL,
    case_id  TEXT,
    detail   TEXT NOT NULL,
    prev_mac BLOB NOT NULL,
    mac      BLOB NOT NULL
);
CREATE INDEX audit_case ON audit_log(case_id);

-- The chain head, updated in the same transaction as each append.
CREATE TABLE audit_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    seq      INTEGER NOT NULL,
    mac      BLOB NOT NULL
);

-- The audit log is append-only.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
