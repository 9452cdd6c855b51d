-- RedriveExecution: how often an execution was redriven, when last, and the clientToken of that
-- redrive (a retried call with the same token redrives nothing more). NULL until a first redrive,
-- so an execution that is never redriven costs no space. An execution that ends FAILED,
-- TIMED_OUT or ABORTED keeps its snapshot (finish_execution) for a redrive to go on from.
ALTER TABLE executions ADD COLUMN redrive_count INTEGER;
ALTER TABLE executions ADD COLUMN redrive_date REAL;
ALTER TABLE executions ADD COLUMN redrive_token TEXT;
