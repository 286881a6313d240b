-- Routes, ready to aggregate: one row per case with the facts the map filters use
-- and its route reduced to origin, destination and the transit codes between
-- (subdivision where known, else country, joined by '>'). Kept in step with
-- cases and case_places by triggers, in the same transaction as each write.
CREATE TABLE case_routes (
    case_id       TEXT PRIMARY KEY REFERENCES cases(id),
    agency_id     TEXT NOT NULL,
    country       TEXT NOT NULL,
    agency_kind   TEXT NOT NULL,
    identified_on TEXT NOT NULL,
    sex           TEXT NOT NULL,
    minor         BIGINT,
    age_bracket   TEXT,
    exploitation  TEXT NOT NULL,
    citizenship   TEXT,
    o_cc          TEXT,
    o_sub         TEXT,
    d_cc          TEXT,
    d_sub         TEXT,
    transit       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_routes_country ON case_routes(country, identified_on);
CREATE INDEX case_routes_agency ON case_routes(agency_id, identified_on);
CREATE INDEX case_routes_period ON case_routes(identified_on);

CREATE FUNCTION case_routes_refresh(cid TEXT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE case_routes SET
        o_cc = (SELECT p.country FROM case_places p WHERE p.case_id = cid ORDER BY p.seq LIMIT 1),
        o_sub = (SELECT p.subdivision FROM case_places p WHERE p.case_id = cid ORDER BY p.seq LIMIT 1),
        d_cc = (SELECT p.country FROM case_places p WHERE p.case_id = cid ORDER BY p.seq DESC LIMIT 1),
        d_sub = (SELECT p.subdivision FROM case_places p WHERE p.case_id = cid ORDER BY p.seq DESC LIMIT 1),
        transit = COALESCE((
            SELECT string_agg(COALESCE(p.subdivision, p.country), '>' ORDER BY p.seq) FROM case_places p
            WHERE p.case_id = cid
              AND p.seq > (SELECT MIN(q.seq) FROM case_places q WHERE q.case_id = cid)
              AND p.seq < (SELECT MAX(q.seq) FROM case_places q WHERE q.case_id = cid)), '')
    WHERE case_id = cid;
END $$;

INSERT INTO case_routes (case_id, agency_id, country, agency_kind, identified_on, sex, minor, age_bracket, exploitation, citizenship)
SELECT c.id, c.agency_id, c.country, COALESCE(a.kind, ''), c.identified_on, c.sex, c.minor, c.age_bracket, c.exploitation, c.citizenship
FROM cases c LEFT JOIN agencies a ON a.id = c.agency_id;
SELECT case_routes_refresh(case_id) FROM case_routes;

CREATE FUNCTION case_routes_case_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_routes (case_id, agency_id, country, agency_kind, identified_on, sex, minor, age_bracket, exploitation, citizenship)
    VALUES (NEW.id, NEW.agency_id, NEW.country, COALESCE((SELECT kind FROM agencies WHERE id = NEW.agency_id), ''),
            NEW.identified_on, NEW.sex, NEW.minor, NEW.age_bracket, NEW.exploitation, NEW.citizenship);
    RETURN NULL;
END $$;
CREATE TRIGGER case_routes_case_insert AFTER INSERT ON cases FOR EACH ROW EXECUTE FUNCTION case_routes_case_insert();

CREATE FUNCTION case_routes_case_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE case_routes SET identified_on = NEW.identified_on, sex = NEW.sex, minor = NEW.minor, age_bracket = NEW.age_bracket,
        exploitation = NEW.exploitation, citizenship = NEW.citizenship
    WHERE case_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER case_routes_case_update AFTER UPDATE OF identified_on, sex, minor, age_bracket, exploitation, citizenship ON cases
FOR EACH ROW EXECUTE FUNCTION case_routes_case_update();

CREATE FUNCTION case_routes_place_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM case_routes_refresh(OLD.case_id);
    ELSE
        PERFORM case_routes_refresh(NEW.case_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER case_routes_place_change AFTER INSERT OR DELETE ON case_places FOR EACH ROW EXECUTE FUNCTION case_routes_place_change();
