"""A Distributed Map's Map Run: its ARN, its STANDARD iterations as child executions of their own
(StartChildExecution; their ends come back as TaskSucceeded / TaskFailed), UpdateMapRun, and
stopping it. fanout.py runs the Map state around it; the runtime keeps the Map Run's record from
the reports of each step (Interpreter.touch_map_run, MapRunChanged)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stepwell.asl import model as m
from stepwell.engine import batching, fanout, map_items, result_writer
from stepwell.engine.commands import CancelTask, StartChildExecution
from stepwell.engine.events import MapRunUpdated, TaskFailed, TaskSucceeded
from stepwell.engine.item_reader import streamed
from stepwell.engine.snapshot import Frame, MapWork
from stepwell.errors import TIMEOUT, EvaluationError

if TYPE_CHECKING:
    from stepwell.engine.advance import Interpreter


def map_run_arn(it: Interpreter, state: m.MapState) -> str:
    label = state.label or state.name
    arn = it.snap.execution.state_machine_arn.replace(":stateMachine:", ":mapRun:")
    return f"{arn}/{label}:{it.entropy.uuid4()}"


def runs_children(it: Interpreter, state: m.MapState) -> bool:
    """Whether the Map's iterations run as child executions of their own (StartChildExecution)."""
    return state.distributed and state.execution_type == "STANDARD" and it.snap.execution.child_executions


def launch_executions(it: Interpreter, frame: Frame, state: m.MapState, work: MapWork) -> None:
    """Start child executions, as many as MaxConcurrency allows: the items a redrive runs again
    first, then those not started yet. An ItemSelector that fails aborts the children running."""
    items = work.items
    limit = work.limit or len(items)
    label = state.label or state.name
    assert state.child_definition is not None
    while work.running < limit and (work.relaunch or work.next < len(items)):
        if work.relaunch:
            index = work.relaunch.pop()
        else:
            index = work.next
            work.next = index + 1
        try:
            value = item_input(it, frame, state, work, index)
        except EvaluationError:
            work.unsuccessful.append(index)
            work.run_status = "FAILED"
            fanout.abort_children(it, frame)
            raise
        task_id, name = it.snap.next_id("c"), it.entropy.uuid4()
        work.child_tasks[task_id] = index
        work.child_names[task_id] = name
        result_writer.launched(it, state, work, index, name)
        result_writer.input_made(state, work, index, value)
        work.running += 1
        it.snap.open_tasks[task_id] = frame.id
        it.commands.append(
            StartChildExecution(task_id, name, label, value, state.child_definition, work.map_run_arn or "")
        )
        batching.mark(work, index, "running")
    it.touch_map_run(work, label)


def item_input(it: Interpreter, frame: Frame, state: m.MapState, work: MapWork, index: int) -> Any:
    """An iteration's input: the item, or what the ItemSelector makes of it."""
    if state.item_selector is None or work.batch_sizes:  # a batch is made already
        return work.items[index]
    scope = it.scope(frame, work.selector_input, map_item=(index, work.items[index]))
    return state.item_selector.evaluate(scope)


def child_execution_ended(it: Interpreter, frame: Frame, event: TaskSucceeded | TaskFailed) -> None:
    """A child execution of the Map Run ended (its output, or its error and cause)."""
    work = frame.work
    assert isinstance(work, MapWork)
    index = work.child_tasks.pop(event.task_id, None)
    work.child_names.pop(event.task_id, None)
    it.snap.open_tasks.pop(event.task_id, None)
    if index is None:
        return  # aborted meanwhile
    state = it.states[frame.state or ""]
    assert isinstance(state, m.MapState)
    work.running -= 1
    work.finished += 1
    it.touch_map_run(work, state.label or state.name)
    error = None if isinstance(event, TaskSucceeded) else event.error or ""
    result_writer.ended(it, work, index, error, times=event.child)
    if isinstance(event, TaskSucceeded):
        batching.mark(work, index, "succeeded")
        map_items.keep_result(state, work, index, event.output)
        streamed.forget_item(work, index)
        it.guarded(frame, state, lambda: fanout.after_iteration(it, frame, state, work))
    else:
        work.failed += 1
        if event.error == TIMEOUT:
            work.timed_out += 1
        batching.mark(work, index, "timedOut" if event.error == TIMEOUT else "failed")
        work.unsuccessful.append(index)
        map_items.keep_result(state, work, index, {"Error": event.error, "Cause": event.cause})
        if fanout.tolerated(work):
            it.guarded(frame, state, lambda: fanout.after_iteration(it, frame, state, work))
        else:
            fanout.map_run_failed(it, frame, state, work, event.error or "", event.cause)
    if not frame.closed and frame.waiting is None:
        it.runnable.append(frame)


def update_map_run(it: Interpreter, event: MapRunUpdated) -> None:
    """UpdateMapRun: new MaxConcurrency or tolerated failures for the running Map Run; a higher
    MaxConcurrency starts more iterations at once."""
    for frame in it.snap.frames.values():
        work = frame.work
        if isinstance(work, MapWork) and work.map_run_arn == event.map_run_arn:
            break
    else:
        return
    if work.run_status != "RUNNING":
        return
    if event.max_concurrency is not None:
        work.limit = event.max_concurrency
    if event.tolerated_failure_count is not None:
        work.tolerated_count = event.tolerated_failure_count
    if event.tolerated_failure_percentage is not None:
        work.tolerated_pct = event.tolerated_failure_percentage
    state = it.states[frame.state or ""]
    assert isinstance(state, m.MapState)
    it.touch_map_run(work, state.label or state.name)
    it.guarded(frame, state, lambda: fanout.launch(it, frame, state))
    if not frame.closed and frame.waiting is None:
        it.runnable.append(frame)


def stop_map_run(
    it: Interpreter, frame: Frame, work: MapWork, aborted_frames: list[int] | None = None
) -> None:
    """The Map Run's running child executions stop (their items count as aborted); a Map Run still
    RUNNING ends ABORTED (the parent was stopped, or an enclosing state failed)."""
    state = it.states.get(frame.state or "")
    label = (state.label or state.name) if isinstance(state, m.MapState) else ""
    machine = it.snap.execution.state_machine_name
    for task_id, index in work.child_tasks.items():
        it.commands.append(CancelTask(task_id, child=f"{machine}/{label}:{work.child_names.get(task_id)}"))
        it.snap.open_tasks.pop(task_id, None)
        work.unsuccessful.append(index)
        batching.mark(work, index, "aborted")
        result_writer.ended(it, work, index, aborted=True)
    for index in aborted_frames or ():
        batching.mark(work, index, "aborted")
    stopped = len(work.child_tasks) + len(aborted_frames or ())
    work.child_tasks, work.child_names = {}, {}
    work.aborted += stopped
    work.running = max(0, work.running - stopped)
    if work.run_status == "RUNNING":
        work.run_status = "ABORTED"
    it.touch_map_run(work, label)
