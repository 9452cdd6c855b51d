"""JSONata built-ins that Step Functions evaluates differently from the port's, rebound by name.

jsonata-python is a port of jsonata-js (which AWS runs, 2.0.6); where the two answer differently
($number, $string, $toMillis), the functions here answer as jsonata-js does. $shuffle, $now and
$millis are rebound because ``asl/`` never reads the process's clock or random source: they read
the ``Scope`` being evaluated (see ``jsonata_functions.bind_scope``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from jsonata import Functions, JException

from stepwell.asl.jsonata.functions import active_scope, argument
from stepwell.asl.jsonata.limits import check_json_text

# jsonata-js's $number accepts JSON number syntax and 0x / 0o / 0b integers, nothing else.
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?")
_RADIX = re.compile(r"0([xX][0-9A-Fa-f]+|[oO][0-7]+|[bB][01]+)")


def number(args: Sequence[Any]) -> Any:
    value = argument(args, 0)
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
    value = argument(args, 0)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise JException("D3001", -1)
        return javascript_number_text(float(f"{value:.15g}"))
    check_json_text(value)  # an object or array is refused before it is written out
    return Functions.string(value, argument(args, 1))


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
    timestamp = argument(args, 0)
    try:
        return Functions.datetime_to_millis(timestamp, argument(args, 1))
    except ValueError:  # the port lets Python's parse error out
        raise JException("D3110", -1, timestamp) from None


# --- built-ins rebound so that they read the scope, not the process ------------------------------


def shuffle(args: Sequence[Any]) -> Any:
    array = argument(args, 0)
    if array is None:
        return None
    items = list(array)
    entropy = active_scope().entropy
    for i in range(len(items) - 1, 0, -1):  # Fisher-Yates
        j = int(entropy.random() * (i + 1))
        items[i], items[j] = items[j], items[i]
    return items


def now(args: Sequence[Any]) -> Any:
    return Functions.datetime_from_millis(_now_millis(), argument(args, 0), argument(args, 1))


def millis(args: Sequence[Any]) -> Any:
    return _now_millis()


def _now_millis() -> int:
    """The time the state was entered: the engine's notion of "now" (the clock is not read here)."""
    context = active_scope().context()
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
