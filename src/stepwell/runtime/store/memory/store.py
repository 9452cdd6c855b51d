"""The memory store: one transaction object, which is also its reader."""

from __future__ import annotations

from stepwell.runtime.store.memory.reads import MemoryReads
from stepwell.runtime.store.memory.transaction import MemoryTransaction
from stepwell.runtime.store.one_node import OneNode


class MemoryStore(OneNode):
    """A backend of dicts; ``open()`` and ``close()`` have nothing to do."""

    name = "memory"

    def __init__(self) -> None:
        self._transaction = MemoryTransaction()

    def open(self) -> list[int]:
        return []

    @property
    def reader(self) -> MemoryReads:
        return self._transaction

    @property
    def writer(self) -> MemoryTransaction:
        return self._transaction

    def close(self) -> None:
        pass
