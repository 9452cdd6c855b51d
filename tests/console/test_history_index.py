"""One pass over a history: each event's frame (top level, branch, Map iteration) and visit, on
histories recorded against AWS and on hand-built ones for the shapes AWS records oddly."""

from __future__ import annotations

from typing import Any

from stepwell.console.history_index import ROOT, HistoryIndex
from stepwell.console.ids import index_states
from tests.console.recorded import (
    MAP_BREAK,
    MAP_CATCH,
    MAP_ITEMS_FAIL,
    MAP_RETRY,
    PARALLEL_CATCH,
    PARALLEL_RETRY,
    recorded,
)


def index_of(name: str, with_definition: bool = True) -> HistoryIndex:
    definition, events = recorded(name)
    return HistoryIndex(events, index_states(definition) if with_definition else None)


def placement(index: HistoryIndex) -> list[tuple[int, str, int, str | None]]:
    """(event id, type, frame, visited state name) for every event."""
    out = []
    for at, event in enumerate(index.events):
        visit = index.visit_of[at]
        out.append(
            (event["id"], event["type"], index.frame_of[at], index.visits[visit].name if visit >= 0 else None)
        )
    return out


def test_a_map_iteration_is_a_frame_under_the_map() -> None:
    index = index_of(MAP_CATCH)
    assert placement(index) == [
        (1, "ExecutionStarted", ROOT, None),
        (2, "PassStateEntered", ROOT, "StartState"),
        (3, "PassStateExited", ROOT, "StartState"),
        (4, "MapStateEntered", ROOT, "MapState"),
        (5, "MapStateStarted", ROOT, "MapState"),
        (6, "MapIterationStarted", 1, "MapState"),
        (7, "FailStateEntered", 1, "HandleItemFail"),
        (8, "MapIterationFailed", 1, "MapState"),
        # MapStateFailed points to the iteration's last event: it is put back on the Map's frame.
        (9, "MapStateFailed", ROOT, "MapState"),
        (10, "MapStateExited", ROOT, "MapState"),
        (11, "PassStateEntered", ROOT, "FinalCaught"),
        (12, "PassStateExited", ROOT, "FinalCaught"),
        (13, "ExecutionSucceeded", ROOT, None),
    ]
    iteration = index.frames[1]
    assert (iteration.kind, iteration.container, iteration.index, iteration.parent) == (
        "iteration",
        "MapState",
        0,
        ROOT,
    )
    assert iteration.end_type == "MapIterationFailed"
    assert (iteration.first_event, iteration.last_event) == (6, 8)
    assert index.frames[ROOT].last_event == 13
    assert index.terminal is not None and index.terminal["type"] == "ExecutionSucceeded"


def test_visits_record_exits_failures_and_blame() -> None:
    index = index_of(MAP_CATCH)
    by_name = {visit.name: visit for visit in index.visits}
    mapped = by_name["MapState"]
    assert (mapped.kind, mapped.entered, mapped.exited) == ("Map", 4, 10)
    assert mapped.failed and not mapped.running  # MapStateFailed, then caught (it exited)
    assert mapped.children == [1]
    fail = by_name["HandleItemFail"]
    assert (fail.kind, fail.frame, fail.exited) == ("Fail", 1, 0)
    assert fail.blamed  # the iteration failed because of it
    assert index.visit_of_event(7) is fail
    assert index.visit_of_event(1) is None
    assert index.visit_of_event(999) is None


def test_each_map_attempt_opens_new_iteration_frames() -> None:
    index = index_of(MAP_RETRY)
    iterations = [frame for frame in index.frames if frame.kind == "iteration"]
    assert [(frame.index, frame.first_event, frame.end_type) for frame in iterations] == [
        (0, 6, "MapIterationFailed"),
        (0, 10, "MapIterationFailed"),
        (0, 14, "MapIterationFailed"),
    ]
    fails = [visit for visit in index.visits if visit.name == "HandleItemFail"]
    assert [visit.frame for visit in fails] == [frame.id for frame in iterations]
    assert index.latest_by_name["HandleItemFail"] == fails[-1].id


