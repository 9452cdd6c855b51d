"""The task metrics from history events: the chain of a task's events, what is counted when the
earlier events are not remembered, and the bound on what is remembered."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from stepwell.metrics import Metrics
from stepwell.runtime.observers import Committed, counting
from stepwell.runtime.task_metrics import TASK_EVENTS, TaskTimes

EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:m:e"
ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:a"
SQS = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


def event(kind: str, event_id: int, previous: int, at: float, **details: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"timestamp": at, "type": kind, "id": event_id, "previousEventId": previous}
    if details:
        found[TASK_EVENTS[kind].details_key] = details
    return found


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(metrics.text().decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def step(*events: dict[str, Any]) -> Committed:
    return Committed(EXECUTION, "arn:m", "STANDARD", events, False, None, 0.0, 0.0)


def test_a_callback_task_is_timed_through_its_submitted_event() -> None:
    metrics = Metrics()
    count = counting(metrics)
    sqs = {"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken"}
    count(step(event("TaskScheduled", 3, 2, 10.0, **sqs, region="us-east-1", parameters="{}")))
    count(step(event("TaskStarted", 4, 3, 10.5, **sqs), event("TaskSubmitted", 5, 4, 11.0, **sqs)))
    count(step(event("TaskSucceeded", 6, 5, 14.0, **sqs, output="{}")))
    found = samples(metrics)
    label = (("service_integration_resource_arn", SQS),)
    assert found[("stepwell_service_integrations_succeeded_total", label)] == 1
    assert found[("stepwell_service_integration_schedule_time_seconds_sum", label)] == 0.5
    assert found[("stepwell_service_integration_run_time_seconds_sum", label)] == 3.5
    assert found[("stepwell_service_integration_time_seconds_sum", label)] == 4.0


def test_a_close_whose_start_was_not_seen_is_counted_when_it_names_its_resource() -> None:
    metrics = Metrics()
    count = counting(metrics)  # as after a restart: nothing remembered
    sqs = {"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken"}
    count(step(event("TaskTimedOut", 9, 8, 5.0, **sqs, error="States.Timeout")))
    count(step(event("ActivitySucceeded", 12, 11, 5.0, output="{}")))  # names no activity
    found = samples(metrics)
    label = (("service_integration_resource_arn", SQS),)
    assert found[("stepwell_service_integrations_timed_out_total", label)] == 1
    assert found.get(("stepwell_service_integration_time_seconds_count", label), 0) == 0
    assert not [name for name, _ in found if name.startswith("stepwell_activities_succeeded")]


def test_an_activity_timeout_before_its_timeout_seconds_is_a_missed_heartbeat() -> None:
    metrics = Metrics()
    count = counting(metrics)
    scheduled = {"resource": ACTIVITY, "input": "{}", "timeoutInSeconds": 60, "heartbeatInSeconds": 5}
    count(step(event("ActivityScheduled", 3, 2, 0.0, **scheduled)))
    count(step(event("ActivityStarted", 4, 3, 1.0, workerName="w")))
    count(step(event("ActivityTimedOut", 5, 4, 6.0, error="States.Timeout")))
    count(step(event("ActivityScheduled", 7, 6, 10.0, **scheduled)))  # retried: no worker this time
    count(step(event("ActivityTimedOut", 8, 7, 70.0, error="States.Timeout")))
    found = samples(metrics)
    label = (("activity_arn", ACTIVITY),)
    assert found[("stepwell_activities_heartbeat_timed_out_total", label)] == 1
    assert found[("stepwell_activities_timed_out_total", label)] == 1
    assert found[("stepwell_activity_run_time_seconds_count", label)] == 1  # only one ever started
    assert found[("stepwell_activity_time_seconds_sum", label)] == 6.0 + 60.0


def test_the_open_tasks_remembered_are_bounded_oldest_out_first() -> None:
    metrics = Metrics()
    times = TaskTimes(metrics, most_open=3)
    scheduled = TASK_EVENTS["ActivityScheduled"]
    for n in range(5):
        times.record(scheduled, f"{EXECUTION}{n}", event("ActivityScheduled", 3, 2, 0.0, resource=ACTIVITY))
    assert len(times) == 3
    started = TASK_EVENTS["ActivityStarted"]
    times.record(started, f"{EXECUTION}0", event("ActivityStarted", 4, 3, 1.0, workerName="w"))  # forgotten
    times.record(started, f"{EXECUTION}4", event("ActivityStarted", 4, 3, 1.0, workerName="w"))
    found = samples(metrics)
    label = (("activity_arn", ACTIVITY),)
    assert found[("stepwell_activities_scheduled_total", label)] == 5
    assert found[("stepwell_activities_started_total", label)] == 1
