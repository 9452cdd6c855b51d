"""PostgreSQL, the store of many nodes: any number of ``stepwell serve`` on one database.

Connections: reads go through a small pool of autocommit connections (``PostgresStore.reader``, any
thread); the executor writes through ONE dedicated connection (``PostgresStore.writer``), a
transaction per batch of engine steps. ``synchronous_commit`` is left on: a committed batch
survives the loss of the database server's power.

Round trips: a write whose result nobody waits for (history, snapshots, tasks, timers, tags...) is
held in the transaction and sent with the next statement that needs an answer, or with the COMMIT:
a batch's writes, grouped by table and statement (``executemany``), travel in one pipeline. So an
error in such a write, ``Conflict`` included, surfaces at that next read or at the commit, still
inside ``transaction()``, which rolls everything back. The version check of ``save_snapshot`` and
``finish_execution`` is made by the database (``stepwell_stale_write``, migration 0005): it aborts
the transaction itself, so a batch with no reads costs one round trip.

Many writers: ``seq`` comes from a PostgreSQL sequence; a stale version, two writers appending the
same history ids, a serialization failure or a deadlock all raise ``Conflict``;
``claim_activity_task`` takes the oldest task with ``FOR UPDATE SKIP LOCKED``; nodes starting at once
migrate once, one after the other, under an advisory lock.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from itertools import groupby
from operator import itemgetter
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import errors, sql
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from stepwell.runtime.store import rows
from stepwell.runtime.store.migrations import apply_migrations
from stepwell.runtime.store.protocol import Conflict, StoreError, chunks
from stepwell.runtime.store.queries import load_queries
from stepwell.runtime.store.records import (
    ActivityRecord,
    ExecutionRecord,
    ExecutionSummary,
    MachineRecord,
    Running,
    TaskRecord,
    TimerRecord,
)

HISTORY_CHUNK = 500  # events per history row, as SQLite's
Q = load_queries("postgres.sql")
# The writes held until the next statement that needs an answer, by the one table each touches
# (none reads another): writes to different tables commute, so a batch's writes are sent table by
# table, in call order within a table, and a run of one statement goes as one executemany. Any
# other write (delete_machine, purge_executions: several tables) is sent at once, after them.
HELD = {
    "insert_machine": "state_machines",
    "update_machine": "state_machines",
    "set_machine_status": "state_machines",
    "insert_activity": "activities",
    "delete_activity": "activities",
    "set_tag": "tags",
    "delete_tag": "tags",
    "delete_all_tags": "tags",
    "add_setting": "settings",
    "insert_execution": "executions",
    "save_snapshot": "executions",
    "finish_execution": "executions",
    "append_history": "history",
    "add_timer": "timers",
    "delete_timers": "timers",
    "insert_task": "tasks",
    "set_task_status": "tasks",
    "set_task_worker": "tasks",
    "mark_submitted": "tasks",
    "set_child": "tasks",
    "close_task": "tasks",
    "notify": "notifications",  # no table: sent at the commit
}
# pg_advisory_lock(MIGRATION_LOCK, hash of the schema): one node at a time migrates a schema.
MIGRATION_LOCK = 0x5747  # "SW"
CONNECT_TIMEOUT = 10  # seconds, unless the URL says otherwise
LISTEN_POLL = 0.5  # seconds between checks that the store is closing, while listening
NOTICE_SEPARATOR = "\t"  # payload: topic, tab, subject
log = logging.getLogger("stepwell.store")


R = TypeVar("R")
_FIELDS: dict[type, tuple[str, ...]] = {}


def _record(cls: type[R], row: DictRow) -> R:
    """The record of a row, from the columns it names (a ``SELECT *`` may hold more)."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    return cls(**{name: row[name] for name in names})


def _bytes(text: str | None) -> bytes | None:
    """An execution's error or cause as the BYTEA column keeps it (TEXT refuses NUL)."""
    return text.encode("utf-8", "surrogatepass") if text is not None else None


def _execution(row: DictRow) -> ExecutionRecord:
    values = dict(row)
    for column in ("error", "cause"):
        if values[column] is not None:
            values[column] = bytes(values[column]).decode("utf-8", "surrogatepass")
    return rows.execution(values)


