"""One Lambda worker process: loads the function modules, then runs one invocation at a time.

Started by lambda_workers.py as ``python -m stepwell.runtime.invokers.lambda_worker_main <fd>``, with
``<fd>`` one end of a socket pair. Messages are length-prefixed pickles (multiprocessing's
Connection framing):

    server -> worker   ("load", [module paths], memory_mb)     once, first
    worker -> server   ("ready", {name: {"timeout": s, "memory": mb}})  or ("failed", message)
    server -> worker   Invocation tuple (see ``serve``)         then one reply per invocation:
    worker -> server   (ok, text, retire, log)
        ok      True: text is the result as JSON; False: text is Lambda's error payload
        retire  the worker exits after this reply (its memory ran out), the server replaces it
        log     the invocation's output when LogType Tail asked for it, else None

Events and results cross as JSON text, as they cross a real Lambda function's boundary. Everything
the functions print (stdout and stderr, logging) goes to the server's stderr, each line prefixed with
the function's name; nothing a function prints can reach the reply channel.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import pickle
import resource
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from stepwell.runtime.invokers.lambda_shapes import (
    Handler,
    LambdaContext,
    load_handlers,
    marshal_error_payload,
    out_of_memory_payload,
    response_payload,
    runtime_error_payload,
)

ORPHAN_CHECK_SECONDS = 1.0


class PrefixedLog(io.TextIOBase):
    """A text stream writing whole lines to fd 2, each prefixed with ``[<function name>]``.

    A line goes out in one write, so lines from many workers interleave but never mix."""

    def __init__(self, fd: int):
        self.fd = fd
        self.prefix = "[lambda-worker] "
        self.partial = ""
        self.capture: list[str] | None = None  # LogType Tail: the invocation's lines, unprefixed

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        lines = (self.partial + text).split("\n")
        self.partial = lines.pop()
        if lines:
            self._emit(lines)
        return len(text)

    def flush(self) -> None:
        if self.partial:
            self._emit([self.partial])
            self.partial = ""

    def _emit(self, lines: list[str]) -> None:
        if self.capture is not None:
            self.capture.extend(line + "\n" for line in lines)
        data = "".join(f"{self.prefix}{line}\n" for line in lines).encode("utf-8", "replace")
        with contextlib.suppress(OSError):  # the server's stderr is gone; the function's output with it
            os.write(self.fd, data)


class Worker:
    def __init__(self, conn: Connection, log: PrefixedLog):
        self.conn = conn
        self.log = log
        self.handlers: dict[str, Handler] = {}
        self.default_memory_mb = 0
        self.memory_mb = 0  # the RLIMIT_AS currently set, in MB (0: none)
        self.stream = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{os.urandom(16).hex()}"

    def load(self, paths: list[str], memory_mb: int) -> dict[str, dict[str, Any]]:
        self.default_memory_mb = memory_mb
        catalog: dict[str, dict[str, Any]] = {}
        for path in paths:
            folder = str(Path(path).resolve().parent)
            if folder not in sys.path:  # sibling imports work, as from Lambda's task root
                sys.path.append(folder)
            self.log.prefix = f"[{Path(path).name}] "
            for name, handler in load_handlers(path).items():
                self.handlers[name] = handler
                catalog[name] = {
                    "timeout": _number(getattr(handler, "timeout", None)),
                    "memory": _number(getattr(handler, "memory_size", None)),
                }
        self.log.flush()
        return catalog

    def serve(self, invocation: tuple[Any, ...]) -> tuple[bool, str, bool, str | None]:
        name, request_id, event_json, deadline, memory_mb, arn, tail = invocation
        handler = self.handlers[name]
        self._limit_memory(memory_mb)
        context = LambdaContext(
            function_name=name,
            aws_request_id=request_id,
            deadline=deadline,
            memory_limit_in_mb=memory_mb,
            invoked_function_arn=arn,
            log_group_name=f"/aws/lambda/{name}",
            log_stream_name=self.stream,
        )
        self.log.prefix = f"[{name}] "
        self.log.capture = [] if tail else None
        try:
            ok, text, retire = self._call(handler, json.loads(event_json), context, request_id)
        except MemoryError:  # out of memory outside the handler (the event or the result was too big)
            self._limit_memory(0)
            ok, text, retire = False, out_of_memory_payload(request_id), True
        self.log.flush()
        captured, self.log.capture = self.log.capture, None
        return ok, text, retire, None if captured is None else "".join(captured)

    def _call(
        self, handler: Handler, event: Any, context: LambdaContext, request_id: str
    ) -> tuple[bool, str, bool]:
        try:
            answer = handler(event, context)
        except MemoryError:
            self._limit_memory(0)  # room to answer; the worker is replaced anyway, as Lambda's would be
            return False, out_of_memory_payload(request_id), True
        except Exception as exc:  # the function's failure, in the runtime's words
            return False, runtime_error_payload(exc, request_id), False
        try:
            return True, json.dumps(response_payload(answer)), False
        except (TypeError, ValueError) as exc:
            return False, marshal_error_payload(exc, request_id), False

    def _limit_memory(self, memory_mb: int) -> None:
        """RLIMIT_AS for this invocation (functions differ; the hard limit stays open to raise it)."""
        if memory_mb == self.memory_mb:
            return
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = memory_mb * 1024 * 1024 if memory_mb else hard
        if hard != resource.RLIM_INFINITY and soft != hard:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        self.memory_mb = memory_mb

    def run(self) -> None:
        while True:
            try:
                message = pickle.loads(self.conn.recv_bytes())
            except (EOFError, OSError):  # the server closed the pool, or died
                return
            reply = self.serve(message)
            self.conn.send_bytes(pickle.dumps(reply, pickle.HIGHEST_PROTOCOL))
            if reply[2]:  # retire
                return


def _number(value: Any) -> float | None:
    return (
        float(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
        else None
    )


def _exit_when_orphaned() -> None:
    """A worker whose server died (even by SIGKILL, mid-invocation) does not outlive it."""
    parent = os.getppid()
    while True:
        time.sleep(ORPHAN_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def _send_logs_to_stderr(log: PrefixedLog) -> None:
    """print() and logging go to the server's stderr; fd 1 too, for output written below Python."""
    os.dup2(2, 1)
    sys.stdout = log
    sys.stderr = log
    root = logging.getLogger()
    handler = logging.StreamHandler(log)
    handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(message)s"))
    root.addHandler(handler)


def main(argv: list[str]) -> int:
    conn = Connection(int(argv[0]))
    log = PrefixedLog(2)
    _send_logs_to_stderr(log)
    threading.Thread(target=_exit_when_orphaned, name="orphan-check", daemon=True).start()
    worker = Worker(conn, log)
    try:
        _, paths, memory_mb = pickle.loads(conn.recv_bytes())
        catalog = worker.load(paths, memory_mb)
    except (EOFError, OSError):
        return 0
    except BaseException as exc:  # a module that does not load: the server reports it and stops
        conn.send_bytes(pickle.dumps(("failed", f"{type(exc).__name__}: {exc}")))
        return 1
    conn.send_bytes(pickle.dumps(("ready", catalog)))
    worker.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
