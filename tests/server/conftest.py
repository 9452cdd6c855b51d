from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.runtime.invokers.moto_server import moto_server
from tests.server.process import ServerProcess

FUNCTIONS = Path(__file__).with_name("functions.py")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the session's API tests (crash tests start their own)."""
    process = ServerProcess(tmp_path_factory.mktemp("server") / "stepwell.db", functions=[str(FUNCTIONS)])
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def sfn(server: ServerProcess) -> Any:
    return server.client()


@pytest.fixture(scope="module")
def aws() -> Iterator[str]:
    """A moto server of the module's own: AWS services over real HTTP (its URL)."""
    with moto_server() as url:
        yield url
