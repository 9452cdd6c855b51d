"""How Coral, AWS's Java service framework, sees the names and values of a request.

Violation messages show values as Java's ``toString`` prints them, lengths are Java's
``String.length()`` (UTF-16 code units), and members are visited in the order a
``java.util.HashMap`` iterates them (see ``validation.py`` for the evidence).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from stepwell.api.shapes import SHAPES

_HASHMAP_CAPACITY = 32


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
    # Java's computerized scientific notation: the shortest digits that give the value back (as
    # repr finds them), one digit before the point and at least one after it.
    digits, exponent = _shortest_digits(abs(value))
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exponent}"


def _shortest_digits(value: float) -> tuple[str, int]:
    """The shortest round-tripping significant digits of a positive ``value``, and the power of
    ten of the first one: 12345678.0 is ("12345678", 7), 1.5e-05 is ("15", -5)."""
    _, digit_tuple, exponent = Decimal(repr(value)).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    assert isinstance(exponent, int)
    return digits, exponent + len(digits) - 1


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
    # A structure prints as a Lombok toString, its members in model order, an absent one as null:
    # recorded for CreateStateMachineAlias (aliases test_error_create_alias_invalid_router_configs),
    # "RoutingConfigurationListItem(stateMachineVersionArn=arn:...:1, weight=50)".
    members = shape.get("members", {})
    shown = ", ".join(
        f"{name}={render(value.get(name), member['shape'])}" for name, member in members.items()
    )
    return f"{shape_name}({shown})"
