"""Where an execution is: the serialisable picture ``advance`` reads and updates.

An execution is a tree of *frames*. The top frame runs the machine's program; a Parallel state
starts one child frame per branch and a Map state one per item. A frame runs one state at a time
and is either runnable, waiting (on a task, a timer or its children), or closed. Variables live in
the frame that assigned them; a child frame reads its ancestors' variables but writes its own.
"""

from __future__ import annotations

from collections import ChainMap
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from stepwell.engine.events import ExecutionInfo

RUNNING = "RUNNING"


@dataclass(slots=True)
class Frame:
    id: str
    program: str  # key of the Program it runs (see advance.program_index)
    parent: str | None = None
    index: int = 0  # branch index (Parallel) or item index (Map)
    map_item: tuple[int, Any] | None = None  # (index, value) for $$.Map.Item
    variables: dict[str, Any] = field(default_factory=dict)
    state: str | None = None  # the current state
    input: Any = None  # the current state's raw input
    input_json: str | None = None  # ``input`` serialised, when already known
    entered: bool = False  # the current state's …Entered event is written
    entered_event_id: int = 0
    entered_previous: int = 0  # previousEventId of the …Entered event (EvaluationFailed reuses it)
    entered_time: float = 0.0
    last_event_id: int = 0  # previousEventId of this frame's next event
    retry_counts: dict[int, int] = field(default_factory=dict)  # retrier index -> retries done
    retry_total: int = 0  # $$.State.RetryCount
    waiting: str | None = None  # "task" | "timer" | "retry" | "children" | None (runnable)
    # what the current state is doing: task ids, the input to resume with, fan-out bookkeeping
    work: dict[str, Any] = field(default_factory=dict)
    closed: bool = False
    announce: bool = False  # a Map iteration that has not written MapIterationStarted yet
    record: bool = True  # False inside a Distributed Map: child executions keep their own history
    # Inside a Distributed Map: the id of the iteration frame that stands for the child execution
    # this frame runs in; on that frame, the events its history would hold (AWS limits each child
    # execution to 25,000 events, as any Standard execution).
    child_execution: str | None = None
    child_events: int = 0


@dataclass(slots=True)
class Snapshot:
    execution: ExecutionInfo
    input: Any = None
    frames: dict[str, Frame] = field(default_factory=dict)
    next_event_id: int = 1
    history_limit: int | None = 25_000
    sequence: int = 0  # for task, timer and frame ids
    status: str = RUNNING
    output: Any = None
    error: str | None = None
    cause: str | None = None
    open_tasks: dict[str, str] = field(default_factory=dict)  # task id -> frame id
    open_timers: dict[str, str] = field(default_factory=dict)  # timer id -> frame id ("" = execution)
    # Frames that could run when the last step used up its budget, in order: the resume timer
    # (advance.RESUME_TIMER) runs them again.
    runnable: list[str] = field(default_factory=list)

    def next_id(self, prefix: str) -> str:
        self.sequence += 1
        return f"{prefix}{self.sequence}"

    def variables_view(self, frame: Frame) -> Any:
        """The variables ``frame`` can read: its own, then its ancestors'."""
        if frame.parent is None:
            return frame.variables
        chain = [frame.variables]
        parent: str | None = frame.parent
        while parent is not None:
            pf = self.frames[parent]
            chain.append(pf.variables)
            parent = pf.parent
        return ChainMap(*chain)


_FRAME_FIELDS = tuple(f.name for f in fields(Frame))


def snapshot_to_json(snapshot: Snapshot) -> dict[str, Any]:
    """A JSON-compatible picture of the snapshot (what a store saves between steps)."""
    out = {
        f.name: getattr(snapshot, f.name) for f in fields(Snapshot) if f.name not in ("execution", "frames")
    }
    out["execution"] = asdict(snapshot.execution)
    out["frames"] = [
        {name: getattr(frame, name) for name in _FRAME_FIELDS} for frame in snapshot.frames.values()
    ]
    return out


def snapshot_from_json(data: dict[str, Any]) -> Snapshot:
    values = dict(data)
    execution = ExecutionInfo(**values.pop("execution"))
    frames = {}
    for raw in values.pop("frames"):
        frame = Frame(**raw)
        if frame.map_item is not None:
            frame.map_item = (frame.map_item[0], frame.map_item[1])
        frame.retry_counts = {int(k): v for k, v in frame.retry_counts.items()}
        frames[frame.id] = frame
    return Snapshot(execution=execution, frames=frames, **values)
