-- What many writers on many nodes need of PostgreSQL, and what its TEXT cannot hold (SQLite has one
-- writer, and TEXT that holds anything: 0005_many_writers.sqlite.sql).

-- Executions are numbered in start order by a sequence, unique across every writer of every node
-- (SQLite's writer counts in memory). A rolled-back transaction leaves a gap: listings only compare.
CREATE SEQUENCE execution_seq AS BIGINT;
SELECT setval('execution_seq', (SELECT COALESCE(MAX(seq), 0) + 1 FROM executions), false);

-- The fencing check, made by the database: a snapshot or end written at a version the execution has
-- left raises this (SQLSTATE 40001, serialization_failure) and aborts the transaction itself, so a
-- writer may send a whole batch and its COMMIT in one round trip (runtime/store/postgres.sql,
-- save_snapshot and finish_execution).
CREATE FUNCTION stepwell_stale_write(execution_arn TEXT, version BIGINT) RETURNS INTEGER
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'execution % is no longer at version %', execution_arn, version
        USING ERRCODE = 'serialization_failure';
END
$$;

-- An execution's error and cause come from user code (a Fail state's Cause, a function's error
-- message) and may hold any character: PostgreSQL's TEXT refuses NUL, so they are kept as UTF-8
-- bytes (runtime/store/postgres/ encodes and decodes them).
ALTER TABLE executions
    ALTER COLUMN error TYPE BYTEA USING convert_to(error, 'UTF8'),
    ALTER COLUMN cause TYPE BYTEA USING convert_to(cause, 'UTF8');
