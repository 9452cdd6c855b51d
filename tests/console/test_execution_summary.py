"""Over HTTP from a real `stepwell serve`: the summary fragment a live page swaps in when the execution
ends, the paged iteration picker, and the icon."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.console.test_execution_pages import PARKED, SLOW, _run, status_of
from tests.server.process import ServerProcess

FAILING = {
    "StartAt": "Pause",
    "States": {
        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Refuse"},
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
            "End": True,
        }
    },
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("console-summary") / "stepwell.db")
    process.start()
    yield process
    process.stop()


@pytest.fixture()
def browser(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.endpoint, follow_redirects=False, timeout=30) as client:
        yield client


def _part(html: str, element_id: str) -> str:
    found = re.search(rf'<(\w+)[^>]* id="{re.escape(element_id)}"', html)
    assert found, f"no #{element_id} in the fragment"
    tag = found.group(1)
    return html[found.start() : html.index(f"</{tag}>", found.start()) + len(tag) + 3]


def test_the_summary_of_a_running_execution_offers_stop(server: ServerProcess, browser: httpx.Client) -> None:
    machine, _ = _run(server, PARKED, {}, wait=False)
    fragment = browser.get(f"/executions/{machine}/run/summary").text
    assert "RUNNING" in _part(fragment, "execution-status")
    assert 'id="stop"' in _part(fragment, "actions") and 'name="csrf_token"' in fragment
    assert "—" in _part(fragment, "stopped") and "so far" in _part(fragment, "duration")
    assert "(none yet)" in _part(fragment, "execution-io")


def test_the_summary_of_an_ended_execution_is_what_a_reload_shows(
    server: ServerProcess, browser: httpx.Client
) -> None:
    machine, _ = _run(server, SLOW, {"n": 41})
    fragment = browser.get(f"/executions/{machine}/run/summary").text
    assert '<span id="execution-status" class="badge succeeded">SUCCEEDED</span>' in fragment
    assert re.search(r'<dd id="stopped">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</dd>', fragment)
    assert re.search(r'<dd id="duration">1\.\d\d s</dd>', fragment)  # a Wait of 1 s, not "so far"
    assert 'id="stop"' not in fragment
    output = _part(fragment, "execution-io")
    assert "(none yet)" not in output and "&#34;n&#34;: 41" in output
    assert "<option>ExecutionSucceeded</option>" in _part(fragment, "event-filters")
    assert _part(fragment, "failure-slot") == '<div id="failure-slot"></div>'
    page = browser.get(f"/executions/{machine}/run").text
    for part in ("summary", "actions", "execution-io", "event-filters", "failure-slot"):
        assert _part(page, part) == _part(fragment, part)


def test_the_summary_of_a_failed_execution_carries_the_banner(
    server: ServerProcess, browser: httpx.Client
) -> None:
    machine, _ = _run(server, FAILING, {})
    banner = _part(browser.get(f"/executions/{machine}/run/summary").text, "failure-slot")
    assert "Execution failed: Refused" in banner and "over budget" in banner
    assert 'data-select-state="Refuse"' in banner


def test_every_iteration_of_a_big_map_is_reachable(server: ServerProcess, browser: httpx.Client) -> None:
    machine, _ = _run(server, PRICES, {"items": list(range(120))})
    first = browser.get(f"/executions/{machine}/run").text
    picker = _part(first, "iterations-Price~20items")
    shown = re.sub(r"<[^>]+>", " ", picker)
    assert "Price items" in shown and "~" not in shown  # the name, never the id "Price~20items"
    assert ">#49</a>" in picker and ">#50</a>" not in picker and "1–50 of 120" in picker
    after = re.search(r'<a href="([^"]+)" class="next"', picker)
    assert after
    second = _part(
        browser.get(f"/executions/{machine}/run" + after.group(1).replace("&amp;", "&")).text, "pickers"
    )
    assert ">#50</a>" in second and ">#99</a>" in second and "51–100 of 120" in second
    # The number form: iteration_of + index, as a browser submits it.
    chosen = browser.get(
        f"/executions/{machine}/run", params={"iteration_of": "Price~20items", "index": "117"}
    )
    page = chosen.text
    assert 'data-iteration="Price~20items:117"' in page
    assert re.search(r'class="badge succeeded current" data-index="117">#117</a>', page)
    assert status_of(page, "Price") == "succeeded"
    step = browser.get(
        f"/executions/{machine}/run/step",
        params={"state": "Price~20items/0/Price", "iteration": "Price~20items:117"},
    ).text
    assert "In Price items #117." in step and "117" in step[step.index("step-input") :][:80]


def test_the_icon_is_served(browser: httpx.Client) -> None:
    icon = browser.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    svg = browser.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.text.startswith("<svg")
    page = browser.get("/").text
    assert '<link rel="icon" href="/favicon.ico"' in page and 'href="/static/favicon.svg"' in page
