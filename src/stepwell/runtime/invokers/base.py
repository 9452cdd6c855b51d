"""The invoker seam: one Task call in, its output or its failure out.

Every way stepwell carries out a Task (local Lambda-style functions, a Lambda endpoint, HTTP, AWS
services through boto3, mocks) is an ``Invoker``: ``invoke(call)`` returns the task's result as
Step Functions records it, or raises ``TaskError(error, cause)``. Invokers block; the runtime calls
them on its thread pool after the step that scheduled them is stored, and turns the outcome into a
TaskSucceeded / TaskFailed event. An invoker never sees the snapshot or the store.

A call's ``resource`` is the Task's Resource as ``stepwell.asl.resources`` parses it (kind,
service, action, pattern, function name...): invokers route and build requests from those fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from stepwell.asl.resources import TaskResource
from stepwell.engine.commands import InvokeTask


class TaskError(Exception):
    """A task's failure as Step Functions records it: an error name and a cause."""

    def __init__(self, error: str, cause: str):
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


@dataclass(frozen=True, slots=True)
class TaskCall:
    """What an invoker needs to carry out one Task attempt.

    ``payload`` is the state's effective parameters (after Parameters / Arguments); ``attempt``
    is the retry attempt of this entry into the state, from 0; ``timeout_seconds`` is the state's
    TimeoutSeconds, if any."""

    resource: TaskResource
    payload: Any
    state_name: str = ""
    attempt: int = 0
    timeout_seconds: float | None = None
    task_token: str | None = None
    execution_arn: str = ""


def task_call(command: InvokeTask, execution_arn: str = "") -> TaskCall:
    """The call the engine's InvokeTask command asks for."""
    return TaskCall(
        resource=command.target,
        payload=command.payload,
        state_name=command.state_name,
        attempt=command.attempt,
        timeout_seconds=command.timeout_seconds,
        task_token=command.task_token,
        execution_arn=execution_arn,
    )


class Invoker(Protocol):
    def invoke(self, call: TaskCall) -> Any:
        """The task's result (JSON-compatible); raise TaskError for a failure."""
        ...


# ---- jobs that .sync follows ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class JobStarted:
    """A ``.sync`` call was accepted: ``output`` is what TaskSubmitted records, ``handle`` what
    polling the job needs (JSON, kept with the task: a restart goes on polling from it)."""

    output: Any
    handle: dict[str, Any]


@dataclass(frozen=True, slots=True)
class JobRunning:
    """The job has not ended yet."""


@dataclass(frozen=True, slots=True)
class JobEnded:
    """The job ended: the task succeeds with ``output``, or fails with ``error`` and ``cause``."""

    output: Any = None
    error: str | None = None
    cause: str | None = None


JobState = JobRunning | JobEnded


class JobRunner(Protocol):
    """An invoker that starts, follows and cancels ``.sync`` jobs."""

    def runs_job(self, resource: TaskResource) -> bool: ...

    def start_job(self, call: TaskCall) -> JobStarted:
        """Make the call; raise TaskError for a failure."""
        ...

    def poll_job(self, resource: TaskResource, handle: dict[str, Any]) -> JobState:
        """Ask after the job; raise TaskError when the service refuses to say."""
        ...

    def cancel_job(self, resource: TaskResource, handle: dict[str, Any]) -> None:
        """Best effort: stop the job (AWS "may fail silently")."""
        ...
