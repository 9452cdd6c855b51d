"""What the interpreter asks the runtime to do: the outputs of ``advance`` besides history.

Side effects happen only through these values, after the runtime has stored the step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stepwell.asl.resources import TaskResource, parse_task_resource


@dataclass(frozen=True, slots=True)
class InvokeTask:
    """Call a Task's resource with ``payload``; report back TaskSucceeded / TaskFailed events.

    ``resource`` is the Resource as written (what a runtime stores); ``target`` the same, parsed.
    The engine passes both; a runtime that rebuilds the command from its stored ``resource`` may
    leave ``target`` out, and it is parsed from ``resource`` (a cached look-up)."""

    task_id: str
    resource: str
    payload: Any
    state_name: str
    attempt: int
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None
    task_token: str | None = None
    target: TaskResource = field(default=None, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.target is None:
            object.__setattr__(self, "target", parse_task_resource(self.resource))


WAIT, RETRY, DEADLINE, RESUME = "wait", "retry", "deadline", "resume"


@dataclass(frozen=True, slots=True)
class StartTimer:
    """Deliver ``TimerFired(timer_id)`` at ``due`` (epoch seconds); at once if it is past.

    ``purpose``: a Wait state's delay (``wait``), a retry back-off (``retry``), a deadline
    (``deadline``: execution, task and heartbeat timeouts), or ``resume``: the step used up its
    budget and the execution goes on at once, after whatever else the runtime has waiting. A
    runtime that scales time for tests (WAIT_TIME_SCALE) scales waits and back-offs only."""

    timer_id: str
    due: float
    purpose: str = WAIT


@dataclass(frozen=True, slots=True)
class CancelTask:
    """The task's state was aborted (a sibling branch failed, or the execution stopped). For a Map
    Run's child execution, ``child`` names it: ``<state machine>/<label>:<name>`` (to be stopped)."""

    task_id: str
    child: str | None = None


@dataclass(frozen=True, slots=True)
class Finish:
    """The execution ended: status is SUCCEEDED, FAILED, TIMED_OUT or ABORTED."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True, slots=True)
class StartChildExecution:
    """Start a Distributed Map's child execution: ``definition`` (the item processor) run on
    ``input`` as ``<state machine>/<label>:<name>``, in the Map Run ``map_run_arn``. Its end
    comes back as TaskSucceeded (its output) or TaskFailed (its error and cause) for ``task_id``;
    CancelTask(task_id) stops it."""

    task_id: str
    name: str
    label: str
    input: Any
    definition: dict[str, Any] = field(repr=False)
    map_run_arn: str = ""


@dataclass(frozen=True, slots=True)
class MapRunChanged:
    """A Map Run's status, settings or counts changed (DescribeMapRun shows them)."""

    map_run_arn: str
    label: str
    status: str  # RUNNING | SUCCEEDED | FAILED | ABORTED
    max_concurrency: int
    tolerated_failure_count: int
    tolerated_failure_percentage: float
    total: int
    pending: int
    running: int
    succeeded: int
    failed: int
    timed_out: int
    aborted: int
    # The items' counts, when they differ from the child executions' (an ItemBatcher's batches).
    item_counts: dict[str, int] | None = None
    # With a ResultWriter that exports: the child executions (and items) whose results it wrote
    # so far; None without one (the runtime counts the ended ones, as AWS reports then).
    results_written: int | None = None
    items_written: int | None = None


Command = InvokeTask | StartTimer | CancelTask | Finish | StartChildExecution | MapRunChanged
