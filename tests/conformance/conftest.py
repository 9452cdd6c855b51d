from __future__ import annotations

import pytest

from stepwell.runtime.functions import FunctionRegistry
from tests.conformance import shared


@pytest.fixture(scope="session")
def lambda_functions(tmp_path_factory: pytest.TempPathFactory) -> FunctionRegistry:
    """The recorded Lambda functions of cases_lambda/, as one module (run.py's generator)."""
    module = tmp_path_factory.mktemp("functions") / "functions.py"
    assert (
        shared.run_py().main(
            ["--cases", str(shared.CONFORMANCE / "cases_lambda"), "--functions-module", str(module)]
        )
        == 0
    )
    registry = FunctionRegistry(account="111111111111")
    registry.load_module(module)
    return registry
