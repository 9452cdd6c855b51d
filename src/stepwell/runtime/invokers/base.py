"""The invoker seam: one Task call in, its output or its failure out.

Every way stepwell carries out a Task (local Lambda-style functions, a Lambda endpoint, HTTP, AWS
services through boto3, mocks) is an ``Invoker``: ``invoke(call)`` returns the task's result as
Step Functions records it, or raises ``TaskError(error, cause)``. Invokers block; the runtime calls
them on its thread pool after the step that scheduled them is stored, and turns the outcome into a
TaskSucceeded / TaskFailed event. An invoker never sees the snapshot or the store.

Resource forms (reference §7.2):

    arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]      legacy Lambda
    arn:aws:states:::<service>:<action>[.waitForTaskToken|.sync|.sync:2]
    arn:aws:states:::aws-sdk:<service>:<apiAction>[.waitForTaskToken]
    arn:aws:states:<region>:<account>:activity:<name>                   activities (not invokers)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from stepwell.engine.commands import InvokeTask

STATES_PREFIX = "arn:aws:states:::"
PATTERNS = (".waitForTaskToken", ".sync:2", ".sync")


class TaskError(Exception):
    """A task's failure as Step Functions records it: an error name and a cause."""

    def __init__(self, error: str, cause: str):
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


@dataclass(frozen=True, slots=True)
class Resource:
    """A Task resource, split.

    ``service``/``action``: ``lambda``/``invoke``, ``http``/``invoke``, ``sqs``/``sendMessage``,
    ``aws-sdk``/``s3:getObject`` (an aws-sdk action keeps its service), ``states``/``startExecution``;
    ``function`` for a legacy function ARN (action = the ARN). ``pattern``: ``""`` (request-response),
    ``waitForTaskToken``, ``sync`` or ``sync:2``."""

    arn: str
    service: str
    action: str
    pattern: str = ""

    @property
    def base(self) -> str:
        """The resource without its pattern suffix."""
        return self.arn.removesuffix("." + self.pattern) if self.pattern else self.arn


def parse_resource(arn: str) -> Resource:
    pattern = ""
    for suffix in PATTERNS:
        if arn.endswith(suffix):
            pattern = suffix[1:]
            break
    if arn.startswith(STATES_PREFIX):
        rest = arn[len(STATES_PREFIX) :].removesuffix("." + pattern if pattern else "")
        service, _, action = rest.partition(":")
        return Resource(arn, service, action, pattern)
    return Resource(arn, "function", arn, pattern)


@dataclass(frozen=True, slots=True)
class TaskCall:
    """What an invoker needs to carry out one Task attempt.

    ``payload`` is the state's effective parameters (after Parameters / Arguments); ``attempt``
    is the retry attempt of this entry into the state, from 0; ``timeout_seconds`` is the state's
    TimeoutSeconds, if any."""

    resource: Resource
    payload: Any
    state_name: str = ""
    attempt: int = 0
    timeout_seconds: float | None = None
    task_token: str | None = None
    execution_arn: str = ""


def task_call(command: InvokeTask, execution_arn: str = "") -> TaskCall:
    """The call the engine's InvokeTask command asks for."""
    return TaskCall(
        resource=parse_resource(command.resource),
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
