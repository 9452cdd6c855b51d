-- The SQLite backend's queries (runtime/store/sqlite.py). Named parameters; times are epoch seconds.

-- name: state_machine
SELECT * FROM state_machines WHERE arn = :arn

-- name: state_machines
SELECT * FROM state_machines WHERE status = 'ACTIVE' AND arn > :after ORDER BY arn LIMIT :limit

-- name: insert_machine
INSERT INTO state_machines (arn, name, type, status, definition, role_arn, config, revision_id, created, updated)
VALUES (:arn, :name, :type, :status, :definition, :role_arn, :config, :revision_id, :created, :updated)

-- name: update_machine
UPDATE state_machines SET definition = :definition, role_arn = :role_arn, config = :config,
    revision_id = :revision_id, updated = :updated
WHERE arn = :arn

-- name: set_machine_status
UPDATE state_machines SET status = :status WHERE arn = :arn

-- name: delete_machine
DELETE FROM state_machines WHERE arn = :arn

-- name: delete_machine_history
DELETE FROM history WHERE execution IN (SELECT seq FROM executions WHERE machine = (SELECT id FROM machine_keys WHERE arn = :arn))

-- name: delete_machine_tasks
DELETE FROM tasks WHERE execution_arn IN (SELECT arn FROM executions WHERE machine = (SELECT id FROM machine_keys WHERE arn = :arn))

-- name: delete_machine_timers
DELETE FROM timers WHERE execution_arn IN (SELECT arn FROM executions WHERE machine = (SELECT id FROM machine_keys WHERE arn = :arn))

-- name: delete_machine_executions
DELETE FROM executions WHERE machine = (SELECT id FROM machine_keys WHERE arn = :arn)

-- name: delete_machine_versions
DELETE FROM machine_versions WHERE machine_arn = :arn

-- name: delete_machine_version_numbers
DELETE FROM version_numbers WHERE machine_arn = :arn

-- name: version
SELECT machine_arn, number, revision_id, definition, role_arn, config, description, created
FROM machine_versions WHERE machine_arn = :machine_arn AND number = :number

-- name: versions
SELECT machine_arn, number, revision_id, definition, role_arn, config, description, created
FROM machine_versions WHERE machine_arn = :machine_arn AND number < :below
ORDER BY number DESC LIMIT :limit

-- name: next_version_number
INSERT INTO version_numbers (machine_arn, last) VALUES (:machine_arn, 1)
ON CONFLICT (machine_arn) DO UPDATE SET last = last + 1
RETURNING last

-- name: insert_version
INSERT INTO machine_versions
    (machine_arn, number, revision_id, definition, role_arn, config, description, created)
VALUES (:machine_arn, :number, :revision_id, :definition, :role_arn, :config, :description, :created)

-- name: delete_version
DELETE FROM machine_versions WHERE machine_arn = :machine_arn AND number = :number

-- name: delete_machine_aliases
DELETE FROM machine_aliases WHERE machine_arn = :arn

-- name: alias
SELECT machine_arn, name, description, routing, created, updated
FROM machine_aliases WHERE machine_arn = :machine_arn AND name = :name

-- name: aliases
SELECT machine_arn, name, description, routing, created, updated
FROM machine_aliases WHERE machine_arn = :machine_arn AND name > :after ORDER BY name LIMIT :limit

-- name: put_alias
INSERT INTO machine_aliases (machine_arn, name, description, routing, created, updated)
VALUES (:machine_arn, :name, :description, :routing, :created, :updated)
ON CONFLICT (machine_arn, name) DO UPDATE
SET description = excluded.description, routing = excluded.routing, updated = excluded.updated

-- name: delete_alias
DELETE FROM machine_aliases WHERE machine_arn = :machine_arn AND name = :name

-- name: closed_before
SELECT arn FROM executions WHERE status != 'RUNNING' AND stopped < :before LIMIT :limit

