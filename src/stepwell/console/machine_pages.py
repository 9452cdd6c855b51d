"""The state machine pages: the list (with executions by status), one machine (graph, definition,
executions, start), and the forms that create, update and start."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from stepwell.arns import role_arn, state_machine_arn
from stepwell.console.graph.view import machine_graph
from stepwell.console.machine_versions import versions_and_aliases
from stepwell.console.web import Web, pretty, when
from stepwell.errors import ServiceError

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
EXAMPLE = {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Result": "world", "End": True}}}


def routes(web: Web) -> list[Route]:
    async def machines(request: Request) -> Response:
        return await _machines_page(web, request, form=None, error=None)

    async def create(request: Request) -> Response:
        form = await web.csrf.check(request)
        definition = form.get("definition", "")
        error = await _diagnostics(web, definition, form.get("type", "STANDARD"))
        if error is None:
            try:
                await web.call(
                    "CreateStateMachine",
                    name=form.get("name", ""),
                    definition=definition,
                    type=form.get("type", "STANDARD"),
                    roleArn=form.get("role_arn") or role_arn(web.runtime.account),
                )
            except ServiceError as refused:
                error = {"code": refused.code, "message": refused.message}
        if error is not None:
            return await _machines_page(web, request, form=form, error=error, status_code=400)
        return web.redirect(request, web.machine_href(form["name"]) + "?flash=created")

    async def machine(request: Request) -> Response:
        return await _machine_page(web, request, request.path_params["name"])

    async def update(request: Request) -> Response:
        form = await web.csrf.check(request)
        name = request.path_params["name"]
        definition = form.get("definition", "")
        described = await _describe(web, name)
        if described is None:
            return web.not_found(request, f"There is no state machine named {name}.")
        error = await _diagnostics(web, definition, described["type"])
        if error is None:
            try:
                await web.call(
                    "UpdateStateMachine", stateMachineArn=described["stateMachineArn"], definition=definition
                )
            except ServiceError as refused:
                error = {"code": refused.code, "message": refused.message}
        if error is not None:
            update = {"definition": definition, "error": error}
            return await _machine_page(web, request, name, update=update, status_code=400)
        return web.redirect(request, web.machine_href(name) + "?flash=updated#definition")

    async def start(request: Request) -> Response:
        form = await web.csrf.check(request)
        name = request.path_params["name"]
        given = {"name": form.get("name", ""), "input": form.get("input", "") or "{}"}
        # The machine's latest revision, or one of its versions or aliases ("run on").
        target = _machine_arn(web, name)
        if form.get("target"):
            target = f"{target}:{form['target']}"
        try:
            started = await web.call(
                "StartExecution",
                stateMachineArn=target,
                input=given["input"],
                **({"name": given["name"]} if given["name"] else {}),
            )
        except ServiceError as refused:
            given["error"] = {"code": refused.code, "message": refused.message}  # type: ignore[assignment]
            return await _machine_page(web, request, name, start=given, status_code=400)
        if "executionArn" in started and ":express:" in started["executionArn"]:
            return web.redirect(request, web.machine_href(name) + "?flash=started-express")
        return web.redirect(request, web.execution_href(started["executionArn"]))

    async def publish(request: Request) -> Response:
        form = await web.csrf.check(request)
        name = request.path_params["name"]
        description = form.get("description", "").strip()
        try:
            await web.call(
                "PublishStateMachineVersion",
                stateMachineArn=_machine_arn(web, name),
                **({"description": description} if description else {}),
            )
        except ServiceError as refused:
            return web.page(
                request, "error.html", status_code=400, title=refused.code, message=refused.message
            )
        return web.redirect(request, web.machine_href(name) + "?flash=published#versions")

    return [
        Route("/", machines, methods=["GET"]),
        Route("/state-machines", create, methods=["POST"]),
        Route("/state-machines/{name}", machine, methods=["GET"]),
        Route("/state-machines/{name}/definition", update, methods=["POST"]),
        Route("/state-machines/{name}/executions", start, methods=["POST"]),
        Route("/state-machines/{name}/versions", publish, methods=["POST"]),
    ]


async def _diagnostics(web: Web, definition: str, machine_type: str) -> dict[str, Any] | None:
    """AWS's diagnostics for a definition (ValidateStateMachineDefinition), None when it is valid."""
    try:
        checked = await web.call("ValidateStateMachineDefinition", definition=definition, type=machine_type)
    except ServiceError as refused:
        return {"code": refused.code, "message": refused.message}
    if checked["result"] == "OK":
        return None
    return {"code": "Invalid definition", "diagnostics": checked["diagnostics"]}


