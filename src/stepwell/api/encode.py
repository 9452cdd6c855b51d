"""Successful replies: an operation's output shaped as the model declares it.

AWS JSON 1.0 writes timestamps as epoch seconds (a JSON number with millisecond precision, e.g.
``1.703845012345E9``); botocore turns them back into ``datetime``. Members the model does not
declare are dropped and ``None`` members omitted, so what boto3 sees is exactly the model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from stepwell.api.shapes import SHAPES

Encoder = Callable[[Any], Any]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def epoch_seconds(value: Any) -> float:
    """A timestamp as AWS sends it: seconds since the epoch, to the millisecond."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return ((value - _EPOCH) // _MILLISECOND) / 1000
    return round(float(value), 3)


def _identity(value: Any) -> Any:
    return value


def _structure_encoder(shape_name: str) -> Encoder:
    members = {name: encoder_for(m["shape"]) for name, m in SHAPES[shape_name]["members"].items()}

    def encode(value: Mapping[str, Any]) -> dict[str, Any]:
        out = {}
        for name, item in value.items():
            if item is not None:
                member = members.get(name)
                if member is not None:
                    out[name] = member(item)
        return out

    return encode


def _list_encoder(shape_name: str) -> Encoder:
    element = encoder_for(SHAPES[shape_name]["member"]["shape"])
    if element is _identity:
        return list
    return lambda value: [element(item) for item in value]


def _map_encoder(shape_name: str) -> Encoder:
    element = encoder_for(SHAPES[shape_name]["value"]["shape"])
    if element is _identity:
        return dict
    return lambda value: {key: element(item) for key, item in value.items()}


_ENCODERS: dict[str, Encoder] = {}
WIRE_SHAPED = frozenset({"HistoryEventList"})


def encoder_for(shape_name: str) -> Encoder:
    if shape_name in WIRE_SHAPED:
        return _identity
    return structural_encoder(shape_name)


def structural_encoder(shape_name: str) -> Encoder:
    """The encoder that walks the value member by member, whatever produced it."""
    encoder = _ENCODERS.get(shape_name)
    if encoder is None:
        kind = SHAPES[shape_name]["type"]
        if kind == "structure":
            encoder = _structure_encoder(shape_name)
        elif kind == "list":
            encoder = _list_encoder(shape_name)
        elif kind == "map":
            encoder = _map_encoder(shape_name)
        elif kind == "timestamp":
            encoder = epoch_seconds
        else:
            encoder = _identity
        _ENCODERS[shape_name] = encoder
    return encoder
