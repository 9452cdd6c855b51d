"""The console of a server with identities (``--auth``), in Chromium: signing in and out, the
session cookie, and a read-only principal that is shown no action and refused one if it posts."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from playwright.sync_api import Browser, Page, expect

from tests.server.process import ServerProcess
from tests.server.support import ROLE, wait_for

pytestmark = pytest.mark.browser

PARKED = {"StartAt": "Park", "States": {"Park": {"Type": "Wait", "Seconds": 600, "End": True}}}
READ_ONLY = ["states:Describe*", "states:List*", "states:GetExecutionHistory"]
PRINCIPALS = [
    {
        "name": "admin",
        "accessKeyId": "AKIDCONSOLEADMIN",
        "secretAccessKey": "admin-secret",
        "consolePassword": "admin-password",
        "policy": {"Statement": [{"Effect": "Allow", "Action": "states:*", "Resource": "*"}]},
    },
    {
        "name": "reader",
        "accessKeyId": "AKIDCONSOLEREADER",
        "secretAccessKey": "reader-secret",
        "policy": {"Statement": [{"Effect": "Allow", "Action": READ_ONLY, "Resource": "*"}]},
    },
]


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("console-auth")
    identities = folder / "identities.json"
    identities.write_text(json.dumps({"principals": PRINCIPALS}), encoding="utf-8")
    audit = folder / "audit.jsonl"
    process = ServerProcess(
        folder / "stepwell.db", extra=["--auth", str(identities), "--audit-log", str(audit)]
    ).start()
    process.audit = audit  # type: ignore[attr-defined]
    admin = admin_client(process)
    admin.create_state_machine(name="parked", definition=json.dumps(PARKED), roleArn=ROLE)
    yield process
    process.stop()


def admin_client(server: ServerProcess) -> Any:
    return boto3.client(
        "stepfunctions",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDCONSOLEADMIN",
        aws_secret_access_key="admin-secret",
        config=Config(retries={"total_max_attempts": 1}),
    )


def start(server: ServerProcess, name: str) -> str:
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:parked"
    return str(admin_client(server).start_execution(stateMachineArn=machine, name=name)["executionArn"])


def audited(server: ServerProcess, operation: str, count: int) -> list[dict[str, Any]]:
    """The audit records of ``operation``, once there are ``count`` (written within 0.1 s)."""
    deadline = time.monotonic() + 10
    while True:
        lines = server.audit.read_text().splitlines()  # type: ignore[attr-defined]
        found = [r for r in map(json.loads, lines) if r["eventName"] == operation]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def sign_in(page: Page, identifier: str, secret: str) -> None:
    page.fill('input[name="identifier"]', identifier)
    page.fill('input[name="secret"]', secret)
    page.locator('#sign-in button[type="submit"]').click()


def test_a_page_asks_for_sign_in_first_then_comes_back(
    page: Page, team: ServerProcess, screenshots: Path
) -> None:
    page.goto(f"{team.endpoint}/state-machines/parked")
    assert page.url.startswith(f"{team.endpoint}/sign-in?next=")
    page.screenshot(path=str(screenshots / "sign-in.png"), full_page=True)
    sign_in(page, "AKIDCONSOLEREADER", "not the secret")
    expect(page.locator("#sign-in-refused")).to_be_visible()
    sign_in(page, "AKIDCONSOLEREADER", "reader-secret")
    expect(page).to_have_url(f"{team.endpoint}/state-machines/parked")
    expect(page.locator("#signed-in")).to_have_text("reader")
    [session] = [c for c in page.context.cookies() if c["name"] == "stepwell_session"]
    assert session["httpOnly"] is True and session["sameSite"] == "Strict"
    assert time.time() < session["expires"] <= time.time() + 8 * 3600 + 60


def test_a_read_only_principal_sees_no_action_and_is_refused_one(
    browser: Browser, team: ServerProcess, screenshots: Path
) -> None:
    arn = start(team, "watched")
    page = browser.new_page()
    page.goto(f"{team.endpoint}/sign-in")
    sign_in(page, "AKIDCONSOLEREADER", "reader-secret")
    page.goto(f"{team.endpoint}/state-machines/parked")
    expect(page.locator("h1")).to_contain_text("parked")
    assert page.locator("#start").count() == 0  # no Start execution form
    assert page.locator("#publish").count() == 0
    assert page.locator("form.definition-form").count() == 0  # no Update
    expect(page.locator("#definition-text")).to_contain_text("Park")  # the definition, to read
    page.goto(f"{team.endpoint}/executions/parked/watched")
    expect(page.locator("#execution-status")).to_have_text("RUNNING")
    assert page.locator("#stop").count() == 0
    page.screenshot(path=str(screenshots / "execution-read-only.png"), full_page=True)
    # Posting the Stop form anyway, with the session and a valid CSRF token: refused, nothing done.
    token = page.locator('#sign-out input[name="csrf_token"]').get_attribute("value")
    refused = page.request.post(
        f"{team.endpoint}/executions/parked/watched/stop", form={"csrf_token": token or ""}
    )
    assert refused.status == 403
    assert "is not authorized to perform: states:StopExecution" in refused.text()
    assert admin_client(team).describe_execution(executionArn=arn)["status"] == "RUNNING"
    # The refusal is in the audit log, as the console's session of the reader.
    [record] = [r for r in audited(team, "StopExecution", 1) if r["userIdentity"].get("userName") == "reader"]
    assert record["errorCode"] == "AccessDeniedException"
    assert record["sessionCredentialFromConsole"] == "true"
    assert record["requestParameters"] is None  # as CloudTrail records an AccessDenied (reference §6)
    page.close()


def test_an_admin_stops_an_execution_then_signs_out(browser: Browser, team: ServerProcess) -> None:
    arn = start(team, "to-stop")
    page = browser.new_page()
    page.goto(f"{team.endpoint}/executions/parked/to-stop")
    sign_in(page, "admin", "admin-password")  # the name and the console password
    expect(page).to_have_url(f"{team.endpoint}/executions/parked/to-stop")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#stop").click()
    assert wait_for(admin_client(team), arn)["status"] == "ABORTED"
    stops = [r for r in audited(team, "StopExecution", 2) if r["userIdentity"].get("userName") == "admin"]
    assert [(r["requestParameters"], "errorCode" in r) for r in stops] == [({"executionArn": arn}, False)]
    assert stops[0]["sessionCredentialFromConsole"] == "true" and stops[0]["readOnly"] is False
    page.locator('#sign-out button[type="submit"]').click()
    expect(page).to_have_url(f"{team.endpoint}/sign-in")
    assert not [c for c in page.context.cookies() if c["name"] == "stepwell_session"]
    page.goto(f"{team.endpoint}/")
    assert page.url.startswith(f"{team.endpoint}/sign-in")
    page.close()


def test_without_a_session_a_post_is_refused_and_the_api_still_checks_signatures(
    browser: Browser, team: ServerProcess
) -> None:
    arn = start(team, "untouched")
    page = browser.new_page()
    refused = page.request.post(f"{team.endpoint}/executions/parked/untouched/stop", form={"csrf_token": "x"})
    assert refused.status == 403
    unsigned = page.request.post(
        f"{team.endpoint}/",
        data="{}",
        headers={
            "X-Amz-Target": "AWSStepFunctions.ListStateMachines",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    assert unsigned.status == 400 and "MissingAuthenticationTokenException" in unsigned.text()
    metrics = page.request.get(f"{team.endpoint}/metrics")  # Prometheus scrapes without a session
    assert metrics.status == 200 and "stepwell_executions_started_total" in metrics.text()
    assert admin_client(team).describe_execution(executionArn=arn)["status"] == "RUNNING"
    page.close()
