"""The README's three examples, run as a user runs them: `stepwell serve` with their functions,
AWS services from a real moto server, and the mocked variants with `stepwell run --mock-config`."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest

from tests.runtime.invokers.moto_server import moto_server
from tests.server.process import ServerProcess
from tests.server.support import details, history, wait_for

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
REGION = "us-east-1"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"example_{path.parent.name}_{path.stem}".replace("-", "_"), path
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def aws(monkeypatch_module: pytest.MonkeyPatch) -> Iterator[str]:
    with moto_server() as url:
        for variable in ("SQS_ENDPOINT", "SNS_ENDPOINT", "DYNAMODB_ENDPOINT"):
            monkeypatch_module.setenv(variable, url)
        for variable, value in CREDENTIALS.items():
            monkeypatch_module.setenv(variable, value)
        yield url


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def stepwell(
    aws: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch_module: pytest.MonkeyPatch
) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("examples")
    functions = [
        str(EXAMPLES / name / "functions.py") for name in ("stock-trading", "dynamodb-to-sqs", "job-poller")
    ]
    environment = {"SQS_ENDPOINT": aws, "SNS_ENDPOINT": aws, "DYNAMODB_ENDPOINT": aws, **CREDENTIALS}
    server = ServerProcess(
        folder / "stepwell.db", functions=functions, extra=["--wait-time-scale", "0"], env=environment
    )
    server.start()
    monkeypatch_module.setenv("STEPWELL_ENDPOINT", server.endpoint)
    yield server.client()
    server.stop()


def _trades_queue(aws: str) -> tuple[Any, str]:
    """An SQS queue subscribed to the trades topic, to read what "Report Result" published."""
    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=aws)
    sns = boto3.client("sns", region_name=REGION, endpoint_url=aws)
    queue_url = sqs.create_queue(QueueName="trade-reports")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    topic = sns.create_topic(Name="stock-trades")["TopicArn"]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    return sqs, queue_url


def _answer_until_done(sfn: Any, execution_arn: str, approve: bool) -> dict[str, Any]:
    approver = load(EXAMPLES / "stock-trading" / "approver.py")
    sqs, _ = approver.clients()
    deadline = time.monotonic() + 20
    while (
        sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
        and time.monotonic() < deadline
    ):
        approver.answer_waiting_trades(sqs, sfn, approve=approve, wait_seconds=1)
    return wait_for(sfn, execution_arn)


def test_stock_trading_buys_after_a_human_approves_through_sqs(stepwell: Any, aws: str) -> None:
    machine = load(EXAMPLES / "stock-trading" / "setup.py").setup(stepwell)
    sqs, reports = _trades_queue(aws)
    started = stepwell.start_execution(stateMachineArn=machine, input=json.dumps({"price": 30}))
    described = _answer_until_done(stepwell, started["executionArn"], approve=True)
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["type"] == "buy" and output["price"] == 30
    assert "MessageId" in output["report"]  # sns:publish's answer
    published = sqs.receive_message(QueueUrl=reports, WaitTimeSeconds=5)["Messages"]
    assert json.loads(published[0]["Body"])["Input"]["type"] == "buy"
    events = history(stepwell, started["executionArn"])
    submitted = next(e for e in events if e["type"] == "TaskSubmitted")
    assert details(submitted)["resource"] == "sendMessage.waitForTaskToken"
    assert "MessageId" in json.loads(details(submitted)["output"])


def test_stock_trading_fails_when_the_human_rejects(stepwell: Any, aws: str) -> None:
    machine = load(EXAMPLES / "stock-trading" / "setup.py").setup(stepwell)
    started = stepwell.start_execution(stateMachineArn=machine, input=json.dumps({"price": 80}))
    described = _answer_until_done(stepwell, started["executionArn"], approve=False)
    assert described["status"] == "FAILED"
    assert described["error"] == "TradeRejected"


def test_dynamodb_to_sqs_moves_every_seeded_message(stepwell: Any, aws: str) -> None:
    machine = load(EXAMPLES / "dynamodb-to-sqs" / "setup.py").setup(stepwell)
    started = stepwell.start_execution(stateMachineArn=machine, input=json.dumps({"count": 3}))
    described = wait_for(stepwell, started["executionArn"])
    assert described["status"] == "SUCCEEDED", described
    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=aws)
    queue_url = sqs.get_queue_url(QueueName="stepwell-messages")["QueueUrl"]
    bodies = []
    for _ in range(10):
        bodies += [
            m["Body"]
            for m in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        ]
        if len(bodies) >= 3:
            break
    assert sorted(bodies) == [f"Hello from message {n}" for n in (1, 2, 3)]
    reads = [e for e in history(stepwell, started["executionArn"]) if e["type"] == "TaskScheduled"]
    assert [details(e)["resource"] for e in reads].count("getItem") == 3


def test_job_poller_polls_until_the_job_ends(stepwell: Any) -> None:
    definition = (EXAMPLES / "job-poller" / "job_poller.asl.json").read_text()
    machine = stepwell.create_state_machine(
        name="job_poller", definition=definition, roleArn="arn:aws:iam::123456789012:role/x"
    )
    done = stepwell.start_execution(
        stateMachineArn=machine["stateMachineArn"], input=json.dumps({"wait_time": 1, "polls": 3})
    )
    described = wait_for(stepwell, done["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["status"] == "SUCCEEDED"
    types = [e["type"] for e in history(stepwell, done["executionArn"])]
    assert types.count("WaitStateEntered") == 3
    failed = stepwell.start_execution(
        stateMachineArn=machine["stateMachineArn"],
        input=json.dumps({"wait_time": 1, "polls": 1, "fail": True}),
    )
    assert wait_for(stepwell, failed["executionArn"])["error"] == "JobFailed"


def stepwell_run(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "stepwell.cli", "run", *args, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return dict(json.loads(done.stdout))


@pytest.mark.parametrize(
    ("example", "machine", "case", "status", "error", "cause"),
    [
        ("stock-trading", "stock_trading", "BuyApproved", "SUCCEEDED", None, None),
        ("stock-trading", "stock_trading", "SellRejected", "FAILED", "TradeRejected", "a human said no"),
        ("job-poller", "job_poller", "CompletesAfterTwoPolls", "SUCCEEDED", None, None),
        ("job-poller", "job_poller", "Fails", "FAILED", "JobFailed", "The job reported FAILED"),
    ],
)
def test_the_mocked_variants_run_without_any_service(
    example: str, machine: str, case: str, status: str, error: str | None, cause: str | None
) -> None:
    folder = EXAMPLES / example
    given = folder / "input.json"
    extra = ["--input-file", str(given)] if given.exists() else []
    result = stepwell_run(
        str(folder / f"{machine}.asl.json"),
        "--mock-config",
        str(folder / "mocks.json"),
        "--test-case",
        case,
        "--wait-time-scale",
        "0",
        *extra,
    )
    # The error too: a FAILED run may have failed anywhere (a path missing from the input, ...).
    assert (result["status"], result["error"], result["cause"]) == (status, error, cause), result
    if case == "BuyApproved":
        retried = [e for e in result["events"] if e["type"] == "TaskFailed"]
        assert details(retried[0])["error"] == "Lambda.TooManyRequestsException"
        assert result["output"]["report"] == {"MessageId": "7e1b0a62-0000-4000-8000-000000000001"}