-- name: delete_execution_history
DELETE FROM history WHERE execution = (SELECT seq FROM executions WHERE arn = :arn)

-- name: delete_execution_tasks
DELETE FROM tasks WHERE execution_arn = :arn

-- name: delete_execution
DELETE FROM executions WHERE arn = :arn

-- name: has_running
SELECT 1 FROM executions
WHERE machine = (SELECT id FROM machine_keys WHERE arn = :machine_arn) AND status = 'RUNNING' AND arn != :other_than
LIMIT 1

-- name: activity
SELECT * FROM activities WHERE arn = :arn

-- name: activities
SELECT * FROM activities WHERE arn > :after ORDER BY arn LIMIT :limit

-- name: insert_activity
INSERT INTO activities (arn, name, config, created) VALUES (:arn, :name, :config, :created)

-- name: delete_activity
DELETE FROM activities WHERE arn = :arn

-- name: tags
SELECT key, value FROM tags WHERE resource_arn = :arn ORDER BY key

-- name: set_tag
INSERT OR REPLACE INTO tags (resource_arn, key, value) VALUES (:arn, :key, :value)

-- name: delete_tag
DELETE FROM tags WHERE resource_arn = :arn AND key = :key

-- name: delete_all_tags
DELETE FROM tags WHERE resource_arn = :arn

-- name: setting
SELECT value FROM settings WHERE name = :name

-- name: add_setting
INSERT OR IGNORE INTO settings (name, value) VALUES (:name, :value)

-- name: execution
SELECT e.arn, k.arn AS state_machine_arn, e.name, e.status, e.input, e.started, r.definition,
    r.role_arn, r.revision_id, e.output, e.error, e.cause, e.stopped, e.parent, e.trace_header,
    e.test_case, e.machine_version, e.machine_alias, e.seq, e.version, e.redrive_count, e.redrive_date,
    e.redrive_token, e.snapshot IS NOT NULL AS has_snapshot, e.map_run
FROM executions e JOIN machine_keys k ON k.id = e.machine JOIN revisions r ON r.id = e.revision
WHERE e.arn = :arn

-- name: running
SELECT e.arn, k.arn AS state_machine_arn, e.name, e.status, e.input, e.started, r.definition,
    r.role_arn, r.revision_id, e.output, e.error, e.cause, e.stopped, e.parent, e.trace_header,
    e.test_case, e.machine_version, e.machine_alias, e.seq, e.version, e.redrive_count, e.redrive_date,
    e.redrive_token, 1 AS has_snapshot, e.map_run, e.snapshot
FROM executions e JOIN machine_keys k ON k.id = e.machine JOIN revisions r ON r.id = e.revision
WHERE e.arn = :arn AND e.status = 'RUNNING' AND e.snapshot IS NOT NULL

-- name: redrivable
SELECT e.arn, k.arn AS state_machine_arn, e.name, e.status, e.input, e.started, r.definition,
    r.role_arn, r.revision_id, e.output, e.error, e.cause, e.stopped, e.parent, e.trace_header,
    e.test_case, e.machine_version, e.machine_alias, e.seq, e.version, e.redrive_count, e.redrive_date,
    e.redrive_token, 1 AS has_snapshot, e.map_run, e.snapshot
FROM executions e JOIN machine_keys k ON k.id = e.machine JOIN revisions r ON r.id = e.revision
WHERE e.arn = :arn AND e.status IN ('FAILED', 'TIMED_OUT', 'ABORTED') AND e.snapshot IS NOT NULL

-- name: executions
SELECT arn, :machine_arn AS state_machine_arn, name, status, started, stopped, seq, machine_version,
    machine_alias, redrive_count, redrive_date, map_run
FROM executions
WHERE machine = (SELECT id FROM machine_keys WHERE arn = :machine_arn) AND seq < :before
    AND (:machine_version IS NULL OR machine_version = :machine_version)
    AND (:machine_alias IS NULL OR machine_alias = :machine_alias)
    AND (:redriven IS NULL OR (redrive_count IS NOT NULL) = :redriven)
