-- A function or service call is written "queued" and becomes "started" when it is handed over (a
-- worker takes it, the request leaves), committed before it goes out: after a crash only a started
-- call is in doubt; a queued one is called then, as it was asked for (its timeout and attempt).
-- Rows from before this migration keep "scheduled": whether they went out is unknown.
ALTER TABLE tasks ADD COLUMN timeout_seconds REAL;
ALTER TABLE tasks ADD COLUMN attempt INTEGER;
