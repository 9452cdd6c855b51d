"""The console in a real browser: debug a failure in one click, watch a run live, filter, stop."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.server.process import ServerProcess
from tests.server.support import ROLE, unique, wait_for

pytestmark = pytest.mark.browser

CHARGE = "arn:aws:lambda:us-east-1:123456789012:function:charge"
CHECKOUT = {
    "StartAt": "Validate",
    "States": {
        "Validate": {
            "Type": "Pass",
            "Parameters": {"card.$": "$.card", "amount.$": "$.amount"},
            "Next": "Charge",
        },
        "Charge": {"Type": "Task", "Resource": CHARGE, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
SLOW = {
    "StartAt": "First",
    "States": {
        "First": {"Type": "Pass", "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 2, "Next": "Last"},
        "Last": {"Type": "Pass", "End": True},
    },
}
PARKED = {"StartAt": "Park", "States": {"Park": {"Type": "Wait", "Seconds": 600, "End": True}}}


def _machine(console: ServerProcess, definition: dict[str, Any], prefix: str) -> tuple[Any, str, str]:
    sfn = console.client()
    name = unique(prefix)
    arn = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]
    return sfn, name, arn


def test_a_failed_execution_leads_to_its_failing_step_in_one_click(
    page: Page, console: ServerProcess, screenshots: Path
) -> None:
    sfn, name, arn = _machine(console, CHECKOUT, "checkout")
    execution = sfn.start_execution(
        stateMachineArn=arn, name="declined", input='{"card": "declined", "amount": 12}'
    )
    assert wait_for(sfn, execution["executionArn"])["status"] == "FAILED"
    page.goto(f"{console.endpoint}/executions/{name}/declined")
    expect(page.locator("#failure h2")).to_contain_text("CardDeclined")
    expect(page.locator('g.state[data-state="Charge"]')).to_have_attribute("data-status", "failed")
    expect(page.locator('g.state[data-state="Validate"]')).to_have_attribute("data-status", "succeeded")
    expect(page.locator('g.state[data-state="Done"]')).to_have_attribute("data-status", "not_run")
    page.screenshot(path=str(screenshots / "execution-failed.png"), full_page=True)
    page.locator("#failure-step").click()
    panel = page.locator("#panel")
    expect(panel.locator("h3")).to_contain_text("Charge")
    expect(panel.locator(".banner h2")).to_contain_text("CardDeclined")
    expect(panel.locator(".step-input")).to_contain_text('"card": "declined"')
    expect(page.locator('g.state[data-state="Charge"]')).to_have_class("state selected")
    page.screenshot(path=str(screenshots / "execution-step-details.png"), full_page=True)


def test_the_graph_follows_a_running_execution_without_a_reload(page: Page, console: ServerProcess) -> None:
    sfn, name, arn = _machine(console, SLOW, "slow")
    sfn.start_execution(stateMachineArn=arn, name="live")
    page.goto(f"{console.endpoint}/executions/{name}/live")
    pause = page.locator('g.state[data-state="Pause"]')
    expect(pause).to_have_attribute("data-status", "in_progress")
    page.evaluate("document.body.dataset.marker = 'same page'")  # gone if the page reloads
    expect(pause).to_have_attribute("data-status", "succeeded", timeout=10_000)
    expect(page.locator('g.state[data-state="Last"]')).to_have_attribute("data-status", "succeeded")
    expect(page.locator("#execution-status")).to_have_text("SUCCEEDED")
    expect(page.locator("#events tbody tr").last).to_contain_text("ExecutionSucceeded")
    assert page.evaluate("document.body.dataset.marker") == "same page"


def test_the_event_table_filters_to_failures(page: Page, console: ServerProcess, screenshots: Path) -> None:
    sfn, name, arn = _machine(console, CHECKOUT, "filtered")
    execution = sfn.start_execution(
        stateMachineArn=arn, name="bad", input='{"card": "declined", "amount": 3}'
    )
    wait_for(sfn, execution["executionArn"])
    page.goto(f"{console.endpoint}/executions/{name}/bad")
    all_rows = page.locator("#events tbody tr").count()
    page.locator("#event-filters input[name=failures]").check()
    page.locator("#event-filters button").click()
    rows = page.locator("#events tbody tr")
    expect(rows.first).to_have_class("failure")
    assert 0 < rows.count() < all_rows
    for index in range(rows.count()):
        expect(rows.nth(index)).to_have_class("failure")
    expect(page.locator("#events")).to_contain_text("LambdaFunctionFailed")
    page.locator("#event-filters input[name=failures]").uncheck()
    page.locator("#event-filters select[name=type]").select_option("PassStateEntered")
    page.locator("#event-filters button").click()
    expect(page.locator("#events tbody tr")).to_have_count(1)
    page.screenshot(path=str(screenshots / "execution-events-filtered.png"), full_page=True)


def test_stopping_an_execution_from_the_console(page: Page, console: ServerProcess) -> None:
    sfn, name, arn = _machine(console, PARKED, "parked")
    execution = sfn.start_execution(stateMachineArn=arn, name="to-stop")
    page.goto(f"{console.endpoint}/executions/{name}/to-stop")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#stop").click()
    expect(page.locator("#execution-status")).to_have_text("ABORTED")
    assert sfn.describe_execution(executionArn=execution["executionArn"])["status"] == "ABORTED"
    expect(page.locator('g.state[data-state="Park"]')).to_have_attribute("data-status", "cancelled")


def test_the_main_pages_render(page: Page, console: ServerProcess, screenshots: Path) -> None:
    sfn, name, _ = _machine(console, CHECKOUT, "overview")
    sfn.create_activity(name=unique("approvals"))
    page.goto(console.endpoint + "/")
    expect(page.locator("#machines")).to_contain_text(name)
    page.screenshot(path=str(screenshots / "state-machines.png"), full_page=True)
    page.locator(f"#machines a:text-is('{name}')").click()
    expect(page.locator('g.state[data-state="Charge"]')).to_be_visible()
    page.screenshot(path=str(screenshots / "state-machine.png"), full_page=True)
    page.goto(console.endpoint + "/activities")
    expect(page.locator("h1")).to_have_text("Activities")
    page.screenshot(path=str(screenshots / "activities.png"), full_page=True)
