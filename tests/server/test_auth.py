"""``stepwell serve --auth FILE`` against real clients: each refusal of a signature (reference §1.4),
IAM's answers (§2), SIGHUP, the AWS CLI, the activity worker and StartSyncExecution's host prefix."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from stepwell.sdk.worker import ActivityWorker
from tests.auth.signing import signed_headers
from tests.server.process import ServerProcess
from tests.server.support import PASS, ROLE, WAIT, aws_error, wait_for

ACCOUNT = "123456789012"
HEAD = f"arn:aws:states:us-east-1:{ACCOUNT}"
ORDERS, BILLING, VERSIONED = (f"{HEAD}:stateMachine:{n}" for n in ("orders", "billing", "versioned"))
QUICK = f"{HEAD}:stateMachine:quick"  # EXPRESS
PACK = f"{HEAD}:activity:pack"
ACTIVITY_TASK = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": PACK, "End": True}}}
PARKED = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}
AWS = Path(sys.executable).with_name("aws")


def allow(action: str | list[str], resource: str | list[str] = "*", **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def deny(action: str | list[str], resource: str | list[str] = "*", **more: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **more}


POLICIES: dict[str, list[dict[str, Any]]] = {
    "admin": [allow("*")],
    "alice": [allow("states:StartExecution", ORDERS)],
    "careful": [allow("states:*"), deny("states:DeleteStateMachine")],
    "nodelete": [{"Effect": "Allow", "NotAction": "states:Delete*", "Resource": "*"}],
    "local": [allow("states:ListStateMachines", Condition={"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}})],
    "remote": [
        allow("states:ListStateMachines", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    ],
    "blocked": [allow("*"), deny("*", Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}})],
    "blue": [
        allow(
            ["states:StartExecution", "states:StopExecution"],
            Condition={"StringEquals": {"aws:ResourceTag/team": "blue"}},
        )
    ],
    "creator": [
        allow(
            "states:CreateStateMachine",
            Condition={
                "StringEquals": {"aws:RequestTag/team": "blue"},
                "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]},
            },
        )
    ],
    "noprod": [
        allow(["states:DescribeStateMachine", "states:StartExecution"], VERSIONED),
        deny(
            "states:StartExecution",
            VERSIONED,
            Condition={"ForAnyValue:StringEquals": {"states:StateMachineQualifier": ["PROD"]}},
        ),
    ],
    "worker": [allow("states:GetActivityTask", PACK), allow("states:SendTask*")],
}


def key(name: str) -> str:
    return f"AKID{name.upper()}"


def secret(name: str) -> str:
    return f"secret-of-{name}"


def identities(names: list[str]) -> str:
    principals = [
        {
            "name": name,
            "accessKeyId": key(name),
            "secretAccessKey": secret(name),
            "policy": {"Version": "2012-10-17", "Statement": POLICIES[name]},
        }
        for name in names
    ]
    return json.dumps({"principals": principals})


def client_of(
    server: ServerProcess, name: str, *, secret_key: str | None = None, region: str = "us-east-1"
) -> Any:
    return boto3.client(
        "stepfunctions",
        endpoint_url=server.endpoint,
        region_name=region,
        aws_access_key_id=key(name),
        aws_secret_access_key=secret_key or secret(name),
        config=Config(inject_host_prefix=False, retries={"total_max_attempts": 1}, read_timeout=70),
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("auth")
    path = folder / "identities.json"
    path.write_text(identities(list(POLICIES)), encoding="utf-8")
    process = ServerProcess(folder / "stepwell.db", extra=["--auth", str(path)]).start()
    admin = client_of(process, "admin")
    for arn, team in ((ORDERS, "blue"), (BILLING, "red")):
        name = arn.rsplit(":", 1)[1]
        tags = [{"key": "team", "value": team}]
        admin.create_state_machine(name=name, definition=json.dumps(PARKED), roleArn=ROLE, tags=tags)
    admin.create_state_machine(name="versioned", definition=json.dumps(PASS), roleArn=ROLE, publish=True)
    version = f"{VERSIONED}:1"
    for alias in ("PROD", "TEST"):
        routing = [{"stateMachineVersionArn": version, "weight": 100}]
        admin.create_state_machine_alias(name=alias, routingConfiguration=routing)
    admin.create_state_machine(name="quick", definition=json.dumps(PASS), roleArn=ROLE, type="EXPRESS")
    admin.create_activity(name="pack")
    yield process
    process.stop()


def send(server: ServerProcess, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any], Any]:
    """A raw POST / to the server with exactly these headers (Host among them)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("POST", "/", body=body, headers=headers)
    response = connection.getresponse()
    answer = (response.status, json.loads(response.read() or b"{}"), response.headers)
    connection.close()
    return answer


