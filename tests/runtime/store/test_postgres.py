"""The PostgreSQL backend where it differs from the others: many writers on one database (stale
versions, history written twice, deadlocks and claims between nodes), migrations run once by nodes
starting together, held writes, a lost connection, and plain errors for unusable databases."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from stepwell.runtime.store.migrations import migrations, postgres_statement, statements_of
from stepwell.runtime.store.postgres import PostgresStore, display_url
from stepwell.runtime.store.postgres.common import HELD, TABLE_ORDER
from stepwell.runtime.store.protocol import Conflict, Store, StoreError
from stepwell.runtime.store.records import ExecutionRecord, MachineRecord, Parent, TimerRecord
from tests.postgres import SERVER, admin
from tests.runtime.store.test_contract import Boom, E, M, events, execution, machine, started, task

Nodes = Callable[[], PostgresStore]


@pytest.fixture
def node(open_store: Callable[[str], Store]) -> Nodes:
    """Opens another store on the test's database, as another node would."""

    def another() -> PostgresStore:
        store = open_store("postgresql")
        assert isinstance(store, PostgresStore)
        return store

    return another


def in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``work`` in a thread; its result or exception lands in the list."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as failure:
            outcome.append(failure)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


# ---- many writers ---------------------------------------------------------------------------


def test_a_second_writer_at_the_same_version_gets_a_conflict(node: Nodes) -> None:
    a, b = node(), node()
    record = execution("e1")
    started(a, record)
    with pytest.raises(Conflict, match="no longer at version 0"), b.writer.transaction() as late:
        running = late.running(record.arn)
        assert running is not None
        with a.writer.transaction() as first:
            first.save_snapshot(record.arn, b'{"by":"a"}', running.record.version)
        late.append_history(record.arn, events(1, 2))
        late.save_snapshot(record.arn, b'{"by":"b"}', running.record.version)
    with a.writer.transaction() as db:
        now = db.running(record.arn)
        assert now is not None and now.snapshot == b'{"by":"a"}' and now.record.version == 1
    assert b.reader.history(record.arn, 0, 10, False) == []


def test_a_writer_waiting_on_another_gets_a_conflict_when_it_commits(node: Nodes) -> None:
    a, b = node(), node()
    record = execution("e1")
    started(a, record)
    with a.writer.transaction() as first:
        first.save_snapshot(record.arn, b'{"by":"a"}', 0)
        first.timers()  # the update is sent: the row is locked until this commit

        def second() -> None:
            with b.writer.transaction() as late:
                late.finish_execution(
                    record.arn, 0, status="SUCCEEDED", output="{}", error=None, cause=None, stopped=1.0
                )

        thread, outcome = in_thread(second)
        thread.join(0.3)
        assert thread.is_alive()  # waiting for the row
    thread.join(5)
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict)
    assert a.reader.execution(record.arn).status == "RUNNING"  # type: ignore[union-attr]


def test_history_written_twice_is_a_conflict_and_nothing_of_that_transaction_stays(node: Nodes) -> None:
    a, b = node(), node()
    arn = E + "m:e1"
    started(a, execution("e1"))
    with a.writer.transaction() as db:
        db.append_history(arn, events(1, 3))
    with pytest.raises(Conflict, match="history already written"), b.writer.transaction() as db:
        db.insert_machine(machine("m"))
        db.append_history(arn, events(1, 3))
    assert b.reader.state_machine(M + "m") is None
    assert b.reader.history(arn, 0, 10, False) == events(1, 3)
    with b.writer.transaction() as db:  # the writer goes on
        db.append_history(arn, events(4, 4))
    assert len(a.reader.history(arn, 0, 10, False)) == 4