def _in_runs(table: str, writes: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """The table's held writes, in an order that makes runs of one statement long: writes to the
    rows of distinct executions commute (a batch writes each of its executions once), so they go
    grouped by statement; any other table's keep their order."""
    if table == "executions" and len({args["arn"] for _, args in writes}) == len(writes):
        return sorted(writes, key=itemgetter(0))  # stable: inserts keep their order, and their seq
    return writes


def _channel(connection: psycopg.Connection[DictRow]) -> str:
    """The notification channel of the connection's schema: deployments in two schemas of one
    database do not hear each other."""
    row = connection.execute("SELECT COALESCE(current_schema(), '') AS schema").fetchone()
    return f"stepwell.{row['schema'] if row is not None else ''}"


def display_url(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _first_line(failure: BaseException) -> str:
    text = str(failure).strip()
    return text.splitlines()[0] if text else type(failure).__name__


def _conflict(failure: psycopg.Error) -> Conflict | None:
    """The Conflict a database error means, if it means one (another writer got there first)."""
    if isinstance(failure, (errors.SerializationFailure, errors.DeadlockDetected)):
        return Conflict(_first_line(failure))
    if isinstance(failure, errors.UniqueViolation) and failure.diag.table_name == "history":
        return Conflict(f"history already written: {_first_line(failure)}")
    return None


@contextmanager
def _mapped() -> Iterator[None]:
    try:
        yield
    except psycopg.Error as failure:
        conflict = _conflict(failure)
        if conflict is None:
            raise
        raise conflict from failure


class PostgresStore:
    """The database a ``postgresql://`` URL names, its migrations, and its connections.

    ``readers``: the most pooled connections reads may hold at once. ``prepare_threshold``: after
    how many executions psycopg prepares a statement on a connection (None: never, for a pooler in
    transaction mode such as PgBouncer's).
    """

    name = "postgresql"
    exclusive = False  # many nodes share the database

    def __init__(self, url: str, *, readers: int = 4, prepare_threshold: int | None = 5):
        self.url = url
        self.node = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self.channel = ""  # the notification channel of the schema (open() sets it)
        self._joined = False
        self._lease: psycopg.Connection[DictRow] | None = None  # the lease's own connection
        self._lease_lock = threading.Lock()
        self._closing = threading.Event()
        self._listener: threading.Thread | None = None
        self.readers = readers
        self.prepare_threshold = prepare_threshold
        self._connect_args: dict[str, Any] = {"prepare_threshold": prepare_threshold}
        if "connect_timeout" not in url:
            self._connect_args["connect_timeout"] = CONNECT_TIMEOUT
        self._lock = threading.Lock()
        self._pool: ConnectionPool[psycopg.Connection[DictRow]] | None = None
        self._reads: PostgresReads | None = None
        self._writer: PostgresTransaction | None = None

    def connect(self) -> psycopg.Connection[DictRow]:
        """A new autocommit connection (StoreError when the database cannot be reached)."""
        try:
            return psycopg.connect(self.url, autocommit=True, row_factory=dict_row, **self._connect_args)
        except psycopg.Error as failure:
            raise StoreError(
                f"cannot connect to the database {display_url(self.url)}: {_first_line(failure)}"
            ) from None

    def open(self) -> list[int]:
        self._closing.clear()
        with self.connect() as connection:
            try:
                connection.execute(
                    "SELECT pg_advisory_lock(%s, hashtext(COALESCE(current_schema(), '')))",
                    (MIGRATION_LOCK,),
                )
                applied = apply_migrations(_PostgresMigrations(connection))
                self.channel = _channel(connection)
            except psycopg.Error as failure:
                raise StoreError(
                    f"cannot use the database {display_url(self.url)}: {_first_line(failure)}"
                ) from None
            # Closing the connection releases the advisory lock.
        _ = self.reader
        return applied

    @property
    def reader(self) -> PostgresReads:
        if self._reads is None:
            with self._lock:
                if self._reads is None:
                    self._reads = PostgresReads(self._open_pool())
        return self._reads

    def _open_pool(self) -> ConnectionPool[psycopg.Connection[DictRow]]:
        pool = ConnectionPool(
            self.url,
            connection_class=psycopg.Connection[DictRow],
            kwargs={"autocommit": True, "row_factory": dict_row, **self._connect_args},
            min_size=1,
            max_size=max(1, self.readers),
            open=False,
            name="stepwell-readers",
        )
        try:
            pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        except PoolTimeout:
            pool.close()
            raise StoreError(f"cannot connect to the database {display_url(self.url)}") from None
        self._pool = pool
        return pool

    @property
    def writer(self) -> PostgresTransaction:
        if self._writer is None:
            self._writer = PostgresTransaction(self)
        return self._writer

    def close(self) -> None:
        self._closing.set()
        with self._lease_lock:
            if self._joined:
                with suppress(psycopg.Error, StoreError):
                    self._on_lease("leave_node", {})
                self._joined = False
            if self._lease is not None:
                self._lease.close()
                self._lease = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._pool is not None:
            self._pool.close()
            self._pool = None
            self._reads = None
        if self._listener is not None:
            self._listener.join(LISTEN_POLL * 4)
            self._listener = None

    # ---- many nodes ---------------------------------------------------------------------------
    def _on_lease(self, query: str, args: dict[str, Any]) -> psycopg.Cursor[DictRow]:
        """Run a query of the lease on its own connection: busy readers never delay a renewal.
        Call with ``_lease_lock`` held."""
        if self._lease is None or self._lease.closed or self._lease.broken:
            self._lease = self.connect()
        return self._lease.execute(Q[query], {"node": self.node, **args})

    def join(self, lease_seconds: float) -> None:
        with self._lease_lock:
            self._on_lease("join_node", {"lease": lease_seconds})
            self._joined = True

    def renew(self, lease_seconds: float) -> bool:
        with self._lease_lock:
            return self._on_lease("renew_node", {"lease": lease_seconds}).rowcount == 1

    def dead_nodes(self) -> list[str]:
        with self._lease_lock:
            return [str(row["id"]) for row in self._on_lease("dead_nodes", {})]

    def listen(self, on_notice: Callable[[str, str], None]) -> None:
        """LISTEN on a connection of its own, in a thread, until ``close``. A notice lost while
        the connection is re-made (the database restarted) is lost: notices only wake."""
        if not self.channel:
            with self.connect() as connection:
                self.channel = _channel(connection)
        self._listener = threading.Thread(
            target=self._listen, args=(on_notice,), name="stepwell-listen", daemon=True
        )
        self._listener.start()

    def _listen(self, on_notice: Callable[[str, str], None]) -> None:
        while not self._closing.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, **self._connect_args) as connection:
                    connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
                    while not self._closing.is_set():
                        for notice in connection.notifies(timeout=LISTEN_POLL):
                            topic, _, subject = notice.payload.partition(NOTICE_SEPARATOR)
                            try:
                                on_notice(topic, subject)
                            except Exception:
                                log.exception("a notice's handler failed: %r", notice.payload)
            except psycopg.Error:
                if not self._closing.wait(LISTEN_POLL):
                    log.warning("listening for other nodes' notices: reconnecting", exc_info=True)


class _PostgresMigrations:
    """What ``apply_migrations`` needs of a connection (held under the migration lock)."""

    dialect = "postgresql"

    def __init__(self, connection: psycopg.Connection[DictRow]):
        self.db = connection

    def applied(self) -> set[int]:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (version BIGINT PRIMARY KEY, applied DOUBLE PRECISION)"
        )
        return {int(row["version"]) for row in self.db.execute("SELECT version FROM schema_migrations")}

    def apply(self, version: int, statements: list[str], now: float) -> None:
        with self.db.transaction():
            for statement in statements:
                self.db.execute(statement)  # no parameters: a % in a migration is a %
            self.db.execute("INSERT INTO schema_migrations VALUES (%s, %s)", (version, now))


