"""The functions Step Functions adds to JSONata, and the built-ins it must not take from the process.

"Step Functions implements JSONata based on the 2.0.6 specification. All built-in JSONata functions
and operators in the 2.0.6 specification are supported, with one exception: $eval is not
available—use $parse instead. Step Functions also provides additional functions" [DG: Transforming
data with JSONata]: $partition, $range, $hash, $random, $uuid, $parse.

Edge cases (missing, zero or negative arguments, error codes and texts) follow what AWS answers, as
measured against AWS with TestState and recorded in floci-io/floci#2737 / #2668: AWS raises its own
errors with the code ``D3137`` (JSONata's "custom error" code) and signature errors with ``T0410``.

A few built-ins are rebound where the port answers differently from jsonata-js ($number, $string,
$toMillis). Randomness and time come from the ``Scope`` being evaluated (``asl/`` never reads the process's
clock or random source): ``bind_scope`` makes it visible to the functions for one evaluation.
``$shuffle``, ``$now`` and ``$millis`` are rebound for the same reason.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from jsonata import Functions, JException, Jsonata
from jsonata.utils import Utils

from stepwell.asl.scope import Scope

NULL = Utils.NULL_VALUE  # JSONata's null (Python None is JSONata's undefined)

# The digests $hash accepts, by the names AWS spells them with.
_HASH_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}

# AWS accepts [1..873782] and refuses one element more on its memory bound (floci-io/floci#2737);
# $range stays under the same ceiling rather than building an unbounded list.
MAX_SEQUENCE_LENGTH = 873_782
MEMORY_LIMIT_MESSAGE = "Expression evaluation memory limit exceeded"


class EvaluationBound(JException):
    """A bound of evaluation was exceeded (no JSONata code: AWS reports a bare message).

    A JException so that the library re-raises it untouched from every place it catches errors.
    """

    def __init__(self, message: str):
        super().__init__(message, -1)
        self.bound_message = message


# --- the scope of the evaluation running on this thread -----------------------------------------

_active = threading.local()


def bind_scope(scope: Scope | None) -> Scope | None:
    """Make ``scope`` the one the functions read; returns the previous one (to restore)."""
    previous: Scope | None = getattr(_active, "scope", None)
    _active.scope = scope
    return previous


def _scope() -> Scope:
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


def _argument(args: Sequence[Any], index: int) -> Any:
    return args[index] if index < len(args) else None


def _refuse_surplus(args: Sequence[Any], function: str, arity: int) -> None:
    """AWS refuses a call with more arguments than the function takes, naming the first surplus one."""
    if _argument(args, arity) is not None:
        raise _signature_error(function, arity + 1)


def _towards_zero(value: Any, function: str, position: int) -> int:
    """AWS truncates a non-integer argument towards zero (-1.7 -> -1, 2.9 -> 2)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _signature_error(function, position)
    try:
        return int(value)
    except (OverflowError, ValueError):  # inf / nan
        raise _signature_error(function, position) from None


# --- the functions Step Functions adds ------------------------------------------------------------


def partition(args: Sequence[Any]) -> Any:
    """$partition(array, size): chunks of ``size`` items, the last one possibly shorter."""
    _refuse_surplus(args, "partition", 2)
    array = _argument(args, 0)
    if array is None:
        return None
    if not isinstance(array, list):
        # AWS: T0412: Argument 1 of function "partition" must be an array of undefined
        # (no element type: "-" names none, and a third value must be given for the port's formatter)
        raise JException("T0412", -1, 1, "partition", "-")
    items = list(array)
    if not items:
        return None
    size_argument = _argument(args, 1)
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
    start = _towards_zero(_argument(args, 0), "range", 1)
    end = _towards_zero(_argument(args, 1), "range", 2)
    step_argument = _argument(args, 2)
    if step_argument is None:
        return None
    step = _towards_zero(step_argument, "range", 3)
    if step == 0 or (step > 0 and start > end) or (step < 0 and start < end):
        return None
    if start == end:
        return start  # a one-item sequence is its item in JSONata
    count = (end - start) // step + 1
    if count > MAX_SEQUENCE_LENGTH:
        raise EvaluationBound(MEMORY_LIMIT_MESSAGE)
    return [start + i * step for i in range(count)]


def hash_(args: Sequence[Any]) -> Any:
    """$hash(data, algorithm): the hex digest of the UTF-8 bytes of ``data``."""
    _refuse_surplus(args, "hash", 2)
    data = _argument(args, 0)
    if not isinstance(data, str):
        raise _signature_error("hash", 1)
    algorithm = _argument(args, 1)
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
    seed = _argument(args, 0)
    if seed is None:
        return _scope().entropy.random()
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
    return _scope().entropy.uuid4()


def parse(args: Sequence[Any]) -> Any:
    """$parse(jsonString): the JSON value the string holds (AWS's replacement for $eval)."""
    _refuse_surplus(args, "parse", 1)
    text = _argument(args, 0)
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


# --- built-ins rebound where the port differs from jsonata-js --------------------------------------

