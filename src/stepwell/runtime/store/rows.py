"""Between rows and records, for both SQL backends: one place knows how columns become values."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from stepwell.asl import jsoncodec
from stepwell.runtime.store import packing
from stepwell.runtime.store.records import ExecutionRecord, ExecutionSummary, Parent

_EXECUTION_COLUMNS = tuple(f.name for f in dataclasses.fields(ExecutionRecord))
_SUMMARY_COLUMNS = tuple(f.name for f in dataclasses.fields(ExecutionSummary))


def fields(record: Any) -> dict[str, Any]:
    """A flat record's fields as query parameters."""
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


def execution(row: Any) -> ExecutionRecord:
    """A row (any mapping of the executions table's columns) as a record."""
    values = {column: row[column] for column in _EXECUTION_COLUMNS}
    parent = values["parent"]
    values["parent"] = Parent(**orjson.loads(parent)) if parent else None
    values["redrive_count"] = values["redrive_count"] or 0  # NULL until a first redrive
    values["has_snapshot"] = bool(values["has_snapshot"])
    return ExecutionRecord(**values)


def summary(row: Any) -> ExecutionSummary:
    """A line of ListExecutions (any mapping of its columns)."""
    values = {column: row[column] for column in _SUMMARY_COLUMNS}
    values["redrive_count"] = values["redrive_count"] or 0
    return ExecutionSummary(**values)


def execution_fields(record: ExecutionRecord) -> dict[str, Any]:
    values = fields(record)
    parent = record.parent
    values["parent"] = orjson.dumps(dataclasses.asdict(parent)).decode() if parent is not None else None
    del values["version"], values["has_snapshot"]
    return values


def dump_events(arn: str, events: Sequence[dict[str, Any]]) -> bytes:
    """A history chunk as stored (packing.py)."""
    return packing.pack(arn, jsoncodec.dumps(list(events)))


def pack_snapshot(arn: str, snapshot: bytes | None) -> bytes | None:
    return None if snapshot is None else packing.pack(arn, snapshot)


def unpack_snapshot(arn: str, stored: bytes) -> bytes:
    return packing.unpack(arn, bytes(stored))


def history_page(
    arn: str, chunks: Iterable[bytes | str], after_id: int, limit: int, reverse: bool
) -> list[dict[str, Any]]:
    """Up to ``limit`` events of the execution's stored chunks (read in order, or newest first when
    ``reverse``) on the far side of ``after_id``."""
    out: list[dict[str, Any]] = []
    for chunk in chunks:
        text = chunk if isinstance(chunk, str) else packing.unpack(arn, chunk)  # str: plain, old
        events = jsoncodec.loads(text, limits=False)
        if reverse:
            out.extend(e for e in reversed(events) if e["id"] < after_id)
        else:
            out.extend(e for e in events if e["id"] > after_id)
        if len(out) >= limit:
            break
    return out[:limit]
