"""The execution page's summary: what changes when the execution ends (status, stop date, duration,
output, the failure banner).

The page draws it when it loads, and again, as a fragment (``/summary``), when its live stream says the
execution has ended: the same functions build both, so a page that watched the run end shows what a
reload would.
"""

from __future__ import annotations

from typing import Any

from stepwell.console import execution_view as view
from stepwell.console.history_index import HistoryIndex
from stepwell.console.web import Web, pretty, when

# The banner's title per terminal event (AWS: "Execution failed" / "timed out" / "aborted").
TITLES = {
    "ExecutionFailed": "Execution failed",
    "ExecutionTimedOut": "Execution timed out",
    "ExecutionAborted": "Execution aborted",
}


def summary(web: Web, described: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    """DescribeExecution's answer as the summary shows it; a running execution's duration runs to now."""
    arn = described["executionArn"]
    started, stopped = described["startDate"], described.get("stopDate")
    parent = web.service.views.parent(arn)
    children = web.service.views.children(arn)
    end = float(stopped) if stopped is not None else web.runtime.clock()
    output = described.get("output")
    return {
        "arn": arn,
        "name": described["name"],
        "machine": arn.split(":")[-2],
        "status": described["status"],
        "running": described["status"] == "RUNNING",
        "redrivable": described.get("redriveStatus") == "REDRIVABLE",
        "redrive_count": described.get("redriveCount", 0),
        "redriven": when(described.get("redriveDate")) if described.get("redriveDate") else None,
        "started": when(started),
        "stopped": when(stopped),
        "duration": duration(end - float(started)),
        "transitions": sum(1 for e in events if e["type"].endswith("StateEntered")),
        "input": pretty(described.get("input")),
        "output": pretty(output) if output is not None else None,
        "parent": {"href": web.execution_href(parent), "name": parent.split(":")[-1]} if parent else None,
        "children": [{"href": web.execution_href(c), "name": c.split(":")[-1]} for c in children],
        "map_run": {"href": web.map_run_href(described["mapRunArn"])} if described.get("mapRunArn") else None,
        "map_runs": [
            {
                "href": web.map_run_href(run.arn),
                "name": run.machine_arn.rsplit("/", 1)[-1],
                "status": run.status,
            }
            for run in web.service.views.map_runs(arn)
        ],
    }


def failure_banner(definition: str, index: HistoryIndex) -> dict[str, Any] | None:
    """The failure banner of an execution that failed, timed out or was aborted (else None)."""
    found = view.failure(index, definition)
    if found is None:
        return None
    deepest = found.iteration[-1] if found.iteration else None
    return {
        "title": TITLES.get(found.type, "Execution failed"),
        "error": found.error,
        "cause": found.cause,
        "state_id": found.state_id,
        "state_name": found.state_name,
        "event_id": found.event_id,
        "iteration_query": f"&iteration={deepest[0]}:{deepest[1]}" if deepest else "",
    }


def duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min {rest} s" if hours else f"{minutes} min {rest} s"
