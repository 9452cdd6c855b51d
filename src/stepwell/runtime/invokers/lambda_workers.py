"""Lambda-compatible Python functions, run in a pool of worker processes isolated from the server.

``LambdaWorkers(paths)`` loads every top-level ``handler(event, context)`` of the given Python files
(and of every .py file in the given directories) in each worker, and answers the Lambda resource forms
(``arn:aws:lambda:…:function:f[:qualifier]``, ``arn:aws:states:::lambda:invoke[.waitForTaskToken]``)
with the same results and failures as the in-thread FunctionRegistry (see lambda_shapes.py), plus what
only a process boundary gives: a per-function timeout (the worker is killed and replaced, and the task
fails with Lambda's ``Sandbox.Timedout``), a memory limit (RLIMIT_AS; ``Runtime.OutOfMemory``), and a
runtime that dies mid-call (``os._exit``, a segfault, SIGKILL) fails with ``Runtime.ExitError``.

Why subprocess + a socket pair rather than multiprocessing.Pool / ProcessPoolExecutor: a pool whose
worker dies is broken as a whole (BrokenProcessPool) and cannot kill one task on a timeout; and the
"spawn" start method re-imports the server's ``__main__`` in every child. Here each worker is
``python -m stepwell.runtime.invokers.lambda_worker_main`` (fork+exec, so safe from a threaded server),
owned by one calling thread at a time: a call is one pickle each way over its own socket (~0.1 ms), and
a stuck or dead worker is dealt with alone. Workers start on demand (one at construction, to learn the
functions and fail fast on a module that does not load) up to ``size``, and are reused, LIFO.
"""

from __future__ import annotations

import json
import os
import pickle
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any

from stepwell.runtime.invokers.base import TaskCall, TaskError
from stepwell.runtime.invokers.lambda_shapes import (
    LambdaTarget,
    exit_payload,
    function_arn,
    function_error,
    invoke_response,
    lambda_target,
    log_tail,
    not_found_error,
    python_files,
    require_lambda,
    timeout_payload,
)

