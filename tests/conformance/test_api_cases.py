"""The Step Functions API cases recorded against AWS (../shared/conformance/api/: versions,
aliases, redrive, TestState, Map Runs), run by their own runner against `stepwell serve` on each
store. The pass rate per feature is printed at the end of the run with the execution cases'.

The features issue 11 has not built yet are run too, marked xfail (not strict: a case of theirs
may pass already, e.g. an error of a request the API layer refuses).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conformance import shared
from tests.conformance.test_in_process import RESULTS
from tests.conformance.test_server import STORES, Endpoint, _server
from tests.shared_cases import CONFORMANCE

API = CONFORMANCE / "api"
BUILT = {"versions", "aliases", "redrive", "testState"}  # the features of issue 11 built so far
pytestmark = pytest.mark.skipif(not (API / "run_api_cases.py").is_file(), reason="../shared has no API cases")


@cache
def runner() -> ModuleType:
    """../shared/conformance/api/run_api_cases.py: cases run and compared exactly as it does."""
    return shared.module_at(API / "run_api_cases.py", "run_api_cases")


def _cases() -> list[Any]:
    params = []
    for path in sorted((API / "cases").glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        feature = case.get("feature", path.stem.split("__")[0])
        marks = [] if feature in BUILT else [pytest.mark.xfail(reason=f"{feature}: not built yet (issue 11)")]
        params.append(pytest.param(case, id=path.stem, marks=marks))
    return params


@pytest.fixture(scope="module", params=STORES)
def api_endpoint(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Endpoint]:
    folder: Path = tmp_path_factory.mktemp("api-cases")
    functions = folder / "functions.py"
    functions.write_text(runner().functions_module(runner().load_cases(_arguments("", API / "cases"))))
    extra = ["--wait-time-scale", "0"]
    server = _server(request, folder, functions=[str(functions)], extra=extra).start()
    yield Endpoint(server.endpoint, request.param)
    server.stop()


def _arguments(endpoint: str, cases: Path) -> argparse.Namespace:
    """The runner's options, as its command line would give them (no S3: the Map Run case is
    skipped until issue 12 reads S3)."""
    return argparse.Namespace(
        endpoint=endpoint,
        cases=str(cases),
        feature=None,
        filter=None,
        region="us-east-1",
        account="auto",
        s3_endpoint=None,
        timeout=30.0,
        call_timeout=60.0,
        strict_json_text=False,
        no_cleanup=False,
        verbose=True,
    )


@cache
def _environment(endpoint: str) -> Any:
    env = runner().Env(_arguments(endpoint, API / "cases"))
    env.detect_account()
    return env


@pytest.mark.parametrize("case", _cases())
def test_api_case_on_server(case: dict[str, Any], api_endpoint: Endpoint) -> None:
    result = runner().run_case(_environment(str(api_endpoint)), case)
    if result["status"] == "SKIP":
        pytest.skip(result.get("detail", "skipped by the runner"))
    passed = result["status"] == "PASS"
    RESULTS[f"api-{api_endpoint.store}:{case.get('feature')}"]["passed" if passed else "failed"] += 1
    assert passed, f"step {result.get('step')}: " + "\n".join(result.get("diffs", []))
