"""One transaction of the executor: the engine steps it applies and what they ask for.

Everything an engine step produces is written here, in the executor's transaction: the history
events, the execution's snapshot and status, the timers and the task outbox. What must touch the
world (call a function, wake an activity poller, arm a timer) is queued and done by
``after_commit``, once the step is durable. Steps that concern each other within one batch (a
child execution's end resuming its parent, a StopExecution reaching a child) are applied here too,
in the same transaction.
"""

from __future__ import annotations

import dataclasses
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from stepwell.arns import unlabelled
from stepwell.asl import jsoncodec
from stepwell.asl.model import StateMachine
from stepwell.engine.advance import EXECUTION_TIMEOUT_TIMER, advance
from stepwell.engine.commands import (
    RESUME,
    CancelTask,
    Finish,
    InvokeTask,
    MapRunChanged,
    StartChildExecution,
    StartTimer,
)
from stepwell.engine.events import (
    Event,
    ExecutionInfo,
    ExecutionRedriven,
    ExecutionStarted,
    StopRequested,
    TaskFailed,
    TaskSubmitted,
    TaskSucceeded,
    TimerFired,
)
from stepwell.engine.redrive import REDRIVABLE_ENDS
from stepwell.engine.snapshot import RUNNING, Snapshot, snapshot_from_json, snapshot_to_json
from stepwell.errors import ServiceError
from stepwell.runtime import ids, map_children, status_outbox, sync_jobs, tasks
from stepwell.runtime.dispatch import QUEUED
from stepwell.runtime.observers import Committed, Observer, notify
from stepwell.runtime.outcomes import timer_delay
from stepwell.runtime.runtime import KEPT_BY_DRIVER, Runtime
from stepwell.runtime.store.protocol import Transaction
from stepwell.runtime.store.records import (
    ExecutionRecord,
    MachineRecord,
    Parent,
    Running,
    TaskRecord,
    TimerRecord,
)

if TYPE_CHECKING:
    from stepwell.runtime.executor import Executor

ON_TIME = 1.0  # seconds: a timer handled within this of its due time counts as on time
IN_FLIGHT_CAUSE = (
    "The task was in flight when the stepwell server stopped. It was not run again: "
    "the state's Retry and Catch decide what happens next."
)


@dataclass
class Live:
    """An execution being advanced in this batch."""

    arn: str
    machine_arn: str
    machine: StateMachine
    snapshot: Snapshot | None
    parent: Parent | None
    version: int = 0  # the version its row was read at (the store's fencing token)
    events: list[dict[str, Any]] = field(default_factory=list)
    finished: Finish | None = None
    stopped: float = 0.0  # when it finished: the time of the event that ended it
    dirty: bool = False
    # Started in this batch: its row is inserted by flush, and it has no task or timer rows but
    # the ones this batch wrote (so finishing it needs no clean-up queries when it wrote none).
    fresh: bool = False
    new_record: ExecutionRecord | None = None
    wrote_rows: bool = False
    # Timers set while its row is not written yet (timer_id -> due): written by flush after the
    # row, since a store may key timers by the row's number (the protocol's add_timer).
    unwritten_timers: dict[str, float] = field(default_factory=dict)
    test_case: str | None = None  # the mocked test case it runs (``<stateMachineArn>#<TestCase>``)
    revision_id: str = ""  # the revision of the definition it runs
    resumes: bool = False  # its step used up its budget: it goes on at once (Runtime.hot_snapshots)
    record: ExecutionRecord | None = None  # its row as this batch read it (None: started in it)