def test_a_deadlock_between_writers_is_a_conflict(
    postgres_url: str, open_store: Callable[[str], Store]
) -> None:
    url = f"{postgres_url}?options=-cdeadlock_timeout%3D50ms"
    a, b = PostgresStore(url), PostgresStore(url)
    try:
        first = open_store("postgresql")
        with first.writer.transaction() as db:
            db.insert_task(task("t1", E + "m:e1", "t1"))
            db.insert_task(task("t2", E + "m:e1", "t2"))
        locked = threading.Barrier(2)

        def lock_both(store: PostgresStore, mine: str, theirs: str) -> bool:
            with store.writer.transaction() as db:
                assert db.hand_over_task(mine, "queued", "started")
                locked.wait()
                return db.hand_over_task(theirs, "queued", "started")

        thread_a, outcome_a = in_thread(lambda: lock_both(a, "t1", "t2"))
        thread_b, outcome_b = in_thread(lambda: lock_both(b, "t2", "t1"))
        thread_a.join(10)
        thread_b.join(10)
        outcomes = outcome_a + outcome_b
        assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "bool"]
        assert "deadlock" in str(next(o for o in outcomes if isinstance(o, Conflict)))
    finally:
        a.close()
        b.close()


def test_seq_numbers_are_unique_across_writers(node: Nodes) -> None:
    a, b = node(), node()
    with a.writer.transaction() as db:  # as the service does: the machine, then its executions
        db.insert_machine(machine("m"))
    with a.writer.transaction() as db_a:
        db_a.insert_execution(execution("a1"), b"{}")
        db_a.execution(E + "m:a1")  # sent, not committed
        with b.writer.transaction() as db_b:
            db_b.insert_execution(execution("b1"), b"{}")
        db_a.insert_execution(execution("a2"), b"{}")
    with b.writer.transaction() as db_b:
        db_b.insert_execution(execution("b2"), b"{}")
    seqs = {s.name: s.seq for s in a.reader.executions(M + "m", None, 1 << 62, 10)}
    assert len(set(seqs.values())) == 4
    assert seqs["a1"] < seqs["b1"] < seqs["a2"] < seqs["b2"]


def test_two_pollers_never_claim_the_same_activity_task(node: Nodes) -> None:
    a, b = node(), node()
    activity = "arn:aws:states:us-east-1:123456789012:activity:a"

    def scheduled(token: str, created: float) -> Any:
        return task(
            token,
            E + "m:e1",
            token,
            kind="activity",
            activity_arn=activity,
            status="scheduled",
            created=created,
        )

    with a.writer.transaction() as db:
        for i in range(3):
            db.insert_task(scheduled(f"t{i}", float(i)))
    with a.writer.transaction() as db_a:
        claimed_a = db_a.claim_activity_task(activity, "wa")
        with b.writer.transaction() as db_b:  # while a's claim is not committed: skipped, not waited for
            claimed_b = db_b.claim_activity_task(activity, "wb")
    assert claimed_a is not None and claimed_b is not None
    assert (claimed_a.token, claimed_b.token) == ("t0", "t1")
    assert b.reader.task("t0").worker_name == "wa"  # type: ignore[union-attr]
    assert b.reader.task("t1").worker_name == "wb"  # type: ignore[union-attr]


def test_many_pollers_on_many_nodes_claim_each_task_once(node: Nodes) -> None:
    stores = [node() for _ in range(4)]
    activity = "arn:aws:states:us-east-1:123456789012:activity:a"
    with stores[0].writer.transaction() as db:
        for i in range(60):
            db.insert_task(
                task(
                    f"t{i:02}",
                    E + "m:e1",
                    f"t{i}",
                    activity_arn=activity,
                    status="scheduled",
                    created=float(i),
                )
            )
    start = threading.Barrier(len(stores))

    def poll(store: PostgresStore, worker: str) -> list[str]:
        start.wait()
        taken: list[str] = []
        while True:
            with store.writer.transaction() as db:
                claimed = db.claim_activity_task(activity, worker)
            if claimed is None:
                return taken
            taken.append(claimed.token)

    pollers = [in_thread(lambda s=s, i=i: poll(s, f"w{i}")) for i, s in enumerate(stores)]  # type: ignore[misc]
    for thread, _ in pollers:
        thread.join(30)
    claims = [token for _, outcome in pollers for token in outcome[0]]
    assert sorted(claims) == [f"t{i:02}" for i in range(60)]


# ---- nodes: leases, adoption, notices -------------------------------------------------------


def test_a_node_that_does_not_renew_its_lease_is_dead(node: Nodes) -> None:
    a, b = node(), node()
    assert a.node != b.node and not a.exclusive
    a.join(0.3)
    b.join(30)
    assert a.renew(0.3) is True
    assert b.dead_nodes() == [] and a.dead_nodes() == []
    time.sleep(0.5)
    assert b.dead_nodes() == [a.node]
    assert a.dead_nodes() == []  # never itself
    assert a.renew(0.3) is False  # too late: its work may be another node's now


