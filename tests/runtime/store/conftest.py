"""The stores under test: every backend, empty, opened, and closed after the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stepwell.runtime.store.memory import MemoryStore
from stepwell.runtime.store.protocol import Store
from stepwell.runtime.store.sqlite import SqliteStore

BACKENDS = ("memory", "sqlite", "postgresql")


@pytest.fixture
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], Store]]:
    """Opens stores of a backend (several PostgreSQL stores share the test's schema, as nodes
    share a database), and closes them all after the test."""
    opened: list[Store] = []

    def open_one(backend: str) -> Store:
        store: Store
        if backend == "memory":
            store = MemoryStore()
        elif backend == "sqlite":
            store = SqliteStore(tmp_path / "store.db")
        else:
            from stepwell.runtime.store.postgres import PostgresStore

            store = PostgresStore(request.getfixturevalue("postgres_url"))
        store.open()
        opened.append(store)
        return store

    yield open_one
    for store in reversed(opened):
        store.close()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, open_store: Callable[[str], Store]) -> Store:
    """An empty, opened store of each backend in turn."""
    return open_store(request.param)
