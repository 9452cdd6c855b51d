"""Task parameters to botocore parameters and botocore results to task output, led by the API model.

"Parameters in Step Functions are expressed in PascalCase, even if the native service API is in
camelCase. For example, you could use the Step Functions API action startSyncExecution and specify
its parameter as StateMachineArn." (developer guide, AWS SDK service integrations). So a structure
member ``stateMachineArn`` is ``StateMachineArn`` in both the task's parameters and its result; map
keys (DynamoDB attribute names, tags, message attributes) are data and keep their case.

Values: a JSON object or array given where the API wants a string is sent as JSON text (AWS starts
``sfn:startExecution`` with an object ``Input``); timestamps in results become ISO-8601 text in UTC as
Java's ``Instant`` prints them; a streamed body (``s3:getObject``'s ``Body``) becomes its text; other
binary values become base64 text.
"""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Callable
from typing import Any

from botocore.response import StreamingBody

from stepwell.asl.templates import json_type_phrase


class ParameterError(Exception):
    """The task's parameters do not fit the API (unknown field, value of the wrong JSON type)."""


def to_request(shape: Any, value: Any, path: str = "") -> Any:
    """The botocore parameters for a task's parameters, checked against the input ``shape``."""
    if shape is None:
        if value in (None, {}):
            return {}
        raise ParameterError("The API action takes no parameters.")
    return _to_request(shape, value, path)


def _to_request(shape: Any, value: Any, path: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise ParameterError(f"Expected an object at '{path or '$'}', got {json_type_phrase(value)}.")
        members = _members_by_task_name(shape)
        converted = {}
        for key, item in value.items():
            name = members.get(key)
            if name is None:
                raise ParameterError(f"The field \"{key}\" is not supported by the API at '{path or '$'}'.")
            if item is None:  # a JSON null is an absent member, as the AWS SDKs send it
                continue
            converted[name] = _to_request(shape.members[name], item, f"{path}.{key}".lstrip("."))
        return converted
    if kind == "list":
        if not isinstance(value, list):
            raise ParameterError(f"Expected an array at '{path}', got {json_type_phrase(value)}.")
        return [_to_request(shape.member, item, f"{path}[{i}]") for i, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise ParameterError(f"Expected an object at '{path}', got {json_type_phrase(value)}.")
        return {key: _to_request(shape.value, item, f"{path}.{key}") for key, item in value.items()}
    if kind in ("string", "blob") and isinstance(value, dict | list):
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        return text if kind == "string" else text.encode()
    expected = SCALAR_TYPES.get(kind)
    if expected is not None and (not isinstance(value, expected) or _is_bool_for_number(kind, value)):
        raise ParameterError(f"Expected {_KIND_WORDS[kind]} at '{path}', got {json_type_phrase(value)}.")
    return value


# The JSON types a task may give for a scalar member (timestamps: ISO-8601 text or epoch seconds).
SCALAR_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "blob": str,
    "boolean": bool,
    "integer": int,
    "long": int,
    "float": (int, float),
    "double": (int, float),
    "timestamp": (str, int, float),
}
_KIND_WORDS = {
    "string": "a string",
    "blob": "a string",
    "boolean": "a boolean",
    "integer": "an integer",
    "long": "an integer",
    "float": "a number",
    "double": "a number",
    "timestamp": "a timestamp (ISO-8601 text or epoch seconds)",
}


def _is_bool_for_number(kind: str, value: Any) -> bool:
    return kind != "boolean" and isinstance(value, bool)


def _members_by_task_name(shape: Any) -> dict[str, str]:
    """Member names as a task may write them (``StateMachineArn``, or as modelled) -> model name."""
    names = {name: name for name in shape.members}
    for name in shape.members:
        names.setdefault(pascal_case(name), name)
    return names


def pascal_case(name: str) -> str:
    return name[:1].upper() + name[1:]


def from_response(shape: Any, value: Any, moment: Callable[[datetime.datetime], Any] | None = None) -> Any:
    """The task result for a botocore result: PascalCase members, JSON-ready values. Timestamps
    are ``moment(value)``: ISO-8601 text by default (the aws-sdk integrations, Java SDK 2.x), or
    epoch milliseconds (``epoch_millis``: the optimized integrations, Java SDK 1.x)."""
    if isinstance(value, dict) and shape is not None and shape.type_name == "structure":
        result = {}
        for name, item in value.items():
            if name == "ResponseMetadata":
                continue
            member = shape.members.get(name)
            result[pascal_case(name)] = from_response(member, item, moment)
        return result
    if isinstance(value, dict):
        value_shape = shape.value if shape is not None and shape.type_name == "map" else None
        return {key: from_response(value_shape, item, moment) for key, item in value.items()}
    if isinstance(value, list):
        member_shape = shape.member if shape is not None and shape.type_name == "list" else None
        return [from_response(member_shape, item, moment) for item in value]
    return json_scalar(value, moment)


def epoch_millis(moment: datetime.datetime) -> int:
    """A timestamp as the Java SDK 1.x's JSON shows it (``"StartDate": 1716491491120``)."""
    return round(moment.timestamp() * 1000)


def json_scalar(value: Any, moment: Callable[[datetime.datetime], Any] | None = None) -> Any:
    if isinstance(value, datetime.datetime):
        return (moment or instant_text)(value)
    if isinstance(value, StreamingBody):
        return value.read().decode("utf-8", errors="replace")
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    return value


def instant_text(moment: datetime.datetime) -> str:
    """ISO-8601 in UTC with a ``Z``, the fraction in groups of three digits only when not zero, as
    Java's ``Instant.toString()`` prints it: ``2024-05-23T19:11:31Z``, ``2024-05-23T19:11:31.120Z``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    micros = moment.microsecond
    if micros:
        text += f".{micros // 1000:03d}" if micros % 1000 == 0 else f".{micros:06d}"
    return text + "Z"
