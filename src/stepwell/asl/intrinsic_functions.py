"""The 18 intrinsic functions of JSONPath states, as AWS Step Functions evaluates them.

Each function takes its already-evaluated arguments (a tuple of JSON values) and the scope (only
States.UUID and States.MathRandom read it, for randomness). Bad arguments raise
``EvaluationError(INTRINSIC_ERROR, "Invalid arguments in States.X")``: the text AWS reports.

AWS runs intrinsics on the JVM, and several observable results follow from that rather than from
the documentation; they are reproduced here on purpose (observations recorded against AWS):

- States.Format (and the string comparison of States.ArrayContains, and States.Hash of a non-string)
  renders values as Java's ``toString`` does: ``{Id=arn:..., Name=x}``, ``[a, b]``, ``1.0E20``.
- States.MathAdd rounds each operand with ``Math.round`` (half up: -1.5 -> -1, 2.5 -> 3) and works on
  32-bit ints; States.ArrayRange / ArrayPartition / ArrayGetItem / MathRandom truncate fractions.
- States.ArrayUnique answers in the iteration order of a ``java.util.HashSet`` of Jackson nodes
  ([true, false] -> [false, true]; [[1, 2], [2, 1]] -> [[2, 1], [1, 2]]).
- States.StringSplit behaves as ``java.util.StringTokenizer``: any delimiter character splits,
  empty tokens are dropped.
- States.Base64Decode decodes leniently (characters outside the alphabet are skipped).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import struct
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stepwell.asl.jsonata.limits import json_text_exceeds
from stepwell.asl.scope import Entropy, Scope
from stepwell.errors import RUNTIME, EvaluationError

# AWS fails a bad intrinsic argument with States.Runtime ("Invalid arguments in States.MathAdd"),
# not with the documented States.IntrinsicFailure: that is what executions recorded against AWS show.
INTRINSIC_ERROR = RUNTIME

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
# "The newly generated array can't contain more than 1000 items." (States.ArrayRange)
ARRAY_RANGE_LIMIT = 1000
# "This function takes a data string of up to 10,000 characters" (Base64Encode/Decode, Hash)
STRING_LIMIT = 10_000
# The longest text States.Format or States.JsonToString may build. Their arguments are bounded
# (input and results <= 256 KiB, a definition <= 1 MiB) but one argument can be repeated: a Format
# of 100,000 "{}" over one 256 KiB value would be 25 GB. No state can output such a text (AWS's
# payload limit is 256 KiB), so past four times that limit the call fails as an invalid argument
# (INTRINSIC_ERROR, the error of every other refused intrinsic), before the text is built.
BUILT_TEXT_LIMIT = 4 * 256 * 1024
HASH_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}

Apply = Callable[[tuple[Any, ...], Scope], Any]


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    min_args: int
    max_args: int  # -1: no maximum
    apply: Apply
    pure: bool = True  # same arguments, same result: may be evaluated once at compile time


def invalid(name: str) -> EvaluationError:
    return EvaluationError(INTRINSIC_ERROR, f"Invalid arguments in {name}")


# --- Java renderings and number conversions ---------------------------------------------------------


def java_text(value: Any) -> str:
    """``String.valueOf`` of the Java object AWS holds for a JSON value."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return java_double_text(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(java_text, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={java_text(v)}" for k, v in value.items()) + "}"
    return str(value)


def java_double_text(value: float) -> str:
    """``Double.toString``: plain notation in [1e-3, 1e7), else ``1.5E-5`` / ``1.0E20``."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        return repr(value)  # repr writes no exponent in this range, and always a fraction
    _, digits, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    text = "".join(map(str, digits))
    sign = "-" if value < 0 else ""
    return f"{sign}{text[0]}.{text[1:] or '0'}E{len(digits) - 1 + int(exponent)}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _truncated_int(value: Any, name: str) -> int:
    """A numeric argument as Java's ``(int)`` cast sees it: fractions are cut toward zero."""
    if not _is_number(value) or (isinstance(value, float) and not math.isfinite(value)):
        raise invalid(name)
    return int(value)


def _java_round(value: Any, name: str) -> int:
    """``Math.round``: the nearest integer, halves rounded up (-1.5 -> -1, 2.5 -> 3)."""
    if not _is_number(value):
        raise invalid(name)
    if isinstance(value, int):
        return value
    if not math.isfinite(value):
        raise invalid(name)
    floor = math.floor(value)
    return floor + 1 if value - floor >= 0.5 else floor


