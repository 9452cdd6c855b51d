-- Map Runs: a Distributed Map's run, as DescribeMapRun shows it (its settings and counts in
-- ``summary``, JSON), and the Map Run a child execution belongs to. A child execution is an
-- execution like any other, of the labelled state machine ``stateMachine:<name>/<label>``.
CREATE TABLE map_runs (
    arn            TEXT NOT NULL PRIMARY KEY,
    execution_arn  TEXT NOT NULL,               -- the parent execution
    machine_arn    TEXT NOT NULL,               -- the labelled state machine its children run
    status         TEXT NOT NULL,               -- RUNNING | SUCCEEDED | FAILED | ABORTED
    started        REAL NOT NULL,
    stopped        REAL,
    summary        TEXT NOT NULL
);
CREATE INDEX map_runs_by_execution ON map_runs (execution_arn, started);

ALTER TABLE executions ADD COLUMN map_run TEXT;
CREATE INDEX executions_by_map_run ON executions (map_run, seq) WHERE map_run IS NOT NULL;
