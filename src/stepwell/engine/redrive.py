"""RedriveExecution: an execution that FAILED, TIMED_OUT or was ABORTED goes on where it stopped.

"When you redrive an execution, it continues the failed execution from the unsuccessful step and
uses the same input. Step Functions preserves the results and execution history of the
successful steps, and doesn't rerun these steps" (API reference, RedriveExecution). A state is
unsuccessful when its …StateEntered has no …StateExited: in the snapshot the execution ended
with, exactly the frames that are left. A frame that ended in a state of its own (a Task, a
Wait, a Fail, ...) enters that state again, with the input it had. A frame in a Parallel or a Map
state keeps the results of the branches and iterations that succeeded and runs again only "the
iterations and branches that failed or aborted" (fanout.py keeps their frames): the state is not
entered again. The execution's TimeoutSeconds starts over ("the state machine level timeout, if
defined, is reset to 0").

The history goes on after the execution's last event: ExecutionRedriven{redriveCount}, then the
events of the states run again, each chained (previousEventId) to its own frame's latest event, as
every event is; a Distributed Map's Map Run writes MapRunRedriven. Which events
AWS writes for a Parallel or Map state that resumes is not recorded anywhere we know of: here it
writes none until the state ends, and a Map iteration that resumes writes MapIterationStarted
again. A Distributed Map whose iterations are child executions starts new child executions for
the items whose child failed or was aborted; AWS redrives those child executions themselves (same
ARNs, RedriveExecution for Standard children).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from stepwell.asl import model as m
from stepwell.engine import batching, fanout, map_runs, result_writer
from stepwell.engine.commands import DEADLINE, StartTimer
from stepwell.engine.events import ExecutionRedriven
from stepwell.engine.snapshot import RUNNING, Frame, MapWork, ParallelWork

if TYPE_CHECKING:
    from stepwell.engine.advance import Interpreter

REDRIVABLE_ENDS = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})


def redrive(it: Interpreter, event: ExecutionRedriven, timeout_timer: str) -> None:
    snap = it.snap
    if snap.status not in REDRIVABLE_ENDS:
        return
    snap.status = RUNNING
    snap.output = snap.error = snap.cause = None
    snap.runnable = []
    snap.execution = dataclasses.replace(
        snap.execution, redrive_count=event.redrive_count, redrive_time=event.now
    )
    it.history.add(
        "ExecutionRedriven", None, {"redriveCount": event.redrive_count}, previous=snap.next_event_id - 1
    )
    fanning_out: list[Frame] = []
    for frame in list(snap.frames.values()):  # parents before their children (creation order)
        frame.closed = False
        if isinstance(frame.work, (ParallelWork, MapWork)):
            _reopen_fanout(it, frame, event.redrive_count)
            fanning_out.append(frame)
        else:
            _reopen(it, frame)
    for frame in reversed(fanning_out):  # children first: a finished child state lets its parent go on
        if not frame.closed and frame.waiting == "children":
            fanout.resume(it, frame, it.states[frame.state or ""])
    timeout = it.machine.timeout_seconds
    if timeout:
        snap.open_timers[timeout_timer] = ""
        it.commands.append(StartTimer(timeout_timer, it.now + timeout, DEADLINE))


def _reopen(it: Interpreter, frame: Frame) -> None:
    """The frame enters its state again (a Map iteration that had begun says so first)."""
    frame.waiting = None
    frame.work = None
    frame.entered = False
    frame.input_json = None
    if frame.map_item is not None and not frame.announce and frame.parent is not None:
        parent = it.snap.frames[frame.parent]
        details = {"name": it.states[parent.state or ""].name, "index": frame.index}
        # As when it first started (fanout.announce): after its Map state's latest event.
        it.history.add("MapIterationStarted", frame, details, previous=parent.last_event_id)
    it.runnable.append(frame)


def _reopen_fanout(it: Interpreter, frame: Frame, redrive_count: int) -> None:
    """A Parallel or Map state waits again for its children that did not succeed (the frames
    still in the snapshot); those that succeeded keep their results."""
    work = frame.work
    assert isinstance(work, (ParallelWork, MapWork))
    frames = it.snap.frames
    unsuccessful = len([child_id for child_id in work.children if child_id in frames])
    frame.waiting = "children"
    if isinstance(work, ParallelWork):
        work.remaining = unsuccessful
        return
    assert isinstance(work, MapWork)
    state = it.states[frame.state or ""]
    assert isinstance(state, m.MapState)
    if map_runs.runs_children(it, state):
        # Its failed and aborted child executions run again, as new ones (AWS redrives the same
        # child executions: see the module's docstring).
        work.relaunch = sorted(set(work.unsuccessful), reverse=True)  # taken from the end
        work.unsuccessful = []
        work.running = 0
        work.finished = work.next - len(work.relaunch)
        for index in work.relaunch:
            batching.mark(work, index, "pending")
    else:
        work.running = unsuccessful
        work.finished = len(work.children) - unsuccessful
        for child_id in work.children:
            if child_id in frames:
                batching.mark(work, frames[child_id].index, "running")
    work.failed = work.timed_out = work.aborted = 0
    result_writer.reopened(work)
    if state.distributed and work.map_run_arn is not None:
        work.run_status = "RUNNING"
        it.touch_map_run(work, state.label or state.name)
        details = {"mapRunArn": work.map_run_arn, "redriveCount": redrive_count}
        it.history.add("MapRunRedriven", frame, details)
