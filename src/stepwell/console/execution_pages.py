"""One execution: summary, failure banner, the graph coloured by status, step details, the event
table, Stop, export, and a live stream of its new events (server-sent events)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from stepwell.console import execution_view as view
from stepwell.console.graph_view import machine_graph
from stepwell.console.web import Web, pretty, when
from stepwell.errors import ServiceError

PAGE_SIZE = 100
POLL_SECONDS = 0.3
BUSY_FACTOR = 10  # a stream sleeps at least ten times as long as its last update took to compute
ITERATIONS_SHOWN = 50
TITLES = {"ExecutionFailed": "Execution failed", "ExecutionTimedOut": "Execution timed out"}
TITLES["ExecutionAborted"] = "Execution aborted"


def routes(web: Web) -> list[Route]:
    base = "/executions/{machine}/{name}"

    async def execution(request: Request) -> Response:
        loaded = await _load(web, request)
        if loaded is None:
            return web.not_found(request, "There is no such execution (Express executions keep no history).")
        return web.page(request, "execution.html", **_page(web, request, *loaded))

    async def step(request: Request) -> Response:
        loaded = await _load(web, request)
        if loaded is None:
            return web.not_found(request, "There is no such execution.")
        _, definition, events = loaded
        index = view.index_history(events, definition)
        found = _step(definition, index, request.query_params.get("state", ""), _iteration(request))
        return web.fragment(request, "step.html", step=found)

    async def stop(request: Request) -> Response:
        await web.csrf.check(request)
        arn = _arn(web, request)
        try:
            await web.call("StopExecution", executionArn=arn)
        except ServiceError as refused:
            return web.page(
                request, "error.html", status_code=400, title=refused.code, message=refused.message
            )
        return web.redirect(request, web.execution_href(arn) + "?flash=stopped")

    async def export(request: Request) -> Response:
        loaded = await _load(web, request)
        if loaded is None:
            return web.not_found(request, "There is no such execution.")
        described, _definition, events = loaded
        name = described["name"]
        headers = {"Content-Disposition": f'attachment; filename="{name}-history.json"'}
        return web.csrf.protect(request, JSONResponse({"events": events}, headers=headers))

    async def stream(request: Request) -> Response:
        arn = _arn(web, request)
        last = request.headers.get("last-event-id") or request.query_params.get("after") or "0"
        after = int(last) if last.isdigit() else 0
        response = StreamingResponse(
            _updates(web, arn, after), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )
        return web.csrf.protect(request, response)

    return [
        Route(base, execution, methods=["GET"]),
        Route(base + "/step", step, methods=["GET"]),
        Route(base + "/stop", stop, methods=["POST"]),
        Route(base + "/history.json", export, methods=["GET"]),
        Route(base + "/stream", stream, methods=["GET"]),
    ]


def _arn(web: Web, request: Request) -> str:
    return web.runtime.execution_arn(request.path_params["machine"], request.path_params["name"])


async def _load(web: Web, request: Request) -> tuple[dict[str, Any], str, list[dict[str, Any]]] | None:
    arn = _arn(web, request)
    try:
        described = await web.call("DescribeExecution", executionArn=arn)
        machine = await web.call("DescribeStateMachineForExecution", executionArn=arn)
    except ServiceError:
        return None
    return described, machine["definition"], web.service.views.events(arn)


def _iteration(request: Request) -> view.Iteration | None:
    container, _, index = request.query_params.get("iteration", "").rpartition(":")
    return (container, int(index)) if container and index.isdigit() else None


def _step(
    definition: str, index: Any, state: str, iteration: view.Iteration | None
) -> view.StepDetails | None:
    if not state:
        return None
    try:
        return view.step_details(definition, index, state, iteration)
    except KeyError:
        return None


def _page(
    web: Web, request: Request, described: dict[str, Any], definition: str, events: list[dict[str, Any]]
) -> dict[str, Any]:
    arn = described["executionArn"]
    href = web.execution_href(arn)
    index = view.index_history(events, definition)
    iteration = _iteration(request)
    statuses = view.state_statuses(definition, index, iteration)
    params = request.query_params
    of_type, of_step = params.get("type") or "", params.get("step_filter") or ""
    failures_only = params.get("failures") == "1"
    after = int(params["after"]) if params.get("after", "").isdigit() else None
    filters = {"type": of_type, "step": of_step, "failures": failures_only, "after": after}
    rows, next_cursor = view.event_rows(
        index,
        types=[of_type] if of_type else None,
        step=of_step or None,
        failures_only=failures_only,
        after=after,
        limit=PAGE_SIZE,
        definition=definition,
    )
    query = {k: v for k, v in (("type", of_type), ("step_filter", of_step)) if v}
    if failures_only:
        query["failures"] = "1"
    unfiltered = not query
    machine_name = arn.split(":")[-2]
    rerun_input = described.get("input") or "{}"
    return {
        "execution": _summary(web, described, events),
        "href": href,
        "machine_href": web.machine_href(machine_name),
        "stream_url": f"{href}/stream?after={events[-1]['id'] if events else 0}"
        if described["status"] == "RUNNING"
        else "",
        "failure": _failure(definition, index) if described["status"] != "RUNNING" else None,
        "graph": machine_graph(definition, statuses),
        "containers": _containers(definition, index, iteration),
        "iteration": iteration,
        "step": _step(definition, index, params.get("step", ""), iteration),
        "rows": [_row(r) for r in rows],
        "live_rows": unfiltered and next_cursor is None,
        "filters": filters,
        "event_types": sorted({e["type"] for e in events}),
        "steps": sorted({visit.name for visit in index.visits}),  # every event of a step is in a visit
        "next_page": f"{href}?{urlencode({**query, 'after': next_cursor})}#events-title"
        if next_cursor
        else "",
        "first_page": f"{href}?{urlencode(query)}#events-title",
        "page_size": PAGE_SIZE,
        "rerun_href": f"{web.machine_href(machine_name)}?{urlencode({'input': rerun_input})}#start",
    }


def _summary(web: Web, described: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    arn = described["executionArn"]
    started, stopped = described["startDate"], described.get("stopDate")
    parent = web.service.views.parent(arn)
    children = web.service.views.children(arn)
    end = float(stopped) if stopped is not None else web.runtime.clock()
    return {
        "arn": arn,
        "name": described["name"],
        "machine": arn.split(":")[-2],
        "status": described["status"],
        "started": when(started),
        "stopped": when(stopped),
        "duration": _duration(end - float(started)),
        "transitions": sum(1 for e in events if e["type"].endswith("StateEntered")),
        "input": pretty(described.get("input")),
        "output": pretty(described.get("output")) if described.get("output") is not None else None,
        "parent": {"href": web.execution_href(parent), "name": parent.split(":")[-1]} if parent else None,
        "children": [{"href": web.execution_href(c), "name": c.split(":")[-1]} for c in children],
    }


def _failure(definition: str, index: Any) -> dict[str, Any] | None:
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


def _containers(definition: str, index: Any, current: view.Iteration | None) -> list[dict[str, Any]]:
    out = []
    for container, summaries in view.iterations(definition, index).items():
        items = [
            {"index": s.index, "status": s.status, "current": current == (container, s.index)}
            for s in summaries[:ITERATIONS_SHOWN]
        ]
        counts = sorted(view.count_by_status(summaries).items())
        name = container.rsplit("/", 1)[-1]
        out.append(
            {
                "id": container,
                "name": name,
                "counts": counts,
                "iterations": items,
                "more": max(0, len(summaries) - ITERATIONS_SHOWN),
            }
        )
    return out


def _row(row: view.EventRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "type": row.type,
        "step": row.step,
        "state_id": row.state_id,
        "when": when(row.timestamp),
        "elapsed_ms": row.elapsed_ms,
        "is_failure": row.is_failure,
    }


async def _updates(web: Web, arn: str, after: int) -> AsyncIterator[str]:
    """New events as they are committed, with the graph's statuses; ends when the execution has.

    The statuses are recomputed from the whole history (one pass over it), on the event loop: for a
    big execution that pass costs tens of milliseconds, so the stream waits several times as long
    as the last pass took, and an open page never takes more than a fraction of the server's time."""
    views = web.service.views
    db = web.service.core.db
    found = db.one("SELECT definition FROM executions WHERE arn = ?", (arn,))
    if found is None:
        return
    definition = str(found["definition"])
    events: list[dict[str, Any]] = []  # the history so far: only what is new is read each time
    while True:
        events.extend(views.events(arn, events[-1]["id"] if events else 0))
        new = events[after:]  # event ids run 1, 2, 3, ... without gaps
        row = db.one("SELECT status FROM executions WHERE arn = ?", (arn,))
        if row is None:
            return
        pause = POLL_SECONDS
        if new:
            began = time.perf_counter()
            index = view.index_history(events, definition)
            rows, _ = view.event_rows(index, after=after, limit=len(new), definition=definition)
            html = web.templates.get_template("event_rows.html").render(rows=[_row(r) for r in rows])
            after = new[-1]["id"]
            update = {
                "statuses": view.state_statuses(definition, index),
                "status": row["status"],
                "rows": html,
                "transitions": sum(1 for e in events if e["type"].endswith("StateEntered")),
            }
            yield f"id: {after}\nevent: update\ndata: {json.dumps(update)}\n\n"
            pause = max(POLL_SECONDS, BUSY_FACTOR * (time.perf_counter() - began))
        elif row["status"] != "RUNNING":
            yield f"id: {after}\nevent: end\ndata: {json.dumps({'status': row['status']})}\n\n"
            return
        await asyncio.sleep(pause)


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min {rest} s" if hours else f"{minutes} min {rest} s"