def signed(server: ServerProcess, name: str = "admin", *, when: datetime | None = None, body: bytes = b"{}",
           host: str | None = None, **options: Any) -> dict[str, str]:  # fmt: skip
    """Headers of a ListStateMachines call signed by botocore at ``when`` (now by default)."""
    url = f"http://{host or f'127.0.0.1:{server.port}'}/"
    return signed_headers(
        when or datetime.now(UTC), body=body, url=url, key=key(name), secret=secret(name), **options
    )


def refused(server: ServerProcess, headers: dict[str, str], body: bytes = b"{}") -> tuple[str, str]:
    status, answer, reply = send(server, headers, body)
    assert status == 400, answer
    assert reply["x-amzn-RequestId"]
    code = answer["__type"]
    assert code.startswith("com.amazon.coral.service#"), answer
    return code.removeprefix("com.amazon.coral.service#"), answer["message"]


# ---- signatures -------------------------------------------------------------------------------


def test_a_signed_call_is_answered(server: ServerProcess) -> None:
    status, answer, reply = send(server, signed(server), b"{}")
    assert status == 200, answer
    assert {m["stateMachineArn"] for m in answer["stateMachines"]} >= {ORDERS, BILLING}
    assert reply["x-amzn-RequestId"]


def test_no_authorization(server: ServerProcess) -> None:
    headers = signed(server)
    del headers["Authorization"]
    assert refused(server, headers) == (
        "MissingAuthenticationTokenException",
        "Request is missing Authentication Token",
    )


def test_an_incomplete_header(server: ServerProcess) -> None:
    headers = signed(server)
    headers["Authorization"] = headers["Authorization"].split(", Signature=")[0]
    code, message = refused(server, headers)
    assert code == "IncompleteSignatureException"
    assert message.startswith("Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC")


def test_a_tampered_body(server: ServerProcess) -> None:
    code, message = refused(server, signed(server, body=b"{}"), b'{"maxResults": 1}')
    assert code == "InvalidSignatureException"
    assert message.startswith(
        "The request signature we calculated does not match the signature you provided."
    )


def test_the_wrong_region(server: ServerProcess) -> None:
    assert refused(server, signed(server, region="eu-west-1")) == (
        "InvalidSignatureException",
        "Credential should be scoped to a valid region, not 'eu-west-1'.",
    )


def test_the_wrong_service(server: ServerProcess) -> None:
    assert refused(server, signed(server, service="lambda")) == (
        "InvalidSignatureException",
        "Credential should be scoped to correct service: 'states'.",
    )


def test_signed_twenty_minutes_ago(server: ServerProcess) -> None:
    code, message = refused(server, signed(server, when=datetime.now(UTC) - timedelta(minutes=20)))
    assert code == "InvalidSignatureException"
    assert message.startswith("Signature expired: ") and message.endswith(" - 15 min.)")


def test_signed_twenty_minutes_ahead(server: ServerProcess) -> None:
    code, message = refused(server, signed(server, when=datetime.now(UTC) + timedelta(minutes=20)))
    assert code == "InvalidSignatureException"
    assert message.startswith("Signature not yet current: ") and message.endswith(" + 15 min.)")


def test_an_unknown_key(server: ServerProcess) -> None:
    headers = signed_headers(datetime.now(UTC), url=server.endpoint + "/", key="AKIDNOBODY", secret="x")
    assert refused(server, headers) == (
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )


