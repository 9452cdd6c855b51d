"""The store in dicts: ``stepwell run``, Express executions and fast runtime tests.

Nothing is durable and nothing is encoded: records and history events are kept as they were
given (they are immutable by the project's rule: JSON values are never mutated in place).
Snapshots are bytes as the protocol says; the in-process runner, whose store nothing else reads,
keeps its snapshots as objects in the driver instead (``Runtime.snapshots``) and writes the empty
``runtime.KEPT_BY_DRIVER`` here, so its steps are never encoded as JSON.

Transactions: a write changes the dicts at once and logs how to undo itself; ``transaction()``
drops the log at the commit and replays it backwards when the block raises, so a rolled-back
transaction leaves nothing, its ``seq`` numbers included. One lock, held by the writer for its
whole transaction and by each read, lets reader threads see committed state only.
"""

from stepwell.runtime.store.memory.store import MemoryStore

__all__ = ["MemoryStore"]