class _Queries:
    """Every read, over ``_all`` (the rows of one named query), for the pool and the writer alike."""

    def _all(self, query: str, args: dict[str, Any]) -> list[DictRow]:
        raise NotImplementedError

    def _one(self, query: str, args: dict[str, Any]) -> DictRow | None:
        found = self._all(query, args)
        return found[0] if found else None

    def _records(self, cls: type[R], query: str, args: dict[str, Any]) -> list[R]:
        return [_record(cls, row) for row in self._all(query, args)]

    # ---- state machines and activities -------------------------------------------------------
    def state_machine(self, arn: str) -> MachineRecord | None:
        row = self._one("state_machine", {"arn": arn})
        return _record(MachineRecord, row) if row is not None else None

    def state_machines(self, after: str, limit: int) -> list[MachineRecord]:
        return self._records(MachineRecord, "state_machines", {"after": after, "limit": limit})

    def activity(self, arn: str) -> ActivityRecord | None:
        row = self._one("activity", {"arn": arn})
        return _record(ActivityRecord, row) if row is not None else None

    def activities(self, after: str, limit: int) -> list[ActivityRecord]:
        return self._records(ActivityRecord, "activities", {"after": after, "limit": limit})

    def tags(self, arn: str) -> dict[str, str]:
        return {row["key"]: row["value"] for row in self._all("tags", {"arn": arn})}

    def setting(self, name: str) -> str | None:
        row = self._one("setting", {"name": name})
        return str(row["value"]) if row is not None else None

    # ---- executions ---------------------------------------------------------------------------
    def execution(self, arn: str) -> ExecutionRecord | None:
        row = self._one("execution", {"arn": arn})
        return _execution(row) if row is not None else None

    def executions(
        self, machine_arn: str, status: str | None, before_seq: int, limit: int
    ) -> list[ExecutionSummary]:
        args: dict[str, Any] = {"machine_arn": machine_arn, "before": before_seq, "limit": limit}
        if status is None:
            found = self._all("executions", args)
        else:
            found = self._all("executions_by_status", {"status": status, **args})
        return [_record(ExecutionSummary, row) for row in found]

    def history(self, arn: str, after_id: int, limit: int, reverse: bool) -> list[dict[str, Any]]:
        query = "history_reverse" if reverse else "history_forward"
        found = self._all(query, {"arn": arn, "after": after_id, "limit": limit})
        return rows.history_page(arn, (bytes(row["events"]) for row in found), after_id, limit, reverse)

    def execution_counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for row in self._all("execution_counts", {}):
            counts.setdefault(row["state_machine_arn"], {})[row["status"]] = int(row["n"])
        return counts

    def children(self, arn: str) -> list[str]:
        return [str(row["target"]) for row in self._all("children", {"arn": arn})]

    # ---- tasks --------------------------------------------------------------------------------
    def task(self, token: str) -> TaskRecord | None:
        row = self._one("task", {"token": token})
        return _record(TaskRecord, row) if row is not None else None

    def activity_backlog(self, activity_arn: str) -> list[TaskRecord]:
        return self._records(TaskRecord, "activity_backlog", {"activity_arn": activity_arn})


