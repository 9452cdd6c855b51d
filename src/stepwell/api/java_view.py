"""How Coral, AWS's Java service framework, sees the names and values of a request.

Violation messages show values as Java's ``toString`` prints them, lengths are Java's
``String.length()`` (UTF-16 code units), and members are visited in the order a
``java.util.HashMap`` iterates them (see ``validation.py`` for the evidence).
"""

from __future__ import annotations

import zlib
from typing import Any

from stepwell.api.shapes import SHAPES

_HASHMAP_CAPACITY = 32
_MODEL_PACKAGE = "com.amazonaws.swf.service.v2.model"


def _java_string_hash(text: str) -> int:
    h = 0
    data = text.encode("utf-16-be", "surrogatepass")
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return h


def java_hashmap_order(names: list[str]) -> list[str]:
    """``names`` in the order a java.util.HashMap (inserted in this order) iterates them."""
    capacity = _HASHMAP_CAPACITY
    while len(names) > capacity * 3 // 4:
        capacity *= 2

    def bucket(name: str) -> int:
        h = _java_string_hash(name)
        return (h ^ (h >> 16)) & (capacity - 1)

    return sorted(names, key=lambda name: (bucket(name), names.index(name)))


def java_length(text: str) -> int:
    """String.length(): UTF-16 code units."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def java_float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e7:
        return f"{value:.1f}"
    if 1e-3 <= abs(value) < 1e7:
        return repr(value)
    mantissa, exponent = f"{value:e}".split("e")
    mantissa = repr(float(mantissa))
    return f"{mantissa}E{int(exponent)}"


def render(value: Any, shape_name: str | None = None) -> str:
    """How Java's toString shows a request value inside a violation message."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_float(value)
    shape = SHAPES[shape_name] if shape_name else {}
    if isinstance(value, list):
        element = shape.get("member", {}).get("shape")
        return "[" + ", ".join(render(item, element) for item in value) + "]"
    if shape.get("type") == "map":
        inner = shape["value"]["shape"]
        return "{" + ", ".join(f"{key}={render(item, inner)}" for key, item in value.items()) + "}"
    # A structure: the model class has no toString, so Java prints class@identityHash. The hash
    # is arbitrary on AWS; ours is a stable digest of the value.
    digest = zlib.crc32(repr(sorted(value.items())).encode())
    return f"{_MODEL_PACKAGE}.{shape_name}@{digest:x}"
