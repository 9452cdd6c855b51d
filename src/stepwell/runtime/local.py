"""The in-process runner: ``stepwell run``, Express executions and the in-process conformance suite.

It has no loop of its own: an execution runs through the server's driver (``Batch`` over a
``MemoryStore`` of its own, the executor's loop run in the caller's thread: group commit, timers,
after-commit actions), so there is one interpretation of ``advance``'s commands. What differs is
said by the Runtime it builds: no callbacks (a ``.waitForTaskToken`` or activity task fails at
once unless a callable stands in), no nested executions of its own (states:startExecution goes
to the invokers), no history limit for Express, and a pause after each used-up step budget when
asked (Express executions on a server's threads).

Wait states and retry back-offs really wait, scaled by ``wait_time_scale`` (Step Functions
Local's WAIT_TIME_SCALE: 0 makes every wait instant). Task calls run on worker threads, so a Map
of tasks runs them concurrently and a task's TimeoutSeconds can expire while it runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stepwell import arns
from stepwell.asl.model import StateMachine
from stepwell.engine.commands import Finish
from stepwell.engine.events import ExecutionInfo
from stepwell.runtime.batch import Batch
from stepwell.runtime.clock import now as clock_now
from stepwell.runtime.executor import Executor
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.invokers.router import Invokers
from stepwell.runtime.mocks import MockConfig, TestCase
from stepwell.runtime.observers import Observer
from stepwell.runtime.runtime import Runtime
from stepwell.runtime.store.memory import MemoryStore
from stepwell.runtime.store.records import MachineRecord

DEFAULT_ACCOUNT = arns.DEFAULT_ACCOUNT
DEFAULT_REGION = arns.DEFAULT_REGION


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
    if machine_type == "EXPRESS":  # Express names may repeat: AWS appends a uuid
        unique = f"{_seed()[:8]}-{_seed()[:4]}"
        execution_arn = arns.express_execution_arn(region, account, machine_name, execution_name, unique)
    else:
        execution_arn = arns.execution_arn(region, account, machine_name, execution_name)
    return ExecutionInfo(
        execution_arn=execution_arn,
        machine_type=machine_type,
        name=execution_name,
        state_machine_arn=arns.state_machine_arn(region, account, machine_name),
        state_machine_name=machine_name,
        role_arn=arns.role_arn(account),
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
        observers: list[Observer] | None = None,
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
        # Told each step after its commit (runtime/observers.py): a server's metrics and execution
        # logs see its Express executions here, the only place their events exist.
        self.observers = observers or []

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
        revision_id: str = "",
    ) -> ExecutionResult:
        """Run one execution whose identity (ARN, names, type, start time) the caller chose.
        ``revision_id``: the stored revision it runs (a server's Express execution), which its
        observers are told (a machine's logging configuration is the revision's)."""
        revision_id = revision_id or LOCAL_REVISION
        finished: list[Finish] = []
        runtime = self._runtime(info, lambda arn, finish: finished.append(finish))
        runtime.pin(revision_id, machine)
        store = MemoryStore()
        executor = Executor(store, runtime)
        case = self.test_case

        def start(batch: Batch) -> None:
            batch.db.insert_machine(machine_record(info, revision_id))
            test_case = None if case is None else case.name
            batch.start(
                info,
                machine,
                execution_input,
                input_text=input_text,
                definition="",
                revision_id=revision_id,
                test_case=test_case,
            )

        executor.enqueue(start)  # its failure is raised by run_here (a runner's name is never taken)
        try:
            executor.run_here(lambda: bool(finished))
        finally:
            runtime.release_threads()
        done = finished[0]
        return ExecutionResult(
            status=done.status,
            output=done.output,
            error=done.error,
            cause=done.cause,
            events=store.reader.history(info.execution_arn, 0, ALL_EVENTS, False),
            execution_arn=info.execution_arn,
        )

    def _runtime(self, info: ExecutionInfo, on_finish: Callable[[str, Finish], None]) -> Runtime:
        case = self.test_case
        mocks = None
        if case is not None:  # looked up as the server looks a test case up: by machine and name
            mocks = MockConfig("the test case given", {(info.state_machine_name, case.name): case})
        return Runtime(
            wait_time_scale=self.wait_time_scale,
            history_limit=None if info.machine_type == "EXPRESS" else 25_000,  # Express keeps no history
            functions=self.functions,
            invokers=self.invokers,
            mocks=mocks,
            clock=self.clock,
            function_workers=self.max_workers,
            callbacks=False,
            nested_executions=False,
            pause_seconds=self.pause_seconds,
            on_finish=on_finish,
            observers=self.observers,
            snapshots={},  # nothing reads this run's store but itself: snapshots stay objects
        )


LOCAL_REVISION = "in-process"  # the revision id of the one machine a runner's store holds
ALL_EVENTS = 1 << 62


def machine_record(info: ExecutionInfo, revision_id: str) -> MachineRecord:
    """The one machine of a runner's store (its executions stop if their machine is gone)."""
    return MachineRecord(
        arn=info.state_machine_arn,
        name=info.state_machine_name,
        type=info.machine_type,
        status="ACTIVE",
        definition="",  # given parsed: Runtime.pin
        role_arn=info.role_arn,
        config="{}",
        revision_id=revision_id,
        created=info.start_time,
        updated=info.start_time,
    )
