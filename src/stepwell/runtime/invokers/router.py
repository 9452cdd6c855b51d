"""Which invoker carries out a Task: by the resource's form (reference §7.2).

    a callable bound to the exact resource        the function registry (stand-ins, tests)
    function ARN, lambda:invoke[.waitForTaskToken] local Lambda-style functions, else a Lambda endpoint
    http:invoke[.waitForTaskToken]                 the HTTP invoker
    aws-sdk:*, sqs:, sns:, dynamodb:, events:, ... AWS services through boto3

Activities and nested executions (``states:startExecution``) are not invokers: the durable runtime
carries them out itself.

The hand-over (base.py): the router records it right before it passes a call on, except to an
invoker that records it itself at the true moment (the worker pool: when a worker takes the call,
not while it waits for one). Recording early is safe, only pessimistic: after a crash such a call
fails as in flight even if it had not gone out yet; it is never run twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.invokers.aws import AwsInvoker
from stepwell.runtime.invokers.aws_clients import AwsClients
from stepwell.runtime.invokers.base import Invoker, Resource, TaskCall, TaskError
from stepwell.runtime.invokers.connections import Connections
from stepwell.runtime.invokers.http import AllowList, HttpInvoker
from stepwell.runtime.invokers.lambda_shapes import LAMBDA_SERVICES, lambda_target
from stepwell.runtime.invokers.lambdas import Lambdas


@dataclass
class Invokers:
    functions: FunctionRegistry
    lambdas: Invoker | None = None
    http: Invoker | None = None
    aws: Invoker | None = None

    def stands_in(self, resource: Resource) -> bool:
        """Whether a callable is bound to this exact resource (with or without its pattern)."""
        bound = self.functions.functions
        return resource.arn in bound or resource.base in bound

    def invoke(self, call: TaskCall) -> Any:
        resource = call.resource
        if self.stands_in(resource) or (resource.service in LAMBDA_SERVICES and self.lambdas is None):
            call.handed_over()  # an in-thread function: it starts now
            return self.functions.invoke(resource.base, call.payload, call.timeout_seconds)
        invoker = self.lambdas if resource.service in LAMBDA_SERVICES else None
        if invoker is None:
            invoker = self.http if resource.service == "http" else self.aws
            if invoker is None or resource.service == "states":
                raise TaskError(
                    "States.TaskFailed",
                    f"stepwell is not configured to call the resource '{resource.arn}'.",
                )
        if not hands_over_itself(invoker, call):
            call.handed_over()
        return invoker.invoke(call)

    def close(self) -> None:
        for invoker in (self.lambdas, self.http):
            close = getattr(invoker, "close", None)
            if close is not None:
                close()


def hands_over_itself(invoker: Invoker, call: TaskCall) -> bool:
    """Whether ``invoker`` records the hand-over of ``call`` itself: it says so with a
    ``hands_over_itself(call)`` method. Lambdas picks the worker pool for the functions the pool has
    (or for every name when there is no endpoint), the endpoint for the rest (lambdas.py)."""
    if isinstance(invoker, Lambdas):
        local = invoker.local
        if local is None:
            return False
        name = lambda_target(call.resource.base, call.payload).name
        return invoker.remote is None or local.has_function(name)
    says = getattr(invoker, "hands_over_itself", None)
    return bool(says(call)) if callable(says) else False


def standard_invokers(
    functions: FunctionRegistry,
    *,
    region: str,
    environ: Mapping[str, str],
    lambdas: Invoker | None = None,
    connections: str | None = None,
    http_allow: str | None = None,
    server_host: str | None = None,
) -> Invokers:
    """Every invoker, configured as Step Functions Local is: AWS services at the endpoints the
    environment names (SQS_ENDPOINT, ...; boto3's own chain for credentials), http:invoke with the
    connections file and allow-list given (unset: public addresses only, and not ``server_host``'s,
    the address the server listens on). Raises ConnectionsFileError for a bad connections file."""
    loaded = Connections.load(connections, environ) if connections else Connections()
    return Invokers(
        functions,
        lambdas=lambdas,
        http=HttpInvoker(loaded, AllowList.parse(http_allow), region=region, server_host=server_host),
        aws=AwsInvoker(AwsClients.from_environment(region, environ)),
    )
