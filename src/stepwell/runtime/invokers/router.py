"""Which invoker carries out a Task: by the resource's kind and service (asl/resources.py).

    a callable bound to the exact resource        the function registry (stand-ins, tests)
    FUNCTION: function ARN, lambda:invoke[.waitForTaskToken]
                                                   local Lambda-style functions, else a Lambda endpoint
    SERVICE http: http:invoke[.waitForTaskToken]   the HTTP invoker
    SERVICE: aws-sdk:*, sqs:, sns:, dynamodb:, ... AWS services through boto3

Activities and nested executions (ACTIVITY, CHILD) are not invokers: the durable runtime carries
them out itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stepwell.asl.resources import FUNCTION, SERVICE, TaskResource
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.invokers.aws import AwsInvoker
from stepwell.runtime.invokers.aws_clients import AwsClients
from stepwell.runtime.invokers.base import Invoker, JobRunner, TaskCall, TaskError
from stepwell.runtime.invokers.connections import Connections
from stepwell.runtime.invokers.http import AllowList, HttpInvoker
from stepwell.runtime.invokers.lambdas import Lambdas, function_name


@dataclass
class Invokers:
    functions: FunctionRegistry
    lambdas: Invoker | None = None
    http: Invoker | None = None
    aws: Invoker | None = None

    def stands_in(self, resource: TaskResource) -> bool:
        """Whether a callable is bound to this exact resource (with or without its pattern)."""
        bound = self.functions.functions
        return resource.arn in bound or resource.base in bound

    def invoke(self, call: TaskCall) -> Any:
        resource = call.resource
        if self.stands_in(resource):
            bound = resource.arn if resource.arn in self.functions.functions else resource.base
            return self.functions.invoke(bound, call.payload, call.timeout_seconds)
        if resource.kind == FUNCTION:
            if self.lambdas is None:
                return self.functions.invoke(resource.base, call.payload, call.timeout_seconds)
            return self.lambdas.invoke(call)
        invoker = self.http if resource.service == "http" else self.aws
        # Activities and nested executions are the runtime's own work, never an invoker's; another
        # service's ARN (service "") is no integration.
        if invoker is None or resource.kind != SERVICE or resource.service in ("", "states"):
            raise TaskError(
                "States.TaskFailed",
                f"stepwell is not configured to call the resource '{resource.arn}'.",
            )
        return invoker.invoke(call)

    def job_runner(self, resource: TaskResource) -> JobRunner | None:
        """Who starts and follows the ``.sync`` job this resource names (optimized/table.py), or
        None: no such job, or a callable stands in for the resource (its answer is the task's)."""
        aws = self.aws
        runs_job = getattr(aws, "runs_job", None)
        if resource.kind != SERVICE or runs_job is None or self.stands_in(resource) or not runs_job(resource):
            return None
        return aws  # type: ignore[return-value]

    def on_worker_pool(self, call: TaskCall) -> bool:
        """Whether the local worker processes carry ``call`` out (a function of theirs; lambdas.py
        sends a name they lack to the Lambda endpoint, if there is one)."""
        lambdas = self.lambdas
        resource = call.resource
        if not isinstance(lambdas, Lambdas) or lambdas.local is None:
            return False
        if resource.kind != FUNCTION or self.stands_in(resource):
            return False
        return lambdas.remote is None or lambdas.local.has_function(function_name(call))

    def close(self) -> None:
        for invoker in (self.lambdas, self.http, self.aws):
            close = getattr(invoker, "close", None)
            if close is not None:
                close()


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
    allow = AllowList.parse(http_allow)
    return Invokers(
        functions,
        lambdas=lambdas,
        http=HttpInvoker(loaded, allow, region=region, server_host=server_host),
        aws=AwsInvoker(AwsClients.from_environment(region, environ), allow),
    )
