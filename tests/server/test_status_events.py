"""Status-change events from a real `stepwell serve`, on each store: every transition of every
Standard execution reaches a webhook (a receiver on a thread of the test) and EventBridge's
PutEvents (moto, read back through a rule that targets an SQS queue); a receiver that fails at
first gets everything later; events left undelivered at a kill -9 arrive after the restart; two
nodes on one PostgreSQL deliver each event once."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.conformance.test_server import STORES, _server
from tests.runtime.invokers.moto_server import FAKE_CREDENTIALS, REGION
from tests.server.conftest import FUNCTIONS
from tests.server.crash_helpers import lambda_arn, wait_until
from tests.server.process import ServerProcess, free_port
from tests.server.receiver import Receiver, receiving
from tests.server.support import PARKED, PASS, ROLE, dumps, unique, wait_for

DELIVERED = 30.0  # seconds to wait for events (a retried one waits out its back-off)
ANSWER = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"answer": 42}, "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Bad", "Cause": "it broke"}}}
TIMES_OUT = {
    "TimeoutSeconds": 1,
    "StartAt": "Long",
    "States": {"Long": {"Type": "Wait", "Seconds": 60, "End": True}},
}
FLAKY = {
    "StartAt": "Work",
    "States": {"Work": {"Type": "Task", "Resource": lambda_arn("fail_until"), "End": True}},
}


def machine(sfn: Any, definition: dict[str, Any], machine_type: str = "STANDARD") -> str:
    made = sfn.create_state_machine(
        name=unique("events"), definition=dumps(definition), roleArn=ROLE, type=machine_type
    )
    return str(made["stateMachineArn"])


def start(sfn: Any, machine_arn: str, value: Any = None) -> str:
    text = json.dumps({} if value is None else value)
    return str(sfn.start_execution(stateMachineArn=machine_arn, input=text)["executionArn"])


def told(receiver: Receiver, arn: str, statuses: list[str]) -> list[dict[str, Any]]:
    """The execution's events once the receiver has them all (in order)."""
    wait_until(lambda: receiver.statuses(arn) == statuses, DELIVERED, f"{statuses} of {arn}", every=0.05)
    return receiver.of(arn)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with receiving() as started:
        yield started


@pytest.fixture(scope="module", params=STORES)
def sfn(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, receiver: Receiver
) -> Iterator[Any]:
    extra = ["--events-webhook", receiver.url]
    server = _server(request, tmp_path_factory.mktemp("events"), functions=[str(FUNCTIONS)], extra=extra)
    server.start()
    yield server.client()
    server.stop()


def test_every_transition_of_several_executions_is_told(sfn: Any, receiver: Receiver, tmp_path: Path) -> None:
    answer, fail, parked, times_out = (machine(sfn, d) for d in (ANSWER, FAIL, PARKED, TIMES_OUT))
    passed = [start(sfn, answer, {"n": n}) for n in range(4)]
    failed = start(sfn, fail)
    stopped = start(sfn, parked)
    timed_out = start(sfn, times_out)
    told(receiver, stopped, ["RUNNING"])
    sfn.stop_execution(executionArn=stopped, error="Halt", cause="by hand")

    for n, arn in enumerate(passed):
        running, succeeded = told(receiver, arn, ["RUNNING", "SUCCEEDED"])
        assert running["detail"]["input"] == json.dumps({"n": n}) and running["detail"]["output"] is None
        assert succeeded["detail"]["output"] == '{"answer":42}'
        assert succeeded["detail"]["outputDetails"] == {"included": True}
        assert running["id"] != succeeded["id"]
    _, failure = told(receiver, failed, ["RUNNING", "FAILED"])
    assert (failure["detail"]["error"], failure["detail"]["cause"]) == ("Bad", "it broke")
    assert failure["detail"]["redriveStatus"] == "REDRIVABLE"
    _, abort = told(receiver, stopped, ["RUNNING", "ABORTED"])
    assert (abort["detail"]["error"], abort["detail"]["cause"]) == ("Halt", "by hand")
    _, timeout = told(receiver, timed_out, ["RUNNING", "TIMED_OUT"])
    assert "error" not in timeout["detail"] and timeout["detail"]["output"] is None

    for arn in [*passed, failed, stopped, timed_out]:
        described = sfn.describe_execution(executionArn=arn)
        last = receiver.of(arn)[-1]
        assert last["resources"] == [arn] and last["source"] == "aws.states"
        assert last["detail-type"] == "Step Functions Execution Status Change"
        assert (last["account"], last["region"]) == ("123456789012", "us-east-1")
        detail = last["detail"]
        assert detail["startDate"] == round(described["startDate"].timestamp() * 1000)
        assert detail["stopDate"] == round(described["stopDate"].timestamp() * 1000)
        assert detail["stateMachineArn"] == described["stateMachineArn"]
        assert detail["name"] == described["name"] and detail["status"] == described["status"]
    assert receiver.content_types == {"application/json"}


