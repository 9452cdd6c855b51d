"""What the interpreter asks the runtime to do: the outputs of ``advance`` besides history.

Side effects happen only through these values, after the runtime has stored the step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class InvokeTask:
    """Call a Task's resource with ``payload``; report back TaskSucceeded / TaskFailed events."""

    task_id: str
    resource: str
    payload: Any
    state_name: str
    attempt: int
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None
    task_token: str | None = None


@dataclass(frozen=True, slots=True)
class StartTimer:
    """Deliver ``TimerFired(timer_id)`` at ``due`` (epoch seconds); at once if it is past."""

    timer_id: str
    due: float


@dataclass(frozen=True, slots=True)
class CancelTask:
    """The task's state was aborted (a sibling branch failed, or the execution stopped)."""

    task_id: str


@dataclass(frozen=True, slots=True)
class Finish:
    """The execution ended: status is SUCCEEDED, FAILED, TIMED_OUT or ABORTED."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None


Command = InvokeTask | StartTimer | CancelTask | Finish
