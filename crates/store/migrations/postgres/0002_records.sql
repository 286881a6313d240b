-- Records of the referral mechanism and of later capabilities (agreements,
-- referrals, services, consents, decisions, screenings, tips, legal profiles,
-- settings): key columns for every access path, the rest as a JSON document
-- whose free-text fields are encrypted by the service before they get here.
CREATE TABLE records (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    case_id         TEXT REFERENCES cases(id),
    agency_id       TEXT,
    other_agency_id TEXT,
    status          TEXT,
    at_ms           BIGINT NOT NULL,
    body            TEXT NOT NULL
);
CREATE INDEX records_case ON records(kind, case_id, at_ms);
CREATE INDEX records_agency ON records(kind, agency_id, at_ms);
CREATE INDEX records_other ON records(kind, other_agency_id, at_ms);
