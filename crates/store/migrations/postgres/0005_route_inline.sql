-- A case's route moves into the case row (a JSON array of places, in order), and
-- every write of cases takes the next value of a revision counter (a row lock held
-- to commit, so revisions commit in order), so that the service can keep its
-- in-memory map aggregates up to date by reading only what changed
-- (`(rev, id) > last seen`). The derived tables case_places and case_routes go.
ALTER TABLE cases ADD COLUMN route TEXT NOT NULL DEFAULT '[]';
ALTER TABLE cases ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;

UPDATE cases c SET route = COALESCE((
    SELECT json_agg(json_build_object('country', p.country, 'subdivision', p.subdivision, 'municipality', p.municipality, 'lat', p.lat, 'lon', p.lon) ORDER BY p.seq)::text
    FROM case_places p WHERE p.case_id = c.id), '[]');

DROP TRIGGER IF EXISTS case_routes_case_update ON cases;
DROP TABLE case_routes;
DROP TABLE case_places;
DROP FUNCTION IF EXISTS case_routes_case_update();
DROP FUNCTION IF EXISTS case_routes_case_insert();
DROP FUNCTION IF EXISTS case_routes_place_change();
DROP FUNCTION IF EXISTS case_routes_refresh(TEXT);

-- (rev, id): facts are read in pages, in this order (byte order of ids).
CREATE INDEX cases_rev ON cases(rev, id COLLATE "C");

CREATE TABLE case_rev (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    rev BIGINT NOT NULL
);
INSERT INTO case_rev (id, rev) VALUES (1, 0);
