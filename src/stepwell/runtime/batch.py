"""One transaction of the executor: the engine steps it applies and what they ask for.

Everything an engine step produces is written here, in the executor's transaction: the history
events, the execution's snapshot and status, the timers and the task outbox. What must touch the
world (call a function, wake an activity poller, arm a timer) is queued and done by
``after_commit``, once the step is durable. Steps that concern each other within one batch (a
child execution's end resuming its parent, a StopExecution reaching a child) are applied here too,
in the same transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from stepwell.asl import jsoncodec
from stepwell.asl.model import StateMachine
from stepwell.engine.advance import EXECUTION_TIMEOUT_TIMER, advance
from stepwell.engine.commands import DEADLINE, CancelTask, Finish, InvokeTask, StartTimer
from stepwell.engine.events import (
    Event,
    ExecutionInfo,
    ExecutionStarted,
    StopRequested,
    TaskFailed,
    TaskSubmitted,
    TaskSucceeded,
    TimerFired,
)
from stepwell.engine.snapshot import RUNNING, Snapshot, snapshot_from_json, snapshot_to_json
from stepwell.errors import ServiceError
from stepwell.runtime import ids, tasks
from stepwell.runtime.dispatch import QUEUED
from stepwell.runtime.runtime import Runtime
from stepwell.runtime.sqlite_store import Writer

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
    parent: dict[str, Any] | None
    events: list[dict[str, Any]] = field(default_factory=list)
    finished: Finish | None = None
    stopped: float = 0.0  # when it finished: the time of the event that ended it
    dirty: bool = False
    # Started in this batch: its row is inserted by flush, and it has no task or timer rows but
    # the ones this batch wrote (so finishing it needs no clean-up queries when it wrote none).
    fresh: bool = False
    new_row: dict[str, Any] | None = None
    wrote_rows: bool = False
    test_case: str | None = None  # the mocked test case it runs (``<stateMachineArn>#<TestCase>``)


class Batch:
    def __init__(self, runtime: Runtime, writer: Writer):
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

    # ---- starting executions ------------------------------------------------------------------
    def start_execution(
        self,
        machine_row: sqlite3.Row,
        name: str,
        input_text: str,
        execution_input: Any,
        *,
        parent: dict[str, Any] | None = None,
        trace_header: str | None = None,
        test_case: str | None = None,
    ) -> tuple[str, float]:
        """Create a Standard execution and run it as far as it goes; returns (arn, start date).

        "If you call StartExecution with the same name and input as a running execution, the
        call succeeds and returns the same response"; otherwise a used name is refused."""
        runtime = self.runtime
        machine_name = machine_row["name"]
        arn = runtime.execution_arn(machine_name, name)
        existing = self._row(arn)
        if existing is not None:
            if existing["status"] == RUNNING and existing["input"] == input_text:
                return arn, float(existing["started"])
            raise ServiceError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
        now = runtime.clock()
        machine = runtime.machine(machine_row["definition"], machine_row["type"], machine_row["revision_id"])
        live = Live(arn, machine_row["arn"], machine, None, parent, fresh=True, test_case=test_case)
        # Written once, by flush, with the state the execution reached in this batch.
        live.new_row = {
            "arn": arn,
            "state_machine_arn": machine_row["arn"],
            "name": name,
            "status": RUNNING,
            "input": input_text,
            "started": now,
            "definition": machine_row["definition"],
            "role_arn": machine_row["role_arn"],
            "revision_id": machine_row["revision_id"],
            "parent": orjson.dumps(parent).decode() if parent else None,
            "trace_header": trace_header,
            "test_case": test_case,
            "seq": self.db.next_seq(),
        }
        self.live[arn] = live
        info = ExecutionInfo(
            execution_arn=arn,
            name=name,
            state_machine_arn=machine_row["arn"],
            state_machine_name=machine_name,
            role_arn=machine_row["role_arn"],
            start_time=now,
        )
        started = ExecutionStarted(
            now=now,
            seed=ids.seed(),
            input=execution_input,
            execution=info,
            input_text=input_text,
            history_limit=runtime.history_limit,
        )
        self._advance(live, started)
        return arn, now

    # ---- events ------------------------------------------------------------------------------
    def step(self, arn: str, event: Event) -> bool:
        """Apply an outside event; False when the execution is unknown or already closed."""
        live = self._load(arn)
        if live is None:
            return False
        if isinstance(event, (TaskSucceeded, TaskFailed)):
            self.db.close_task(arn, event.task_id)
        elif isinstance(event, TaskSubmitted):
            self.db.run(
                "UPDATE tasks SET status = 'submitted' "
                "WHERE execution_arn = ? AND task_id = ? AND status != 'closed'",
                (arn, event.task_id),
            )
        if not isinstance(event, StopRequested) and self._machine_deleting(live.machine_arn):
            # "On the next state transition, the state machine's executions are terminated."
            event = StopRequested(now=event.now, seed=event.seed, error=None, cause=None)
        self._advance(live, event)
        return True

    def _machine_deleting(self, machine_arn: str) -> bool:
        deleting = self._deleting.get(machine_arn)
        if deleting is None:  # once per machine and batch, not once per step
            row = self.db.one("SELECT status FROM state_machines WHERE arn = ?", (machine_arn,))
            deleting = self._deleting[machine_arn] = row is None or row["status"] == "DELETING"
        return deleting

    def delete_state_machine(self, arn: str) -> None:
        self.db.run("DELETE FROM state_machines WHERE arn = ?", (arn,))
        self.db.delete_tags(arn)

    def timer_fired(self, arn: str, timer_id: str) -> None:
        row = self.db.one("SELECT due FROM timers WHERE execution_arn = ? AND timer_id = ?", (arn, timer_id))
        if row is None:
            return
        self.db.delete_timer(arn, timer_id)
        now, due = self.runtime.clock(), float(row["due"])
        if timer_id == EXECUTION_TIMEOUT_TIMER and now - due < ON_TIME:
            # AWS's stopDate is exactly startDate + TimeoutSeconds; a timer recovered after the
            # server was down is recorded when it really fires.
            now = due
        self.step(arn, TimerFired(now=now, seed=ids.seed(), timer_id=timer_id))

    def event_args(self) -> dict[str, Any]:
        return {"now": self.runtime.clock(), "seed": ids.seed()}

    def _row(self, arn: str) -> Any:
        """The execution's row as this batch sees it (including executions it started)."""
        live = self.live.get(arn)
        if live is not None and live.new_row is not None:
            return live.new_row
        return self.db.execution(arn)

    def _load(self, arn: str) -> Live | None:
        live = self.live.get(arn)
        if live is not None:
            return live if live.finished is None and live.snapshot is not None else None
        row = self.db.execution(arn)
        if row is None or row["status"] != RUNNING or row["snapshot"] is None:
            return None
        machine = self.runtime.machine(row["definition"], "STANDARD", row["revision_id"])
        snapshot = snapshot_from_json(jsoncodec.loads(row["snapshot"], limits=False))
        parent = orjson.loads(row["parent"]) if row["parent"] else None
        live = Live(arn, row["state_machine_arn"], machine, snapshot, parent, test_case=row["test_case"])
        self.live[arn] = live
        return live

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
                tasks.cancel(self, live, command.task_id)
            elif isinstance(command, Finish):
                live.finished = command
                live.stopped = event.now
                self._finished(live, command)

    def _start_timer(self, arn: str, command: StartTimer, now: float) -> None:
        delay = max(0.0, command.due - now)
        if command.purpose != DEADLINE:
            delay *= self.runtime.wait_time_scale
        due = now + delay
        self.db.add_timer(arn, command.timer_id, due)
        self.live[arn].wrote_rows = True
        timer_id = command.timer_id
        self.after.append(lambda executor: executor.add_timer(due, arn, timer_id))

    def _finished(self, live: Live, finish: Finish) -> None:
        if not live.fresh or live.wrote_rows:
            for row in self.db.close_tasks(live.arn):
                tasks.abandon(self, live, row)
            self.db.delete_timers(live.arn)
        if live.parent is not None and live.parent.get("mode") in ("sync", "sync:2"):
            tasks.child_finished(self, live, finish)
        if live.fresh:
            return  # its machine was ACTIVE when it started, in this very batch
        machine = self.db.one("SELECT status FROM state_machines WHERE arn = ?", (live.machine_arn,))
        if machine is not None and machine["status"] == "DELETING":
            others = self.db.one(
                "SELECT 1 FROM executions "
                "WHERE state_machine_arn = ? AND status = 'RUNNING' AND arn != ? LIMIT 1",
                (live.machine_arn, live.arn),
            )
            if others is None:
                self.delete_state_machine(live.machine_arn)

    # ---- writing -------------------------------------------------------------------------------
    def flush(self) -> None:
        for live in self.live.values():
            if not live.dirty or live.snapshot is None:
                continue
            if live.events:
                self.db.append_history(live.arn, live.events)
                live.events = []
            finish = live.finished
            if finish is None:
                values: dict[str, Any] = {
                    "snapshot": jsoncodec.dumps(
                        snapshot_to_json(live.snapshot), default=_json_default, non_str_keys=True
                    )
                }
            else:
                values = {
                    "status": finish.status,
                    "output": jsoncodec.dumps_text(finish.output) if finish.status == "SUCCEEDED" else None,
                    # The engine may build these from any value (a Fail state's CausePath):
                    # a lone surrogate is kept as its escape, as Jackson writes it.
                    "error": _storable(finish.error),
                    "cause": _storable(finish.cause),
                    "stopped": live.stopped,
                    "snapshot": None,
                }
            if live.new_row is not None:
                self.db.insert_execution(live.new_row | values)
                live.new_row = None
            else:
                self.db.update_execution(live.arn, values)
            live.dirty = False

    def rolled_back(self) -> None:
        for action in reversed(self.undo):
            action()
        self.undo = []

    def after_commit(self, executor: Executor) -> None:
        for action in self.after:
            action(executor)

    # ---- restart -------------------------------------------------------------------------------
    def recover(self) -> dict[str, int]:
        """After a restart: re-arm every timer; call the function and service calls still queued
        (never handed over, so they never ran); fail those that were in flight: handed over, or
        written before hand-overs were recorded ("scheduled"), or mocked (never run them twice);
        start the children whose start was not committed; wake activity pollers."""
        timers = self.db.timers()
        for row in timers:
            self.after.append(_arm(float(row["due"]), row["execution_arn"], row["timer_id"]))
        failed = restarted = called = 0
        for row in self.db.open_tasks():
            if row["kind"] in (tasks.FUNCTION, tasks.SERVICE) and row["status"] == QUEUED:
                live = self._load(row["execution_arn"])
                if live is not None:
                    tasks.redispatch_call(self, live, row)
                    called += 1
            elif row["kind"] in (tasks.FUNCTION, tasks.SERVICE, tasks.MOCK) and row["status"] != "submitted":
                event = TaskFailed(
                    **self.event_args(),
                    task_id=row["task_id"],
                    error="States.TaskFailed",
                    cause=IN_FLIGHT_CAUSE,
                )
                self.step(row["execution_arn"], event)
                failed += 1
            elif row["kind"] == tasks.CHILD and row["status"] == "scheduled":
                live = self._load(row["execution_arn"])
                if live is not None:
                    tasks.redispatch_child(self, live, row)
                    restarted += 1
            elif row["kind"] == tasks.ACTIVITY:
                self.after.append(_wake_pollers(row["activity_arn"]))
        self.flush()
        return {
            "timers": len(timers),
            "failed_in_flight": failed,
            "queued_calls_restarted": called,
            "children_restarted": restarted,
        }


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
