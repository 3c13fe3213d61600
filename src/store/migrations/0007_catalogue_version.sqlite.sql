-- A counter that every change of the category tree or the dispatch catalogue raises, in the
-- changing transaction (triggers, so that no writer can forget it). Servers keep both in memory
-- and reload them when the counter moved (app::CatalogueCache).
CREATE TABLE catalogue_version (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version BIGINT NOT NULL
);
INSERT INTO catalogue_version (id, version) VALUES (1, 1);

CREATE TRIGGER category_inserted AFTER INSERT ON category
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER category_updated AFTER UPDATE ON category
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER category_deleted AFTER DELETE ON category
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER routing_rule_inserted AFTER INSERT ON routing_rule
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER routing_rule_updated AFTER UPDATE ON routing_rule
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER routing_rule_deleted AFTER DELETE ON routing_rule
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
