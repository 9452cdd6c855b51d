"""The activities page: each activity with the tasks waiting for it and the workers that polled."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from stepwell.console.web import Web, when


def routes(web: Web) -> list[Route]:
    async def activities(request: Request) -> Response:
        answer = await web.call("ListActivities", maxResults=1000)
        seen = web.service.activities.seen
        rows = []
        for activity in answer["activities"]:
            arn = activity["activityArn"]
            tasks = [
                {
                    "execution": t.execution_arn.split(":")[-1],
                    "href": web.execution_href(t.execution_arn),
                    "task_id": t.task_id,
                    "status": "waiting for a worker" if t.status == "scheduled" else "with a worker",
                    "worker": t.worker_name,
                    "created": when(t.created),
                }
                for t in web.service.views.pending_tasks(arn)
            ]
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
