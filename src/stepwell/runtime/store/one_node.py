"""What an exclusive store (one process: SQLite, memory) answers to the many-nodes operations of
the protocol: there is no other node, so there is nothing to join, renew, adopt or tell."""

from __future__ import annotations

from collections.abc import Callable

from stepwell.runtime.store.records import TaskRecord, TimerRecord


class OneNode:
    """A Store's membership when it is the only node."""

    exclusive = True
    node = "local"

    def join(self, lease_seconds: float) -> None:
        pass

    def renew(self, lease_seconds: float) -> bool:
        return True

    def dead_nodes(self) -> list[str]:
        return []

    def listen(self, on_notice: Callable[[str, str], None]) -> None:
        pass  # every change is this process's own


class OneNodeTransaction:
    """A Transaction's many-nodes operations when its store is the only node."""

    def adopt(self, dead_node: str) -> tuple[list[TimerRecord], list[TaskRecord]] | None:
        return None

    def notify(self, topic: str, subject: str) -> None:
        pass
