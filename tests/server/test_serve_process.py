"""`stepwell serve` as a process: what it logs (start-up, stop, one access line per request), how it
refuses to start, and how it stops (SIGTERM / SIGINT with long polls open)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.server.process import ServerProcess, free_port
from tests.server.support import aws_error, create_machine

SECRET = "s3cr3t-in-a-body"  # must never reach the log


def log_lines(server: ServerProcess) -> list[str]:
    return server.log.read_text().splitlines()


def access_lines(server: ServerProcess) -> list[str]:
    return [line for line in log_lines(server) if " stepwell.access " in line]


def test_start_and_stop_are_logged_at_info_and_each_request_once(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "stepwell.db").start()
    sfn = server.client()
    sfn.list_state_machines()
    machine = create_machine(sfn, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    sfn.start_execution(stateMachineArn=machine, input=json.dumps({"password": SECRET}))
    with aws_error("InvalidToken"):
        sfn.send_task_success(taskToken=SECRET, output="{}")
    with urllib.request.urlopen(f"{server.endpoint}/?status=RUNNING&token={SECRET}") as page:
        assert page.status == 200
    assert server.stop() == 0

    lines = log_lines(server)
    database = (tmp_path / "stepwell.db").resolve()
    assert re.fullmatch(
        rf"\S+ \S+ stepwell INFO stepwell listening on http://127\.0\.0\.1:{server.port} "
        rf"\(database {re.escape(str(database))}, account 123456789012, region us-east-1\)",
        lines[0],
    )
    assert lines[-2].endswith(" stepwell INFO stepwell stopping")
    assert lines[-1].endswith(" stepwell INFO stepwell stopped")
    # client, principal, method, path (never the query), operation, status, duration, request id
    logged = [line.split(" stepwell.access INFO ", 1)[1] for line in access_lines(server)]
    pattern = r"127\.0\.0\.1 - (POST / \w+|GET / -) (\d{3}) \d+\.\d\d ms (-|[0-9a-f-]{36})"
    assert all(re.fullmatch(pattern, line) for line in logged), logged
    shapes = [re.sub(r" \d+\.\d\d ms ", " ", line) for line in logged]
    ids = [line.rsplit(" ", 1)[1] for line in shapes]
    assert [line.rsplit(" ", 1)[0] for line in shapes] == [
        "127.0.0.1 - POST / ListStateMachines 200",
        "127.0.0.1 - POST / CreateStateMachine 200",
        "127.0.0.1 - POST / StartExecution 200",
        "127.0.0.1 - POST / SendTaskSuccess 400",
        "127.0.0.1 - GET / - 200",
    ]
    assert len(set(ids[:4])) == 4 and ids[4] == "-"  # every API reply its own id; none for a page
    assert SECRET not in server.log.read_text()


def test_access_lines_are_written_while_the_server_runs(tmp_path: Path) -> None:
    """Batched (one write per request would cost the event loop the GIL), but at most 0.1 s late."""
    server = ServerProcess(tmp_path / "stepwell.db").start()
    server.client().list_activities()
    answered = time.monotonic()
    while not access_lines(server) and time.monotonic() - answered < 5:
        time.sleep(0.01)
    written = time.monotonic() - answered
    server.stop()
    assert access_lines(server) and written < 1.0, written


def test_the_access_log_keeps_one_request_on_one_line(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "stepwell.db").start()
    request = urllib.request.Request(
        f"{server.endpoint}/", data=b"{}", headers={"X-Amz-Target": "AWSStepFunctions.Forged 200 0.01 ms"}
    )
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request)
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{server.endpoint}/a%0Ab%20c")
    server.stop()
    logged = [line.split(" stepwell.access INFO ", 1)[1] for line in access_lines(server)]
    assert [re.sub(r" \d+\.\d\d ms \S+$", "", line) for line in logged] == [
        r"127.0.0.1 - POST / Forged\x20200\x200.01\x20ms 400",
        "127.0.0.1 - GET /a%0Ab%20c - 404",
    ]


@pytest.mark.parametrize(
    ("options", "start_logged", "access_logged"),
    [(["--no-access-log"], True, False), (["--log-level", "warning"], False, False)],
)
def test_the_log_level_and_the_access_log_are_options(
    tmp_path: Path, options: list[str], start_logged: bool, access_logged: bool
) -> None:
    server = ServerProcess(tmp_path / "stepwell.db", extra=options).start()
    server.client().list_state_machines()
    assert server.stop() == 0
    text = server.log.read_text()
    assert ("stepwell listening on" in text) is start_logged
    assert bool(access_lines(server)) is access_logged


def _poll(server: ServerProcess, activity: str) -> tuple[dict[str, Any], float]:
    response = server.client().get_activity_task(activityArn=activity, workerName="worker")
    return response, time.monotonic()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_answers_open_long_polls_and_stops_at_once(tmp_path: Path, signum: int) -> None:
    """GetActivityTask holds a poll up to 60 s; a stopping server answers it as on timeout (no
    task) and exits cleanly: status 0, no traceback, no cancelled request, within about a second."""
    server = ServerProcess(tmp_path / "stepwell.db").start()
    sfn = server.client()
    first = sfn.create_activity(name="first")["activityArn"]
    second = sfn.create_activity(name="second")["activityArn"]
    with ThreadPoolExecutor(3) as threads:
        polls = [threads.submit(_poll, server, arn) for arn in (first, first, second)]
        time.sleep(1.0)  # the polls are held by the server
        assert not any(poll.done() for poll in polls)
        assert server.process is not None
        signalled = time.monotonic()
        server.process.send_signal(signum)
        status = server.process.wait(10)
        stopped = time.monotonic() - signalled
        answers = [poll.result(timeout=10) for poll in polls]
    assert status == 0
    assert stopped < 1.5, stopped
    for response, answered in answers:
        assert not response.get("taskToken") and not response.get("input"), response
        assert answered - signalled < 1.5
    text = server.log.read_text()
    for trouble in ("Traceback", "ERROR", "Cancel", "KeyboardInterrupt"):
        assert trouble not in text, text
    assert text.rstrip().endswith("stepwell INFO stepwell stopped")
    assert len([line for line in access_lines(server) if " GetActivityTask 200 " in line]) == 3


def test_a_signal_ends_the_consoles_live_streams_cleanly(tmp_path: Path) -> None:
    """A console page following a running execution holds a text/event-stream open until the
    execution ends; stopping the server ends it as a stream ends, at once and without a traceback."""
    server = ServerProcess(tmp_path / "stepwell.db").start()
    sfn = server.client()
    waiting = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}
    machine = create_machine(sfn, waiting, name="waits")
    sfn.start_execution(stateMachineArn=machine, name="long")
    stream = urllib.request.urlopen(f"{server.endpoint}/executions/waits/long/stream", timeout=10)
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    assert stream.readline().startswith(b"id: ")  # the first update has arrived: the stream is open
    assert server.process is not None
    signalled = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    rest = stream.read()  # to the end of the stream: the server ended it (no IncompleteRead)
    ended = time.monotonic() - signalled
    assert server.process.wait(10) == 0
    stopped = time.monotonic() - signalled
    assert b"event: update" in rest
    assert ended < 1.5 and stopped < 1.5, (ended, stopped)
    text = server.log.read_text()
    assert "Traceback" not in text and "ERROR" not in text, text


def test_serve_says_plainly_that_a_functions_path_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.py"
    db = tmp_path / "stepwell.db"
    args = ["serve", "--port", str(free_port()), "--db", str(db), "--functions", str(missing)]
    done = subprocess.run(
        [sys.executable, "-m", "stepwell.cli", *args], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 2  # as every start-up error (port taken, database unusable, ...)
    assert done.stderr.endswith(f"stepwell: cannot load functions from {missing}: no such file or folder\n")
    assert "listening" not in done.stderr
    assert not db.exists()


def test_json_logs_are_one_object_per_line_with_the_access_fields_by_name(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "stepwell.db", extra=["--log-format", "json"]).start()
    sfn = server.client()
    listed = sfn.list_state_machines()
    with aws_error("InvalidToken"):
        sfn.send_task_success(taskToken=SECRET, output="{}")
    assert server.stop() == 0
    records = [json.loads(line) for line in server.log.read_text().splitlines() if line.strip()]
    assert records[0]["logger"] == "stepwell" and records[0]["level"] == "INFO"
    assert records[0]["message"].startswith(f"stepwell listening on http://127.0.0.1:{server.port}")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", records[0]["time"])
    access = [r for r in records if r["logger"] == "stepwell.access"]
    assert [(r["method"], r["path"], r["operation"], r["status"]) for r in access] == [
        ("POST", "/", "ListStateMachines", 200),
        ("POST", "/", "SendTaskSuccess", 400),
    ]
    assert all(r["client"] == "127.0.0.1" and r["duration_ms"] >= 0 for r in access)
    assert all(r["principal"] == "-" and len(r["request_id"]) == 36 for r in access)
    assert access[0]["request_id"] == listed["ResponseMetadata"]["RequestId"]  # the reply's own
    assert records[-1]["message"] == "stepwell stopped"
    assert SECRET not in server.log.read_text()
