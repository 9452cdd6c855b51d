"""The tested state, run once: its data flow stage by stage, its result, and what its Retry and Catch
make of a failure.

Every stage is computed with the engine's own pieces: the data-flow functions of
``engine/dataflow.py``, the compiled paths, templates, Choice rules and JSONata of the model, the
Choice/Wait/Map field readers of ``engine/states.py`` and ``engine/fanout.py``, and
``engine/retry_catch.py``'s choice of retrier and catcher. What differs from an execution is what
TestState is for: one state and no transition ("nextState" says where the execution would go), no
waiting (a Wait's time and a retry's back-off are reported, not slept), a mock in place of the call
or of a Map's or Parallel's children, and the stages kept for ``inspectionData``.

Statuses ("TestExecutionStatus"): SUCCEEDED, FAILED, RETRIABLE (a retrier would retry: its index and
back-off are in ``errorDetails``), CAUGHT_ERROR (a catcher handled the error: ``catchIndex``,
``nextState`` and the catcher's output).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stepwell.asl import model as m
from stepwell.asl.scope import Entropy, Scope
from stepwell.engine import fanout, map_items
from stepwell.engine import states as engine_states
from stepwell.engine.dataflow import evaluate_assign, jsonata_output, place, resolve, select, select_result
from stepwell.engine.retry_catch import error_matches, find_retrier, retry_delay
from stepwell.engine.snapshot import MapWork
from stepwell.engine.tasks import timeout_seconds_of as task_seconds
from stepwell.errors import (
    EXCEED_TOLERATED_FAILURE_THRESHOLD,
    NO_CHOICE_MATCHED,
    RUNTIME,
    TASK_FAILED,
    UNCATCHABLE,
    EvaluationError,
    ServiceError,
    WorkflowError,
)
from stepwell.runtime.invokers.base import TaskCall, TaskError
from stepwell.service.test_state.http_trace import failed_response, http_request, http_response
from stepwell.service.test_state.request import TRACE, TestRequest

SUCCEEDED, FAILED, RETRIABLE, CAUGHT_ERROR = "SUCCEEDED", "FAILED", "RETRIABLE", "CAUGHT_ERROR"
MISSING: Any = object()
THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded"
FAILURES_BEYOND_ITERATIONS = (
    "Map iteration failure count must be less than or equal to the number of Map iterations"
)

# Carries out a Task's call for real (no mock): its result, or TaskError.
CallTask = Callable[[TaskCall], Any]


@dataclass(slots=True)
class Outcome:
    status: str
    output: Any = MISSING
    error: str | None = None
    cause: str | None = None
    next_state: str | None = None


class StateRun:
    """One run of the tested state. ``stages`` and ``error_details`` are what ``inspectionData``
    shows; ``variables`` are the variables after the state (the request's and the state's Assign)."""

    def __init__(self, request: TestRequest, context: dict[str, Any], entropy: Entropy, call_task: CallTask):
        self.request = request
        self.state = request.state
        self.input = request.input
        self.context = context
        self.entropy = entropy
        self.call_task = call_task
        self.variables: dict[str, Any] = dict(request.variables)
        self.stages: dict[str, Any] = {"input": request.input}
        self.error_details: dict[str, int] = {}
        self.http: dict[str, dict[str, str]] = {}  # TRACE of an HTTP Task: request and response

    def run(self) -> Outcome:
        try:
            return HANDLERS[self.state.type](self)
        except WorkflowError as failure:  # EvaluationError too: TestState adds no event id to its cause
            return self.failed(failure.error, failure.cause)

    def scope(self, value: Any) -> Scope:
        return Scope(value, self.variables, self.context, self.entropy)

    def trace(self, name: str, value: dict[str, str] | None) -> None:
        if value is not None:
            self.http[name] = value

    def stage(self, name: str, value: Any) -> Any:
        self.stages[name] = value
        return value

    # ---- leaving the state ----------------------------------------------------------------
    def succeeded(self, output: Any, assigned: dict[str, Any] | None, next_state: str | None) -> Outcome:
        if assigned:
            self.variables.update(assigned)
        return Outcome(SUCCEEDED, output=output, next_state=next_state)

    def failed(self, error: str, cause: str | None) -> Outcome:
        """Retry, Catch, or fail (reference §2.4), as ``Interpreter.state_failed`` decides, with the
        retries already made given by ``stateConfiguration.retrierRetryCount``."""
        state = self.state
        if error not in UNCATCHABLE and state.retriers:
            index = find_retrier(state.retriers, error)
            if index is not None:
                retrier = state.retriers[index]
                done = self.request.configuration.retrier_retry_count
                self.error_details["retryIndex"] = index
                if done < retrier.max_attempts:
                    delay = retry_delay(retrier, done, self.entropy)
                    self.error_details["retryBackoffIntervalSeconds"] = int(delay)
                    return Outcome(RETRIABLE, error=error, cause=cause)
        for index, catcher in enumerate(state.catchers):
            if error_matches(catcher.error_equals, error):
                self.error_details["catchIndex"] = index
                try:
                    output, assigned = self._caught(catcher, error, cause)
                except WorkflowError as failure:
                    return Outcome(FAILED, error=failure.error, cause=failure.cause)
                if assigned:
                    self.variables.update(assigned)
                return Outcome(CAUGHT_ERROR, output=output, error=error, cause=cause, next_state=catcher.next)
        return Outcome(FAILED, error=error, cause=cause)

    def _caught(self, catcher: m.Catcher, error: str, cause: str | None) -> tuple[Any, dict[str, Any] | None]:
        """The catcher's output and Assign, as ``Interpreter.catch`` computes them."""
        error_output = {"Error": error, "Cause": cause or ""}
        scope = self.scope(self.input)
        states_vars = {"errorOutput": error_output}
        if self.state.is_jsonata:
            output = jsonata_output(catcher.output, scope, error_output, states_vars)
        else:
            output = place(catcher.result_path, self.input, error_output)
        assign_scope = scope if self.state.is_jsonata else scope.with_input(error_output)
        return output, evaluate_assign(catcher.assign, assign_scope, states_vars)

    # ---- a result becomes the output (Task, Map, Parallel) --------------------------------
    def finish_with_result(self, result: Any) -> Outcome:
        """As ``engine.tasks.finish_with_result``, keeping ResultSelector's and ResultPath's stages."""
        state = self.state
        scope = self.scope(self.input)
        if state.is_jsonata:
            extra = {"result": result}
            output = jsonata_output(state.output, scope, result, extra)
            assigned = evaluate_assign(state.assign, scope, extra)
        else:
            selected = self.stage("afterResultSelector", select_result(state, scope, result))
            assigned = evaluate_assign(state.assign, scope.with_input(selected))
            placed = self.stage("afterResultPath", place(state.result_path, self.input, selected))
            output = _output_path(state, scope, placed)
        return self.succeeded(output, assigned, state.next)

    def mocked_failure(self) -> Outcome | None:
        mock = self.request.mock
        if mock is None or mock.has_result:
            return None
        return self.failed(mock.error or "", mock.cause)


