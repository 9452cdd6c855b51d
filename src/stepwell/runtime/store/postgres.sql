-- The PostgreSQL backend's queries (runtime/store/postgres/), psycopg's %(name)s parameters; times
-- are epoch seconds. The writes postgres/transaction.py holds to send in batches (its HELD) each
-- write one table, and read only tables sent before theirs (postgres/common.py, TABLE_ORDER): an
-- execution's machine key and revision, history's and timers' execution number. Columns are named,
-- never *: a prepared statement outlives a migration that adds a column (nodes keep running while
-- one of them upgrades the schema).

-- name: state_machine
SELECT arn, name, type, status, definition, role_arn, config, revision_id, created, updated
FROM state_machines WHERE arn = %(arn)s

-- name: state_machines
SELECT arn, name, type, status, definition, role_arn, config, revision_id, created, updated
FROM state_machines WHERE status = 'ACTIVE' AND arn > %(after)s ORDER BY arn LIMIT %(limit)s

-- name: insert_machine
INSERT INTO state_machines
    (arn, name, type, status, definition, role_arn, config, revision_id, created, updated)
VALUES (%(arn)s, %(name)s, %(type)s, %(status)s, %(definition)s, %(role_arn)s, %(config)s, %(revision_id)s,
    %(created)s, %(updated)s)

-- name: update_machine
UPDATE state_machines SET definition = %(definition)s, role_arn = %(role_arn)s, config = %(config)s,
    revision_id = %(revision_id)s, updated = %(updated)s
WHERE arn = %(arn)s

-- name: add_machine_key
-- A number for the ARN, once: kept after the machine is deleted (migration 0009). Only a key not
-- there yet is inserted, so that a key written before takes no lock.
INSERT INTO machine_keys (arn)
SELECT %(machine_arn)s WHERE NOT EXISTS (SELECT FROM machine_keys WHERE arn = %(machine_arn)s)
ON CONFLICT (arn) DO NOTHING

-- name: add_revision
INSERT INTO revisions (revision_id, definition, role_arn)
SELECT %(revision_id)s, %(definition)s, %(role_arn)s
WHERE NOT EXISTS (SELECT FROM revisions WHERE revision_id = %(revision_id)s)
ON CONFLICT (revision_id) DO NOTHING

-- name: set_machine_status
UPDATE state_machines SET status = %(status)s WHERE arn = %(arn)s

-- name: delete_machine
-- The machine, its tags, and its executions with their histories, tasks and timers, in one statement.
WITH executions_gone AS (
    DELETE FROM executions WHERE machine = (SELECT id FROM machine_keys WHERE arn = %(arn)s)
    RETURNING seq, arn
), history_gone AS (
    DELETE FROM history WHERE execution IN (SELECT seq FROM executions_gone)
), tasks_gone AS (
    DELETE FROM tasks WHERE execution_arn IN (SELECT arn FROM executions_gone)
), timers_gone AS (
    DELETE FROM timers WHERE execution IN (SELECT seq FROM executions_gone)
), tags_gone AS (
    DELETE FROM tags WHERE resource_arn = %(arn)s
), versions_gone AS (
    DELETE FROM machine_versions WHERE machine_arn = %(arn)s
), numbers_gone AS (
    DELETE FROM version_numbers WHERE machine_arn = %(arn)s
), aliases_gone AS (
    DELETE FROM machine_aliases WHERE machine_arn = %(arn)s
)
DELETE FROM state_machines WHERE arn = %(arn)s

-- name: version
SELECT machine_arn, number, revision_id, definition, role_arn, config, description, created
FROM machine_versions WHERE machine_arn = %(machine_arn)s AND number = %(number)s

-- name: versions
SELECT machine_arn, number, revision_id, definition, role_arn, config, description, created
FROM machine_versions WHERE machine_arn = %(machine_arn)s AND number < %(below)s
ORDER BY number DESC LIMIT %(limit)s

-- name: next_version_number
INSERT INTO version_numbers (machine_arn, last) VALUES (%(machine_arn)s, 1)
ON CONFLICT (machine_arn) DO UPDATE SET last = version_numbers.last + 1
RETURNING last

