"""Driving an optimized integration's call or ``.sync`` job through the invoker, as the runtime
does (start, then poll until it ends), for the tests of the table's rows."""

from __future__ import annotations

import time
from typing import Any

from stepwell.asl.resources import parse_task_resource
from stepwell.engine.injected import with_injections
from stepwell.runtime.invokers.aws import AwsInvoker
from stepwell.runtime.invokers.base import JobEnded, JobState, TaskCall

STATES = "arn:aws:states:::"
EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:jobs:run-1"


def start(invoker: AwsInvoker, resource: str, payload: dict[str, Any]) -> Any:
    """The start call of the job, with the parameters the engine sends (and TaskScheduled shows)."""
    target = parse_task_resource(STATES + resource)
    call = TaskCall(target, with_injections(target, payload), execution_arn=EXECUTION)
    assert invoker.runs_job(call.resource)
    return invoker.start_job(call)


def until_ended(invoker: AwsInvoker, resource: str, handle: dict[str, Any], polls: int = 40) -> JobEnded:
    target = parse_task_resource(STATES + resource)
    for _ in range(polls):
        state = invoker.poll_job(target, handle)
        if isinstance(state, JobEnded):
            return state
        time.sleep(0.1)
    raise AssertionError(f"{resource} did not end")


def call(invoker: AwsInvoker, resource: str, payload: dict[str, Any]) -> Any:
    """A request-response (or callback) call's output."""
    return invoker.invoke(TaskCall(parse_task_resource(STATES + resource), payload, execution_arn=EXECUTION))


def poll(invoker: AwsInvoker, resource: str, handle: dict[str, Any]) -> JobState:
    return invoker.poll_job(parse_task_resource(STATES + resource), handle)


def cancel(invoker: AwsInvoker, resource: str, handle: dict[str, Any]) -> None:
    invoker.cancel_job(parse_task_resource(STATES + resource), handle)
