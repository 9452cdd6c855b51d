"""The store: connections, migrations, the reader pool, the writer, and the node's lease."""

from __future__ import annotations

import os
import secrets
import socket
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from stepwell.runtime.store.migrations import apply_migrations
from stepwell.runtime.store.postgres.common import (
    CONNECT_TIMEOUT,
    LISTEN_POLL,
    MIGRATION_LOCK,
    NOTICE_SEPARATOR,
    Q,
    channel_of,
    display_url,
    first_line,
    log,
)
from stepwell.runtime.store.postgres.reads import PostgresReads
from stepwell.runtime.store.postgres.transaction import PostgresTransaction
from stepwell.runtime.store.protocol import StoreError


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
        # (machine ARN, revision id) pairs whose key and revision rows are committed: those rows
        # are never deleted, so they are not written again (postgres/transaction.py, _keys).
        self.written_keys: set[tuple[str, str]] = set()
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
                f"cannot connect to the database {display_url(self.url)}: {first_line(failure)}"
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
                self.channel = channel_of(connection)
            except psycopg.Error as failure:
                raise StoreError(
                    f"cannot use the database {display_url(self.url)}: {first_line(failure)}"
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
                self.channel = channel_of(connection)
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
