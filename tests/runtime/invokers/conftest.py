from __future__ import annotations

from collections.abc import Iterator

import pytest

from stepwell.runtime.invokers.aws import AwsInvoker
from stepwell.runtime.invokers.aws_clients import AwsClients
from tests.runtime.invokers.http_server import LocalServer, ServerState
from tests.runtime.invokers.job_standin import StandIn
from tests.runtime.invokers.moto_server import FAKE_CREDENTIALS, REGION, moto_server


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def aws_clients(moto_url: str) -> AwsClients:
    """Clients for every service pointed at the moto server (the ``"*"`` endpoint)."""
    return AwsClients(REGION, {"*": moto_url}, **FAKE_CREDENTIALS)


@pytest.fixture(scope="module")
def invoker(aws_clients: AwsClients) -> AwsInvoker:
    """The AWS invoker, every service at the moto server."""
    return AwsInvoker(aws_clients)


@pytest.fixture(scope="module")
def stand_in() -> Iterator[StandIn]:
    server = StandIn().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stand_in_invoker(stand_in: StandIn) -> AwsInvoker:
    """The AWS invoker, every service at the stand-in (job_standin.py)."""
    return AwsInvoker(AwsClients(REGION, {"*": stand_in.url}, **FAKE_CREDENTIALS))


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    """The HTTP server of the HTTP Task tests (http_server.py), one per module."""
    running = LocalServer().start()
    yield running
    running.stop()


@pytest.fixture
def state(server: LocalServer) -> ServerState:
    """What the HTTP server has seen, cleared for each test."""
    server.state.reset()
    return server.state
