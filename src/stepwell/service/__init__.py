"""The use cases of the Step Functions API, shared by every face (the API, the console, the CLI).

``Service.operations`` maps each AWS operation name to a coroutine taking the validated request
(a dict in the API's member names) and returning the response dict; refusals are ServiceErrors in
AWS's words.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from stepwell.errors import ServiceError
from stepwell.runtime.executor import Executor
from stepwell.runtime.runtime import Runtime
from stepwell.runtime.store.protocol import Store
from stepwell.service.activities import Activities
from stepwell.service.core import Core
from stepwell.service.executions import Executions
from stepwell.service.machines import Machines
from stepwell.service.tags import Tags
from stepwell.service.test_state import TestStates
from stepwell.service.views import Views

Operation = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class Service:
    def __init__(self, store: Store, executor: Executor, runtime: Runtime):
        self.core = Core(store, executor, runtime)
        self.machines = Machines(self.core)
        self.executions = Executions(self.core, self.machines)
        self.activities = Activities(self.core)
        self.tags = Tags(self.core)
        self.views = Views(self.core)
        m, e, a, t = self.machines, self.executions, self.activities, self.tags
        self.operations: dict[str, Operation] = {
            "CreateStateMachine": m.create,
            "DescribeStateMachine": m.describe,
            "UpdateStateMachine": m.update,
            "DeleteStateMachine": m.delete,
            "ListStateMachines": m.list,
            "ValidateStateMachineDefinition": m.validate,
            "PublishStateMachineVersion": m.versions.publish,
            "ListStateMachineVersions": m.versions.list,
            "DeleteStateMachineVersion": m.versions.delete,
            "CreateStateMachineAlias": m.aliases.create,
            "DescribeStateMachineAlias": m.aliases.describe,
            "UpdateStateMachineAlias": m.aliases.update,
            "DeleteStateMachineAlias": m.aliases.delete,
            "ListStateMachineAliases": m.aliases.list,
            "StartExecution": e.start,
            "StartSyncExecution": e.start_sync,
            "StopExecution": e.stop,
            "RedriveExecution": e.redrive,
            "DescribeMapRun": e.map_runs.describe,
            "ListMapRuns": e.map_runs.list,
            "UpdateMapRun": e.map_runs.update,
            "DescribeExecution": e.describe,
            "DescribeStateMachineForExecution": e.describe_machine_for,
            "ListExecutions": e.list,
            "GetExecutionHistory": e.history,
            "CreateActivity": a.create,
            "DescribeActivity": a.describe,
            "DeleteActivity": a.delete,
            "ListActivities": a.list,
            "GetActivityTask": a.get_task,
            "SendTaskSuccess": a.succeed,
            "SendTaskFailure": a.fail,
            "SendTaskHeartbeat": a.heartbeat,
            "TagResource": t.tag,
            "UntagResource": t.untag,
            "ListTagsForResource": t.list,
            "TestState": TestStates(runtime).test,
        }

    async def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        handler = self.operations.get(operation)
        if handler is None:
            raise ServiceError("UnsupportedOperation", f"stepwell does not support {operation}")
        return await handler(request)
