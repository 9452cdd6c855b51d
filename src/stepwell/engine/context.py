"""The context object (``$$`` in JSONPath, ``$states.context`` in JSONata), reference §4."""

from __future__ import annotations

import bisect
from datetime import UTC, datetime
from typing import Any

from stepwell.engine.snapshot import Frame, Snapshot

# AWS's context object documentation (Map.Item.Source): "For state input, the value will be:
# STATE_DATA"; S3 readers give "S3://bucket-name" (ListObjectsV2 with Transformation NONE) or
# "S3://bucket-name/object-key" (every other reader: the object the item was read from).
MAP_ITEM_SOURCE_STATE_DATA = "STATE_DATA"


def item_source(sources: list[Any], index: int) -> str:
    """The Source of item ``index``, given ``[[first index, source], ...]`` in index order."""
    found = bisect.bisect_right([first for first, _ in sources], index) - 1
    return str(sources[found][1]) if found >= 0 else MAP_ITEM_SOURCE_STATE_DATA


def iso_timestamp(epoch_seconds: float) -> str:
    """AWS's rendering of a time in the context object: ISO 8601, milliseconds, 'Z'."""
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def context_object(
    snapshot: Snapshot,
    frame: Frame,
    *,
    retry_count: bool = False,
    task_token: str | None = None,
    map_item: tuple[int, Any] | None = None,
    map_item_source: str = MAP_ITEM_SOURCE_STATE_DATA,
) -> dict[str, Any]:
    ex = snapshot.execution
    execution: dict[str, Any] = {
        "Id": ex.execution_arn,
        "Input": snapshot.input,
        "StartTime": iso_timestamp(ex.start_time),
        "Name": ex.name,
        "RoleArn": ex.role_arn,
    }
    if ex.machine_type != "EXPRESS":  # Express executions cannot be redriven
        execution["RedriveCount"] = ex.redrive_count
        if ex.redrive_time is not None:  # "RedriveTime": only once the execution was redriven
            execution["RedriveTime"] = iso_timestamp(ex.redrive_time)
    state: dict[str, Any] = {"Name": frame.state, "EnteredTime": iso_timestamp(frame.entered_time)}
    if retry_count:
        state["RetryCount"] = frame.retry_total
    ctx: dict[str, Any] = {
        "Execution": execution,
        "StateMachine": {"Id": ex.state_machine_arn, "Name": ex.state_machine_name},
        "State": state,
    }
    if task_token is not None:
        ctx["Task"] = {"Token": task_token}
    if map_item is not None:
        item = {"Index": map_item[0], "Value": map_item[1], "Source": map_item_source}
        ctx["Map"] = {"Item": item}
    return ctx
