"""What Step Functions does to a task's parameters before an optimized integration's call.

Facts from integrations.md §0 and §2 (recorded runs and AWS's own examples):

- sqs ``MessageBody``, sns ``Message`` and events entries' ``Detail`` given as JSON are sent as
  JSON text, and each events entry's ``Resources`` gets the state machine's and the execution's ARNs.

What Step Functions adds that TaskScheduled records (ECS's StartedBy, Batch's MANAGED_BY_AWS) is
added by the engine: engine/injected.py.
"""

from __future__ import annotations

import json
from typing import Any

from stepwell.runtime.invokers.optimized.spec import Json, Prepare


def json_text(value: Any) -> Any:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def with_text_field(name: str) -> Prepare:
    def prepare(params: Json, execution_arn: str, pattern: str) -> Json:
        if params.get(name) is not None:
            params = {**params, name: json_text(params[name])}
        return params

    return prepare


def event_entries(params: Json, execution_arn: str, pattern: str) -> Json:
    added = execution_resources(execution_arn)
    entries = []
    for entry in params.get("Entries") or []:
        if isinstance(entry, dict):
            entry = dict(entry)
            if entry.get("Detail") is not None:
                entry["Detail"] = json_text(entry["Detail"])
            if added:
                entry["Resources"] = [*(entry.get("Resources") or []), *added]
        entries.append(entry)
    return {**params, "Entries": entries}


def execution_resources(execution_arn: str) -> list[str]:
    """``[state machine ARN, execution ARN]`` for an execution ARN, ``[]`` if there is none."""
    parts = execution_arn.split(":")
    if len(parts) < 8 or parts[5] not in ("execution", "express"):
        return []
    state_machine = ":".join([*parts[:5], "stateMachine", parts[6].split("/")[0]])
    return [state_machine, execution_arn]
