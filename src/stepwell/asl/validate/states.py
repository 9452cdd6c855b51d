"""Pass 2 (part 2): the rules of each state type, as ``{Type: check}`` (``STATE_CHECKS``).

Numeric bounds are reported at the field as ``Minimum value is N`` / ``Maximum value is N`` (AWS's
words; a number field prints ``N.0``). A value that is a JSONata expression is checked when it is
evaluated, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from stepwell.asl.validate import tables as t
from stepwell.asl.validate.choice import check_choice_state
from stepwell.asl.validate.errors import check_catchers, check_retriers
from stepwell.asl.validate.map import check_map_state
from stepwell.asl.validate.resources import check_resource
from stepwell.asl.validate.schema import Diagnostics, check_range, exactly_one, expected_type, only_one
from stepwell.asl.validate.walk import (
    Site,
    child,
    is_integer,
    is_jsonata_string,
    is_rfc3339,
    item,
    schema_error,
)


def _check_pass(site: Site, out: Diagnostics) -> None:
    """Pass has nothing beyond the common fields."""


def _check_succeed(site: Site, out: Diagnostics) -> None:
    """Succeed has nothing beyond the common fields."""


def _check_task(site: Site, out: Diagnostics) -> None:
    body, pointer = site.body, site.pointer
    if isinstance(body.get("Resource"), str):
        check_resource(body["Resource"], child(pointer, "Resource"), out)
    for field in ("TimeoutSeconds", "HeartbeatSeconds"):
        check_range(body, field, *t.TASK_SECONDS_RANGE, pointer, out)
    timeout, heartbeat = body.get("TimeoutSeconds"), body.get("HeartbeatSeconds")
    if is_integer(timeout) and is_integer(heartbeat) and heartbeat > 0 and heartbeat >= timeout:
        # ASL: "HeartbeatSeconds ... MUST be smaller than TimeoutSeconds".
        message = "The value of 'HeartbeatSeconds' must be less than the value of 'TimeoutSeconds'"
        out.append(schema_error(message, child(pointer, "HeartbeatSeconds")))
    credentials = body.get("Credentials")
    if isinstance(credentials, Mapping):
        _check_credentials(credentials, child(pointer, "Credentials"), site.is_jsonata, out)
    check_retriers(site, out)
    check_catchers(site, out)


def _check_credentials(credentials: Mapping[str, Any], pointer: str, jsonata: bool, out: Diagnostics) -> None:
    # Recorded against AWS: "The field 'RoleArn' is required but was missing at /States/State0/Credentials".
    if "RoleArn" not in credentials and ("RoleArn.$" not in credentials or jsonata):
        out.append(schema_error("The field 'RoleArn' is required but was missing", pointer))
    if "RoleArn" in credentials and not isinstance(credentials["RoleArn"], str):
        out.append(schema_error(expected_type("STRING"), child(pointer, "RoleArn")))


def _check_wait(site: Site, out: Diagnostics) -> None:
    body, pointer = site.body, site.pointer
    present = [field for field in t.WAIT_FIELDS if field in body]
    if len(present) > 1:
        out.append(schema_error(only_one(t.WAIT_FIELDS), pointer))
    elif not present:
        out.append(schema_error(exactly_one(t.WAIT_FIELDS), pointer))
    check_range(body, "Seconds", *t.WAIT_SECONDS_RANGE, pointer, out)
    timestamp = body.get("Timestamp")
    expression = site.is_jsonata and is_jsonata_string(timestamp)
    if isinstance(timestamp, str) and not expression and not is_rfc3339(timestamp):
        out.append(schema_error("String does not match RFC3339 timestamp", child(pointer, "Timestamp")))


def _check_fail(site: Site, out: Diagnostics) -> None:
    """Fail's only rules (Error xor ErrorPath, Cause xor CausePath, string values) are common ones."""


def _check_parallel(site: Site, out: Diagnostics) -> None:
    body, pointer = site.body, site.pointer
    branches = body.get("Branches")
    if isinstance(branches, list):
        if not branches:
            out.append(schema_error("Value cannot be empty", child(pointer, "Branches")))
        for index, branch in enumerate(branches):
            if not isinstance(branch, Mapping):
                out.append(schema_error(expected_type("OBJECT"), item(child(pointer, "Branches"), index)))
    check_retriers(site, out)
    check_catchers(site, out)


def _check_map(site: Site, out: Diagnostics) -> None:
    check_map_state(site, out)
    check_retriers(site, out)
    check_catchers(site, out)


STATE_CHECKS: dict[str, Callable[[Site, Diagnostics], None]] = {
    "Pass": _check_pass,
    "Task": _check_task,
    "Choice": check_choice_state,
    "Wait": _check_wait,
    "Succeed": _check_succeed,
    "Fail": _check_fail,
    "Parallel": _check_parallel,
    "Map": _check_map,
}
