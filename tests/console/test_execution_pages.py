"""The execution page and its parts over HTTP: summary, failure banner, graph statuses, step details,
event table paging and filters, iteration picker, export, Stop, and the live stream."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.console.test_machine_pages import csrf_of
from tests.server.process import ServerProcess
from tests.server.support import DISTRIBUTED_PASS, ROLE, unique, wait_for

MAP = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "Check",
                "States": {
                    "Check": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$", "NumericGreaterThan": 2, "Next": "TooBig"}],
                        "Default": "Fine",
                    },
                    "TooBig": {"Type": "Fail", "Error": "TooBig", "Cause": "over two"},
                    "Fine": {"Type": "Pass", "End": True},
                },
            },
            "ToleratedFailureCount": 5,
            "End": True,
        }
    },
}
SLOW = {
    "StartAt": "Pause",
    "States": {
        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    },
}
PARKED = {"StartAt": "Park", "States": {"Park": {"Type": "Wait", "Seconds": 600, "End": True}}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("console-executions") / "stepwell.db")
    process.start()
    yield process
    process.stop()


@pytest.fixture()
def browser(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.endpoint, follow_redirects=False, timeout=30) as client:
        yield client


def _run(server: ServerProcess, definition: dict[str, Any], value: Any, wait: bool = True) -> tuple[str, str]:
    sfn = server.client()
    machine = unique("page")
    arn = sfn.create_state_machine(name=machine, definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]
    execution = sfn.start_execution(stateMachineArn=arn, name="run", input=json.dumps(value))["executionArn"]
    if wait:
        wait_for(sfn, execution)
    return machine, execution


def status_of(page: str, state: str) -> str:
    found = re.search(
        rf'<g class="state[^"]*" id="[^"]*" data-state="{re.escape(state)}" data-status="(\w+)"', page
    )
    assert found, f"no state {state} in the graph"
    return found.group(1)


def test_a_map_with_failed_iterations_shows_counts_and_the_picker(
    server: ServerProcess, browser: httpx.Client
) -> None:
    machine, _ = _run(server, MAP, {"items": [1, 2, 3, 4]})
    page = browser.get(f"/executions/{machine}/run")
    assert page.status_code == 200
    text = page.text
    assert status_of(text, "Each") == "succeeded"  # ToleratedFailureCount: the Map succeeded
    assert status_of(text, "TooBig") == "failed" and status_of(text, "Fine") == "succeeded"
    picker = text[text.index('id="iterations-Each"') :].split("</div>")[0]
    assert "Failed 2" in picker and "Succeeded 2" in picker
    one = browser.get(f"/executions/{machine}/run", params={"iteration": "Each:0"}).text
    assert status_of(one, "Fine") == "succeeded" and status_of(one, "TooBig") == "not_run"
    step = browser.get(
        f"/executions/{machine}/run/step", params={"state": "Each/0/TooBig", "iteration": "Each:3"}
    )
    assert "TooBig" in step.text and "over two" in step.text


def test_a_failed_execution_names_its_failure_and_failing_state(
    server: ServerProcess, browser: httpx.Client
) -> None:
    failing = {"StartAt": "Check", "States": {"Check": {"Type": "Fail", "Error": "Nope", "Cause": "because"}}}
    machine, _ = _run(server, failing, {})
    text = browser.get(f"/executions/{machine}/run").text
    banner = text[text.index('id="failure"') :].split("</div>")[0]
    assert "Nope" in banner and "because" in banner and 'data-select-state="Check"' in banner
    assert status_of(text, "Check") == "failed"
    selected = browser.get(f"/executions/{machine}/run", params={"step": "Check"}).text
    assert 'data-state="Check"' in selected[selected.index('id="panel"') :][:200]


def test_the_event_table_pages_and_filters(server: ServerProcess, browser: httpx.Client) -> None:
    machine, _ = _run(server, MAP, {"items": [1] * 30 + [3, 3]})
    first = browser.get(f"/executions/{machine}/run").text
    ids = [int(i) for i in re.findall(r'<tr id="event-(\d+)"', first)]
    assert ids == list(range(1, 101))
    next_link = re.search(r'<a href="([^"]+)" id="next-events"', first)
    assert next_link
    second = browser.get(next_link.group(1).replace("&amp;", "&")).text
    assert re.findall(r'<tr id="event-(\d+)"', second)[0] == "101"
    failures = browser.get(f"/executions/{machine}/run", params={"failures": "1"}).text
    rows = re.findall(r'<tr id="event-\d+" data-type="(\w+)"( class="failure")?', failures)
    assert rows and all(flag for _, flag in rows)
    assert {kind for kind, _ in rows} >= {"FailStateEntered", "MapIterationFailed"}
    by_step = browser.get(f"/executions/{machine}/run", params={"step_filter": "Fine"}).text
    assert set(re.findall(r'<tr id="event-\d+" data-type="(\w+)"', by_step)) == {
        "PassStateEntered",
        "PassStateExited",
    }


def test_the_history_exports_as_json(server: ServerProcess, browser: httpx.Client) -> None:
    machine, _ = _run(server, SLOW, {"x": 1})
    exported = browser.get(f"/executions/{machine}/run/history.json")
    assert exported.headers["content-disposition"].startswith("attachment")
    types = [e["type"] for e in exported.json()["events"]]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"


def test_the_stream_sends_new_events_then_ends(server: ServerProcess, browser: httpx.Client) -> None:
    machine, _ = _run(server, SLOW, {}, wait=False)
    updates: list[dict[str, Any]] = []
    ended = False
    with browser.stream("GET", f"/executions/{machine}/run/stream", params={"after": 0}) as stream:
        kind = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: ") and kind == "update":
                updates.append(json.loads(line[6:]))
            elif line.startswith("data: ") and kind == "end":
                ended = True
    assert ended
    assert updates[-1]["status"] == "SUCCEEDED"
    assert updates[-1]["statuses"]["Done"] == "succeeded"
    assert "ExecutionSucceeded" in "".join(u["rows"] for u in updates)
    resumed = browser.get(f"/executions/{machine}/run/stream", headers={"Last-Event-ID": "999"}).text
    assert resumed.startswith("id: 999\nevent: end")  # nothing after the given id, and it has ended


def test_stop_and_rerun_from_the_page(server: ServerProcess, browser: httpx.Client) -> None:
    machine, execution = _run(server, PARKED, {"keep": "me"}, wait=False)
    page = browser.get(f"/executions/{machine}/run").text
    assert 'id="stop"' in page
    rerun = re.search(r'<a href="([^"]+)" id="rerun"', page)
    assert rerun and "keep" in rerun.group(1)
    stopped = browser.post(f"/executions/{machine}/run/stop", data={"csrf_token": csrf_of(page)})
    assert stopped.status_code == 303
    assert server.client().describe_execution(executionArn=execution)["status"] == "ABORTED"
    after = browser.get(f"/executions/{machine}/run").text
    assert 'id="stop"' not in after and status_of(after, "Park") == "cancelled"


def test_redrive_from_the_page_runs_the_stopped_state_again(
    server: ServerProcess, browser: httpx.Client
) -> None:
    machine, execution = _run(server, PARKED, {}, wait=False)
    running = browser.get(f"/executions/{machine}/run").text
    assert 'id="redrive"' not in running
    browser.post(f"/executions/{machine}/run/stop", data={"csrf_token": csrf_of(running)})
    stopped = browser.get(f"/executions/{machine}/run").text
    assert 'id="redrive"' in stopped and 'id="failure"' in stopped
    forged = browser.post(f"/executions/{machine}/run/redrive", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert server.client().describe_execution(executionArn=execution)["status"] == "ABORTED"

    redriven = browser.post(f"/executions/{machine}/run/redrive", data={"csrf_token": csrf_of(stopped)})
    assert redriven.status_code == 303 and redriven.headers["location"].endswith("?flash=redriven")
    described = server.client().describe_execution(executionArn=execution)
    assert (described["status"], described["redriveCount"]) == ("RUNNING", 1)
    page = browser.get(redriven.headers["location"]).text
    assert "Redriven: the execution goes on" in page
    assert status_of(page, "Park") == "in_progress" and 'id="failure"' not in page
    assert 'id="redrive-count">1 (last' in page and 'id="stop"' in page and 'id="redrive"' not in page
    again = browser.post(f"/executions/{machine}/run/redrive", data={"csrf_token": csrf_of(page)})
    assert again.status_code == 400 and "Execution is RUNNING and cannot be redriven" in again.text
    server.client().stop_execution(executionArn=execution)


def test_unknown_executions_are_not_found(browser: httpx.Client) -> None:
    assert browser.get("/executions/nothing/here").status_code == 404
    assert browser.get("/state-machines/nothing").status_code == 404


def test_a_map_run_page_lists_its_child_executions_and_links_both_ways(
    server: ServerProcess, browser: httpx.Client
) -> None:
    definition = DISTRIBUTED_PASS
    machine, _ = _run(server, definition, [1, 2])
    parent_page = browser.get(f"/executions/{machine}/run").text
    link = re.search(r'<a href="(/map-runs/[^"]+)" class="map-run">Each</a>', parent_page)
    assert link, "the parent's page links its Map Run"
    page = browser.get(link.group(1))
    assert page.status_code == 200
    text = page.text
    assert 'id="map-run-status" class="badge succeeded">SUCCEEDED' in text
    assert '<td data-count="items-succeeded">2</td>' in text and '<td data-count="items-total">2</td>' in text
    children = re.findall(rf'<a href="(/executions/{machine}/Each/[^"]+)">', text)
    assert len(children) == 2
    child = browser.get(children[0])
    assert child.status_code == 200 and 'id="map-run-link"' in child.text
    assert status_of(child.text, "P") == "succeeded"
    assert f'href="/executions/{machine}/run"' in child.text  # started by its parent
    assert browser.get(f"/map-runs/{machine}/Each/no-such-run").status_code == 404
