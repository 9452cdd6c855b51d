"""Which invoker carries out a Task: by the resource's form (reference §7.2).

    a callable bound to the exact resource        the function registry (stand-ins, tests)
    function ARN, lambda:invoke[.waitForTaskToken] local Lambda-style functions, else a Lambda endpoint
    http:invoke[.waitForTaskToken]                 the HTTP invoker
    aws-sdk:*, sqs:, sns:, dynamodb:, events:, ... AWS services through boto3

Activities and nested executions (``states:startExecution``) are not invokers: the durable runtime
carries them out itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.invokers.base import Invoker, TaskCall, TaskError

LAMBDA_SERVICES = ("function", "lambda")


@dataclass
class Invokers:
    functions: FunctionRegistry
    lambdas: Invoker | None = None
    http: Invoker | None = None
    aws: Invoker | None = None

    def invoke(self, call: TaskCall) -> Any:
        resource = call.resource
        bound = self.functions.functions
        if resource.arn in bound or resource.base in bound:
            return self.functions.invoke(resource.base, call.payload, call.timeout_seconds)
        if resource.service in LAMBDA_SERVICES:
            if self.lambdas is None:
                return self.functions.invoke(resource.base, call.payload, call.timeout_seconds)
            return self.lambdas.invoke(call)
        invoker = self.http if resource.service == "http" else self.aws
        if invoker is None or resource.service == "states":
            raise TaskError(
                "States.TaskFailed",
                f"stepwell is not configured to call the resource '{resource.arn}'.",
            )
        return invoker.invoke(call)
