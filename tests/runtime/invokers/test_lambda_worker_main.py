"""One Lambda worker: its log stream, an invocation served in process, and the real worker process
speaking the length-prefixed pickle protocol over a socket pair."""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import socket
import subprocess
import sys
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from stepwell.runtime.invokers.lambda_worker_main import PrefixedLog, Worker

FUNCTIONS = """
import logging

def echo(event, context):
    print("echo got", event["n"])
    return {"n": event["n"], "name": context.function_name, "group": context.log_group_name}

def fail(event, context):
    raise ValueError("no good")

def unmarshallable(event, context):
    return {1, 2}

echo.timeout = 3
echo.memory_size = 256
"""


def read_all(fd: int) -> str:
    chunks: list[bytes] = []
    while True:
        data = os.read(fd, 65536)
        if not data:
            return b"".join(chunks).decode()
        chunks.append(data)


def test_whole_lines_go_out_prefixed_and_a_tail_is_captured() -> None:
    read, write = os.pipe()
    log = PrefixedLog(write)
    log.prefix = "[fn] "
    log.write("one\ntw")
    log.capture = []
    log.write("o\nthree")
    log.flush()
    captured = log.capture
    os.close(write)
    assert read_all(read) == "[fn] one\n[fn] two\n[fn] three\n"
    assert captured == ["two\n", "three\n"]
    assert log.writable()


def test_a_closed_stderr_loses_the_output_not_the_call() -> None:
    read, write = os.pipe()
    os.close(read)
    os.close(write)
    PrefixedLog(write).write("lost\n")


@pytest.fixture
def functions(tmp_path: Path) -> Path:
    path = tmp_path / "funcs.py"
    path.write_text(FUNCTIONS, encoding="utf-8")
    return path


def test_an_invocation_served_in_process(functions: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))  # the worker adds the module's folder
    read, write = os.pipe()
    log = PrefixedLog(write)
    worker = Worker(None, log)  # type: ignore[arg-type]
    catalog = worker.load([str(functions)], 0)
    assert catalog == {
        "echo": {"timeout": 3.0, "memory": 256.0},
        "fail": {"timeout": None, "memory": None},
        "unmarshallable": {"timeout": None, "memory": None},
    }
    arn = "arn:aws:lambda:us-east-1:123456789012:function:echo"
    # Memory 0: no RLIMIT_AS is set on this (the test's) process.
    with contextlib.redirect_stdout(log):  # what the worker process does with print() at start
        ok, text, retire, tail = worker.serve(("echo", "req-1", json.dumps({"n": 5}), None, 0, arn, True))
    assert (ok, retire) == (True, False)
    assert json.loads(text) == {"n": 5, "name": "echo", "group": "/aws/lambda/echo"}
    assert tail == "echo got 5\n"
    ok, text, retire, tail = worker.serve(("fail", "req-2", "{}", None, 0, arn, False))
    assert (ok, retire, tail) == (False, False, None)
    body = json.loads(text)
    assert (body["errorType"], body["errorMessage"], body["requestId"]) == ("ValueError", "no good", "req-2")
    ok, text, _, _ = worker.serve(("unmarshallable", "req-3", "{}", None, 0, arn, False))
    assert not ok and json.loads(text)["errorType"] == "Runtime.MarshalError"
    os.close(write)
    assert read_all(read) == "[echo] echo got 5\n"


@pytest.fixture
def worker_process(functions: Path) -> Iterator[tuple[Connection, subprocess.Popen[bytes]]]:
    ours, theirs = socket.socketpair()
    process = subprocess.Popen(
        [sys.executable, "-m", "stepwell.runtime.invokers.lambda_worker_main", str(theirs.fileno())],
        pass_fds=(theirs.fileno(),),
        stderr=subprocess.PIPE,
    )
    theirs.close()
    conn = Connection(ours.detach())
    try:
        yield conn, process
    finally:
        conn.close()
        process.wait(timeout=10)
        assert process.stderr is not None
        process.stderr.close()


def test_the_worker_process_protocol(
    worker_process: tuple[Connection, subprocess.Popen[bytes]], functions: Path
) -> None:
    conn, process = worker_process
    conn.send_bytes(pickle.dumps(("load", [str(functions)], 0)))
    kind, catalog = pickle.loads(conn.recv_bytes())
    assert kind == "ready" and set(catalog) == {"echo", "fail", "unmarshallable"}
    conn.send_bytes(pickle.dumps(("echo", "req-1", '{"n": 7}', None, 0, "arn", False)))
    ok, text, retire, log = pickle.loads(conn.recv_bytes())
    assert (ok, json.loads(text)["n"], retire, log) == (True, 7, False, None)
    conn.close()  # the server closes the pool: the worker exits cleanly
    assert process.wait(timeout=10) == 0
    assert process.stderr is not None
    assert b"[echo] echo got 7\n" in process.stderr.read()


def test_a_module_that_does_not_load_is_reported(
    worker_process: tuple[Connection, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    conn, process = worker_process
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('cannot start')\n", encoding="utf-8")
    conn.send_bytes(pickle.dumps(("load", [str(broken)], 0)))
    assert pickle.loads(conn.recv_bytes()) == ("failed", "RuntimeError: cannot start")
    assert process.wait(timeout=10) == 1
