"""What the store holds, as typed values: rows never cross the store's boundary.

Times are epoch seconds. JSON documents the runtime only passes along (an execution's input and
output, a task's payload, a machine's configuration) stay text; what the runtime reads is parsed
once here (a child execution's parent).
"""

from __future__ import annotations

from dataclasses import dataclass

RUNNING = "RUNNING"


@dataclass(frozen=True, slots=True)
class MachineRecord:
    arn: str
    name: str
    type: str  # STANDARD | EXPRESS
    status: str  # ACTIVE | DELETING
    definition: str
    role_arn: str
    config: str  # JSON: loggingConfiguration, tracingConfiguration, encryptionConfiguration
    revision_id: str
    created: float
    updated: float


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """A published version of a state machine: the machine's revision as it was (immutable)."""

    machine_arn: str
    number: int  # 1, 2, ...: never reused, not even after a deletion
    revision_id: str
    definition: str
    role_arn: str
    config: str  # JSON, as MachineRecord's
    description: str | None
    created: float


@dataclass(frozen=True, slots=True)
class AliasRecord:
    """A state machine alias: a name that routes executions to one or two of its versions."""

    machine_arn: str
    name: str
    description: str | None
    routing: str  # JSON: [{"stateMachineVersionArn": ..., "weight": ...}, ...], as the API has it
    created: float
    updated: float


@dataclass(frozen=True, slots=True)
class Parent:
    """The execution whose states:startExecution task started this one."""

    execution: str
    task_id: str
    mode: str | None  # None (request-response) | "sync" | "sync:2" | "token"


@dataclass(frozen=True, slots=True)
class ExecutionRecord:
    arn: str
    state_machine_arn: str
    name: str
    status: str  # RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED
    input: str
    started: float
    definition: str  # the definition this execution runs
    role_arn: str
    revision_id: str
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    stopped: float | None = None
    parent: Parent | None = None
    trace_header: str | None = None
    test_case: str | None = None  # the mocked test case it runs (``<stateMachineArn>#<TestCase>``)
    machine_version: int | None = None  # the state machine version it runs (started on its ARN)
    machine_alias: str | None = None  # the alias it was started on (which chose the version)
    seq: int = 0  # start order (assigned by the store), for newest-first listings
    version: int = 0  # bumped by every write of its snapshot or end: the fencing token
    redrive_count: int = 0  # RedriveExecution calls that redrove it
    redrive_date: float | None = None  # the latest of them
    redrive_token: str | None = None  # the latest one's clientToken
    # The store keeps its snapshot: it runs, or it ended FAILED, TIMED_OUT or ABORTED with one
    # (an execution that ended before stepwell kept them cannot be redriven).
    has_snapshot: bool = False
    map_run: str | None = None  # the Map Run it is a child execution of


@dataclass(frozen=True, slots=True)
class ExecutionSummary:
    """A line of ListExecutions."""

    arn: str
    state_machine_arn: str
    name: str
    status: str
    started: float
    stopped: float | None
    seq: int
    machine_version: int | None = None
    machine_alias: str | None = None
    redrive_count: int = 0
    redrive_date: float | None = None
    map_run: str | None = None


@dataclass(frozen=True, slots=True)
class MapRunRecord:
    """A Distributed Map's run: ``summary`` is JSON of its settings and counts (DescribeMapRun's
    maxConcurrency, toleratedFailureCount, toleratedFailurePercentage, itemCounts, ...)."""

    arn: str
    execution_arn: str
    machine_arn: str  # stateMachine:<name>/<label>
    status: str
    started: float
    stopped: float | None
    summary: str


@dataclass(frozen=True, slots=True)
class Running:
    """An execution with its snapshot, as the driver loads it to advance it (a running one, or
    one ended to be redriven)."""

    record: ExecutionRecord
    snapshot: bytes  # the engine's snapshot, as JSON


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """A row of the task outbox (runtime/tasks.py explains the kinds and statuses)."""

    token: str
    execution_arn: str
    task_id: str
    kind: str  # function | activity | child | service | mock
    resource: str
    payload: str  # JSON text
    status: str  # queued | started | scheduled | submitted | closed
    created: float
    activity_arn: str | None = None
    worker_name: str | None = None
    # The child execution's ARN (kind child), or a .sync job's handle, JSON (kind service: sync_jobs.py).
    target: str | None = None
    heartbeat_seconds: float | None = None
    state_name: str | None = None
    timeout_seconds: float | None = None
    attempt: int | None = None
    node: str | None = None  # the node that owns it (a shared store: it handed the call over)


@dataclass(frozen=True, slots=True)
class TimerRecord:
    execution_arn: str
    timer_id: str
    due: float


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    arn: str
    name: str
    config: str  # JSON
    created: float


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """A row of the event outbox: one status-change event (stepwell/events) still to be accepted
    by one destination (a webhook's URL, or ``eventbridge``)."""

    seq: int  # the order events were written in (per writer; across nodes, roughly)
    destination: str
    body: bytes  # the event, JSON in UTF-8
