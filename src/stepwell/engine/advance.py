"""The core call: ``advance(machine, snapshot, event) -> Step``.

One call applies one outside event to an execution and then runs every frame that can run until
each one waits (on a task, a timer or its children) or the execution ends. Runs of Pass, Choice
and Map-of-Pass states therefore complete inside a single call.

Every state goes through the same lifecycle, driven here: *enter* (the …StateEntered event), the
type's handler (``states.HANDLERS``), then either *exit* (…StateExited, Assign, transition) or a
failure that Retry, Catch or the enclosing frame deal with. The handlers raise ``WorkflowError``;
nothing escapes ``advance``.

``advance`` consumes the snapshot it is given (it updates it in place and returns it).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import partial
from typing import Any

from stepwell.asl.model import Catcher, MapState, State, StateMachine
from stepwell.asl.scope import Entropy, Scope
from stepwell.engine import fanout, item_reader, map_items, map_runs, result_writer, states, tasks
from stepwell.engine.commands import (
    DEADLINE,
    RESUME,
    RETRY,
    WAIT,
    CancelTask,
    Command,
    Finish,
    MapRunChanged,
    StartTimer,
)
from stepwell.engine.context import MAP_ITEM_SOURCE_STATE_DATA, context_object, item_source
from stepwell.engine.dataflow import evaluate_assign, jsonata_output, place
from stepwell.engine.events import (
    Event,
    ExecutionRedriven,
    ExecutionStarted,
    MapRunUpdated,
    StopRequested,
    TaskFailed,
    TaskHeartbeat,
    TaskStarted,
    TaskSubmitted,
    TaskSucceeded,
    TimerFired,
)
from stepwell.engine.history import (
    NOT_TRUNCATED,
    ChildHistoryFull,
    HistoryFull,
    HistoryWriter,
    exceeds_payload_limit,
    to_json,
)
from stepwell.engine.item_reader import streamed
from stepwell.engine.redrive import redrive
from stepwell.engine.retry_catch import find_catcher, find_retrier, retry_delay
from stepwell.engine.snapshot import RUNNING, Frame, MapWork, ReaderWork, Snapshot, TaskWork, TimerWork
from stepwell.errors import (
    DATA_LIMIT_EXCEEDED,
    QUERY_EVALUATION_ERROR,
    RUNTIME,
    TIMEOUT,
    UNCATCHABLE,
    EvaluationError,
    WorkflowError,
)

EXECUTION_TIMEOUT_TIMER = "execution-timeout"
# Set when a step used up its budget: the execution goes on when this timer fires (at once), so
# the runtime gets to do other work in between. A timer, so that it is as durable as the others.
RESUME_TIMER = "resume"
HISTORY_LIMIT_CAUSE = "The execution reached the maximum number of history events (25000)."
# States one advance call runs before it yields. A Pass costs ~15 us and a JSONata Choice ~50 us,
# so a step holds the runtime for a few milliseconds at most; a 20-state chain (the common shape)
# never yields, and an inline Map of 10,000 items yields ~80 times rather than holding the writer
# for 0.5 s. An endless loop of states therefore runs, but never alone.
STEP_BUDGET = 250
# "Express Workflows can run for up to five minutes" (Step Functions quotas): an Express
# execution's TimeoutSeconds is at most this, and so is its duration without one.
EXPRESS_MAX_SECONDS = 300


@dataclass(frozen=True, slots=True)
class Step:
    snapshot: Snapshot
    events: list[dict[str, Any]]
    commands: list[Command]


def advance(machine: StateMachine, snapshot: Snapshot | None, event: Event) -> Step:
    if snapshot is None:
        if not isinstance(event, ExecutionStarted):
            raise ValueError("the first event of an execution must be ExecutionStarted")
        snapshot = Snapshot(execution=event.execution, history_limit=event.history_limit)
    interpreter = Interpreter(machine, snapshot, event)
    try:
        interpreter.contained(partial(interpreter.apply, event))
        interpreter.contained(interpreter.run)
    except HistoryFull:
        interpreter.end_execution("FAILED", error=RUNTIME, cause=HISTORY_LIMIT_CAUSE)
    interpreter.report_map_runs()
    return Step(snapshot, interpreter.history.events, interpreter.commands)


class Interpreter:
    """The working memory of one ``advance`` call."""

    def __init__(self, machine: StateMachine, snapshot: Snapshot, event: Event):
        self.machine = machine
        self.snap = snapshot
        self.now = event.now
        self.entropy = Entropy(event.seed)
        self.history = HistoryWriter(snapshot, event.now)
        self.commands: list[Command] = []
        self.runnable: deque[Frame] = deque()
        self.steps_left = STEP_BUDGET
        self.states = machine.states
        self._views: dict[str, Any] = {}  # frame id -> the variables it can read (live ChainMaps)
        self._map_runs: dict[str, tuple[MapWork, str]] = {}  # Map Runs this step changed, and labels

    # ---- events from outside ------------------------------------------------------------
    def apply(self, event: Event) -> None:
        if isinstance(event, ExecutionRedriven):
            redrive(self, event, EXECUTION_TIMEOUT_TIMER)
            return
        if self.snap.status != RUNNING:
            return
        if isinstance(event, ExecutionStarted):
            self.start(event)
        elif isinstance(event, TimerFired):
            self.timer_fired(event.timer_id)
        elif isinstance(event, StopRequested):
            self.stop(event.error, event.cause)
        elif isinstance(event, (TaskStarted, TaskSubmitted, TaskSucceeded, TaskFailed, TaskHeartbeat)):
            frame_id = self.snap.open_tasks.get(event.task_id)
            if frame_id is not None:
                frame = self.snap.frames[frame_id]
                work = frame.work
                if not isinstance(work, (MapWork, ReaderWork)):
                    tasks.on_task_event(self, frame, event)
                elif not isinstance(event, (TaskSucceeded, TaskFailed)):
                    pass
                elif isinstance(work, MapWork) and result_writer.is_write(work, event.task_id):
                    self.results_written(frame, work, event)
                elif isinstance(work, MapWork) and streamed.is_range(work, event.task_id):
                    map_items.range_read(self, frame, event)
                elif isinstance(work, MapWork):  # a Map Run's child execution
                    map_runs.child_execution_ended(self, frame, event)
                else:  # a Distributed Map's ItemReader
                    item_reader.items_read(self, frame, event)
        elif isinstance(event, MapRunUpdated):
            map_runs.update_map_run(self, event)

    def results_written(self, frame: Frame, work: MapWork, event: TaskSucceeded | TaskFailed) -> None:
        """A ResultWriter's write was answered (engine/result_writer.py)."""
        if result_writer.answered(self, frame, event):
            state = self.states[frame.state or ""]
            assert isinstance(state, MapState)
            self.guarded(frame, state, lambda: fanout.results_written(self, frame, state, work))

    def start(self, event: ExecutionStarted) -> None:
        snap = self.snap
        snap.input = event.input
        # AWS keeps the input text exactly as it was given (spacing included).
        text = event.input_text if event.input_text is not None else to_json(event.input)
        self.history.add(
            "ExecutionStarted",
            None,
            {"input": text, "inputDetails": NOT_TRUNCATED, "roleArn": event.execution.role_arn},
        )
        top = Frame(id="f0", program="", state=self.machine.program.start_at, input=event.input)
        top.input_json = text
        snap.frames[top.id] = top
        timeout = self.machine.timeout_seconds
        if event.execution.machine_type == "EXPRESS":
            timeout = min(timeout or EXPRESS_MAX_SECONDS, EXPRESS_MAX_SECONDS)
        if timeout:
            snap.open_timers[EXECUTION_TIMEOUT_TIMER] = ""
            self.commands.append(StartTimer(EXECUTION_TIMEOUT_TIMER, self.now + timeout, DEADLINE))
        self.runnable.append(top)

    def timer_fired(self, timer_id: str) -> None:
        frame_id = self.snap.open_timers.pop(timer_id, None)
        if frame_id is None:
            return  # a timer whose purpose has passed
        if timer_id == RESUME_TIMER:
            frames = self.snap.frames
            self.runnable.extend(frames[i] for i in self.snap.runnable if i in frames)
            self.snap.runnable = []
            return
        if timer_id == EXECUTION_TIMEOUT_TIMER:  # recorded: ExecutionTimedOut's previousEventId is 0
            self.end_execution(
                "TIMED_OUT", error=TIMEOUT, cause=None, event_type="ExecutionTimedOut", previous=0
            )
            return
        frame = self.snap.frames[frame_id]
        work = frame.work
        if isinstance(work, TaskWork) and timer_id.startswith(work.task_id + "/"):
            tasks.on_task_timeout(self, frame, heartbeat=timer_id.endswith("/heartbeat"))
            return
        if frame.waiting in ("timer", "retry") and isinstance(work, TimerWork) and work.timer_id == timer_id:
            state = self.states[frame.state or ""]
            was = frame.waiting
            frame.waiting = None
            frame.work = None
            if was == "timer":
                self.guarded(frame, state, lambda: states.wait_elapsed(self, frame, state))
            self.runnable.append(frame)

    def stop(self, error: str | None, cause: str | None) -> None:
        self.end_execution("ABORTED", error=error, cause=cause, event_type="ExecutionAborted", previous=0)

    # ---- the run loop -------------------------------------------------------------------
    def run(self) -> None:
        runnable = self.runnable
        while runnable and self.snap.status == RUNNING:
            frame = runnable.popleft()
            if frame.announce and not frame.closed:
                self.guarded_announce(frame)
            while not frame.closed and frame.waiting is None and self.snap.status == RUNNING:
                if self.steps_left <= 0:
                    runnable.appendleft(frame)
                    self.pause()
                    return
                self.steps_left -= 1
                self.step(frame, self.states[frame.state or ""])

    def pause(self) -> None:
        """The budget is spent: keep the runnable frames in the snapshot and ask to be resumed."""
        snap = self.snap
        waiting = set(snap.runnable)
        for frame in self.runnable:
            if not frame.closed and frame.id not in waiting:
                snap.runnable.append(frame.id)
                waiting.add(frame.id)
        self.runnable.clear()
        if RESUME_TIMER not in snap.open_timers:
            snap.open_timers[RESUME_TIMER] = ""
            self.commands.append(StartTimer(RESUME_TIMER, self.now, RESUME))

    def contained(self, action: Any) -> None:
        """Run ``action``; a Distributed Map child execution that fills its history fails alone,
        and the rest of the execution goes on."""
        while True:
            try:
                action()
                return
            except ChildHistoryFull as full:
                fanout.fail_child_execution(self, full.frame_id, RUNTIME, HISTORY_LIMIT_CAUSE)
                action = self.run

    def guarded_announce(self, frame: Frame) -> None:
        """A Map iteration starts; if its ItemSelector fails, the Map state fails, and the
        iterations already running stop (as when an iteration fails)."""
        try:
            fanout.announce(self, frame)
        except WorkflowError as failure:
            parent = self.snap.frames[frame.parent or ""]
            state = self.states[parent.state or ""]
            frame.closed = True
            frame.announce = True  # a redrive evaluates its ItemSelector again
            fanout.abort_children(self, parent)
            self.guarded(parent, state, partial(_reraise, failure))
            if not parent.closed and parent.waiting is None:  # caught: it goes on to the catcher's Next
                self.runnable.append(parent)

    def step(self, frame: Frame, state: State) -> None:
        """Enter the state (unless resuming it) and run its handler; a failure goes to
        ``state_failed`` (the body of ``guarded``, inlined: this is the hot path)."""
        try:
            if not frame.entered:
                self.enter(frame, state)
            states.HANDLERS[state.type](self, frame, state)
        except EvaluationError as failure:
            self._evaluation_failed(frame, state, failure)
        except WorkflowError as failure:
            self.state_failed(frame, state, failure.error, failure.cause)

    def guarded(self, frame: Frame, state: State, action: Any) -> None:
        """Run ``action``; a WorkflowError it raises becomes the state's failure."""
        try:
            action()
        except EvaluationError as failure:
            self._evaluation_failed(frame, state, failure)
        except WorkflowError as failure:
            self.state_failed(frame, state, failure.error, failure.cause)

    def _evaluation_failed(self, frame: Frame, state: State, failure: EvaluationError) -> None:
        prefix = (
            f"An error occurred while executing the state '{state.name}' "
            f"(entered at the event id #{frame.entered_event_id}). "
        )
        self.state_failed(frame, state, failure.error, prefix + failure.cause, location=failure.location)

    def enter(self, frame: Frame, state: State) -> None:
        text = frame.input_json
        if text is None:
            text = to_json(frame.input)
        else:
            frame.input_json = None  # read once: an entered frame's snapshot does not keep it
        frame.entered_time = self.now
        frame.entered = True
        frame.entered_previous = frame.last_event_id
        frame.retry_counts = {}
        frame.retry_total = 0
        frame.entered_event_id = self.history.add(
            state.type + "StateEntered",
            frame,
            {"name": state.name, "input": text, "inputDetails": NOT_TRUNCATED},
        )

    def touch_map_run(self, work: MapWork, label: str) -> None:
        """The Map Run changed: it is reported (MapRunChanged) once, at the end of this step."""
        if work.map_run_arn is not None:
            self._map_runs[work.map_run_arn] = (work, label)

    def report_map_runs(self) -> None:
        for arn, (work, label) in self._map_runs.items():
            total, failed = len(work.items), work.failed - work.timed_out
            self.commands.append(
                MapRunChanged(
                    map_run_arn=arn,
                    label=label,
                    status=work.run_status,
                    max_concurrency=work.limit,
                    tolerated_failure_count=work.tolerated_count or 0,
                    tolerated_failure_percentage=float(work.tolerated_pct or 0.0),
                    total=total,
                    pending=max(0, total - work.finished - work.running - work.aborted),
                    running=work.running,
                    succeeded=work.finished - work.failed,
                    failed=failed,
                    timed_out=work.timed_out,
                    aborted=work.aborted,
                    item_counts=dict(work.item_counts) if work.batch_sizes else None,
                    results_written=(work.written or [0, 0])[0] if work.writer_target else None,
                    items_written=(work.written or [0, 0])[1] if work.writer_target else None,
                )
            )
        self._map_runs.clear()

    def forget(self, frame: Frame) -> None:
        """A child frame is over: drop it from the snapshot and from this step's caches."""
        self.snap.frames.pop(frame.id, None)
        self._views.pop(frame.id, None)

    # ---- scopes -------------------------------------------------------------------------
    def scope(
        self,
        frame: Frame,
        value: Any,
        *,
        task_token: str | None = None,
        map_item: tuple[int, Any] | None = None,
        retry_count: bool = False,
    ) -> Scope:
        snap = self.snap
        view = self._views.get(frame.id)
        if view is None:
            view = self._views[frame.id] = snap.variables_view(frame)
        # A Map's items are read by its ItemReader (ReaderWork) or run (MapWork) in this frame.
        sources = getattr(frame.work, "sources", None) if map_item is not None else None
        source = (
            item_source(sources, map_item[0])
            if sources and map_item is not None
            else MAP_ITEM_SOURCE_STATE_DATA
        )
        return Scope(
            value,
            view,
            partial(
                context_object,
                snap,
                frame,
                task_token=task_token,
                map_item=map_item,
                map_item_source=source,
                retry_count=retry_count,
            ),
            self.entropy,
        )

    # ---- leaving a state ----------------------------------------------------------------
    def exit(
        self,
        frame: Frame,
        state: State,
        output: Any,
        assigned: dict[str, Any] | None = None,
        next_state: str | None = None,
        previous: int | None = None,
    ) -> None:
        text = to_json(output)
        if exceeds_payload_limit(text):
            raise WorkflowError(
                DATA_LIMIT_EXCEEDED,
                f"The state/task '{state.name}' returned a result with a size exceeding "
                "the maximum number of bytes service limit.",
            )
        if frame.work is not None:  # a Parallel's or Map's kept children go (fanout.release)
            fanout.release(self, frame)
        details: dict[str, Any] = {"name": state.name, "output": text, "outputDetails": NOT_TRUNCATED}
        if assigned:  # AWS writes nothing for an empty Assign
            details["assignedVariables"] = {k: to_json(v) for k, v in assigned.items()}
            details["assignedVariablesDetails"] = NOT_TRUNCATED
            frame.variables.update(assigned)
        self.history.add(state.type + "StateExited", frame, details, previous=previous)
        target = next_state if next_state is not None else state.next
        if target is None:  # End: the frame's program is done
            self.frame_succeeded(frame, output, text)
            return
        frame.state = target
        frame.input = output
        frame.input_json = text
        frame.entered = False
        frame.work = None

    # ---- failures -----------------------------------------------------------------------
    def state_failed(
        self,
        frame: Frame,
        state: State,
        error: str,
        cause: str | None,
        *,
        location: str | None = None,
        heartbeat: bool = False,
        from_children: bool = False,
        terminal: bool = True,
    ) -> None:
        """Retry, Catch, or fail the frame (reference §2.4).

        A Map or Parallel state that gives up writes …StateFailed when its children failed or a
        JSONata expression failed (AWS writes none for a JSONPath field's runtime error)."""
        if frame.closed or self.snap.status != RUNNING:
            return
        frame.waiting = None
        evaluation_failed = error == QUERY_EVALUATION_ERROR and state.is_jsonata
        if evaluation_failed:
            details = {"error": error, "cause": cause}
            if location is not None:
                details["location"] = location
            details["state"] = state.name
            self.history.add("EvaluationFailed", frame, details, previous=frame.entered_previous)
        if error not in UNCATCHABLE and state.retriers:
            index = find_retrier(state.retriers, error, heartbeat)
            if index is not None:
                retrier = state.retriers[index]
                done = frame.retry_counts.get(index, 0)
                if done < retrier.max_attempts:
                    fanout.release(self, frame)
                    frame.retry_counts[index] = done + 1
                    frame.retry_total += 1
                    delay = retry_delay(retrier, done, self.entropy)
                    self.wait_until(frame, self.now + delay, "retry")
                    return
        if state.type in ("Map", "Parallel") and (from_children or evaluation_failed):
            self.history.add(state.type + "StateFailed", frame)
        catcher = find_catcher(state.catchers, error, heartbeat, terminal) if state.catchers else None
        if catcher is None:
            self.frame_failed(frame, error, cause)
            return
        try:
            self.catch(frame, state, catcher, error, cause)
        except WorkflowError as failure:
            self.frame_failed(frame, failure.error, failure.cause)

    def catch(self, frame: Frame, state: State, catcher: Catcher, error: str, cause: str | None) -> None:
        error_output = {"Error": error, "Cause": cause or ""}
        scope = self.scope(frame, frame.input)
        states_vars = {"errorOutput": error_output}
        if state.is_jsonata:
            output = jsonata_output(catcher.output, scope, error_output, states_vars)
        else:
            output = place(catcher.result_path, frame.input, error_output)
        # JSONata reads the error as $states.errorOutput (and $states.input stays the state's
        # input); a JSONPath catcher's Assign reads it as $.
        assign_scope = scope if state.is_jsonata else scope.with_input(error_output)
        assigned = evaluate_assign(catcher.assign, assign_scope, states_vars)
        self.exit(frame, state, output, assigned, next_state=catcher.next)

    def wait_until(self, frame: Frame, due: float, kind: str) -> None:
        """Suspend ``frame`` until ``due``: a Wait state (``timer``) or a retry back-off."""
        if due <= self.now and kind == "retry":
            frame.waiting = None
            self.runnable.append(frame)
            return
        timer_id = self.snap.next_id("w")
        frame.waiting = kind
        # A retry's back-off replaces the failed attempt's work: nothing reads it again.
        frame.work = TimerWork(timer_id)
        self.snap.open_timers[timer_id] = frame.id
        self.commands.append(StartTimer(timer_id, due, WAIT if kind == "timer" else RETRY))

    # ---- frames ending ------------------------------------------------------------------
    def frame_succeeded(self, frame: Frame, output: Any, text: str) -> None:
        frame.closed = True
        if frame.parent is None:
            self.snap.output = output
            self.history.add("ExecutionSucceeded", frame, {"output": text, "outputDetails": NOT_TRUNCATED})
            self.finish("SUCCEEDED", output=output)
        else:
            fanout.child_succeeded(self, frame, output)

    def frame_failed(self, frame: Frame, error: str | None, cause: str | None) -> None:
        frame.closed = True
        frame.waiting = None
        if frame.parent is None:
            self.end_execution("FAILED", error=error, cause=cause, frame=frame)
        else:
            fanout.child_failed(self, frame, error or "", cause)

    def end_execution(
        self,
        status: str,
        *,
        error: str | None,
        cause: str | None,
        event_type: str = "ExecutionFailed",
        frame: Frame | None = None,
        previous: int | None = None,
    ) -> None:
        details: dict[str, Any] = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        if previous is None:
            previous = frame.last_event_id if frame is not None else self._last_event_id()
        self.history.add(event_type, None, details, previous=previous)
        self.abort_all()
        self.snap.error, self.snap.cause = error, cause
        self.finish(status, error=error, cause=cause)

    def _last_event_id(self) -> int:
        return self.snap.next_event_id - 1

    def abort_all(self) -> None:
        for frame in self.snap.frames.values():
            if isinstance(frame.work, MapWork) and frame.work.map_run_arn is not None:
                map_runs.stop_map_run(self, frame, frame.work)
        for task_id in list(self.snap.open_tasks):
            self.commands.append(CancelTask(task_id))
        self.snap.open_tasks.clear()
        self.snap.open_timers.clear()
        for frame in self.snap.frames.values():
            frame.closed = True

    def finish(
        self, status: str, *, output: Any = None, error: str | None = None, cause: str | None = None
    ) -> None:
        self.snap.status = status
        self.snap.open_timers.clear()
        self.commands.append(Finish(status, output=output, error=error, cause=cause))


def _reraise(failure: WorkflowError) -> None:
    raise failure