ORDER BY seq DESC LIMIT :limit

-- name: executions_by_status
SELECT arn, :machine_arn AS state_machine_arn, name, status, started, stopped, seq, machine_version,
    machine_alias, redrive_count, redrive_date, map_run
FROM executions
WHERE machine = (SELECT id FROM machine_keys WHERE arn = :machine_arn) AND status = :status
    AND seq < :before AND (:machine_version IS NULL OR machine_version = :machine_version)
    AND (:machine_alias IS NULL OR machine_alias = :machine_alias)
    AND (:redriven IS NULL OR (redrive_count IS NOT NULL) = :redriven)
ORDER BY seq DESC LIMIT :limit

-- name: max_seq
SELECT COALESCE(MAX(seq), 0) FROM executions

-- name: add_machine_key
INSERT OR IGNORE INTO machine_keys (arn) VALUES (:state_machine_arn)

-- name: add_revision
INSERT OR IGNORE INTO revisions (revision_id, definition, role_arn) VALUES (:revision_id, :definition, :role_arn)

-- name: insert_execution
INSERT INTO executions (seq, arn, machine, revision, name, status, input, output, error, cause,
    started, stopped, snapshot, parent, trace_header, test_case, machine_version, machine_alias, map_run,
    version)
VALUES (:seq, :arn, (SELECT id FROM machine_keys WHERE arn = :state_machine_arn),
    (SELECT id FROM revisions WHERE revision_id = :revision_id), :name, :status, :input, :output,
    :error, :cause, :started, :stopped, :snapshot, :parent, :trace_header, :test_case,
    :machine_version, :machine_alias, :map_run, 0)

-- name: save_snapshot
UPDATE executions SET snapshot = :snapshot, version = version + 1 WHERE arn = :arn AND version = :version

-- name: finish_execution
UPDATE executions SET status = :status, output = :output, error = :error, cause = :cause,
    stopped = :stopped, snapshot = :snapshot, version = version + 1
WHERE arn = :arn AND version = :version

-- name: redrive_execution
UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, stopped = NULL,
    snapshot = :snapshot, redrive_count = :redrive_count, redrive_date = :redrive_date,
    redrive_token = :redrive_token, version = version + 1
WHERE arn = :arn AND version = :version

-- name: execution_counts
SELECT k.arn, e.status, COUNT(*) AS n FROM executions e JOIN machine_keys k ON k.id = e.machine GROUP BY 1, 2

-- name: children
SELECT target FROM tasks WHERE execution_arn = :arn AND kind = 'child' AND target IS NOT NULL ORDER BY created

-- name: history_forward
SELECT events FROM history WHERE execution = (SELECT seq FROM executions WHERE arn = :arn) AND last_id > :after ORDER BY first_id

-- name: history_reverse
SELECT events FROM history WHERE execution = (SELECT seq FROM executions WHERE arn = :arn) AND first_id < :after ORDER BY first_id DESC

-- name: append_history
INSERT INTO history (execution, first_id, last_id, events) VALUES ((SELECT seq FROM executions WHERE arn = :arn), :first_id, :last_id, :events)

-- name: add_timer
INSERT OR REPLACE INTO timers (execution_arn, timer_id, due) VALUES (:arn, :timer_id, :due)

-- name: take_timer
DELETE FROM timers WHERE execution_arn = :arn AND timer_id = :timer_id AND due <= :now RETURNING due

-- name: delete_timers
DELETE FROM timers WHERE execution_arn = :arn

-- name: timers
SELECT execution_arn, timer_id, due FROM timers

-- name: task
SELECT * FROM tasks WHERE token = :token

-- name: task_of
SELECT * FROM tasks WHERE execution_arn = :arn AND task_id = :task_id ORDER BY created DESC LIMIT 1