def test_a_dead_nodes_timers_and_open_tasks_are_adopted_once(node: Nodes) -> None:
    a, b, c = node(), node(), node()
    a.join(0.2)
    b.join(30)
    c.join(30)
    arn = E + "m:e1"
    started(a, execution("e1"), execution("e2"))
    with a.writer.transaction() as db:
        db.add_timer(arn, "wait", 50.0)
        db.insert_task(task("open", arn, "t1", created=1.0))
        db.insert_task(task("closed", arn, "t2", created=2.0, status="closed"))
    with b.writer.transaction() as db:
        db.add_timer(E + "m:e2", "wait", 60.0)
        db.insert_task(task("b's", E + "m:e2", "t1"))
        assert db.adopt(a.node) is None  # alive still
    time.sleep(0.4)
    with b.writer.transaction() as db:
        adopted = db.adopt(a.node)
    assert adopted is not None
    timers, tasks = adopted
    assert timers == [TimerRecord(arn, "wait", 50.0)]
    assert [(t.token, t.node) for t in tasks] == [("open", b.node)]
    assert b.reader.task("closed").node == a.node  # type: ignore[union-attr]
    with c.writer.transaction() as db:
        assert db.adopt(a.node) is None  # once
    b.close()  # a node that stops gives its lease up at once
    assert c.dead_nodes() == [b.node]
    with c.writer.transaction() as db:
        timers, tasks = db.adopt(b.node)  # type: ignore[misc]
    assert sorted(t.execution_arn for t in timers) == [arn, E + "m:e2"]
    assert sorted(t.token for t in tasks) == ["b's", "open"]


def test_notices_reach_every_listening_node_after_the_commit(node: Nodes, postgres_schema: str) -> None:
    a, b = node(), node()
    heard: queue.Queue[tuple[str, str]] = queue.Queue()
    elsewhere: queue.Queue[tuple[str, str]] = queue.Queue()
    other = PostgresStore(postgres_schema)  # another deployment: another schema of the database
    other.open()
    try:
        b.listen(lambda topic, subject: heard.put((topic, subject)))
        other.listen(lambda topic, subject: elsewhere.put((topic, subject)))
        time.sleep(0.3)  # the listeners are connected
        with pytest.raises(Boom), a.writer.transaction() as db:
            db.notify("activity", "arn:rolled-back")
            raise Boom()
        with a.writer.transaction() as db:
            db.notify("activity", "arn:a")
            db.notify("activity", "arn:a")  # folded into one
            db.notify("other", "with\ttab")
            db.state_machine(M + "m")  # sent, not committed: nothing heard yet
            with pytest.raises(queue.Empty):
                heard.get(timeout=0.3)
        assert heard.get(timeout=5) == ("activity", "arn:a")
        assert heard.get(timeout=5) == ("other", "with\ttab")
        with pytest.raises(queue.Empty):
            heard.get(timeout=0.3)
        assert elsewhere.empty()
    finally:
        other.close()


# ---- migrations -----------------------------------------------------------------------------


def test_nodes_starting_together_migrate_once(postgres_schema: str) -> None:
    stores = [PostgresStore(postgres_schema) for _ in range(4)]
    start = threading.Barrier(len(stores))

    def open_at_once(store: PostgresStore) -> list[int]:
        start.wait()
        return store.open()

    try:
        openers = [in_thread(lambda s=s: open_at_once(s)) for s in stores]  # type: ignore[misc]
        for thread, _ in openers:
            thread.join(30)
        applied = [outcome[0] for _, outcome in openers]
        assert all(isinstance(numbers, list) for numbers in applied), applied
        numbers = sorted(n for found in applied for n in found)
        assert numbers == list(range(1, len(numbers) + 1)) and numbers  # each migration once
        assert sorted(len(found) for found in applied)[:-1] == [0, 0, 0]  # by one of the nodes
        with admin(postgres_schema) as db:
            rows = db.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
        assert [row[0] for row in rows] == numbers
        assert PostgresStore(postgres_schema).open() == []
    finally:
        for store in stores:
            store.close()


