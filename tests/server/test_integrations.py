"""Every kind of Task integration through `stepwell serve`, with the failures real services have:
functions that time out, crash or are killed mid-call (worker processes), HTTP errors and refused
connections (a real HTTP server on 127.0.0.1), and AWS errors (a real moto server)."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.runtime.invokers.http_server import LocalServer
from tests.server.process import ServerProcess, free_port
from tests.server.support import (
    SUBMITTED_TASK_EVENTS,
    WAIT,
    details,
    event_types,
    history,
    run,
    task_machine,
    wait_for,
)

FUNCTIONS = Path(__file__).with_name("integration_functions.py")
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:"


@pytest.fixture(scope="module")
def web() -> Iterator[LocalServer]:
    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sfn(aws: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("integrations")
    environment = {
        "AWS_ENDPOINT_URL": aws,  # every AWS service at moto
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    # The HTTP server of these tests is on 127.0.0.1, which http:invoke refuses unless allowed.
    extra = ["--function-timeout", "1", "--function-workers", "2", "--http-allow", "127.0.0.1"]
    server = ServerProcess(folder / "stepwell.db", functions=[str(FUNCTIONS)], extra=extra, env=environment)
    server.start()
    yield server.client()
    server.stop()


def test_a_function_past_its_timeout_is_stopped_and_reported_as_lambda_does(sfn: Any) -> None:
    machine = task_machine(sfn, {"Resource": FUNCTION + "sleep_past_timeout"})
    described = run(sfn, machine, {})
    assert described["status"] == "FAILED"
    assert described["error"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in json.loads(described["cause"])["errorMessage"]
    # The worker was replaced: the next call works.
    assert run(sfn, task_machine(sfn, {"Resource": FUNCTION + "identity"}), {"a": 1})["status"] == "SUCCEEDED"


def test_a_function_whose_process_exits_fails_with_the_runtimes_error(sfn: Any) -> None:
    machine = task_machine(
        sfn, {"Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "exit_abruptly"}}
    )
    described = run(sfn, machine, {})
    assert described["status"] == "FAILED"
    assert described["error"] == "Runtime.ExitError"


def test_a_worker_killed_mid_call_fails_the_task_and_retry_decides(sfn: Any, tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    machine = task_machine(
        sfn,
        {
            "Resource": FUNCTION + "pid_then_sleep",
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1, "IntervalSeconds": 1}],
            "Parameters": {"pid_file": str(pid_file), "seconds": 0.5},
        },
    )
    # Each attempt sleeps 0.5 s (under the 1 s function timeout): the first one's worker is killed
    # while it sleeps, and the Retry runs the function again in a new worker.
    execution = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    deadline = time.monotonic() + WAIT
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(int(pid_file.read_text()), signal.SIGKILL)
    described = wait_for(sfn, execution)
    events = history(sfn, execution)
    failed = [details(e) for e in events if e["type"] == "LambdaFunctionFailed"]
    assert failed and failed[0]["error"] == "Runtime.ExitError"
    assert described["status"] == "SUCCEEDED"  # the retry ran in a new worker


def test_http_invoke_returns_the_response_as_aws_shapes_it(sfn: Any, web: LocalServer) -> None:
    machine = task_machine(
        sfn,
        {
            "Resource": "arn:aws:states:::http:invoke",
            "Parameters": {"ApiEndpoint": f"{web.base}/echo", "Method": "GET", "QueryParameters": {"q": "1"}},
        },
    )
    described = run(sfn, machine, {})
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["StatusCode"] == 200 and output["StatusText"] == "OK"
    assert output["ResponseBody"] == {"ok": True}
    scheduled = next(e for e in history(sfn, described["executionArn"]) if e["type"] == "TaskScheduled")
    assert details(scheduled)["resourceType"] == "http"


@pytest.mark.parametrize(
    ("endpoint", "error"),
    [("/status/503", "States.Http.StatusCode.503"), (None, "States.Http.Socket")],
)
def test_http_failures_are_caught_by_their_names(
    sfn: Any, web: LocalServer, endpoint: str | None, error: str
) -> None:
    url = f"{web.base}{endpoint}" if endpoint else f"http://127.0.0.1:{free_port()}/nobody-listens"
    machine = sfn.create_state_machine(
        name=f"http-{error.replace('.', '-')}-{os.getpid()}-{time.monotonic_ns()}",
        roleArn="arn:aws:iam::123456789012:role/x",
        definition=json.dumps(
            {
                "StartAt": "Call",
                "States": {
                    "Call": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::http:invoke",
                        "Parameters": {"ApiEndpoint": url, "Method": "GET"},
                        "Catch": [{"ErrorEquals": [error], "Next": "Handled"}],
                        "End": True,
                    },
                    "Handled": {"Type": "Pass", "End": True},
                },
            }
        ),
    )["stateMachineArn"]
    described = run(sfn, machine, {})
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["Error"] == error


def test_http_invoke_refuses_loopback_unless_the_server_allows_it(
    sfn: Any, web: LocalServer, tmp_path: Path
) -> None:
    task = {
        "Resource": "arn:aws:states:::http:invoke",
        "Parameters": {"ApiEndpoint": f"{web.base}/echo", "Method": "GET"},
    }
    web.state.reset()
    default = ServerProcess(tmp_path / "default.db", env={"STEPWELL_HTTP_ALLOW": ""}).start()  # the default
    try:
        client = default.client()
        described = run(client, task_machine(client, task), {})
    finally:
        default.stop()
    assert described["status"] == "FAILED"
    assert described["error"] == "States.Permissions"
    assert described["cause"] == (
        f"The endpoint {web.base}/echo is refused: 127.0.0.1 is a loopback address, which AWS's HTTP Task "
        "cannot reach either; --http-allow 127.0.0.1 (STEPWELL_HTTP_ALLOW) allows it. No request was sent."
    )
    assert web.state.seen == []
    allowed = run(sfn, task_machine(sfn, task), {})  # the module's server runs with --http-allow 127.0.0.1
    assert allowed["status"] == "SUCCEEDED" and web.state.paths() == ["/echo"]


def test_aws_sdk_calls_reach_the_service_and_its_errors_keep_their_names(sfn: Any, aws: str) -> None:
    s3 = boto3.client(
        "s3", region_name="us-east-1", endpoint_url=aws, aws_access_key_id="t", aws_secret_access_key="t"
    )
    s3.create_bucket(Bucket="stepwell-integrations")
    put = task_machine(
        sfn,
        {
            "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
            "Parameters": {"Bucket": "stepwell-integrations", "Key": "k", "Body.$": "$.text"},
        },
    )
    assert run(sfn, put, {"text": "hello"})["status"] == "SUCCEEDED"
    assert s3.get_object(Bucket="stepwell-integrations", Key="k")["Body"].read() == b"hello"
    missing = task_machine(
        sfn,
        {
            "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
            "Parameters": {"Bucket": "stepwell-integrations", "Key": "nope"},
        },
    )
    described = run(sfn, missing, {})
    assert described["status"] == "FAILED"
    assert described["error"] == "S3.NoSuchKeyException"
    assert "(Service: S3, Status Code: 404" in described["cause"]
    assert "TaskFailed" in event_types(history(sfn, described["executionArn"]))


def _moto(aws: str, service: str) -> Any:
    return boto3.client(
        service, region_name="us-east-1", endpoint_url=aws, aws_access_key_id="t", aws_secret_access_key="t"
    )


def _types_from(events: list[dict[str, Any]], first: str) -> list[str]:
    types = event_types(events)
    return types[types.index(first) :]


def test_sqs_request_response_and_callback_histories_are_awss(sfn: Any, aws: str) -> None:
    """Reference §6.3: sqs sendMessage, then sendMessage.waitForTaskToken answered by SendTaskSuccess."""
    sqs = _moto(aws, "sqs")
    queue = sqs.create_queue(QueueName="history-shapes")["QueueUrl"]
    machine = task_machine(
        sfn,
        {
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token", "n.$": "$.n"}},
        },
    )
    execution = sfn.start_execution(stateMachineArn=machine, input='{"n": 7}')["executionArn"]
    messages: list[dict[str, Any]] = []
    deadline = time.monotonic() + WAIT
    while not messages and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", [])
    body = json.loads(messages[0]["Body"])
    assert body["n"] == 7
    sfn.send_task_success(taskToken=body["token"], output='{"approved": true}')
    described = wait_for(sfn, execution)
    assert json.loads(described["output"]) == {"approved": True}
    events = history(sfn, execution)
    assert _types_from(events, "TaskStateEntered") == SUBMITTED_TASK_EVENTS[1:]
    scheduled = details(next(e for e in events if e["type"] == "TaskScheduled"))
    assert (scheduled["resourceType"], scheduled["resource"], scheduled["region"]) == (
        "sqs",
        "sendMessage.waitForTaskToken",
        "us-east-1",
    )
    submitted = json.loads(details(next(e for e in events if e["type"] == "TaskSubmitted"))["output"])
    assert set(submitted) >= {"MessageId", "MD5OfMessageBody", "SdkHttpMetadata", "SdkResponseMetadata"}


def test_an_aws_sdk_error_caught_reads_as_on_aws(sfn: Any) -> None:
    """Reference §6.3: aws-sdk error (s3 listObjects) caught."""
    machine = sfn.create_state_machine(
        name=f"sdk-caught-{time.monotonic_ns()}",
        roleArn="arn:aws:iam::123456789012:role/x",
        definition=json.dumps(
            {
                "StartAt": "List",
                "States": {
                    "List": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::aws-sdk:s3:listObjects",
                        "Parameters": {"Bucket": "no-such-bucket-here"},
                        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}],
                        "End": True,
                    },
                    "Handled": {"Type": "Pass", "End": True},
                },
            }
        ),
    )["stateMachineArn"]
    described = run(sfn, machine, {})
    events = history(sfn, described["executionArn"])
    assert _types_from(events, "TaskScheduled")[:5] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskFailed",
        "TaskStateExited",
        "PassStateEntered",
    ]
    assert details(next(e for e in events if e["type"] == "TaskScheduled"))["resourceType"] == "aws-sdk:s3"
    failed = details(next(e for e in events if e["type"] == "TaskFailed"))
    assert failed["error"] == "S3.NoSuchBucketException"
    assert failed["cause"].startswith("The specified bucket does not exist (Service: S3, Status Code: 404")
    assert json.loads(described["output"])["Error"] == "S3.NoSuchBucketException"
