"""What the durable runtime is configured with and shares between its parts."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stepwell import arns
from stepwell.asl.model import StateMachine
from stepwell.asl.parse import parse_definition
from stepwell.engine.commands import Finish
from stepwell.engine.snapshot import Snapshot
from stepwell.runtime.clock import now as clock_now
from stepwell.runtime.dispatch import Dispatcher
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.invokers.base import TaskCall
from stepwell.runtime.invokers.router import Invokers
from stepwell.runtime.mocks import MockConfig, TestCase, UnknownTestCase
from stepwell.runtime.observers import Observer
from stepwell.runtime.status_outbox import StatusEvents

if TYPE_CHECKING:
    from stepwell.metrics import Metrics

KEPT_BY_DRIVER = b""  # the snapshot a store holds when Runtime.snapshots keeps the real one


@dataclass
class Runtime:
    account: str = arns.DEFAULT_ACCOUNT
    region: str = arns.DEFAULT_REGION
    wait_time_scale: float = 1.0
    # The longest wait between two polls of a .sync job (runtime/sync_jobs.py).
    sync_poll_seconds: float = 10.0
    history_limit: int | None = 25_000
    functions: FunctionRegistry = field(default_factory=FunctionRegistry)
    invokers: Invokers | None = None  # None: the functions alone
    mocks: MockConfig | None = None
    dispatcher: Dispatcher | None = None  # set by the executor that sends the calls (dispatch.py)
    clock: Callable[[], float] = clock_now
    function_workers: int = 32
    node_lease: float = 15.0  # seconds: a node that has not renewed its lease for this long is dead
    # Called (from any thread) when an activity may have a task for its pollers.
    activity_listeners: list[Callable[[str], None]] = field(default_factory=list)
    # What the driver can do besides calling invokers. A server receives callbacks (SendTask*,
    # activity workers) and starts nested executions in its store; the in-process runner does
    # neither: its .waitForTaskToken and activity tasks fail with outcomes.py's refusal (unless a
    # callable stands in) and its states:startExecution tasks go to the invokers.
    callbacks: bool = True
    nested_executions: bool = True
    # Slept (after the commit) each time a step used up its budget: an Express execution that
    # loops without end on a thread of the server leaves the API and the executor room to run.
    pause_seconds: float = 0.0
    # Called after the commit with each execution that ended in it (the in-process runner's result).
    on_finish: Callable[[str, Finish], None] | None = None
    # Execution ARN -> (version, snapshot) as last committed, kept by a driver whose store nothing
    # else reads (the in-process runner's MemoryStore): Batch neither encodes its snapshots as
    # JSON nor decodes them, and the store holds the empty KEPT_BY_DRIVER in their place.
    snapshots: dict[str, tuple[int, Snapshot]] | None = None
    # Execution ARN -> (version, snapshot) of executions that will be stepped again soon and are
    # dear to decode: one whose step used up its budget (it goes on at once), or whose stored
    # snapshot is large (a Distributed Map's parent, stepped as its children end). Their next step
    # takes the snapshot from here rather than decode it again (batch.py); for a Map over a million
    # items that was most of the work, and of the memory.
    hot_snapshots: dict[str, tuple[int, Snapshot]] = field(default_factory=dict, repr=False)
    # What the server counts for GET /metrics (stepwell/metrics.py; the executions' metrics are
    # counted by one of the observers); None: nothing is counted.
    metrics: Metrics | None = None
    # Told each execution's step after its commit (runtime/observers.py): metrics, execution logs.
    observers: list[Observer] = field(default_factory=list)
    # Status-change events (runtime/status_outbox.py): written to the store's outbox in the
    # transaction of each change; None (no delivery configured): none, at no cost.
    status_events: StatusEvents | None = None
    _machines: dict[tuple[str, str], StateMachine] = field(default_factory=dict, repr=False)
    _pinned: dict[str, StateMachine] = field(default_factory=dict, repr=False)
    _pool: ThreadPoolExecutor | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.invokers is None:
            self.invokers = Invokers(self.functions)

    def invoke(self, call: TaskCall) -> Any:
        """Carry out one Task call (blocking; raises TaskError)."""
        assert self.invokers is not None  # set by __post_init__
        return self.invokers.invoke(call)

    def test_case(self, machine_name: str, case: str) -> TestCase:
        """The mocked test case ``case`` of the state machine (raises UnknownTestCase)."""
        if self.mocks is None:
            raise UnknownTestCase(
                f"The state machine ARN names the test case '{case}', but the server runs without a mock "
                "configuration (--mock-config or SFN_MOCK_CONFIG)"
            )
        return self.mocks.test_case(machine_name, case)

    def state_machine_arn(self, name: str) -> str:
        return arns.state_machine_arn(self.region, self.account, name)

    def execution_arn(self, machine_name: str, name: str) -> str:
        return arns.execution_arn(self.region, self.account, machine_name, name)

    def activity_arn(self, name: str) -> str:
        return arns.activity_arn(self.region, self.account, name)

    def pin(self, revision_id: str, machine: StateMachine) -> None:
        """A machine given parsed (the in-process runner's): executions whose revision id is
        ``revision_id`` run it, whatever their definition text says."""
        self._pinned[revision_id] = machine

    def machine(self, definition: str, machine_type: str, revision_id: str) -> StateMachine:
        """The parsed definition, parsed once per revision."""
        pinned = self._pinned.get(revision_id)
        if pinned is not None:
            return pinned
        key = (revision_id, machine_type)
        machine = self._machines.get(key)
        if machine is None:
            machine = parse_definition(definition, machine_type)
            if len(self._machines) > 1024:
                self._machines.clear()
            self._machines[key] = machine
        return machine

    @property
    def pool(self) -> ThreadPoolExecutor:
        """Threads for task calls (Python functions); never one per execution."""
        with self._lock:
            if self._pool is None:
                # A thread per call that can be under way (dispatch.py): none waits for a thread.
                threads = max(self.function_workers, self.dispatcher.threads_needed if self.dispatcher else 0)
                self._pool = ThreadPoolExecutor(threads, thread_name_prefix="stepwell-task")
            return self._pool

    def activity_ready(self, activity_arn: str) -> None:
        for listener in list(self.activity_listeners):
            listener(activity_arn)

    def release_threads(self) -> None:
        """Let the task threads go (calls still under way finish; their outcomes go nowhere)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        if self.invokers is not None:
            self.invokers.close()
        self.release_threads()
