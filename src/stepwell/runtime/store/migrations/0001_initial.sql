-- The durable state of a stepwell server. Times are epoch seconds (REAL); JSON columns hold
-- compact JSON text. One numbered file per migration; applied in order, each in a transaction.

CREATE TABLE state_machines (
    arn          TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL,              -- STANDARD | EXPRESS
    status       TEXT NOT NULL,              -- ACTIVE | DELETING
    definition   TEXT NOT NULL,
    role_arn     TEXT NOT NULL,
    config       TEXT NOT NULL,              -- JSON: loggingConfiguration, tracingConfiguration, ...
    revision_id  TEXT NOT NULL,
    created      REAL NOT NULL,
    updated      REAL NOT NULL
);

CREATE TABLE executions (
    arn               TEXT PRIMARY KEY,
    state_machine_arn TEXT NOT NULL,
    name              TEXT NOT NULL,
    status            TEXT NOT NULL,         -- RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED
    input             TEXT NOT NULL,
    output            TEXT,
    error             TEXT,
    cause             TEXT,
    started           REAL NOT NULL,
    stopped           REAL,
    definition        TEXT NOT NULL,         -- the definition this execution runs
    role_arn          TEXT NOT NULL,
    revision_id       TEXT NOT NULL,
    snapshot          BLOB,                  -- the engine's snapshot while RUNNING, else NULL
    parent            TEXT,                  -- JSON {execution, task_id, mode} for a nested .sync child
    trace_header      TEXT,
    seq               INTEGER NOT NULL       -- start order, for newest-first listings
);
CREATE INDEX executions_by_machine ON executions (state_machine_arn, seq DESC);
CREATE INDEX executions_by_status ON executions (state_machine_arn, status, seq DESC);

-- History events in chunks: the events of one engine step (up to 500) as one JSON array, so a
-- step that runs twenty states writes one row, not forty. Events keep their AWS shape, with
-- timestamps in epoch seconds.
CREATE TABLE history (
    execution_arn TEXT NOT NULL,
    first_id      INTEGER NOT NULL,
    last_id       INTEGER NOT NULL,
    events        BLOB NOT NULL              -- large rows: a rowid table keeps them off the index
);
CREATE UNIQUE INDEX history_by_execution ON history (execution_arn, first_id);

-- Timers the engine asked for (Wait, retry back-off, deadlines); deleted when they fire.
CREATE TABLE timers (
    execution_arn TEXT NOT NULL,
    timer_id      TEXT NOT NULL,
    due           REAL NOT NULL,
    PRIMARY KEY (execution_arn, timer_id)
) WITHOUT ROWID;

-- The outbox: every task the engine asked for, until its result is applied.
CREATE TABLE tasks (
    token         TEXT PRIMARY KEY,          -- the task token (callbacks, activities) or a runtime id
    execution_arn TEXT NOT NULL,
    task_id       TEXT NOT NULL,
    kind          TEXT NOT NULL,             -- function | activity | callback | child | service
    resource      TEXT NOT NULL,
    payload       TEXT NOT NULL,
    status        TEXT NOT NULL,             -- scheduled | started | submitted | closed
    activity_arn  TEXT,
    worker_name   TEXT,
    target        TEXT,                      -- the child execution's ARN (kind child)
    created       REAL NOT NULL,
    heartbeat_seconds REAL
);
CREATE INDEX tasks_by_execution ON tasks (execution_arn, task_id);
CREATE INDEX tasks_open_activities ON tasks (activity_arn, status, created);

CREATE TABLE activities (
    arn      TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    config   TEXT NOT NULL,
    created  REAL NOT NULL
);

CREATE TABLE tags (
    resource_arn TEXT NOT NULL,
    key          TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (resource_arn, key)
) WITHOUT ROWID;

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
