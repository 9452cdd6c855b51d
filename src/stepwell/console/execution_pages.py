"""One execution: summary, failure banner, the graph coloured by status, step details, the event
table, Stop, Redrive, export, and a live stream of its new events (server-sent events). When the stream says
the execution ended, the page fetches ``/summary``: the parts a reload would change, drawn by the same
templates (``execution_parts.html``), which its script swaps in by element id."""

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

from stepwell.arns import execution_arn
from stepwell.console import execution_view as view
from stepwell.console.execution_summary import failure_banner, summary
from stepwell.console.graph.view import machine_graph
from stepwell.console.iteration_picker import pickers
from stepwell.console.web import Web, when
from stepwell.errors import ServiceError

PAGE_SIZE = 100
POLL_SECONDS = 0.3
BUSY_FACTOR = 10  # a stream sleeps at least ten times as long as its last update took to compute


def routes(web: Web) -> list[Route]:
    base = "/executions/{machine:path}/{name}"

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

    async def live_summary(request: Request) -> Response:
        """The parts of the page that change when the execution ends, for a page that watched it end."""
        loaded = await _load(web, request)
        if loaded is None:
            return web.not_found(request, "There is no such execution.")
        described, definition, events = loaded
        index = view.index_history(events, definition)
        parts = _parts(web, request, described, definition, events, index)
        return web.fragment(request, "execution_summary.html", csrf=web.csrf.token(request), **parts)

    async def act(request: Request, operation: str, flash: str) -> Response:
        """A button of the page (Stop, Redrive): the operation on this execution, then the page."""
        await web.csrf.check(request)
        arn = _arn(web, request)
        try:
            await web.call(operation, executionArn=arn)
        except ServiceError as refused:
            return web.page(
                request, "error.html", status_code=400, title=refused.code, message=refused.message
            )
        return web.redirect(request, web.execution_href(arn) + f"?flash={flash}")

    async def stop(request: Request) -> Response:
        return await act(request, "StopExecution", "stopped")

    async def redrive(request: Request) -> Response:
        return await act(request, "RedriveExecution", "redriven")

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
        web.require("DescribeExecution", executionArn=arn)  # the stream sends its status and history
        web.require("GetExecutionHistory", executionArn=arn)
        last = request.headers.get("last-event-id") or request.query_params.get("after") or "0"
        after = int(last) if last.isdigit() else 0
        response = StreamingResponse(
            _updates(web, arn, after, _iteration(request)),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )
        return web.csrf.protect(request, response)

    # The page itself last: "<machine>" may be "<machine>/<label>" (a Map Run's child execution),
    # so the page's pattern would also match the longer paths below.
    return [
        Route(base + "/step", step, methods=["GET"]),
        Route(base + "/summary", live_summary, methods=["GET"]),
        Route(base + "/stop", stop, methods=["POST"]),
        Route(base + "/redrive", redrive, methods=["POST"]),
        Route(base + "/history.json", export, methods=["GET"]),
        Route(base + "/stream", stream, methods=["GET"]),
        Route(base, execution, methods=["GET"]),
    ]


def _arn(web: Web, request: Request) -> str:
    machine, name = request.path_params["machine"], request.path_params["name"]
    return execution_arn(web.runtime.region, web.runtime.account, machine, name)


async def _load(web: Web, request: Request) -> tuple[dict[str, Any], str, list[dict[str, Any]]] | None:
    arn = _arn(web, request)
    try:
        described = await web.call("DescribeExecution", executionArn=arn)
        machine = await web.call("DescribeStateMachineForExecution", executionArn=arn)
    except ServiceError:
        return None
    web.require("GetExecutionHistory", executionArn=arn)  # the page draws the history it would answer
    return described, machine["definition"], web.service.views.events(arn)


def _iteration(request: Request) -> view.Iteration | None:
    """The selected iteration: ``iteration=<container id>:<index>`` (links), or the picker's number
    form, ``iteration_of=<container id>&index=<n>``."""
    params = request.query_params
    container, _, index = params.get("iteration", "").rpartition(":")
    if not container and params.get("iteration_of"):
        container, index = params["iteration_of"], params.get("index", "").strip()
    return (container, int(index)) if container and index.isdigit() else None


def _picker_page(request: Request) -> tuple[str, int] | None:
    container, _, number = request.query_params.get("page", "").rpartition(":")
    return (container, int(number)) if container and number.isdigit() else None


def _filters(request: Request) -> dict[str, Any]:
    params = request.query_params
    return {
        "type": params.get("type") or "",
        "step": params.get("step_filter") or "",
        "failures": params.get("failures") == "1",
        "after": int(params["after"]) if params.get("after", "").isdigit() else None,
    }