def test_iterations_of_one_map_and_their_instances() -> None:
    index = index_of(MAP_BREAK)
    iterations = [frame for frame in index.frames if frame.kind == "iteration"]
    assert [frame.index for frame in iterations] == [0, 1, 2, 3, 4]
    assert [frame.end_type for frame in iterations] == ["MapIterationSucceeded"] * 4 + ["MapIterationFailed"]
    assert index.instance(iterations[3].id) == (("MapState", 3),)
    assert index.instance(ROOT) == ()
    assert index.scope_of(iterations[3].id) == "MapState/0"  # iterations share the processor's scope
    passes = [visit for visit in index.visits if visit.name == "Pass"]
    assert [index.state_id(visit) for visit in passes] == ["MapState/0/Pass"] * 4
    assert [frame.kind for frame in index.lineage(iterations[0].id)] == ["iteration"]


def test_a_parallel_branch_is_a_frame() -> None:
    index = index_of(PARALLEL_CATCH)
    [branch] = [frame for frame in index.frames if frame.kind == "branch"]
    assert (branch.container, branch.index, branch.end_type) == ("ParallelState", 0, "ParallelStateFailed")
    assert index.scope_of(branch.id) == "ParallelState/0"
    fail = next(visit for visit in index.visits if visit.name == "Branch1")
    assert fail.frame == branch.id
    assert index.state_id(fail) == "ParallelState/0/Branch1"
    assert index.ended(branch.id)


# AWS records a retry's ParallelStateStarted/MapStateStarted with previousEventId = the last event of
# the failed branch or iteration: the index puts it back on the container.
def test_each_parallel_attempt_starts_new_branches_under_the_parallel() -> None:
    index = index_of(PARALLEL_RETRY)
    branches = [frame for frame in index.frames if frame.kind == "branch"]
    assert [(frame.container, frame.parent, frame.first_event) for frame in branches] == [
        ("ParallelState", ROOT, 4),
        ("ParallelState", ROOT, 6),
        ("ParallelState", ROOT, 8),
    ]
    parallel = next(visit for visit in index.visits if visit.name == "ParallelState")
    assert index.visit_of_event(5) is parallel
    assert index.visit_of_event(9) is parallel


def test_a_map_retry_attempt_belongs_to_the_map() -> None:
    index = index_of(MAP_RETRY)
    for started in (9, 13):
        visit = index.visit_of_event(started)
        assert visit is not None and visit.name == "MapState"
        assert index.frame_of[index.position[started]] == ROOT


def test_the_first_parallel_attempt_opens_a_branch_under_the_parallel() -> None:
    index = index_of(PARALLEL_RETRY)
    first = index.frames[1]
    assert (first.kind, first.container, first.parent, first.first_event) == (
        "branch",
        "ParallelState",
        ROOT,
        4,
    )
    parallel = next(visit for visit in index.visits if visit.name == "ParallelState")
    assert index.visit_of_event(3) is parallel
    assert parallel.children[0] == first.id


def test_without_a_definition_branches_count_in_start_order() -> None:
    index = index_of(PARALLEL_CATCH, with_definition=False)
    fail = next(visit for visit in index.visits if visit.name == "Branch1")
    assert index.state_id(fail) == "ParallelState/0/Branch1"


def test_evaluation_failed_with_no_predecessor_joins_its_state() -> None:
    # AWS records EvaluationFailed with previousEventId 0: details.state names the visit.
    index = index_of(MAP_ITEMS_FAIL)
    evaluation = index.visit_of_event(3)
    assert evaluation is not None and evaluation.name == "MapIterateState"
    assert evaluation.failed
    assert index.visit_of_event(4) is evaluation  # MapStateFailed on the Map's own chain


def event(event_id: int, previous: int, kind: str, **details: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": event_id,
        "previousEventId": previous,
        "type": kind,
        "timestamp": 1000.0 + event_id,
    }
    if kind.endswith("StateEntered"):
        out["stateEnteredEventDetails"] = details
    elif kind.endswith("StateExited"):
        out["stateExitedEventDetails"] = details
    elif details:
        out[kind[0].lower() + kind[1:] + "EventDetails"] = details
    return out


