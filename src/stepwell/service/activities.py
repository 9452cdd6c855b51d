"""Activities and task tokens: the queue workers poll, and the callbacks that resume tasks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from functools import partial
from typing import Any

from stepwell.arns import ACTIVITY
from stepwell.asl import jsoncodec
from stepwell.asl.jsoncodec import JsonError
from stepwell.engine.events import Event, TaskFailed, TaskHeartbeat, TaskStarted, TaskSucceeded
from stepwell.errors import ServiceError
from stepwell.runtime import tasks
from stepwell.runtime.batch import Batch
from stepwell.runtime.dispatch import QUEUED, STARTED
from stepwell.runtime.store.records import ActivityRecord
from stepwell.service.core import Core, arn_of, tags_of, valid_name

CALL_IN_FLIGHT_WAIT = 2.0  # seconds a callback waits for the call that handed out its token
POLL_SECONDS = 60.0  # "GetActivityTask ... holds the connection open for up to 60 seconds"
INVALID_TOKEN = "Invalid Token: 'Invalid token'"
TASK_TIMED_OUT = "Task Timed Out: 'Provided task does not exist anymore'"


class Activities:
    def __init__(self, core: Core, poll_seconds: float = POLL_SECONDS):
        self.core = core
        self.poll_seconds = poll_seconds
        self._ready: dict[str, asyncio.Event] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._released = False  # the server is stopping: polls answer at once, without a task
        # activity ARN -> worker name -> when it last polled (the console's "workers last seen")
        self.seen: dict[str, dict[str, float]] = {}
        core.runtime.activity_listeners.append(self._wake)

    # ---- the resource -------------------------------------------------------------------------
    async def create(self, request: dict[str, Any]) -> dict[str, Any]:
        name = valid_name(request["name"])
        runtime = self.core.runtime
        arn = runtime.activity_arn(name)
        tags = tags_of(request)
        config = json.dumps({"encryptionConfiguration": request.get("encryptionConfiguration")})

        def create(batch: Batch) -> dict[str, Any]:
            existing = batch.db.activity(arn)
            if existing is not None:  # CreateActivity is idempotent (tags ignored)
                return {"activityArn": arn, "creationDate": existing.created}
            now = runtime.clock()
            batch.db.insert_activity(ActivityRecord(arn, name, config, now))
            batch.db.set_tags(arn, tags)
            return {"activityArn": arn, "creationDate": now}

        return await self.core.write(create)

    def row(self, arn: str) -> ActivityRecord:
        arn_of(arn, ACTIVITY)
        row = self.core.db.activity(arn)
        if row is None:
            raise ServiceError("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")
        return row

    async def describe(self, request: dict[str, Any]) -> dict[str, Any]:
        row = self.row(request["activityArn"])
        return {"activityArn": row.arn, "name": row.name, "creationDate": row.created}

    async def delete(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["activityArn"]
        arn_of(arn, ACTIVITY)

        def delete(batch: Batch) -> dict[str, Any]:
            batch.db.delete_activity(arn)
            return {}

        return await self.core.write(delete)

    async def list(self, request: dict[str, Any]) -> dict[str, Any]:
        page, token = self.core.page(
            "ListActivities", "", request, self.core.db.activities, lambda r: r.arn, start=""
        )
        return {
            "activities": [{"activityArn": r.arn, "name": r.name, "creationDate": r.created} for r in page],
            "nextToken": token,
        }

    # ---- workers ------------------------------------------------------------------------------
    async def get_task(self, request: dict[str, Any]) -> dict[str, Any]:
        """Long-poll: a scheduled task of this activity, or no token after the poll time."""
        arn = request["activityArn"]
        self.row(arn)
        worker = request.get("workerName") or ""
        self.seen.setdefault(arn, {})[worker] = self.core.runtime.clock()
        self._loop = asyncio.get_running_loop()
        deadline = self._loop.time() + self.poll_seconds
        while True:
            if self._released:
                return {}  # as when the poll time is up: no task (it stays queued, durably)
            ready = self._ready.setdefault(arn, asyncio.Event())
            ready.clear()
            task = await self.core.write(lambda batch: _claim(batch, arn, worker))
            if task is not None:
                return task
            remaining = deadline - self._loop.time()
            if remaining <= 0:
                return {}
            try:
                await asyncio.wait_for(ready.wait(), remaining)
            except TimeoutError:
                return {}

    def release_polls(self) -> None:
        """At shutdown, from the event loop: every open and later poll answers without a task, so
        the server need not hold its shutdown for a poll's 60 s."""
        self._released = True
        for ready in self._ready.values():
            ready.set()

    def _wake(self, activity_arn: str) -> None:
        loop = self._loop
        if loop is not None and activity_arn in self._ready:
            loop.call_soon_threadsafe(self._ready[activity_arn].set)

    # ---- callbacks ------------------------------------------------------------------------------
    async def succeed(self, request: dict[str, Any]) -> dict[str, Any]:
        token = request["taskToken"]
        try:
            output = jsoncodec.loads(request["output"])  # any JSON, read as AWS's Java parser does
        except JsonError as bad:
            raise ServiceError("InvalidOutput", f"Invalid Output: '{bad.message}'") from None
        await self._callback(
            token,
            lambda batch, task_id: TaskSucceeded(**batch.event_args(), task_id=task_id, output=output),
        )
        return {}

    async def fail(self, request: dict[str, Any]) -> dict[str, Any]:
        token, error, cause = request["taskToken"], request.get("error"), request.get("cause")
        await self._callback(
            token,
            lambda batch, task_id: TaskFailed(
                **batch.event_args(), task_id=task_id, error=error, cause=cause
            ),
        )
        return {}

    async def heartbeat(self, request: dict[str, Any]) -> dict[str, Any]:
        token = request["taskToken"]
        await self._callback(
            token, lambda batch, task_id: TaskHeartbeat(**batch.event_args(), task_id=task_id)
        )
        return {}

    async def _callback(self, token: str, event_for: Callable[[Batch, str], Event]) -> None:
        """Apply a callback; while the call that handed out its token has not returned yet (an SQS
        message read before SendMessage's answer came back), wait for it a little: AWS records
        TaskSubmitted before the callback's event. A call that itself waits for this callback's
        answer (a function calling SendTaskSuccess on its own token) is not waited for beyond
        ``CALL_IN_FLIGHT_WAIT``: the callback is then applied as it comes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CALL_IN_FLIGHT_WAIT
        pause = 0.002
        while True:
            eager = loop.time() > deadline
            if await self.core.write(partial(_resume, token=token, event_for=event_for, eager=eager)):
                return
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)


def _claim(batch: Batch, activity_arn: str, worker: str) -> dict[str, Any] | None:
    task = batch.db.claim_activity_task(activity_arn, worker)
    if task is None:
        return None
    batch.step(
        task.execution_arn, TaskStarted(**batch.event_args(), task_id=task.task_id, worker_name=worker)
    )
    return {"taskToken": task.token, "input": task.payload}


def _resume(batch: Batch, token: str, event_for: Any, *, eager: bool) -> bool:
    """Apply the callback's event; False (nothing done) while the call that handed out the token
    is still under way, unless ``eager``."""
    task = batch.db.task(token)
    if task is None:
        raise ServiceError("InvalidToken", INVALID_TOKEN)
    if task.status == "closed":
        raise ServiceError("TaskTimedOut", TASK_TIMED_OUT)
    in_flight = task.kind in (tasks.FUNCTION, tasks.SERVICE) and task.status in (QUEUED, STARTED)
    if in_flight and not eager:
        return False
    batch.step(task.execution_arn, event_for(batch, task.task_id))
    return True
