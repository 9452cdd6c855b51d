"""The Step details panel on histories recorded against AWS: which visit it describes, its input and
output, attempts, error, events and data flow."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.console.step_details import StepDetails, step_details
from tests.console.recorded import (
    MAP_BREAK,
    MAP_CATCH,
    MAP_RETRY,
    PARALLEL_CATCH,
    PARALLEL_RETRY,
    WAIT_FAIL,
    as_api,
    recorded,
)


def details(name: str, state_id: str, iteration: tuple[str, int] | None = None) -> StepDetails:
    definition, events = recorded(name)
    return step_details(definition, as_api(events), state_id, iteration)


def flow_of(step: StepDetails) -> dict[str, tuple[str | None, str]]:
    return {stage.name: (stage.value, stage.source) for stage in step.data_flow}


def test_a_pass_state_with_its_input_output_and_data_flow() -> None:
    step = details(MAP_CATCH, "StartState")
    assert (step.name, step.type, step.status) == ("StartState", "Pass", "succeeded")
    assert (step.input, step.output, step.error) == ("{}", '{"arr":[1]}', None)
    assert step.event_ids == (2, 3)
    assert step.attempts == ()
    assert step.definition == {"Type": "Pass", "Result": [1], "ResultPath": "$.arr", "Next": "MapState"}
    assert '"ResultPath": "$.arr"' in step.definition_text
    assert flow_of(step) == {
        "input": ("{}", "recorded"),
        "afterInputPath": ("{}", "computed"),
        "afterParameters": (None, "not_applicable"),
        "result": ("[1]", "computed"),
        "afterResultPath": ('{"arr":[1]}', "computed"),
        "output": ('{"arr":[1]}', "recorded"),
    }
    assert step.duration_ms is None  # the recordings hold no real timestamps


def test_a_selected_iteration_shows_that_iterations_visit() -> None:
    step = details(MAP_BREAK, "MapState/0/Pass", ("MapState", 2))
    assert (step.status, step.event_ids, step.iteration, step.visit_count) == (
        "succeeded",
        (21, 22),
        (("MapState", 2),),
        1,
    )
    assert details(MAP_BREAK, "MapState/0/Pass", ("MapState", 4)).status == "not_run"


def test_without_a_selection_the_visit_that_decides_the_colour() -> None:
    # Equals3 ran in all five iterations: every visit succeeded; the latest one is shown.
    step = details(MAP_BREAK, "MapState/0/Equals3")
    assert (step.status, step.event_ids, step.visit_count) == ("succeeded", (31, 32), 5)
    assert step.iteration == (("MapState", 4),)


def test_a_state_that_failed_the_execution_without_an_error_event() -> None:
    step = details(WAIT_FAIL, "WaitState")
    assert (step.status, step.error) == ("failed", "States.Runtime")
    assert step.cause is not None and step.cause.startswith(
        "An error occurred while executing the state 'WaitState'"
    )
    assert flow_of(step)["output"] == (None, "unknown")


def test_a_state_never_entered() -> None:
    step = details(MAP_CATCH, "Final")
    assert step == StepDetails("Final", "Final", "Pass", "not_run", {"Type": "Pass", "End": True})


def test_an_unknown_state_id_is_a_key_error() -> None:
    definition, events = recorded(MAP_CATCH)
    with pytest.raises(KeyError):
        step_details(definition, events, "Nowhere")


def test_a_fail_state_shows_its_error() -> None:
    step = details(MAP_RETRY, "MapState/0/HandleItemFail")
    assert (step.status, step.error, step.cause) == ("failed", "HandleItemFailError", "HandleItemFailCause")


def test_a_caught_map_failure_shows_the_error_the_catch_handled() -> None:
    step = details(MAP_CATCH, "MapState")
    assert step.status == "caught_error"
    assert (step.error, step.cause) == ("HandleItemFailError", "HandleItemFailCause")
    assert flow_of(step)["result"] == (
        '{"Error":"HandleItemFailError","Cause":"HandleItemFailCause"}',
        "recorded",
    )


def test_a_caught_map_failure_keeps_its_recorded_output() -> None:
    step = details(MAP_CATCH, "MapState")
    expected = '{"Error":"HandleItemFailError","Cause":"HandleItemFailCause"}'
    assert step.output == expected
    assert flow_of(step)["afterResultPath"] == (expected, "recorded")
    assert flow_of(step)["afterResultSelector"] == (None, "not_applicable")


def test_each_map_run_is_an_attempt() -> None:
    step = details(MAP_RETRY, "MapState")
    assert [(attempt.number, attempt.first_event_id, attempt.outcome) for attempt in step.attempts] == [
        (1, 5, "failed"),
        (2, 9, "failed"),
        (3, 13, "failed"),
    ]
    # No event of the Map's carries the error: each attempt's is its failed iteration's.
    assert {(attempt.error, attempt.cause) for attempt in step.attempts} == {
        ("HandleItemFailError", "HandleItemFailCause")
    }
    assert (step.status, step.error) == ("failed", "HandleItemFailError")


def test_each_parallel_run_is_an_attempt_failed_by_its_branch() -> None:
    step = details(PARALLEL_RETRY, "ParallelState")
    assert [(attempt.first_event_id, attempt.outcome, attempt.error) for attempt in step.attempts] == [
        (3, "failed", "FailureType"),
        (5, "failed", "FailureType"),
        (7, "failed", "FailureType"),
    ]
    assert (step.status, step.error, step.cause) == ("failed", "FailureType", "Cause description")
    assert step.event_ids == (2, 3, 5, 7, 9)


def test_a_caught_parallel_failure_shows_the_branch_error() -> None:
    step = details(PARALLEL_CATCH, "ParallelState")
    assert (step.status, step.error, step.cause) == ("caught_error", "FailureType", "Cause description")


def task_history() -> list[dict[str, Any]]:
    def event(
        event_id: int, previous: int, kind: str, key: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": event_id,
            "previousEventId": previous,
            "type": kind,
            "timestamp": 100.0 + event_id,
        }
        if key:
            out[key] = fields
        return out

    return [
        event(1, 0, "ExecutionStarted"),
        event(2, 1, "TaskStateEntered", "stateEnteredEventDetails", name="T", input='{"a":1}'),
        event(3, 2, "TaskScheduled", "taskScheduledEventDetails", parameters='{"a":1}', resource="invoke"),
        event(4, 3, "TaskFailed", "taskFailedEventDetails", error="Boom", cause="try 1"),
        event(5, 4, "TaskScheduled", "taskScheduledEventDetails", parameters='{"a":1}', resource="invoke"),
        event(6, 5, "TaskTimedOut", "taskTimedOutEventDetails", error="States.Timeout", cause="try 2"),
        event(7, 6, "TaskScheduled", "taskScheduledEventDetails", parameters='{"a":1}', resource="invoke"),
        event(8, 7, "TaskSucceeded", "taskSucceededEventDetails", output='{"ok":true}'),
        event(9, 8, "TaskStateExited", "stateExitedEventDetails", name="T", output='{"ok":true}'),
        event(10, 9, "ExecutionSucceeded"),
    ]


TASK_DEFINITION = {
    "StartAt": "T",
    "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}},
}


def test_a_retried_task_lists_each_attempt() -> None:
    step = step_details(TASK_DEFINITION, task_history(), "T")
    assert step.status == "succeeded"
    assert [(a.number, a.outcome, a.error, a.cause, a.event_ids) for a in step.attempts] == [
        (1, "failed", "Boom", "try 1", (3, 4)),
        (2, "timed_out", "States.Timeout", "try 2", (5, 6)),
        (3, "succeeded", None, None, (7, 8, 9)),  # the exit joins the last attempt
    ]
    last = step.attempts[-1]
    assert (last.input, last.resource, last.output, last.started_at, last.ended_at) == (
        '{"a":1}',
        "invoke",
        '{"ok":true}',
        107.0,
        108.0,
    )
    assert (step.error, step.cause) == ("States.Timeout", "try 2")  # the latest error, retried
    assert (step.entered_at, step.exited_at, step.duration_ms) == (102.0, 109.0, 7000)
    assert flow_of(step)["result"] == ('{"ok":true}', "recorded")


def test_an_attempt_still_running_when_the_execution_ended_was_cancelled() -> None:
    history = [
        *task_history()[:3],
        {"id": 4, "previousEventId": 0, "type": "ExecutionAborted", "timestamp": 104.0},
    ]
    step = step_details(TASK_DEFINITION, history, "T")
    assert step.status == "cancelled"
    assert [(a.number, a.outcome) for a in step.attempts] == [(1, "cancelled")]
    assert step.exited_at == 103.0  # its last event
