"""The Step Functions API cases recorded against AWS (../shared/conformance/api/: versions,
aliases, redrive, TestState, Map Runs), run by their own runner against `stepwell serve` on each
store, with moto's S3 for the case whose Distributed Map reads its items from S3. The pass rate
per feature is printed at the end of the run with the execution cases'.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conformance import shared
from tests.conformance.test_in_process import RESULTS
from tests.conformance.test_server import STORES, _server
from tests.runtime.invokers.moto_server import moto_server
from tests.shared_cases import CONFORMANCE

API = CONFORMANCE / "api"
pytestmark = pytest.mark.skipif(not (API / "run_api_cases.py").is_file(), reason="../shared has no API cases")


@cache
def runner() -> ModuleType:
    """../shared/conformance/api/run_api_cases.py: cases run and compared exactly as it does."""
    return shared.module_at(API / "run_api_cases.py", "run_api_cases")


def _cases() -> list[Any]:
    params = []
    for path in sorted((API / "cases").glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        params.append(pytest.param(case, id=path.stem))
    return params


@dataclass(frozen=True)
class ApiEndpoint:
    """A server on one store, and the S3 (moto's) that it and the runner both use."""

    url: str
    store: str
    s3: str


@pytest.fixture(scope="module", params=STORES)
def api_endpoint(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiEndpoint]:
    folder: Path = tmp_path_factory.mktemp("api-cases")
    functions = folder / "functions.py"
    functions.write_text(runner().functions_module(runner().load_cases(_arguments("", API / "cases"))))
    extra = ["--wait-time-scale", "0"]
    with moto_server() as s3:
        env = {"S3_ENDPOINT": s3, "AWS_ACCESS_KEY_ID": "any", "AWS_SECRET_ACCESS_KEY": "any"}
        server = _server(request, folder, functions=[str(functions)], extra=extra, env=env).start()
        yield ApiEndpoint(server.endpoint, request.param, s3)
        server.stop()


def _arguments(endpoint: str, cases: Path, s3: str | None = None) -> argparse.Namespace:
    """The runner's options, as its command line would give them."""
    return argparse.Namespace(
        endpoint=endpoint,
        cases=str(cases),
        feature=None,
        filter=None,
        region="us-east-1",
        account="auto",
        s3_endpoint=s3,
        timeout=30.0,
        call_timeout=60.0,
        strict_json_text=False,
        no_cleanup=False,
        verbose=True,
    )


@cache
def _environment(endpoint: str, s3: str) -> Any:
    env = runner().Env(_arguments(endpoint, API / "cases", s3))
    env.detect_account()
    return env


@pytest.mark.parametrize("case", _cases())
def test_api_case_on_server(case: dict[str, Any], api_endpoint: ApiEndpoint) -> None:
    result = runner().run_case(_environment(api_endpoint.url, api_endpoint.s3), case)
    if result["status"] == "SKIP":
        pytest.skip(result.get("detail", "skipped by the runner"))
    passed = result["status"] == "PASS"
    RESULTS[f"api-{api_endpoint.store}:{case.get('feature')}"]["passed" if passed else "failed"] += 1
    assert passed, f"step {result.get('step')}: " + "\n".join(result.get("diffs", []))
