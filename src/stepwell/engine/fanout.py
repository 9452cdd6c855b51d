"""Parallel and Map states: child frames, their results, and their failures.

Event order follows AWS's recordings (reference §6.3): a Map iteration announces itself
(MapIterationStarted) when it first runs, so iterations that need no outside help run one after
another; the next iteration's MapIterationStarted points to the previous iteration's last inner
event; MapStateSucceeded points to the last MapIterationSucceeded and MapStateExited to the same
event. A failure that a retrier retries writes no …StateFailed event; one that is caught or fails
the state does.

A child frame that succeeds leaves the snapshot at once (its result is the parent's). One that
fails or is aborted stays in it, closed, for as long as its parent's state runs: if the execution
ends there, RedriveExecution reopens exactly those frames (engine/redrive.py); when the parent's
state is left (``release``), they go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stepwell.asl import model as m
from stepwell.engine import batching, item_reader, map_items, map_runs, result_writer
from stepwell.engine.commands import CancelTask
from stepwell.engine.dataflow import select
from stepwell.engine.history import to_json
from stepwell.engine.item_reader import streamed
from stepwell.engine.snapshot import Frame, MapWork, ParallelWork, TimerWork
from stepwell.engine.tasks import abort_task, finish_with_result
from stepwell.errors import (
    EXCEED_TOLERATED_FAILURE_THRESHOLD,
    RUNTIME,
    TIMEOUT,
    EvaluationError,
    WorkflowError,
)

if TYPE_CHECKING:
    from stepwell.engine.advance import Interpreter

ABORTABLE = {"Task", "Wait", "Parallel", "Map"}


# ---- Parallel ------------------------------------------------------------------------------
def run_parallel(it: Interpreter, frame: Frame, state: m.State) -> None:
    assert isinstance(state, m.ParallelState)
    scope = it.scope(frame, frame.input)
    if state.is_jsonata:
        branch_input = state.arguments.evaluate(scope) if state.arguments is not None else frame.input
    else:
        effective = select(state.input_path, scope)
        branch_input = (
            state.parameters.evaluate(scope.with_input(effective))
            if state.parameters is not None
            else effective
        )
    it.history.add("ParallelStateStarted", frame)
    children = []
    for index, branch in enumerate(state.branches):
        child = _new_frame(it, frame, f"{state.name}#{index}", index, branch.start_at, branch_input)
        children.append(child.id)
        it.runnable.append(child)
    frame.waiting = "children"
    frame.work = ParallelWork(children, [None] * len(children), len(children))


# ---- Map -----------------------------------------------------------------------------------
def run_map(it: Interpreter, frame: Frame, state: m.State) -> None:
    assert isinstance(state, m.MapState)
    if state.unsupported:
        raise WorkflowError(
            RUNTIME,
            f"The Map state '{state.name}' uses {', '.join(state.unsupported)}, which stepwell does not run "
            "yet (Distributed Map item readers, batching and result writers).",
        )
    scope = it.scope(frame, frame.input)
    selector_input = frame.input if state.is_jsonata else select(state.input_path, scope)
    if state.item_reader is not None:
        item_reader.start_reading(it, frame, state, state.item_reader, scope, selector_input)
        return
    if state.is_jsonata:
        items = map_items.jsonata_items(state, scope)
    else:
        items = select(state.items_path, scope.with_input(selector_input))
        if not isinstance(items, list):
            raise EvaluationError(RUNTIME, f"Map state input must be an array but was: {to_json(items)}")
    run_items(it, frame, state, scope, items, selector_input)


def run_items(
    it: Interpreter,
    frame: Frame,
    state: m.MapState,
    scope: Any,
    items: list[Any],
    selector_input: Any,
    sources: list[Any] | None = None,
    stream: dict[str, Any] | None = None,
) -> None:
    """The Map state runs its items (from its input, or its ItemReader's, with where they came
    from: ``sources`` as MapWork's; ``stream``: more will come, item_reader/streamed.py)."""
    limit = map_items.whole_number(state.max_concurrency, scope, "MaxConcurrency")
    if not state.distributed:
        tolerated_count = map_items.whole_number(
            state.tolerated_failure_count, scope, "ToleratedFailureCount"
        )
        tolerated_pct = map_items.percentage(state.tolerated_failure_percentage, scope)
    it.history.add("MapStateStarted", frame, {"length": len(items)})
    if state.distributed:  # the Map Run reads its tolerated failures when it starts
        tolerated_count = map_items.whole_number(
            state.tolerated_failure_count, scope, "ToleratedFailureCount"
        )
        tolerated_pct = map_items.percentage(state.tolerated_failure_percentage, scope)
        run_arn = map_runs.map_run_arn(it, state)
        it.history.add("MapRunStarted", frame, {"mapRunArn": run_arn})
    else:
        run_arn = None
    sizes: list[int] = []
    if state.item_batcher is not None:
        items, sizes = map_items.batched(
            it, frame, state, state.item_batcher, scope, items, selector_input, 0, stream
        )
    frame.work = MapWork(
        items=items,
        # only an ItemSelector reads it: the snapshot need not keep it otherwise (batches are made,
        # unless more items are still to be read)
        selector_input=(
            selector_input if state.item_selector is not None and (not sizes or stream) else None
        ),
        results=[None] * len(items),
        limit=limit or 0,  # 0: no limit (MaxConcurrency 0 or absent)
        tolerated_count=tolerated_count,
        tolerated_pct=tolerated_pct,
        map_run_arn=run_arn,
        batch_sizes=sizes,
        batch_status=["pending"] * len(sizes),
        item_counts={"pending": sum(sizes)} if sizes else {},
        sources=(sources or []) if not sizes else [],  # a batch has no one Source
        stream=stream or {},
    )
    result_writer.start_run(
        it, state, frame.work, scope if state.is_jsonata else scope.with_input(selector_input)
    )
    if run_arn is not None:
        it.touch_map_run(frame.work, state.label or state.name)
    if not items and not streamed.more_to_read(frame.work):
        _map_done(it, frame, state)
        return
    frame.waiting = "children"
    launch(it, frame, state)


def launch(it: Interpreter, frame: Frame, state: m.MapState) -> None:
    work = frame.work
    assert isinstance(work, MapWork) and state.processor is not None
    if map_runs.runs_children(it, state):
        map_runs.launch_executions(it, frame, state, work)
        streamed.read_ahead(it, frame, state, work)
        return
    items = work.items
    limit = work.limit or len(items)
    while work.running < limit and work.next < len(items):
        index = work.next
        work.next = index + 1
        work.running += 1
        child = _new_frame(it, frame, f"{state.name}#0", index, state.processor.start_at, None)
        child.map_item = (index, items[index])
        child.announce = True
        work.children.append(child.id)
        batching.mark(work, index, "running")
        result_writer.launched(it, state, work, index)
        it.runnable.append(child)
    streamed.read_ahead(it, frame, state, work)


def announce(it: Interpreter, child: Frame) -> None:
    """A Map iteration runs for the first time: compute its input, write MapIterationStarted."""
    child.announce = False
    parent = it.snap.frames[child.parent or ""]
    state = it.states[parent.state or ""]
    assert isinstance(state, m.MapState) and child.map_item is not None
    child.last_event_id = parent.last_event_id
    it.history.add("MapIterationStarted", child, {"name": state.name, "index": child.index})
    work = parent.work
    assert isinstance(work, MapWork)
    if state.item_selector is None or work.batch_sizes:  # a batch is made already
        child.input = child.map_item[1]
        return
    scope = it.scope(parent, work.selector_input, map_item=child.map_item)
    try:
        child.input = state.item_selector.evaluate(scope)
    except EvaluationError:
        child.input = None
        raise
    result_writer.input_made(state, work, child.index, child.input)


# ---- children ending -----------------------------------------------------------------------
def child_succeeded(it: Interpreter, child: Frame, output: Any) -> None:
    parent = it.snap.frames[child.parent or ""]
    state = it.states[parent.state or ""]
    it.forget(child)
    work = parent.work
    if isinstance(work, ParallelWork):
        work.results[child.index] = output
        parent.last_event_id = child.last_event_id
        work.remaining -= 1
        if work.remaining == 0:
            it.history.add("ParallelStateSucceeded", parent)
            _complete(it, parent, state, work.results)
        return
    assert isinstance(work, MapWork) and isinstance(state, m.MapState)
    map_items.keep_result(state, work, child.index, output)
    streamed.forget_item(work, child.index)
    batching.mark(work, child.index, "succeeded")
    result_writer.ended(it, work, child.index)
    if work.map_run_arn is not None:
        it.touch_map_run(work, state.label or state.name)
    inner_last = child.last_event_id
    work.last_iteration_event = it.history.add(
        "MapIterationSucceeded", child, {"name": state.name, "index": child.index}
    )
    parent.last_event_id = inner_last
    work.running -= 1
    work.finished += 1
    after_iteration(it, parent, state, work)


def child_failed(it: Interpreter, child: Frame, error: str, cause: str | None) -> None:
    """The child frame failed: it stays in the snapshot, closed (a redrive reopens it)."""
    parent = it.snap.frames[child.parent or ""]
    state = it.states[parent.state or ""]
    work = parent.work
    if isinstance(work, ParallelWork):
        parent.last_event_id = child.last_event_id
        abort_children(it, parent)
        _fail(it, parent, state, error, cause)
        return
    assert isinstance(work, MapWork) and isinstance(state, m.MapState)
    inner_last = child.last_event_id
    it.history.add("MapIterationFailed", child, {"name": state.name, "index": child.index})
    parent.last_event_id = inner_last
    work.running -= 1
    work.finished += 1
    work.failed += 1
    if work.map_run_arn is not None:
        it.touch_map_run(work, state.label or state.name)
        if error == TIMEOUT:
            work.timed_out += 1
    map_items.keep_result(state, work, child.index, {"Error": error, "Cause": cause})
    batching.mark(work, child.index, "timedOut" if error == TIMEOUT else "failed")
    result_writer.ended(it, work, child.index, error)
    if tolerated(work):
        after_iteration(it, parent, state, work)
        return
    map_run_failed(it, parent, state, work, error, cause)


def map_run_failed(
    it: Interpreter, frame: Frame, state: m.MapState, work: MapWork, error: str, cause: str | None
) -> None:
    """An iteration failed beyond the tolerated failures: the others stop, the Map state fails."""
    if work.map_run_arn is not None:
        work.run_status = "FAILED"
    abort_children(it, frame)
    # A Map Run's tolerated failures default to 0 (reference integrations §3.9): any child
    # execution's failure exceeds them; an inline Map without them fails with the item's error.
    if state.distributed or work.tolerated_count is not None or work.tolerated_pct is not None:
        error, cause = (
            EXCEED_TOLERATED_FAILURE_THRESHOLD,
            "The specified tolerated failure threshold was exceeded",
        )
    if result_writer.exports(work) and not work.after_writing:
        # the files list the failed, aborted and pending children too (reference §3.6)
        result_writer.write(it, frame, state, work, [error, cause])
        return
    map_run_ended_failed(it, frame, state, error, cause)


def map_run_ended_failed(
    it: Interpreter, frame: Frame, state: m.MapState, error: str, cause: str | None
) -> None:
    if state.distributed:  # "… MapRunStarted → MapRunFailed → MapStateFailed → Catch or ExecutionFailed"
        it.history.add("MapRunFailed", frame, {"error": error, "cause": cause})
    _fail(it, frame, state, error, cause)


def results_written(it: Interpreter, frame: Frame, state: m.MapState, work: MapWork) -> None:
    """The ResultWriter's writes are over: the Map Run ends as it was to (or fails with
    States.ResultWriterFailed: "MapRunFailed → MapStateFailed", unconfirmed for this error)."""
    frame.waiting = None
    it.touch_map_run(work, state.label or state.name)
    if work.after_writing == ["SUCCEEDED"]:
        _map_done(it, frame, state)
        return
    error, cause = work.after_writing
    work.run_status = "FAILED"
    map_run_ended_failed(it, frame, state, error, cause)


def tolerated(work: MapWork) -> bool:
    """ "If you specify both values, the workflow fails when it exceeds either value." With
    neither, no failure is tolerated. With batches, the items count: "failure ratio = (failed +
    timed-out items) / total items" (reference integrations §3.9)."""
    failed, total = work.failed, len(work.items)
    if work.batch_sizes:
        counts = work.item_counts
        failed, total = counts.get("failed", 0) + counts.get("timedOut", 0), sum(work.batch_sizes)
    count, pct = work.tolerated_count, work.tolerated_pct
    if count is None and pct is None:
        return False
    within_count = count is None or failed <= count
    within_pct = pct is None or (total > 0 and failed * 100.0 / total <= pct)
    return within_count and within_pct


def after_iteration(it: Interpreter, frame: Frame, state: m.MapState, work: MapWork) -> None:
    if work.finished == len(work.items) and not streamed.more_to_read(work):
        _map_done(it, frame, state)
    else:
        launch(it, frame, state)


def _map_done(it: Interpreter, frame: Frame, state: m.MapState) -> None:
    work = frame.work
    assert isinstance(work, MapWork)
    if result_writer.exports(work) and not work.after_writing:
        # "Processing order: ... → (child executions) → ResultWriter": written before MapRunSucceeded
        result_writer.write(it, frame, state, work, ["SUCCEEDED"])
        return
    results = result_writer.output(it, state, work) if result_writer.keeps_runs(state) else work.results
    if state.distributed:
        work.run_status = "SUCCEEDED"
        it.touch_map_run(work, state.label or state.name)
        # Recorded: MapRunStarted(6) · MapRunSucceeded(7←6) · MapStateSucceeded(8←7) · MapStateExited(9←6)
        run_started = frame.last_event_id
        previous = it.history.add("MapRunSucceeded", frame)
        exit_previous = run_started
    else:
        # Recorded: MapIterationSucceeded(37) · MapStateSucceeded(38←37) · MapStateExited(39←37)
        previous = work.last_iteration_event or frame.last_event_id
        exit_previous = previous
    it.history.add("MapStateSucceeded", frame, previous=previous)
    _complete(it, frame, state, results, exit_previous)


def _complete(
    it: Interpreter, frame: Frame, state: m.State, results: list[Any], exit_previous: int | None = None
) -> None:
    frame.waiting = None
    it.guarded(frame, state, lambda: finish_with_result(it, frame, state, results, exit_previous))
    if not frame.closed and frame.waiting is None:
        it.runnable.append(frame)


def _fail(it: Interpreter, frame: Frame, state: m.State, error: str, cause: str | None) -> None:
    frame.waiting = None
    it.state_failed(frame, state, error, cause, from_children=True)
    if not frame.closed and frame.waiting is None:
        it.runnable.append(frame)


def resume(it: Interpreter, frame: Frame, state: m.State) -> None:
    """A redrive reopened the frame's failed and aborted children (engine/redrive.py): the
    state ends if none is left to run (its result selection failed, say), and a Map starts the
    iterations it had not started yet, as its MaxConcurrency allows."""
    work = frame.work
    if isinstance(work, ParallelWork):
        if work.remaining == 0:
            it.history.add("ParallelStateSucceeded", frame)
            _complete(it, frame, state, work.results)
        return
    assert isinstance(work, MapWork) and isinstance(state, m.MapState)
    streamed.cancel_read(it, work)  # a range that was out when the execution ended: asked again
    if work.finished == len(work.items) and not streamed.more_to_read(work):
        _map_done(it, frame, state)
    else:
        launch(it, frame, state)


# ---- aborting ------------------------------------------------------------------------------
def abort_children(it: Interpreter, frame: Frame) -> None:
    """Abort the child frames of a Parallel's or a Map's frame that are still running, and a Map
    Run's child executions (CancelTask stops them)."""
    work = frame.work
    if not isinstance(work, (ParallelWork, MapWork)):
        return
    frames = it.snap.frames
    aborted: list[int] = []  # the Map iterations aborted, by index
    for child_id in work.children:
        child = frames.get(child_id)
        if child is not None:
            if not child.closed:
                aborted.append(child.index)
                if isinstance(work, MapWork):
                    result_writer.ended(it, work, child.index, aborted=True)
            abort_frame(it, child)
    if isinstance(work, MapWork) and work.writes:
        result_writer.cancel_writes(it, work)
    if isinstance(work, MapWork):
        reading = streamed.cancel_read(it, work)
        if reading is not None:
            it.commands.append(CancelTask(reading))
    if isinstance(work, MapWork) and work.map_run_arn is not None:
        map_runs.stop_map_run(it, frame, work, aborted)


def abort_frame(it: Interpreter, frame: Frame) -> None:
    """Stop a running frame and everything under it, writing …StateAborted events. The frames
    stay in the snapshot, closed (a redrive reopens them)."""
    if frame.closed:
        return
    if frame.waiting == "children":
        abort_children(it, frame)
    state = it.states.get(frame.state or "")
    if frame.entered and state is not None and state.type in ABORTABLE and not frame.announce:
        it.history.add(state.type + "StateAborted", frame)
    abort_task(it, frame)
    _drop_timer(it, frame)
    frame.closed = True
    parent = it.snap.frames.get(frame.parent or "")
    if parent is not None and frame.map_item is not None and not frame.announce:
        parent_state = it.states[parent.state or ""]
        it.history.add("MapIterationAborted", frame, {"name": parent_state.name, "index": frame.index})


def release(it: Interpreter, frame: Frame) -> None:
    """The frame leaves its Parallel or Map state (it goes on, or retries it): the failed and
    aborted child frames kept for a redrive go, with everything under them."""
    work = frame.work
    if not isinstance(work, (ParallelWork, MapWork)):
        return
    frames = it.snap.frames
    for child_id in work.children:
        child = frames.get(child_id)
        if child is not None:
            release(it, child)
            it.forget(child)


def _new_frame(it: Interpreter, parent: Frame, program: str, index: int, start_at: str, value: Any) -> Frame:
    frame_id = it.snap.next_id("f")
    distributed = _is_distributed(it, parent)
    child = Frame(
        id=frame_id,
        program=program,
        parent=parent.id,
        index=index,
        state=start_at,
        input=value,
        last_event_id=parent.last_event_id,
        record=parent.record and not distributed,
        # A Distributed Map's iteration is a child execution of its own; frames under it belong to it.
        child_execution=frame_id if distributed else parent.child_execution,
        child_events=1 if distributed else 0,  # its ExecutionStarted
    )
    it.snap.frames[child.id] = child
    return child


def fail_child_execution(it: Interpreter, frame_id: str, error: str, cause: str) -> None:
    """A Distributed Map's child execution failed as a whole (it reached its history limit): its
    frames stop where they are and the Map Run counts one failed iteration."""
    child = it.snap.frames.get(frame_id)
    if child is None or child.closed:
        return
    # Out of the snapshot first: the events its frames write while they stop are not counted.
    it.forget(child)
    if child.waiting == "children":
        abort_children(it, child)
    abort_task(it, child)
    _drop_timer(it, child)
    child.closed = True
    # Back in, as any failed child (a redrive runs it again): its next attempt's history starts
    # with its ExecutionStarted.
    child.child_events = 1
    it.snap.frames[child.id] = child
    child_failed(it, child, error, cause)


def _drop_timer(it: Interpreter, frame: Frame) -> None:
    """A Wait's timer or a retry's back-off that will not be waited for."""
    work = frame.work
    if isinstance(work, TimerWork):
        it.snap.open_timers.pop(work.timer_id, None)


def _is_distributed(it: Interpreter, frame: Frame) -> bool:
    state = it.states.get(frame.state or "")
    return isinstance(state, m.MapState) and state.distributed
