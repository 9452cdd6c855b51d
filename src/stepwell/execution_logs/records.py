"""The log records Step Functions writes to CloudWatch Logs, from history events (pure).

One history event, as engine/history.py makes it, becomes one record (reference operations.md
§4.3, recorded against AWS in LocalStack's tests/aws/services/stepfunctions/v2/logs snapshots)::

    {"id": "1", "type": "ExecutionStarted", "details": {...the event's *EventDetails...},
     "previous_event_id": "0", "event_timestamp": "1764748800123",
     "execution_arn": "arn:aws:states:...:execution:orders:run-7", "redrive_count": "0"}

Every value but ``details`` is a string; ``event_timestamp`` is epoch milliseconds. Payloads stay
JSON text, as in GetExecutionHistory. Which events a level logs is AWS's table (§4.2): FATAL is
part of ERROR, ERROR part of ALL, OFF logs none. Nothing here reads a clock or does I/O: the
delivery (delivery.py) hands the records to a sink on a thread of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from stepwell.asl import jsoncodec

ALL, ERROR, FATAL, OFF = "ALL", "ERROR", "FATAL", "OFF"

# "FATAL: logs only the events of an execution that ends in failure" (cloudwatch-log-level).
FATAL_EVENTS = frozenset({"ExecutionAborted", "ExecutionFailed", "ExecutionTimedOut"})
ERROR_EVENTS = FATAL_EVENTS | frozenset(
    {
        "FailStateEntered",
        "LambdaFunctionFailed",
        "LambdaFunctionScheduleFailed",
        "LambdaFunctionStartFailed",
        "LambdaFunctionTimedOut",
        "MapIterationAborted",
        "MapIterationFailed",
        "MapRunAborted",
        "MapRunFailed",
        "MapStateAborted",
        "MapStateFailed",
        "ParallelStateAborted",
        "ParallelStateFailed",
        "TaskFailed",
        "TaskStartFailed",
        "TaskStateAborted",
        "TaskSubmitFailed",
        "TaskTimedOut",
        "WaitStateAborted",
    }
)

# "If the escaped input or output is larger than 248 KiB, it is truncated" (cw-logs): what is
# left of the payload, written as a JSON string, fits in this many bytes of UTF-8.
TRUNCATED_BYTES = 248 * 1024
# The payload members, each with its flag (HistoryEventExecutionDataDetails).
PAYLOADS = {"input": "inputDetails", "output": "outputDetails"}
# What includeExecutionData=false leaves out: the payloads and their flags (AWS's recordings),
# and, our reading of "data is excluded", the other members that carry the execution's data: a
# task's parameters and the values of the variables a state assigned.
EXECUTION_DATA = frozenset(
    "input inputDetails output outputDetails parameters assignedVariables assignedVariablesDetails".split()
)


@dataclass(frozen=True, slots=True)
class LogSettings:
    """What a state machine's loggingConfiguration asks for, when it asks for anything."""

    level: str  # ALL | ERROR | FATAL
    include_execution_data: bool
    log_group: str  # the group's name, from destinations[0].cloudWatchLogsLogGroup.logGroupArn


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One CloudWatch log event: a record's message, with where and when it goes."""

    log_group: str
    machine_name: str  # the state machine whose executions wrote it (names the log stream)
    timestamp: int  # epoch milliseconds: the history event's time
    message: str  # the record, as JSON


def settings_of(logging_configuration: dict[str, Any] | None) -> LogSettings | None:
    """The settings of a loggingConfiguration as the service stores it, or None when it logs
    nothing (level OFF, or no log group to write to)."""
    if not logging_configuration:
        return None
    level = logging_configuration.get("level") or OFF
    if level not in (ALL, ERROR, FATAL):
        return None
    destinations = logging_configuration.get("destinations") or ()
    arn = (destinations[0].get("cloudWatchLogsLogGroup") or {}).get("logGroupArn") if destinations else None
    group = log_group_name(arn) if isinstance(arn, str) else None
    if group is None:
        return None
    return LogSettings(level, bool(logging_configuration.get("includeExecutionData")), group)


def log_group_name(log_group_arn: str) -> str | None:
    """``arn:aws:logs:<region>:<account>:log-group:<name>:*`` -> ``<name>`` (a group's name holds
    no ':'); None when the ARN names no log group."""
    _, marker, rest = log_group_arn.partition(":log-group:")
    name = rest.split(":", 1)[0]
    return name if marker and name else None


def logged(level: str, event_type: str) -> bool:
    """Whether a machine logging at ``level`` writes events of ``event_type``."""
    if level == ALL:
        return True
    if level == ERROR:
        return event_type in ERROR_EVENTS
    if level == FATAL:
        return event_type in FATAL_EVENTS
    return False


def record(
    event: dict[str, Any], execution_arn: str, redrive_count: int, include_execution_data: bool
) -> dict[str, Any]:
    """The log record of one history event (module docstring)."""
    return {
        "id": str(event["id"]),
        "type": event["type"],
        "details": _details(_details_member(event), include_execution_data),
        "previous_event_id": str(event.get("previousEventId", 0)),
        "event_timestamp": str(timestamp_ms(event["timestamp"])),
        "execution_arn": execution_arn,
        "redrive_count": str(redrive_count),
    }


def log_events(
    events: Sequence[dict[str, Any]],
    settings: LogSettings,
    *,
    execution_arn: str,
    machine_name: str,
    redrive_count: int = 0,
) -> list[LogEvent]:
    """The log events ``settings`` asks for, from one step's history events, in their order."""
    out = []
    for event in events:
        if logged(settings.level, event["type"]):
            written = record(event, execution_arn, redrive_count, settings.include_execution_data)
            out.append(
                LogEvent(settings.log_group, machine_name, timestamp_ms(event["timestamp"]), message(written))
            )
    return out


def message(log_record: dict[str, Any]) -> str:
    """A record as the text of its CloudWatch log event: compact JSON."""
    return jsoncodec.dumps_text(log_record)


def timestamp_ms(seconds: float) -> int:
    """History timestamps are epoch seconds to the millisecond (runtime/clock.py)."""
    return round(seconds * 1000)


def truncated(text: str, limit: int = TRUNCATED_BYTES) -> str | None:
    """``text`` cut to the longest prefix whose escaped form (the JSON string's content, UTF-8)
    fits in ``limit`` bytes; None when the whole text fits. Cut between characters, never in an
    escape."""
    if len(text) * 6 <= limit or _escaped_size(text) <= limit:  # an escape is at most 6 bytes
        return None
    low, high = 0, len(text)  # text[:low] fits; text[:high + 1] does not
    while low < high:
        middle = (low + high + 1) // 2
        if _escaped_size(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return text[:low]


def _escaped_size(text: str) -> int:
    return len(jsoncodec.dumps(text)) - 2  # without the quotes


def _details_member(event: dict[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def _details(details: dict[str, Any], include_execution_data: bool) -> dict[str, Any]:
    if not include_execution_data:
        return {key: value for key, value in details.items() if key not in EXECUTION_DATA}
    out = dict(details)
    for payload, flag in PAYLOADS.items():
        text = out.get(payload)
        if isinstance(text, str):
            cut = truncated(text)
            if cut is not None:
                out[payload] = cut
                out[flag] = {**(out.get(flag) or {}), "truncated": True}
    return out