def test_a_redrive_is_told_as_running_again_then_its_end(
    sfn: Any, receiver: Receiver, tmp_path: Path
) -> None:
    arn = start(sfn, machine(sfn, FLAKY), {"counter": str(tmp_path / "calls"), "failures": 1})
    told(receiver, arn, ["RUNNING", "FAILED"])
    redriven = sfn.redrive_execution(executionArn=arn)["redriveDate"]
    first, failed, running, succeeded = told(receiver, arn, ["RUNNING", "FAILED", "RUNNING", "SUCCEEDED"])
    assert first["detail"]["redriveCount"] == 0 and "redriveDate" not in first["detail"]
    assert (failed["detail"]["error"], failed["detail"]["redriveStatus"]) == ("RuntimeError", "REDRIVABLE")
    redrive_ms = round(redriven.timestamp() * 1000)
    assert (running["detail"]["redriveCount"], running["detail"]["redriveDate"]) == (1, redrive_ms)
    assert running["detail"]["stopDate"] is None and running["detail"]["output"] is None
    assert (succeeded["detail"]["redriveCount"], succeeded["detail"]["output"]) == (1, '{"calls":2}')


def test_an_express_execution_is_told_to_no_one(sfn: Any, receiver: Receiver) -> None:
    express = sfn.start_sync_execution(stateMachineArn=machine(sfn, PASS, "EXPRESS"))
    assert express["status"] == "SUCCEEDED"
    standard = start(sfn, machine(sfn, PASS))
    told(receiver, standard, ["RUNNING", "SUCCEEDED"])
    assert receiver.of(express["executionArn"]) == []


def test_webhooks_may_be_listed_in_the_environment(tmp_path: Path) -> None:
    with receiving() as first, receiving() as second:
        env = {"STEPWELL_EVENTS_WEBHOOKS": f"{first.url}, {second.url}"}
        server = ServerProcess(tmp_path / "s.db", env=env).start()
        try:
            sfn = server.client()
            arn = start(sfn, machine(sfn, PASS))
            assert [e["id"] for e in told(first, arn, ["RUNNING", "SUCCEEDED"])] == [
                e["id"] for e in told(second, arn, ["RUNNING", "SUCCEEDED"])
            ], "one event, told to each"
        finally:
            server.stop()


