-- State machine aliases: a name routing executions to one or two versions by weight
-- (CreateStateMachineAlias); an execution started on an alias keeps its name beside the version
-- the routing chose.
CREATE TABLE machine_aliases (
    machine_arn  TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT,
    routing      TEXT NOT NULL,              -- JSON: [{"stateMachineVersionArn", "weight"}, ...]
    created      REAL NOT NULL,
    updated      REAL NOT NULL,
    PRIMARY KEY (machine_arn, name)
);

ALTER TABLE executions ADD COLUMN machine_alias TEXT;
