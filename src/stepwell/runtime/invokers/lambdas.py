"""The Lambda invoker: functions of the local worker pool first, a Lambda endpoint for the rest.

A name the pool does not have goes to the remote endpoint; with neither, the task fails as Lambda
answers an unknown function (``Lambda.ResourceNotFoundException``).
"""

from __future__ import annotations

import uuid
from typing import Any

from stepwell.runtime.invokers.base import TaskCall
from stepwell.runtime.invokers.lambda_remote import RemoteLambda
from stepwell.runtime.invokers.lambda_shapes import lambda_target, not_found_error
from stepwell.runtime.invokers.lambda_workers import LambdaWorkers


def function_name(call: TaskCall) -> str:
    """The function a Lambda call names: its function ARN's, or lambda:invoke's FunctionName."""
    resource = call.resource
    return resource.function_name or lambda_target(resource.base, call.payload).name


class Lambdas:
    def __init__(
        self,
        local: LambdaWorkers | None = None,
        remote: RemoteLambda | None = None,
        *,
        region: str = "us-east-1",
        account: str = "123456789012",
    ):
        self.local = local
        self.remote = remote
        self.region = local.region if local else region
        self.account = local.account if local else account

    def invoke(self, call: TaskCall) -> Any:
        name = function_name(call)
        if self.local is not None and (self.remote is None or self.local.has_function(name)):
            return self.local.invoke(call)  # answers an unknown name itself, with its region/account
        if self.remote is not None:
            return self.remote.invoke(call)
        raise not_found_error(name, self.region, self.account, str(uuid.uuid4()))

    def close(self) -> None:
        if self.local is not None:
            self.local.close()
        if self.remote is not None:
            self.remote.close()
