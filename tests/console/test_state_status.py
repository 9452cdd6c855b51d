"""Each state's colour and the failure banner, on histories recorded against AWS and on hand-built
ones for the task shapes (a caught error, a retry that recovered, an abort)."""

from __future__ import annotations

from typing import Any

from stepwell.console.state_status import (
    AGGREGATE_ORDER,
    Failure,
    Status,
    aggregate,
    failure,
    index_history,
    state_statuses,
)
from tests.console.recorded import (
    MAP_BREAK,
    MAP_CATCH,
    MAP_ITEMS_FAIL,
    MAP_RETRY,
    PARALLEL_CATCH,
    PARALLEL_RETRY,
    WAIT_FAIL,
    recorded,
)


def statuses(name: str, iteration: tuple[str, int] | None = None) -> dict[str, str]:
    definition, events = recorded(name)
    return state_statuses(definition, events, iteration)


def test_aggregate_takes_the_first_status_of_the_order() -> None:
    assert aggregate(["succeeded", "in_progress", "failed"]) == Status.IN_PROGRESS
    assert aggregate(["succeeded", "caught_error", "failed"]) == Status.FAILED
    assert aggregate(["succeeded", "caught_error", "cancelled"]) == Status.CANCELLED
    assert aggregate(["succeeded", "caught_error"]) == Status.CAUGHT_ERROR
    assert aggregate(["succeeded"]) == Status.SUCCEEDED
    assert aggregate([]) == Status.NOT_RUN
    assert [str(s) for s in AGGREGATE_ORDER] == [
        "in_progress",
        "failed",
        "cancelled",
        "caught_error",
        "succeeded",
        "not_run",
    ]


def test_a_caught_map_failure() -> None:
    assert statuses(MAP_CATCH) == {
        "StartState": "succeeded",
        "MapState": "caught_error",  # it failed, and it exited: a Catch took the error
        "MapState/0/HandleItemFail": "failed",
        "FinalCaught": "succeeded",
        "Final": "not_run",
    }
    _, events = recorded(MAP_CATCH)
    assert failure(events) is None


def test_a_caught_parallel_failure() -> None:
    assert statuses(PARALLEL_CATCH) == {
        "ParallelState": "caught_error",
        "ParallelState/0/Branch1": "failed",
        "FinalCaught": "succeeded",
        "Final": "not_run",
    }


def test_iterations_aggregate_and_one_can_be_selected() -> None:
    assert statuses(MAP_BREAK) == {
        "StartState": "succeeded",
        "MapState": "failed",
        "MapState/0/Equals3": "succeeded",
        "MapState/0/Break": "failed",
        "MapState/0/Pass": "succeeded",
        "Final": "not_run",
    }
    assert statuses(MAP_BREAK, ("MapState", 4)) == {
        "StartState": "succeeded",
        "MapState": "failed",
        "MapState/0/Equals3": "succeeded",
        "MapState/0/Break": "failed",
        "MapState/0/Pass": "not_run",
        "Final": "not_run",
    }
    assert statuses(MAP_BREAK, ("MapState", 0))["MapState/0/Break"] == "not_run"
    assert statuses(MAP_BREAK, ("MapState", 0))["MapState/0/Pass"] == "succeeded"


def test_the_banner_follows_the_relayed_failure_into_the_iteration() -> None:
    definition, events = recorded(MAP_BREAK)
    assert failure(events, definition) == Failure(
        type="ExecutionFailed",
        error="SomeFailure",
        cause="This state machines raises a 'SomeFailure' failure.",
        execution_event_id=36,
        state_id="MapState/0/Break",
        state_name="Break",
        event_id=33,
        iteration=(("MapState", 4),),
    )


def test_a_map_retried_until_it_failed() -> None:
    assert statuses(MAP_RETRY) == {
        "StartState": "succeeded",
        "MapState": "failed",
        "MapState/0/HandleItemFail": "failed",
        "Final": "not_run",
    }
    definition, events = recorded(MAP_RETRY)
    found = failure(events, definition)
    assert found is not None
    assert (found.state_id, found.event_id, found.iteration) == (
        "MapState/0/HandleItemFail",
        15,
        (("MapState", 0),),
    )


def test_a_parallel_retried_until_it_failed() -> None:
    assert statuses(PARALLEL_RETRY) == {
        "ParallelState": "failed",
        "ParallelState/0/Branch1": "failed",
        "Final": "not_run",
    }
    definition, events = recorded(PARALLEL_RETRY)
    found = failure(events, definition)
    assert found is not None
    assert (found.state_id, found.event_id, found.iteration) == (
        "ParallelState/0/Branch1",
        8,
        (("ParallelState", 0),),
    )


def test_a_container_that_failed_by_itself_is_named_by_the_banner() -> None:
    # Items evaluated to a number: EvaluationFailed (previousEventId 0), then MapStateFailed.
    definition, events = recorded(MAP_ITEMS_FAIL)
    assert statuses(MAP_ITEMS_FAIL) == {"MapIterateState": "failed", "MapIterateState/0/Pass": "not_run"}
    found = failure(events, definition)
    assert found is not None
    # The relay stops at the container's own MapStateFailed (it failed by itself).
    assert (found.state_id, found.event_id, found.error, found.iteration) == (
        "MapIterateState",
        4,
        "States.QueryEvaluationError",
        (),
    )


