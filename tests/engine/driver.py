"""A tiny hand-driven runtime for engine tests: start an execution, deliver events, look at what came out.

``advance`` is pure: the driver owns the clock (``now``, moved by ``tick``) and the seeds (a
counter, so every run of a test sees the same values unless a test passes its own ``seed``). It
keeps every history event and command ever produced, and the ones of the latest step separately.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from stepwell.asl.model import StateMachine
from stepwell.asl.parse import parse_definition
from stepwell.engine.advance import RESUME_TIMER, Step, advance
from stepwell.engine.commands import RESUME, CancelTask, Command, Finish, InvokeTask, StartTimer
from stepwell.engine.events import (
    Event,
    ExecutionInfo,
    ExecutionRedriven,
    ExecutionStarted,
    StopRequested,
    TaskFailed,
    TaskHeartbeat,
    TaskStarted,
    TaskSubmitted,
    TaskSucceeded,
    TimerFired,
)
from stepwell.engine.snapshot import Snapshot, snapshot_from_json, snapshot_to_json

START = 1_700_000_000.0  # 2023-11-14T22:13:20Z
REGION = "eu-west-3"
ACCOUNT = "111122223333"
LAMBDA_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:work"
ACTIVITY_ARN = f"arn:aws:states:{REGION}:{ACCOUNT}:activity:worker"
INVOKE_ARN = "arn:aws:states:::lambda:invoke"
SQS_TOKEN_ARN = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


def info(name: str = "exec-1") -> ExecutionInfo:
    prefix = f"arn:aws:states:{REGION}:{ACCOUNT}"
    return ExecutionInfo(
        execution_arn=f"{prefix}:execution:Machine:{name}",
        name=name,
        state_machine_arn=f"{prefix}:stateMachine:Machine",
        state_machine_name="Machine",
        start_time=START,
    )


def task(resource: str = LAMBDA_ARN, **fields: Any) -> dict[str, Any]:
    """A Task state body; ``End`` unless ``Next`` is given."""
    body: dict[str, Any] = {"Type": "Task", "Resource": resource, **fields}
    if "Next" not in body:
        body["End"] = True
    return body


def machine_of(states: Mapping[str, Any], start: str | None = None, **top: Any) -> dict[str, Any]:
    return {"StartAt": start or next(iter(states)), "States": dict(states), **top}


class Run:
    """One execution driven by hand."""

    def __init__(
        self,
        definition: Mapping[str, Any] | StateMachine,
        execution_input: Any = None,
        *,
        now: float = START,
        seed: str | None = None,
        history_limit: int | None = 25_000,
        start: bool = True,
    ):
        self.machine = definition if isinstance(definition, StateMachine) else parse_definition(definition)
        self.now = now
        self.snapshot: Snapshot | None = None
        self.history: list[dict[str, Any]] = []
        self.commands: list[Command] = []
        self.last: Step | None = None
        self.resumes = 0  # steps that used up their budget and were resumed, as a runtime does
        self._seeds = 0
        if start:
            self.deliver(
                ExecutionStarted(
                    now=now,
                    seed=seed if seed is not None else self._seed(),
                    input={} if execution_input is None else execution_input,
                    execution=info(),
                    history_limit=history_limit,
                )
            )

    # ---- delivering events --------------------------------------------------------------
    def _seed(self) -> str:
        self._seeds += 1
        return f"seed-{self._seeds}"

    def deliver(self, event: Event) -> Step:
        step = self._apply(event)
        # A step that used up its budget asks to be resumed at once: a runtime would do other
        # work first; this driver resumes it straight away.
        while any(isinstance(c, StartTimer) and c.purpose == RESUME for c in step.commands):
            self.resumes += 1
            step = self._apply(TimerFired(timer_id=RESUME_TIMER, **self._common(None, None)))
        return step

    def _apply(self, event: Event) -> Step:
        step = advance(self.machine, self.snapshot, event)
        # Every step goes through JSON text and back, as a durable store would keep it: the
        # engine must resume from a reloaded snapshot exactly as from the live one.
        self.snapshot = snapshot_from_json(json.loads(json.dumps(snapshot_to_json(step.snapshot))))
        self.history.extend(step.events)
        self.commands.extend(
            c for c in step.commands if not (isinstance(c, StartTimer) and c.purpose == RESUME)
        )
        self.last = step
        return step

    def _common(self, now: float | None, seed: str | None) -> dict[str, Any]:
        if now is not None:
            self.now = now
        return {"now": self.now, "seed": seed if seed is not None else self._seed()}

    def tick(self, seconds: float) -> Run:
        self.now += seconds
        return self

    def succeed(self, task_id: str | None = None, output: Any = None, **kw: Any) -> Step:
        return self.deliver(TaskSucceeded(task_id=task_id or self.open_task(), output=output, **self._kw(kw)))

    def fail(
        self,
        task_id: str | None = None,
        error: str | None = "Boom",
        cause: str | None = "it broke",
        **kw: Any,
    ) -> Step:
        tid = task_id or self.open_task()
        return self.deliver(TaskFailed(task_id=tid, error=error, cause=cause, **self._kw(kw)))

    def started(self, task_id: str | None = None, worker_name: str | None = None, **kw: Any) -> Step:
        tid = task_id or self.open_task()
        return self.deliver(TaskStarted(task_id=tid, worker_name=worker_name, **self._kw(kw)))

    def submitted(self, task_id: str | None = None, output: Any = None, **kw: Any) -> Step:
        return self.deliver(TaskSubmitted(task_id=task_id or self.open_task(), output=output, **self._kw(kw)))

    def heartbeat(self, task_id: str | None = None, **kw: Any) -> Step:
        return self.deliver(TaskHeartbeat(task_id=task_id or self.open_task(), **self._kw(kw)))

    def fire(self, timer: StartTimer | str | None = None, **kw: Any) -> Step:
        """Fire a timer (by default the latest one started); ``now`` defaults to its due time."""
        if timer is None:
            timer = self.timers()[-1]
        if isinstance(timer, StartTimer):
            kw.setdefault("now", max(self.now, timer.due))
            timer = timer.timer_id
        return self.deliver(TimerFired(timer_id=timer, **self._kw(kw)))

    def stop(self, error: str | None = None, cause: str | None = None, **kw: Any) -> Step:
        return self.deliver(StopRequested(error=error, cause=cause, **self._kw(kw)))

    def redrive(self, count: int = 1, **kw: Any) -> Step:
        return self.deliver(ExecutionRedriven(redrive_count=count, **self._kw(kw)))

    def _kw(self, kw: dict[str, Any]) -> dict[str, Any]:
        return self._common(kw.pop("now", None), kw.pop("seed", None)) | kw

    # ---- looking at the results ---------------------------------------------------------
    @property
    def snap(self) -> Snapshot:
        assert self.snapshot is not None
        return self.snapshot

    def open_task(self) -> str:
        """The only open task's id (fails when there are several)."""
        open_tasks = list(self.snap.open_tasks)
        assert len(open_tasks) == 1, f"expected one open task, found {open_tasks}"
        return open_tasks[0]

    def invocations(self, latest: bool = False) -> list[InvokeTask]:
        return [c for c in self._commands(latest) if isinstance(c, InvokeTask)]

    def timers(self, latest: bool = False) -> list[StartTimer]:
        return [c for c in self._commands(latest) if isinstance(c, StartTimer)]

    def cancels(self, latest: bool = False) -> list[str]:
        return [c.task_id for c in self._commands(latest) if isinstance(c, CancelTask)]

    def _commands(self, latest: bool) -> list[Command]:
        if latest:
            assert self.last is not None
            return self.last.commands
        return self.commands

    @property
    def finish(self) -> Finish | None:
        done = [c for c in self.commands if isinstance(c, Finish)]
        assert len(done) <= 1, f"more than one Finish: {done}"
        return done[0] if done else None

    @property
    def finishes(self) -> list[Finish]:
        """Every end, in order (a redriven execution ends more than once)."""
        return [c for c in self.commands if isinstance(c, Finish)]

    @property
    def status(self) -> str:
        return self.snap.status

    def types(self, latest: bool = False) -> list[str]:
        events = self.last.events if latest and self.last is not None else self.history
        return [e["type"] for e in events]

    def chain(self) -> list[tuple[int, int, str]]:
        """(id, previousEventId, type) of every event, as reference §6.3 writes sequences."""
        return [(e["id"], e["previousEventId"], e["type"]) for e in self.history]

    def events_of(self, event_type: str) -> list[dict[str, Any]]:
        return [e for e in self.history if e["type"] == event_type]

    def event(self, event_type: str, nth: int = 0) -> dict[str, Any]:
        found = self.events_of(event_type)
        assert len(found) > nth, f"no {event_type} #{nth} in {self.types()}"
        return found[nth]

    def details(self, event_type: str, nth: int = 0) -> dict[str, Any]:
        """The event's one details member."""
        event = self.event(event_type, nth)
        members = [v for k, v in event.items() if k.endswith("EventDetails")]
        assert len(members) == 1, f"{event_type} has details {list(event)}"
        return members[0]

    def check_ids(self) -> None:
        """Ids are 1, 2, 3, ...; every previousEventId points to an earlier event (or 0)."""
        for position, event in enumerate(self.history, start=1):
            assert event["id"] == position, self.chain()
            assert 0 <= event["previousEventId"] < event["id"], self.chain()