PARALLEL = {
    "StartAt": "P",
    "States": {
        "P": {
            "Type": "Parallel",
            "End": True,
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}},
            ],
        }
    },
}


def test_a_branch_start_recorded_with_previous_event_zero_is_found_from_the_definition() -> None:
    history = [
        event(1, 0, "ExecutionStarted"),
        event(2, 0, "ParallelStateEntered", name="P"),
        event(3, 2, "ParallelStateStarted"),
        event(4, 0, "PassStateEntered", name="B"),  # AWS: previousEventId 0 for a branch's first state
        event(5, 4, "PassStateExited", name="B"),
        event(6, 3, "PassStateEntered", name="A"),
        event(7, 6, "PassStateExited", name="A"),
        event(8, 7, "ParallelStateSucceeded"),
        event(9, 8, "ParallelStateExited", name="P"),
        event(10, 9, "ExecutionSucceeded"),
    ]
    index = HistoryIndex(history, index_states(PARALLEL))
    ids = {visit.name: index.state_id(visit) for visit in index.visits}
    assert ids == {"P": "P", "B": "P/1/B", "A": "P/0/A"}
    branches = {frame.index: frame for frame in index.frames if frame.kind == "branch"}
    assert set(branches) == {0, 1}
    assert all(frame.end_type == "ParallelStateSucceeded" for frame in branches.values())
    assert index.frame_of[index.position[8]] == ROOT
    assert index.start_time == 1001.0


NESTED_PARALLEL = {
    "StartAt": "Outer",
    "States": {
        "Outer": {
            "Type": "Parallel",
            "End": True,
            "Retry": [{"ErrorEquals": ["States.ALL"]}],
            "Branches": [
                {
                    "StartAt": "Inner",
                    "States": {
                        "Inner": {
                            "Type": "Parallel",
                            "End": True,
                            "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}],
                        }
                    },
                }
            ],
        }
    },
}


def test_a_retry_after_a_nested_parallel_failed_starts_the_outer_parallel() -> None:
    # The outer branch's last event is the inner Parallel's ParallelStateFailed: the retry's
    # ParallelStateStarted belongs to the outer Parallel, not to the inner one that just ended.
    history = [
        event(1, 0, "ExecutionStarted"),
        event(2, 1, "ParallelStateEntered", name="Outer"),
        event(3, 2, "ParallelStateStarted"),
        event(4, 3, "ParallelStateEntered", name="Inner"),
        event(5, 4, "ParallelStateStarted"),
        event(6, 5, "FailStateEntered", name="F"),
        event(7, 6, "ParallelStateFailed"),
        event(8, 7, "ParallelStateStarted"),
        event(9, 8, "ParallelStateEntered", name="Inner"),
    ]
    index = HistoryIndex(history, index_states(NESTED_PARALLEL))
    outer = index.visit_of_event(2)
    assert index.visit_of_event(8) is outer and index.frame_of[index.position[8]] == ROOT
    second = index.visit_of_event(9)
    assert second is not None and second.name == "Inner"
    assert index.frames[second.frame].parent == ROOT
    assert index.instance(second.frame) == (("Outer", 0),)


def test_an_open_frame_has_not_ended() -> None:
    history = [
        event(1, 0, "ExecutionStarted"),
        event(2, 1, "ParallelStateEntered", name="P"),
        event(3, 2, "ParallelStateStarted"),
        event(4, 3, "PassStateEntered", name="A"),
    ]
    index = HistoryIndex(history, index_states(PARALLEL))
    [branch] = [frame for frame in index.frames if frame.kind == "branch"]
    assert not index.ended(branch.id)
    assert not index.ended(ROOT)
    assert index.terminal is None
    assert index.event(4) is history[3] and index.event(5) is None


def test_an_empty_history() -> None:
    index = HistoryIndex([])
    assert (index.visits, index.terminal, index.start_time) == ([], None, 0.0)