def test_the_wrong_secret_through_boto3(server: ServerProcess) -> None:
    with aws_error("InvalidSignatureException") as raised:
        client_of(server, "admin", secret_key="not-the-secret").list_state_machines()
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "not-the-secret" not in str(raised.value) and secret("admin") not in str(raised.value)


def test_host_not_signed(server: ServerProcess) -> None:
    assert refused(server, signed(server, sign_host=False)) == (
        "InvalidSignatureException",
        "'Host' must be a 'SignedHeader' in the AWS Authorization.",
    )


def test_a_session_token(server: ServerProcess) -> None:
    assert refused(server, signed(server, token="FQoGZXIvYXdzE")) == (
        "UnrecognizedClientException",
        "The security token included in the request is invalid",
    )


def test_the_signature_comes_before_the_body_is_read_as_a_call(server: ServerProcess) -> None:
    headers = signed(server, body=b"not json")
    headers["Authorization"] = headers["Authorization"][:-1] + (
        "0" if headers["Authorization"][-1] != "0" else "1"
    )
    assert refused(server, headers, b"not json")[0] == "InvalidSignatureException"
    status, answer, _ = send(server, signed(server, body=b"not json"), b"not json")
    assert (status, answer) == (400, {"__type": "SerializationException"})  # signed: then read


def test_metrics_stay_open(server: ServerProcess) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/metrics")
    response = connection.getresponse()
    assert response.status == 200 and b"stepwell_" in response.read()
    connection.close()


# ---- policies ---------------------------------------------------------------------------------


def denied(call: Any, **params: Any) -> str:
    with aws_error("AccessDeniedException") as raised:
        call(**params)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return str(raised.value.response["Error"]["Message"])


def test_a_denied_action(server: ServerProcess) -> None:
    assert denied(client_of(server, "alice").list_state_machines) == (
        f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: states:ListStateMachines "
        "because no identity-based policy allows the states:ListStateMachines action"
    )


def test_a_denied_resource(server: ServerProcess) -> None:
    alice = client_of(server, "alice")
    assert denied(alice.start_execution, stateMachineArn=BILLING) == (
        f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: states:StartExecution on "
        f"resource: {BILLING} because no identity-based policy allows the states:StartExecution action"
    )
    started = alice.start_execution(stateMachineArn=ORDERS)
    client_of(server, "admin").stop_execution(executionArn=started["executionArn"])


def test_an_explicit_deny_wins_over_an_allow(server: ServerProcess) -> None:
    careful = client_of(server, "careful")
    careful.describe_state_machine(stateMachineArn=BILLING)
    assert denied(careful.delete_state_machine, stateMachineArn=BILLING) == (
        f"User: arn:aws:iam::{ACCOUNT}:user/careful is not authorized to perform: states:DeleteStateMachine "
        f"on resource: {BILLING} with an explicit deny in an identity-based policy"
    )


def test_not_action(server: ServerProcess) -> None:
    nodelete = client_of(server, "nodelete")
    nodelete.list_state_machines()
    assert "states:DeleteActivity on resource: " + PACK in denied(nodelete.delete_activity, activityArn=PACK)


def test_the_source_ip(server: ServerProcess) -> None:
    client_of(server, "local").list_state_machines()  # 127.0.0.1/32 allowed
    assert "because no identity-based policy allows" in denied(
        client_of(server, "remote").list_state_machines
    )
    assert "with an explicit deny" in denied(client_of(server, "blocked").list_state_machines)


def test_resource_tags_on_start_and_stop(server: ServerProcess) -> None:
    blue = client_of(server, "blue")
    started = blue.start_execution(stateMachineArn=ORDERS)  # tagged team=blue
    assert f"on resource: {BILLING}" in denied(blue.start_execution, stateMachineArn=BILLING)  # team=red
    blue.stop_execution(executionArn=started["executionArn"])  # an execution: its machine's tags
    red_run = client_of(server, "admin").start_execution(stateMachineArn=BILLING)["executionArn"]
    assert f"states:StopExecution on resource: {red_run}" in denied(blue.stop_execution, executionArn=red_run)
    client_of(server, "admin").stop_execution(executionArn=red_run)