def _machine_arn(web: Web, name: str) -> str:
    return state_machine_arn(web.runtime.region, web.runtime.account, name)


async def _describe(web: Web, name: str) -> dict[str, Any] | None:
    try:
        return await web.call("DescribeStateMachine", stateMachineArn=_machine_arn(web, name))
    except ServiceError:
        return None


async def _machines_page(
    web: Web, request: Request, *, form: dict[str, str] | None, error: Any, status_code: int = 200
) -> Response:
    listing: dict[str, Any] = {"maxResults": 100}
    if request.query_params.get("next"):
        listing["nextToken"] = request.query_params["next"]
    try:
        answer = await web.call("ListStateMachines", **listing)
    except ServiceError:
        answer = await web.call("ListStateMachines", maxResults=100)
    counts = web.service.views.execution_counts()
    rows = [
        {
            "name": m["name"],
            "href": web.machine_href(m["name"]),
            "type": m["type"],
            "status": "ACTIVE",
            "created": when(m["creationDate"]),
            "counts": [
                (s, counts[m["stateMachineArn"]][s])
                for s in STATUSES
                if s in counts.get(m["stateMachineArn"], {})
                and web.can("ListExecutions", stateMachineArn=m["stateMachineArn"])
            ],
        }
        for m in answer["stateMachines"]
    ]
    form = form or {
        "name": "",
        "type": "STANDARD",
        "role_arn": role_arn(web.runtime.account),
        "definition": json.dumps(EXAMPLE, indent=2),
    }
    return web.page(
        request,
        "machines.html",
        status_code=status_code,
        machines=rows,
        next_token=answer.get("nextToken"),
        form=form,
        error=error,
    )


async def _machine_page(
    web: Web,
    request: Request,
    name: str,
    *,
    start: dict[str, Any] | None = None,
    update: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    described = await _describe(web, name)
    if described is None:
        return web.not_found(request, f"There is no state machine named {name}.")
    status = request.query_params.get("status") or ""
    listing: dict[str, Any] = {"stateMachineArn": described["stateMachineArn"], "maxResults": 50}
    if status in STATUSES:
        listing["statusFilter"] = status
    if request.query_params.get("next"):
        listing["nextToken"] = request.query_params["next"]
    executions: dict[str, Any] = {"executions": []}
    listed = described["type"] == "STANDARD"  # Express executions are not listed (AWS keeps none)
    if listed and web.can("ListExecutions", stateMachineArn=described["stateMachineArn"]):
        try:
            executions = await web.call("ListExecutions", **listing)
        except ServiceError:
            listing.pop("nextToken", None)
            executions = await web.call("ListExecutions", **listing)
    rows = [
        {
            "name": e["name"],
            "href": web.execution_href(e["executionArn"]),
            "status": e["status"],
            "started": when(e["startDate"]),
            "stopped": when(e.get("stopDate")),
        }
        for e in executions["executions"]
    ]
    machine = {
        "name": described["name"],
        "arn": described["stateMachineArn"],
        "type": described["type"],
        "created": when(described["creationDate"]),
    }
    return web.page(
        request,
        "machine.html",
        status_code=status_code,
        machine=machine,
        href=web.machine_href(name),
        graph=machine_graph(described["definition"]),
        executions=rows,
        next_token=executions.get("nextToken"),
        statuses=STATUSES,
        status=status,
        start=start or {"name": "", "input": request.query_params.get("input", "{}"), "error": None},
        update=update or {"definition": pretty(described["definition"]), "error": None},
        **await versions_and_aliases(web, described["stateMachineArn"]),
    )
