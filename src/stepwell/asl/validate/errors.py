"""Pass 2 (part 3): Retry and Catch arrays of Task, Parallel and Map states.

Retrier ranges (reference §2.4, with AWS accepting IntervalSeconds 0 as measured): IntervalSeconds
0–99999999, MaxAttempts 0–99999999, BackoffRate >= 1.0, MaxDelaySeconds 1–31622400, JitterStrategy
FULL | NONE. ``ErrorEquals`` is a non-empty array of strings where ``States.ALL`` must appear alone
and in the last retrier / catcher ("States.ALL must appear alone and at end of list"). A catcher needs
``ErrorEquals`` and ``Next``; its ``ResultPath`` is JSONPath-only and its ``Output`` JSONata-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stepwell.asl.validate import tables as t
from stepwell.asl.validate.schema import (
    Diagnostics,
    check_enum,
    check_range,
    check_unknown_fields,
    expected_type,
    language_mismatch,
    other_language_fields,
    required,
)
from stepwell.asl.validate.walk import Site, child, is_integer, is_number, item, schema_error
from stepwell.errors import ALL

_ALL_ALONE_AND_LAST = "States.ALL must appear alone and at end of list"


def check_retriers(site: Site, out: Diagnostics) -> None:
    for pointer, retrier, last in _entries(site, "Retry", out):
        check_unknown_fields(retrier, t.RETRIER_FIELDS, pointer, out)
        if "ErrorEquals" not in retrier:
            out.append(schema_error(required(["ErrorEquals"]), pointer))
        _check_error_equals(retrier, pointer, last, out)
        for field in ("IntervalSeconds", "MaxAttempts", "MaxDelaySeconds"):
            if field in retrier and not is_integer(retrier[field]):
                out.append(schema_error(expected_type("INTEGER"), child(pointer, field)))
        if "BackoffRate" in retrier and not is_number(retrier["BackoffRate"]):
            out.append(schema_error(expected_type("NUMBER"), child(pointer, "BackoffRate")))
        check_range(retrier, "IntervalSeconds", *t.INTERVAL_SECONDS_RANGE, pointer, out)
        check_range(retrier, "MaxAttempts", *t.MAX_ATTEMPTS_RANGE, pointer, out)
        check_range(retrier, "MaxDelaySeconds", *t.MAX_DELAY_SECONDS_RANGE, pointer, out)
        check_range(retrier, "BackoffRate", t.MIN_BACKOFF_RATE, None, pointer, out)
        check_enum(retrier, "JitterStrategy", t.JITTER_STRATEGIES, pointer, out)


def check_catchers(site: Site, out: Diagnostics) -> None:
    for pointer, catcher, last in _entries(site, "Catch", out):
        check_unknown_fields(catcher, t.CATCHER_FIELDS, pointer, out)
        missing = [field for field in ("ErrorEquals", "Next") if field not in catcher]
        if missing:
            out.append(schema_error(required(missing), pointer))
        _check_error_equals(catcher, pointer, last, out)
        if "Next" in catcher and not isinstance(catcher["Next"], str):
            out.append(schema_error(expected_type("STRING"), child(pointer, "Next")))
        if "ResultPath" in catcher and not (
            catcher["ResultPath"] is None or isinstance(catcher["ResultPath"], str)
        ):
            out.append(schema_error(expected_type("STRING"), child(pointer, "ResultPath")))
        if "Assign" in catcher and not isinstance(catcher["Assign"], Mapping):
            out.append(schema_error(expected_type("OBJECT"), child(pointer, "Assign")))
        for field in other_language_fields(catcher, site.query_language):
            out.append(schema_error(language_mismatch(site.query_language, field), pointer))


def _entries(site: Site, field: str, out: Diagnostics) -> list[tuple[str, Mapping[str, Any], bool]]:
    """The well-formed entries of a Retry/Catch array with their pointers; reports the others."""
    entries = site.body.get(field)
    if not isinstance(entries, list):
        return []
    found: list[tuple[str, Mapping[str, Any], bool]] = []
    for index, entry in enumerate(entries):
        pointer = item(child(site.pointer, field), index)
        if isinstance(entry, Mapping):
            found.append((pointer, entry, index == len(entries) - 1))
        else:
            out.append(schema_error(expected_type("OBJECT"), pointer))
    return found


def _check_error_equals(entry: Mapping[str, Any], pointer: str, last: bool, out: Diagnostics) -> None:
    if "ErrorEquals" not in entry:
        return  # reported by the caller with the entry's other missing fields
    names = entry["ErrorEquals"]
    where = child(pointer, "ErrorEquals")
    if not isinstance(names, list):
        out.append(schema_error(expected_type("ARRAY"), where))
        return
    if not names:
        out.append(schema_error("Value cannot be empty", where))
        return
    for index, name in enumerate(names):
        if not isinstance(name, str):
            out.append(schema_error(expected_type("STRING"), item(where, index)))
    if ALL in names and (len(names) > 1 or not last):
        out.append(schema_error(_ALL_ALONE_AND_LAST, where))
