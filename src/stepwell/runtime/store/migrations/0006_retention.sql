-- Closed executions by the time they stopped: `stepwell db purge --older-than 90d` finds them
-- without reading the table.
CREATE INDEX executions_by_stop ON executions (stopped);