-- name: insert_version
INSERT INTO machine_versions
    (machine_arn, number, revision_id, definition, role_arn, config, description, created)
VALUES (%(machine_arn)s, %(number)s, %(revision_id)s, %(definition)s, %(role_arn)s, %(config)s,
    %(description)s, %(created)s)

-- name: delete_version
DELETE FROM machine_versions WHERE machine_arn = %(machine_arn)s AND number = %(number)s

-- name: alias
SELECT machine_arn, name, description, routing, created, updated
FROM machine_aliases WHERE machine_arn = %(machine_arn)s AND name = %(name)s

-- name: aliases
SELECT machine_arn, name, description, routing, created, updated
FROM machine_aliases WHERE machine_arn = %(machine_arn)s AND name > %(after)s ORDER BY name
LIMIT %(limit)s

-- name: put_alias
INSERT INTO machine_aliases (machine_arn, name, description, routing, created, updated)
VALUES (%(machine_arn)s, %(name)s, %(description)s, %(routing)s, %(created)s, %(updated)s)
ON CONFLICT (machine_arn, name) DO UPDATE
SET description = EXCLUDED.description, routing = EXCLUDED.routing, updated = EXCLUDED.updated

-- name: delete_alias
DELETE FROM machine_aliases WHERE machine_arn = %(machine_arn)s AND name = %(name)s

-- name: has_running
SELECT 1 FROM executions
WHERE machine = (SELECT id FROM machine_keys WHERE arn = %(machine_arn)s) AND status = 'RUNNING'
    AND arn != %(other_than)s
LIMIT 1

-- name: activity
SELECT arn, name, config, created FROM activities WHERE arn = %(arn)s

-- name: activities
SELECT arn, name, config, created FROM activities WHERE arn > %(after)s ORDER BY arn LIMIT %(limit)s

-- name: insert_activity
INSERT INTO activities (arn, name, config, created) VALUES (%(arn)s, %(name)s, %(config)s, %(created)s)

-- name: delete_activity
DELETE FROM activities WHERE arn = %(arn)s

-- name: tags
SELECT key, value FROM tags WHERE resource_arn = %(arn)s ORDER BY key

-- name: set_tag
INSERT INTO tags (resource_arn, key, value) VALUES (%(arn)s, %(key)s, %(value)s)
ON CONFLICT (resource_arn, key) DO UPDATE SET value = EXCLUDED.value

-- name: delete_tag
DELETE FROM tags WHERE resource_arn = %(arn)s AND key = %(key)s

-- name: delete_all_tags
DELETE FROM tags WHERE resource_arn = %(arn)s

-- name: setting
SELECT value FROM settings WHERE name = %(name)s

-- name: add_setting
INSERT INTO settings (name, value) VALUES (%(name)s, %(value)s) ON CONFLICT (name) DO NOTHING

-- name: execution
-- An execution's name is the last part of its ARN (migration 0009; a name holds no colon).
SELECT e.arn, k.arn AS state_machine_arn, substring(e.arn from '[^:]*$') AS name, e.status, e.input,
    e.started, r.definition, r.role_arn, r.revision_id, e.output, e.error, e.cause, e.stopped, e.parent,
    e.trace_header, e.test_case, e.machine_version, e.machine_alias, e.seq, e.version, e.redrive_count,
    e.redrive_date, e.redrive_token, e.snapshot IS NOT NULL AS has_snapshot, e.map_run
FROM executions e JOIN machine_keys k ON k.id = e.machine JOIN revisions r ON r.id = e.revision
WHERE e.arn = %(arn)s

-- name: running
SELECT e.arn, k.arn AS state_machine_arn, substring(e.arn from '[^:]*$') AS name, e.status, e.input,
    e.started, r.definition, r.role_arn, r.revision_id, e.output, e.error, e.cause, e.stopped, e.parent,
    e.trace_header, e.test_case, e.machine_version, e.machine_alias, e.seq, e.version, e.redrive_count,
    e.redrive_date, e.redrive_token, TRUE AS has_snapshot, e.map_run, e.snapshot
