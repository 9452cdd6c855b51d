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

from stepwell.runtime.store.postgres.common import display_url
from stepwell.runtime.store.postgres.store import PostgresStore

__all__ = ["PostgresStore", "display_url"]
