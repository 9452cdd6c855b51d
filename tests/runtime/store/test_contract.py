"""The Store contract (runtime/store/protocol.py), one suite over every backend: memory, SQLite in a
temporary file, PostgreSQL in a fresh schema. Each test writes concrete values through
``writer.transaction()`` and reads them back, inside the transaction and through ``reader``."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable
from typing import Any

import pytest

from stepwell.runtime.store.migrations import DIALECTS, migrations, statements_of
from stepwell.runtime.store.protocol import Conflict, Store
from stepwell.runtime.store.records import (
    ActivityRecord,
    AliasRecord,
    ExecutionRecord,
    ExecutionSummary,
    MachineRecord,
    MapRunRecord,
    Parent,
    TaskRecord,
    TimerRecord,
    VersionRecord,
)

M = "arn:aws:states:us-east-1:123456789012:stateMachine:"
E = "arn:aws:states:us-east-1:123456789012:execution:"
A = "arn:aws:states:us-east-1:123456789012:activity:"


class Boom(Exception):
    """Raised inside a transaction to roll it back."""


def machine(name: str, status: str = "ACTIVE", **changes: Any) -> MachineRecord:
    record = MachineRecord(
        arn=M + name,
        name=name,
        type="STANDARD",
        status=status,
        definition='{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}',
        role_arn="arn:aws:iam::123456789012:role/r",
        config='{"loggingConfiguration":{"level":"OFF"}}',
        revision_id=f"rev-{name}",
        created=1700000000.25,
        updated=1700000000.25,
    )
    return dataclasses.replace(record, **changes)


def execution(name: str, machine_name: str = "m", **changes: Any) -> ExecutionRecord:
    record = ExecutionRecord(
        arn=f"{E}{machine_name}:{name}",
        state_machine_arn=M + machine_name,
        name=name,
        status="RUNNING",
        input='{"n":1}',
        started=1700000100.5,
        definition='{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}',
        role_arn="arn:aws:iam::123456789012:role/r",
        revision_id="rev-m",
    )
    return dataclasses.replace(record, **changes)


def task(token: str, execution_arn: str, task_id: str = "t1", **changes: Any) -> TaskRecord:
    record = TaskRecord(
        token=token,
        execution_arn=execution_arn,
        task_id=task_id,
        kind="function",
        resource="arn:aws:lambda:us-east-1:123456789012:function:f",
        payload='{"x":1}',
        status="queued",
        created=1700000200.0,
    )
    return dataclasses.replace(record, **changes)


def owned(store: Store, record: TaskRecord) -> TaskRecord:
    """The task as the store keeps it: a shared store writes the node that asked for it."""
    return dataclasses.replace(record, node=None if store.exclusive else store.node)


def events(first: int, last: int) -> list[dict[str, Any]]:
    return [
        {"id": i, "type": "PassStateEntered", "previousEventId": i - 1, "timestamp": 1700000000.5 + i}
        for i in range(first, last + 1)
    ]


def started(store: Store, *records: ExecutionRecord, snapshot: bytes = b'{"frames":[]}') -> None:
    with store.writer.transaction() as db:
        for record in records:
            db.insert_execution(record, snapshot if record.status == "RUNNING" else None)


# ---- state machines, activities, tags, settings ---------------------------------------------


def test_machines_are_kept_listed_in_arn_order_and_paged(store: Store) -> None:
    b, a, c, gone = machine("b"), machine("a"), machine("c"), machine("d", status="DELETING")
    with store.writer.transaction() as db:
        for record in (b, a, c, gone):
            db.insert_machine(record)
        assert db.state_machine(a.arn) == a  # inside the transaction: its own writes
    assert store.reader.state_machine(b.arn) == b
    assert store.reader.state_machine(M + "nope") is None
    assert store.reader.state_machines("", 10) == [a, b, c]  # ACTIVE ones only
    assert store.reader.state_machines("", 2) == [a, b]
    assert store.reader.state_machines(b.arn, 2) == [c]
    with store.writer.transaction() as db:
        db.update_machine(
            a.arn, definition='{"v":2}', role_arn="arn:role2", config="{}", revision_id="r2", updated=5.5
        )
        db.set_machine_status(b.arn, "DELETING")
    assert store.reader.state_machine(a.arn) == dataclasses.replace(
        a, definition='{"v":2}', role_arn="arn:role2", config="{}", revision_id="r2", updated=5.5
    )
    assert store.reader.state_machines("", 10) == [store.reader.state_machine(a.arn), c]


def test_activities_are_kept_and_listed_in_arn_order(store: Store) -> None:
    records = [
        ActivityRecord(A + name, name, '{"tags":[]}', 1700000000.0 + i) for i, name in enumerate("bca")
    ]
    with store.writer.transaction() as db:
        for record in records:
            db.insert_activity(record)
        db.set_tags(A + "a", {"k": "v"})
    by_name = {r.name: r for r in records}
    assert store.reader.activity(A + "c") == by_name["c"]
    assert store.reader.activity(A + "z") is None
    assert store.reader.activities("", 10) == [by_name["a"], by_name["b"], by_name["c"]]
    assert store.reader.activities(A + "a", 1) == [by_name["b"]]
    with store.writer.transaction() as db:
        db.delete_activity(A + "a")
    assert store.reader.activity(A + "a") is None
    assert store.reader.tags(A + "a") == {}
    assert store.reader.activities("", 10) == [by_name["b"], by_name["c"]]


def test_tags_are_set_replaced_deleted_and_read_in_key_order(store: Store) -> None:
    arn = M + "m"
    with store.writer.transaction() as db:
        db.set_tags(arn, {"b": "2", "a": "1", "c": "3"})
        assert db.tags(arn) == {"a": "1", "b": "2", "c": "3"}
    assert list(store.reader.tags(arn).items()) == [("a", "1"), ("b", "2"), ("c", "3")]
    with store.writer.transaction() as db:
        db.set_tags(arn, {"b": "two", "d": "4"})
        db.delete_tags(arn, ["a", "missing"])
    assert list(store.reader.tags(arn).items()) == [("b", "two"), ("c", "3"), ("d", "4")]
    assert store.reader.tags(M + "other") == {}


def test_a_setting_keeps_its_first_value(store: Store) -> None:
    assert store.reader.setting("secret") is None
    with store.writer.transaction() as db:
        db.add_setting("secret", "first")
        db.add_setting("secret", "second")
    with store.writer.transaction() as db:
        db.add_setting("secret", "third")
    assert store.reader.setting("secret") == "first"


def version(machine_arn: str, number: int, **changes: Any) -> VersionRecord:
    record = VersionRecord(
        machine_arn=machine_arn,
        number=number,
        revision_id=f"rev-{number}",
        definition='{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}',
        role_arn="arn:aws:iam::123456789012:role/r",
        config='{"loggingConfiguration":{"level":"OFF"}}',
        description=None,
        created=1700000000.5 + number,
    )
    return dataclasses.replace(record, **changes)


def test_versions_are_numbered_once_listed_newest_first_and_go_with_their_machine(store: Store) -> None:
    m, other = machine("m"), machine("o")
    with store.writer.transaction() as db:
        db.insert_machine(m)
        db.insert_machine(other)
        numbers = [db.next_version_number(m.arn) for _ in range(3)]
        assert numbers == [1, 2, 3] and db.next_version_number(other.arn) == 1
        for number in numbers:
            db.insert_version(version(m.arn, number, description="d" if number == 2 else None))
        db.insert_version(version(other.arn, 1))
        db.delete_version(m.arn, 3)
        assert db.next_version_number(m.arn) == 4  # a deleted version's number is not given again
    reader = store.reader
    assert reader.version(m.arn, 2) == version(m.arn, 2, description="d")
    assert reader.version(m.arn, 3) is None
    assert [v.number for v in reader.versions(m.arn, 1 << 62, 10)] == [2, 1]
    assert [v.number for v in reader.versions(m.arn, 2, 10)] == [1]
    assert [v.number for v in reader.versions(m.arn, 1 << 62, 1)] == [2]
    with pytest.raises(Boom), store.writer.transaction() as db:
        db.next_version_number(m.arn)
        db.insert_version(version(m.arn, 5))
        raise Boom
    with store.writer.transaction() as db:
        assert db.version(m.arn, 5) is None and db.next_version_number(m.arn) == 5  # rolled back
        db.delete_machine(m.arn)
    assert reader.versions(m.arn, 1 << 62, 10) == []
    assert [v.number for v in reader.versions(other.arn, 9, 9)] == [1]
    with store.writer.transaction() as db:
        db.insert_machine(m)  # a new machine of the same name numbers its versions from 1
        assert db.next_version_number(m.arn) == 1


def test_aliases_are_kept_replaced_listed_by_name_and_go_with_their_machine(store: Store) -> None:
    m = machine("m")
    routing = json.dumps([{"stateMachineVersionArn": f"{m.arn}:1", "weight": 100}])
    live, other = (
        AliasRecord(m.arn, "live", "d", routing, 1.0, 1.0),
        AliasRecord(m.arn, "beta", None, routing, 2.0, 2.0),
    )
    with store.writer.transaction() as db:
        db.insert_machine(m)
        db.put_alias(live)
        db.put_alias(other)
        db.put_alias(dataclasses.replace(live, description="new", updated=3.0))  # replaced
    reader = store.reader
    assert reader.alias(m.arn, "live") == dataclasses.replace(live, description="new", updated=3.0)
    assert [a.name for a in reader.aliases(m.arn, "", 10)] == ["beta", "live"]
    assert [a.name for a in reader.aliases(m.arn, "beta", 10)] == ["live"]
    assert [a.name for a in reader.aliases(m.arn, "", 1)] == ["beta"]
    with store.writer.transaction() as db:
        db.delete_alias(m.arn, "beta")
        db.delete_alias(m.arn, "never")
    assert [a.name for a in reader.aliases(m.arn, "", 10)] == ["live"]
    with store.writer.transaction() as db:
        db.delete_machine(m.arn)
    assert reader.alias(m.arn, "live") is None


def test_executions_are_listed_by_the_version_and_alias_they_ran(store: Store) -> None:
    plain, on_version = execution("plain"), execution("v", machine_version=2)
    on_alias = execution("a", machine_version=2, machine_alias="live")
    started(store, plain, on_version, on_alias)
    reader = store.reader

    def names(**filters: Any) -> list[str]:
        return [e.name for e in reader.executions(M + "m", None, 1 << 62, 10, **filters)]

    assert names() == ["a", "v", "plain"]
    assert names(machine_version=2) == ["a", "v"]
    assert names(machine_alias="live") == ["a"]
    assert [e.machine_alias for e in reader.executions(M + "m", "RUNNING", 1 << 62, 1)] == ["live"]
    described = reader.execution(on_alias.arn)
    assert described is not None and (described.machine_version, described.machine_alias) == (2, "live")


def test_deleting_a_machine_takes_its_tags_executions_histories_tasks_and_timers(store: Store) -> None:
    keep, drop = machine("keep"), machine("drop")
    mine, other = execution("e1", "drop"), execution("e2", "keep")
    with store.writer.transaction() as db:
        db.insert_machine(keep)
        db.insert_machine(drop)
        db.set_tags(drop.arn, {"k": "v"})
        db.set_tags(keep.arn, {"k": "v"})
        for record in (mine, other):
            db.insert_execution(record, b"{}")
            db.append_history(record.arn, events(1, 3))
            db.add_timer(record.arn, "wait", 10.0)
            db.insert_task(task(f"tok-{record.name}", record.arn))
    with store.writer.transaction() as db:
        db.delete_machine(drop.arn)
        assert db.state_machine(drop.arn) is None
        assert db.timers() == [TimerRecord(other.arn, "wait", 10.0)]
    reader = store.reader
    assert reader.state_machine(drop.arn) is None and reader.tags(drop.arn) == {}
    assert reader.execution(mine.arn) is None and reader.history(mine.arn, 0, 10, False) == []
    assert reader.task("tok-e1") is None
    assert reader.state_machine(keep.arn) == keep and reader.tags(keep.arn) == {"k": "v"}
    assert reader.execution(other.arn) is not None and len(reader.history(other.arn, 0, 10, False)) == 3
    assert reader.task("tok-e2") is not None
    assert reader.executions(drop.arn, None, 1 << 62, 10) == []


# ---- executions ----------------------------------------------------------------------------


def test_an_execution_is_inserted_with_a_seq_and_version_zero(store: Store) -> None:
    parent = Parent(execution=E + "p:parent", task_id="t7", mode="sync:2")
    record = execution("e1", parent=parent, trace_header="Root=1-abc", test_case=M + "m#Happy")
    started(store, record, snapshot=b'{"frames":[1]}')
    kept = store.reader.execution(record.arn)
    assert kept is not None
    assert kept.seq > 0
    assert kept == dataclasses.replace(record, seq=kept.seq, version=0, has_snapshot=True)
    with store.writer.transaction() as db:
        running = db.running(record.arn)
        assert running is not None
        assert running.record == kept
        assert running.snapshot == b'{"frames":[1]}'
        assert type(running.snapshot) is bytes
        assert db.running(E + "m:nope") is None
    assert store.reader.execution(E + "m:nope") is None


def test_seq_numbers_follow_the_start_order(store: Store) -> None:
    started(store, execution("e1"), execution("e2"))
    started(store, execution("e3"))
    seqs = [store.reader.execution(f"{E}m:e{i}").seq for i in (1, 2, 3)]  # type: ignore[union-attr]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3


def test_save_snapshot_advances_the_version_and_refuses_a_stale_one(store: Store) -> None:
    record = execution("e1")
    started(store, record)
    with store.writer.transaction() as db:
        db.save_snapshot(record.arn, b'{"step":1}', 0)
    with store.writer.transaction() as db:
        db.save_snapshot(record.arn, b'{"step":2}', 1)
        running = db.running(record.arn)
        assert running is not None and running.snapshot == b'{"step":2}' and running.record.version == 2
    with pytest.raises(Conflict), store.writer.transaction() as db:
        db.append_history(record.arn, events(1, 2))
        db.save_snapshot(record.arn, b'{"step":"stale"}', 1)
        db.timers()  # a read after the write: a backend may report the conflict here or at commit
    with store.writer.transaction() as db:  # the whole transaction went
        running = db.running(record.arn)
        assert running is not None and running.snapshot == b'{"step":2}' and running.record.version == 2
    assert store.reader.history(record.arn, 0, 10, False) == []
    with pytest.raises(Conflict), store.writer.transaction() as db:
        db.save_snapshot(E + "m:nope", b"{}", 0)


def test_finish_execution_ends_it_and_refuses_a_stale_version(store: Store) -> None:
    record = execution("e1")
    started(store, record)
    with store.writer.transaction() as db:
        db.save_snapshot(record.arn, b'{"step":1}', 0)
    with pytest.raises(Conflict), store.writer.transaction() as db:
        db.finish_execution(
            record.arn, 0, status="SUCCEEDED", output='{"done":true}', error=None, cause=None, stopped=9.5
        )
    assert store.reader.execution(record.arn).status == "RUNNING"  # type: ignore[union-attr]
    with store.writer.transaction() as db:
        db.finish_execution(
            record.arn, 1, status="FAILED", output=None, error="States.TaskFailed", cause="boom", stopped=9.5
        )
        assert db.running(record.arn) is None  # its snapshot went
    ended = store.reader.execution(record.arn)
    assert ended is not None
    assert (ended.status, ended.output, ended.error, ended.cause, ended.stopped, ended.version) == (
        "FAILED",
        None,
        "States.TaskFailed",
        "boom",
        9.5,
        2,
    )
    with pytest.raises(Conflict), store.writer.transaction() as db:
        db.save_snapshot(record.arn, b"{}", 1)


def test_an_ended_execution_keeps_the_snapshot_it_is_given_and_is_redriven_from_it(store: Store) -> None:
    failed, succeeded = execution("failed"), execution("succeeded")
    started(store, failed, succeeded)
    with store.writer.transaction() as db:
        db.finish_execution(
            failed.arn,
            0,
            status="FAILED",
            output=None,
            error="E",
            cause="C",
            stopped=9.5,
            snapshot=b'{"end":1}',
        )
        db.finish_execution(
            succeeded.arn, 0, status="SUCCEEDED", output="1", error=None, cause=None, stopped=9.5
        )
        assert db.running(failed.arn) is None and db.redrivable(succeeded.arn) is None
        kept = db.redrivable(failed.arn)
        assert kept is not None and kept.snapshot == b'{"end":1}' and kept.record.version == 1
    ended = store.reader.execution(failed.arn)
    assert ended is not None and ended.has_snapshot and (ended.redrive_count, ended.redrive_date) == (0, None)
    assert store.reader.execution(succeeded.arn).has_snapshot is False  # type: ignore[union-attr]

    with pytest.raises(Conflict), store.writer.transaction() as db:
        db.redrive_execution(
            failed.arn, 0, snapshot=b"{}", redrive_count=1, redrive_date=20.0, redrive_token=None
        )
    with store.writer.transaction() as db:
        db.redrive_execution(
            failed.arn,
            1,
            snapshot=b'{"again":1}',
            redrive_count=1,
            redrive_date=20.0,
            redrive_token="token-1",
        )
        assert db.redrivable(failed.arn) is None
        running = db.running(failed.arn)
        assert running is not None and running.snapshot == b'{"again":1}'
    again = store.reader.execution(failed.arn)
    assert again is not None
    assert (again.status, again.stopped, again.error, again.cause, again.output, again.version) == (
        "RUNNING",
        None,
        None,
        None,
        None,
        2,
    )
    assert (again.redrive_count, again.redrive_date, again.redrive_token) == (1, 20.0, "token-1")

    def listed(redriven: bool | None) -> list[tuple[str, int, float | None]]:
        found = store.reader.executions(M + "m", None, 1 << 62, 10, redriven=redriven)
        return [(e.name, e.redrive_count, e.redrive_date) for e in found]

    assert listed(None) == [("succeeded", 0, None), ("failed", 1, 20.0)]
    assert listed(True) == [("failed", 1, 20.0)]
    assert listed(False) == [("succeeded", 0, None)]
    by_status = store.reader.executions(M + "m", "RUNNING", 1 << 62, 10, redriven=True)
    assert [e.name for e in by_status] == ["failed"]


def test_map_runs_are_kept_updated_and_list_their_child_executions(store: Store) -> None:
    run_arn = "arn:aws:states:us-east-1:123456789012:mapRun:m/Each:7c1e"
    parent = execution("parent")
    children = [execution(f"c{i}", "m/Each", map_run=run_arn) for i in range(3)]
    started(store, parent, *children, execution("other", "m/Each"))
    first = MapRunRecord(run_arn, parent.arn, M + "m/Each", "RUNNING", 10.0, None, '{"total":3}')
    with store.writer.transaction() as db:
        db.put_map_run(first)
        assert db.map_run(run_arn) == first
    with store.writer.transaction() as db:  # an update keeps when it started
        db.put_map_run(
            dataclasses.replace(first, status="SUCCEEDED", started=99.0, stopped=12.5, summary="{}")
        )
    ended = store.reader.map_run(run_arn)
    assert ended == dataclasses.replace(first, status="SUCCEEDED", stopped=12.5, summary="{}")
    assert store.reader.map_runs(parent.arn) == [ended] and store.reader.map_runs(E + "m:none") == []
    assert store.reader.map_run(run_arn + "x") is None

    listed = store.reader.executions_of_map_run(run_arn, None, 1 << 62, 2)
    assert [(e.name, e.map_run, e.state_machine_arn) for e in listed] == [
        ("c2", run_arn, M + "m/Each"),
        ("c1", run_arn, M + "m/Each"),
    ]
    older = store.reader.executions_of_map_run(run_arn, None, listed[-1].seq, 10)
    assert [e.name for e in older] == ["c0"]
    assert store.reader.executions_of_map_run(run_arn, "FAILED", 1 << 62, 10) == []
    child = store.reader.execution(children[0].arn)
    assert child is not None and child.map_run == run_arn


def test_an_error_and_a_cause_keep_every_character(store: Store) -> None:
    error, cause = "Custom\x00Error", "a NUL \x00, a tab \t, an accent é and a 😀"
    started(store, execution("e1"), execution("e2", status="FAILED", error=error, cause=cause, stopped=2.0))
    with store.writer.transaction() as db:
        db.finish_execution(
            E + "m:e1", 0, status="FAILED", output=None, error=error, cause=cause, stopped=3.0
        )
    for name in ("e1", "e2"):
        ended = store.reader.execution(E + f"m:{name}")
        assert ended is not None and (ended.error, ended.cause) == (error, cause)


def test_an_execution_may_be_inserted_already_ended(store: Store) -> None:
    record = execution("e1", status="SUCCEEDED", output='{"a":1}', stopped=1700000101.0)
    started(store, record)
    kept = store.reader.execution(record.arn)
    assert kept == dataclasses.replace(record, seq=kept.seq if kept else 0, version=0)
    with store.writer.transaction() as db:
        assert db.running(record.arn) is None


def test_executions_are_listed_newest_first_by_machine_and_status(store: Store) -> None:
    records = [execution(f"e{i}", "m" if i % 3 else "other") for i in range(1, 10)]
    for record in records:
        started(store, record)
    with store.writer.transaction() as db:
        db.finish_execution(
            E + "m:e2", 0, status="SUCCEEDED", output="{}", error=None, cause=None, stopped=1700000200.0
        )
        db.finish_execution(E + "m:e4", 0, status="ABORTED", output=None, error=None, cause=None, stopped=7.0)
    listed = store.reader.executions(M + "m", None, 1 << 62, 100)
    assert [s.name for s in listed] == ["e8", "e7", "e5", "e4", "e2", "e1"]
    e2 = store.reader.execution(E + "m:e2")
    assert e2 is not None
    assert listed[4] == ExecutionSummary(e2.arn, M + "m", "e2", "SUCCEEDED", e2.started, 1700000200.0, e2.seq)
    first_page = store.reader.executions(M + "m", None, 1 << 62, 2)
    assert [s.name for s in first_page] == ["e8", "e7"]
    next_page = store.reader.executions(M + "m", None, first_page[-1].seq, 3)
    assert [s.name for s in next_page] == ["e5", "e4", "e2"]
    running = store.reader.executions(M + "m", "RUNNING", 1 << 62, 100)
    assert [s.name for s in running] == ["e8", "e7", "e5", "e1"]
    assert [s.name for s in store.reader.executions(M + "m", "RUNNING", running[1].seq, 2)] == ["e5", "e1"]
    assert [s.name for s in store.reader.executions(M + "other", None, 1 << 62, 100)] == ["e9", "e6", "e3"]
    assert store.reader.executions(M + "none", None, 1 << 62, 100) == []


def test_has_running_looks_at_the_machines_running_executions(store: Store) -> None:
    started(store, execution("e1"), execution("e2", status="SUCCEEDED", stopped=3.0))
    with store.writer.transaction() as db:
        assert db.has_running(M + "m")
        assert not db.has_running(M + "m", other_than=E + "m:e1")
        assert not db.has_running(M + "other")


def test_execution_counts_by_machine_and_status(store: Store) -> None:
    assert store.reader.execution_counts() == {}
    started(
        store,
        execution("e1"),
        execution("e2"),
        execution("e3", status="FAILED", stopped=2.0),
        execution("e4", "other", status="SUCCEEDED", stopped=2.0),
    )
    assert store.reader.execution_counts() == {
        M + "m": {"RUNNING": 2, "FAILED": 1},
        M + "other": {"SUCCEEDED": 1},
    }


def test_purge_takes_closed_executions_older_than_the_time_with_histories_and_tasks(store: Store) -> None:
    old = [execution(f"old{i}", status="SUCCEEDED", stopped=100.0 + i) for i in range(3)]
    recent = execution("recent", status="SUCCEEDED", stopped=5000.0)
    running = execution("running")
    started(store, *old, recent, running)
    with store.writer.transaction() as db:
        for record in (*old, recent, running):
            db.append_history(record.arn, events(1, 2))
            db.insert_task(task(f"tok-{record.name}", record.arn, status="closed"))
    with store.writer.transaction() as db:
        assert db.purge_executions(1000.0, 2) == 2
    with store.writer.transaction() as db:
        assert db.purge_executions(1000.0, 10) == 1
        assert db.purge_executions(1000.0, 10) == 0
    for record in old:
        assert store.reader.execution(record.arn) is None
        assert store.reader.history(record.arn, 0, 10, False) == []
        assert store.reader.task(f"tok-{record.name}") is None
    for record in (recent, running):
        assert store.reader.execution(record.arn) is not None
        assert len(store.reader.history(record.arn, 0, 10, False)) == 2
        assert store.reader.task(f"tok-{record.name}") is not None
    assert [s.name for s in store.reader.executions(M + "m", None, 1 << 62, 10)] == ["running", "recent"]


# ---- transactions ---------------------------------------------------------------------------


def test_a_rolled_back_transaction_leaves_nothing(store: Store) -> None:
    started(store, execution("before"))
    before = store.reader.execution(E + "m:before")
    assert before is not None
    with pytest.raises(Boom), store.writer.transaction() as db:
        db.insert_machine(machine("m"))
        db.set_tags(M + "m", {"k": "v"})
        db.insert_activity(ActivityRecord(A + "a", "a", "{}", 1.0))
        db.add_setting("s", "v")
        db.insert_execution(execution("gone"), b"{}")
        db.save_snapshot(before.arn, b'{"changed":1}', 0)
        db.append_history(before.arn, events(1, 3))
        db.add_timer(before.arn, "wait", 5.0)
        db.insert_task(task("tok", before.arn, activity_arn=A + "a", status="scheduled", state_name="S"))
        assert db.execution(E + "m:gone") is not None  # seen inside
        raise Boom()
    reader = store.reader
    assert reader.state_machine(M + "m") is None and reader.tags(M + "m") == {}
    assert reader.activity(A + "a") is None and reader.setting("s") is None
    assert reader.execution(E + "m:gone") is None
    assert reader.execution(before.arn) == before
    assert reader.history(before.arn, 0, 10, False) == []
    assert reader.task("tok") is None and reader.activity_backlog(A + "a") == []
    with store.writer.transaction() as db:
        assert db.timers() == [] and db.open_tasks() == [] and db.task_of(before.arn, "t1") is None
        assert db.count_invocations(before.arn, "S") == 0
        assert db.claim_activity_task(A + "a", "w") is None
        running = db.running(before.arn)
        assert running is not None and running.snapshot == b'{"frames":[]}'
    # seq: the rolled-back start left no execution behind; the next one still comes after
    # (PostgreSQL's sequence may leave a gap: listings only compare seqs).
    started(store, execution("after"))
    after = store.reader.execution(E + "m:after")
    assert after is not None and after.seq > before.seq
    assert [s.name for s in reader.executions(M + "m", None, 1 << 62, 10)] == ["after", "before"]


def test_readers_see_committed_state_only(store: Store) -> None:
    seen: list[MachineRecord | None] = []
    record = machine("m")
    with store.writer.transaction() as db:
        db.insert_machine(record)
        db.state_machine(record.arn)  # sent, not committed
        reader = threading.Thread(target=lambda: seen.append(store.reader.state_machine(record.arn)))
        reader.start()
        reader.join(0.5)
        read_before_commit = bool(seen)
    reader.join(5)
    # A reader either read before the commit and saw nothing, or waited for the commit (memory).
    assert seen == ([None] if read_before_commit else [record])
    assert store.reader.state_machine(record.arn) == record


# ---- history --------------------------------------------------------------------------------


def test_history_is_read_in_pages_both_ways(store: Store) -> None:
    arn = E + "m:e1"
    written = events(1, 1234)
    started(store, execution("e1"))  # history belongs to a written execution
    with store.writer.transaction() as db:
        db.append_history(arn, written[:1])
        db.append_history(arn, written[1:20])
    with store.writer.transaction() as db:
        db.append_history(arn, written[20:])  # more than one chunk in a backend that chunks
        assert db.history(arn, 0, 3, False) == written[:3]
    reader = store.reader
    assert reader.history(arn, 0, 10_000, False) == written
    assert reader.history(arn, 0, 5, False) == written[:5]
    assert reader.history(arn, 18, 4, False) == written[18:22]
    assert reader.history(arn, 600, 3, False) == written[600:603]
    assert reader.history(arn, 1230, 10, False) == written[1230:]
    assert reader.history(arn, 1234, 10, False) == []
    assert reader.history(arn, 1 << 62, 3, True) == written[::-1][:3]
    assert reader.history(arn, 21, 3, True) == [written[19], written[18], written[17]]
    assert reader.history(arn, 3, 10, True) == [written[1], written[0]]
    assert reader.history(arn, 1, 10, True) == []
    assert reader.history(arn, 1 << 62, 10_000, True) == written[::-1]
    assert reader.history(E + "m:other", 0, 10, False) == []


# ---- timers ---------------------------------------------------------------------------------


def test_a_timer_is_taken_only_when_due_and_replaced_by_a_new_one(store: Store) -> None:
    arn = E + "m:e1"
    started(store, execution("e1"), execution("e2"))
    with store.writer.transaction() as db:
        db.add_timer(arn, "wait", 100.0)
        db.add_timer(arn, "deadline", 500.0)
        db.add_timer(E + "m:e2", "wait", 50.0)
    with store.writer.transaction() as db:
        assert sorted(db.timers(), key=lambda t: (t.execution_arn, t.timer_id)) == [
            TimerRecord(arn, "deadline", 500.0),
            TimerRecord(arn, "wait", 100.0),
            TimerRecord(E + "m:e2", "wait", 50.0),
        ]
        assert db.take_timer(arn, "wait", 99.9) is None  # not due
        db.add_timer(arn, "wait", 200.0)  # set again, later
        assert db.take_timer(arn, "wait", 150.0) is None
        assert db.take_timer(arn, "wait", 200.0) == 200.0
        assert db.take_timer(arn, "wait", 300.0) is None  # taken already
        assert db.take_timer(arn, "never", 300.0) is None
        db.delete_timers(arn)
        assert db.timers() == [TimerRecord(E + "m:e2", "wait", 50.0)]


# ---- the task outbox ------------------------------------------------------------------------


def test_tasks_are_kept_and_found_by_token_and_task_id(store: Store) -> None:
    arn = E + "m:e1"
    first = task("tok-1", arn, "t1", created=10.0, state_name="Call", timeout_seconds=30.0, attempt=0)
    retry = task("tok-2", arn, "t1", created=11.0, state_name="Call", attempt=1, heartbeat_seconds=5.0)
    other = task("tok-3", arn, "t2", created=12.0, state_name="Other")
    with store.writer.transaction() as db:
        for record in (first, retry, other):
            db.insert_task(record)
        assert db.task_of(arn, "t1") == owned(store, retry)  # the latest of the task id
        assert db.count_invocations(arn, "Call") == 2
    assert store.reader.task("tok-1") == owned(store, first)
    assert store.reader.task("nope") is None
    with store.writer.transaction() as db:
        assert db.task_of(arn, "t2") == owned(store, other)
        assert db.task_of(arn, "t9") is None
        assert db.count_invocations(arn, "Other") == 1
        assert db.count_invocations(arn, "Missing") == 0
        assert db.count_invocations(E + "m:e2", "Call") == 0


def test_task_statuses_hand_over_submission_and_closing(store: Store) -> None:
    arn = E + "m:e1"
    with store.writer.transaction() as db:
        db.insert_task(task("q", arn, "t1", created=1.0))
        db.insert_task(task("s", arn, "t2", created=2.0, status="started"))
        db.insert_task(task("c", arn, "t3", created=3.0, status="closed"))
        db.insert_task(task("elsewhere", E + "m:e2", "t1", created=4.0))
    with store.writer.transaction() as db:
        assert db.hand_over_task("q", "queued", "started") is True
        assert db.hand_over_task("q", "queued", "started") is False  # no longer queued
        assert db.hand_over_task("nope", "queued", "started") is False
        db.mark_submitted(arn, "t1")
        db.mark_submitted(arn, "t3")  # closed stays closed
        db.set_task_status("s", "scheduled")
        db.set_task_status("s", "started", "worker-1")
        assert db.task("s") == owned(
            store, task("s", arn, "t2", created=2.0, status="started", worker_name="worker-1")
        )
    assert store.reader.task("q").status == "submitted"  # type: ignore[union-attr]
    assert store.reader.task("c").status == "closed"  # type: ignore[union-attr]
    with store.writer.transaction() as db:
        assert [t.token for t in db.open_tasks()] == ["q", "s", "elsewhere"]
        db.close_task(arn, "t1")
        assert db.task("q").status == "closed"  # type: ignore[union-attr]
        closed = db.close_tasks(arn)
        assert [(t.token, t.status, t.worker_name) for t in closed] == [("s", "started", "worker-1")]
        assert db.close_tasks(arn) == []
        assert [t.token for t in db.open_tasks()] == ["elsewhere"]
    assert store.reader.task("s").status == "closed"  # type: ignore[union-attr]


def test_children_are_the_started_child_executions_in_order(store: Store) -> None:
    arn = E + "m:parent"
    with store.writer.transaction() as db:
        db.insert_task(task("c2", arn, "t2", kind="child", created=2.0, status="queued"))
        db.insert_task(task("c1", arn, "t1", kind="child", created=1.0, status="queued"))
        db.insert_task(task("c3", arn, "t3", kind="child", created=3.0, status="queued"))  # never started
        db.insert_task(task("f", arn, "t4", created=0.5, target=E + "m:not-a-child"))
        db.set_child("c2", E + "m:child2")
        db.set_child("c1", E + "m:child1")
        assert db.task("c1") == owned(
            store, task("c1", arn, "t1", kind="child", created=1.0, status="submitted", target=E + "m:child1")
        )
    assert store.reader.children(arn) == [E + "m:child1", E + "m:child2"]
    assert store.reader.children(E + "m:other") == []


def test_activity_tasks_are_claimed_oldest_first_and_never_twice(store: Store) -> None:
    activity, other = A + "a", A + "b"
    arn = E + "m:e1"

    def scheduled(token: str, created: float, activity_arn: str = activity) -> TaskRecord:
        return task(
            token, arn, token, kind="activity", activity_arn=activity_arn, status="scheduled", created=created
        )

    with store.writer.transaction() as db:
        assert db.claim_activity_task(activity, "w0") is None
        db.insert_task(scheduled("second", 2.0))
        db.insert_task(scheduled("first", 1.0))
        db.insert_task(scheduled("third", 3.0))
        db.insert_task(scheduled("elsewhere", 0.5, other))
    assert [t.token for t in store.reader.activity_backlog(activity)] == ["first", "second", "third"]
    assert store.reader.activity_tasks_waiting() == {activity: 3, other: 1}
    with store.writer.transaction() as db:
        claimed = db.claim_activity_task(activity, "w1")
        assert claimed == owned(
            store, dataclasses.replace(scheduled("first", 1.0), status="started", worker_name="w1")
        )
        assert db.task("first") == claimed
    with store.writer.transaction() as db:
        assert db.claim_activity_task(activity, "w2").token == "second"  # type: ignore[union-attr]
        db.close_task(arn, "second")
    backlog = store.reader.activity_backlog(activity)
    assert [(t.token, t.status, t.worker_name) for t in backlog] == [
        ("first", "started", "w1"),
        ("third", "scheduled", None),
    ]
    assert store.reader.activity_tasks_waiting() == {activity: 1, other: 1}
    with store.writer.transaction() as db:
        assert db.claim_activity_task(activity, "w3").token == "third"  # type: ignore[union-attr]
        assert db.claim_activity_task(activity, "w4") is None
        assert db.claim_activity_task(other, "w5").token == "elsewhere"  # type: ignore[union-attr]
    assert store.reader.activity_tasks_waiting() == {}  # every one handed to a worker


# ---- migrations -----------------------------------------------------------------------------


def test_both_dialects_apply_one_numbered_sequence() -> None:
    numbers = {dialect: [number for number, _, _ in migrations(dialect)] for dialect in DIALECTS}
    assert numbers["sqlite"] == numbers["postgresql"] == list(range(1, len(numbers["sqlite"]) + 1))
    names = {dialect: {number: name for number, name, _ in migrations(dialect)} for dialect in DIALECTS}
    for number, name in names["postgresql"].items():
        if name.endswith(".postgresql.sql"):  # a per-dialect number has its SQLite twin
            assert names["sqlite"][number] == name.replace(".postgresql.sql", ".sqlite.sql")
        else:
            assert names["sqlite"][number] == name


def test_statements_are_split_at_semicolons_outside_dollar_quotes() -> None:
    script = """-- a comment; with a semicolon
CREATE TABLE a (x TEXT);
CREATE FUNCTION f() RETURNS INTEGER LANGUAGE plpgsql AS $$
BEGIN
    RETURN 1;
END
$$;
SELECT 1"""
    assert list(statements_of(script)) == [
        "CREATE TABLE a (x TEXT)",
        "CREATE FUNCTION f() RETURNS INTEGER LANGUAGE plpgsql AS $$\nBEGIN\n    RETURN 1;\nEND\n$$",
        "SELECT 1",
    ]
    assert list(statements_of("-- nothing but comments\n-- here\n")) == []


# ---- one node -------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_an_exclusive_store_has_no_other_node(backend: str, open_store: Callable[[str], Store]) -> None:
    store = open_store(backend)
    assert store.exclusive
    store.join(0.01)
    assert store.renew(0.01) is True and store.dead_nodes() == []
    store.listen(lambda topic, subject: None)
    with store.writer.transaction() as db:
        db.notify("activity", A + "a")
        db.add_timer(E + "m:e1", "wait", 1.0)
        db.insert_task(task("tok", E + "m:e1"))
        assert db.adopt("another") is None
        assert db.task("tok").node is None  # type: ignore[union-attr]
