"""The Step details panel: one state's input and output, its attempts, events, definition and data flow.

AWS's panel has the tabs *Input & Output* (with an error "Reason" box and the "Advanced view" of the
data flow), *Details*, *Definition* ("the state's ASL"), *Retry* ("initial + each attempt, reason or
output") and *Events* ("history filtered to this state"); ``StepDetails`` holds what each of them shows.

A state can have several visits: a loop, or one per Parallel branch run / Map iteration. The panel
explains the colour the graph shows, so it describes the visit whose status decided that colour
(``state_status.aggregate``: the first in-progress visit, else failed, ...; the latest of those). Select
an iteration (``iteration=(container_id, index)``) to see that iteration's visit instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stepwell.asl.parse import parse_definition
from stepwell.console.history_events import (
    ATTEMPT_START,
    ATTEMPT_SUCCESS,
    STATE_ABORTED,
    STATE_ERRORS,
    details_of,
    timestamp_of,
)
from stepwell.console.history_index import HistoryIndex, Visit
from stepwell.console.ids import StateRef, index_states
from stepwell.console.state_status import (
    AGGREGATE_ORDER,
    History,
    Iteration,
    Status,
    in_iteration,
    index_history,
    visit_status,
)
from stepwell.console.step_data_flow import MISSING, Recorded, Stage, data_flow
from stepwell.errors import DefinitionError


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try of a Task (…Scheduled to its outcome) or one run of a Parallel/Map (…Started to its end)."""

    number: int  # 1 for the first try; retries follow
    first_event_id: int
    started_at: float | None  # epoch seconds
    ended_at: float | None
    outcome: str  # succeeded | failed | timed_out | cancelled | in_progress
    input: str | None = None  # the parameters / input it was scheduled with (JSON text)
    resource: str | None = None
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    event_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class StepDetails:
    state_id: str
    name: str
    type: str
    status: str
    definition: Mapping[str, Any]  # the state's own ASL object
    input: str | None = None  # JSON text from …StateEntered
    output: str | None = None  # JSON text from …StateExited
    error: str | None = None  # the latest error of this visit (caught, uncaught or retried)
    cause: str | None = None
    entered_at: float | None = None
    exited_at: float | None = None  # or when it stopped: its last event
    attempts: tuple[Attempt, ...] = ()
    event_ids: tuple[int, ...] = ()
    data_flow: tuple[Stage, ...] = ()
    iteration: tuple[Iteration, ...] = ()  # the branches / Map iterations this visit ran in
    visit_count: int = 0  # how many visits the selection holds (loops, iterations)

    @property
    def definition_text(self) -> str:
        return json.dumps(self.definition, indent=2, ensure_ascii=False)

    @property
    def duration_ms(self) -> int | None:
        if self.entered_at is None or self.exited_at is None:
            return None
        return round((self.exited_at - self.entered_at) * 1000)


def step_details(
    definition: str | Mapping[str, Any],
    events: History,
    state_id: str,
    iteration: Iteration | None = None,
) -> StepDetails:
    """What the Step details panel shows for ``state_id``; KeyError for an id the definition lacks."""
    index = index_history(events, definition)
    refs = index.refs if index.refs else index_states(definition)
    ref = next((r for r in refs.values() if r.id == state_id), None)
    if ref is None:
        raise KeyError(state_id)
    visits = [v for v in index.visits if v.name == ref.name and in_iteration(index, v, iteration)]
    if not visits:
        return StepDetails(state_id, ref.name, ref.type, Status.NOT_RUN, ref.definition)
    visit = _chosen_visit(index, visits)
    entered = index.event(visit.entered) or {}
    exited = index.event(visit.exited) if visit.exited else None
    attempts = _attempts(index, visit, refs)
    error, cause = _latest_error(index, visit, refs)
    last = index.event(visit.events[-1]) or entered
    return StepDetails(
        state_id=state_id,
        name=ref.name,
        type=ref.type,
        status=visit_status(index, visit),
        definition=ref.definition,
        input=details_of(entered).get("input"),
        output=details_of(exited).get("output") if exited else None,
        error=error,
        cause=cause,
        entered_at=timestamp_of(entered),
        exited_at=timestamp_of(exited) if exited else timestamp_of(last),
        attempts=attempts,
        event_ids=tuple(visit.events),
        data_flow=_data_flow(definition, ref, _recorded(index, visit, attempts, error, cause)),
        iteration=index.instance(visit.frame),
        visit_count=len(visits),
    )


def _chosen_visit(index: HistoryIndex, visits: list[Visit]) -> Visit:
    latest: dict[int, Visit] = {}
    for visit in visits:  # the latest visit in each frame, as the status map counts them
        latest[visit.frame] = visit
    rank = {status: position for position, status in enumerate(AGGREGATE_ORDER)}
    return min(latest.values(), key=lambda v: (rank[visit_status(index, v)], -v.entered))