def _output_path(state: m.State, scope: Scope, value: Any) -> Any:
    if state.output_path is not None and state.output_path.text == "$":
        return value
    return select(state.output_path, scope.with_input(value))


# ---- one function per state type ----------------------------------------------------------
def run_pass(run: StateRun) -> Outcome:
    state = run.state
    assert isinstance(state, m.PassState)
    scope = run.scope(run.input)
    if state.is_jsonata:
        return run.succeeded(
            jsonata_output(state.output, scope, run.input), evaluate_assign(state.assign, scope), state.next
        )
    if state.has_result:  # Result replaces InputPath and Parameters: AWS shows neither
        result = run.stage("result", state.result)
    else:
        effective = run.stage("afterInputPath", select(state.input_path, scope))
        result = effective
        if state.parameters is not None:
            result = state.parameters.evaluate(scope.with_input(effective))
        run.stage("afterParameters", result)
    run.stage("afterResultSelector", result)
    assigned = evaluate_assign(state.assign, scope.with_input(result)) if state.assign else None
    placed = run.stage("afterResultPath", place(state.result_path, run.input, result))
    return run.succeeded(_output_path(state, scope, placed), assigned, state.next)


def run_choice(run: StateRun) -> Outcome:
    state = run.state
    assert isinstance(state, m.ChoiceState)
    scope = run.scope(run.input)
    if state.is_jsonata:
        for index, rule in enumerate(state.choices):
            if engine_states.jsonata_condition(rule, index, scope):
                output = jsonata_output(rule.output, scope, run.input)
                return run.succeeded(output, evaluate_assign(rule.assign, scope), rule.next)
        if state.default is None:
            raise WorkflowError(NO_CHOICE_MATCHED, "No Matches!")
        output = jsonata_output(state.output, scope, run.input)
        return run.succeeded(output, evaluate_assign(state.assign, scope), state.default)
    effective = scope.with_input(run.stage("afterInputPath", select(state.input_path, scope)))
    chosen, assignment = engine_states.jsonpath_choice(state, effective)
    output = select(state.output_path, effective)
    return run.succeeded(output, evaluate_assign(assignment, effective), chosen)


