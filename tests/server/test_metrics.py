"""GET /metrics through `stepwell serve`: AWS's CloudWatch execution metrics under Prometheus names,
with the values known executions must give, and the server's own series."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.server.process import ServerProcess
from tests.server.support import create_machine, run, wait_for


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("metrics") / "stepwell.db").start()
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
