-- State machine versions (PublishStateMachineVersion, CreateStateMachine and UpdateStateMachine with
-- publish): each the machine's revision as it was when published, numbered from 1. A number is
-- never reused, not even after its version is deleted: the last one given is kept per machine.
CREATE TABLE machine_versions (
    machine_arn  TEXT NOT NULL,
    number       INTEGER NOT NULL,
    revision_id  TEXT NOT NULL,
    definition   TEXT NOT NULL,
    role_arn     TEXT NOT NULL,
    config       TEXT NOT NULL,
    description  TEXT,
    created      REAL NOT NULL,
    PRIMARY KEY (machine_arn, number)
);

CREATE TABLE version_numbers (
    machine_arn  TEXT PRIMARY KEY,
    last         INTEGER NOT NULL
);

-- The version an execution runs, when it was started on a version's ARN.
ALTER TABLE executions ADD COLUMN machine_version INTEGER;
