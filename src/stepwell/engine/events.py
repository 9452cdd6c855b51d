"""What happened outside the interpreter: the inputs of ``advance``.

Every event carries ``now`` (epoch seconds, from the runtime's clock) and ``seed`` (from the
runtime's random source): the interpreter reads no clock and draws no random number of its own,
so replaying the same events reproduces the same history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ExecutionInfo:
    """Who the execution is: the values of the context object's Execution and StateMachine."""

    execution_arn: str
    name: str
    state_machine_arn: str
    state_machine_name: str
    role_arn: str = "arn:aws:iam::123456789012:role/stepwell"
    start_time: float = 0.0
    redrive_count: int = 0
    redrive_time: float | None = None  # the latest RedriveExecution (None: never redriven)
    machine_type: str = "STANDARD"
    # A Distributed Map's STANDARD iterations run as child executions of their own (a runtime that
    # starts executions: StartChildExecution); otherwise inside this one, keeping no history.
    child_executions: bool = False


@dataclass(frozen=True, slots=True)
class Event:
    now: float
    seed: str


@dataclass(frozen=True, slots=True)
class ExecutionStarted(Event):
    input: Any
    execution: ExecutionInfo
    input_text: str | None = None  # the input as the caller wrote it; history echoes it verbatim
    # AWS fails a Standard execution at 25,000 history events; None lifts the limit (benchmarks,
    # Express executions, whose history is not kept).
    history_limit: int | None = 25_000


@dataclass(frozen=True, slots=True)
class TaskStarted(Event):
    """An activity worker took the task (GetActivityTask returned it)."""

    task_id: str
    worker_name: str | None = None


@dataclass(frozen=True, slots=True)
class TaskSubmitted(Event):
    """A .sync or .waitForTaskToken call was accepted; ``output`` is the service's answer."""

    task_id: str
    output: Any = None


@dataclass(frozen=True, slots=True)
class ChildTimes:
    """When a Map Run's child execution started and stopped (epoch seconds), as the runtime that
    ran it knows: its item's TaskSucceeded / TaskFailed carries them for a ResultWriter's entry
    (StartDate, StopDate)."""

    started: float
    stopped: float


@dataclass(frozen=True, slots=True)
class TaskSucceeded(Event):
    task_id: str
    output: Any = None
    child: ChildTimes | None = None  # a Map Run's child execution ended


@dataclass(frozen=True, slots=True)
class TaskFailed(Event):
    task_id: str
    error: str | None = None
    cause: str | None = None
    child: ChildTimes | None = None  # a Map Run's child execution ended


@dataclass(frozen=True, slots=True)
class TaskHeartbeat(Event):
    task_id: str


@dataclass(frozen=True, slots=True)
class TimerFired(Event):
    timer_id: str


@dataclass(frozen=True, slots=True)
class StopRequested(Event):
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True, slots=True)
class ExecutionRedriven(Event):
    """RedriveExecution: a FAILED, TIMED_OUT or ABORTED execution goes on from where it failed.
    ``redrive_count`` is the execution's count of redrives, this one included."""

    redrive_count: int


@dataclass(frozen=True, slots=True)
class MapRunUpdated(Event):
    """UpdateMapRun: a running Map Run's MaxConcurrency or tolerated failures change (None: kept)."""

    map_run_arn: str
    max_concurrency: int | None = None
    tolerated_failure_count: int | None = None
    tolerated_failure_percentage: float | None = None
