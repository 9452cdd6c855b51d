-- Many nodes on one database (PostgreSQL): each node holds a lease it renews; the timers it sets
-- and the calls it hands over carry its id, so that when its lease expires another node adopts
-- exactly its work. An exclusive store (SQLite) leaves the columns empty: all its work is its own.
CREATE TABLE nodes (
    id       TEXT PRIMARY KEY,
    started  REAL NOT NULL,
    expires  REAL NOT NULL
);
ALTER TABLE timers ADD COLUMN owner TEXT;
ALTER TABLE tasks ADD COLUMN node TEXT;
CREATE INDEX timers_by_owner ON timers (owner);
CREATE INDEX tasks_by_node ON tasks (node, status);