def test_migration_9_moves_a_database_written_before_it(postgres_schema: str) -> None:
    """Executions, their history and timers, written by the schema of migrations 1 to 8, read the
    same after 0009 keyed them by numbers."""
    with admin(postgres_schema) as db:
        db.execute("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied DOUBLE PRECISION)")
        for number, name, text in migrations("postgresql"):
            if number >= 9:
                break
            for statement in statements_of(text):
                db.execute(statement if name.endswith(".postgresql.sql") else postgres_statement(statement))
            db.execute("INSERT INTO schema_migrations VALUES (%s, 0)", (number,))
        db.execute(
            "INSERT INTO state_machines"
            " VALUES (%s, 'm', 'STANDARD', 'ACTIVE', 'D2', 'role2', '{}', 'r2', 1, 2)",
            (M + "m",),
        )
        db.execute(
            "INSERT INTO executions (arn, state_machine_arn, name, status, input, output, started, stopped,"
            " definition, role_arn, revision_id, snapshot, parent, seq, version, cause)"
            " VALUES (%s, %s, 'e1', 'FAILED', '{\"a\": 1}', NULL, 10.5, 11.5, 'D1', 'role1', 'r1', NULL,"
            " %s, nextval('execution_seq'), 3, %s)",
            (E + "m:e1", M + "m", '{"execution":"p","task_id":"t","mode":"sync"}', b"nul\x00"),
        )
        db.execute(
            "INSERT INTO executions (arn, state_machine_arn, name, status, input, started, definition,"
            " role_arn, revision_id, snapshot, seq, version)"
            " VALUES (%s, %s, 'e2', 'RUNNING', '{}', 12.5, 'D2', 'role2', 'r2', %s,"
            " nextval('execution_seq'), 1)",
            (E + "m:e2", M + "m", b'{"s":1}'),
        )
        db.execute("INSERT INTO history VALUES (%s, 1, 2, %s)", (E + "m:e1", b'[{"id":1},{"id":2}]'))
        db.execute("INSERT INTO timers VALUES (%s, 'w1', 99.5, 'gone-node')", (E + "m:e2",))
    store = PostgresStore(postgres_schema)
    try:
        assert 9 in store.open()
        reader = store.reader
        assert reader.execution(E + "m:e1") == ExecutionRecord(
            arn=E + "m:e1",
            state_machine_arn=M + "m",
            name="e1",
            status="FAILED",
            input='{"a": 1}',
            started=10.5,
            stopped=11.5,
            definition="D1",
            role_arn="role1",
            revision_id="r1",
            cause="nul\x00",
            parent=Parent("p", "t", "sync"),
            seq=1,
            version=3,
        )
        assert reader.history(E + "m:e1", 0, 10, False) == [{"id": 1}, {"id": 2}]
        assert [e.name for e in reader.executions(M + "m", None, 1 << 62, 10)] == ["e2", "e1"]
        assert [e.name for e in reader.executions(M + "m", "RUNNING", 1 << 62, 10)] == ["e2"]
        assert reader.execution_counts() == {M + "m": {"FAILED": 1, "RUNNING": 1}}
        with store.writer.transaction() as db:
            waiting = db.running(E + "m:e2")
            assert (
                waiting is not None and waiting.snapshot == b'{"s":1}' and waiting.record.definition == "D2"
            )
            assert db.timers() == [TimerRecord(E + "m:e2", "w1", 99.5)]
            db.insert_execution(execution("e3"), b"{}")  # numbered after the moved ones
        assert reader.execution(E + "m:e3").seq > 2  # type: ignore[union-attr]
    finally:
        store.close()


# ---- held writes ----------------------------------------------------------------------------


def test_held_writes_keep_their_order_within_a_table_and_before_other_statements(node: Nodes) -> None:
    store = node()
    arn = E + "m:e1"
    with store.writer.transaction() as db:
        db.insert_machine(machine("m"))
        db.insert_execution(execution("e1"), b"{}")
        db.append_history(arn, events(1, 2))
        db.insert_task(task("tok", arn, "t1"))
        db.set_task_status("tok", "started", "w1")
        db.close_task(arn, "t1")
        db.add_timer(arn, "wait", 5.0)
        db.delete_timers(arn)
        db.add_timer(arn, "wait", 6.0)
        assert db.task("tok").status == "closed"  # type: ignore[union-attr]
        db.insert_execution(execution("e2"), b"{}")
        db.delete_machine(M + "m")  # several tables at once: after what was held
        assert db.execution(E + "m:e2") is None
    with store.writer.transaction() as db:
        assert db.execution(arn) is None and db.task("tok") is None and db.timers() == []


