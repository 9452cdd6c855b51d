"""``arn:aws:states:::aws-sdk:<service>:<apiAction>[.waitForTaskToken]``: any API botocore knows.

"AWS SDK integrations work exactly like an API call using the AWS SDK" (developer guide,
Integrating services): the task's parameters are the request, in PascalCase; the result is the
response, in PascalCase, without the SDK's response metadata (AWS records ``{"SecretList": []}`` for
``aws-sdk:secretsmanager:listSecrets`` and ``{}`` for ``aws-sdk:dynamodb:putItem``). Names, values and
errors are translated by aws_sdk_names, aws_shapes and aws_errors.

With ``.waitForTaskToken`` the call is made the same way; waiting for the token is the runtime's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from stepwell.runtime.invokers.aws_clients import AwsClients
from stepwell.runtime.invokers.aws_errors import sdk_error
from stepwell.runtime.invokers.aws_sdk_names import SdkService, operation_name, sdk_service
from stepwell.runtime.invokers.aws_shapes import ParameterError, from_response, to_request
from stepwell.runtime.invokers.base import TaskCall, TaskError


@dataclass(frozen=True, slots=True)
class SdkOperation:
    service: SdkService
    model: Any  # botocore.model.OperationModel


def sdk_operation(service: str, action: str) -> SdkOperation | None:
    """The API an ``aws-sdk:<service>:<action>`` resource calls, or None if botocore has no such
    service or action (for definition checks as well as calls)."""
    found = sdk_service(service)
    name = operation_name(found, action) if found else None
    if found is None or name is None:
        return None
    return SdkOperation(found, found.model.operation_model(name))


def unrecognised_resource(arn: str, detail: str) -> TaskError:
    # AWS rejects such a resource when the state machine is created; at run time (a definition
    # stepwell accepted) the task fails with AWS's wording and what is missing.
    return TaskError(
        "States.Runtime",
        f"The resource provided {arn} is not recognized. The value is not a valid resource ARN, "
        f"or the resource is not available in this region. ({detail})",
    )


class AwsSdkInvoker:
    """Carries out aws-sdk Tasks through ``clients``."""

    def __init__(self, clients: AwsClients):
        self.clients = clients

    def invoke(self, call: TaskCall) -> Any:
        resource = call.resource
        service_name, _, action = resource.action.partition(":")
        operation = sdk_operation(service_name, action)
        if operation is None:
            if sdk_service(service_name) is None:
                raise unrecognised_resource(resource.arn, f"no AWS SDK service is named '{service_name}'")
            raise unrecognised_resource(resource.arn, f"'{service_name}' has no API action '{action}'")
        prefix = operation.service.prefix
        try:
            params = to_request(operation.model.input_shape, call.payload)
        except ParameterError as error:
            raise TaskError(
                f"{prefix}.{prefix}Exception",
                f"{error} (Service: {prefix}, Status Code: 400, Request ID: null)",
            ) from None
        client = self.clients.client(operation.service.botocore_name)
        method = getattr(client, xform_name(operation.model.name))
        try:
            result = method(**params)
            result.pop("ResponseMetadata", None)  # the SDK's, not the API's
            return from_response(operation.model.output_shape, result)
        except (ClientError, BotoCoreError) as error:
            raise sdk_error(prefix, error) from None
