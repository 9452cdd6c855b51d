"""The AWS-recorded conformance cases, run in process through the engine.

Each case is compared as ../shared/conformance/run.py compares it (status, output or error and
cause, event types). Cases listed in known_failures.txt are strict xfails: one that starts
passing fails the suite until it is taken off the list. The pass rate per group is printed at the
end of the run (see conftest.py).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import pytest

from stepwell.asl.parse import parse_definition
from stepwell.asl.validate import validate_definition
from stepwell.errors import DefinitionError
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.local import ExecutionResult, LocalRunner
from tests.conformance import shared

RESULTS: dict[str, Counter[str]] = defaultdict(Counter)

pytestmark = pytest.mark.skipif(not shared.available(), reason="../shared/conformance is not present")


def _params(folder: str) -> list[Any]:
    known = shared.known_failures()
    params = []
    for case in shared.load_cases(folder):
        marks = [pytest.mark.xfail(reason=known[case["id"]], strict=True)] if case["id"] in known else []
        params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


def execute(case: dict[str, Any], functions: FunctionRegistry | None = None) -> ExecutionResult:
    """Run a case as run.py starts it: the input sent as json.dumps text."""
    machine = parse_definition(case["definition"], case.get("type", "STANDARD"))
    return LocalRunner(functions, wait_time_scale=0).run(
        machine,
        case.get("input", {}),
        machine_name="conformance",
        execution_name="case",
        machine_type=case.get("type", "STANDARD"),
        input_text=json.dumps(case.get("input", {})),
    )


def run_execution_case(case: dict[str, Any], functions: FunctionRegistry | None = None) -> list[str]:
    run = shared.run_py()
    result = execute(case, functions)
    actual = {
        "status": result.status,
        "output": json.dumps(result.output) if result.status == "SUCCEEDED" else None,
        "error": result.error,
        "cause": result.cause,
    }
    matcher = run.Matcher(case.get("wildcards"), case.get("wildcard_tokens"))
    diffs = list(run.compare_result(case, actual, matcher))
    if case.get("start") != "StartSyncExecution":
        diffs += run.compare_events(case, [event["type"] for event in result.events])
    return diffs


def run_validation_case(case: dict[str, Any]) -> list[str]:
    definition = case["definition_string"] if "definition_string" in case else json.dumps(case["definition"])
    expected = case["expected"]
    machine_type = case.get("type") or "STANDARD"
    if case["api"] == "ValidateStateMachineDefinition":
        diagnostics = validate_definition(definition, machine_type)
        result = "FAIL" if any(d.severity == "ERROR" for d in diagnostics) else "OK"
        diffs = (
            [] if result == expected["result"] else [f"result: expected {expected['result']}, got {result}"]
        )
        want = sorted(d["code"] for d in expected.get("diagnostics") or [])
        got = sorted(d.code for d in diagnostics)
        if want != got:
            diffs.append(f"diagnostic codes: expected {want}, got {got}")
        return diffs
    try:
        parse_definition(definition, machine_type)
    except DefinitionError:
        return []
    return [f"accepted; AWS rejects with {expected['error_code']}: {expected.get('message')}"]


def _check(group: str, run: Callable[[], list[str]]) -> None:
    """Run one case, count it in its group, and fail the test with the differences."""
    try:
        diffs = run()
    except Exception as exc:  # a crash is a difference too, and is counted
        diffs = [f"{type(exc).__name__}: {exc}"]
    RESULTS[group]["passed" if not diffs else "failed"] += 1
    assert not diffs, "\n".join(diffs)


@pytest.mark.parametrize("case", _params("cases"))
def test_execution_case(case: dict[str, Any]) -> None:
    _check(case["group"], lambda: run_execution_case(case))


@pytest.mark.parametrize("case", _params("cases_lambda"))
def test_lambda_case(case: dict[str, Any], lambda_functions: FunctionRegistry) -> None:
    _check(f"lambda:{case['group']}", lambda: run_execution_case(case, lambda_functions))


@pytest.mark.parametrize("case", _params("validation"))
def test_validation_case(case: dict[str, Any]) -> None:
    _check(f"validation:{case['group']}", lambda: run_validation_case(case))
