"""GET /metrics through `stepwell serve`: AWS's CloudWatch execution and task metrics under
Prometheus names, with the values known executions must give, and the server's own series."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.server.process import ServerProcess
from tests.server.support import PARKED, create_machine, run, task_machine, unique, wait_for

FUNCTIONS = Path(__file__).with_name("functions.py")
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:"


@pytest.fixture(scope="module")
def server(aws: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    environment = {
        "AWS_ENDPOINT_URL": aws,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    folder = tmp_path_factory.mktemp("metrics")
    process = ServerProcess(folder / "stepwell.db", functions=[str(FUNCTIONS)], env=environment).start()
    yield process
    process.stop()


def scrape(server: ServerProcess) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"{server.endpoint}/metrics", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = response.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_known_executions_give_the_cloudwatch_counts_and_times(server: ServerProcess) -> None:
    sfn = server.client()
    chain = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Pass", "Next": "C"},
            "C": {"Type": "Succeed"},
        },
    }
    ok = create_machine(sfn, chain)
    failing = create_machine(sfn, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}})
    waiting = create_machine(
        sfn, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}
    )
    for _ in range(3):
        assert run(sfn, ok)["status"] == "SUCCEEDED"
    assert run(sfn, failing)["status"] == "FAILED"
    open_one = sfn.start_execution(stateMachineArn=waiting, input="{}")["executionArn"]
    stopped = sfn.start_execution(stateMachineArn=waiting, input="{}")["executionArn"]
    sfn.stop_execution(executionArn=stopped)
    assert wait_for(sfn, stopped)["status"] == "ABORTED"
    samples = scrape(server)
    assert value(samples, "stepwell_executions_started_total", state_machine_arn=ok) == 3
    assert value(samples, "stepwell_executions_succeeded_total", state_machine_arn=ok) == 3
    assert value(samples, "stepwell_executions_failed_total", state_machine_arn=failing) == 1
    assert value(samples, "stepwell_executions_aborted_total", state_machine_arn=waiting) == 1
    assert value(samples, "stepwell_executions_started_total", state_machine_arn=waiting) == 2
    assert value(samples, "stepwell_state_transitions_total", state_machine_arn=ok) == 9  # 3 states, 3 runs
    assert value(samples, "stepwell_execution_time_seconds_count", state_machine_arn=ok) == 3
    assert value(samples, "stepwell_execution_time_seconds_sum", state_machine_arn=ok) >= 0
    assert value(samples, "stepwell_open_executions", state_machine_arn=waiting) == 1
    assert value(samples, "stepwell_http_requests_total", operation="StartExecution", status="200") >= 6
    assert value(samples, "stepwell_commit_seconds_count") > 0
    sfn.stop_execution(executionArn=open_one)


def test_refused_requests_are_counted_by_operation_and_status(server: ServerProcess) -> None:
    sfn = server.client()
    before = value(
        scrape(server), "stepwell_http_requests_total", operation="DescribeExecution", status="400"
    )
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.describe_execution(executionArn="arn:aws:states:us-east-1:123456789012:execution:m:nope")
    request = urllib.request.Request(
        server.endpoint, data=json.dumps({}).encode(), headers={"X-Amz-Target": "AWSStepFunctions.Nope"}
    )
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=10)
    samples = scrape(server)
    assert (
        value(samples, "stepwell_http_requests_total", operation="DescribeExecution", status="400")
        == before + 1
    )
    assert value(samples, "stepwell_http_requests_total", operation="unknown", status="400") >= 1


def test_the_console_and_metrics_share_the_port(server: ServerProcess) -> None:
    with urllib.request.urlopen(f"{server.endpoint}/", timeout=10) as page:
        assert page.status == 200


def test_express_executions_are_counted_as_standard_ones_are(server: ServerProcess) -> None:
    """They run in memory (no history is kept), and are observed as they commit all the same."""
    sfn = server.client()
    chain = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}
    express = create_machine(sfn, chain, machine_type="EXPRESS")
    for _ in range(2):
        assert sfn.start_sync_execution(stateMachineArn=express, input="{}")["status"] == "SUCCEEDED"
    failing = create_machine(
        sfn, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}, machine_type="EXPRESS"
    )
    assert sfn.start_sync_execution(stateMachineArn=failing, input="{}")["status"] == "FAILED"
    samples = scrape(server)
    assert value(samples, "stepwell_executions_started_total", state_machine_arn=express) == 2
    assert value(samples, "stepwell_executions_succeeded_total", state_machine_arn=express) == 2
    assert value(samples, "stepwell_state_transitions_total", state_machine_arn=express) == 4
    assert value(samples, "stepwell_execution_time_seconds_count", state_machine_arn=express) == 2
    assert value(samples, "stepwell_executions_failed_total", state_machine_arn=failing) == 1


def test_activity_tasks_give_the_cloudwatch_activity_counts_and_times(server: ServerProcess) -> None:
    sfn = server.client()
    activity = sfn.create_activity(name=unique("metrics"))["activityArn"]
    plain = task_machine(sfn, {"Resource": activity})
    timed = task_machine(sfn, {"Resource": activity, "TimeoutSeconds": 1})
    beating = task_machine(sfn, {"Resource": activity, "HeartbeatSeconds": 1, "TimeoutSeconds": 600})

    def worker_answers(machine: str, succeed: bool) -> str:
        arn = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
        token = sfn.get_activity_task(activityArn=activity, workerName="w")["taskToken"]
        if succeed:
            sfn.send_task_success(taskToken=token, output="{}")
        else:
            sfn.send_task_failure(taskToken=token, error="Bad")
        return arn

    assert wait_for(sfn, worker_answers(plain, succeed=True))["status"] == "SUCCEEDED"
    assert wait_for(sfn, worker_answers(plain, succeed=False))["status"] == "FAILED"
    assert run(sfn, timed)["status"] == "FAILED"  # no worker took it: ActivityTimedOut
    lost = sfn.start_execution(stateMachineArn=beating, input="{}")["executionArn"]
    sfn.get_activity_task(activityArn=activity, workerName="w")  # taken, and never a heartbeat
    assert wait_for(sfn, lost)["status"] == "FAILED"
    # Two tasks no worker takes: the queue's gauge, read from the store at the scrape.
    parked = [sfn.start_execution(stateMachineArn=plain, input="{}")["executionArn"] for _ in range(2)]
    assert _eventually(server, "stepwell_activity_tasks_waiting", 2, activity_arn=activity)
    sfn.get_activity_task(activityArn=activity, workerName="w")
    assert value(scrape(server), "stepwell_activity_tasks_waiting", activity_arn=activity) == 1
    for arn in parked:
        sfn.stop_execution(executionArn=arn)
        wait_for(sfn, arn)

    samples = scrape(server)
    counts = {
        what: value(samples, f"stepwell_activities_{what}_total", activity_arn=activity)
        for what in ("scheduled", "started", "succeeded", "failed", "timed_out", "heartbeat_timed_out")
    }
    assert counts == {
        "scheduled": 6,
        "started": 4,
        "succeeded": 1,
        "failed": 1,
        "timed_out": 1,
        "heartbeat_timed_out": 1,
    }
    assert value(samples, "stepwell_activity_schedule_time_seconds_count", activity_arn=activity) == 4
    assert value(samples, "stepwell_activity_run_time_seconds_count", activity_arn=activity) == 3
    assert value(samples, "stepwell_activity_time_seconds_count", activity_arn=activity) == 4
    # The two timeouts waited their second each, scheduled to closed.
    assert value(samples, "stepwell_activity_time_seconds_sum", activity_arn=activity) >= 2
    assert value(samples, "stepwell_activity_tasks_waiting", activity_arn=activity) == 0


def test_function_tasks_give_the_cloudwatch_lambda_counts_and_times(server: ServerProcess) -> None:
    sfn = server.client()
    double, failing, slow = (FUNCTION + name for name in ("double", "fail_with", "sleep_then_echo"))
    for _ in range(2):
        assert run(sfn, task_machine(sfn, {"Resource": double}), {"n": 2})["status"] == "SUCCEEDED"
    assert run(sfn, task_machine(sfn, {"Resource": failing}), {})["status"] == "FAILED"
    timed = task_machine(sfn, {"Resource": slow, "TimeoutSeconds": 1})
    assert run(sfn, timed, {"seconds": 3})["status"] == "FAILED"  # LambdaFunctionTimedOut
    invoke = task_machine(
        sfn,
        {
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "double", "Payload.$": "$"},
        },
    )
    assert run(sfn, invoke, {"n": 1})["status"] == "SUCCEEDED"
    samples = scrape(server)

    def counts(arn: str) -> dict[str, float]:
        return {
            what: value(samples, f"stepwell_lambda_functions_{what}_total", lambda_function_arn=arn)
            for what in ("scheduled", "started", "succeeded", "failed", "timed_out")
        }

    assert counts(double) == {"scheduled": 2, "started": 2, "succeeded": 2, "failed": 0, "timed_out": 0}
    assert counts(failing) == {"scheduled": 1, "started": 1, "succeeded": 0, "failed": 1, "timed_out": 0}
    assert counts(slow) == {"scheduled": 1, "started": 1, "succeeded": 0, "failed": 0, "timed_out": 1}
    for name in ("schedule_time", "run_time", "time"):
        assert (
            value(samples, f"stepwell_lambda_function_{name}_seconds_count", lambda_function_arn=double) == 2
        )
    assert value(samples, "stepwell_lambda_function_run_time_seconds_sum", lambda_function_arn=slow) >= 1
    # lambda:invoke is a service integration, as in CloudWatch
    invoked = {"service_integration_resource_arn": "arn:aws:states:::lambda:invoke"}
    assert value(samples, "stepwell_service_integrations_succeeded_total", **invoked) == 1
    assert value(samples, "stepwell_lambda_functions_scheduled_total", lambda_function_arn="double") == 0


def test_service_integrations_give_the_cloudwatch_counts_and_times(server: ServerProcess, aws: str) -> None:
    sfn = server.client()
    sqs = boto3.client(
        "sqs", region_name="us-east-1", endpoint_url=aws, aws_access_key_id="t", aws_secret_access_key="t"
    )
    queue = sqs.create_queue(QueueName=unique("metrics"))["QueueUrl"]
    send = "arn:aws:states:::sqs:sendMessage"
    sent = task_machine(sfn, {"Resource": send, "Parameters": {"QueueUrl": queue, "MessageBody": "hi"}})
    nowhere = task_machine(
        sfn, {"Resource": send, "Parameters": {"QueueUrl": queue + "-missing", "MessageBody": "hi"}}
    )
    unanswered = task_machine(
        sfn,
        {
            "Resource": send + ".waitForTaskToken",
            "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token"}},
            "TimeoutSeconds": 1,
        },
    )
    assert run(sfn, sent)["status"] == "SUCCEEDED"
    assert run(sfn, nowhere)["status"] == "FAILED"
    assert run(sfn, unanswered)["status"] == "FAILED"  # TaskTimedOut
    samples = scrape(server)

    def counts(arn: str) -> dict[str, float]:
        labels = {"service_integration_resource_arn": arn}
        return {
            what: value(samples, f"stepwell_service_integrations_{what}_total", **labels)
            for what in ("scheduled", "started", "succeeded", "failed", "timed_out")
        }

    assert counts(send) == {"scheduled": 2, "started": 2, "succeeded": 1, "failed": 1, "timed_out": 0}
    waited = send + ".waitForTaskToken"
    assert counts(waited) == {"scheduled": 1, "started": 1, "succeeded": 0, "failed": 0, "timed_out": 1}
    for name in ("schedule_time", "run_time", "time"):
        labels = {"service_integration_resource_arn": send}
        assert value(samples, f"stepwell_service_integration_{name}_seconds_count", **labels) == 2
    labels = {"service_integration_resource_arn": waited}
    assert value(samples, "stepwell_service_integration_time_seconds_sum", **labels) >= 1


def test_the_servers_queues_are_read_at_the_scrape(server: ServerProcess) -> None:
    sfn = server.client()
    parked = sfn.start_execution(stateMachineArn=create_machine(sfn, PARKED), input="{}")["executionArn"]
    try:
        samples = scrape(server)
        assert value(samples, "stepwell_executor_timers") >= 1  # the Wait's
        assert ("stepwell_executor_queued_work", ()) in samples
        for lane in ("workers", "threads"):
            assert ("stepwell_task_calls_waiting", (("lane", lane),)) in samples
            assert ("stepwell_task_calls_running", (("lane", lane),)) in samples
    finally:
        sfn.stop_execution(executionArn=parked)


def _eventually(server: ServerProcess, name: str, expected: float, **labels: str) -> bool:
    """Whether the gauge reads ``expected`` within a few seconds (the tasks are scheduled in the
    executions' first steps, which commit after StartExecution has answered)."""
    import time

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if value(scrape(server), name, **labels) == expected:
            return True
        time.sleep(0.05)
    return False