def _attempts(index: HistoryIndex, visit: Visit, refs: Mapping[str, StateRef]) -> tuple[Attempt, ...]:
    attempts: list[Attempt] = []
    current: dict[str, Any] | None = None
    for event_id in visit.events:
        event = index.event(event_id) or {}
        kind = str(event.get("type"))
        details = details_of(event)
        if kind in ATTEMPT_START:
            if current is not None:
                if current["outcome"] == Status.IN_PROGRESS:
                    # Only a failure is retried, and a Parallel's or Map's failed attempt records no
                    # error event: the retry's …StateStarted points to the failed child's last event
                    # (scenarios__test_map_state_retry: MapStateStarted #9 <- FailStateEntered #7).
                    error, cause = _error_of(index, visit, event, refs)
                    failed_at = index.event(int(event.get("previousEventId") or 0)) or {}
                    current.update(
                        outcome="failed", error=error, cause=cause, ended_at=timestamp_of(failed_at)
                    )
                attempts.append(_attempt(current))
            current = {
                "number": len(attempts) + 1,
                "first_event_id": event_id,
                "started_at": timestamp_of(event),
                "ended_at": None,
                "input": details.get("parameters", details.get("input")),
                "resource": details.get("resource"),
                "event_ids": [event_id],
                "outcome": Status.IN_PROGRESS.value,
            }
            continue
        if current is None:
            continue
        current["event_ids"].append(event_id)
        if kind in ATTEMPT_SUCCESS:
            current.update(outcome="succeeded", output=details.get("output"), ended_at=timestamp_of(event))
        elif kind in STATE_ERRORS:
            outcome = "timed_out" if kind.endswith("TimedOut") else "failed"
            error, cause = _error_of(index, visit, event, refs)
            current.update(outcome=outcome, error=error, cause=cause)
            current["ended_at"] = timestamp_of(event)
        elif kind in STATE_ABORTED:
            current.update(outcome="cancelled", ended_at=timestamp_of(event))
    if current is not None:
        if current["outcome"] == Status.IN_PROGRESS and index.ended(visit.frame):
            current["outcome"] = "cancelled"
        attempts.append(_attempt(current))
    return tuple(attempts)


def _attempt(fields: dict[str, Any]) -> Attempt:
    fields = dict(fields, event_ids=tuple(fields["event_ids"]))
    return Attempt(**fields)


def _latest_error(
    index: HistoryIndex, visit: Visit, refs: Mapping[str, StateRef]
) -> tuple[str | None, str | None]:
    for event_id in reversed(visit.events):
        event = index.event(event_id) or {}
        kind = event.get("type")
        if kind == "FailStateEntered":  # recorded with name and input only: the error is the state's
            error, cause = _fail_state_error(refs.get(visit.name))
            if error is not None:
                return error, cause
            break
        if kind in STATE_ERRORS:
            error, cause = _error_of(index, visit, event, refs)
            if error is not None or cause is not None:
                return error, cause
            break
    if visit.blamed and index.terminal is not None:  # e.g. a Pass whose InputPath matched nothing
        details = details_of(index.terminal)
        return details.get("error"), details.get("cause")
    return None, None


def _error_of(
    index: HistoryIndex, visit: Visit, failed: Mapping[str, Any], refs: Mapping[str, StateRef]
) -> tuple[str | None, str | None]:
    """The error of a failure event of ``visit``: its own, or a Parallel's or Map's failed child's."""
    details = details_of(failed)
    if "error" in details or "cause" in details:
        return details.get("error"), details.get("cause")
    child = _failed_child(index, visit, failed)
    return _latest_error(index, child, refs) if child is not None else (None, None)


def _fail_state_error(ref: StateRef | None) -> tuple[str | None, str | None]:
    """A Fail state's constant Error and Cause, from its definition (ErrorPath, CausePath and
    JSONata expressions are evaluated at run time: the history does not record what they gave)."""
    if ref is None:
        return None, None
    error, cause = ref.definition.get("Error"), ref.definition.get("Cause")
    return (error if _is_constant(error) else None), (cause if _is_constant(cause) else None)


def _is_constant(value: Any) -> bool:
    return isinstance(value, str) and not (value.startswith("{%") and value.endswith("%}"))


def _failed_child(index: HistoryIndex, visit: Visit, failed: Mapping[str, Any]) -> Visit | None:
    """The visit a ParallelStateFailed / MapStateFailed points to: they carry no error of their own
    (all recorded cases: "MapStateFailed": {}), and previousEventId is the failing branch's or
    iteration's last event (scenarios__test_map_state_catch: MapStateFailed #9 <- FailStateEntered #7)."""
    child = index.visit_of_event(int(failed.get("previousEventId") or 0))
    return child if child is not None and child.id != visit.id else None


def _recorded(
    index: HistoryIndex, visit: Visit, attempts: tuple[Attempt, ...], error: str | None, cause: str | None
) -> Recorded:
    entered = details_of(index.event(visit.entered) or {})
    exited = details_of(index.event(visit.exited) or {}) if visit.exited else {}
    latest = attempts[-1] if attempts else None
    caught = bool(visit.exited and visit.failed)
    return Recorded(
        input=_parse(entered.get("input")),
        parameters=_parse(latest.input) if latest is not None else MISSING,
        result=_parse(latest.output) if latest is not None and latest.outcome == "succeeded" else MISSING,
        error_output={"Error": error, "Cause": cause or ""} if caught else MISSING,
        output=_parse(exited.get("output")),
    )


def _data_flow(definition: str | Mapping[str, Any], ref: StateRef, recorded: Recorded) -> tuple[Stage, ...]:
    try:
        state = parse_definition(definition).states.get(ref.name)
    except (DefinitionError, ValueError):
        state = None
    return () if state is None else data_flow(state, recorded)


def _parse(text: Any) -> Any:
    if not isinstance(text, str):
        return MISSING
    try:
        return json.loads(text)
    except ValueError:
        return MISSING
