"""The two common forms of a row."""

from __future__ import annotations

from stepwell.runtime.invokers.aws_errors import JavaV1Names
from stepwell.runtime.invokers.optimized.spec import REQUEST_RESPONSE, WITH_SYNC, Integration, SyncJob


def rr(service: str, operation: str, names: JavaV1Names, **more: object) -> Integration:
    """A request-response row."""
    return Integration(service, operation, names, REQUEST_RESPONSE, **more)  # type: ignore[arg-type]


def job(service: str, operation: str, names: JavaV1Names, sync: SyncJob, **more: object) -> Integration:
    """A request-response and ``.sync`` row."""
    return Integration(service, operation, names, WITH_SYNC, sync=sync, **more)  # type: ignore[arg-type]


def action_name(operation: str) -> str:
    """The resource's action for an API operation: ``CreateEndpoint`` -> ``createEndpoint``."""
    return operation[0].lower() + operation[1:]