def _array(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise invalid(name)
    return value


def _string(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise invalid(name)
    return value


def _limited(text: str, name: str) -> str:
    # Java counts UTF-16 code units; only texts near the limit need the exact count.
    if len(text) > STRING_LIMIT // 2 and len(text.encode("utf-16-le")) // 2 > STRING_LIMIT:
        raise invalid(name)
    return text


# --- Arrays ---------------------------------------------------------------------------------------


def array(args: tuple[Any, ...], scope: Scope) -> Any:
    return list(args)


def array_partition(args: tuple[Any, ...], scope: Scope) -> Any:
    name = "States.ArrayPartition"
    items, size = _array(args[0], name), _truncated_int(args[1], name)
    if size < 1:
        raise invalid(name)
    return [items[i : i + size] for i in range(0, len(items), size)]


def array_contains(args: tuple[Any, ...], scope: Scope) -> Any:
    # AWS compares the values' Java texts: true matches "true", and {a:1,b:2} does not match {b:2,a:1}.
    items, wanted = _array(args[0], "States.ArrayContains"), java_text(args[1])
    return any(java_text(item) == wanted for item in items)


def array_range(args: tuple[Any, ...], scope: Scope) -> Any:
    name = "States.ArrayRange"
    start, end, step = (_truncated_int(a, name) for a in args)
    if step == 0:
        raise invalid(name)
    count = (end - start) // step + 1 if (end - start) * step >= 0 else 0
    if count > ARRAY_RANGE_LIMIT:
        raise invalid(name)
    return list(range(start, end + (1 if step > 0 else -1), step))


def array_get_item(args: tuple[Any, ...], scope: Scope) -> Any:
    name = "States.ArrayGetItem"
    items, index = _array(args[0], name), _truncated_int(args[1], name)
    if not items:
        return None  # observed on AWS: any index into an empty array gives null
    if not 0 <= index < len(items):
        raise invalid(name)
    return items[index]


def array_length(args: tuple[Any, ...], scope: Scope) -> Any:
    return len(_array(args[0], "States.ArrayLength"))


def array_unique(args: tuple[Any, ...], scope: Scope) -> Any:
    items = _array(args[0], "States.ArrayUnique")
    seen: set[Any] = set()
    unique: list[tuple[int, Any]] = []
    for item in items:
        key = _identity(item)
        if key not in seen:
            seen.add(key)
            unique.append((_java_hash(item), item))
    return [item for _, item in sorted(unique, key=_hash_set_order(len(unique)))]


def _identity(value: Any) -> Any:
    """A hashable key equal exactly when Jackson's ``JsonNode.equals`` holds (bool is not 1)."""
    if isinstance(value, dict):
        return ("o", frozenset((k, _identity(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("a", tuple(_identity(v) for v in value))
    return (type(value).__name__, value)


def _hash_set_order(size: int) -> Callable[[tuple[int, Any]], int]:
    """Sort key giving ``HashSet`` iteration order: by bucket of the final table, then insertion."""
    capacity = 16
    while size > capacity * 3 // 4:  # the table doubles once it is more than 3/4 full
        capacity *= 2
    mask = capacity - 1
    return lambda entry: (entry[0] ^ (entry[0] >> 16)) & mask


_M32 = 0xFFFFFFFF


def _java_hash(value: Any) -> int:
    """Jackson's ``JsonNode.hashCode`` as an unsigned 32-bit pattern."""
    if isinstance(value, str):
        h = 0
        units = value.encode("utf-16-be")
        for i in range(0, len(units), 2):
            h = (31 * h + (units[i] << 8 | units[i + 1])) & _M32
        return h
    if value is True:
        return 3
    if value is False:
        return 1
    if value is None:
        return 0
    if isinstance(value, float):
        bits = struct.unpack(">q", struct.pack(">d", value))[0]
        return (bits ^ (bits >> 32)) & _M32
    if isinstance(value, int):
        if INT32_MIN <= value <= INT32_MAX:
            return value & _M32
        if -(2**63) <= value < 2**63:
            return (value ^ (value >> 32)) & _M32
        return _big_integer_hash(value)
    if isinstance(value, list):
        h = 1
        for item in value:
            h = (31 * h + _java_hash(item)) & _M32
        return h
    total = 0
    for key, item in value.items():
        total += _java_hash(key) ^ _java_hash(item)
    return total & _M32


def _big_integer_hash(value: int) -> int:
    magnitude, h = abs(value), 0
    words = [(magnitude >> shift) & _M32 for shift in range(0, magnitude.bit_length(), 32)]
    for word in reversed(words):
        h = (31 * h + word) & _M32
    return h if value > 0 else (-h) & _M32


# --- Encoding and hashing ---------------------------------------------------------------------------


def base64_encode(args: tuple[Any, ...], scope: Scope) -> Any:
    name = "States.Base64Encode"
    text = _limited(_string(args[0], name), name)
    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode("ascii")


_BASE64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def base64_decode(args: tuple[Any, ...], scope: Scope) -> Any:
    name = "States.Base64Decode"
    text = _limited(_string(args[0], name), name)
    # Lenient like AWS: skip characters outside the alphabet, stop at padding, drop a lone sextet.
    body = "".join(c for c in text.partition("=")[0] if c in _BASE64_ALPHABET)
    if len(body) % 4 == 1:
        body = body[:-1]  # six bits make no byte
    try:
        raw = base64.b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise invalid(name) from None
    return raw.decode("utf-8", "replace")


def hash_(args: tuple[Any, ...], scope: Scope) -> Any:
    name = "States.Hash"
    algorithm = HASH_ALGORITHMS.get(args[1]) if isinstance(args[1], str) else None
    if algorithm is None:
        raise invalid(name)
    data = _limited(java_text(args[0]), name)  # AWS hashes a number or object by its text
    return hashlib.new(algorithm, data.encode("utf-8", "surrogatepass")).hexdigest()


# --- JSON -----------------------------------------------------------------------------------------


def _refuse_constant(text: str) -> Any:
    raise ValueError(text)


def string_to_json(args: tuple[Any, ...], scope: Scope) -> Any:
    name = "States.StringToJson"
    text = _string(args[0], name)
    if not text.strip():
        return None  # recorded on AWS: '' parses to null
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except ValueError:
        raise invalid(name) from None


def json_to_string(args: tuple[Any, ...], scope: Scope) -> Any:
    if json_text_exceeds(args[0], BUILT_TEXT_LIMIT):
        raise invalid("States.JsonToString")
    return json.dumps(args[0], separators=(",", ":"), ensure_ascii=False)


def json_merge(args: tuple[Any, ...], scope: Scope) -> Any:
    name = "States.JsonMerge"
    left, right, deep = args
    # "Step Functions only supports the shallow merging mode; therefore, you must specify the boolean
    # value as false." Observed: a non-boolean flag is taken as shallow.
    if not isinstance(left, dict) or not isinstance(right, dict) or deep is True:
        raise invalid(name)
    return {**left, **right}


# --- Math, strings, ids -----------------------------------------------------------------------------


def math_random(args: tuple[Any, ...], scope: Scope) -> Any:
    name = "States.MathRandom"
    start, end = _truncated_int(args[0], name), _truncated_int(args[1], name)
    if start >= end:
        raise invalid(name)
    if len(args) == 3:
        # "If you use this function with the same seed value, it returns an identical number."
        entropy = Entropy(f"States.MathRandom:{_truncated_int(args[2], name)}")
    else:
        entropy = scope.entropy
    return start + int(entropy.random() * (end - start))  # start inclusive, end exclusive


def math_add(args: tuple[Any, ...], scope: Scope) -> Any:
    name = "States.MathAdd"
    left, right = _java_round(args[0], name), _java_round(args[1], name)
    total = left + right
    if not (INT32_MIN <= left <= INT32_MAX and INT32_MIN <= right <= INT32_MAX) or not (
        INT32_MIN <= total <= INT32_MAX
    ):
        raise invalid(name)
    return total


def string_split(args: tuple[Any, ...], scope: Scope) -> Any:
    name = "States.StringSplit"
    text, delimiters = _string(args[0], name), _string(args[1], name)
    if len(delimiters) > 1:
        first = delimiters[0]
        text = text.translate({ord(c): first for c in delimiters[1:]})
        delimiters = first
    if not delimiters:
        return [text] if text else []
    return [token for token in text.split(delimiters) if token]


def uuid(args: tuple[Any, ...], scope: Scope) -> Any:
    return scope.entropy.uuid4()


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        # States.Format is compiled by the parser (its template is parsed once); listed for its arity.
        Function("States.Format", 1, -1, lambda args, scope: None),
        Function("States.StringToJson", 1, 1, string_to_json),
        Function("States.JsonToString", 1, 1, json_to_string),
        Function("States.Array", 0, -1, array),
        Function("States.ArrayPartition", 2, 2, array_partition),
        Function("States.ArrayContains", 2, 2, array_contains),
        Function("States.ArrayRange", 3, 3, array_range),
        Function("States.ArrayGetItem", 2, 2, array_get_item),
        Function("States.ArrayLength", 1, 1, array_length),
        Function("States.ArrayUnique", 1, 1, array_unique),
        Function("States.Base64Encode", 1, 1, base64_encode),
        Function("States.Base64Decode", 1, 1, base64_decode),
        Function("States.Hash", 2, 2, hash_),
        Function("States.JsonMerge", 3, 3, json_merge),
        Function("States.MathRandom", 2, 3, math_random, pure=False),
        Function("States.MathAdd", 2, 2, math_add),
        Function("States.StringSplit", 2, 2, string_split),
        Function("States.UUID", 0, 0, uuid, pure=False),
    )
}
