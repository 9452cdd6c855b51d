"""The conformance cases' Lambda functions (recorded against AWS) answer the same through the worker
pool as in the calling thread, whose answers the conformance suite checks against AWS's."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stepwell.asl.resources import parse_task_resource
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.invokers.base import TaskCall, TaskError
from stepwell.runtime.invokers.lambda_workers import FunctionSettings, LambdaWorkers
from tests.conformance import shared

pytestmark = pytest.mark.skipif(not shared.available(), reason="../shared/conformance is not here")

ACCOUNT = "111111111111"
SLOW = "fn_wait_60_seconds"  # sleeps 60 s: run through the pool only, with a short timeout
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
VOLATILE_HEADERS = re.compile(r'"(Date|X-Amzn-Trace-Id)": (\[?)"[^"]*"')


@pytest.fixture(scope="module")
def module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cases_lambda") / "functions.py"
    arguments = ["--cases", str(shared.CONFORMANCE / "cases_lambda"), "--functions-module", str(path)]
    assert shared.run_py().main(arguments) == 0
    return path


@pytest.fixture(scope="module")
def pool(module: Path) -> Iterator[LambdaWorkers]:
    with LambdaWorkers(
        [module], size=2, account=ACCOUNT, settings={SLOW: FunctionSettings(timeout_seconds=0.5)}
    ) as workers:
        yield workers


def calls() -> list[tuple[str, str, Any]]:
    """(function, resource, parameters) for every function of every cases_lambda case, both forms."""
    seen: dict[str, tuple[str, str, Any]] = {}
    for case in shared.load_cases("cases_lambda"):
        for name in case.get("functions", {}):
            if name == SLOW:
                continue
            arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"
            event = case.get("input", {})
            for resource, payload in (
                (arn, event),
                ("arn:aws:states:::lambda:invoke", {"FunctionName": arn, "Payload": event}),
            ):
                key = json.dumps([resource, payload], sort_keys=True)
                seen.setdefault(key, (name, resource, payload))
    return list(seen.values())


def outcome(invoke: Any, resource: str, payload: Any) -> Any:
    """The result or the failure, request ids blanked (they differ by design)."""
    try:
        result = invoke(TaskCall(parse_task_resource(resource), payload))
    except TaskError as failure:
        result = {"error": failure.error, "cause": failure.cause}
    text = UUID.sub("<request-id>", json.dumps(result))
    # the time of the answer and its trace id differ by design too
    text = VOLATILE_HEADERS.sub(r'"\1": \2"<\1>"', text)
    return json.loads(text)


def test_every_case_function_answers_as_in_thread(module: Path, pool: LambdaWorkers) -> None:
    registry = FunctionRegistry(account=ACCOUNT)
    registry.load_module(module)
    in_thread = registry.as_invoker().invoke
    cases = calls()
    assert len({name for name, _, _ in cases}) >= 6
    for name, resource, payload in cases:
        expected = outcome(in_thread, resource, payload)
        assert outcome(pool.invoke, resource, payload) == expected, (name, resource)


def test_a_case_function_over_its_timeout(pool: LambdaWorkers) -> None:
    failure = outcome(pool.invoke, f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{SLOW}", {})
    assert failure["error"] == "Sandbox.Timedout"
    assert "Task timed out after 0.50 seconds" in failure["cause"]
