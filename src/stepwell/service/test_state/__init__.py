"""TestState: one state run on its own, with its data flow shown stage by stage.

    request.py        the request read and checked (AWS's refusals)
    definition.py     the state under test: a lone state, or ``stateName`` in a whole machine
    context_object.py the context object: made up as AWS makes it, or the one given, checked
    mock_schema.py    a mocked Task result checked against the called API's botocore model
    evaluate.py       the state run once (the engine's data-flow functions), Retry and Catch decided
    response.py       status, output and inspectionData

``run_test_state(request, ...)`` is the whole operation, pure but for ``call_task`` (a Task's real call
when no mock is given); ``TestStates.test`` is the Service's operation, which calls through the
runtime's invokers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any

from stepwell.asl import model as m
from stepwell.asl.scope import Entropy
from stepwell.engine.events import TaskFailed, TaskSucceeded
from stepwell.runtime import ids
from stepwell.runtime.invokers.base import TaskCall, TaskError
from stepwell.runtime.invokers.router import Invokers
from stepwell.runtime.outcomes import call_outcome
from stepwell.runtime.runtime import Runtime
from stepwell.service.test_state.context_object import default_context
from stepwell.service.test_state.evaluate import CallTask, StateRun
from stepwell.service.test_state.request import read_request
from stepwell.service.test_state.response import test_state_response

__all__ = ["TestStates", "call_through", "run_test_state"]


def run_test_state(
    request: dict[str, Any], *, account: str, region: str, now: float, seed: str, call_task: CallTask
) -> dict[str, Any]:
    """The TestState response for ``request`` (API member names), or ServiceError."""
    parsed = read_request(request)
    entropy = Entropy(seed)
    context = parsed.context
    if context is None:
        state = parsed.state
        # activities, .sync and .waitForTaskToken read $$.Task.Token
        needs_token = isinstance(state, m.TaskState) and state.target.needs_token
        context = default_context(
            region=region,
            account=account,
            machine_name=entropy.uuid4(),
            execution_name=entropy.uuid4(),
            role_arn=parsed.role_arn,
            execution_input=parsed.input,
            now=now,
            state=state,
            retry_count=parsed.configuration.retrier_retry_count,
            task_token=entropy.uuid4().replace("-", "") if needs_token else None,
        )
    run = StateRun(parsed, context, entropy, call_task)
    return test_state_response(run, run.run())


def call_through(invokers: Invokers, clock: Callable[[], float], call: TaskCall) -> Any:
    """A Task's real call, as an execution's would be made (``runtime/outcomes.py``)."""
    event = call_outcome(invokers, call, "test-state", clock, callbacks=False)
    if isinstance(event, TaskFailed):
        raise TaskError(event.error or "", event.cause or "")
    assert isinstance(event, TaskSucceeded)
    return event.output


class TestStates:
    """The Service's TestState operation."""

    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    async def test(self, request: dict[str, Any]) -> dict[str, Any]:
        runtime = self.runtime
        assert runtime.invokers is not None  # the runtime sets it
        # A real call blocks (a function, HTTP, an AWS API): the run goes to a thread.
        return await asyncio.to_thread(
            run_test_state,
            request,
            account=runtime.account,
            region=runtime.region,
            now=runtime.clock(),
            seed=ids.seed(),
            call_task=partial(call_through, runtime.invokers, runtime.clock),
        )