def test_a_machines_key_and_revision_are_written_once_and_again_after_a_rollback(node: Nodes) -> None:
    store = node()
    with pytest.raises(Conflict), store.writer.transaction() as db:
        db.insert_machine(machine("m"))
        db.save_snapshot(E + "m:none", b"{}", 3)  # refused: the machine's rows go too
    assert store.written_keys == set()
    started(store, execution("e1"))  # so its key and revision are written with it
    assert store.written_keys == {(M + "m", "rev-m")}
    with store.writer.transaction() as db:
        db.insert_execution(execution("e2"), b"{}")
        assert "machine_keys" not in db._pending and "revisions" not in db._pending
    assert [e.name for e in node().reader.executions(M + "m", None, 1 << 62, 10)] == ["e2", "e1"]


def test_held_writes_go_table_by_table_in_the_order_their_lookups_need(node: Nodes) -> None:
    """History and timers look their execution's number up, an execution its machine key and
    revision: a batch that writes them in the other order (another execution's history first,
    then a new execution and its own) still commits, whatever table it touched first."""
    assert set(HELD.values()) <= set(TABLE_ORDER)
    assert TABLE_ORDER.index("machine_keys") < TABLE_ORDER.index("executions")
    assert TABLE_ORDER.index("revisions") < TABLE_ORDER.index("executions")
    assert TABLE_ORDER.index("executions") < min(TABLE_ORDER.index("history"), TABLE_ORDER.index("timers"))
    store = node()
    started(store, execution("e1"))
    with store.writer.transaction() as db:
        db.append_history(E + "m:e1", events(1, 2))
        db.add_timer(E + "m:e1", "wait", 5.0)
        db.insert_execution(execution("new", "other"), b"{}")  # a machine and revision unseen
        db.append_history(E + "other:new", events(1, 1))
        db.add_timer(E + "other:new", "wait", 6.0)
    assert store.reader.history(E + "other:new", 0, 10, False) == events(1, 1)
    assert store.reader.execution(E + "other:new").state_machine_arn == M + "other"  # type: ignore[union-attr]
    with store.writer.transaction() as db:
        assert sorted(t.execution_arn for t in db.timers()) == [E + "m:e1", E + "other:new"]


def test_held_writes_of_distinct_executions_are_grouped_and_one_executions_stay_in_order(node: Nodes) -> None:
    store = node()
    started(store, execution("e1"), execution("e2"), execution("e4"))
    with store.writer.transaction() as db:  # distinct executions: sent grouped by statement
        db.finish_execution(
            E + "m:e1", 0, status="SUCCEEDED", output="{}", error=None, cause=None, stopped=2.0
        )
        db.save_snapshot(E + "m:e2", b'{"s":2}', 0)
        db.insert_execution(execution("e3"), b'{"s":3}')
        db.save_snapshot(E + "m:e4", b'{"s":4}', 0)
        db.finish_execution(E + "m:e2", 1, status="FAILED", output=None, error="E", cause="C", stopped=3.0)
    with store.writer.transaction() as db:  # one execution twice: in the order written
        db.insert_execution(execution("e5"), b'{"s":0}')
        db.save_snapshot(E + "m:e5", b'{"s":5}', 0)
    statuses = {s.name: s.status for s in store.reader.executions(M + "m", None, 1 << 62, 10)}
    assert statuses == {"e1": "SUCCEEDED", "e2": "FAILED", "e3": "RUNNING", "e4": "RUNNING", "e5": "RUNNING"}
    with store.writer.transaction() as db:
        assert [db.running(E + f"m:{n}").snapshot for n in ("e3", "e4", "e5")] == [  # type: ignore[union-attr]
            b'{"s":3}',
            b'{"s":4}',
            b'{"s":5}',
        ]
        assert db.execution(E + "m:e5").version == 1  # type: ignore[union-attr]


