"""The AWS-recorded conformance cases against a real `stepwell serve`, through boto3.

Exactly what ../shared/conformance/run.py does (its own functions run each case), with the server
started by the test on a free port (Wait states scaled to nothing). The pass rate per group is
printed at the end of the run with the in-process one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conformance import shared
from tests.conformance.test_in_process import RESULTS, _params
from tests.server.process import ServerProcess

pytestmark = pytest.mark.skipif(not shared.available(), reason="../shared/conformance is not present")


STORES = ("sqlite", "postgresql")


def _server(request: pytest.FixtureRequest, folder: Path, **options: Any) -> ServerProcess:
    """A server on the store the test's parameter names: a SQLite file, or a fresh PostgreSQL
    database of its own."""
    if request.param == "sqlite":
        return ServerProcess(folder / "stepwell.db", **options)
    url = request.getfixturevalue("postgres_databases")()
    return ServerProcess(url, log=folder / "stepwell.log", **options)


@pytest.fixture(scope="module", params=STORES)
def endpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    folder: Path = tmp_path_factory.mktemp("conformance-server")
    server = _server(request, folder, extra=["--wait-time-scale", "0"]).start()
    yield Endpoint(server.endpoint, request.param)
    server.stop()


class Endpoint(str):
    """A server's URL, knowing the store it runs on (the pass rates are counted per store)."""

    store: str

    def __new__(cls, url: str, store: str) -> Endpoint:
        made = super().__new__(cls, url)
        made.store = store
        return made


def _check(case: dict[str, Any], group: str, endpoint: Endpoint) -> None:
    run = shared.run_py()
    # run.py keeps one client per thread, made for the first endpoint it was given; the Lambda cases
    # run against a second server.
    cached = getattr(run._local, "client", None)
    if cached is not None and cached.meta.endpoint_url != endpoint:
        run._local.client = None
    runner = run.run_execution_case if case.get("api") is None else run.run_validation_case
    result = runner(case, endpoint, 60.0, True)
    passed = result["status"] == run.PASS
    RESULTS[f"server-{endpoint.store}:{group}"]["passed" if passed else "failed"] += 1
    assert passed, "\n".join(result["diffs"])


@pytest.mark.parametrize("case", _params("cases"))
def test_execution_case_on_server(case: dict[str, Any], endpoint: Endpoint) -> None:
    _check(case, case["group"], endpoint)


@pytest.mark.parametrize("case", _params("validation"))
def test_validation_case_on_server(case: dict[str, Any], endpoint: Endpoint) -> None:
    _check(case, f"validation:{case['group']}", endpoint)


@pytest.fixture(scope="module", params=STORES)
def lambda_endpoint(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Endpoint]:
    """A server running cases_lambda's recorded functions in its worker processes (their ARNs
    name the account 111111111111, as recorded)."""
    folder: Path = tmp_path_factory.mktemp("conformance-lambda")
    module = folder / "functions.py"
    cases = str(shared.CONFORMANCE / "cases_lambda")
    assert shared.run_py().main(["--cases", cases, "--functions-module", str(module)]) == 0
    extra = ["--wait-time-scale", "0", "--account", "111111111111"]
    server = _server(request, folder, functions=[str(module)], extra=extra).start()
    yield Endpoint(server.endpoint, request.param)
    server.stop()


@pytest.mark.parametrize("case", _params("cases_lambda"))
def test_lambda_case_on_server(case: dict[str, Any], lambda_endpoint: Endpoint) -> None:
    _check(case, f"lambda:{case['group']}", lambda_endpoint)
