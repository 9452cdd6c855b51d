"""The iterations of every Map state and the branches of every Parallel state: the iteration picker.

AWS's Map iteration viewer lists a Map's iterations with "Failed" and "Aborted" lists and counts by
status ("Map: iteration counts Failed/Aborted/Succeeded/InProgress"). A Map iteration's status comes from
its own event: ``MapIterationSucceeded`` -> succeeded, ``MapIterationFailed`` -> failed,
``MapIterationAborted`` -> cancelled; with none yet it is in progress (cancelled once the execution has
ended). A Parallel branch records no event of its own: its status is that of its states, aggregated
(any in progress, else any failed, else any cancelled, else succeeded — a caught error inside a branch
that went on does not make the branch fail).

A container visited several times (a loop, a retried Parallel, a Map inside another Map's iterations)
lists the iterations of every run; ``enclosing`` and ``visit_event_id`` tell the runs apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from stepwell.console.history_index import Frame, HistoryIndex, Visit
from stepwell.console.state_status import History, Iteration, Status, aggregate, index_history, visit_status

_ITERATION_STATUS = {
    "MapIterationSucceeded": Status.SUCCEEDED,
    "MapIterationFailed": Status.FAILED,
    "MapIterationAborted": Status.CANCELLED,
}


@dataclass(frozen=True, slots=True)
class IterationSummary:
    state_id: str  # the Map or Parallel state
    index: int  # the iteration index, or the branch number
    status: str
    first_event_id: int  # MapIterationStarted, or the branch's first event
    last_event_id: int  # its last event, the events of nested branches and iterations included
    visit_event_id: int  # the container's …StateEntered: which run of the container it belongs to
    enclosing: tuple[Iteration, ...] = ()  # the branches / iterations the container itself ran in


def iterations(definition: str | Mapping[str, Any], events: History) -> dict[str, list[IterationSummary]]:
    """Per Map/Parallel state id, its iterations (Map) or branches (Parallel) in order of start."""
    index = index_history(events, definition)
    latest_by_frame: dict[int, dict[str, Visit]] = {}
    for visit in index.visits:  # the latest visit of each state in each frame
        latest_by_frame.setdefault(visit.frame, {})[visit.name] = visit
    found: dict[str, list[IterationSummary]] = {}
    for visit in index.visits:
        if not visit.children:
            continue
        state = index.state_id(visit)
        enclosing = index.instance(visit.frame)
        summaries = found.setdefault(state, [])
        for frame_id in visit.children:
            frame = index.frames[frame_id]
            summaries.append(
                IterationSummary(
                    state_id=state,
                    index=frame.index,
                    status=_frame_status(index, frame, latest_by_frame.get(frame_id, {})),
                    first_event_id=frame.first_event,
                    last_event_id=frame.last_event,
                    visit_event_id=visit.entered,
                    enclosing=enclosing,
                )
            )
    return found


def count_by_status(summaries: Iterable[IterationSummary]) -> dict[str, int]:
    """How many iterations have each status (every status present, zeros included)."""
    counts = Counter(summary.status for summary in summaries)
    return {status.value: counts.get(status.value, 0) for status in Status if status is not Status.NOT_RUN}


def _frame_status(index: HistoryIndex, frame: Frame, latest: Mapping[str, Visit]) -> str:
    if frame.kind == "iteration":
        if frame.end_type in _ITERATION_STATUS:
            return _ITERATION_STATUS[frame.end_type]
        return Status.CANCELLED if index.ended(frame.id) else Status.IN_PROGRESS
    statuses = {visit_status(index, visit) for visit in latest.values()}
    # A caught error inside a branch that went on is the branch's success.
    statuses = {Status.SUCCEEDED if status is Status.CAUGHT_ERROR else status for status in statuses}
    return aggregate(statuses)
