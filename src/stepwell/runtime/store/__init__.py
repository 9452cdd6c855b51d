"""The durable store behind the runtime: one protocol (protocol.py), a backend per database.

open_store("stepwell.db")                          SQLite, the embedded default
open_store("postgresql://postgres@127.0.0.1/sfn")  PostgreSQL: many nodes on one database
"""

from __future__ import annotations

from pathlib import Path

from stepwell.runtime.store.protocol import Conflict, Reads, Store, StoreError, Transaction, Writer
from stepwell.runtime.store.sqlite import SqliteStore

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def safe_location(location: str | Path) -> str:
    """The location as it may be logged or shown: a URL without its password."""
    text = str(location)
    if text.startswith(POSTGRES_SCHEMES):
        from stepwell.runtime.store.postgres import display_url

        return display_url(text)
    return text


def open_store(location: str | Path, durability: str = "normal") -> Store:
    """The store a ``--db`` value names (not opened yet: call ``open()``)."""
    text = str(location)
    if text.startswith(POSTGRES_SCHEMES):
        from stepwell.runtime.store.postgres import PostgresStore  # psycopg loads only when used

        return PostgresStore(text)
    return SqliteStore(text, durability)


__all__ = ["Conflict", "Reads", "Store", "StoreError", "Transaction", "Writer", "open_store", "safe_location"]