FROM executions e JOIN machine_keys k ON k.id = e.machine JOIN revisions r ON r.id = e.revision
WHERE e.arn = %(arn)s AND e.status = 'RUNNING' AND e.snapshot IS NOT NULL

-- name: redrivable
SELECT e.arn, k.arn AS state_machine_arn, substring(e.arn from '[^:]*$') AS name, e.status, e.input,
    e.started, r.definition, r.role_arn, r.revision_id, e.output, e.error, e.cause, e.stopped, e.parent,
    e.trace_header, e.test_case, e.machine_version, e.machine_alias, e.seq, e.version, e.redrive_count,
    e.redrive_date, e.redrive_token, TRUE AS has_snapshot, e.map_run, e.snapshot
FROM executions e JOIN machine_keys k ON k.id = e.machine JOIN revisions r ON r.id = e.revision
WHERE e.arn = %(arn)s AND e.status IN ('FAILED', 'TIMED_OUT', 'ABORTED') AND e.snapshot IS NOT NULL

-- name: executions
SELECT arn, %(machine_arn)s::text AS state_machine_arn, substring(arn from '[^:]*$') AS name, status,
    started, stopped, seq, machine_version, machine_alias, redrive_count, redrive_date, map_run
FROM executions
WHERE machine = (SELECT id FROM machine_keys WHERE arn = %(machine_arn)s) AND seq < %(before)s
    AND (%(machine_version)s::bigint IS NULL OR machine_version = %(machine_version)s)
    AND (%(machine_alias)s::text IS NULL OR machine_alias = %(machine_alias)s)
    AND (%(redriven)s::boolean IS NULL OR (redrive_count IS NOT NULL) = %(redriven)s::boolean)
ORDER BY seq DESC LIMIT %(limit)s

-- name: executions_by_status
SELECT arn, %(machine_arn)s::text AS state_machine_arn, substring(arn from '[^:]*$') AS name, status,
    started, stopped, seq, machine_version, machine_alias, redrive_count, redrive_date, map_run
FROM executions
WHERE machine = (SELECT id FROM machine_keys WHERE arn = %(machine_arn)s) AND status = %(status)s
    AND seq < %(before)s AND (%(machine_version)s::bigint IS NULL OR machine_version = %(machine_version)s)
    AND (%(machine_alias)s::text IS NULL OR machine_alias = %(machine_alias)s)
    AND (%(redriven)s::boolean IS NULL OR (redrive_count IS NOT NULL) = %(redriven)s::boolean)
ORDER BY seq DESC LIMIT %(limit)s

-- name: insert_execution
-- seq: the sequence of migration 0005, shared by every writer of every node. The machine key and
-- the revision are written before (add_machine_key, add_revision: TABLE_ORDER).
INSERT INTO executions (seq, started, stopped, version, machine, revision, arn, status, input, output,
    error, cause, snapshot, parent, trace_header, test_case, machine_version, machine_alias, map_run)
VALUES (nextval('execution_seq'), %(started)s, %(stopped)s, 0,
    (SELECT id FROM machine_keys WHERE arn = %(state_machine_arn)s),
    (SELECT id FROM revisions WHERE revision_id = %(revision_id)s),
    %(arn)s, %(status)s, %(input)s, %(output)s, %(error)s, %(cause)s, %(snapshot)s,
    %(parent)s, %(trace_header)s, %(test_case)s, %(machine_version)s,
    %(machine_alias)s, %(map_run)s)

-- name: save_snapshot
-- A stale version changes no row, and stepwell_stale_write (migration 0005) then aborts the
-- transaction with serialization_failure: the check needs no round trip of its own.
WITH saved AS (
    UPDATE executions SET snapshot = %(snapshot)s, version = version + 1
    WHERE arn = %(arn)s AND version = %(version)s
    RETURNING 1
)
SELECT stepwell_stale_write(%(arn)s, %(version)s) WHERE NOT EXISTS (SELECT FROM saved)

