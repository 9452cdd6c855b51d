"""One pass over an execution history: which state visit, and which branch or Map iteration, each
event belongs to. Everything else on the execution page is read from this index.

History events are dicts exactly as GetExecutionHistory returns them. Each points to the causally
previous event of its own chain (``previousEventId``): "Events of Parallel branches / Map iterations
interleave; previousEventId points to the causally previous event in the same branch/iteration". So an
event usually belongs where its predecessor belongs, with these exceptions, read from the recorded
sequences (reference §6.3):

* ``MapIterationStarted{name, index}`` opens an iteration *frame* under the Map. Its predecessor is the
  Map's ``MapStateStarted`` or the last event of an earlier iteration, so the Map's frame is found by
  walking up from the predecessor.
* the first ``…StateEntered`` after ``ParallelStateStarted`` opens a branch frame (branch i is the
  branch whose States hold the entered name, or without a definition the i-th branch to start).
* ``ParallelState{Succeeded,Failed,Aborted}`` / ``MapState{Succeeded,Failed,Aborted}`` point to the last
  event of a child branch or iteration, and ``…StateExited`` may too (on success a Map's Exited "points to
  the same predecessor as Succeeded"): they are put back on the container's own frame.
* a retry's ``ParallelStateStarted`` / ``MapStateStarted`` points to the last event of the failed
  attempt's branch or iteration (``scenarios__test_parallel_state_retry``: ``ParallelStateStarted``
  #5 follows ``FailStateEntered`` #4 of branch 0): it too is put back on the container's frame.
* AWS (not stepwell) records the first state of a Parallel branch and ``EvaluationFailed`` with
  ``previousEventId`` 0: the branch is then found from the definition, the visit from ``details.state``.

A *visit* is one entry into a state (``…StateEntered``) and everything up to its exit; a state in a
loop has several visits in one frame. The build is O(events × nesting depth); a definition is optional
(it fixes branch numbers and the ids of states in branches).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stepwell.console.history_events import (
    ATTEMPT_START,
    ATTEMPT_SUCCESS,
    CONTAINER_END,
    CONTAINER_END_ROLE,
    ENTERED,
    EXECUTION,
    EXECUTION_END,
    EXITED,
    ITERATION_STARTED,
    OTHER,
    STATE_ABORTED,
    STATE_ERRORS,
    details_of,
    role_of,
    timestamp_of,
)
from stepwell.console.ids import StateRef, encode_name, scope_path

ROOT = 0  # the id of the execution's top-level frame
# The events that start an attempt of a container: (its state type, the kind of its child frames).
CONTAINER_START = {"ParallelStateStarted": ("Parallel", "branch"), "MapStateStarted": ("Map", "iteration")}


# How a branch or an iteration ended when it is not run again by a redrive.
SUCCESSFUL_ENDS = frozenset({"MapIterationSucceeded", "ParallelStateSucceeded", "MapStateSucceeded"})


@dataclass(slots=True)
class Frame:
    """The top level, one run of a Parallel branch, or one Map iteration."""

    id: int
    parent: int | None
    kind: str  # "root" | "branch" | "iteration"
    container: str | None = None  # the name of the Parallel/Map state it runs under
    index: int = 0  # branch number or iteration index
    owner: int = -1  # the container's visit
    first_event: int = 0
    last_event: int = 0  # the greatest event id in it or in the frames under it
    end_type: str = ""  # MapIteration{Succeeded,Failed,Aborted}, or the container's end for a branch
    open: dict[str, int] = field(default_factory=dict)  # state name -> its latest visit here


@dataclass(slots=True)
class Visit:
    """One entry into a state and the events up to its exit."""

    id: int
    name: str
    kind: str  # the type from its …StateEntered event: "Task", "Map", ...
    frame: int
    entered: int  # the …StateEntered event id
    events: list[int] = field(default_factory=list)
    exited: int = 0
    failed: bool = False  # its latest attempt ended in an error
    aborted: bool = False  # a …StateAborted event closed it
    blamed: bool = False  # the execution, an iteration or a branch failed because of it
    running: bool = True  # a Parallel/Map between entry (or Started) and its Succeeded/Failed
    branches_started: int = 0
    children: list[int] = field(default_factory=list)  # the frames it ran


class HistoryIndex:
    """Events, frames and visits of one history, with each event's frame and visit by position."""

    __slots__ = (
        "events",
        "frame_of",
        "frames",
        "instances",
        "latest_by_name",
        "position",
        "refs",
        "start_time",
        "terminal",
        "visit_of",
        "visits",
    )

    def __init__(self, events: Sequence[Mapping[str, Any]], refs: Mapping[str, StateRef] | None = None):
        self.events = events
        self.refs: Mapping[str, StateRef] = refs or {}
        self.position: dict[int, int] = {}
        self.frame_of: list[int] = []
        self.visit_of: list[int] = []
        self.frames: list[Frame] = [Frame(ROOT, None, "root")]
        self.visits: list[Visit] = []
        self.terminal: Mapping[str, Any] | None = None
        self.instances: dict[int, tuple[tuple[str, int], ...]] = {ROOT: ()}
        self.latest_by_name: dict[str, int] = {}  # state name -> its latest visit
        self.start_time: float = (timestamp_of(events[0]) or 0.0) if events else 0.0
        for event in events:
            self._add(event)
        self._fold_last_events()

    # ---- lookups ------------------------------------------------------------------------------
    def event(self, event_id: int) -> Mapping[str, Any] | None:
        at = self.position.get(event_id)
        return None if at is None else self.events[at]

    def visit_of_event(self, event_id: int) -> Visit | None:
        at = self.position.get(event_id)
        if at is None or self.visit_of[at] < 0:
            return None
        return self.visits[self.visit_of[at]]

    def lineage(self, frame_id: int) -> list[Frame]:
        """The frames from the top level down to ``frame_id`` (the root excluded)."""
        chain: list[Frame] = []
        frame: Frame | None = self.frames[frame_id]
        while frame is not None and frame.parent is not None:
            chain.append(frame)
            frame = self.frames[frame.parent]
        chain.reverse()
        return chain

    def scope_of(self, frame_id: int) -> str:
        """The scope path of a frame (see ``ids``): Map iterations share their Map's processor."""
        path = ""
        for frame in self.lineage(frame_id):
            container = _child_id(path, frame.container or "")
            path = scope_path(container, frame.index if frame.kind == "branch" else 0)
        return path

    def state_id(self, visit: Visit) -> str:
        ref = self.refs.get(visit.name)
        return ref.id if ref is not None else _child_id(self.scope_of(visit.frame), visit.name)

    def instance(self, frame_id: int) -> tuple[tuple[str, int], ...]:
        """The (container state id, branch or iteration index) pairs from the top level down to the
        frame: which branch of which Parallel, which iteration of which Map, it runs in."""
        known = self.instances.get(frame_id)
        if known is not None:
            return known
        frame = self.frames[frame_id]
        parent = self.instance(frame.parent if frame.parent is not None else ROOT)
        path = (*parent, (self.state_id(self.visits[frame.owner]), frame.index))
        self.instances[frame_id] = path
        return path

    def ended(self, frame_id: int) -> bool:
        """Whether the frame can no longer change: the execution or an enclosing frame has ended."""
        if self.terminal is not None:
            return True
        frame: Frame | None = self.frames[frame_id]
        while frame is not None:
            if frame.end_type:
                return True
            frame = self.frames[frame.parent] if frame.parent is not None else None
        return False

    # ---- the one pass -------------------------------------------------------------------------
    def _add(self, event: Mapping[str, Any]) -> None:
        event_id = int(event["id"])
        kind = str(event["type"])
        at = len(self.frame_of)
        self.position[event_id] = at
        previous = self.position.get(int(event.get("previousEventId") or 0))
        before_frame = self.frame_of[previous] if previous is not None else ROOT
        before_visit = self.visit_of[previous] if previous is not None else -1
        before_type = str(self.events[previous]["type"]) if previous is not None else ""
        frame_id, visit_id = self._place(event, kind, before_frame, before_visit, before_type)
        self.frame_of.append(frame_id)
        self.visit_of.append(visit_id)
        frame = self.frames[frame_id]
        if not frame.first_event:
            frame.first_event = event_id
        frame.last_event = event_id
        if visit_id >= 0:
            self._record(self.visits[visit_id], event_id, kind)
        if kind == "ExecutionRedriven":
            self._redriven()
        if kind in EXECUTION_END:
            self.terminal = event
        if kind in ("ExecutionFailed", "MapIterationFailed", "ParallelStateFailed", "MapStateFailed"):
            blamed = self.visit_of[previous] if previous is not None else -1
            if blamed >= 0 and blamed != visit_id:
                self.visits[blamed].blamed = True

    def _redriven(self) -> None:
        """RedriveExecution: the execution runs again, and so do the branches and iterations that
        failed or were aborted (their new events follow their own, in the same frames)."""
        self.terminal = None
        for frame in self.frames:
            if frame.end_type and frame.end_type not in SUCCESSFUL_ENDS:
                frame.end_type = ""

    def _place(
        self, event: Mapping[str, Any], kind: str, before_frame: int, before_visit: int, before_type: str
    ) -> tuple[int, int]:
        role = role_of(kind)
        if role == OTHER:
            if before_visit < 0 and kind == "EvaluationFailed":  # AWS records it with previousEventId 0
                return self._latest_visit(str(details_of(event).get("state", "")), before_frame, before_visit)
            if kind in CONTAINER_START:
                return self._container_start(kind, before_frame, before_visit)
            return before_frame, before_visit
        if role == EXECUTION:
            return ROOT, -1
        if role == CONTAINER_END_ROLE:
            return self._container_end(kind, before_frame, before_visit)
        details = details_of(event)
        name = str(details.get("name", ""))
        if role == ENTERED:
            state_kind = kind[: -len("StateEntered")]
            return self._enter(name, state_kind, int(event["id"]), before_frame, before_visit, before_type)
        if role == EXITED:
            return self._find_open(name, before_frame, before_visit)
        index = details.get("index", 0)
        index = index if isinstance(index, int) else 0
        if role == ITERATION_STARTED:
            return self._start_iteration(name, index, before_frame, before_visit)
        return self._end_iteration(name, index, kind, before_frame, before_visit)

    def _enter(
        self,
        name: str,
        state_kind: str,
        event_id: int,
        before_frame: int,
        before_visit: int,
        before_type: str,
    ) -> tuple[int, int]:
        frame_id = before_frame
        if before_type == "ParallelStateStarted" and before_visit >= 0:
            parallel = self.visits[before_visit]
            ref = self.refs.get(name)
            branch = ref.branch if ref is not None else parallel.branches_started
            parallel.branches_started += 1
            frame_id = self._new_frame(before_frame, "branch", parallel, branch)
        elif not before_type:
            frame_id = self._branch_start_without_chain(name, before_frame)
        visit = Visit(len(self.visits), name, state_kind, frame_id, event_id)
        self.visits.append(visit)
        self.frames[frame_id].open[name] = visit.id
        self.latest_by_name[name] = visit.id
        return frame_id, visit.id

    def _branch_start_without_chain(self, name: str, before_frame: int) -> int:
        """AWS records the first state of a Parallel branch with previousEventId 0: with a definition,
        the branch is found from the state's place in it."""
        ref = self.refs.get(name)
        if ref is None or ref.container is None:
            return before_frame
        container = next((r for r in self.refs.values() if r.id == ref.container), None)
        visit_id = self.latest_by_name.get(container.name, -1) if container is not None else -1
        if visit_id < 0 or self.visits[visit_id].kind != "Parallel":
            return before_frame
        parallel = self.visits[visit_id]
        return self._new_frame(parallel.frame, "branch", parallel, ref.branch)

    def _latest_visit(self, name: str, before_frame: int, before_visit: int) -> tuple[int, int]:
        visit_id = self.latest_by_name.get(name, -1)
        if visit_id < 0:
            return before_frame, before_visit
        return self.visits[visit_id].frame, visit_id

    def _find_open(self, name: str, before_frame: int, before_visit: int) -> tuple[int, int]:
        frame: Frame | None = self.frames[before_frame]
        while frame is not None:
            if name in frame.open:
                return frame.id, frame.open[name]
            frame = self.frames[frame.parent] if frame.parent is not None else None
        return before_frame, before_visit

    def _start_iteration(
        self, name: str, index: int, before_frame: int, before_visit: int
    ) -> tuple[int, int]:
        map_frame = self._container_frame(name, "iteration", before_frame, before_visit)
        visit_id = self.frames[map_frame].open.get(name, -1)
        if visit_id < 0:
            return before_frame, before_visit
        return self._new_frame(map_frame, "iteration", self.visits[visit_id], index), visit_id

    def _end_iteration(
        self, name: str, index: int, kind: str, before_frame: int, before_visit: int
    ) -> tuple[int, int]:
        frame: Frame | None = self.frames[before_frame]
        while frame is not None:
            if frame.kind == "iteration" and frame.container == name and frame.index == index:
                frame.end_type = kind
                return frame.id, frame.owner
            frame = self.frames[frame.parent] if frame.parent is not None else None
        return before_frame, before_visit

    def _container_end(self, kind: str, before_frame: int, before_visit: int) -> tuple[int, int]:
        wanted_kind, child_kind = (
            ("Parallel", "branch") if kind.startswith("Parallel") else ("Map", "iteration")
        )
        # The container's own chain (no child yet, or a failure before any child started) ...
        if before_visit >= 0:
            visit = self.visits[before_visit]
            if visit.kind == wanted_kind and visit.running and visit.frame == before_frame:
                return before_frame, before_visit
        # ... else the last event of one of its branches or iterations.
        frame: Frame | None = self.frames[before_frame]
        while frame is not None and frame.parent is not None:
            if frame.kind == child_kind:
                return frame.parent, frame.owner
            frame = self.frames[frame.parent]
        return before_frame, before_visit

    def _container_start(self, kind: str, before_frame: int, before_visit: int) -> tuple[int, int]:
        """A retry's ``ParallelStateStarted``/``MapStateStarted`` points to the last event of the
        failed attempt's branch or iteration: it is put back on the container's own frame."""
        wanted_kind, child_kind = CONTAINER_START[kind]
        # The first attempt: the container's own …StateEntered (a nested container that has ended,
        # the last event of a failed branch, is a child, not the one starting).
        if before_visit >= 0:
            visit = self.visits[before_visit]
            if visit.kind == wanted_kind and visit.running and visit.frame == before_frame:
                return before_frame, before_visit
        frame: Frame | None = self.frames[before_frame]
        while frame is not None and frame.parent is not None:
            if frame.kind == child_kind:
                return frame.parent, frame.owner
            frame = self.frames[frame.parent]
        return before_frame, before_visit

    def _container_frame(self, name: str, child_kind: str, before_frame: int, before_visit: int) -> int:
        """The frame holding container ``name``, seen from an event in it or in one of its children."""
        if before_visit >= 0:
            visit = self.visits[before_visit]
            if visit.name == name and visit.frame == before_frame:
                return before_frame
        frame: Frame | None = self.frames[before_frame]
        while frame is not None and frame.parent is not None:
            if frame.kind == child_kind and frame.container == name:
                return frame.parent
            frame = self.frames[frame.parent]
        return before_frame

    def _new_frame(self, parent: int, kind: str, owner: Visit, index: int) -> int:
        frame = Frame(len(self.frames), parent, kind, owner.name, index, owner.id)
        self.frames.append(frame)
        owner.children.append(frame.id)
        return frame.id

    def _record(self, visit: Visit, event_id: int, kind: str) -> None:
        visit.events.append(event_id)
        if kind in ATTEMPT_START:
            visit.failed = False
            visit.running = True
            visit.branches_started = 0
        elif kind in ATTEMPT_SUCCESS:
            visit.failed = False
        elif kind in STATE_ERRORS:
            visit.failed = True
        if kind in STATE_ABORTED:
            visit.aborted = True
        if kind in CONTAINER_END:
            visit.running = False
            for child in visit.children:  # its branches end with it (Map iterations end on their own)
                frame = self.frames[child]
                if frame.kind == "branch" and not frame.end_type:
                    frame.end_type = kind
        if kind.endswith("StateExited"):
            visit.exited = event_id

    def _fold_last_events(self) -> None:
        # Children are created after their parents: one backward sweep carries each frame's last event up.
        for frame in reversed(self.frames):
            if frame.parent is not None:
                parent = self.frames[frame.parent]
                parent.last_event = max(parent.last_event, frame.last_event)


def _child_id(scope: str, name: str) -> str:
    segment = encode_name(name)
    return f"{scope}/{segment}" if scope else segment
