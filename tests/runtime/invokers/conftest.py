from __future__ import annotations

from collections.abc import Iterator

import pytest

from stepwell.runtime.invokers.aws_clients import AwsClients
from tests.runtime.invokers.moto_server import FAKE_CREDENTIALS, REGION, moto_server


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def aws_clients(moto_url: str) -> AwsClients:
    """Clients for every service pointed at the moto server (the ``"*"`` endpoint)."""
    return AwsClients(REGION, {"*": moto_url}, **FAKE_CREDENTIALS)