-- name: finish_execution
WITH finished AS (
    UPDATE executions SET status = %(status)s, output = %(output)s, error = %(error)s, cause = %(cause)s,
        stopped = %(stopped)s, snapshot = %(snapshot)s, version = version + 1
    WHERE arn = %(arn)s AND version = %(version)s
    RETURNING 1
)
SELECT stepwell_stale_write(%(arn)s, %(version)s) WHERE NOT EXISTS (SELECT FROM finished)

-- name: redrive_execution
WITH redriven AS (
    UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, stopped = NULL,
        snapshot = %(snapshot)s, redrive_count = %(redrive_count)s, redrive_date = %(redrive_date)s,
        redrive_token = %(redrive_token)s, version = version + 1
    WHERE arn = %(arn)s AND version = %(version)s
    RETURNING 1
)
SELECT stepwell_stale_write(%(arn)s, %(version)s) WHERE NOT EXISTS (SELECT FROM redriven)

-- name: purge_executions
WITH executions_gone AS (
    DELETE FROM executions WHERE seq IN (
        SELECT seq FROM executions WHERE status != 'RUNNING' AND stopped < %(before)s LIMIT %(limit)s
    )
    RETURNING seq, arn
), history_gone AS (
    DELETE FROM history WHERE execution IN (SELECT seq FROM executions_gone)
), tasks_gone AS (
    DELETE FROM tasks WHERE execution_arn IN (SELECT arn FROM executions_gone)
)
SELECT COUNT(*) AS n FROM executions_gone

-- name: execution_counts
SELECT k.arn AS state_machine_arn, e.status, COUNT(*) AS n
FROM executions e JOIN machine_keys k ON k.id = e.machine GROUP BY 1, 2

-- name: children
SELECT target FROM tasks
WHERE execution_arn = %(arn)s AND kind = 'child' AND target IS NOT NULL ORDER BY created

-- name: history_forward
-- Each chunk read holds at least one event of the page, so ``limit`` chunks are enough.
SELECT events FROM history
WHERE execution = (SELECT seq FROM executions WHERE arn = %(arn)s) AND last_id > %(after)s
ORDER BY first_id LIMIT %(limit)s

-- name: history_reverse
SELECT events FROM history
WHERE execution = (SELECT seq FROM executions WHERE arn = %(arn)s) AND first_id < %(after)s
ORDER BY first_id DESC LIMIT %(limit)s

-- name: append_history
INSERT INTO history (execution, first_id, last_id, events)
VALUES ((SELECT seq FROM executions WHERE arn = %(arn)s), %(first_id)s, %(last_id)s, %(events)s)

-- name: add_timer
INSERT INTO timers (execution, due, timer_id, owner)
VALUES ((SELECT seq FROM executions WHERE arn = %(arn)s), %(due)s, %(timer_id)s, %(owner)s)
ON CONFLICT (execution, timer_id) DO UPDATE SET due = EXCLUDED.due, owner = EXCLUDED.owner

-- name: take_timer
DELETE FROM timers
WHERE execution = (SELECT seq FROM executions WHERE arn = %(arn)s) AND timer_id = %(timer_id)s
    AND due <= %(now)s
RETURNING due

-- name: delete_timers
DELETE FROM timers WHERE execution = (SELECT seq FROM executions WHERE arn = %(arn)s)

-- name: timers
SELECT e.arn AS execution_arn, t.timer_id, t.due FROM timers t JOIN executions e ON e.seq = t.execution

-- name: task
SELECT token, execution_arn, task_id, kind, resource, payload, status, created, activity_arn, worker_name,
    target, heartbeat_seconds, state_name, timeout_seconds, attempt, node
FROM tasks WHERE token = %(token)s

-- name: task_of
SELECT token, execution_arn, task_id, kind, resource, payload, status, created, activity_arn, worker_name,
    target, heartbeat_seconds, state_name, timeout_seconds, attempt, node
FROM tasks WHERE execution_arn = %(arn)s AND task_id = %(task_id)s ORDER BY created DESC LIMIT 1

