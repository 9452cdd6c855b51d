-- The event outbox, as 0014_event_outbox.sqlite.sql describes it; its numbers come from an identity
-- (unique across nodes; a rolled-back transaction leaves a gap: the numbers only order).
CREATE TABLE event_outbox (
    seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    destination    TEXT NOT NULL,
    body           BYTEA NOT NULL,
    claimed_by     TEXT,
    claimed_until  DOUBLE PRECISION
);
CREATE INDEX event_outbox_by_destination ON event_outbox (destination, seq);