def test_a_webhook_that_is_no_http_url_is_refused_at_start(tmp_path: Path) -> None:
    db = tmp_path / "stepwell.db"
    args = ["serve", "--port", str(free_port()), "--db", str(db), "--events-webhook", "ftp://example.com/x"]
    done = subprocess.run(
        [sys.executable, "-m", "stepwell.cli", *args], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 2
    assert done.stderr.endswith(
        "stepwell: --events-webhook 'ftp://example.com/x': not an http:// or https:// URL\n"
    )
    assert not db.exists()


# ---- retries, and kill -9 -------------------------------------------------------------------


def test_a_receiver_failing_at_first_gets_every_event_later(tmp_path: Path) -> None:
    with receiving(refuse=3) as flaky:
        server = ServerProcess(tmp_path / "s.db", extra=["--events-webhook", flaky.url]).start()
        try:
            sfn = server.client()
            arns = [start(sfn, machine(sfn, PASS)) for _ in range(3)]
            for arn in arns:
                told(flaky, arn, ["RUNNING", "SUCCEEDED"])
            assert flaky.requests >= 3 + 6, "refused three times, then each event accepted"
            assert len({e["id"] for e in flaky.received()}) == 6
        finally:
            server.stop()


IN_FLIGHT = {
    "StartAt": "Slow",
    "States": {"Slow": {"Type": "Task", "Resource": lambda_arn("count_and_sleep"), "End": True}},
}


@pytest.mark.parametrize("store", STORES)
def test_events_left_at_a_kill_arrive_after_the_restart(
    store: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Webhook down, executions end (or wait, or are in a task), kill -9, webhook up, restart:
    every event arrives, the ends the restart itself decides (a task that was in flight) too."""
    down = Receiver()  # not started: its port refuses every connection
    extra = ["--events-webhook", down.url]
    functions = [str(FUNCTIONS)]
    if store == "sqlite":
        server = ServerProcess(tmp_path / "s.db", functions=functions, extra=extra)
    else:
        url = request.getfixturevalue("postgres_databases")()
        extra += ["--node-lease", "3"]  # its dead self gives its rows up soon
        server = ServerProcess(url, functions=functions, log=tmp_path / "s.log", extra=extra)
    server.start()
    try:
        sfn = server.client()
        ended = [start(sfn, machine(sfn, d)) for d in (ANSWER, FAIL, ANSWER)]
        parked = start(sfn, machine(sfn, PARKED))
        counter = tmp_path / "calls"
        in_flight = start(sfn, machine(sfn, IN_FLIGHT), {"counter": str(counter), "seconds": 60})
        for arn in ended:
            wait_for(sfn, arn)
        wait_until(counter.exists, DELIVERED, "the task's call")
        server.kill()
        down.start()
        server.start()
        sfn = server.client()
        for arn, end in zip(ended, ("SUCCEEDED", "FAILED", "SUCCEEDED"), strict=True):
            told(down, arn, ["RUNNING", end])
        _, failed = told(down, in_flight, ["RUNNING", "FAILED"])
        assert failed["detail"]["error"] == "States.TaskFailed"
        told(down, parked, ["RUNNING"])
        sfn.stop_execution(executionArn=parked)
        told(down, parked, ["RUNNING", "ABORTED"])
        ids = Counter(e["id"] for e in down.received())
        assert len(ids) == 10 and set(ids.values()) == {1}, "no event was accepted before the kill"
    finally:
        server.stop()
        down.stop()


def test_two_nodes_on_one_database_deliver_each_event_once(postgres_databases: Any, tmp_path: Path) -> None:
    url = postgres_databases()
    with receiving() as shared:
        nodes = [
            ServerProcess(url, log=tmp_path / f"node{i}.log", extra=["--events-webhook", shared.url]).start()
            for i in range(2)
        ]
        try:
            clients = [node.client() for node in nodes]
            machine_arn = machine(clients[0], ANSWER)
            arns = [start(clients[n % 2], machine_arn) for n in range(20)]
            for arn in arns:
                told(shared, arn, ["RUNNING", "SUCCEEDED"])
            ids = Counter(e["id"] for e in shared.received())
            assert len(ids) == 40 and set(ids.values()) == {1}
        finally:
            for node in nodes:
                node.stop()


# ---- EventBridge ------------------------------------------------------------------------------


def test_events_go_to_eventbridge_put_events_on_the_default_bus(
    aws: str, tmp_path: Path, receiver: Receiver
) -> None:
    sqs = boto3.client("sqs", endpoint_url=aws, region_name=REGION, **FAKE_CREDENTIALS)
    events = boto3.client("events", endpoint_url=aws, region_name=REGION, **FAKE_CREDENTIALS)
    queue = sqs.create_queue(QueueName=unique("status-changes"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    pattern = {"source": ["aws.states"], "detail-type": ["Step Functions Execution Status Change"]}
    events.put_rule(Name="status-changes", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="status-changes", Targets=[{"Id": "queue", "Arn": queue_arn}])
    env = {
        "EVENTS_ENDPOINT": aws,
        "AWS_ACCESS_KEY_ID": FAKE_CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIALS["aws_secret_access_key"],
    }
    server = ServerProcess(tmp_path / "s.db", extra=["--events-webhook", receiver.url], env=env).start()
    try:
        sfn = server.client()
        arns = [start(sfn, machine(sfn, ANSWER), {"n": n}) for n in range(12)]  # more than one PutEvents
        got: list[dict[str, Any]] = []

        def all_received() -> bool:
            answer = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            for message in answer.get("Messages", []):
                got.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            return len(got) >= 2 * len(arns)

        wait_until(all_received, DELIVERED, "the events through EventBridge and SQS")
        for n, arn in enumerate(arns):
            mine = [e for e in got if e["resources"] == [arn]]
            assert sorted(e["detail"]["status"] for e in mine) == ["RUNNING", "SUCCEEDED"]
            for event in mine:
                assert (event["source"], event["detail-type"]) == (
                    pattern["source"][0],
                    pattern["detail-type"][0],
                )
                assert event["detail"]["executionArn"] == arn
                assert event["detail"]["input"] == json.dumps({"n": n})
            webhook = {e["detail"]["status"]: e for e in receiver.of(arn)}
            for event in mine:
                assert event["detail"] == webhook[event["detail"]["status"]]["detail"], "the same detail"
                assert event["time"] == webhook[event["detail"]["status"]]["time"]
    finally:
        server.stop()