WORKER_MODULE = "stepwell.runtime.invokers.lambda_worker_main"
STOP_GRACE_SECONDS = 2.0
Catalog = dict[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class FunctionSettings:
    """One function's configuration; None falls back to the handler's ``timeout`` / ``memory_size``
    attributes, then to the pool's defaults."""

    timeout_seconds: float | None = None
    memory_mb: int | None = None


class WorkerDied(Exception):
    """The worker process ended before it answered."""


class WorkerProcess:
    """One worker: its process and the server's end of its socket pair."""

    def __init__(self, process: subprocess.Popen[bytes], conn: Connection):
        self.process = process
        self.conn = conn
        # one poll object for the worker's life (Connection.poll builds a selector per call)
        self.poller = select.poll()
        self.poller.register(conn.fileno(), select.POLLIN)

    def ask(self, message: bytes, timeout: float | None) -> Any:
        """Send a message, wait for the reply; None when ``timeout`` passes first."""
        try:
            self.conn.send_bytes(message)
            if not self.poller.poll(None if timeout is None else max(0, int(timeout * 1000))):
                return None
            return pickle.loads(self.conn.recv_bytes())
        except (EOFError, OSError) as died:
            raise WorkerDied() from died

    def kill(self) -> None:
        """SIGKILL the worker and anything it started (it leads its own process group)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except OSError:
            self.process.kill()

    def reap(self, grace: float = STOP_GRACE_SECONDS) -> int:
        """Wait for the process to end (killing it after ``grace``); its return code."""
        try:
            return self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.process.wait()
        finally:
            self.conn.close()

    def exit_reason(self) -> tuple[int | None, str | None]:
        """(exit status, signal name) as Lambda words a runtime exit: "killed", "segmentation fault"."""
        code = self.reap()
        if code < 0:
            name = signal.strsignal(-code) or f"signal {-code}"
            return None, name.lower()
        return code, None


class LambdaWorkers:
    """An Invoker for Lambda resources, backed by worker processes.

    ``paths``: Python files and directories of functions. ``size``: most workers at once (default: the
    CPU count). ``timeout_seconds`` / ``memory_mb``: defaults for every function; ``settings`` per
    function. ``region`` / ``account`` word ARNs and ResourceNotFoundException. ``stderr``: where the
    functions' output goes (default: the server's stderr). ``prestart``: start all workers now."""

    def __init__(
        self,
        paths: Iterable[str | Path],
        *,
        size: int | None = None,
        timeout_seconds: float = 60.0,
        memory_mb: int = 512,
        settings: Mapping[str, FunctionSettings] | None = None,
        region: str = "us-east-1",
        account: str = "123456789012",
        stderr: int | IO[Any] | None = None,
        startup_timeout: float = 60.0,
        prestart: bool = False,
    ):
        self.paths = [str(p) for p in python_files(tuple(paths))]
        self.size = max(1, size or os.cpu_count() or 1)
        self.timeout_seconds = timeout_seconds
        self.memory_mb = memory_mb
        self.settings = dict(settings or {})
        self.region = region
        self.account = account
        self.stderr = stderr
        self.startup_timeout = startup_timeout
        self._lock = threading.Condition()
        self._idle: list[WorkerProcess] = []
        self._all: set[WorkerProcess] = set()
        self._count = 1  # workers alive or starting (the first one starts below)
        self._closed = False
        self._finalizer = weakref.finalize(self, _kill_all, self._all)
        first, self._catalog = self._start()
        self._checkin(first)
        if prestart:
            self.warm()

    # --- the Invoker seam ------------------------------------------------------------------------

    @property
    def function_names(self) -> frozenset[str]:
        return frozenset(self._catalog)

    def has_function(self, name: str) -> bool:
        return name in self._catalog

    def invoke(self, call: TaskCall) -> Any:
        resource = call.resource
        require_lambda(resource, "Lambda workers")
        target = lambda_target(resource.base, call.payload)
        request_id = str(uuid.uuid4())
        if target.name not in self._catalog:
            raise not_found_error(target.name, self.region, self.account, request_id)
        timeout, memory = self.limits(target.name)
        budget = min(timeout, call.timeout_seconds) if call.timeout_seconds else timeout
        tail = target.parameters.get("LogType") == "Tail"
        arn = function_arn(target.target, self.region, self.account)
        event = json.dumps(target.event)
        worker = self._checkout()
        started = time.time()  # the function's time counts from here, not from the wait for a worker
        message = (target.name, request_id, event, started + budget, memory, arn, tail)
        reply = self._run(worker, pickle.dumps(message, pickle.HIGHEST_PROTOCOL), timeout, request_id, target)
        ok, text, _, log = reply
        if not ok:
            raise function_error(text, compact=target.wrap)
        result = json.loads(text)
        if not target.wrap:
            return result
        duration_ms = (time.time() - started) * 1000
        return invoke_response(
            result, request_id, log_result=log_tail(request_id, log, duration_ms, memory) if tail else None
        )

    def limits(self, name: str) -> tuple[float, int]:
        """(timeout in seconds, memory in MB) of a function."""
        chosen = self.settings.get(name, FunctionSettings())
        declared = self._catalog.get(name, {})
        timeout = chosen.timeout_seconds or declared.get("timeout") or self.timeout_seconds
        memory = chosen.memory_mb or declared.get("memory") or self.memory_mb
        return float(timeout), int(memory)

    def warm(self) -> None:
        """Start every worker the pool may use, so no call waits for one to start."""
        with self._lock:
            wanted = max(0, self.size - self._count)
            self._count += wanted
        for started in range(wanted):
            try:
                worker = self._start()[0]
            except BaseException:
                with self._lock:
                    self._count -= wanted - started
                    self._lock.notify_all()
                raise
            self._checkin(worker)

    def close(self) -> None:
        """Stop every worker: idle ones at once, busy ones by SIGKILL (their callers get an error)."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            busy = [w for w in self._all if w not in idle]
            self._lock.notify_all()
        for worker in idle:
            worker.conn.close()  # the worker reads EOF and exits
        for worker in busy:
            worker.kill()
        for worker in [*idle, *busy]:
            try:
                worker.process.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.process.wait()
        with self._lock:
            self._all.clear()
        self._finalizer.detach()

    def __enter__(self) -> LambdaWorkers:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- one call --------------------------------------------------------------------------------

    def _run(
        self, worker: WorkerProcess, message: bytes, timeout: float, request_id: str, target: LambdaTarget
    ) -> Any:
        try:
            reply = worker.ask(message, timeout)
        except WorkerDied:
            code, signal_name = worker.exit_reason()
            self._discard(worker)
            raise function_error(exit_payload(request_id, code, signal_name), compact=target.wrap) from None
        except BaseException:
            self._discard(worker, kill=True)
            raise
        if reply is None:  # timed out: Lambda stops the function's sandbox; so do we
            self._discard(worker, kill=True)
            raise function_error(timeout_payload(request_id, timeout), compact=target.wrap)
        if reply[2]:  # the worker retires (it ran out of memory)
            self._discard(worker)
        else:
            self._checkin(worker)
        return reply

    # --- the pool --------------------------------------------------------------------------------

    def _checkout(self) -> WorkerProcess:
        with self._lock:
            while True:
                if self._closed:
                    raise TaskError("States.TaskFailed", "The Lambda worker pool is closed.")
                if self._idle:
                    return self._idle.pop()
                if self._count < self.size:
                    self._count += 1
                    break
                self._lock.wait()
        try:
            return self._start()[0]
        except BaseException:
            with self._lock:
                self._count -= 1
                self._lock.notify()
            raise

    def _checkin(self, worker: WorkerProcess) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(worker)
                self._lock.notify()
                return
        self._discard(worker, kill=True)

    def _discard(self, worker: WorkerProcess, kill: bool = False) -> None:
        """Drop a worker (reaping its process); the next call that needs one starts a replacement."""
        if kill:
            worker.kill()
        worker.reap()
        with self._lock:
            self._all.discard(worker)
            self._count -= 1
            self._lock.notify()

    def _start(self) -> tuple[WorkerProcess, Catalog]:
        """A new worker with the functions loaded, and the functions it found."""
        ours, theirs = socket.socketpair()
        with theirs:
            process = subprocess.Popen(
                [sys.executable, "-m", WORKER_MODULE, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=self.stderr,
                stderr=self.stderr,
                env=_worker_environment(),
                start_new_session=True,  # Ctrl-C goes to the server, which closes the pool
            )
        worker = WorkerProcess(process, Connection(ours.detach()))
        with self._lock:
            self._all.add(worker)
        try:
            reply = worker.ask(pickle.dumps(("load", self.paths, self.memory_mb)), self.startup_timeout)
        except WorkerDied:
            reply = ("failed", f"the worker exited with status {worker.reap()} while loading the functions")
        if reply is None or reply[0] != "ready":
            worker.kill()
            worker.reap()
            with self._lock:
                self._all.discard(worker)
            reason = "it did not start in time" if reply is None else reply[1]
            raise RuntimeError(f"cannot load functions from {', '.join(self.paths) or '(none)'}: {reason}")
        return worker, reply[1]


def _worker_environment() -> dict[str, str]:
    """The server's environment, with stepwell importable even when it is not installed."""
    env = dict(os.environ)
    source = str(Path(__file__).resolve().parents[3])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH", "")) if p)
    return env


def _kill_all(workers: set[WorkerProcess]) -> None:
    """A pool dropped without close(): leave no processes behind."""
    for worker in list(workers):
        worker.kill()
        worker.process.wait()
