-- case_routes rows are now written by the store itself, in the same transaction
-- as the cases and places they summarise (multi-row inserts): the per-row
-- triggers recomputed a whole route for every place inserted. The trigger that
-- follows updates of a case's facts stays.
DROP TRIGGER IF EXISTS case_routes_case_insert ON cases;
DROP TRIGGER IF EXISTS case_routes_place_change ON case_places;