def test_request_tags_on_create(server: ServerProcess) -> None:
    creator = client_of(server, "creator")
    definition = json.dumps(PASS)

    def create(name: str, tags: list[dict[str, str]] | None = None) -> Any:
        extra = {"tags": tags} if tags is not None else {}
        return creator.create_state_machine(name=name, definition=definition, roleArn=ROLE, **extra)

    create("made-by-creator", [{"key": "team", "value": "blue"}])
    denied(create, name="red-one", tags=[{"key": "team", "value": "red"}])
    denied(create, name="untagged")
    denied(create, name="extra-tag", tags=[{"key": "team", "value": "blue"}, {"key": "cost", "value": "1"}])


def test_versions_and_aliases_are_authorized_on_the_state_machine(server: ServerProcess) -> None:
    noprod = client_of(server, "noprod")
    assert (
        noprod.describe_state_machine(stateMachineArn=f"{VERSIONED}:1")["stateMachineArn"] == f"{VERSIONED}:1"
    )
    noprod.start_execution(stateMachineArn=f"{VERSIONED}:TEST")
    noprod.start_execution(stateMachineArn=f"{VERSIONED}:1")
    noprod.start_execution(stateMachineArn=VERSIONED)
    assert denied(noprod.start_execution, stateMachineArn=f"{VERSIONED}:PROD") == (
        f"User: arn:aws:iam::{ACCOUNT}:user/noprod is not authorized to perform: states:StartExecution "
        f"on resource: {VERSIONED} with an explicit deny in an identity-based policy"
    )


# ---- clients ----------------------------------------------------------------------------------


def test_start_sync_executions_host_prefix_is_signed_as_sent(server: ServerProcess) -> None:
    body = json.dumps({"stateMachineArn": QUICK, "input": '{"a": 1}'}).encode()
    target = {"X-Amz-Target": "AWSStepFunctions.StartSyncExecution"}
    headers = signed(server, body=body, host=f"sync-localhost:{server.port}", headers=target)
    assert headers["Host"] == f"sync-localhost:{server.port}"
    status, answer, _ = send(server, headers, body)
    assert (status, answer["status"], json.loads(answer["output"])) == (200, "SUCCEEDED", {"a": 1})
    signed_for_another = signed(server, body=body, host=f"localhost:{server.port}", headers=target)
    signed_for_another["Host"] = f"sync-localhost:{server.port}"
    assert refused(server, signed_for_another, body)[0] == "InvalidSignatureException"


def test_the_activity_worker_signs_with_the_keys_it_is_given(server: ServerProcess) -> None:
    admin = client_of(server, "admin")
    machine = admin.create_state_machine(name="packing", definition=json.dumps(ACTIVITY_TASK), roleArn=ROLE)
    started = admin.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"box": 3}')

    def worker(secret_key: str) -> ActivityWorker:
        return ActivityWorker(
            PACK,
            lambda task: {"packed": task["box"]},
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id=key("worker"),
            aws_secret_access_key=secret_key,
        )

    with aws_error("InvalidSignatureException"):
        worker("wrong").run_once()
    assert worker(secret("worker")).run_once()
    described = wait_for(admin, started["executionArn"])
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"packed": 3})