class Batch:
    def __init__(self, runtime: Runtime, writer: Transaction):
        self.runtime = runtime
        self.db = writer
        self.live: dict[str, Live] = {}
        self.after: list[Callable[[Executor], object]] = []
        # What to undo in memory when the transaction rolls back (dispatch.py's places and queues).
        self.undo: list[Callable[[], object]] = []
        # A .sync child that ends in the very transaction that starts it must not resume its
        # parent before the parent has recorded TaskSubmitted: child ARN -> deferred resumptions.
        self.held: dict[str, list[Callable[[], object]]] = {}
        self._deleting: dict[str, bool] = {}  # state machine ARN -> DELETING (or gone)
        # Steps that follow from another one (a Map Run's child executions starting, or ending and
        # resuming their parent): run after it, one after another, never inside it.
        self.later: deque[Callable[[], object]] = deque()
        self._running_later = False
        self._deleted: list[str] = []  # state machines to delete at the end of the batch

    # ---- starting executions ------------------------------------------------------------------
    def start_execution(
        self,
        machine_row: MachineRecord,
        name: str,
        input_text: str,
        execution_input: Any,
        *,
        parent: Parent | None = None,
        trace_header: str | None = None,
        test_case: str | None = None,
        machine_version: int | None = None,
        machine_alias: str | None = None,
    ) -> tuple[str, float]:
        """Create a Standard execution and run it as far as it goes; returns (arn, start date).

        "If you call StartExecution with the same name and input as a running execution, the
        call succeeds and returns the same response"; otherwise a used name is refused."""
        runtime = self.runtime
        machine_name = machine_row.name
        arn = runtime.execution_arn(machine_name, name)
        existing = self.record(arn)
        if existing is not None:
            if existing.status == RUNNING and existing.input == input_text:
                return arn, existing.started
            raise ServiceError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
        now = runtime.clock()
        machine = runtime.machine(machine_row.definition, machine_row.type, machine_row.revision_id)
        info = ExecutionInfo(
            execution_arn=arn,
            name=name,
            state_machine_arn=machine_row.arn,
            state_machine_name=machine_name,
            role_arn=machine_row.role_arn,
            start_time=now,
            child_executions=self.runtime.nested_executions,
        )
        self.start(
            info,
            machine,
            execution_input,
            input_text=input_text,
            definition=machine_row.definition,
            revision_id=machine_row.revision_id,
            parent=parent,
            trace_header=trace_header,
            test_case=test_case,
            machine_version=machine_version,
            machine_alias=machine_alias,
        )
        return arn, now

    def start(
        self,
        info: ExecutionInfo,
        machine: StateMachine,
        execution_input: Any,
        *,
        input_text: str | None,
        definition: str,
        revision_id: str,
        parent: Parent | None = None,
        trace_header: str | None = None,
        test_case: str | None = None,
        machine_version: int | None = None,
        machine_alias: str | None = None,
        map_run: str | None = None,
    ) -> None:
        """Create the execution ``info`` names (its ARN, type and start time chosen by the caller)
        running ``machine``, and run it as far as it goes. The history limit is the runtime's."""
        arn = info.execution_arn
        live = Live(
            arn,
            info.state_machine_arn,
            machine,
            None,
            parent,
            fresh=True,
            test_case=test_case,
            revision_id=revision_id,
        )
        # Written once, by flush, with the state the execution reached in this batch.
        live.new_record = ExecutionRecord(
            arn=arn,
            state_machine_arn=info.state_machine_arn,
            name=info.name,
            status=RUNNING,
            input=input_text if input_text is not None else jsoncodec.dumps_text(execution_input),
            started=info.start_time,
            definition=definition,
            role_arn=info.role_arn,
            revision_id=revision_id,
            parent=parent,
            trace_header=trace_header,
            test_case=test_case,
            machine_version=machine_version,
            machine_alias=machine_alias,
            map_run=map_run,
        )
        self.live[arn] = live
        started = ExecutionStarted(
            now=info.start_time,
            seed=ids.seed(),
            input=execution_input,
            execution=info,
            input_text=input_text,
            history_limit=self.runtime.history_limit,
        )
        self._advance(live, started)

    def redrive(self, arn: str, token: str | None) -> float | None:
        """Run the ended execution again from where it stopped (engine/redrive.py); its redrive
        date, or None when the store holds no snapshot of it to go on from."""
        found = self.db.redrivable(arn)
        if found is None or arn in self.live:
            return None
        record = found.record
        snapshot = self._snapshot_of(found)
        if snapshot.history_limit is not None and snapshot.next_event_id >= snapshot.history_limit - 1:
            # "the execution event history count is less than 24,999"
            raise ServiceError("ExecutionNotRedrivable", "Execution history event limit exceeded")
        machine = self.runtime.machine(record.definition, "STANDARD", record.revision_id)
        now = self.runtime.clock()
        count = record.redrive_count + 1
        self.db.redrive_execution(
            arn,
            record.version,
            snapshot=found.snapshot,
            redrive_count=count,
            redrive_date=now,
            redrive_token=token,
        )
        live = _stored_live(record, machine, snapshot, record.version + 1)
        events = self.runtime.status_events
        if events is not None:
            live.record = status_outbox.redriven(record, count=count, date=now, token=token)
            status_outbox.started(self, events, live.record)
        self.live[arn] = live
        self._advance(live, ExecutionRedriven(now=now, seed=ids.seed(), redrive_count=count))
        return now

    # ---- events ------------------------------------------------------------------------------
    def step(self, arn: str, event: Event, task_row: bool = True) -> bool:
        """Apply an outside event; False when the execution is unknown or already closed.
        ``task_row``: the event's task has a row in the task outbox (a Map Run's child has none)."""
        live = self._load(arn)
        if live is None:
            return False
        if not task_row:
            pass
        elif isinstance(event, (TaskSucceeded, TaskFailed)):
            self.db.close_task(arn, event.task_id)
        elif isinstance(event, TaskSubmitted):
            self.db.mark_submitted(arn, event.task_id)
        if not isinstance(event, StopRequested) and self.machine_deleting(live.machine_arn):
            # "On the next state transition, the state machine's executions are terminated."
            event = StopRequested(now=event.now, seed=event.seed, error=None, cause=None)
        self._advance(live, event)
        return True

    def machine_deleting(self, machine_arn: str) -> bool:
        machine_arn = unlabelled(machine_arn)  # a Map Run's children go with their machine
        deleting = self._deleting.get(machine_arn)
        if deleting is None:  # once per machine and batch, not once per step
            machine = self.db.state_machine(machine_arn)
            deleting = self._deleting[machine_arn] = machine is None or machine.status == "DELETING"
        return deleting

    def delete_state_machine(self, arn: str) -> None:
        """Delete the machine, with its executions, once this batch has written theirs (flush)."""
        self._deleted.append(arn)
        self._deleting[arn] = True

    def timer_fired(self, arn: str, timer_id: str) -> None:
        now = self.runtime.clock()
        due = self.db.take_timer(arn, timer_id, now)
        if due is None:  # fired already, cancelled, or set again for later
            return
        polled = sync_jobs.polled_task(timer_id)
        if polled is not None:  # the runtime's own: ask after a .sync job
            sync_jobs.poll_due(self, arn, polled)
            return
        if timer_id == EXECUTION_TIMEOUT_TIMER and now - due < ON_TIME:
            # AWS's stopDate is exactly startDate + TimeoutSeconds; a timer recovered after the
            # server was down is recorded when it really fires.
            now = due
        self.step(arn, TimerFired(now=now, seed=ids.seed(), timer_id=timer_id))

    def event_args(self) -> dict[str, Any]:
        return {"now": self.runtime.clock(), "seed": ids.seed()}

    def record(self, arn: str) -> ExecutionRecord | None:
        """The execution as this batch sees it (including executions it started)."""
        live = self.live.get(arn)
        if live is not None and live.new_record is not None:
            return live.new_record
        return self.db.execution(arn)

    def _load(self, arn: str) -> Live | None:
        live = self.live.get(arn)
        if live is not None:
            return live if live.finished is None and live.snapshot is not None else None
        running = self.db.running(arn)
        if running is None:
            return None
        record = running.record
        machine = self.runtime.machine(record.definition, "STANDARD", record.revision_id)
        snapshot = self._snapshot_of(running)
        live = _stored_live(record, machine, snapshot, record.version)
        self.live[arn] = live
        return live

    def _snapshot_of(self, found: Running) -> Snapshot:
        """The execution's snapshot: the driver's copy of that version if it keeps one
        (Runtime.snapshots), or the one its last step left in memory (Runtime.hot_snapshots: taken,
        so that a batch that rolls back leaves no copy its steps changed)."""
        kept = self.runtime.snapshots
        cached = kept.get(found.record.arn) if kept is not None else None
        resumed = self.runtime.hot_snapshots.pop(found.record.arn, None)
        for copy in (cached, resumed):
            if copy is not None and copy[0] == found.record.version:
                return copy[1]
        return snapshot_from_json(jsoncodec.loads(found.snapshot, limits=False))

    def _advance(self, live: Live, event: Event) -> None:
        step = advance(live.machine, live.snapshot, event)
        live.snapshot = step.snapshot
        live.events.extend(step.events)
        live.dirty = True
        for command in step.commands:
            if isinstance(command, InvokeTask):
                tasks.schedule(self, live, command)
            elif isinstance(command, StartTimer):
                self._start_timer(live.arn, command, event.now)
            elif isinstance(command, CancelTask):
                if command.child is not None:
                    map_children.stop_child(self, command.child)
                else:
                    tasks.cancel(self, live, command.task_id)
            elif isinstance(command, Finish):
                live.finished = command
                live.stopped = event.now
                self._finished(live, command)
            elif isinstance(command, StartChildExecution):
                self.later.append(partial(map_children.start_child, self, live, command))
            elif isinstance(command, MapRunChanged):
                map_children.map_run_changed(self, live, command, event.now)
        if not self._running_later:
            self._run_later()

    def _run_later(self) -> None:
        self._running_later = True
        try:
            while self.later:
                self.later.popleft()()
        finally:
            self._running_later = False

    def _start_timer(self, arn: str, command: StartTimer, now: float) -> None:
        due = now + timer_delay(command, now, self.runtime.wait_time_scale)
        live = self.live[arn]
        if live.new_record is not None:
            live.unwritten_timers[command.timer_id] = due
        else:
            self.db.add_timer(arn, command.timer_id, due)
            live.wrote_rows = True
        timer_id = command.timer_id
        self.after.append(lambda executor: executor.add_timer(due, arn, timer_id))
        if command.purpose == RESUME:
            live.resumes = True
        pause = self.runtime.pause_seconds
        if pause and command.purpose == RESUME:
            self.after.append(lambda executor: time.sleep(pause))

    def _finished(self, live: Live, finish: Finish) -> None:
        on_finish = self.runtime.on_finish
        if on_finish is not None:
            arn = live.arn
            self.after.append(lambda executor: on_finish(arn, finish))
        live.unwritten_timers.clear()  # an ended execution's timers go with it
        if not live.fresh or live.wrote_rows:
            for row in self.db.close_tasks(live.arn):
                tasks.abandon(self, live, row)
            self.db.delete_timers(live.arn)
        if live.parent is not None and live.parent.mode in ("sync", "sync:2"):
            tasks.child_finished(self, live, finish)
        elif live.parent is not None and live.parent.mode == map_children.MAP_CHILD:
            map_children.child_ended(self, live, finish)
        if live.fresh:
            return  # its machine was ACTIVE when it started, in this very batch
        machine = self.db.state_machine(live.machine_arn)
        deleting = machine is not None and machine.status == "DELETING"
        if deleting and not self.db.has_running(live.machine_arn, other_than=live.arn):
            self.delete_state_machine(live.machine_arn)

    # ---- writing -------------------------------------------------------------------------------
    def flush(self) -> None:
        kept = self.runtime.snapshots
        events = self.runtime.status_events
        for live in self.live.values():
            if not live.dirty or live.snapshot is None:
                continue
            finish = live.finished
            # What an execution's step changes of its status is told in this very transaction.
            telling = (
                events if events is not None and live.snapshot.execution.machine_type != "EXPRESS" else None
            )
            if telling is not None and live.new_record is not None:
                status_outbox.started(self, telling, live.new_record)
            if self.runtime.observers:
                self.after.append(_observed(self.runtime.observers, live, finish))
            final: bytes | None = None  # the snapshot an ended execution keeps for a redrive
            stored_size = 0
            if finish is None:
                snapshot = self._stored(live.snapshot)
                stored_size = len(snapshot)
                if live.new_record is not None:
                    self.db.insert_execution(live.new_record, snapshot)
                else:
                    self.db.save_snapshot(live.arn, snapshot, live.version)
            else:
                output = jsoncodec.dumps_text(finish.output) if finish.status == "SUCCEEDED" else None
                # The engine may build these from any value (a Fail state's CausePath): a lone
                # surrogate is kept as its escape, as Jackson writes it.
                error, cause = _storable(finish.error), _storable(finish.cause)
                # What a redrive goes on from; Express executions cannot be redriven.
                redrivable = (
                    finish.status in REDRIVABLE_ENDS and live.snapshot.execution.machine_type != "EXPRESS"
                )
                final = self._stored(live.snapshot) if redrivable else None
                if live.new_record is not None:
                    ended = dataclasses.replace(
                        live.new_record,
                        status=finish.status,
                        output=output,
                        error=error,
                        cause=cause,
                        stopped=live.stopped,
                    )
                    self.db.insert_execution(ended, final)
                else:
                    self.db.finish_execution(
                        live.arn,
                        live.version,
                        status=finish.status,
                        output=output,
                        error=error,
                        cause=cause,
                        stopped=live.stopped,
                        snapshot=final,
                    )
                if telling is not None:
                    status_outbox.ended(
                        self,
                        telling,
                        live,
                        output=output,
                        error=error,
                        cause=cause,
                        kept_snapshot=final is not None,
                    )
            if live.events:  # after the row: a store may key history by the execution's row
                self.db.append_history(live.arn, live.events)
                live.events = []
            for timer_id, due in live.unwritten_timers.items():  # after the row, too
                self.db.add_timer(live.arn, timer_id, due)
                live.wrote_rows = True
            live.unwritten_timers.clear()
            if live.new_record is None:
                live.version += 1
            live.new_record = None
            live.dirty = False
            if kept is not None:
                keep = finish is None or final is not None
                self.after.append(_keep(kept, live.arn, live.version, live.snapshot, keep))
            elif finish is None and (live.resumes or stored_size >= HOT_SNAPSHOT_BYTES):
                hot = self.runtime.hot_snapshots
                self.after.append(_keep_hot(hot, live.arn, live.version, live.snapshot))
            live.resumes = False
        for machine_arn in self._deleted:
            self.db.delete_machine(machine_arn)
        self._deleted = []

    def _stored(self, snapshot: Snapshot) -> bytes:
        """The snapshot as the store keeps it (nothing, when the driver keeps it: Runtime.snapshots)."""
        if self.runtime.snapshots is not None:
            return KEPT_BY_DRIVER
        return jsoncodec.dumps(snapshot_to_json(snapshot), default=_json_default, non_str_keys=True)

    def rolled_back(self) -> None:
        for action in reversed(self.undo):
            action()
        self.undo = []

    def after_commit(self, executor: Executor) -> None:
        for action in self.after:
            action(executor)

    # ---- restart -------------------------------------------------------------------------------
    def recover(self) -> dict[str, int]:
        """After a restart on an exclusive store: take up every timer and open task."""
        return self.take_up(self.db.timers(), self.db.open_tasks())

    def adopt(self, dead_node: str) -> dict[str, int] | None:
        """Take up the work of a node whose lease expired (None: not dead, or adopted already)."""
        adopted = self.db.adopt(dead_node)
        return None if adopted is None else self.take_up(*adopted)

    def take_up(self, timers: list[TimerRecord], open_tasks: list[TaskRecord]) -> dict[str, int]:
        """Work whose node stopped (this one before a restart, or a dead one): re-arm the timers;
        call the function and service calls still queued (never handed over, so they never ran);
        fail those that were in flight: handed over, or written before hand-overs were recorded
        ("scheduled"), or mocked (never run them twice); start the children whose start was not
        committed; wake activity pollers."""
        for timer in timers:
            self.after.append(_arm(timer.due, timer.execution_arn, timer.timer_id))
        failed = restarted = called = 0
        for task in open_tasks:
            if task.kind in (tasks.FUNCTION, tasks.SERVICE) and task.status == QUEUED:
                live = self._load(task.execution_arn)
                if live is not None:
                    tasks.redispatch_call(self, live, task)
                    called += 1
            elif task.kind in (tasks.FUNCTION, tasks.SERVICE, tasks.MOCK) and task.status != "submitted":
                event = TaskFailed(
                    **self.event_args(),
                    task_id=task.task_id,
                    error="States.TaskFailed",
                    cause=IN_FLIGHT_CAUSE,
                )
                self.step(task.execution_arn, event)
                failed += 1
            elif task.kind == tasks.CHILD and task.status == "scheduled":
                live = self._load(task.execution_arn)
                if live is not None:
                    tasks.redispatch_child(self, live, task)
                    restarted += 1
            elif task.kind == tasks.ACTIVITY and task.activity_arn is not None:
                self.after.append(_wake_pollers(task.activity_arn))
        self.flush()
        return {
            "timers": len(timers),
            "failed_in_flight": failed,
            "queued_calls_restarted": called,
            "children_restarted": restarted,
        }


