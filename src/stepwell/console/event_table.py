"""The Event view: the history as a table, filtered and paged.

AWS's Event view lists the full history with ID, Type, Step, Timestamp and elapsed time, "colour-coded
(failed = red)", "filter by Type (e.g. TaskFailed)", 25 events per page of up to 25,000 events. The step
of an event is the state whose visit it belongs to (``history_index``: found through the
``previousEventId`` chains, or the ``name`` in its details); Execution… events have none, and Map
iteration events belong to their Map state.

The index is built in one pass, then filtering is one scan: a page of a 25,000-event history costs a few
tens of milliseconds. Pass a prebuilt ``HistoryIndex`` to page through the same history repeatedly.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from stepwell.console.history_events import FAILURE_EVENTS, details_of, timestamp_of
from stepwell.console.state_status import History, Iteration, index_history


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    type: str
    previous_event_id: int
    step: str | None  # the state name
    state_id: str | None  # the state's id (see ``ids``)
    timestamp: float  # epoch seconds
    elapsed_ms: int  # since the execution started
    is_failure: bool
    iteration: tuple[Iteration, ...]  # the branches / Map iterations the event happened in
    details: Mapping[str, Any]  # the event's …EventDetails (input, output, error, cause, …)


def event_rows(
    events: History,
    *,
    types: Collection[str] | None = None,
    step: str | None = None,
    failures_only: bool = False,
    after: int | None = None,
    limit: int = 100,
    reverse: bool = False,
    definition: str | Mapping[str, Any] | None = None,
) -> tuple[list[EventRow], int | None]:
    """One page of the table and the cursor of the next page (None on the last page).

    ``types``: keep only these event types; ``step``: only the events of this state (its name or its
    id); ``failures_only``: only failure events (red rows); ``after``: the cursor returned with the
    previous page (rows with a greater id, or a smaller one with ``reverse``). ``definition`` is
    optional: with it, ids of states in Parallel branches are taken from the definition.
    """
    index = index_history(events, definition)
    wanted_types = frozenset(types) if types else None
    state_ids: dict[int, str] = {}  # visit -> state id, computed once per visit
    count = len(index.events)
    cursor = index.position.get(after) if after is not None else None
    if cursor is not None:  # ids ascend with positions: start right after the cursor
        positions = range(cursor - 1, -1, -1) if reverse else range(cursor + 1, count)
    else:
        positions = range(count - 1, -1, -1) if reverse else range(count)
    rows: list[EventRow] = []
    for at in positions:
        event = index.events[at]
        event_id = int(event["id"])
        if after is not None and (event_id >= after if reverse else event_id <= after):
            continue
        kind = str(event["type"])
        if wanted_types is not None and kind not in wanted_types:
            continue
        failed = kind in FAILURE_EVENTS
        if failures_only and not failed:
            continue
        visit_id = index.visit_of[at]
        name: str | None = None
        state: str | None = None
        if visit_id >= 0:
            name = index.visits[visit_id].name
            state = state_ids.get(visit_id)
            if state is None:
                state = state_ids[visit_id] = index.state_id(index.visits[visit_id])
        if step is not None and step not in (name, state):
            continue
        if len(rows) == limit:
            return rows, rows[-1].id
        rows.append(
            _row(
                index.start_time,
                event,
                event_id,
                kind,
                name,
                state,
                failed,
                index.instance(index.frame_of[at]),
            )
        )
    return rows, None


def _row(
    start: float,
    event: Mapping[str, Any],
    event_id: int,
    kind: str,
    name: str | None,
    state: str | None,
    failed: bool,
    iteration: tuple[Iteration, ...],
) -> EventRow:
    timestamp = timestamp_of(event) or start
    return EventRow(
        id=event_id,
        type=kind,
        previous_event_id=int(event.get("previousEventId") or 0),
        step=name,
        state_id=state,
        timestamp=timestamp,
        elapsed_ms=round((timestamp - start) * 1000),
        is_failure=failed,
        iteration=iteration,
        details=details_of(event),
    )
