"""``stepwell db backup``: a consistent copy of a live SQLite database, taken while a real server
keeps committing executions into it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from stepwell.cli import main
from stepwell.runtime.store.sqlite import SqliteStore
from tests.server.process import ServerProcess
from tests.server.support import create_machine, wait_for

CHAIN = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Succeed"},
    },
}
# Inputs of 200 KB: a database of some megabytes, copied in several steps of the backup.
BULK = json.dumps({"padding": "x" * 200_000})


def backup(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stepwell.cli", "db", "backup", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_backup_taken_while_the_server_runs_holds_what_was_committed_before_it(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    server = ServerProcess(live).start()
    try:
        sfn = server.client()
        machine = create_machine(sfn, CHAIN)
        before = [sfn.start_execution(stateMachineArn=machine, input=BULK)["executionArn"] for _ in range(40)]
        for arn in before:
            assert wait_for(sfn, arn)["status"] == "SUCCEEDED"
        # The server keeps committing while the copy is made: a backup in plain steps would start
        # again after every one of these commits and never end.
        stop = threading.Event()
        during: list[str] = []

        def keep_starting() -> None:
            client = server.client()
            while not stop.is_set():
                during.append(client.start_execution(stateMachineArn=machine, input=BULK)["executionArn"])

        load = [threading.Thread(target=keep_starting) for _ in range(3)]
        for thread in load:
            thread.start()
        try:
            copied = backup(str(tmp_path / "copy.db"), "--db", str(live))
        finally:
            stop.set()
            for thread in load:
                thread.join()
        assert copied.returncode == 0, copied.stderr
        assert copied.stdout.startswith(f"{live}: backed up to {tmp_path / 'copy.db'} (")
    finally:
        server.stop()

    copy = tmp_path / "copy.db"
    with sqlite3.connect(copy) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert not copy.with_name("copy.db-wal").exists()  # one self-contained file
    store = SqliteStore(copy)
    assert store.open() == []  # the schema is the live one's, whole
    try:
        for arn in before:
            record = store.reader.execution(arn)
            assert record is not None and record.status == "SUCCEEDED"
            events = store.reader.history(arn, 0, 100, False)
            assert [e["type"] for e in events][-1] == "ExecutionSucceeded"
        # What the copy holds of the executions started during it is one moment's picture: an
        # execution and its history agree.
        for arn in during:
            record = store.reader.execution(arn)
            if record is None:
                continue
            ended = [e["type"] for e in store.reader.history(arn, 0, 100, False)][-1] == "ExecutionSucceeded"
            assert ended == (record.status == "SUCCEEDED"), arn
    finally:
        store.close()


def test_an_existing_file_is_replaced_only_when_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = tmp_path / "live.db"
    SqliteStore(live).open()
    target = tmp_path / "copy.db"
    target.write_text("precious")
    assert main(["db", "backup", str(target), "--db", str(live)]) == 2
    assert "exists: give --force to replace it" in capsys.readouterr().err
    assert target.read_text() == "precious"
    assert main(["db", "backup", str(target), "--db", str(live), "--force"]) == 0
    with sqlite3.connect(target) as raw:
        assert raw.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] > 0
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_what_cannot_be_backed_up_is_refused_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = str(tmp_path / "copy.db")
    assert main(["db", "backup", target, "--db", "postgresql://u:secret@127.0.0.1:5432/sfn"]) == 2
    err = capsys.readouterr().err
    assert "pg_dump" in err and "secret" not in err
    assert main(["db", "backup", target, "--db", str(tmp_path / "missing.db")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()  # not created by the attempt
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as raw:
        raw.execute("CREATE TABLE t (x)")
    assert main(["db", "backup", target, "--db", str(other)]) == 2
    assert "is not a stepwell database" in capsys.readouterr().err
    assert not Path(target).exists()
