"""What the PostgreSQL store's modules share: its queries, constants, row conversions and error mapping."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import errors
from psycopg.rows import DictRow

from stepwell.runtime.store import rows
from stepwell.runtime.store.protocol import Conflict
from stepwell.runtime.store.queries import load_queries
from stepwell.runtime.store.records import (
    ExecutionRecord,
)

HISTORY_CHUNK = 500  # events per history row, as SQLite's
Q = load_queries("postgres.sql")
# The writes held until the next statement that needs an answer, by the one table each writes. A
# write reads at most the tables ranked before its own in TABLE_ORDER (an execution its machine key
# and revision, history and timers their execution's number), and writes to different tables
# commute otherwise: so a batch's writes are sent table by table in that order, in call order
# within a table, and a run of one statement goes as one executemany. Any other write
# (delete_machine, purge_executions: several tables) is sent at once, after them.
TABLE_ORDER = (
    "machine_keys",
    "revisions",
    "state_machines",
    "machine_versions",
    "machine_aliases",
    "activities",
    "tags",
    "settings",
    "executions",
    "map_runs",
    "history",
    "timers",
    "tasks",
    "event_outbox",
    "notifications",  # no table: pg_notify, delivered at the commit
)
SEND_RANK = {table: rank for rank, table in enumerate(TABLE_ORDER)}
HELD = {
    "add_machine_key": "machine_keys",
    "add_revision": "revisions",
    "insert_machine": "state_machines",
    "update_machine": "state_machines",
    "set_machine_status": "state_machines",
    "insert_version": "machine_versions",
    "delete_version": "machine_versions",
    "put_alias": "machine_aliases",
    "delete_alias": "machine_aliases",
    "insert_activity": "activities",
    "delete_activity": "activities",
    "set_tag": "tags",
    "delete_tag": "tags",
    "delete_all_tags": "tags",
    "add_setting": "settings",
    "insert_execution": "executions",
    "save_snapshot": "executions",
    "finish_execution": "executions",
    "redrive_execution": "executions",
    "put_map_run": "map_runs",
    "append_history": "history",
    "add_timer": "timers",
    "delete_timers": "timers",
    "insert_task": "tasks",
    "set_task_status": "tasks",
    "set_task_worker": "tasks",
    "mark_submitted": "tasks",
    "set_child": "tasks",
    "close_task": "tasks",
    "add_event": "event_outbox",
    "delete_event": "event_outbox",
    "release_event": "event_outbox",
    "notify": "notifications",
}
# pg_advisory_lock(MIGRATION_LOCK, hash of the schema): one node at a time migrates a schema.
MIGRATION_LOCK = 0x5747  # "SW"
CONNECT_TIMEOUT = 10  # seconds, unless the URL says otherwise
LISTEN_POLL = 0.5  # seconds between checks that the store is closing, while listening
NOTICE_SEPARATOR = "\t"  # payload: topic, tab, subject
log = logging.getLogger("stepwell.store")


R = TypeVar("R")
FIELDS: dict[type, tuple[str, ...]] = {}


def record_of(cls: type[R], row: DictRow) -> R:
    """The record of a row, from the columns it names (a ``SELECT *`` may hold more)."""
    names = FIELDS.get(cls)
    if names is None:
        names = FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    return cls(**{name: row[name] for name in names})


def as_bytes(text: str | None) -> bytes | None:
    """An execution's error or cause as the BYTEA column keeps it (TEXT refuses NUL)."""
    return text.encode("utf-8", "surrogatepass") if text is not None else None


def execution_of(row: DictRow) -> ExecutionRecord:
    values = dict(row)
    for column in ("error", "cause"):
        if values[column] is not None:
            values[column] = bytes(values[column]).decode("utf-8", "surrogatepass")
    return rows.execution(values)


def in_runs(table: str, writes: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """The table's held writes, in an order that makes runs of one statement long: writes to the
    rows of distinct executions commute (a batch writes each of its executions once), so they go
    grouped by statement; any other table's keep their order."""
    if table == "executions" and len({args["arn"] for _, args in writes}) == len(writes):
        return sorted(writes, key=itemgetter(0))  # stable: inserts keep their order, and their seq
    return writes


def channel_of(connection: psycopg.Connection[DictRow]) -> str:
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


def first_line(failure: BaseException) -> str:
    text = str(failure).strip()
    return text.splitlines()[0] if text else type(failure).__name__


def conflict_of(failure: psycopg.Error) -> Conflict | None:
    """The Conflict a database error means, if it means one (another writer got there first)."""
    if isinstance(failure, (errors.SerializationFailure, errors.DeadlockDetected)):
        return Conflict(first_line(failure))
    if isinstance(failure, errors.UniqueViolation) and failure.diag.table_name == "history":
        return Conflict(f"history already written: {first_line(failure)}")
    return None


@contextmanager
def mapped_errors() -> Iterator[None]:
    try:
        yield
    except psycopg.Error as failure:
        conflict = conflict_of(failure)
        if conflict is None:
            raise
        raise conflict from failure