def _aws_cli(
    server: ServerProcess, tmp_path: Path, secret_key: str, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": key("admin"),
        "AWS_SECRET_ACCESS_KEY": secret_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_PAGER": "",
    }
    env.pop("AWS_SESSION_TOKEN", None)
    command = [str(AWS), "--endpoint-url", server.endpoint, "--output", "json", "stepfunctions", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(not AWS.exists(), reason="awscli is not installed (pip install -e '.[dev]')")
def test_the_aws_cli(server: ServerProcess, tmp_path: Path) -> None:
    listed = _aws_cli(server, tmp_path, secret("admin"), "list-state-machines")
    assert listed.returncode == 0, listed.stderr
    assert ORDERS in [m["stateMachineArn"] for m in json.loads(listed.stdout)["stateMachines"]]
    wrong = _aws_cli(server, tmp_path, "not-the-secret", "list-state-machines")
    assert wrong.returncode != 0
    assert "(InvalidSignatureException)" in wrong.stderr


# ---- the identities file ----------------------------------------------------------------------


def _until(check: Any) -> Any:
    """``check()``'s value once it stops raising ClientError (SIGHUP is delivered asynchronously)."""
    deadline = time.monotonic() + WAIT
    while True:
        try:
            return check()
        except ClientError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_sighup_reloads_the_identities(tmp_path: Path) -> None:
    path = tmp_path / "identities.json"
    path.write_text(identities(["admin", "alice"]), encoding="utf-8")
    process = ServerProcess(tmp_path / "stepwell.db", extra=["--auth", str(path)]).start()
    try:
        client_of(process, "admin").list_state_machines()
        with aws_error("UnrecognizedClientException"):
            client_of(process, "local").list_state_machines()
        path.write_text(identities(["local", "alice"]), encoding="utf-8")
        assert process.process is not None
        process.process.send_signal(signal.SIGHUP)
        _until(client_of(process, "local").list_state_machines)  # a new key works
        with aws_error(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        ):
            client_of(process, "admin").list_state_machines()  # a removed key is refused
        path.write_text('{"principals": [{"name": "x"}]}', encoding="utf-8")
        process.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + WAIT
        while "identities not reloaded" not in process.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        log = process.log.read_text()
        assert "identities not reloaded, the previous ones stay in force" in log
        assert "principals[0].accessKeyId: is required" in log
        client_of(process, "local").list_state_machines()  # the old identities stay
    finally:
        process.stop()
    assert secret("admin") not in process.log.read_text()


def _serve(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "stepwell.cli", "serve", "--db", str(tmp_path / "stepwell.db"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env={**os.environ})


def test_a_bad_identities_file_is_refused_before_the_database_opens(tmp_path: Path) -> None:
    bad = tmp_path / "identities.json"
    document = json.loads(identities(["admin"]))
    document["principals"][0]["policy"]["Statement"][0]["Effect"] = "Permit"
    bad.write_text(json.dumps(document), encoding="utf-8")
    started = _serve(tmp_path, "--auth", str(bad), "--port", "0")
    assert started.returncode == 2
    assert f'{bad}: principals[0].policy.Statement[0].Effect: must be "Allow" or "Deny"' in started.stderr
    assert not (tmp_path / "stepwell.db").exists()
    duplicate = json.loads(identities(["admin", "alice"]))
    duplicate["principals"][1]["accessKeyId"] = key("admin")
    bad.write_text(json.dumps(duplicate), encoding="utf-8")
    started = _serve(tmp_path, "--auth", str(bad), "--port", "0")
    assert "principals[1].accessKeyId: the same access key id as principals[0]" in started.stderr


def test_without_auth_a_non_loopback_host_is_refused_and_the_message_says_auth(tmp_path: Path) -> None:
    started = _serve(tmp_path, "--host", "0.0.0.0")
    assert started.returncode == 2
    assert "refusing to listen on 0.0.0.0" in started.stderr and "--auth FILE" in started.stderr


def test_with_auth_the_server_may_listen_on_any_address(tmp_path: Path) -> None:
    path = tmp_path / "identities.json"
    path.write_text(identities(["admin"]), encoding="utf-8")
    process = ServerProcess(
        tmp_path / "stepwell.db", extra=["--host", "0.0.0.0", "--auth", str(path)]
    ).start()
    try:
        client_of(process, "admin").list_state_machines()
    finally:
        process.stop()


def test_the_auth_file_may_come_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "identities.json"
    path.write_text(identities(["admin"]), encoding="utf-8")
    process = ServerProcess(tmp_path / "stepwell.db", env={"STEPWELL_AUTH": str(path)}).start()
    try:
        client_of(process, "admin").list_state_machines()
        with aws_error("UnrecognizedClientException"):
            client_of(process, "alice").list_state_machines()
    finally:
        process.stop()
