"""The context object a tested state reads (``$$``, ``$states.context``).

Without a ``context`` in the request, TestState makes one as an Express execution's, of a machine
and an execution with names of their own, the state being called ``StateName`` (recorded against
AWS: ``arn:aws:states:<region>:<account>:express:<machine>:<execution>``, no RedriveCount, and
``State.RetryCount`` only for the states that retry: Task, Map and Parallel). A ``context`` given
("A JSON string representing a valid Context object for the state under test") is the context
object itself, checked field by field.
"""

from __future__ import annotations

from typing import Any

from stepwell import arns
from stepwell.asl import model as m
from stepwell.asl.resources import SYNC, SYNC2, WAIT_FOR_TASK_TOKEN
from stepwell.engine.context import iso_timestamp
from stepwell.errors import ServiceError
from stepwell.service.test_state.definition import LONE_STATE_NAME

INVALID = "Invalid Context object provided: "
RETRYING_TYPES = frozenset({"Task", "Map", "Parallel"})

# The fields a context object may hold, and the JSON type of each (None: any JSON value).
_STRING, _NUMBER, _ANY = "a string", "a number", None
SCHEMA: dict[str, Any] = {
    "Execution": {
        "Id": _STRING,
        "Input": _ANY,
        "Name": _STRING,
        "RoleArn": _STRING,
        "StartTime": _STRING,
        "RedriveCount": _NUMBER,
        "RedriveTime": _STRING,
    },
    "State": {"EnteredTime": _STRING, "Name": _STRING, "RetryCount": _NUMBER},
    "StateMachine": {"Id": _STRING, "Name": _STRING},
    "Task": {"Token": _STRING},
    "Map": {"Item": {"Index": _NUMBER, "Key": _STRING, "Value": _ANY, "Source": _STRING}},
}
TASK_NOT_ALLOWED = (
    "Context object contains 'Task' when state is not a Task state with a '.sync' or "
    "'.waitForTaskToken' service integration pattern"
)


def default_context(
    *,
    region: str,
    account: str,
    machine_name: str,
    execution_name: str,
    role_arn: str | None,
    execution_input: Any,
    now: float,
    state: m.State,
    retry_count: int,
    task_token: str | None,
) -> dict[str, Any]:
    started = iso_timestamp(now)
    state_part: dict[str, Any] = {"Name": LONE_STATE_NAME, "EnteredTime": started}
    if state.type in RETRYING_TYPES:
        state_part["RetryCount"] = retry_count
    context: dict[str, Any] = {
        "Execution": {
            # No uuid after the name, unlike an Express execution's ARN (recorded against AWS).
            "Id": f"{_head(region, account)}:express:{machine_name}:{execution_name}",
            "Input": execution_input,
            "Name": execution_name,
            "RoleArn": role_arn,
            "StartTime": started,
        },
        "StateMachine": {"Id": arns.state_machine_arn(region, account, machine_name), "Name": machine_name},
        "State": state_part,
    }
    if task_token is not None:
        context["Task"] = {"Token": task_token}
    return context


def _head(region: str, account: str) -> str:
    return f"arn:{arns.DEFAULT_PARTITION}:states:{region}:{account}"


def check_context(context: Any, state: m.State) -> dict[str, Any]:
    """The given context object, or ValidationException naming its first wrong field."""
    if not isinstance(context, dict):
        raise ServiceError("ValidationException", INVALID + "Context object must be a JSON object")
    _check(context, SCHEMA, "")
    if "Task" in context and not _has_token(state):
        raise ServiceError("ValidationException", INVALID + TASK_NOT_ALLOWED)
    return context


def _has_token(state: m.State) -> bool:
    return isinstance(state, m.TaskState) and state.target.pattern in (SYNC, SYNC2, WAIT_FOR_TASK_TOKEN)


def _check(value: dict[str, Any], schema: dict[str, Any], prefix: str) -> None:
    for key, item in value.items():
        where = prefix + key
        if key not in schema:
            raise ServiceError("ValidationException", INVALID + f"Field '{where}' is not allowed")
        expected = schema[key]
        if isinstance(expected, dict):
            if not isinstance(item, dict):
                raise ServiceError("ValidationException", INVALID + f"{where} must be an object")
            _check(item, expected, where + ".")
        elif not _is_a(expected, item):
            raise ServiceError("ValidationException", INVALID + f"{where} must be {expected}")


def _is_a(expected: str | None, item: Any) -> bool:
    if expected == _STRING:
        return isinstance(item, str)
    if expected == _NUMBER:
        return isinstance(item, (int, float)) and not isinstance(item, bool)
    return True
