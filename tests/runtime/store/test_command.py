"""``stepwell db migrate`` and ``stepwell db purge``, as a user runs them."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from stepwell.runtime.store import open_store
from stepwell.runtime.store.command import duration
from stepwell.runtime.store.migrations import migrations
from stepwell.runtime.store.records import ExecutionRecord, MachineRecord

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:m"


def db(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stepwell.cli", "db", *args], capture_output=True, text=True, timeout=60
    )


def test_migrate_creates_the_schema_then_has_nothing_left(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    first = db("migrate", "--db", str(path))
    numbers = ", ".join(str(number) for number, _, _ in migrations("sqlite"))
    assert (first.returncode, first.stdout) == (0, f"{path}: applied migrations {numbers}\n")
    again = db("migrate", "--db", str(path))
    assert (again.returncode, again.stdout) == (0, f"{path}: up to date\n")


def test_migrate_says_plainly_when_the_database_is_unusable(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    failed = db("migrate", "--db", str(junk))
    assert failed.returncode == 2 and "junk.db" in failed.stderr and "Traceback" not in failed.stderr
    unreachable = db("migrate", "--db", "postgresql://nobody:secret@127.0.0.1:1/nothing")
    assert unreachable.returncode == 2
    assert "secret" not in unreachable.stderr and "127.0.0.1:1" in unreachable.stderr


def _closed(arn: str, stopped: float) -> ExecutionRecord:
    return ExecutionRecord(
        arn=arn, state_machine_arn=MACHINE, name=arn.rsplit(":", 1)[-1], status="SUCCEEDED", input="{}",
        started=stopped - 1, definition="{}", role_arn="r", revision_id="1", output="{}", stopped=stopped,
    )  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_purge_deletes_closed_executions_older_than_the_age(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    location = str(tmp_path / "p.db") if backend == "sqlite" else request.getfixturevalue("postgres_url")
    store = open_store(location)
    store.open()
    now = time.time()
    with store.writer.transaction() as tx:
        tx.insert_machine(MachineRecord(MACHINE, "m", "STANDARD", "ACTIVE", "{}", "r", "{}", "1", now, now))
        tx.insert_execution(_closed(f"{MACHINE}:old", now - 100 * 86400), None)
        tx.append_history(f"{MACHINE}:old", [{"id": 1, "type": "ExecutionStarted", "previousEventId": 0}])
        tx.insert_execution(_closed(f"{MACHINE}:recent", now - 3600), None)
    store.close()
    purged = db("purge", "--older-than", "90d", "--db", location)
    assert purged.returncode == 0 and purged.stdout.endswith(": purged 1 closed execution\n"), purged
    store.open()
    assert store.reader.execution(f"{MACHINE}:old") is None
    assert store.reader.history(f"{MACHINE}:old", 0, 10, False) == []
    assert store.reader.execution(f"{MACHINE}:recent") is not None
    store.close()


def test_ages_read_as_a_number_and_a_unit() -> None:
    assert [duration(t) for t in ("90d", "12h", "30m", "45s", "1.5h")] == [7776000, 43200, 1800, 45, 5400]
    with pytest.raises(Exception, match="is not an age"):
        duration("90 days")