def run_wait(run: StateRun) -> Outcome:
    """The time is read (and refused as an execution refuses it) but not waited for."""
    state = run.state
    assert isinstance(state, m.WaitState)
    scope = run.scope(run.input)
    if not state.is_jsonata:
        scope = scope.with_input(run.stage("afterInputPath", select(state.input_path, scope)))
    if state.seconds is not None:
        engine_states.wait_seconds(state.seconds, scope)
    elif state.timestamp is not None:
        engine_states.wait_timestamp(state.timestamp, scope)
    if state.is_jsonata:
        output = jsonata_output(state.output, scope, run.input)
        return run.succeeded(output, evaluate_assign(state.assign, scope), state.next)
    return run.succeeded(select(state.output_path, scope), evaluate_assign(state.assign, scope), state.next)


def run_succeed(run: StateRun) -> Outcome:
    state = run.state
    scope = run.scope(run.input)
    if state.is_jsonata:
        return run.succeeded(jsonata_output(state.output, scope, run.input), None, None)
    effective = run.stage("afterInputPath", select(state.input_path, scope))
    return run.succeeded(select(state.output_path, scope.with_input(effective)), None, None)


def run_fail(run: StateRun) -> Outcome:
    state = run.state
    assert isinstance(state, m.FailState)
    scope = run.scope(run.input)
    if not state.is_jsonata:  # a Fail state has no InputPath: AWS shows its input unchanged
        run.stage("afterInputPath", run.input)
    error = engine_states.fail_text(resolve(state.error, scope))
    cause = engine_states.fail_text(resolve(state.cause, scope))
    return Outcome(FAILED, error=error, cause=cause)


def run_task(run: StateRun) -> Outcome:
    state = run.state
    assert isinstance(state, m.TaskState)
    scope = run.scope(run.input)
    if state.is_jsonata:
        payload = state.arguments.evaluate(scope) if state.arguments is not None else run.input
        run.stage("afterArguments", payload)
    else:
        effective = run.stage("afterInputPath", select(state.input_path, scope))
        payload = state.parameters.evaluate(scope.with_input(effective)) if state.parameters else effective
        run.stage("afterParameters", payload)
    timeout = task_seconds(state.timeout_seconds, scope)
    failure = run.mocked_failure()
    if failure is not None:
        return failure
    mock = run.request.mock
    if mock is not None:
        result = mock.result
    else:
        task = run.context.get("Task")
        token = task.get("Token") if isinstance(task, dict) else None
        call = TaskCall(
            resource=state.target,
            payload=payload,
            state_name=state.name,
            attempt=run.request.configuration.retrier_retry_count,
            timeout_seconds=timeout,
            task_token=token,
            execution_arn=str(run.context.get("Execution", {}).get("Id", "")),
        )
        http = state.target.service == "http" and run.request.inspection_level == TRACE
        if http:
            run.trace("request", http_request(payload))
        try:
            result = run.call_task(call)
        except TaskError as task_failure:
            if http:
                run.trace("response", failed_response(task_failure.cause))
            return run.failed(task_failure.error, task_failure.cause)
        except Exception as bug:  # an invoker's bug is the task's failure, as in an execution
            return run.failed(TASK_FAILED, str(bug))
        if http:
            run.trace("response", http_response(result))
    run.stage("result", result)
    return run.finish_with_result(result)


