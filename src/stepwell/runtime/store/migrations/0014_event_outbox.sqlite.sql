-- The event outbox: "Step Functions Execution Status Change" events (stepwell/events), written in
-- the transaction of the status change they tell, one row per destination (a webhook's URL, or
-- ``eventbridge``), deleted once that destination accepted the event. Empty unless the server
-- delivers events. No key to the execution: an event outlives a purge of what it tells.
-- ``claimed_by``/``claimed_until``: the node delivering it, and until when (a node that died
-- holding it gives it up when that time runs out, or with its node lease on PostgreSQL).
CREATE TABLE event_outbox (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    destination    TEXT NOT NULL,
    body           BLOB NOT NULL,
    claimed_by     TEXT,
    claimed_until  REAL
);
CREATE INDEX event_outbox_by_destination ON event_outbox (destination, seq);
