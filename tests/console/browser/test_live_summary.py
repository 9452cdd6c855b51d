"""In a real browser: a page left open on a running execution shows how it ended without a reload; the
iteration picker pages through a 120-item Map; the Activities page and the icon."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.console.browser.test_console_browser import _machine
from tests.server.process import ServerProcess
from tests.server.support import unique, wait_for

pytestmark = pytest.mark.browser

QUOTE = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": {"total": 42}, "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 2, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    },
}
REFUSED = {
    "StartAt": "Pause",
    "States": {
        "Pause": {"Type": "Wait", "Seconds": 2, "Next": "Refuse"},
        "Refuse": {"Type": "Fail", "Error": "Refused", "Cause": "over budget"},
    },
}
PRICES = {
    "StartAt": "Price items",
    "States": {
        "Price items": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "Price", "States": {"Price": {"Type": "Pass", "End": True}}},
            "Next": "Both",
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": True}}},
            ],
            "End": True,
        },
    },
}
ENDED = "#execution[data-ended='true']"


def test_the_summary_shows_how_the_execution_ended_without_a_reload(
    page: Page, console: ServerProcess, screenshots: Path
) -> None:
    sfn, name, arn = _machine(console, QUOTE, "quote")
    sfn.start_execution(stateMachineArn=arn, name="live-end")
    page.goto(f"{console.endpoint}/executions/{name}/live-end")
    expect(page.locator("#stop")).to_be_visible()
    expect(page.locator("#stopped")).to_have_text("—")
    expect(page.locator("#execution-io h2").nth(1)).to_have_text("Output (none yet)")
    page.evaluate("document.body.dataset.marker = 'same page'")  # gone if the page reloads
    page.screenshot(path=str(screenshots / "execution-live-running.png"))
    expect(page.locator(ENDED)).to_have_count(1, timeout=15_000)
    expect(page.locator("#execution-status")).to_have_text("SUCCEEDED")
    expect(page.locator("#execution")).to_have_attribute("data-status", "SUCCEEDED")
    expect(page.locator("#stopped")).to_contain_text("UTC")
    expect(page.locator("#duration")).to_have_text(
        re.compile(r"^[23]\.\d\d s$")
    )  # the Wait's 2 s, not "so far"
    expect(page.locator("#stop")).to_have_count(0)
    expect(page.locator("#execution-io h2").nth(1)).to_have_text("Output")
    expect(page.locator("#execution-output")).to_contain_text('"total": 42')
    expect(
        page.locator("#event-filters select[name=type] option", has_text="ExecutionSucceeded")
    ).to_have_count(1)
    expect(page.locator("#event-filters select[name=step_filter] option", has_text="Done")).to_have_count(1)
    assert page.evaluate("document.body.dataset.marker") == "same page"
    page.screenshot(path=str(screenshots / "execution-live-ended.png"))


def test_the_failure_banner_appears_when_the_execution_fails(
    page: Page, console: ServerProcess, screenshots: Path
) -> None:
    sfn, name, arn = _machine(console, REFUSED, "refused")
    sfn.start_execution(stateMachineArn=arn, name="live-fail")
    page.goto(f"{console.endpoint}/executions/{name}/live-fail")
    expect(page.locator("#failure")).to_have_count(0)
    page.evaluate("document.body.dataset.marker = 'same page'")
    expect(page.locator(ENDED)).to_have_count(1, timeout=15_000)
    expect(page.locator("#execution-status")).to_have_text("FAILED")
    expect(page.locator("#failure h2")).to_have_text("Execution failed: Refused")
    expect(page.locator("#failure .cause")).to_have_text("over budget")
    expect(page.locator("#stop")).to_have_count(0)
    page.locator("#failure-step").click()  # the swapped-in link opens the step in place
    expect(page.locator("#panel h3")).to_contain_text("Refuse")
    assert page.evaluate("document.body.dataset.marker") == "same page"
    page.screenshot(path=str(screenshots / "execution-live-failed.png"))


def test_the_picker_pages_to_iteration_117_and_names_states(
    page: Page, console: ServerProcess, screenshots: Path
) -> None:
    sfn, name, arn = _machine(console, PRICES, "prices")
    execution = sfn.start_execution(
        stateMachineArn=arn, name="big", input=json.dumps({"items": list(range(120))})
    )
    assert wait_for(sfn, execution["executionArn"])["status"] == "SUCCEEDED"
    page.goto(f"{console.endpoint}/executions/{name}/big")
    picker = page.locator("#iterations-Price\\~20items")
    expect(picker.locator(".picker-name")).to_have_text("Price items")
    expect(page.locator("#iterations-Both a.badge")).to_have_text(["Left", "Right"])
    expect(picker.locator(".shown")).to_have_text("1–50 of 120")
    picker.locator("a.next").click()
    expect(picker.locator(".shown")).to_have_text("51–100 of 120")
    picker.locator("a.next").click()
    expect(picker.locator(".shown")).to_have_text("101–120 of 120")
    picker.locator("a.badge", has_text="#117").click()
    expect(picker.locator("a.badge.current")).to_have_text("#117")
    page.locator('g.state[data-state="Price"]').click()
    expect(page.locator("#step-where")).to_have_text("In Price items #117.")
    expect(page.locator("#panel .step-input")).to_have_text("117")
    page.screenshot(path=str(screenshots / "execution-iterations-paged.png"))
    picker.locator("input[name=index]").fill("63")  # or straight to a number
    picker.locator("form.goto button").click()
    expect(picker.locator("a.badge.current")).to_have_text("#63")
    expect(picker.locator(".shown")).to_have_text("51–100 of 120")


def test_the_activities_page_and_the_icon(page: Page, console: ServerProcess, screenshots: Path) -> None:
    missing: list[str] = []
    page.on("console", lambda message: missing.append(message.text) if _is_404(message) else None)
    sfn = console.client()
    activity_name = unique("approvals")
    activity = sfn.create_activity(name=activity_name)["activityArn"]
    definition = {
        "StartAt": "Approve order",
        "States": {"Approve order": {"Type": "Task", "Resource": activity, "End": True}},
    }
    _, _, arn = _machine(console, definition, "approve")
    sfn.start_execution(stateMachineArn=arn, name="order-7", input='{"order": 7, "amount": 12}')
    page.goto(console.endpoint + "/activities")
    row = page.locator(f"#activity-{activity_name} tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("a.task-state")).to_have_text("Approve order")
    expect(row.locator(".task-input")).to_contain_text('"order": 7')
    expect(row.locator(".task-worker")).to_have_text("waiting for a worker")
    icon = page.request.get(console.endpoint + "/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/x-icon"
    page.screenshot(path=str(screenshots / "activities-open-task.png"), full_page=True)
    row.locator("a.task-state").click()
    expect(page.locator("#panel h3")).to_contain_text("Approve order")
    assert missing == []


def _is_404(message: ConsoleMessage) -> bool:
    return "404" in message.text
