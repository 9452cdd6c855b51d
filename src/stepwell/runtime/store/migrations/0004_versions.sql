-- An execution's version, bumped by each write of its snapshot or end: a writer that read an
-- older version (another node advanced it meanwhile) writes nothing and retries (the fencing token).
ALTER TABLE executions ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