def _stored_live(record: ExecutionRecord, machine: StateMachine, snapshot: Snapshot, version: int) -> Live:
    """A stored execution, to advance in this batch from its snapshot at ``version``."""
    return Live(
        record.arn,
        record.state_machine_arn,
        machine,
        snapshot,
        record.parent,
        version,
        test_case=record.test_case,
        revision_id=record.revision_id,
        record=record,
    )


def _keep(
    kept: dict[str, tuple[int, Snapshot]], arn: str, version: int, snapshot: Snapshot, keep: bool
) -> Callable[[Executor], object]:
    """After the commit: the driver's copy of the snapshot (Runtime.snapshots)."""
    if keep:
        return lambda executor: kept.__setitem__(arn, (version, snapshot))
    return lambda executor: kept.pop(arn, None)


HOT_SNAPSHOT_BYTES = 256 * 1024  # a snapshot this large is kept in memory between its steps
HOT_SNAPSHOTS_KEPT = 16  # at most (the oldest goes: one another node stepped since stays unused)


def _keep_hot(
    kept: dict[str, tuple[int, Snapshot]], arn: str, version: int, snapshot: Snapshot
) -> Callable[[Executor], object]:
    """After the commit: keep the snapshot for the execution's next step (Runtime.hot_snapshots)."""

    def keep(executor: Executor) -> None:
        kept[arn] = (version, snapshot)
        while len(kept) > HOT_SNAPSHOTS_KEPT:
            kept.pop(next(iter(kept)))

    return keep


def _observed(observers: list[Observer], live: Live, finish: Finish | None) -> Callable[[Executor], object]:
    """After the commit: the step, told to the observers (runtime/observers.py)."""
    assert live.snapshot is not None
    execution = live.snapshot.execution
    step = Committed(
        execution_arn=live.arn,
        machine_arn=live.machine_arn,
        machine_type=execution.machine_type,
        events=tuple(live.events),
        began=live.new_record is not None,
        finish=finish,
        start_time=execution.start_time,
        stop_time=live.stopped if finish is not None else 0.0,
        redrive_count=execution.redrive_count,
        revision_id=live.revision_id,
    )
    return lambda executor: notify(observers, step)


def _arm(due: float, arn: str, timer_id: str) -> Callable[[Executor], object]:
    return lambda executor: executor.add_timer(due, arn, timer_id)


def _wake_pollers(activity_arn: str) -> Callable[[Executor], object]:
    return lambda executor: executor.runtime.activity_ready(activity_arn)


def _storable(text: str | None) -> str | None:
    if text is not None and jsoncodec.has_surrogates(text):
        return jsoncodec.escape_surrogates(text)
    return text


def _json_default(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot store {type(value).__name__} in a snapshot")
