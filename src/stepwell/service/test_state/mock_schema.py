"""A mocked Task result checked against the API model of the service the Task calls.

"fieldValidationMode: Determines the level of strictness when validating mocked results against their
respective API models. STRICT: All required fields must be present, and all present fields must
conform to the API's schema. PRESENT: All present fields must conform to the API's schema. NONE: No
validation is performed. If no value is specified, the default value is STRICT." (MockInput)

The model is botocore's, read as Step Functions reads the service's: member names in PascalCase
(``startDate`` is ``StartDate``), timestamps as strings; fields the model does not know are let
through (recorded against AWS). The messages are AWS's ("Field 'StatusCode' must be a number"), but
for a missing required field's and a non-object's, which were not recorded.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import botocore.session

from stepwell.asl import model as m
from stepwell.asl.resources import CHILD, FUNCTION, SERVICE, SYNC, SYNC2
from stepwell.errors import ServiceError
from stepwell.runtime.invokers.aws_sdk_names import sdk_service

STRICT, PRESENT, NONE = "STRICT", "PRESENT", "NONE"
PREFIX = "Mock result schema validation error: "
# Optimized integrations (arn:aws:states:::<service>:<action>) whose service botocore names otherwise.
BOTOCORE_NAMES = {"states": "stepfunctions"}
# "for .sync, mock the API the integration polls" (the TestState guide): a nested execution's.
SYNC_ACTIONS = {("states", "startExecution"): "describeExecution"}
# A function ARN's result is the function's own; http:invoke's is no AWS API's.
UNMODELLED = frozenset({"", "function", "http"})
# Where the model TestState validates with differs from botocore's: (service, shape) -> bounds.
# Lambda's MemorySize: botocore 1.4x allows up to 32768 MB, TestState refused 10241 as exceeding
# "the maximum value" (recorded against AWS on 2025-12-03), Lambda's documented 10,240 MB.
BOUNDS = {("lambda", "MemorySize"): (128, 10240)}
NUMBERS = frozenset({"integer", "long", "float", "double"})

_lock = threading.Lock()


def check_mock_result(state: m.TaskState, result: Any, mode: str) -> None:
    """Raise ValidationException when ``result`` does not fit the called API's output."""
    if mode == NONE:
        return
    shape = output_shape(state)
    if shape is None:
        return
    problem = _problem(shape, result, mode == STRICT, "", _service_of(state))
    if problem is not None:
        raise ServiceError("ValidationException", PREFIX + problem)


def output_shape(state: m.TaskState) -> Any:
    """The botocore output shape of the API the Task calls, or None (a Lambda function ARN, an
    activity, http:invoke, a service botocore does not model)."""
    target = state.target
    if target.kind not in (SERVICE, FUNCTION, CHILD) or target.service in UNMODELLED:
        return None
    if target.service == "aws-sdk":
        sdk_name, _, action = target.action.partition(":")
        service = sdk_service(sdk_name)
        if service is None:
            return None
        model = service.model
    else:
        model = _model(BOTOCORE_NAMES.get(target.service, target.service))
        if model is None:
            return None
        action = target.action
        if target.pattern in (SYNC, SYNC2):
            action = SYNC_ACTIONS.get((target.service, action), action)
    name = action[:1].upper() + action[1:]
    if name not in model.operation_names:
        return None
    return model.operation_model(name).output_shape


@functools.cache
def _model(botocore_name: str) -> Any:
    with _lock:
        session = botocore.session.get_session()
        if botocore_name not in session.get_available_services():
            return None
        return session.get_service_model(botocore_name)


def _service_of(state: m.TaskState) -> str:
    target = state.target
    return target.action.partition(":")[0] if target.service == "aws-sdk" else target.service


def _problem(shape: Any, value: Any, strict: bool, name: str, service: str) -> str | None:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return f"Field '{name}' must be an object" if name else "The mocked result must be a JSON object"
        members = _members(shape)
        for key, item in value.items():
            member = members.get(key)
            if member is not None and (problem := _problem(member[1], item, strict, key, service)):
                return problem
        if strict:
            for required in shape.required_members:
                task_name = _task_name(required)
                if task_name not in value:
                    return f"Field '{task_name}' is required"
        return None
    if kind == "list":
        if not isinstance(value, list):
            return f"Field '{name}' must be an array"
        return next((p for item in value if (p := _problem(shape.member, item, strict, name, service))), None)
    if kind == "map":
        if not isinstance(value, dict):
            return f"Field '{name}' must be an object"
        return next(
            (p for item in value.values() if (p := _problem(shape.value, item, strict, name, service))), None
        )
    return _scalar_problem(shape, value, name, service)


def _scalar_problem(shape: Any, value: Any, name: str, service: str) -> str | None:
    kind = shape.type_name
    if kind in ("string", "timestamp"):
        if not isinstance(value, str):
            return f"Field '{name}' must be a string"
        enum = getattr(shape, "enum", None)  # a timestamp has none
        if enum and value not in enum:
            return f"Field '{name}' is not an expected value"
        return None
    if kind in NUMBERS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"Field '{name}' must be a number"
        low, high = BOUNDS.get((service, shape.name), (shape.metadata.get("min"), shape.metadata.get("max")))
        if low is not None and value < low:
            return f"Field '{name}' is less than the minimum value"
        if high is not None and value > high:
            return f"Field '{name}' exceeds the maximum value"
        return None
    if kind == "boolean" and not isinstance(value, bool):
        return f"Field '{name}' must be a boolean"
    return None  # blobs (a Lambda Payload is any JSON) and documents


def _task_name(member: str) -> str:
    """ "Parameters in Step Functions are expressed in PascalCase, even if the native service API is
    in camelCase" (AWS SDK service integrations)."""
    return member[:1].upper() + member[1:]


def _members(shape: Any) -> dict[str, tuple[str, Any]]:
    return {_task_name(name): (name, member) for name, member in shape.members.items()}
