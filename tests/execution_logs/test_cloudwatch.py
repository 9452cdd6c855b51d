"""The CloudWatch Logs destination: PutLogEvents' limits, stream names, and a real CloudWatch
Logs API (moto's server over HTTP): streams created when first written to, a missing group
dropping its records with one warning, a deleted stream made again."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from stepwell.execution_logs.cloudwatch import (
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_EVENT_BYTES,
    CloudWatchLogs,
    batches,
    event_size,
    stream_name,
)
from stepwell.execution_logs.records import LogEvent
from tests.runtime.invokers.moto_server import FAKE_CREDENTIALS, REGION, moto_server

T0 = 1764748800000  # 2025-12-03T08:00:00Z, in ms
DAY_MS = 24 * 60 * 60 * 1000
# CloudWatch (and moto) reject events older than 14 days: the records sent to it are a day old,
# from the start of a minute.
RECENT = (int(time.time() * 1000) - DAY_MS) // 60_000 * 60_000


def _event(timestamp: int, message: str = "{}", group: str = "g", machine: str = "orders") -> LogEvent:
    return LogEvent(group, machine, timestamp, message)


def test_a_batch_is_in_timestamp_order_keeping_the_order_of_equal_times() -> None:
    events = [_event(T0 + 5, "a"), _event(T0, "b"), _event(T0 + 5, "c"), _event(T0, "d")]
    assert [[e.message for e in batch] for batch in batches(events)] == [["b", "d", "a", "c"]]


def test_batches_hold_at_most_10000_events() -> None:
    calls = batches(_event(T0) for _ in range(MAX_BATCH_EVENTS * 2 + 1))
    assert [len(batch) for batch in calls] == [MAX_BATCH_EVENTS, MAX_BATCH_EVENTS, 1]


def test_batches_hold_at_most_a_mebibyte_counting_26_bytes_an_event() -> None:
    message = "x" * (100_000 - 26)  # 100,000 bytes with the overhead
    calls = batches(_event(T0, message) for _ in range(25))
    assert [len(batch) for batch in calls] == [10, 10, 5]
    assert all(sum(event_size(e) for e in batch) <= MAX_BATCH_BYTES for batch in calls)


def test_a_batch_spans_at_most_24_hours_and_an_oversized_event_is_left_out() -> None:
    oversized = _event(T0 + 1, "x" * MAX_EVENT_BYTES)
    calls = batches([_event(T0), oversized, _event(T0 + DAY_MS), _event(T0 + DAY_MS + 1)])
    assert [[e.timestamp for e in batch] for batch in calls] == [[T0, T0 + DAY_MS], [T0 + DAY_MS + 1]]


def test_stream_names_are_states_machine_minute_node() -> None:
    assert stream_name("orders", T0 + 59_999, "7851b2d9") == "states/orders/2025-12-03-08-00/7851b2d9"


@pytest.fixture(scope="module")
def logs() -> Iterator[Any]:
    with moto_server() as url:
        yield boto3.client("logs", endpoint_url=url, region_name=REGION, **FAKE_CREDENTIALS)


def _group(logs: Any) -> str:
    name = f"/aws/vendedlogs/states/test-{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=name)
    return name


def _written(logs: Any, group: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group):
        events += page["events"]
    return events


def test_records_go_to_a_stream_of_the_machine_created_on_first_write(logs: Any) -> None:
    group = _group(logs)
    sink = CloudWatchLogs(lambda: logs, node="abcdef01")
    sink.write([_event(RECENT, '{"id":"1"}', group), _event(RECENT + 1, '{"id":"2"}', group)])
    sink.write([_event(RECENT + 2, '{"id":"3"}', group)])  # the same stream, already there
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert [s["logStreamName"] for s in streams] == [stream_name("orders", RECENT, "abcdef01")]
    written = _written(logs, group)
    assert [(e["timestamp"], e["message"]) for e in written] == [
        (RECENT, '{"id":"1"}'),
        (RECENT + 1, '{"id":"2"}'),
        (RECENT + 2, '{"id":"3"}'),
    ]


def test_each_utc_day_and_each_machine_has_its_own_stream(logs: Any) -> None:
    group = _group(logs)
    sink = CloudWatchLogs(lambda: logs, node="abcdef01")
    sink.write(
        [
            _event(RECENT, group=group),
            _event(RECENT + DAY_MS, group=group),
            _event(RECENT, group=group, machine="b"),
        ]
    )
    names = sorted(s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"])
    assert names == [
        stream_name("b", RECENT, "abcdef01"),
        stream_name("orders", RECENT, "abcdef01"),
        stream_name("orders", RECENT + DAY_MS, "abcdef01"),
    ]


def test_a_missing_group_drops_its_records_with_one_warning(
    logs: Any, caplog: pytest.LogCaptureFixture
) -> None:
    missing = f"/aws/vendedlogs/states/missing-{uuid.uuid4().hex[:8]}"
    present = _group(logs)
    sink = CloudWatchLogs(lambda: logs, node="abcdef01")
    with caplog.at_level(logging.WARNING, "stepwell.execution_logs"):
        sink.write([_event(RECENT, "lost", missing), _event(RECENT, "kept", present)])
        sink.write([_event(RECENT + 1, "lost again", missing)])
    assert [e["message"] for e in _written(logs, present)] == ["kept"]
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1
    assert f"the log group {missing} does not exist" in warnings[0]


def test_a_group_created_later_is_written_to_once_looked_for_again(logs: Any) -> None:
    group = f"/aws/vendedlogs/states/later-{uuid.uuid4().hex[:8]}"
    now = [0.0]
    sink = CloudWatchLogs(lambda: logs, node="abcdef01", clock=lambda: now[0])
    sink.write([_event(RECENT, "before", group)])
    logs.create_log_group(logGroupName=group)
    sink.write([_event(RECENT + 1, "still dropped", group)])  # not looked for within the minute
    now[0] = 61.0
    sink.write([_event(RECENT + 2, "after", group)])
    assert [e["message"] for e in _written(logs, group)] == ["after"]


def test_a_stream_deleted_since_it_was_made_is_made_again(logs: Any) -> None:
    group = _group(logs)
    sink = CloudWatchLogs(lambda: logs, node="abcdef01")
    sink.write([_event(RECENT, "first", group)])
    logs.delete_log_stream(logGroupName=group, logStreamName=stream_name("orders", RECENT, "abcdef01"))
    sink.write([_event(RECENT + 1, "second", group)])
    assert [e["message"] for e in _written(logs, group)] == ["second"]
