-- Vigia foundation schema (PostgreSQL). Keep in step with ../sqlite/0001_foundation.sql.
CREATE TABLE agencies (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    country     TEXT NOT NULL,
    subdivision TEXT,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL,
    agency_id      TEXT NOT NULL REFERENCES agencies(id),
    password_hash  TEXT NOT NULL,
    identity_grant BIGINT NOT NULL DEFAULT 0,
    created_at_ms  BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash    TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id),
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id),
    csrf_token    TEXT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);

-- `country` (the recording agency's) is the natural distribution key for Citus later.
CREATE TABLE cases (
    id                 TEXT PRIMARY KEY,
    agency_id          TEXT NOT NULL REFERENCES agencies(id),
    country            TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    created_at_ms      BIGINT NOT NULL,
    external_ref       TEXT,
    sex                TEXT NOT NULL,
    age                BIGINT,
    age_bracket        TEXT,
    minor              BIGINT,
    citizenship        TEXT,
    acts               TEXT NOT NULL,
    means              TEXT NOT NULL,
    exploitation       TEXT NOT NULL,
    recruitment        TEXT,
    recruiter_relation TEXT,
    identified_on      TEXT NOT NULL,
    status             TEXT NOT NULL,
    identity_ct        BYTEA NOT NULL,
    UNIQUE (agency_id, external_ref)
);
CREATE INDEX cases_agency ON cases(agency_id, created_at_ms);
CREATE INDEX cases_country ON cases(country, created_at_ms);

CREATE TABLE case_places (
    case_id      TEXT NOT NULL REFERENCES cases(id),
    seq          BIGINT NOT NULL,
    country      TEXT NOT NULL,
    subdivision  TEXT,
    municipality TEXT,
    lat          DOUBLE PRECISION,
    lon          DOUBLE PRECISION,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE audit_log (
    seq      BIGINT PRIMARY KEY,
    at_ms    BIGINT NOT NULL,
    actor    TEXT,
    action   TEXT NOT NULL,
    case_id  TEXT,
    detail   TEXT NOT NULL,
    prev_mac BYTEA NOT NULL,
    mac      BYTEA NOT NULL
);
CREATE INDEX audit_case ON audit_log(case_id);

CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    mac  BYTEA NOT NULL
);

-- The audit log is append-only.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
