"""AWS services as Task resources: ``aws-sdk:*`` and the optimized integrations, through boto3.

arn:aws:states:::aws-sdk:<service>:<apiAction>[.waitForTaskToken]   aws_sdk.AwsSdkInvoker
arn:aws:states:::<service>:<action>[.sync|.waitForTaskToken]        optimized.invoker (the rows of
                                                                     optimized/table.py)
arn:aws:states:::s3:getObject (an ItemReader's compressed object)   s3_objects.object_bytes
"""

from __future__ import annotations

from typing import Any

from stepwell.asl.resources import TaskResource
from stepwell.runtime.invokers.aws_clients import AwsClients
from stepwell.runtime.invokers.aws_sdk import AwsSdkInvoker, sdk_operation
from stepwell.runtime.invokers.base import JobStarted, JobState, TaskCall, TaskError
from stepwell.runtime.invokers.http_allow import AllowList
from stepwell.runtime.invokers.optimized.invoker import AwsOptimizedInvoker
from stepwell.runtime.invokers.optimized.table import integration
from stepwell.runtime.invokers.s3_objects import is_object_bytes_read, object_bytes

# Optimized services whose plain API call has the same aws-sdk name.
SDK_NAMES = {"events": "eventbridge", "states": "sfn", "elasticmapreduce": "emr"}


class AwsInvoker:
    """Routes AWS service Tasks to the aws-sdk or the optimized invoker; one set of clients. It
    is the runtime's JobRunner for ``.sync`` jobs (invokers/base.py)."""

    def __init__(self, clients: AwsClients, http_allow: AllowList | None = None):
        """``http_allow``: where the integrations that are HTTP calls (apigateway:invoke, eks:call)
        may call, as for http:invoke (default: public addresses only)."""
        self.clients = clients
        self.sdk = AwsSdkInvoker(clients)
        self.optimized = AwsOptimizedInvoker(clients, http_allow)

    def close(self) -> None:
        self.optimized.close()

    def invoke(self, call: TaskCall) -> Any:
        resource = call.resource
        if resource.service == "aws-sdk":
            return self.sdk.invoke(call)
        if is_object_bytes_read(resource.service, resource.action, resource.pattern):
            return object_bytes(self.clients, call)
        if integration(resource.service, resource.action, resource.pattern) is not None:
            return self.optimized.invoke(call)
        raise unsupported_optimized(resource.arn, resource.service, resource.action, resource.pattern)

    def runs_job(self, resource: TaskResource) -> bool:
        return self.optimized.runs_job(resource)

    def start_job(self, call: TaskCall) -> JobStarted:
        return self.optimized.start_job(call)

    def poll_job(self, resource: TaskResource, handle: dict[str, Any]) -> JobState:
        return self.optimized.poll_job(resource, handle)

    def cancel_job(self, resource: TaskResource, handle: dict[str, Any]) -> None:
        self.optimized.cancel_job(resource, handle)


def unsupported_optimized(arn: str, service: str, action: str, pattern: str) -> TaskError:
    """A clear failure for an optimized resource stepwell does not carry out, naming the aws-sdk
    resource that makes the same API call when there is one."""
    message = f"stepwell does not support the optimized integration '{arn}'"
    if pattern and integration(service, action) is not None:
        message += f" with the '.{pattern}' pattern"
    sdk_service = SDK_NAMES.get(service, service)
    if sdk_operation(sdk_service, action) is not None:
        suffix = ".waitForTaskToken" if pattern == "waitForTaskToken" else ""
        message += (
            f"; 'arn:aws:states:::aws-sdk:{sdk_service}:{action}{suffix}' makes the same API call "
            "(with the API's own request and response shapes)"
        )
    return TaskError("States.Runtime", message + ".")
