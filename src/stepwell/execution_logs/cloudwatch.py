"""CloudWatch Logs as the destination: PutLogEvents through boto3, in batches CloudWatch accepts.

Log streams. AWS's names start with ``states/`` (DataDog/datadog-serverless-functions#866: "the
log stream name always start with states/"); a stream recorded in that project's tests reads
``states/logs-to-traces-sequential/2022-11-10-15-50/7851b2d9``: the state machine's name, a
minute, and eight hex digits. What AWS's minute and digits stand for is not documented. stepwell
writes ``states/<state machine name>/<YYYY-MM-DD-HH-MM>/<node>``: the UTC minute of the first
event written to the stream and this server process's own eight hex digits, with a new stream
each UTC day. Streams are created when first written to; nodes never share one.

Log groups are never created: Step Functions writes to the group the configuration names and
does not create it (the role it documents holds no logs:CreateLogGroup). A missing group drops
the records meant for it, with one warning, and is looked for again a minute later.

PutLogEvents' rules (CloudWatch Logs API reference): at most 10,000 events and 1,048,576 bytes
per call, each event counted as its message's UTF-8 bytes plus 26; events in chronological
order; one call spans at most 24 hours; an event of at most 256 KB (records are truncated to fit,
records.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from stepwell.execution_logs.notices import Notices
from stepwell.execution_logs.records import LogEvent

log = logging.getLogger("stepwell.execution_logs")

MAX_BATCH_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD_BYTES = 26
MAX_EVENT_BYTES = 256 * 1024  # the event's size, its overhead included
MAX_BATCH_SPAN_MS = 24 * 60 * 60 * 1000
MISSING_GROUP_SECONDS = 60.0  # a missing log group is looked for again after this long


def stream_name(machine_name: str, first_timestamp_ms: int, node: str) -> str:
    minute = datetime.fromtimestamp(first_timestamp_ms / 1000, UTC).strftime("%Y-%m-%d-%H-%M")
    return f"states/{machine_name}/{minute}/{node}"


def day_of(timestamp_ms: int) -> str:
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC).strftime("%Y-%m-%d")


def event_size(event: LogEvent) -> int:
    return len(event.message.encode("utf-8")) + EVENT_OVERHEAD_BYTES


def batches(events: Iterable[LogEvent]) -> list[list[LogEvent]]:
    """``events`` (of one stream) in timestamp order, cut into PutLogEvents calls CloudWatch
    accepts. An event too large for any call is not in any."""
    out: list[list[LogEvent]] = []
    current: list[LogEvent] = []
    size = 0
    for event in sorted(events, key=lambda e: e.timestamp):  # stable: one execution's order stays
        bytes_ = event_size(event)
        if bytes_ > MAX_EVENT_BYTES:
            continue
        full = len(current) == MAX_BATCH_EVENTS or size + bytes_ > MAX_BATCH_BYTES
        if current and (full or event.timestamp - current[0].timestamp > MAX_BATCH_SPAN_MS):
            out.append(current)
            current, size = [], 0
        current.append(event)
        size += bytes_
    if current:
        out.append(current)
    return out


class CloudWatchLogs:
    """The sink that writes to CloudWatch Logs (called from the delivery's one thread)."""

    def __init__(
        self,
        client: Callable[[], Any],
        *,
        node: str,
        notices: Notices | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._client = client  # the boto3 ``logs`` client, created on first use
        self.node = node
        self.notices = notices or Notices()
        self.clock = clock
        # (log group, state machine name, UTC day) -> the stream written to, once created
        self._streams: dict[tuple[str, str, str], str] = {}
        self._missing_groups: dict[str, float] = {}  # log group -> when it was found missing

    def write(self, events: list[LogEvent]) -> None:
        by_stream: dict[tuple[str, str, str], list[LogEvent]] = {}
        for event in events:
            by_stream.setdefault((event.log_group, event.machine_name, day_of(event.timestamp)), []).append(
                event
            )
        for key, stream_events in by_stream.items():
            calls = batches(stream_events)
            for batch in calls:
                self._put(key, batch)
            if len(stream_events) > sum(len(batch) for batch in calls):
                self.notices.warning(
                    "too-large",
                    "execution logs: a record larger than CloudWatch's %d bytes per event was not written",
                    MAX_EVENT_BYTES,
                )

    def close(self) -> None:
        """Nothing held: every write was sent when it was made."""

    def _put(self, key: tuple[str, str, str], batch: list[LogEvent]) -> None:
        group = key[0]
        missing_since = self._missing_groups.get(group)
        if missing_since is not None and self.clock() - missing_since < MISSING_GROUP_SECONDS:
            return
        try:
            stream = self._stream(key, batch[0].timestamp)
            if stream is None:
                return
            try:
                self._send(group, stream, batch)
            except ClientError as error:
                if _code(error) != "ResourceNotFoundException":
                    raise
                # The stream (or its group) was deleted since it was created here: once again.
                self._streams.pop(key, None)
                stream = self._stream(key, batch[0].timestamp)
                if stream is not None:
                    self._send(group, stream, batch)
        except (ClientError, BotoCoreError) as error:
            self.notices.warning(
                f"failed:{group}",
                "execution logs: CloudWatch Logs refused %d records for the log group %s (%s); they are "
                "dropped (said at most once a minute)",
                len(batch),
                group,
                error,
            )

    def _stream(self, key: tuple[str, str, str], first_timestamp: int) -> str | None:
        """The stream of ``key``, created if this node has not written to it yet; None when the
        log group does not exist."""
        stream = self._streams.get(key)
        if stream is not None:
            return stream
        group, machine_name, _ = key
        stream = stream_name(machine_name, first_timestamp, self.node)
        try:
            self._client().create_log_stream(logGroupName=group, logStreamName=stream)
        except ClientError as error:
            code = _code(error)
            if code == "ResourceNotFoundException":
                self._missing_groups[group] = self.clock()
                self.notices.warning(
                    f"missing:{group}",
                    "execution logs: the log group %s does not exist: the records of the state machines "
                    "that log to it are dropped until it does (stepwell, like Step Functions, does not "
                    "create log groups)",
                    group,
                )
                return None
            if code != "ResourceAlreadyExistsException":
                raise
        self._missing_groups.pop(group, None)
        self._streams[key] = stream
        return stream

    def _send(self, group: str, stream: str, batch: list[LogEvent]) -> None:
        answer = self._client().put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": e.timestamp, "message": e.message} for e in batch],
        )
        rejected = answer.get("rejectedLogEventsInfo")
        if rejected:
            self.notices.warning(
                f"rejected:{group}",
                "execution logs: CloudWatch Logs rejected some records of %s/%s (%s)",
                group,
                stream,
                rejected,
            )


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
