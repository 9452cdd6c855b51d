"""The console's state machine and activity pages over HTTP, from a real `stepwell serve`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.server.process import ServerProcess
from tests.server.support import ROLE, run, unique

CHAIN = {
    "StartAt": "One",
    "States": {"One": {"Type": "Pass", "Next": "Two"}, "Two": {"Type": "Pass", "End": True}},
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(
        tmp_path_factory.mktemp("console") / "stepwell.db", extra=["--wait-time-scale", "0"]
    )
    process.start()
    yield process
    process.stop()


@pytest.fixture()
def browser(server: ServerProcess) -> Iterator[httpx.Client]:
    """A client that keeps cookies, as a browser does."""
    with httpx.Client(base_url=server.endpoint, follow_redirects=False) as client:
        yield client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page)
    assert found, "the page has no form token"
    return found.group(1)


def test_pages_carry_a_strict_content_security_policy(browser: httpx.Client) -> None:
    page = browser.get("/")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy
        and "default-src 'none'" in policy
        and "frame-ancestors 'none'" in policy
    )
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in page.text.replace('<script src="/static/console.js" defer></script>', "")
    assert browser.get("/static/console.js").status_code == 200


def test_the_list_shows_each_machine_with_its_executions_by_status(
    server: ServerProcess, browser: httpx.Client
) -> None:
    sfn = server.client()
    name = unique("listed")
    arn = sfn.create_state_machine(name=name, definition=json.dumps(CHAIN), roleArn=ROLE)["stateMachineArn"]
    run(sfn, arn, {})
    run(sfn, arn, {})
    page = browser.get("/").text
    row = page[page.index(f">{name}<") :].split("</tr>")[0]
    assert "STANDARD" in row and "Succeeded 2" in row


def test_creating_a_machine_with_a_bad_definition_shows_the_diagnostics_in_place(
    browser: httpx.Client,
) -> None:
    token = csrf_of(browser.get("/").text)
    bad = {"StartAt": "Nowhere", "States": {"A": {"Type": "Pass", "End": True}}}
    form = {
        "csrf_token": token,
        "name": unique("bad"),
        "type": "STANDARD",
        "role_arn": ROLE,
        "definition": json.dumps(bad),
    }
    answer = browser.post("/state-machines", data=form)
    assert answer.status_code == 400
    assert "MISSING_TRANSITION_TARGET" in answer.text
    assert "/StartAt" in answer.text
    assert json.dumps(bad).replace('"', "&#34;") in answer.text  # the definition is kept, escaped


def test_create_start_and_update_from_the_forms(browser: httpx.Client) -> None:
    token = csrf_of(browser.get("/").text)
    name = unique("made")
    form = {
        "csrf_token": token,
        "name": name,
        "type": "STANDARD",
        "role_arn": ROLE,
        "definition": json.dumps(CHAIN),
    }
    created = browser.post("/state-machines", data=form)
    assert created.status_code == 303 and created.headers["location"].startswith(f"/state-machines/{name}")
    page = browser.get(f"/state-machines/{name}").text
    assert 'data-state="One"' in page and 'data-state="Two"' in page
    started = browser.post(
        f"/state-machines/{name}/executions", data={"csrf_token": token, "input": '{"a": 1}', "name": "first"}
    )
    assert started.status_code == 303 and started.headers["location"] == f"/executions/{name}/first"
    bad_input = browser.post(
        f"/state-machines/{name}/executions", data={"csrf_token": token, "input": "{nope"}
    )
    assert bad_input.status_code == 400 and "InvalidExecutionInput" in bad_input.text
    changed = dict(CHAIN, Comment="v2")
    updated = browser.post(
        f"/state-machines/{name}/definition", data={"csrf_token": token, "definition": json.dumps(changed)}
    )
    assert updated.status_code == 303
    assert "&#34;v2&#34;" in browser.get(f"/state-machines/{name}").text


def test_a_post_without_the_token_or_from_another_site_is_refused(browser: httpx.Client) -> None:
    token = csrf_of(browser.get("/").text)
    name = unique("forged")
    form = {"name": name, "type": "STANDARD", "role_arn": ROLE, "definition": json.dumps(CHAIN)}
    assert browser.post("/state-machines", data=form).status_code == 403
    cross = browser.post(
        "/state-machines", data={**form, "csrf_token": token}, headers={"Origin": "http://evil.example"}
    )
    assert cross.status_code == 403
    with httpx.Client(base_url=str(browser.base_url)) as stranger:  # another browser: its own cookie
        assert stranger.post("/state-machines", data={**form, "csrf_token": token}).status_code == 403
    assert browser.get(f"/state-machines/{name}").status_code == 404


def test_names_are_escaped_everywhere(server: ServerProcess, browser: httpx.Client) -> None:
    sfn = server.client()
    tricky = {"StartAt": "<b>\"&'", "States": {"<b>\"&'": {"Type": "Pass", "End": True}}}
    name = unique("escaped")
    sfn.create_state_machine(name=name, definition=json.dumps(tricky), roleArn=ROLE)
    page = browser.get(f"/state-machines/{name}").text
    assert "<b>\"&'" not in page
    assert "&lt;b&gt;" in page


def test_activities_show_pending_tasks_and_workers(server: ServerProcess, browser: httpx.Client) -> None:
    sfn = server.client()
    activity = sfn.create_activity(name=unique("queue"))["activityArn"]
    definition = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": activity, "End": True}}}
    machine = sfn.create_state_machine(
        name=unique("uses-activity"), definition=json.dumps(definition), roleArn=ROLE
    )
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"])["executionArn"]
    page = ""
    for _ in range(50):
        page = browser.get("/activities").text
        if execution.split(":")[-1] in page:
            break
    assert "waiting for a worker" in page
    task = sfn.get_activity_task(activityArn=activity, workerName="worker-7")
    assert "worker-7" in browser.get("/activities").text
    sfn.send_task_success(taskToken=task["taskToken"], output="{}")


def test_an_activity_task_shows_what_its_user_knows_and_no_internal_id(
    server: ServerProcess, browser: httpx.Client
) -> None:
    sfn = server.client()
    name = unique("approvals")
    activity = sfn.create_activity(name=name)["activityArn"]
    definition = {
        "StartAt": "Approve order",
        "States": {"Approve order": {"Type": "Task", "Resource": activity, "End": True}},
    }
    machine = sfn.create_state_machine(
        name=unique("approve"), definition=json.dumps(definition), roleArn=ROLE
    )
    sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name="order-7", input='{"order": 7}')

    def section() -> str:
        page = browser.get("/activities").text
        start = page.index(f'id="activity-{name}"')
        return page[start : page.index("</section>", start)]

    waiting = section()
    for _ in range(50):
        if "order-7" in waiting:
            break
        waiting = section()
    assert (
        "Approve order" in waiting and "&#34;order&#34;: 7" in waiting and "waiting for a worker" in waiting
    )
    assert re.search(r"UTC</td>", waiting)  # when it was scheduled
    link = re.search(r'<a href="([^"]+)" class="task-state">Approve order</a>', waiting)
    assert link and "step=Approve~20order" in link.group(1)
    assert not re.search(r">t\d+<", waiting)  # the runtime's task ids are not shown
    task = sfn.get_activity_task(activityArn=activity, workerName="worker-9")
    taken = section()
    assert "worker-9" in taken and "since " in taken and "waiting for a worker" not in taken
    assert task["taskToken"] not in taken and task["taskToken"][:12] not in taken
    sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    assert "None waiting." in section()


def test_a_machines_versions_and_aliases_publishing_and_running_on_them(
    server: ServerProcess, browser: httpx.Client
) -> None:
    sfn = server.client()
    name = unique("versioned")
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    created = sfn.create_state_machine(
        name=name, definition=definition, roleArn=ROLE, publish=True, versionDescription="first one"
    )
    page = browser.get(f"/state-machines/{name}").text
    assert "first one" in page and "No alias." in page
    sfn.update_state_machine(
        stateMachineArn=created["stateMachineArn"],
        definition=definition.replace('"End"', '"Comment": "v2", "End"'),
    )
    published = browser.post(
        f"/state-machines/{name}/versions", data={"csrf_token": csrf_of(page), "description": "second"}
    )
    assert published.status_code == 303 and published.headers["location"].endswith(
        "?flash=published#versions"
    )
    routing = [{"stateMachineVersionArn": created["stateMachineVersionArn"], "weight": 100}]
    sfn.create_state_machine_alias(name="live", routingConfiguration=routing)

    page = browser.get(f"/state-machines/{name}").text
    versions = page[page.index('id="version-list"') :].split("</table>")[0]
    assert [m for m in re.findall(r"<td title=\"[^\"]+\">(\d+)</td>", versions)] == ["2", "1"]
    assert "second" in versions and "first one" in versions
    assert "version 1 (100 %)" in page and '<option value="live">alias live</option>' in page
    started = browser.post(
        f"/state-machines/{name}/executions",
        data={"csrf_token": csrf_of(page), "input": "{}", "target": "live"},
    )
    assert started.status_code == 303
    execution = sfn.list_executions(stateMachineArn=f"{created['stateMachineArn']}:live")["executions"]
    assert len(execution) == 1 and execution[0]["stateMachineVersionArn"] == created["stateMachineVersionArn"]
    forged = browser.post(f"/state-machines/{name}/versions", data={"csrf_token": "forged"})
    assert forged.status_code == 403
