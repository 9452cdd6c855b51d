"""The functions Step Functions adds to JSONata: $partition, $range, $hash, $random, $uuid, $parse.

"Step Functions implements JSONata based on the 2.0.6 specification. All built-in JSONata functions
and operators in the 2.0.6 specification are supported, with one exception: $eval is not
available—use $parse instead. Step Functions also provides additional functions" [DG: Transforming
data with JSONata].

Edge cases (missing, zero or negative arguments, error codes and texts) follow what AWS answers, as
measured against AWS with TestState and recorded in floci-io/floci#2737 / #2668: AWS raises its own
errors with the code ``D3137`` (JSONata's "custom error" code) and signature errors with ``T0410``.

Randomness comes from the ``Scope`` being evaluated (``asl/`` never reads the process's clock or
random source): ``bind_scope`` makes it visible to the functions for one evaluation. The built-ins
rebound for the same reason, or where the port differs from jsonata-js, are in jsonata_builtins.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from typing import Any

from jsonata import JException

from stepwell.asl.jsonata.errors import MAX_SEQUENCE_LENGTH
from stepwell.asl.jsonata.limits import memory_exceeded
from stepwell.asl.jsonata.results import NULL
from stepwell.asl.scope import Scope

# The digests $hash accepts, by the names AWS spells them with.
_HASH_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


# --- the scope of the evaluation running on this thread -----------------------------------------

_active = threading.local()


def bind_scope(scope: Scope | None) -> Scope | None:
    """Make ``scope`` the one the functions read; returns the previous one (to restore)."""
    previous: Scope | None = getattr(_active, "scope", None)
    _active.scope = scope
    return previous


def active_scope() -> Scope:
    """The scope of the evaluation running on this thread (its entropy and context)."""
    scope: Scope | None = getattr(_active, "scope", None)
    if scope is None:  # pragma: no cover - evaluation always binds a scope
        raise RuntimeError("JSONata function called outside an evaluation")
    return scope


# --- argument checks ----------------------------------------------------------------------------


def _signature_error(function: str, position: int) -> JException:
    # Rendered as: T0410: Argument <position> of function "<function>" does not match function signature
    return JException("T0410", -1, position, function)


def _custom_error(message: str) -> JException:
    return JException("D3137", -1, message)


def argument(args: Sequence[Any], index: int) -> Any:
    """The argument at ``index``, or None (JSONata's undefined) when the call has fewer."""
    return args[index] if index < len(args) else None


def _refuse_surplus(args: Sequence[Any], function: str, arity: int) -> None:
    """AWS refuses a call with more arguments than the function takes, naming the first surplus one."""
    if argument(args, arity) is not None:
        raise _signature_error(function, arity + 1)


def _towards_zero(value: Any, function: str, position: int) -> int:
    """AWS truncates a non-integer argument towards zero (-1.7 -> -1, 2.9 -> 2)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _signature_error(function, position)
    try:
        return int(value)
    except (OverflowError, ValueError):  # inf / nan
        raise _signature_error(function, position) from None


def partition(args: Sequence[Any]) -> Any:
    """$partition(array, size): chunks of ``size`` items, the last one possibly shorter."""
    _refuse_surplus(args, "partition", 2)
    array = argument(args, 0)
    if array is None:
        return None
    if not isinstance(array, list):
        # AWS: T0412: Argument 1 of function "partition" must be an array of undefined
        # (no element type: "-" names none, and a third value must be given for the port's formatter)
        raise JException("T0412", -1, 1, "partition", "-")
    items = list(array)
    if not items:
        return None
    size_argument = argument(args, 1)
    if size_argument is None:
        return [items]
    size = _towards_zero(size_argument, "partition", 2)
    if size < 0:
        raise _custom_error("Second argument must be zero or greater")
    if size == 0:
        return None
    return [items[i : i + size] for i in range(0, len(items), size)]


def range_(args: Sequence[Any]) -> Any:
    """$range(start, end, step): start, start+step, ... up to end inclusive; step may be negative."""
    _refuse_surplus(args, "range", 3)
    start = _towards_zero(argument(args, 0), "range", 1)
    end = _towards_zero(argument(args, 1), "range", 2)
    step_argument = argument(args, 2)
    if step_argument is None:
        return None
    step = _towards_zero(step_argument, "range", 3)
    if step == 0 or (step > 0 and start > end) or (step < 0 and start < end):
        return None
    count = (end - start) // step + 1
    if count == 1:
        # A one-item sequence is its item in JSONata: AWS answers $range(1, 9, 9) with 1
        # (and $range(3, 3, 1) with 3), where States.ArrayRange(1, 9, 9) is [1].
        return start
    if count > MAX_SEQUENCE_LENGTH:
        raise memory_exceeded()
    return [start + i * step for i in range(count)]


def hash_(args: Sequence[Any]) -> Any:
    """$hash(data, algorithm): the hex digest of the UTF-8 bytes of ``data``."""
    _refuse_surplus(args, "hash", 2)
    data = argument(args, 0)
    if not isinstance(data, str):
        raise _signature_error("hash", 1)
    algorithm = argument(args, 1)
    if algorithm is None:
        return None
    if not isinstance(algorithm, str):
        raise _signature_error("hash", 2)
    name = _HASH_ALGORITHMS.get(algorithm)
    if name is None:
        raise _custom_error(
            f"Hash algorithm '{algorithm}' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5"
        )
    return hashlib.new(name, data.encode("utf-8")).hexdigest()


def random(args: Sequence[Any]) -> Any:
    """$random([seed]): 0 <= n < 1; with a seed, the value java.util.Random(seed) draws first."""
    _refuse_surplus(args, "random", 1)
    seed = argument(args, 0)
    if seed is None:
        return active_scope().entropy.random()
    return java_random_double(_towards_zero(seed, "random", 1))


def java_random_double(seed: int) -> float:
    """``new java.util.Random(seed).nextDouble()``: AWS's seeded $random (e.g. 42 -> 0.7275636800328681)."""
    mask = (1 << 48) - 1
    state = (seed ^ 0x5DEECE66D) & mask

    def next_bits(bits: int) -> int:
        nonlocal state
        state = (state * 0x5DEECE66D + 0xB) & mask
        return state >> (48 - bits)

    return ((next_bits(26) << 27) + next_bits(27)) * (1.0 / (1 << 53))


def uuid(args: Sequence[Any]) -> Any:
    """$uuid(): a version-4 UUID."""
    _refuse_surplus(args, "uuid", 0)
    return active_scope().entropy.uuid4()


def parse(args: Sequence[Any]) -> Any:
    """$parse(jsonString): the JSON value the string holds (AWS's replacement for $eval)."""
    _refuse_surplus(args, "parse", 1)
    text = argument(args, 0)
    if text is None:
        return None
    if not isinstance(text, str):
        raise _signature_error("parse", 1)
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_long_or_double,
        )
    except ValueError:  # json.JSONDecodeError is a ValueError, and so are the hooks' refusals
        raise _custom_error("Invalid JSON") from None
    return NULL if value is None else value


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise ValueError("duplicate key")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity, -Infinity are not JSON


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def _long_or_double(text: str) -> int | float:
    # AWS keeps an integer exact while it fits a (Java) long and reads it as a double past that.
    value = int(text)
    return value if -(1 << 63) <= value < (1 << 63) else float(value)
