"""A Map Run's page: its status, settings and counts, and its child executions (newest first, paged),
each linked to its own execution page. Read through the API's DescribeMapRun and ListExecutions."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from stepwell.arns import map_run_arn
from stepwell.console.web import Web, when
from stepwell.errors import ServiceError

PAGE_SIZE = 100
COUNTS = ("total", "pending", "running", "succeeded", "failed", "timedOut", "aborted", "resultsWritten")


def routes(web: Web) -> list[Route]:
    async def map_run(request: Request) -> Response:
        params = request.path_params
        arn = map_run_arn(
            web.runtime.region, web.runtime.account, params["machine"], params["label"], params["id"]
        )
        query: dict[str, Any] = {"mapRunArn": arn, "maxResults": PAGE_SIZE}
        if request.query_params.get("next"):
            query["nextToken"] = request.query_params["next"]
        try:
            described = await web.call("DescribeMapRun", mapRunArn=arn)
            listed = await web.call("ListExecutions", **query)
        except ServiceError:
            return web.not_found(request, "There is no such Map Run.")
        parent = described["executionArn"]
        return web.page(
            request,
            "map_run.html",
            run={
                "arn": arn,
                "label": params["label"],
                "status": described["status"],
                "started": when(described["startDate"]),
                "stopped": when(described.get("stopDate")),
                "max_concurrency": described["maxConcurrency"] or "unlimited",
                "tolerated_count": described["toleratedFailureCount"],
                "tolerated_percentage": described["toleratedFailurePercentage"],
                "item_counts": [(name, described["itemCounts"].get(name, 0)) for name in COUNTS],
                "execution_counts": [(name, described["executionCounts"].get(name, 0)) for name in COUNTS],
            },
            parent={"href": web.execution_href(parent), "name": parent.split(":")[-1]},
            machine={"href": web.machine_href(params["machine"]), "name": params["machine"]},
            children=[
                {
                    "href": web.execution_href(e["executionArn"]),
                    "name": e["name"],
                    "status": e["status"],
                    "started": when(e["startDate"]),
                    "stopped": when(e.get("stopDate")),
                }
                for e in listed["executions"]
            ],
            next_token=listed.get("nextToken"),
            href=web.map_run_href(arn),
        )

    return [Route("/map-runs/{machine}/{label}/{id}", map_run, methods=["GET"])]
