-- A version per row of the catalogue, for administrators' edits over the API: an update names the
-- version it read (If-Match) and raises it by one, so that of two edits made from the same read
-- one wins and the other is told (412), never silently overwritten. The same for both stores.
ALTER TABLE category ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE routing_rule ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE unit ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