# jsonata-js's $number accepts JSON number syntax and 0x / 0o / 0b integers, nothing else.
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?")
_RADIX = re.compile(r"0([xX][0-9A-Fa-f]+|[oO][0-7]+|[bB][01]+)")


def number(args: Sequence[Any]) -> Any:
    value = _argument(args, 0)
    if value is None:
        return None
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        if _DECIMAL.fullmatch(value):
            parsed = float(value)
            if math.isfinite(parsed):
                return parsed
        elif _RADIX.fullmatch(value):
            return int(value, 0)
    raise JException("D3030", -1, value)  # Unable to cast value to a number: <value>


def string(args: Sequence[Any]) -> Any:
    # jsonata-js writes a number with 15 significant digits as JavaScript does: in full below 1e21
    # ($string(1e20) is "100000000000000000000", where the port writes "1e+20"), and refuses
    # Infinity / NaN. Other values are the port's business.
    value = _argument(args, 0)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise JException("D3001", -1)
        return javascript_number_text(float(f"{value:.15g}"))
    return Functions.string(value, _argument(args, 1))


def javascript_number_text(value: float) -> str:
    """Number.prototype.toString: exponent notation from 1e21 up and below 1e-6 only."""
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    power = int(exponent)
    if -7 < power < 21:
        return format(Decimal(text), "f")
    return f"{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"


def to_millis(args: Sequence[Any]) -> Any:
    timestamp = _argument(args, 0)
    try:
        return Functions.datetime_to_millis(timestamp, _argument(args, 1))
    except ValueError:  # the port lets Python's parse error out
        raise JException("D3110", -1, timestamp) from None


# --- built-ins rebound so that they read the scope, not the process ------------------------------


def shuffle(args: Sequence[Any]) -> Any:
    array = _argument(args, 0)
    if array is None:
        return None
    items = list(array)
    entropy = _scope().entropy
    for i in range(len(items) - 1, 0, -1):  # Fisher-Yates
        j = int(entropy.random() * (i + 1))
        items[i], items[j] = items[j], items[i]
    return items


def now(args: Sequence[Any]) -> Any:
    return Functions.datetime_from_millis(_now_millis(), _argument(args, 0), _argument(args, 1))


def millis(args: Sequence[Any]) -> Any:
    return _now_millis()


def _now_millis() -> int:
    """The time the state was entered: the engine's notion of "now" (the clock is not read here)."""
    context = _scope().context()
    for group, field in (("State", "EnteredTime"), ("Execution", "StartTime")):
        section = context.get(group) if isinstance(context, dict) else None
        stamp = section.get(field) if isinstance(section, dict) else None
        if isinstance(stamp, str):
            try:
                moment = datetime.fromisoformat(stamp)
            except ValueError:
                continue
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return int(moment.timestamp() * 1000)
    return 0


# --- registration -------------------------------------------------------------------------------


class _Native(Jsonata.JFunctionCallable):
    """Adapts ``impl(args)`` to the library's callable protocol."""

    __slots__ = ("_impl",)

    def __init__(self, impl: Callable[[Sequence[Any]], Any]):
        self._impl = impl

    def call(self, input: Any, args: Any) -> Any:
        return self._impl(args if isinstance(args, list) else [])


class _Function(Jsonata.JFunction):
    """A native function with the name and arity the library needs to partially apply it ($f(?, 2))."""

    def __init__(self, name: str, impl: Callable[[Sequence[Any]], Any], signature: str, arity: int):
        super().__init__(_Native(impl), signature)
        self.function_name = name
        self._arity = arity

    def get_number_of_args(self) -> int:
        return self._arity


# name: (implementation, signature, arity). One optional slot more than AWS's arity lets an
# over-long call reach the function, which names the surplus argument the way AWS does. A signature
# also makes the function usable as a value ($map(items, $parse)).
_FUNCTIONS: dict[str, tuple[Callable[[Sequence[Any]], Any], str, int]] = {
    "partition": (partition, "<x?x?x?:x>", 2),
    "range": (range_, "<x?x?x?x?:x>", 3),
    "hash": (hash_, "<x?x?x?:x>", 2),
    "random": (random, "<x?x?:x>", 1),
    "uuid": (uuid, "<x?:x>", 0),
    "parse": (parse, "<x?x?:x>", 1),
    "shuffle": (shuffle, "<a:a>", 1),
    "number": (number, "<(nsb)-:n>", 1),
    "string": (string, "<x-b?:s>", 2),
    "toMillis": (to_millis, "<s-s?:n>", 2),
    "now": (now, "<s?s?:s>", 2),
    "millis": (millis, "<:n>", 0),
}


def step_functions_frame() -> Jsonata.Frame:
    """A frame over the library's built-ins with Step Functions' additions and removals bound.

    Built once and shared: evaluation frames are created as its children.
    """
    frame = Jsonata.Frame(Jsonata.static_frame)
    for name, (impl, signature, arity) in _FUNCTIONS.items():
        frame.bind(name, _Function(name, impl, signature, arity))
    # "$eval is not available": AWS answers a call to it with T1006 (Attempted to invoke a
    # non-function), which is what the library raises for a name bound to nothing.
    frame.bind("eval", None)
    return frame
