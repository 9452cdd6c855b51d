"""The Event view: each row's step, state id, iteration and failure colour, and filtering and paging,
on a history recorded against AWS."""

from __future__ import annotations

from stepwell.console.event_table import EventRow, event_rows
from stepwell.console.state_status import index_history
from tests.console.recorded import MAP_BREAK, MAP_CATCH, recorded


def test_every_row_of_a_recorded_history() -> None:
    definition, events = recorded(MAP_CATCH)
    rows, cursor = event_rows(events, definition=definition)
    assert cursor is None
    assert [(row.id, row.type, row.step, row.state_id, row.is_failure, row.iteration) for row in rows] == [
        (1, "ExecutionStarted", None, None, False, ()),
        (2, "PassStateEntered", "StartState", "StartState", False, ()),
        (3, "PassStateExited", "StartState", "StartState", False, ()),
        (4, "MapStateEntered", "MapState", "MapState", False, ()),
        (5, "MapStateStarted", "MapState", "MapState", False, ()),
        (6, "MapIterationStarted", "MapState", "MapState", False, (("MapState", 0),)),
        (7, "FailStateEntered", "HandleItemFail", "MapState/0/HandleItemFail", True, (("MapState", 0),)),
        (8, "MapIterationFailed", "MapState", "MapState", True, (("MapState", 0),)),
        (9, "MapStateFailed", "MapState", "MapState", True, ()),
        (10, "MapStateExited", "MapState", "MapState", False, ()),
        (11, "PassStateEntered", "FinalCaught", "FinalCaught", False, ()),
        (12, "PassStateExited", "FinalCaught", "FinalCaught", False, ()),
        (13, "ExecutionSucceeded", None, None, False, ()),
    ]
    assert rows[6].previous_event_id == 6
    assert rows[6].details["name"] == "HandleItemFail"
    assert rows[8].details == {}


def test_placeholder_timestamps_fall_back_to_the_start() -> None:
    _, events = recorded(MAP_CATCH)
    rows, _ = event_rows(events)
    assert {row.elapsed_ms for row in rows} == {0}


def test_elapsed_time_since_the_execution_started() -> None:
    events = [
        {"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": 100.0},
        {
            "id": 2,
            "previousEventId": 1,
            "type": "PassStateEntered",
            "timestamp": 100.25,
            "stateEnteredEventDetails": {"name": "P"},
        },
    ]
    rows, _ = event_rows(events)
    assert [(row.timestamp, row.elapsed_ms) for row in rows] == [(100.0, 0), (100.25, 250)]


def test_filters() -> None:
    definition, events = recorded(MAP_BREAK)
    index = index_history(events, definition)
    by_type, _ = event_rows(index, types={"MapIterationSucceeded", "MapIterationFailed"})
    assert [row.id for row in by_type] == [11, 17, 23, 29, 34]
    by_step, _ = event_rows(index, step="Pass")
    assert [row.id for row in by_step] == [9, 10, 15, 16, 21, 22, 27, 28]
    by_id, _ = event_rows(index, step="MapState/0/Break")
    assert [row.id for row in by_id] == [33]
    failures, _ = event_rows(index, failures_only=True)
    assert [(row.id, row.type) for row in failures] == [
        (33, "FailStateEntered"),
        (34, "MapIterationFailed"),
        (35, "MapStateFailed"),
        (36, "ExecutionFailed"),
    ]


def test_paging_forwards_and_backwards() -> None:
    _, events = recorded(MAP_BREAK)
    index = index_history(events)
    first, cursor = event_rows(index, limit=10)
    assert [row.id for row in first] == list(range(1, 11)) and cursor == 10
    second, cursor = event_rows(index, limit=10, after=cursor)
    assert [row.id for row in second] == list(range(11, 21)) and cursor == 20
    last, cursor = event_rows(index, limit=20, after=30)
    assert [row.id for row in last] == list(range(31, 37)) and cursor is None
    newest, cursor = event_rows(index, limit=5, reverse=True)
    assert [row.id for row in newest] == [36, 35, 34, 33, 32] and cursor == 32
    older, _ = event_rows(index, limit=3, reverse=True, after=cursor)
    assert [row.id for row in older] == [31, 30, 29]


def test_a_page_exactly_full_has_no_next_page() -> None:
    _, events = recorded(MAP_CATCH)
    rows, cursor = event_rows(events, limit=13)
    assert len(rows) == 13 and cursor is None


def test_rows_are_frozen_values() -> None:
    _, events = recorded(MAP_CATCH)
    rows, _ = event_rows(events, limit=1)
    assert isinstance(rows[0], EventRow)
    assert rows[0] == event_rows(events, limit=1)[0][0]