-- name: insert_task
INSERT INTO tasks (token, execution_arn, task_id, kind, resource, payload, status, activity_arn,
    worker_name, target, created, heartbeat_seconds, state_name, timeout_seconds, attempt, node)
VALUES (%(token)s, %(execution_arn)s, %(task_id)s, %(kind)s, %(resource)s, %(payload)s, %(status)s,
    %(activity_arn)s, %(worker_name)s, %(target)s, %(created)s, %(heartbeat_seconds)s, %(state_name)s,
    %(timeout_seconds)s, %(attempt)s, %(node)s)

-- name: set_task_status
UPDATE tasks SET status = %(status)s WHERE token = %(token)s

-- name: set_task_worker
UPDATE tasks SET status = %(status)s, worker_name = %(worker_name)s WHERE token = %(token)s

-- name: hand_over_task
UPDATE tasks SET status = %(started)s, node = %(node)s WHERE token = %(token)s AND status = %(queued)s

-- name: mark_submitted
UPDATE tasks SET status = 'submitted'
WHERE execution_arn = %(arn)s AND task_id = %(task_id)s AND status != 'closed'

-- name: set_child
UPDATE tasks SET target = %(target)s, status = 'submitted' WHERE token = %(token)s

-- name: close_task
UPDATE tasks SET status = 'closed' WHERE execution_arn = %(arn)s AND task_id = %(task_id)s

-- name: close_tasks
-- The tasks as they were: ``was`` is the same table read before the update.
WITH closed AS (
    UPDATE tasks AS t SET status = 'closed' FROM tasks AS was
    WHERE was.token = t.token AND t.execution_arn = %(arn)s AND t.status != 'closed'
    RETURNING was.token, was.execution_arn, was.task_id, was.kind, was.resource, was.payload, was.status,
        was.created, was.activity_arn, was.worker_name, was.target, was.heartbeat_seconds, was.state_name,
        was.timeout_seconds, was.attempt, was.node
)
SELECT * FROM closed ORDER BY created, token

-- name: open_tasks
SELECT token, execution_arn, task_id, kind, resource, payload, status, created, activity_arn, worker_name,
    target, heartbeat_seconds, state_name, timeout_seconds, attempt, node
FROM tasks WHERE status != 'closed' ORDER BY created, token

-- name: claim_activity_task
-- SKIP LOCKED: a task another node's poller is claiming is passed over, never handed out twice.
UPDATE tasks SET status = 'started', worker_name = %(worker_name)s
WHERE token = (
    SELECT token FROM tasks WHERE activity_arn = %(activity_arn)s AND status = 'scheduled'
    ORDER BY created LIMIT 1 FOR UPDATE SKIP LOCKED
)
RETURNING token, execution_arn, task_id, kind, resource, payload, status, created, activity_arn, worker_name,
    target, heartbeat_seconds, state_name, timeout_seconds, attempt, node

-- name: activity_backlog
SELECT token, execution_arn, task_id, kind, resource, payload, status, created, activity_arn, worker_name,
    target, heartbeat_seconds, state_name, timeout_seconds, attempt, node
FROM tasks WHERE activity_arn = %(activity_arn)s AND status IN ('scheduled', 'started')
ORDER BY created

-- name: activity_tasks_waiting
SELECT activity_arn, COUNT(*) AS n FROM tasks
WHERE activity_arn IS NOT NULL AND status = 'scheduled' GROUP BY activity_arn

-- name: count_invocations
SELECT COUNT(*) AS n FROM tasks WHERE execution_arn = %(arn)s AND state_name = %(state_name)s

-- ---- many nodes: leases on the database's clock, so that nodes' clocks need not agree ----------

-- name: join_node
INSERT INTO nodes (id, started, expires)
VALUES (%(node)s, EXTRACT(EPOCH FROM clock_timestamp()), EXTRACT(EPOCH FROM clock_timestamp()) + %(lease)s)

-- name: renew_node
UPDATE nodes SET expires = EXTRACT(EPOCH FROM clock_timestamp()) + %(lease)s
WHERE id = %(node)s AND expires >= EXTRACT(EPOCH FROM clock_timestamp())

