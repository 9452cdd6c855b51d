"""A Distributed Map's ItemBatcher: its items grouped into batches, each one child execution's input
(reference integrations §3.5).

"MaxItemsPerBatch" and "MaxInputBytesPerBatch" bound a batch (at least one is given); a batch is
at most 256 KiB even without a byte limit. Each child's input is ``{"BatchInput": ..., "Items":
[...]}`` (BatchInput first, as AWS records it; without one, ``{"Items": [...]}``). "All items of a
batch share the child execution's outcome." The ItemSelector, if any, has made each item first.
"""

from __future__ import annotations

from typing import Any

from stepwell.asl import jsoncodec
from stepwell.engine.snapshot import MapWork

MAX_BATCH_BYTES = 262_144  # "Batch size ≤ 256 KiB"
_NONE: Any = object()


def make_batches(
    items: list[Any], max_items: int | None, max_bytes: int | None, batch_input: Any = _NONE
) -> list[dict[str, Any]]:
    """The batches of ``items``, in order; an item too big for any batch makes one of its own."""
    byte_limit = min(max_bytes or MAX_BATCH_BYTES, MAX_BATCH_BYTES)
    shell: dict[str, Any] = {} if batch_input is _NONE else {"BatchInput": batch_input}
    empty = len(jsoncodec.dumps_text({**shell, "Items": []}).encode())
    batches: list[dict[str, Any]] = []
    current: list[Any] = []
    size = empty
    for item in items:
        grown = size + len(jsoncodec.dumps_text(item).encode()) + (1 if current else 0)
        full = (max_items is not None and len(current) >= max_items) or grown > byte_limit
        if current and full:
            batches.append({**shell, "Items": current})
            current, grown = [], empty + len(jsoncodec.dumps_text(item).encode())
        current.append(item)
        size = grown
    if current:
        batches.append({**shell, "Items": current})
    return batches


def no_batch_input() -> Any:
    """What ``make_batches`` takes for a batcher without BatchInput."""
    return _NONE


def mark(work: MapWork, index: int, status: str) -> None:
    """Batch ``index`` is now ``status`` (DescribeMapRun's names: pending, running, succeeded,
    failed, timedOut, aborted): its items count there (``item_counts``). Nothing without batches."""
    if not work.batch_sizes:
        return
    old = work.batch_status[index]
    if old == status:
        return
    size = work.batch_sizes[index]
    work.item_counts[old] = work.item_counts.get(old, 0) - size
    work.item_counts[status] = work.item_counts.get(status, 0) + size
    work.batch_status[index] = status
