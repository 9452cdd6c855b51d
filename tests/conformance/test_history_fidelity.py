"""Whole history events, not only their types: ids, previousEventId and every details member.

For each case whose recording kept the full events in exact order, the events stepwell writes
are compared with the recorded ones by run.py's matcher (timestamps and ids of AWS resources are
wildcards). A few recordings predate a change AWS has since made; those cases are listed in
history_known_differences.txt with the evidence, as strict xfails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stepwell.runtime.functions import FunctionRegistry
from tests.conformance import shared
from tests.conformance.test_in_process import execute

KNOWN = Path(__file__).with_name("history_known_differences.txt")

pytestmark = pytest.mark.skipif(not shared.available(), reason="../shared/conformance is not present")


def _known() -> dict[str, str]:
    out = {}
    for line in KNOWN.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            case_id, _, reason = line.partition(" ")
            out[case_id] = reason.strip()
    return out


def _params() -> list[Any]:
    known = _known()
    params = []
    for folder in ("cases", "cases_lambda"):
        for case in shared.load_cases(folder):
            if not case.get("expected_events") or case.get("event_order") != "exact":
                continue
            if case.get("behaviour") == "timeout":
                continue  # real Lambda timeouts: covered by test_in_process
            marks = [pytest.mark.xfail(reason=known[case["id"]], strict=True)] if case["id"] in known else []
            params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


@pytest.mark.parametrize("case", _params())
def test_history_matches_the_recording(case: dict[str, Any], lambda_functions: FunctionRegistry) -> None:
    result = execute(case, lambda_functions if "functions" in case else None)
    events = [{**event, "timestamp": "timestamp"} for event in result.events]
    matcher = shared.run_py().Matcher(case.get("wildcards"), case.get("wildcard_tokens"))
    diffs = matcher.diff(case["expected_events"], events, "events", limit=6)
    assert not diffs, "\n".join(diffs)
