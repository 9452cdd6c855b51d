"""Map Runs: DescribeMapRun, ListMapRuns, UpdateMapRun (reference integrations §3.10).

A Distributed Map's run is written by the runtime as the engine reports it (MapRunChanged): its
status, settings and counts. Its STANDARD child executions are executions of the labelled state
machine ``stateMachine:<name>/<label>``, listed by ``ListExecutions(mapRunArn=...)``.

AWS's texts for a Map Run that does not exist and for updating one that has ended are not recorded
anywhere we know of; the error codes are the model's (ResourceNotFound, ValidationException with
the reason CANNOT_UPDATE_COMPLETED_MAP_RUN).
"""

from __future__ import annotations

import json
from typing import Any

from stepwell.arns import EXECUTION, MAP_RUN
from stepwell.engine.events import MapRunUpdated
from stepwell.errors import ServiceError
from stepwell.runtime.batch import Batch
from stepwell.runtime.store.records import MapRunRecord
from stepwell.service.core import Core, arn_of


class MapRuns:
    def __init__(self, core: Core):
        self.core = core

    def record(self, arn: str) -> MapRunRecord:
        arn_of(arn, MAP_RUN)
        found = self.core.db.map_run(arn)
        if found is None:
            raise ServiceError("ResourceNotFound", f"Resource not found: '{arn}'")
        return found

    async def describe(self, request: dict[str, Any]) -> dict[str, Any]:
        run = self.record(request["mapRunArn"])
        summary = json.loads(run.summary)
        out: dict[str, Any] = {
            "mapRunArn": run.arn,
            "executionArn": run.execution_arn,
            "status": run.status,
            "startDate": run.started,
        }
        if run.stopped is not None:
            out["stopDate"] = run.stopped
        out |= {
            "maxConcurrency": summary["maxConcurrency"],
            "toleratedFailurePercentage": summary["toleratedFailurePercentage"],
            "toleratedFailureCount": summary["toleratedFailureCount"],
            "itemCounts": summary["itemCounts"],
            "executionCounts": summary["executionCounts"],
            "redriveCount": summary.get("redriveCount", 0),
        }
        return out

    async def list(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["executionArn"]
        arn_of(arn, EXECUTION)
        if self.core.db.execution(arn) is None:
            raise ServiceError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
        runs = self.core.db.map_runs(arn)
        page, token = self.core.page(
            "ListMapRuns",
            arn,
            request,
            lambda after, n: runs[after : after + n],
            lambda r: runs.index(r) + 1,
            0,
        )
        items = []
        for run in page:
            item = {
                "executionArn": run.execution_arn,
                "mapRunArn": run.arn,
                "stateMachineArn": run.machine_arn,
                "startDate": run.started,
            }
            if run.stopped is not None:
                item["stopDate"] = run.stopped
            items.append(item)
        return {"mapRuns": items, "nextToken": token}

    async def update(self, request: dict[str, Any]) -> dict[str, Any]:
        """New MaxConcurrency or tolerated failures for a running Map Run: "You can update a Map
        Run's maximum concurrency, tolerated failure percentage and count while it runs"."""
        run = self.record(request["mapRunArn"])
        if run.status != "RUNNING":
            raise ServiceError(
                "ValidationException",
                f"Map Run '{run.arn}' has ended ({run.status}): a completed Map Run cannot be updated "
                "(CANNOT_UPDATE_COMPLETED_MAP_RUN)",
            )
        percentage = request.get("toleratedFailurePercentage")

        def update(batch: Batch) -> None:
            event = MapRunUpdated(
                **batch.event_args(),
                map_run_arn=run.arn,
                max_concurrency=request.get("maxConcurrency"),
                tolerated_failure_count=request.get("toleratedFailureCount"),
                tolerated_failure_percentage=float(percentage) if percentage is not None else None,
            )
            batch.step(run.execution_arn, event)

        await self.core.write(update)
        return {}
