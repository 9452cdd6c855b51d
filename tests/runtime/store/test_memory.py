"""The memory backend where the contract leaves it room: its undo log restores every index, reads
wait for the writer's commit, and misuse is refused."""

from __future__ import annotations

import threading

import pytest

from stepwell.runtime.store.memory import MemoryStore
from stepwell.runtime.store.protocol import Conflict
from tests.runtime.store.test_contract import A, Boom, E, M, events, execution, machine, started, task


def filled() -> MemoryStore:
    store = MemoryStore()
    with store.writer.transaction() as db:
        db.insert_machine(machine("m"))
        db.set_tags(M + "m", {"k": "v"})
        for name, status, stopped in (("done", "SUCCEEDED", 10.0), ("live", "RUNNING", None)):
            record = execution(name, status=status, stopped=stopped)
            db.insert_execution(record, b"{}" if status == "RUNNING" else None)
            db.append_history(record.arn, events(1, 3))
            db.add_timer(record.arn, "wait", 5.0)
            db.insert_task(
                task(
                    f"tok-{name}", record.arn, "t1", activity_arn=A + "a", status="scheduled", state_name="S"
                )
            )
    return store


def state(store: MemoryStore) -> object:
    """Everything a reader or a transaction can see, to compare before and after."""
    with store.writer.transaction() as db:
        return (
            db.state_machine(M + "m"),
            db.tags(M + "m"),
            [db.execution(E + f"m:{n}") for n in ("done", "live")],
            db.executions(M + "m", None, 1 << 62, 10),
            [db.history(E + f"m:{n}", 0, 10, False) for n in ("done", "live")],
            sorted(db.timers(), key=lambda t: t.execution_arn),
            [db.task_of(E + f"m:{n}", "t1") for n in ("done", "live")],
            [db.count_invocations(E + f"m:{n}", "S") for n in ("done", "live")],
            db.activity_backlog(A + "a"),
            db.running(E + "m:live"),
        )


def test_the_undo_log_restores_every_index() -> None:
    store = filled()
    before = state(store)
    with pytest.raises(Boom), store.writer.transaction() as db:
        assert db.claim_activity_task(A + "a", "w") is not None
        db.save_snapshot(E + "m:live", b'{"x":1}', 0)
        db.append_history(E + "m:live", events(4, 9))
        assert db.purge_executions(100.0, 10) == 1
        db.close_tasks(E + "m:live")
        db.delete_machine(M + "m")
        assert db.state_machine(M + "m") is None and db.timers() == []
        raise Boom()
    assert state(store) == before
    with store.writer.transaction() as db:  # and the indexes still work
        assert db.claim_activity_task(A + "a", "w").token == "tok-done"  # type: ignore[union-attr]
        db.insert_execution(execution("next"), b"{}")
    assert [s.name for s in store.reader.executions(M + "m", None, 1 << 62, 10)] == ["next", "live", "done"]
    assert store.reader.execution(E + "m:next").seq == 3  # type: ignore[union-attr]


def test_a_rolled_back_start_gives_its_seq_back() -> None:
    store = MemoryStore()
    started(store, execution("a"))
    with pytest.raises(Boom), store.writer.transaction() as db:
        db.insert_execution(execution("gone"), b"{}")
        raise Boom()
    started(store, execution("b"))
    assert [store.reader.execution(E + f"m:{n}").seq for n in "ab"] == [1, 2]  # type: ignore[union-attr]


def test_a_reader_waits_for_the_writers_commit() -> None:
    store = MemoryStore()
    seen = []
    with store.writer.transaction() as db:
        db.insert_machine(machine("m"))
        reader = threading.Thread(target=lambda: seen.append(store.reader.state_machine(M + "m")))
        reader.start()
        reader.join(0.2)
        assert reader.is_alive() and seen == []
    reader.join(5)
    assert seen == [machine("m")]


def test_history_must_follow_the_last_event() -> None:
    store = MemoryStore()
    with store.writer.transaction() as db:
        db.append_history(E + "m:e", events(1, 3))
    with pytest.raises(Conflict, match="already has event 3"), store.writer.transaction() as db:
        db.append_history(E + "m:e", events(3, 4))
    assert len(store.reader.history(E + "m:e", 0, 10, False)) == 3


def test_writes_outside_a_transaction_and_nested_transactions_are_refused() -> None:
    store = MemoryStore()
    with pytest.raises(RuntimeError, match="only inside transaction"):
        store.writer.insert_machine(machine("m"))
    writer = store.writer
    with pytest.raises(RuntimeError, match="do not nest"), writer.transaction(), writer.transaction():
        pass
    assert store.reader.state_machine(M + "m") is None
    assert store.open() == [] and store.name == "memory"


def test_renumbering_a_record_keeps_every_other_field() -> None:
    """The memory store copies a record field by field (its hot path): a field added to
    ExecutionRecord must be added there too, or this fails."""
    from dataclasses import fields, replace

    from stepwell.runtime.store.memory.transaction import _numbered
    from stepwell.runtime.store.records import ExecutionRecord, Parent

    values: dict[str, object] = {}
    for index, field in enumerate(fields(ExecutionRecord)):
        values[field.name] = Parent("p", "t", "sync") if field.name == "parent" else f"v{index}"
    record = ExecutionRecord(**values)  # type: ignore[arg-type]
    assert _numbered(record, 7, 3, True) == replace(record, seq=7, version=3, has_snapshot=True)