def run_parallel(run: StateRun) -> Outcome:
    """The mock is the branches' results (an array, one per branch): no branch runs. AWS shows no
    InputPath, Parameters or Arguments stage for a Parallel state (recorded)."""
    failure = run.mocked_failure()
    if failure is not None:
        return failure
    assert run.request.mock is not None
    return run.finish_with_result(run.request.mock.result)


def run_map(run: StateRun) -> Outcome:
    """The mock is the Map's result (no iteration runs); ``mapIterationFailureCount`` iterations
    are taken to have failed, against the tolerated failure threshold."""
    state = run.state
    assert isinstance(state, m.MapState)
    configuration = run.request.configuration
    scope = run.scope(run.input)
    if state.is_jsonata:
        items = _reader_items(run, state)
        if items is None:
            items = map_items.jsonata_items(state, scope)
    else:
        effective = run.stage("afterInputPath", select(state.input_path, scope))
        scope = scope.with_input(effective)
        items = _reader_items(run, state)
        if items is None:
            items = _items_at_path(state, scope)
            run.stage("afterItemsPath", items)
    limit = map_items.whole_number(state.max_concurrency, scope, "MaxConcurrency")
    run.stage("maxConcurrency", limit or 0)
    tolerated_count = map_items.whole_number(state.tolerated_failure_count, scope, "ToleratedFailureCount")
    tolerated_pct = map_items.percentage(state.tolerated_failure_percentage, scope)
    if tolerated_count is not None:
        run.stage("toleratedFailureCount", tolerated_count)
    if tolerated_pct is not None:
        run.stage("toleratedFailurePercentage", tolerated_pct)
    failure = run.mocked_failure()
    if failure is not None:
        return failure
    mock = run.request.mock
    assert mock is not None
    failed = configuration.map_iteration_failure_count or 0
    if failed > len(items):
        raise ServiceError("ValidationException", FAILURES_BEYOND_ITERATIONS)
    work = MapWork(
        items=items,
        selector_input=None,
        results=[],
        limit=limit or 0,
        tolerated_count=tolerated_count,
        tolerated_pct=tolerated_pct,
        failed=failed,
    )
    if failed and not fanout.tolerated(work):
        return run.failed(EXCEED_TOLERATED_FAILURE_THRESHOLD, THRESHOLD_CAUSE)
    return run.finish_with_result(mock.result)


def _reader_items(run: StateRun, state: m.MapState) -> list[Any] | None:
    """An ItemReader's items are ``stateConfiguration.mapItemReaderData`` ("The data read by
    ItemReader in Distributed Map states as found in its original source"); nothing is read."""
    if "ItemReader" not in state.raw:
        return None
    data = run.request.configuration.map_item_reader_data
    return data if isinstance(data, list) else []


def _items_at_path(state: m.MapState, scope: Scope) -> list[Any]:
    items = select(state.items_path, scope)
    if not isinstance(items, list):
        # AWS names a context path ("$$.Execution.Input") with one "$" here (recorded).
        shown = state.items_path.text if state.items_path is not None else "$"
        if shown.startswith("$$"):
            shown = shown[1:]
        raise EvaluationError(RUNTIME, f'Reference path "{shown}" must point to array.')
    return items


HANDLERS: dict[str, Callable[[StateRun], Outcome]] = {
    "Pass": run_pass,
    "Choice": run_choice,
    "Wait": run_wait,
    "Succeed": run_succeed,
    "Fail": run_fail,
    "Task": run_task,
    "Parallel": run_parallel,
    "Map": run_map,
}
