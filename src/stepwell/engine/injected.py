"""What Step Functions adds to a Task's parameters before it schedules the call: the parameters
TaskScheduled records are the ones sent ("parameters (after Step Functions' own injections, e.g.
ECS StartedBy)", integrations.md §0).

- ``ecs:runTask.sync`` starts the task with ``"StartedBy": "AWS Step Functions"`` (recorded, in
  TaskScheduled and in the task: §2.2);
- ``batch:submitJob.sync`` adds ``{"Name": "MANAGED_BY_AWS", "Value": "STARTED_BY_STEP_FUNCTIONS"}``
  to ``ContainerOverrides.Environment`` (seen in a real job's description, §2.1; whether
  TaskScheduled shows it is unconfirmed: it is shown, as ECS's is).
"""

from __future__ import annotations

from typing import Any

from stepwell.asl.resources import SERVICE, SYNC, TaskResource

MANAGED_BY_AWS = {"Name": "MANAGED_BY_AWS", "Value": "STARTED_BY_STEP_FUNCTIONS"}
ECS_STARTED_BY = "AWS Step Functions"


def with_injections(target: TaskResource, payload: Any) -> Any:
    """``payload`` with what Step Functions adds for this resource (a new value; the given one is
    left as it is)."""
    if target.pattern != SYNC or not isinstance(payload, dict) or target.kind != SERVICE:
        return payload
    if (target.service, target.action) == ("ecs", "runTask"):
        return {**payload, "StartedBy": ECS_STARTED_BY}
    if (target.service, target.action) == ("batch", "submitJob"):
        overrides = payload.get("ContainerOverrides")
        overrides = dict(overrides) if isinstance(overrides, dict) else {}
        environment = overrides.get("Environment")
        environment = list(environment) if isinstance(environment, list) else []
        overrides["Environment"] = [*environment, MANAGED_BY_AWS]
        return {**payload, "ContainerOverrides": overrides}
    return payload
