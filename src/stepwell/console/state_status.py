"""The status of every state of one execution (the graph's colours) and the failure banner.

Statuses follow the AWS console's legend: succeeded, failed, caught error, in progress, cancelled, and
not run for a state the execution never entered. One *visit* (an entry into a state) gets:

* ``succeeded`` — it exited and its latest attempt succeeded (failed attempts a Retry recovered from
  show in step details, not in the colour);
* ``caught_error`` — it exited although its latest attempt failed: a Catch took the error ("the state
  failed but a Catch handled it"); the recorded sequence is ``TaskFailed · TaskStateExited{Error, Cause}``;
* ``failed`` — a Fail state, or it never exited and its error (or the event the execution, a Map
  iteration or a Parallel failed from) is its own;
* ``cancelled`` — a ``…StateAborted`` event, or its branch, iteration or execution ended while it was
  running (ExecutionAborted / ExecutionTimedOut record no per-state event);
* ``in_progress`` — none of these yet (including a failed attempt waiting for its Retry).

A state visited several times in one frame (a loop) shows its latest visit. A state inside Parallel
branches or Map iterations has one latest visit per branch or iteration; they are aggregated with
``aggregate``: the first status of ``AGGREGATE_ORDER`` that any of them has wins (any in progress ->
in progress, else any failed -> failed, else any cancelled, else any caught error, else succeeded).
With ``iteration=(container_id, index)`` only the visits inside that Map iteration (or Parallel branch)
count for the states inside that container; other states keep their status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from stepwell.console.history_events import details_of
from stepwell.console.history_index import HistoryIndex, Visit
from stepwell.console.ids import index_states

Iteration = tuple[str, int]  # (the id of a Map or Parallel state, an iteration or branch index)
History = Sequence[Mapping[str, Any]] | HistoryIndex


class Status(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CAUGHT_ERROR = "caught_error"
    IN_PROGRESS = "in_progress"
    CANCELLED = "cancelled"
    NOT_RUN = "not_run"


AGGREGATE_ORDER = (
    Status.IN_PROGRESS,
    Status.FAILED,
    Status.CANCELLED,
    Status.CAUGHT_ERROR,
    Status.SUCCEEDED,
    Status.NOT_RUN,
)


def index_history(events: History, definition: str | Mapping[str, Any] | None = None) -> HistoryIndex:
    """Index a history once (reuse it across the functions of this package for one page)."""
    if isinstance(events, HistoryIndex):
        return events
    return HistoryIndex(events, index_states(definition) if definition is not None else None)


def aggregate(statuses: Iterable[str]) -> Status:
    present = set(statuses)
    for status in AGGREGATE_ORDER:
        if status in present:
            return status
    return Status.NOT_RUN


def visit_status(index: HistoryIndex, visit: Visit) -> Status:
    if visit.exited:
        return Status.CAUGHT_ERROR if visit.failed else Status.SUCCEEDED
    if visit.kind == "Fail":
        return Status.FAILED
    if visit.aborted:
        return Status.CANCELLED
    if not index.ended(visit.frame):
        return Status.IN_PROGRESS
    if visit.failed or visit.blamed:
        return Status.FAILED
    return Status.CANCELLED


def in_iteration(index: HistoryIndex, visit: Visit, iteration: Iteration | None) -> bool:
    """Whether the visit counts when ``iteration`` is selected: visits outside that container always
    do; visits inside it only in the selected iteration or branch."""
    if iteration is None:
        return True
    container, _ = iteration
    instance = index.instance(visit.frame)
    if not any(owner == container for owner, _ in instance):
        return True
    return iteration in instance


def latest_visits(index: HistoryIndex, iteration: Iteration | None = None) -> dict[str, list[Visit]]:
    """Per state id, its latest visit in each frame (branch, iteration, or the top level)."""
    latest: dict[tuple[str, int], Visit] = {}
    for visit in index.visits:
        if in_iteration(index, visit, iteration):
            latest[(index.state_id(visit), visit.frame)] = visit
    by_state: dict[str, list[Visit]] = {}
    for (state, _), visit in latest.items():
        by_state.setdefault(state, []).append(visit)
    return by_state


def state_statuses(
    definition: str | Mapping[str, Any], events: History, iteration: Iteration | None = None
) -> dict[str, str]:
    """The status of every state of the definition by state id (see ``ids``), ``not_run`` included."""
    index = index_history(events, definition)
    refs = index.refs if index.refs else index_states(definition)
    statuses: dict[str, str] = {ref.id: Status.NOT_RUN for ref in refs.values()}
    for state, visits in latest_visits(index, iteration).items():
        statuses[state] = aggregate(visit_status(index, visit) for visit in visits)
    return statuses


# ---- the failure banner --------------------------------------------------------------------------

FAILED_ENDS = ("ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted")
# Events that only pass a child's failure up: the banner names the child that failed.
_RELAYS = frozenset({"MapStateFailed", "ParallelStateFailed", "MapIterationFailed"})


@dataclass(frozen=True, slots=True)
class Failure:
    """What the failure banner shows, and what "show step detail" selects."""

    type: str  # ExecutionFailed | ExecutionTimedOut | ExecutionAborted
    error: str | None
    cause: str | None
    execution_event_id: int  # the ExecutionFailed/… event
    state_id: str | None  # the state where it happened (None: it happened outside any state)
    state_name: str | None
    event_id: int | None  # the event to select: TaskFailed, FailStateEntered, EvaluationFailed, …
    iteration: tuple[Iteration, ...] = ()  # the branches / Map iterations the state ran in, outermost first


def failure(events: History, definition: str | Mapping[str, Any] | None = None) -> Failure | None:
    """The execution's failure, or None when it has not failed (succeeded or still running).

    The state is found by following ``previousEventId`` from the ExecutionFailed event, down through
    the MapStateFailed / ParallelStateFailed / MapIterationFailed events that relayed a child's error,
    to the event of the state that failed first. ExecutionAborted and ExecutionTimedOut point to no
    event (previousEventId 0): the banner then names the most recently entered state still running.
    """
    index = index_history(events, definition)
    end = index.terminal
    if end is None or end["type"] not in FAILED_ENDS:
        return None
    details = details_of(end)
    origin = _origin_event(index, int(end.get("previousEventId") or 0))
    visit = index.visit_of_event(origin) if origin else _latest_open_visit(index)
    if visit is None:
        return Failure(
            str(end["type"]), details.get("error"), details.get("cause"), int(end["id"]), None, None, None
        )
    return Failure(
        type=str(end["type"]),
        error=details.get("error"),
        cause=details.get("cause"),
        execution_event_id=int(end["id"]),
        state_id=index.state_id(visit),
        state_name=visit.name,
        event_id=origin or visit.entered,
        iteration=index.instance(index.frame_of[index.position[origin or visit.entered]]),
    )


def _origin_event(index: HistoryIndex, event_id: int) -> int:
    seen = 0
    while event_id and seen < 10_000:
        event = index.event(event_id)
        if event is None or event["type"] not in _RELAYS:
            return event_id
        previous = int(event.get("previousEventId") or 0)
        here, there = index.visit_of_event(event_id), index.visit_of_event(previous)
        if not previous or (event["type"] != "MapIterationFailed" and here is there):
            return event_id  # the container failed by itself (e.g. its ItemsPath matched nothing)
        event_id, seen = previous, seen + 1
    return event_id


def _latest_open_visit(index: HistoryIndex) -> Visit | None:
    open_visits = [visit for visit in index.visits if not visit.exited and visit.kind != "Fail"]
    return max(open_visits, key=lambda visit: visit.entered) if open_visits else None
