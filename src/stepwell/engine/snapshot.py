"""Where an execution is: the serialisable picture ``advance`` reads and updates.

An execution is a tree of *frames*. The top frame runs the machine's program; a Parallel state
starts one child frame per branch and a Map state one per item. A frame runs one state at a time
and is either runnable, waiting (on a task, a timer or its children), or closed. Variables live in
the frame that assigned them; a child frame reads its ancestors' variables but writes its own.
What a frame's current state is doing outside it is its ``work``: a Task's call (``TaskWork``), a
Wait's or a retry's timer (``TimerWork``), a Parallel's or a Map's children (``ParallelWork``,
``MapWork``), or None.

A store keeps ``snapshot_to_json``'s picture between steps. It carries its format ("format": 2);
``snapshot_from_json`` reads every format this version knows, so an execution saved before an
upgrade goes on after it, and refuses any other with ``SnapshotFormatError``.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from stepwell.engine.events import ExecutionInfo
from stepwell.errors import StepwellError

RUNNING = "RUNNING"


# ---- what a frame's current state is doing (Frame.work) --------------------------------------
@dataclass(slots=True)
class TaskWork:
    """A Task's call is out. Its resource is the state's (``TaskState.target``)."""

    task_id: str
    heartbeat_seconds: int | None = None
    # Heartbeat timers started so far: the current one is "<task_id>/hb<hb>/heartbeat".
    hb: int = 0


@dataclass(slots=True)
class TimerWork:
    """A Wait state's timer or a retry's back-off is running."""

    timer_id: str


@dataclass(slots=True)
class ParallelWork:
    children: list[str]  # one frame per branch
    results: list[Any]  # by branch index
    remaining: int  # branches not finished yet


@dataclass(slots=True)
class MapWork:
    items: list[Any]
    # What the ItemSelector reads as $ (None without an ItemSelector: nothing reads it).
    selector_input: Any
    results: list[Any]  # by item index
    limit: int  # MaxConcurrency; 0: no limit
    tolerated_count: int | None = None
    tolerated_pct: float | None = None
    next: int = 0  # the next item to start
    running: int = 0
    finished: int = 0
    failed: int = 0
    children: list[str] = field(default_factory=list)  # every iteration frame started
    last_iteration_event: int | None = None  # the latest MapIterationSucceeded
    map_run_arn: str | None = None  # a Distributed Map's Map Run (MapRunRedriven names it)
    # Its iterations as child executions (StartChildExecution): task id -> item index, of those
    # running; the items whose child failed or was aborted (a redrive runs them again), and, after
    # a redrive, those still to run again (last first).
    child_tasks: dict[str, int] = field(default_factory=dict)
    child_names: dict[str, str] = field(default_factory=dict)  # task id -> the child execution's name
    unsuccessful: list[int] = field(default_factory=list)
    relaunch: list[int] = field(default_factory=list)
    timed_out: int = 0  # of ``failed``
    aborted: int = 0
    run_status: str = "RUNNING"  # the Map Run's: RUNNING | SUCCEEDED | FAILED | ABORTED
    # With an ItemBatcher ``items`` are the batches: their sizes and statuses, and the items'
    # counts by status (engine/batching.py).
    batch_sizes: list[int] = field(default_factory=list)
    batch_status: list[str] = field(default_factory=list)
    item_counts: dict[str, int] = field(default_factory=dict)
    # With a ResultWriter (engine/result_writer.py): by item, its child execution as a result
    # file's entry needs it (result_writer.Run's fields; None: not started); where it exports
    # ([bucket, prefix]; empty: it does not); the writes out (task ids); the manifest, written
    # once the result files are; what follows the writes (["SUCCEEDED"], or [error, cause] of
    # the Map Run's failure); and [child executions, items] whose results were written.
    runs: list[Any] = field(default_factory=list)
    writer_target: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    manifest: str | None = None
    after_writing: list[Any] = field(default_factory=list)
    written: list[int] = field(default_factory=list)
    # Where the items came from, for $$.Map.Item.Source: [[first item index, source], ...] in
    # index order (empty: the state input, "STATE_DATA"); see engine/context.py.
    sources: list[Any] = field(default_factory=list)
    # A large object read a range at a time while the items run (engine/item_reader/streamed.py):
    # its request, where the read has got to, the range out; empty: the items are all here.
    stream: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ReaderWork:
    """A Distributed Map's ItemReader is reading its items: one S3 call out (``task_id``) at a
    time, and for a reader of many objects (a listing, its objects, an inventory's files) where
    it has got to, so that a restart goes on from the call that was out (engine/item_reader)."""

    task_id: str
    selector_input: Any  # what the Map's ItemSelector reads as $, kept for when the items come
    max_items: int = 0  # 0: all
    # What the call out reads: "object" (the one object), "page" (a ListObjectsV2 page),
    # "listed" (a listed object, LOAD_AND_FLATTEN), "manifest" (an S3 inventory's manifest.json)
    # or "file" (one of the inventory's data files).
    reading: str = "object"
    listing: dict[str, Any] = field(default_factory=dict)  # the ListObjectsV2 request, as evaluated
    continuation: str | None = None  # the next page's ContinuationToken; None: no more pages
    bucket: str = ""  # of the objects still to read
    keys: list[str] = field(default_factory=list)  # objects still to read, the one out first
    headers: list[str] = field(default_factory=list)  # an S3 inventory's fileSchema
    items: list[Any] = field(default_factory=list)  # read so far
    sources: list[Any] = field(default_factory=list)  # as MapWork.sources, of the items read so far
    stream: dict[str, Any] = field(default_factory=dict)  # as MapWork.stream, after the first range


Work = TaskWork | TimerWork | ParallelWork | MapWork | ReaderWork | None


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
    input_json: str | None = None  # ``input`` serialised, when known and the state not entered yet
    entered: bool = False  # the current state's …Entered event is written
    entered_event_id: int = 0
    entered_previous: int = 0  # previousEventId of the …Entered event (EvaluationFailed reuses it)
    entered_time: float = 0.0
    last_event_id: int = 0  # previousEventId of this frame's next event
    retry_counts: dict[int, int] = field(default_factory=dict)  # retrier index -> retries done
    retry_total: int = 0  # $$.State.RetryCount
    waiting: str | None = None  # "task" | "timer" | "retry" | "children" | None (runnable)
    work: Work = None  # what the current state is doing; None: nothing outside it
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


# ---- JSON -------------------------------------------------------------------------------------
# Format 1 (no "format" member): every field of every frame, ``work`` a plain dict. Format 2:
# "format": 2, fields at their default value left out, ``work`` a tagged object.
FORMAT = 2
FORMATS = (1, 2)


class SnapshotFormatError(StepwellError):
    """A snapshot this version of stepwell cannot read: written in a format it does not know (by
    a newer stepwell), or not a snapshot of the format it claims."""

    def __init__(self, found: Any, problem: str | None = None):
        self.found = found
        supported = " and ".join(str(f) for f in FORMATS)
        if problem is None:
            message = f"The snapshot is in format {found!r}; this stepwell reads formats {supported}."
        else:
            message = f"The snapshot does not read as format {found!r}: {problem}."
        super().__init__(message)


def _defaults(cls: type) -> tuple[tuple[str, Any], ...]:
    """(field name, default) of a dataclass, MISSING for a field without one."""
    out = []
    for f in fields(cls):
        if f.default_factory is not MISSING:
            out.append((f.name, f.default_factory()))
        else:
            out.append((f.name, f.default))
    return tuple(out)


def _written(obj: Any, defaults: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """The fields of ``obj`` that differ from their defaults."""
    out = {}
    for name, default in defaults:
        value = getattr(obj, name)
        if default is MISSING or value != default:
            out[name] = value
    return out


# Fields written by hand (a tuple, int keys, typed work) are left out of the generic ones.
_FRAME = tuple(d for d in _defaults(Frame) if d[0] not in ("work", "map_item", "retry_counts"))
_SNAPSHOT = tuple(d for d in _defaults(Snapshot) if d[0] not in ("execution", "frames"))
_EXECUTION = _defaults(ExecutionInfo)
_WORK: dict[type, tuple[str, tuple[tuple[str, Any], ...]]] = {
    TaskWork: ("task", _defaults(TaskWork)),
    TimerWork: ("timer", _defaults(TimerWork)),
    ParallelWork: ("parallel", _defaults(ParallelWork)),
    MapWork: ("map", _defaults(MapWork)),
    ReaderWork: ("reader", _defaults(ReaderWork)),
}
_WORK_TYPES: dict[str, type] = {tag: cls for cls, (tag, _) in _WORK.items()}


def snapshot_to_json(snapshot: Snapshot) -> dict[str, Any]:
    """A JSON-compatible picture of the snapshot (what a store saves between steps)."""
    out: dict[str, Any] = {"format": FORMAT}
    out.update(_written(snapshot, _SNAPSHOT))
    out["execution"] = _written(snapshot.execution, _EXECUTION)
    out["frames"] = [_frame_to_json(frame) for frame in snapshot.frames.values()]
    return out


def _frame_to_json(frame: Frame) -> dict[str, Any]:
    out = _written(frame, _FRAME)
    if frame.map_item is not None:
        out["map_item"] = list(frame.map_item)
    if frame.retry_counts:
        out["retry_counts"] = {str(k): v for k, v in frame.retry_counts.items()}
    work = frame.work
    if work is not None:
        tag, defaults = _WORK[type(work)]
        out["work"] = {"kind": tag, **_written(work, defaults)}
    return out


def snapshot_from_json(data: dict[str, Any]) -> Snapshot:
    """The snapshot ``snapshot_to_json`` wrote, in any format this version reads. The snapshot
    takes over the lists and dicts of ``data`` (a freshly decoded document: no copy is made)."""
    found = data.get("format", 1)
    reader = _READERS.get(found) if type(found) is int else None
    if reader is None:
        raise SnapshotFormatError(found)
    try:
        return reader(data)
    except (KeyError, TypeError, ValueError, AttributeError) as broken:
        raise SnapshotFormatError(found, repr(broken)) from None


def _read(data: dict[str, Any], work_of: Callable[[dict[str, Any], Any], Work]) -> Snapshot:
    values = {k: v for k, v in data.items() if k != "format"}
    execution = ExecutionInfo(**values.pop("execution"))
    frames = {}
    for raw in values.pop("frames"):
        frame = Frame(**raw)
        if frame.map_item is not None:
            frame.map_item = (frame.map_item[0], frame.map_item[1])
        if frame.retry_counts:
            frame.retry_counts = {int(k): v for k, v in frame.retry_counts.items()}
        frame.work = work_of(raw, frame.work)
        if frame.entered:  # format 1 kept the entered state's input text, which nothing reads again
            frame.input_json = None
        frames[frame.id] = frame
    return Snapshot(execution=execution, frames=frames, **values)


def _work_v2(frame: dict[str, Any], raw: Any) -> Work:
    if raw is None:
        return None
    values = dict(raw)
    cls = _WORK_TYPES[values.pop("kind")]
    work: Work = cls(**values)
    return work


def _work_v1(frame: dict[str, Any], raw: Any) -> Work:
    """Format 1 kept one dict for whatever the state was doing; its keys tell which. A retry's
    or Wait's timer was added to the dict of the attempt before, which nothing reads again."""
    if not raw:
        return None
    if "timer_id" in raw and frame.get("waiting") in ("timer", "retry"):
        return TimerWork(raw["timer_id"])
    if "task_id" in raw:
        return TaskWork(raw["task_id"], raw.get("heartbeat_seconds"), raw.get("hb", 0))
    if "items" in raw:
        return MapWork(
            items=raw["items"],
            selector_input=raw["selector_input"],
            results=raw["results"],
            limit=raw["limit"],
            tolerated_count=raw["tolerated_count"],
            tolerated_pct=raw["tolerated_pct"],
            next=raw["next"],
            running=raw["running"],
            finished=raw["finished"],
            failed=raw["failed"],
            children=raw["children"],
            last_iteration_event=raw["last_iteration_event"],
        )
    if "remaining" in raw:
        return ParallelWork(children=raw["children"], results=raw["results"], remaining=raw["remaining"])
    if "timer_id" in raw:
        return TimerWork(raw["timer_id"])
    raise ValueError(f"a frame's work is not understood: {sorted(raw)}")


_READERS: dict[int, Callable[[dict[str, Any]], Snapshot]] = {
    1: lambda data: _read(data, _work_v1),
    2: lambda data: _read(data, _work_v2),
}