class PostgresReads(_Queries):
    """Reads at the last committed state, each on a pooled connection (thread-safe)."""

    def __init__(self, pool: ConnectionPool[psycopg.Connection[DictRow]]):
        self.pool = pool

    def _all(self, query: str, args: dict[str, Any]) -> list[DictRow]:
        with self.pool.connection() as connection:
            return connection.execute(Q[query], args).fetchall()


class PostgresTransaction(_Queries):
    """The one writing connection. Use only inside ``transaction()``, from one thread."""

    def __init__(self, store: PostgresStore):
        self.store = store
        self.db: psycopg.Connection[DictRow] | None = None
        self._begun = False  # BEGIN was sent
        self._active = False  # inside transaction()
        self._pending: dict[str, list[tuple[str, dict[str, Any]]]] = {}  # table -> writes to send

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def _connection(self) -> psycopg.Connection[DictRow]:
        if self.db is None or self.db.closed or self.db.broken:
            self.db = self.store.connect()  # a lost connection is replaced at the next transaction
        return self.db

    @contextmanager
    def transaction(self) -> Iterator[PostgresTransaction]:
        if self._active:
            raise RuntimeError("transactions do not nest")
        self._connection()
        self._active, self._begun = True, False
        try:
            yield self
            self._send(commit=True)
        except BaseException:
            self._rollback()
            raise
        finally:
            self._active = False

    def _rollback(self) -> None:
        self._pending.clear()
        if self._begun and self.db is not None and not self.db.broken:
            with suppress(psycopg.Error):  # the failure being raised is the one to report
                self.db.execute("ROLLBACK")
        self._begun = False

    # ---- sending ------------------------------------------------------------------------------
    def _write(self, query: str, args: dict[str, Any]) -> None:
        """Hold a write until something needs an answer (or the commit)."""
        if not self._active:
            raise RuntimeError("the store is written only inside transaction()")
        self._pending.setdefault(HELD[query], []).append((query, args))

    def _send(self, read: str | None = None, args: dict[str, Any] | None = None, commit: bool = False) -> Any:
        """Send the held writes, then the read (its cursor is returned) or the COMMIT, in one round
        trip."""
        db = self.db  # never replaced inside a transaction: a new connection would not be in it
        if not self._active or db is None:
            raise RuntimeError("the store is written only inside transaction()")
        with _mapped():
            if self._begun and not self._pending:  # nothing ahead: no pipeline needed
                if read is not None:
                    return db.execute(Q[read], args)
                if commit:
                    db.execute("COMMIT")
                    self._begun = False
                return None
            if not self._begun and not self._pending and read is None:
                return None  # an empty transaction: nothing was sent, nothing to commit
            cursor = db.cursor()
            with db.pipeline():
                if not self._begun:
                    cursor.execute("BEGIN")
                    self._begun = True
                for table, writes in self._pending.items():
                    for query, run in groupby(_in_runs(table, writes), key=itemgetter(0)):
                        batch = [args for _, args in run]
                        if len(batch) == 1:
                            cursor.execute(Q[query], batch[0])
                        else:
                            cursor.executemany(Q[query], batch)
                self._pending.clear()
                answer = db.cursor()
                if read is not None:
                    answer.execute(Q[read], args)
                if commit:
                    cursor.execute("COMMIT")
            if commit:
                self._begun = False
            return answer

    def _all(self, query: str, args: dict[str, Any]) -> list[DictRow]:
        rows_: list[DictRow] = self._send(query, args).fetchall()
        return rows_

    def _count(self, query: str, args: dict[str, Any]) -> int:
        """The rows a write changed (sent now: the caller needs the answer)."""
        changed: int = self._send(query, args).rowcount
        return changed

    # ---- state machines, activities, tags, settings -----------------------------------------
    def insert_machine(self, machine: MachineRecord) -> None:
        self._write("insert_machine", rows.fields(machine))

    def update_machine(
        self, arn: str, *, definition: str, role_arn: str, config: str, revision_id: str, updated: float
    ) -> None:
        self._write(
            "update_machine",
            {
                "arn": arn,
                "definition": definition,
                "role_arn": role_arn,
                "config": config,
                "revision_id": revision_id,
                "updated": updated,
            },
        )

    def set_machine_status(self, arn: str, status: str) -> None:
        self._write("set_machine_status", {"arn": arn, "status": status})

    def delete_machine(self, arn: str) -> None:
        self._send("delete_machine", {"arn": arn})

    def has_running(self, machine_arn: str, other_than: str = "") -> bool:
        return self._one("has_running", {"machine_arn": machine_arn, "other_than": other_than}) is not None

    def insert_activity(self, activity: ActivityRecord) -> None:
        self._write("insert_activity", rows.fields(activity))

    def delete_activity(self, arn: str) -> None:
        self._write("delete_activity", {"arn": arn})
        self._write("delete_all_tags", {"arn": arn})

    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        for key, value in tags.items():
            self._write("set_tag", {"arn": arn, "key": key, "value": value})

    def delete_tags(self, arn: str, keys: Sequence[str]) -> None:
        for key in keys:
            self._write("delete_tag", {"arn": arn, "key": key})

    def add_setting(self, name: str, value: str) -> None:
        self._write("add_setting", {"name": name, "value": value})

    # ---- executions ---------------------------------------------------------------------------
    def insert_execution(self, execution: ExecutionRecord, snapshot: bytes | None) -> None:
        values = rows.execution_fields(execution)
        del values["seq"]  # drawn from the sequence
        values["snapshot"] = rows.pack_snapshot(execution.arn, snapshot)
        values["error"], values["cause"] = _bytes(execution.error), _bytes(execution.cause)
        self._write("insert_execution", values)

    def running(self, arn: str) -> Running | None:
        row = self._one("running", {"arn": arn})
        if row is None:
            return None
        return Running(_execution(row), rows.unpack_snapshot(arn, row["snapshot"]))

    def save_snapshot(self, arn: str, snapshot: bytes, version: int) -> None:
        self._write(
            "save_snapshot", {"arn": arn, "snapshot": rows.pack_snapshot(arn, snapshot), "version": version}
        )

    def finish_execution(
        self,
        arn: str,
        version: int,
        *,
        status: str,
        output: str | None,
        error: str | None,
        cause: str | None,
        stopped: float,
    ) -> None:
        self._write(
            "finish_execution",
            {
                "arn": arn,
                "version": version,
                "status": status,
                "output": output,
                "error": _bytes(error),
                "cause": _bytes(cause),
                "stopped": stopped,
            },
        )

    def append_history(self, arn: str, events: Sequence[dict[str, Any]]) -> None:
        for chunk in chunks(events, HISTORY_CHUNK):
            self._write(
                "append_history",
                {
                    "arn": arn,
                    "first_id": chunk[0]["id"],
                    "last_id": chunk[-1]["id"],
                    "events": rows.dump_events(arn, chunk),
                },
            )

    def purge_executions(self, stopped_before: float, limit: int) -> int:
        row = self._one("purge_executions", {"before": stopped_before, "limit": limit})
        return int(row["n"]) if row is not None else 0

    # ---- timers -------------------------------------------------------------------------------
    def add_timer(self, arn: str, timer_id: str, due: float) -> None:
        self._write("add_timer", {"arn": arn, "timer_id": timer_id, "due": due, "owner": self.store.node})

    def take_timer(self, arn: str, timer_id: str, now: float) -> float | None:
        row = self._one("take_timer", {"arn": arn, "timer_id": timer_id, "now": now})
        return float(row["due"]) if row is not None else None

    def delete_timers(self, arn: str) -> None:
        self._write("delete_timers", {"arn": arn})

    def timers(self) -> list[TimerRecord]:
        return self._records(TimerRecord, "timers", {})

    # ---- the task outbox ----------------------------------------------------------------------
    def insert_task(self, task: TaskRecord) -> None:
        values = rows.fields(task)
        if task.node is None:  # the node that asks for a task owns it until another hands it over
            values["node"] = self.store.node
        self._write("insert_task", values)

    def task_of(self, arn: str, task_id: str) -> TaskRecord | None:
        row = self._one("task_of", {"arn": arn, "task_id": task_id})
        return _record(TaskRecord, row) if row is not None else None

    def set_task_status(self, token: str, status: str, worker_name: str | None = None) -> None:
        if worker_name is None:
            self._write("set_task_status", {"token": token, "status": status})
        else:
            self._write("set_task_worker", {"token": token, "status": status, "worker_name": worker_name})

    def hand_over_task(self, token: str, queued: str, started: str) -> bool:
        args = {"token": token, "queued": queued, "started": started, "node": self.store.node}
        return self._count("hand_over_task", args) == 1

    def mark_submitted(self, arn: str, task_id: str) -> None:
        self._write("mark_submitted", {"arn": arn, "task_id": task_id})

    def set_child(self, token: str, child_arn: str) -> None:
        self._write("set_child", {"token": token, "target": child_arn})

    def close_task(self, arn: str, task_id: str) -> None:
        self._write("close_task", {"arn": arn, "task_id": task_id})

    def close_tasks(self, arn: str) -> list[TaskRecord]:
        return self._records(TaskRecord, "close_tasks", {"arn": arn})

    def open_tasks(self) -> list[TaskRecord]:
        return self._records(TaskRecord, "open_tasks", {})

    def claim_activity_task(self, activity_arn: str, worker_name: str) -> TaskRecord | None:
        row = self._one("claim_activity_task", {"activity_arn": activity_arn, "worker_name": worker_name})
        return _record(TaskRecord, row) if row is not None else None

    def count_invocations(self, arn: str, state_name: str) -> int:
        row = self._one("count_invocations", {"arn": arn, "state_name": state_name})
        return int(row["n"]) if row is not None else 0

    # ---- many nodes ---------------------------------------------------------------------------
    def adopt(self, dead_node: str) -> tuple[list[TimerRecord], list[TaskRecord]] | None:
        if self._one("adopt_node", {"dead": dead_node}) is None:
            return None  # alive, or adopted by another node first
        args = {"dead": dead_node, "node": self.store.node}
        return self._records(TimerRecord, "adopt_timers", args), self._records(
            TaskRecord, "adopt_tasks", args
        )

    def notify(self, topic: str, subject: str) -> None:
        payload = f"{topic}{NOTICE_SEPARATOR}{subject}"
        self._write("notify", {"channel": self.store.channel, "payload": payload})
