"""The activities page: each activity with the tasks waiting for it and the workers that polled.

A task is shown as its user knows it: the execution and the state (and Map iteration) that scheduled
it, when, its input, and the worker that took it (``activity_tasks``); no runtime task id and no task
token is printed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from stepwell.console.activity_tasks import OpenTask, open_tasks
from stepwell.console.ids import name_of
from stepwell.console.web import Web, pretty, when
from stepwell.errors import ServiceError


def routes(web: Web) -> list[Route]:
    async def activities(request: Request) -> Response:
        answer = await web.call("ListActivities", maxResults=1000)
        seen = web.service.activities.seen
        definitions: dict[str, str | None] = {}  # execution ARN -> its machine's definition
        rows = []
        for activity in answer["activities"]:
            arn = activity["activityArn"]
            tasks: list[dict[str, Any]] = []
            # The executions with a task open for this activity, in the order they scheduled one.
            for execution_arn in dict.fromkeys(t.execution_arn for t in web.service.views.pending_tasks(arn)):
                if not web.can("GetExecutionHistory", executionArn=execution_arn):
                    continue  # its task's input is in a history the principal may not read
                if execution_arn not in definitions:
                    definitions[execution_arn] = await _definition(web, execution_arn)
                events = web.service.views.events(execution_arn)
                found = open_tasks(arn, execution_arn, events, definitions[execution_arn])
                tasks.extend(_row(web, task) for task in found)
            workers = [
                {"name": name, "seen": when(at)}
                for name, at in sorted(seen.get(arn, {}).items(), key=lambda item: -item[1])
            ]
            rows.append(
                {
                    "name": activity["name"],
                    "arn": arn,
                    "created": when(activity["creationDate"]),
                    "tasks": tasks,
                    "workers": workers,
                }
            )
        return web.page(request, "activities.html", activities=rows)

    return [Route("/activities", activities, methods=["GET"])]


async def _definition(web: Web, execution_arn: str) -> str | None:
    try:
        machine = await web.call("DescribeStateMachineForExecution", executionArn=execution_arn)
    except ServiceError:
        return None
    return str(machine["definition"])


def _row(web: Web, task: OpenTask) -> dict[str, Any]:
    query = {"step": task.state_id}
    if task.iteration:
        container, index = task.iteration[-1]
        query["iteration"] = f"{container}:{index}"
    return {
        "execution": task.execution_arn.split(":")[-1],
        "execution_href": web.execution_href(task.execution_arn),
        "state": task.state_name,
        "state_href": f"{web.execution_href(task.execution_arn)}?{urlencode(query)}#panel",
        "where": " › ".join(f"{name_of(container)} #{index}" for container, index in task.iteration),
        "scheduled": when(task.scheduled_at),
        "input": pretty(task.input),
        "worker": task.worker,
        "started": when(task.started_at),
    }
