"""The in-process runner: drives ``advance`` with a real clock, real timers and Python functions.

Wait states and retry back-offs really wait, scaled by ``wait_time_scale`` (Step Functions
Local's WAIT_TIME_SCALE: 0 makes every wait instant). Task calls run on worker threads, so a Map
of tasks runs them concurrently and a task's TimeoutSeconds can expire while it runs.
"""

from __future__ import annotations

import heapq
import os
import queue
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from stepwell.asl.model import StateMachine
from stepwell.engine.advance import EXECUTION_TIMEOUT_TIMER, advance
from stepwell.engine.commands import RESUME, Finish, InvokeTask, StartTimer
from stepwell.engine.events import (
    Event,
    ExecutionInfo,
    ExecutionStarted,
    TaskFailed,
    TaskSucceeded,
    TimerFired,
)
from stepwell.engine.snapshot import Snapshot
from stepwell.runtime.clock import now as clock_now
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.invokers.base import task_call
from stepwell.runtime.invokers.router import Invokers
from stepwell.runtime.mocks import TestCase
from stepwell.runtime.outcomes import call_outcome, mocked_events, timer_delay

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclass
class ExecutionResult:
    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    execution_arn: str = ""


def execution_info(
    machine_name: str,
    execution_name: str,
    *,
    account: str = DEFAULT_ACCOUNT,
    region: str = DEFAULT_REGION,
    start_time: float,
    machine_type: str = "STANDARD",
) -> ExecutionInfo:
    prefix = f"arn:aws:states:{region}:{account}"
    if machine_type == "EXPRESS":  # Express names may repeat: AWS appends a uuid
        execution_arn = f"{prefix}:express:{machine_name}:{execution_name}:{_seed()[:8]}-{_seed()[:4]}"
    else:
        execution_arn = f"{prefix}:execution:{machine_name}:{execution_name}"
    return ExecutionInfo(
        execution_arn=execution_arn,
        machine_type=machine_type,
        name=execution_name,
        state_machine_arn=f"{prefix}:stateMachine:{machine_name}",
        state_machine_name=machine_name,
        role_arn=f"arn:aws:iam::{account}:role/stepwell",
        start_time=start_time,
    )


def _seed() -> str:
    return os.urandom(16).hex()


class LocalRunner:
    def __init__(
        self,
        functions: FunctionRegistry | None = None,
        *,
        wait_time_scale: float = 1.0,
        clock: Callable[[], float] = clock_now,
        max_workers: int = 8,
        invokers: Invokers | None = None,
        test_case: TestCase | None = None,
        pause_seconds: float = 0.0,
    ):
        self.functions = functions or FunctionRegistry()
        self.invokers = invokers or Invokers(self.functions)
        self.test_case = test_case  # a mocked test case: the states it names answer from the file
        self.wait_time_scale = wait_time_scale
        self.clock = clock
        self.max_workers = max_workers
        # Slept each time a step used up its budget: inside a server, an execution that loops
        # without end leaves the other threads (the API, the executor) room to run.
        self.pause_seconds = pause_seconds

    def run(
        self,
        machine: StateMachine,
        execution_input: Any,
        *,
        machine_name: str = "StateMachine",
        execution_name: str | None = None,
        machine_type: str = "STANDARD",
        input_text: str | None = None,
    ) -> ExecutionResult:
        """Run one execution to its end. ``input_text``, when given, is the input as the caller
        wrote it (``execution_input`` parsed); the history echoes it verbatim, as AWS does."""
        name = execution_name or _seed()[:32]
        info = execution_info(machine_name, name, start_time=self.clock(), machine_type=machine_type)
        return self.run_info(machine, execution_input, info, input_text=input_text)

    def run_info(
        self,
        machine: StateMachine,
        execution_input: Any,
        info: ExecutionInfo,
        *,
        input_text: str | None = None,
    ) -> ExecutionResult:
        """Run one execution whose identity (ARN, names, start time) the caller chose."""
        now = info.start_time
        run = _Run(self, machine)
        started = ExecutionStarted(
            now=now,
            seed=_seed(),
            input=execution_input,
            execution=info,
            input_text=input_text,
            history_limit=None if info.machine_type == "EXPRESS" else 25_000,  # Express keeps no history
        )
        return run.execute(started)


class _Run:
    """One execution: a queue of events to deliver and a heap of timers."""

    def __init__(self, runner: LocalRunner, machine: StateMachine):
        self.runner = runner
        self.machine = machine
        self.snapshot: Snapshot | None = None
        self.events: list[dict[str, Any]] = []
        self.inbox: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self.timers: list[tuple[float, str]] = []
        self.pending = 0  # task calls in flight
        self.finished: Finish | None = None
        self.pool: ThreadPoolExecutor | None = None
        self.invocations: dict[str, int] = {}  # state name -> calls so far (mocks count them)

    def execute(self, first: ExecutionStarted) -> ExecutionResult:
        try:
            self.deliver(first)
            while self.finished is None:
                self.deliver(self.next_event())
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=False, cancel_futures=True)
        assert self.snapshot is not None
        done = self.finished
        return ExecutionResult(
            status=done.status,
            output=done.output,
            error=done.error,
            cause=done.cause,
            events=self.events,
            execution_arn=self.snapshot.execution.execution_arn,
        )

    def deliver(self, event: Event) -> None:
        if isinstance(event, (TaskSucceeded, TaskFailed)):
            self.pending -= 1
        step = advance(self.machine, self.snapshot, event)
        self.snapshot = step.snapshot
        self.events.extend(step.events)
        for command in step.commands:
            if isinstance(command, InvokeTask):
                self.invoke(command)
            elif isinstance(command, StartTimer):
                if command.purpose == RESUME and self.runner.pause_seconds:
                    time.sleep(self.runner.pause_seconds)
                delay = timer_delay(command, event.now, self.runner.wait_time_scale)
                heapq.heappush(self.timers, (time.monotonic() + delay, command.timer_id))
            elif isinstance(command, Finish):
                self.finished = command

    def next_event(self) -> Event:
        while True:
            try:
                return self.inbox.get_nowait()
            except queue.Empty:
                pass
            if self.timers and (self.pending or any(t != EXECUTION_TIMEOUT_TIMER for _, t in self.timers)):
                due, timer_id = self.timers[0]
                wait = due - time.monotonic()
                if wait <= 0:
                    heapq.heappop(self.timers)
                    return TimerFired(now=self.runner.clock(), seed=_seed(), timer_id=timer_id)
                try:
                    return self.inbox.get(timeout=wait)
                except queue.Empty:
                    continue
            if self.pending:
                return self.inbox.get()
            raise RuntimeError("the execution is waiting for nothing: no task, timer or event can resume it")

    def invoke(self, command: InvokeTask) -> None:
        self.pending += 1
        case = self.runner.test_case
        if case is not None and case.mocks(command.state_name):
            invocation = self.invocations.get(command.state_name, 0)
            self.invocations[command.state_name] = invocation + 1
            outcome = case.outcome(command.state_name, invocation)
            for answer in mocked_events(command.target, command.task_id, outcome, self.runner.clock):
                self.inbox.put(answer)
            return
        if self.pool is None:
            self.pool = ThreadPoolExecutor(
                max_workers=self.runner.max_workers, thread_name_prefix="stepwell-task"
            )
        self.pool.submit(self._call, command)

    def _call(self, command: InvokeTask) -> None:
        event = call_outcome(
            self.runner.invokers, task_call(command), command.task_id, self.runner.clock, callbacks=False
        )
        self.inbox.put(event)
