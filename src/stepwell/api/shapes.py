"""The botocore service model of Step Functions, and the first pass over a request: JSON types.

The model (``botocore/data/stepfunctions/2016-11-23/service-2.json``) is the spec of every
request, response and error. It is loaded once; each shape is compiled once, on first use, into
a small reader function.

AWS reads a request in two passes, and so do we:

1. deserialization (this module): every member must have its shape's JSON type. The first
   mismatch, in document order, ends the request with ``SerializationException`` and one of the
   texts Coral (AWS's service framework) writes, measured against Athena, another Coral JSON
   service (github.com search: athena-local ``tests/serialization.rs``, "2026-09-23 実測")::

       {"MaxResults": "1"}          STRING_VALUE can not be converted to an Integer
       {"MaxResults": true}         TRUE_VALUE can not be converted to an Integer
       {"NextToken": 1}             NUMBER_VALUE can not be converted to a String
       {"MaxResults": [1]}          Start of list found where not expected
       {"MaxResults": {"a": 1}}     Start of structure or map found where not expected.
       {"ExecutionParameters": "x"} Expected list or null        (a list member given a scalar)
       {"ResultConfiguration": "x"} Expected null                (a structure member given a scalar)

   ``null`` is the same as an absent member, and members the model does not declare are ignored
   (same source). The reader returns a new value holding only the declared, non-null members.
2. constraints (``validation.py``): required, lengths, ranges, enums, patterns.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.loaders import Loader

Shape = dict[str, Any]
Reader = Callable[[Any], Any]

_MODEL: dict[str, Any] = Loader().load_service_model("stepfunctions", "service-2")
SHAPES: dict[str, Shape] = _MODEL["shapes"]
METADATA: dict[str, Any] = _MODEL["metadata"]
TARGET_PREFIX: str = METADATA["targetPrefix"] + "."  # "AWSStepFunctions."

# operation name -> (input shape name or None, output shape name or None)
OPERATION_SHAPES: dict[str, tuple[str | None, str | None]] = {
    name: (op.get("input", {}).get("shape"), op.get("output", {}).get("shape"))
    for name, op in _MODEL["operations"].items()
}

# The errors the service itself raises (InvalidArn, ExecutionDoesNotExist, ValidationException, ...).
SERVICE_ERROR_CODES: frozenset[str] = frozenset(
    name for name, shape in SHAPES.items() if shape.get("exception")
)


class TypeMismatch(Exception):
    """A member whose JSON type is not its shape's: AWS answers ``SerializationException``."""

    def __init__(self, message: str | None):
        super().__init__(message)
        self.message = message


START_OF_LIST = "Start of list found where not expected"
START_OF_STRUCTURE = "Start of structure or map found where not expected."

# Coral's name for the JSON token it could not convert, and the article + type name it uses.
_TARGET_TYPE = {
    "string": "a String",
    "integer": "an Integer",
    "long": "a Long",
    "float": "a Float",
    "double": "a Double",
    "boolean": "a Boolean",
    "timestamp": "milliseconds since epoch",  # observed for X-Ray (Paws t/ test notes)
    "blob": "a Blob",
}


def _token(value: Any) -> str:
    if value is True:
        return "TRUE_VALUE"
    if value is False:
        return "FALSE_VALUE"
    if isinstance(value, str):
        return "STRING_VALUE"
    return "NUMBER_VALUE"


def _scalar_mismatch(value: Any, shape_type: str) -> TypeMismatch:
    if isinstance(value, list):
        return TypeMismatch(START_OF_LIST)
    if isinstance(value, dict):
        return TypeMismatch(START_OF_STRUCTURE)
    return TypeMismatch(f"{_token(value)} can not be converted to {_TARGET_TYPE[shape_type]}")


def _read_string(value: Any) -> Any:
    if type(value) is str:
        return value
    raise _scalar_mismatch(value, "string")


def _read_boolean(value: Any) -> Any:
    if value is True or value is False:
        return value
    raise _scalar_mismatch(value, "boolean")


def _integer_reader(shape_type: str) -> Reader:
    def read(value: Any) -> Any:
        if type(value) is int:
            return value
        if type(value) is float and math.isfinite(value):
            # Coral reads any JSON number into an integer member ("TruncatingBigNumber");
            # dynalite, tested against DynamoDB, floors a fraction.
            return math.floor(value)
        raise _scalar_mismatch(value, shape_type)

    return read


def _float_reader(shape_type: str) -> Reader:
    def read(value: Any) -> Any:
        if type(value) is float:
            return value
        if type(value) is int:
            try:
                return float(value)
            except OverflowError:  # beyond a double: Jackson reads it as an infinity
                return math.inf if value > 0 else -math.inf
        raise _scalar_mismatch(value, shape_type)

    return read


def _read_timestamp(value: Any) -> Any:
    # AWS JSON 1.0 sends timestamps as epoch seconds.
    if type(value) in (int, float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise TypeMismatch(None) from None
    raise _scalar_mismatch(value, "timestamp")


_SCALAR_READERS: dict[str, Reader] = {
    "string": _read_string,
    "blob": _read_string,
    "boolean": _read_boolean,
    "integer": _integer_reader("integer"),
    "long": _integer_reader("long"),
    "float": _float_reader("float"),
    "double": _float_reader("double"),
    "timestamp": _read_timestamp,
}


def _structure_reader(shape: Shape) -> Reader:
    members: dict[str, Reader] = {name: reader_for(m["shape"]) for name, m in shape["members"].items()}

    def read(value: Any) -> Any:
        if type(value) is not dict:
            raise TypeMismatch(START_OF_LIST if isinstance(value, list) else "Expected null")
        out = {}
        for name, item in value.items():
            member = members.get(name)
            if member is not None and item is not None:
                out[name] = member(item)
        return out

    return read


def _list_reader(shape: Shape) -> Reader:
    element = reader_for(shape["member"]["shape"])

    def read(value: Any) -> Any:
        if type(value) is not list:
            raise TypeMismatch(START_OF_STRUCTURE if isinstance(value, dict) else "Expected list or null")
        # A null element passes deserialization (it is left to the constraints pass).
        return [None if item is None else element(item) for item in value]

    return read


def _map_reader(shape: Shape) -> Reader:
    value_reader = reader_for(shape["value"]["shape"])

    def read(value: Any) -> Any:
        if type(value) is not dict:
            raise TypeMismatch(START_OF_LIST if isinstance(value, list) else "Expected map or null")
        return {key: value_reader(item) for key, item in value.items() if item is not None}

    return read


_READERS: dict[str, Reader] = {}


def reader_for(shape_name: str) -> Reader:
    """The deserializer of a shape: returns the value with only declared non-null members."""
    reader = _READERS.get(shape_name)
    if reader is None:
        shape = SHAPES[shape_name]
        kind = shape["type"]
        if kind == "structure":
            reader = _structure_reader(shape)
        elif kind == "list":
            reader = _list_reader(shape)
        elif kind == "map":
            reader = _map_reader(shape)
        else:
            reader = _SCALAR_READERS[kind]
        _READERS[shape_name] = reader
    return reader
