-- Each fact once (issue 10): an execution's row no longer repeats its machine's ARN, definition,
-- role and revision id, and its history refers to it by its number, not by its 80-byte ARN.
--   machine_keys: a number per state machine ARN, kept after the machine is deleted (an execution
--     written before its machine's deletion took its executions along keeps its machine's ARN);
--   revisions: a definition and role once per revision (a revision id is drawn at random by every
--     CreateStateMachine and UpdateStateMachine: one id is one definition and one role);
--   executions: numbered by seq, their start order, which is now the row's key (rowid);
--   history: chunks of the execution numbered ``execution``;
--   timers_by_owner and executions_by_stop: only the rows they find (SQLite's timers have no
--     owner; running executions have not stopped).
-- A snapshot or history chunk written before keeps its plain JSON (runtime/store/packing.py reads
-- both): nothing to rewrite.

CREATE TABLE machine_keys (
    id   INTEGER PRIMARY KEY,
    arn  TEXT NOT NULL UNIQUE
);
INSERT INTO machine_keys (arn) SELECT arn FROM state_machines UNION SELECT state_machine_arn FROM executions;

CREATE TABLE revisions (
    id           INTEGER PRIMARY KEY,
    revision_id  TEXT NOT NULL UNIQUE,
    definition   TEXT NOT NULL,
    role_arn     TEXT NOT NULL
);
INSERT OR IGNORE INTO revisions (revision_id, definition, role_arn)
SELECT revision_id, definition, role_arn FROM executions ORDER BY seq;

CREATE TABLE executions_numbered (
    seq           INTEGER PRIMARY KEY,       -- start order (newest-first listings), the key
    arn           TEXT NOT NULL UNIQUE,
    machine       INTEGER NOT NULL,          -- machine_keys.id
    revision      INTEGER NOT NULL,          -- revisions.id: the definition this execution runs
    name          TEXT NOT NULL,
    status        TEXT NOT NULL,             -- RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED
    input         TEXT NOT NULL,
    output        TEXT,
    error         TEXT,
    cause         TEXT,
    started       REAL NOT NULL,
    stopped       REAL,
    snapshot      BLOB,                      -- the engine's snapshot while RUNNING (packing.py)
    parent        TEXT,                      -- JSON {execution, task_id, mode} for a nested child
    trace_header  TEXT,
    test_case     TEXT,
    version       INTEGER NOT NULL DEFAULT 0
);
INSERT INTO executions_numbered (seq, arn, machine, revision, name, status, input, output, error,
    cause, started, stopped, snapshot, parent, trace_header, test_case, version)
SELECT e.seq, e.arn, k.id, r.id, e.name, e.status, e.input, e.output, e.error, e.cause, e.started,
    e.stopped, e.snapshot, e.parent, e.trace_header, e.test_case, e.version
FROM executions e
JOIN machine_keys k ON k.arn = e.state_machine_arn
JOIN revisions r ON r.revision_id = e.revision_id;

CREATE TABLE history_numbered (
    execution  INTEGER NOT NULL,             -- executions.seq
    first_id   INTEGER NOT NULL,
    last_id    INTEGER NOT NULL,
    events     BLOB NOT NULL                 -- large rows: a rowid table keeps them off the index
);
INSERT INTO history_numbered (execution, first_id, last_id, events)
SELECT e.seq, h.first_id, h.last_id, h.events FROM history h JOIN executions e ON e.arn = h.execution_arn;

DROP TABLE history;
ALTER TABLE history_numbered RENAME TO history;
CREATE UNIQUE INDEX history_by_execution ON history (execution, first_id);

DROP TABLE executions;
ALTER TABLE executions_numbered RENAME TO executions;
CREATE INDEX executions_by_machine ON executions (machine);   -- then by rowid: seq
CREATE INDEX executions_by_status ON executions (machine, status);
CREATE INDEX executions_by_stop ON executions (stopped) WHERE stopped IS NOT NULL;

DROP INDEX timers_by_owner;
CREATE INDEX timers_by_owner ON timers (owner) WHERE owner IS NOT NULL;