def _filter_query(filters: dict[str, Any]) -> dict[str, str]:
    """The event filters as query parameters, for links that keep them."""
    query = {k: v for k, v in (("type", filters["type"]), ("step_filter", filters["step"])) if v}
    if filters["failures"]:
        query["failures"] = "1"
    return query


def _step(
    definition: str, index: Any, state: str, iteration: view.Iteration | None
) -> view.StepDetails | None:
    if not state:
        return None
    try:
        return view.step_details(definition, index, state, iteration)
    except KeyError:
        return None


def _parts(
    web: Web,
    request: Request,
    described: dict[str, Any],
    definition: str,
    events: list[dict[str, Any]],
    index: Any,
) -> dict[str, Any]:
    """What the page and its end-of-run fragment share: summary, banner, actions, pickers, filters."""
    arn = described["executionArn"]
    href = web.execution_href(arn)
    machine_name = arn.split(":")[-2].partition("/")[0]  # a Map Run's child: its parent's machine
    rerun_input = described.get("input") or "{}"
    filters = _filters(request)
    iteration = _iteration(request)
    return {
        "execution": summary(web, described, events),
        "href": href,
        "machine_href": web.machine_href(machine_name),
        "failure": failure_banner(definition, index) if described["status"] != "RUNNING" else None,
        "pickers": pickers(index, definition, iteration, _picker_page(request), _filter_query(filters)),
        "iteration": iteration,
        "filters": filters,
        "event_types": sorted({e["type"] for e in events}),
        "steps": sorted({visit.name for visit in index.visits}),  # every event of a step is in a visit
        "rerun_href": f"{web.machine_href(machine_name)}?{urlencode({'input': rerun_input})}#start",
    }


def _page(
    web: Web, request: Request, described: dict[str, Any], definition: str, events: list[dict[str, Any]]
) -> dict[str, Any]:
    index = view.index_history(events, definition)
    parts = _parts(web, request, described, definition, events, index)
    href, filters, iteration = parts["href"], parts["filters"], parts["iteration"]
    rows, next_cursor = view.event_rows(
        index,
        types=[filters["type"]] if filters["type"] else None,
        step=filters["step"] or None,
        failures_only=filters["failures"],
        after=filters["after"],
        limit=PAGE_SIZE,
        definition=definition,
    )
    query = _filter_query(filters)
    stream_query = {"after": events[-1]["id"] if events else 0}
    if iteration is not None:
        stream_query["iteration"] = f"{iteration[0]}:{iteration[1]}"
    return {
        **parts,
        "stream_url": f"{href}/stream?{urlencode(stream_query)}" if described["status"] == "RUNNING" else "",
        "summary_url": f"{href}/summary",
        "graph": machine_graph(definition, view.state_statuses(definition, index, iteration)),
        "step": _step(definition, index, request.query_params.get("step", ""), iteration),
        "rows": [_row(r) for r in rows],
        "live_rows": not query and next_cursor is None,
        "next_page": (
            f"{href}?{urlencode({**query, 'after': next_cursor})}#events-title" if next_cursor else ""
        ),
        "first_page": f"{href}?{urlencode(query)}#events-title",
        "page_size": PAGE_SIZE,
    }


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


async def _updates(web: Web, arn: str, after: int, iteration: view.Iteration | None) -> AsyncIterator[str]:
    """New events as they are committed, with the graph's statuses; ends when the execution has.

    The statuses are recomputed from the whole history (one pass over it), on the event loop: for a
    big execution that pass costs tens of milliseconds, so the stream waits several times as long
    as the last pass took, and an open page never takes more than a fraction of the server's time."""
    views = web.service.views
    db = web.service.core.db
    found = db.execution(arn)
    if found is None:
        return
    definition = found.definition
    events: list[dict[str, Any]] = []  # the history so far: only what is new is read each time
    while True:
        events.extend(views.events(arn, events[-1]["id"] if events else 0))
        new = events[after:]  # event ids run 1, 2, 3, ... without gaps
        row = db.execution(arn)
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
                "statuses": view.state_statuses(definition, index, iteration),
                "status": row.status,
                "rows": html,
                "transitions": sum(1 for e in events if e["type"].endswith("StateEntered")),
            }
            yield f"id: {after}\nevent: update\ndata: {json.dumps(update)}\n\n"
            pause = max(POLL_SECONDS, BUSY_FACTOR * (time.perf_counter() - began))
        elif row.status != "RUNNING":
            yield f"id: {after}\nevent: end\ndata: {json.dumps({'status': row.status})}\n\n"
            return
        await asyncio.sleep(pause)