-- name: insert_task
INSERT INTO tasks (token, execution_arn, task_id, kind, resource, payload, status, activity_arn,
    worker_name, target, created, heartbeat_seconds, state_name, timeout_seconds, attempt)
VALUES (:token, :execution_arn, :task_id, :kind, :resource, :payload, :status, :activity_arn,
    :worker_name, :target, :created, :heartbeat_seconds, :state_name, :timeout_seconds, :attempt)

-- name: set_task_status
UPDATE tasks SET status = :status WHERE token = :token

-- name: set_task_worker
UPDATE tasks SET status = :status, worker_name = :worker_name WHERE token = :token

-- name: hand_over_task
UPDATE tasks SET status = :started WHERE token = :token AND status = :queued

-- name: mark_submitted
UPDATE tasks SET status = 'submitted' WHERE execution_arn = :arn AND task_id = :task_id AND status != 'closed'

-- name: set_child
UPDATE tasks SET target = :target, status = 'submitted' WHERE token = :token

-- name: close_task
UPDATE tasks SET status = 'closed' WHERE execution_arn = :arn AND task_id = :task_id

-- name: open_tasks_of
SELECT * FROM tasks WHERE execution_arn = :arn AND status != 'closed'

-- name: close_tasks
UPDATE tasks SET status = 'closed' WHERE execution_arn = :arn AND status != 'closed'

-- name: open_tasks
SELECT * FROM tasks WHERE status != 'closed'

-- name: next_activity_task
SELECT * FROM tasks WHERE activity_arn = :activity_arn AND status = 'scheduled' ORDER BY created LIMIT 1

-- name: activity_backlog
SELECT * FROM tasks WHERE activity_arn = :activity_arn AND status IN ('scheduled', 'started') ORDER BY created

-- name: activity_tasks_waiting
-- The index tasks_open_activities covers it: no table row is read.
SELECT activity_arn, COUNT(*) AS n FROM tasks
WHERE activity_arn IS NOT NULL AND status = 'scheduled' GROUP BY activity_arn

-- name: count_invocations
SELECT COUNT(*) FROM tasks WHERE execution_arn = :arn AND state_name = :state_name

-- name: executions_of_map_run
SELECT e.arn, k.arn AS state_machine_arn, e.name, e.status, e.started, e.stopped, e.seq, e.machine_version,
    e.machine_alias, e.redrive_count, e.redrive_date, e.map_run
FROM executions e JOIN machine_keys k ON k.id = e.machine
WHERE e.map_run = :map_run AND e.seq < :before AND (:status IS NULL OR e.status = :status)
ORDER BY e.seq DESC LIMIT :limit

-- name: map_run
SELECT * FROM map_runs WHERE arn = :arn

-- name: map_runs
SELECT * FROM map_runs WHERE execution_arn = :execution_arn ORDER BY started, arn

-- name: put_map_run
INSERT INTO map_runs (arn, execution_arn, machine_arn, status, started, stopped, summary)
VALUES (:arn, :execution_arn, :machine_arn, :status, :started, :stopped, :summary)
ON CONFLICT (arn) DO UPDATE SET status = excluded.status, stopped = excluded.stopped, summary = excluded.summary

-- name: add_event
INSERT INTO event_outbox (destination, body) VALUES (:destination, :body)

-- name: claim_events
UPDATE event_outbox SET claimed_by = :node, claimed_until = :until
WHERE seq IN (
    SELECT seq FROM event_outbox
    WHERE destination = :destination
        AND (claimed_until IS NULL OR claimed_until < :now OR claimed_by = :node)
    ORDER BY seq LIMIT :limit
)
RETURNING seq, destination, body

-- name: delete_event
DELETE FROM event_outbox WHERE seq = :seq

-- name: release_event
UPDATE event_outbox SET claimed_by = NULL, claimed_until = NULL WHERE seq = :seq

-- name: events_waiting
SELECT destination, COUNT(*) AS n FROM event_outbox GROUP BY destination
