"""AWS service failures as Step Functions records them: an error name and a cause.

Two families, as recorded against AWS (LocalStack's AWS-validated snapshots, tests/aws/services/
stepfunctions/v2/error_handling/*.snapshot.json):

aws-sdk integrations (AWS SDK for Java 2.x wording), error and cause::

    S3.NoSuchBucketException
    The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: <id>,
        Extended Request ID: <id2>)
    DynamoDb.ResourceNotFoundException
    Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: <id>)
    SecretsManager.SecretsManagerException       (an error the service's model does not declare)

optimized integrations (AWS SDK for Java 1.x wording)::

    DynamoDB.ResourceNotFoundException / DynamoDB.AmazonDynamoDBException
    Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400;
        Error Code: ResourceNotFoundException; Request ID: <id>; Proxy: null)
    SQS.AmazonSQSException
    The request must contain the parameter MessageBody. (Service: AmazonSQS; Status Code: 400;
        Error Code: MissingParameter; Request ID: <id>; Proxy: null)
    SQS.SdkClientException
    Unable to execute HTTP request: no-such-queue-73e08fde: Name or service not known

(causes are one line; they are wrapped here)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from stepwell.runtime.invokers.aws_sdk_names import error_name
from stepwell.runtime.invokers.base import TaskError


@dataclass(frozen=True, slots=True)
class JavaV1Names:
    """How the Java 1.x SDK names a service in optimized-integration errors."""

    prefix: str  # "DynamoDB"
    service: str  # "AmazonDynamoDBv2", in the cause
    base_exception: str  # "AmazonDynamoDBException", for errors the model does not declare


def modelled_shape(error: ClientError) -> str | None:
    """The model's name for the error (botocore names its exception class after the shape)."""
    name = type(error).__name__
    return None if name == "ClientError" else name


def _details(error: ClientError) -> tuple[str, str, int, str, str | None]:
    body: dict[str, Any] = error.response.get("Error", {})
    meta: dict[str, Any] = error.response.get("ResponseMetadata", {})
    code = str(body.get("Code", "") or "")
    message = str(body.get("Message", "") or code)
    status = int(meta.get("HTTPStatusCode", 0) or 0)
    headers: dict[str, str] = meta.get("HTTPHeaders") or {}
    request_id = str(
        meta.get("RequestId") or headers.get("x-amzn-requestid") or headers.get("x-amz-request-id") or "null"
    )
    extended = meta.get("HostId") or None
    return code, message, status, request_id, extended


def sdk_error(prefix: str, error: Exception) -> TaskError:
    """An aws-sdk integration's failure (Java 2.x wording)."""
    if isinstance(error, ClientError):
        _, message, status, request_id, extended = _details(error)
        shape = modelled_shape(error)
        name = error_name(prefix, shape) if shape else f"{prefix}.{prefix}Exception"
        detail = f"Service: {prefix}, Status Code: {status}, Request ID: {request_id}"
        if extended:
            detail += f", Extended Request ID: {extended}"
        return TaskError(name, f"{message} ({detail})")
    if isinstance(error, ParamValidationError):
        # The Java SDK does not check parameters itself: the service rejects them, with a 400 and
        # an error its model does not declare. botocore checks them before sending; its report
        # stands in for the service's message.
        message = _one_line(str(error.kwargs.get("report", error)))
        return TaskError(
            f"{prefix}.{prefix}Exception",
            f"{message} (Service: {prefix}, Status Code: 400, Request ID: null)",
        )
    if isinstance(error, BotoCoreError):
        return TaskError(f"{prefix}.SdkClientException", f"Unable to execute HTTP request: {error}")
    raise error


def optimized_error(names: JavaV1Names, error: Exception) -> TaskError:
    """An optimized integration's failure (Java 1.x wording)."""
    if isinstance(error, ClientError):
        code, message, status, request_id, _ = _details(error)
        shape = modelled_shape(error)
        name = error_name(names.prefix, shape) if shape else f"{names.prefix}.{names.base_exception}"
        detail = (
            f"Service: {names.service}; Status Code: {status}; Error Code: {code}; "
            f"Request ID: {request_id}; Proxy: null"
        )
        return TaskError(name, f"{message} ({detail})")
    if isinstance(error, ParamValidationError):
        message = _one_line(str(error.kwargs.get("report", error)))
        detail = (
            f"Service: {names.service}; Status Code: 400; Error Code: ValidationException; Request ID: null"
        )
        return TaskError(f"{names.prefix}.{names.base_exception}", f"{message} ({detail}; Proxy: null)")
    if isinstance(error, BotoCoreError):
        return TaskError(f"{names.prefix}.SdkClientException", f"Unable to execute HTTP request: {error}")
    raise error


def _one_line(text: str) -> str:
    return " ".join(line.strip() for line in text.splitlines() if line.strip())