def test_a_state_the_execution_failed_from_without_an_error_event() -> None:
    definition, events = recorded(WAIT_FAIL)
    assert statuses(WAIT_FAIL) == {"WaitState": "failed"}
    found = failure(events, definition)
    assert found is not None
    assert (found.state_name, found.event_id, found.error) == ("WaitState", 2, "States.Runtime")
    assert found.cause is not None and found.cause.startswith(
        "An error occurred while executing the state 'WaitState'"
    )


# ---- hand-built task histories --------------------------------------------------------------------

TASKS = {
    "StartAt": "A",
    "States": {
        "A": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Next": "B",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B"}],
        },
        "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True},
    },
}


def event(event_id: int, previous: int, kind: str, **details: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": event_id,
        "previousEventId": previous,
        "type": kind,
        "timestamp": float(event_id),
    }
    key = (
        "stateEnteredEventDetails"
        if kind.endswith("StateEntered")
        else "stateExitedEventDetails"
        if kind.endswith("StateExited")
        else kind[0].lower() + kind[1:] + "EventDetails"
    )
    if details:
        out[key] = details
    return out


STARTED = [
    event(1, 0, "ExecutionStarted"),
    event(2, 1, "TaskStateEntered", name="A"),
    event(3, 2, "TaskScheduled"),
]


def test_a_caught_task_error_and_a_recovered_retry() -> None:
    history = [
        *STARTED,
        event(4, 3, "TaskFailed", error="E", cause="c"),
        event(5, 4, "TaskStateExited", name="A"),  # the recorded TaskFailed · TaskStateExited of a Catch
        event(6, 5, "TaskStateEntered", name="B"),
        event(7, 6, "TaskScheduled"),
        event(8, 7, "TaskFailed", error="E", cause="c"),
        event(9, 8, "TaskScheduled"),  # the Retry
        event(10, 9, "TaskSucceeded"),
        event(11, 10, "TaskStateExited", name="B"),
        event(12, 11, "ExecutionSucceeded"),
    ]
    assert state_statuses(TASKS, history) == {"A": "caught_error", "B": "succeeded"}


def test_running_states_and_a_failed_attempt_waiting_for_its_retry_are_in_progress() -> None:
    assert state_statuses(TASKS, STARTED) == {"A": "in_progress", "B": "not_run"}
    waiting = [*STARTED, event(4, 3, "TaskFailed", error="E", cause="c")]
    assert state_statuses(TASKS, waiting)["A"] == "in_progress"
    assert failure(waiting, TASKS) is None


def test_an_aborted_execution_cancels_the_running_state_and_the_banner_names_it() -> None:
    history = [*STARTED, event(4, 0, "ExecutionAborted", error="Stopped", cause="by hand")]
    assert state_statuses(TASKS, history) == {"A": "cancelled", "B": "not_run"}
    assert failure(history, TASKS) == Failure(
        type="ExecutionAborted",
        error="Stopped",
        cause="by hand",
        execution_event_id=4,
        state_id="A",
        state_name="A",
        event_id=2,
        iteration=(),
    )


def test_a_state_aborted_event_is_cancelled() -> None:
    history = [*STARTED, event(4, 3, "TaskStateAborted"), event(5, 0, "ExecutionAborted")]
    assert state_statuses(TASKS, history)["A"] == "cancelled"


def test_a_failure_outside_any_state() -> None:
    history = [event(1, 0, "ExecutionStarted"), event(2, 0, "ExecutionTimedOut", error="States.Timeout")]
    found = failure(history, TASKS)
    assert found == Failure("ExecutionTimedOut", "States.Timeout", None, 2, None, None, None)


def test_an_index_is_reused_not_rebuilt() -> None:
    index = index_history(STARTED, TASKS)
    assert index_history(index) is index
    assert state_statuses(TASKS, index) == {"A": "in_progress", "B": "not_run"}


def test_a_redriven_execution_is_coloured_by_its_new_run() -> None:
    """The engine's own history of a Parallel whose second branch failed and was redriven."""
    from tests.engine.driver import LAMBDA_ARN, Run, machine_of, task

    branches = [
        {"StartAt": f"B{i}", "States": {f"B{i}": task(LAMBDA_ARN, Parameters={"b": i})}} for i in range(2)
    ]
    definition = machine_of({"Fan": {"Type": "Parallel", "Branches": branches, "End": True}})
    run = Run(definition)
    first, second = (c.task_id for c in run.invocations())
    run.succeed(first, output=0)
    run.fail(second)
    assert state_statuses(definition, run.history)["Fan/1/B1"] == Status.FAILED
    assert failure(run.history, definition) is not None

    run.redrive()
    redriving = state_statuses(definition, run.history)
    assert redriving["Fan"] == Status.IN_PROGRESS and redriving["Fan/1/B1"] == Status.IN_PROGRESS
    assert redriving["Fan/0/B0"] == Status.SUCCEEDED
    assert failure(run.history, definition) is None, "no banner while it runs again"
    run.succeed(run.open_task(), output=1)
    done = state_statuses(definition, run.history)
    assert set(done.values()) == {Status.SUCCEEDED} and failure(run.history, definition) is None