-- name: leave_node
-- A node that stops gives its lease up: the others adopt its work at their next renewal.
UPDATE nodes SET expires = 0 WHERE id = %(node)s

-- name: dead_nodes
SELECT id FROM nodes WHERE expires < EXTRACT(EPOCH FROM clock_timestamp()) AND id != %(node)s
ORDER BY expires

-- name: adopt_node
-- One adopter wins: the row goes with the first, a second finds nothing once it commits.
DELETE FROM nodes WHERE id = %(dead)s AND expires < EXTRACT(EPOCH FROM clock_timestamp()) RETURNING id

-- name: adopt_timers
UPDATE timers t SET owner = %(node)s FROM executions e
WHERE t.owner = %(dead)s AND e.seq = t.execution
RETURNING e.arn AS execution_arn, t.timer_id, t.due

-- name: adopt_tasks
WITH adopted AS (
    UPDATE tasks SET node = %(node)s WHERE node = %(dead)s AND status != 'closed'
    RETURNING token, execution_arn, task_id, kind, resource, payload, status, created, activity_arn,
        worker_name, target, heartbeat_seconds, state_name, timeout_seconds, attempt, node
)
SELECT * FROM adopted ORDER BY created, token

-- name: notify
-- Delivered at the commit, to every node listening (duplicates within a transaction fold into one).
SELECT pg_notify(%(channel)s, %(payload)s)

-- name: executions_of_map_run
SELECT e.arn, k.arn AS state_machine_arn, substring(e.arn from '[^:]*$') AS name, e.status, e.started,
    e.stopped, e.seq, e.machine_version, e.machine_alias, e.redrive_count, e.redrive_date, e.map_run
FROM executions e JOIN machine_keys k ON k.id = e.machine
WHERE e.map_run = %(map_run)s AND e.seq < %(before)s AND (%(status)s::text IS NULL OR e.status = %(status)s)
ORDER BY e.seq DESC LIMIT %(limit)s

-- name: map_run
SELECT * FROM map_runs WHERE arn = %(arn)s

-- name: map_runs
SELECT * FROM map_runs WHERE execution_arn = %(execution_arn)s ORDER BY started, arn

-- name: put_map_run
INSERT INTO map_runs (arn, execution_arn, machine_arn, status, started, stopped, summary)
VALUES (%(arn)s, %(execution_arn)s, %(machine_arn)s, %(status)s, %(started)s, %(stopped)s, %(summary)s)
ON CONFLICT (arn) DO UPDATE SET status = excluded.status, stopped = excluded.stopped, summary = excluded.summary

-- name: add_event
INSERT INTO event_outbox (destination, body) VALUES (%(destination)s, %(body)s)

-- name: claim_events
-- SKIP LOCKED: a row another node is claiming is passed over, never held by two nodes. A hold ends
-- when its time runs out (the database's clock, which every node shares), or with its node's lease
-- (a node that died, or stopped, gives its rows up as it gives up its timers and calls).
UPDATE event_outbox SET claimed_by = %(node)s,
    claimed_until = EXTRACT(EPOCH FROM clock_timestamp()) + %(lease)s
WHERE seq IN (
    SELECT o.seq FROM event_outbox o
    WHERE o.destination = %(destination)s
        AND (o.claimed_by IS NULL OR o.claimed_by = %(node)s
            OR o.claimed_until < EXTRACT(EPOCH FROM clock_timestamp())
            OR NOT EXISTS (
                SELECT FROM nodes n
                WHERE n.id = o.claimed_by AND n.expires >= EXTRACT(EPOCH FROM clock_timestamp())
            ))
    ORDER BY o.seq LIMIT %(limit)s
    FOR UPDATE OF o SKIP LOCKED
)
RETURNING seq, destination, body

-- name: delete_event
DELETE FROM event_outbox WHERE seq = %(seq)s

-- name: release_event
UPDATE event_outbox SET claimed_by = NULL, claimed_until = NULL WHERE seq = %(seq)s

-- name: events_waiting
SELECT destination, COUNT(*) AS n FROM event_outbox GROUP BY destination