def test_an_error_that_is_not_a_conflict_rolls_back_and_the_writer_goes_on(node: Nodes) -> None:
    store = node()
    with pytest.raises(psycopg.errors.NotNullViolation), store.writer.transaction() as db:
        db.insert_machine(machine("m"))
        db.insert_task(task("tok", E + "m:e1", kind=None))  # surfaces at the commit
    assert store.reader.state_machine(M + "m") is None
    with store.writer.transaction() as db:
        db.insert_machine(machine("m"))
    assert isinstance(store.reader.state_machine(M + "m"), MachineRecord)


def test_a_transaction_the_database_refused_leaves_its_connection_behind(node: Nodes) -> None:
    """psycopg may hold a prepared statement whose PREPARE went down with a failed pipeline;
    the next transaction starts on a new connection. One that failed in Python keeps it."""
    store = node()
    with store.writer.transaction() as db:
        db.insert_machine(machine("m"))
    first = store.writer.db
    with pytest.raises(ValueError), store.writer.transaction() as db:
        db.insert_machine(machine("n"))
        db.state_machine(M + "n")  # sent: the transaction is open in the database
        raise ValueError("the caller's own failure")
    assert store.writer.db is first
    with pytest.raises(Conflict), store.writer.transaction() as db:
        db.save_snapshot(E + "m:none", b"{}", 7)  # no such row at that version
    assert store.writer.db is None
    with store.writer.transaction() as db:
        assert db.state_machine(M + "m") is not None and db.state_machine(M + "n") is None
    assert store.writer.db is not None and store.writer.db is not first


def test_the_writer_reconnects_after_its_connection_is_lost(node: Nodes) -> None:
    store = node()
    with store.writer.transaction() as db:
        db.insert_machine(machine("a"))
    assert store.writer.db is not None
    pid = store.writer.db.info.backend_pid
    with admin() as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(psycopg.OperationalError), store.writer.transaction() as db:
        db.insert_machine(machine("b"))
        db.state_machine(M + "a")
    with store.writer.transaction() as db:  # a new connection
        db.insert_machine(machine("b"))
    assert store.reader.state_machine(M + "b") is not None


def test_writes_outside_a_transaction_and_nested_transactions_are_refused(node: Nodes) -> None:
    store = node()
    with pytest.raises(RuntimeError, match="only inside transaction"):
        store.writer.insert_machine(machine("m"))
    with pytest.raises(RuntimeError, match="only inside transaction"):
        store.writer.state_machine(M + "m")
    writer = store.writer
    with pytest.raises(RuntimeError, match="do not nest"), writer.transaction(), writer.transaction():
        pass
    with store.writer.transaction() as db:  # nothing was kept
        assert db.state_machine(M + "m") is None


def test_reads_share_a_small_pool_across_threads(postgres_url: str) -> None:
    store = PostgresStore(postgres_url, readers=2)
    store.open()
    try:
        started(store, execution("e1"))

        def read_often() -> int:
            return sum(store.reader.execution(E + "m:e1") is not None for _ in range(25))

        readers = [in_thread(read_often) for _ in range(8)]
        for thread, _ in readers:
            thread.join(30)
        assert [outcome for _, outcome in readers] == [[25]] * 8
    finally:
        store.close()


# ---- plain errors ---------------------------------------------------------------------------


def test_a_database_that_cannot_be_reached_is_a_plain_error_without_the_password() -> None:
    url = "postgresql://postgres:sekret@127.0.0.1:1/stepwell?connect_timeout=2"
    with pytest.raises(StoreError) as refused:
        PostgresStore(url).open()
    message = str(refused.value)
    assert message.startswith(
        "cannot connect to the database postgresql://postgres@127.0.0.1:1/stepwell?connect_timeout=2: "
    )
    assert "sekret" not in message and "127.0.0.1" in message


def test_a_database_that_does_not_exist_is_a_plain_error() -> None:
    with pytest.raises(
        StoreError, match=r'cannot connect .*/stepwell_no_such_db: .*"stepwell_no_such_db" does not exist'
    ):
        PostgresStore(f"{SERVER}/stepwell_no_such_db").open()


def test_display_url_drops_passwords() -> None:
    assert (
        display_url("postgresql://u:p@h:5/db?password=x&sslmode=require")
        == "postgresql://u@h:5/db?sslmode=require"
    )
    assert display_url("postgresql://h/db") == "postgresql://h/db"
