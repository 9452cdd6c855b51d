"""Lambda functions that live elsewhere: AWS, ``sam local start-lambda``, LocalStack, any endpoint
speaking Lambda's Invoke API (Step Functions Local's ``LAMBDA_ENDPOINT``), called through boto3.

Step Functions' record of the Invoke response, reproduced:

- success: a plain function ARN returns the payload; ``lambda:invoke`` wraps it with the response's
  StatusCode, ExecutedVersion, LogResult and HTTP headers (lambda_shapes.invoke_response);
- ``X-Amz-Function-Error``: the error is the payload's ``errorType`` (``Lambda.Unknown`` without one),
  the cause the payload text (compact JSON for lambda:invoke);
- an API error: ``Lambda.<Code>`` (``Lambda.ResourceNotFoundException``, ``Lambda.TooManyRequestsException``,
  ``Lambda.ServiceException``...) with the Java SDK's wording as the cause, ``<message> (Service:
  AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: …; Proxy: null)``;
- no answer at all (connection refused, read timeout): ``Lambda.SdkClientException``.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from stepwell.runtime.invokers.base import TaskCall, TaskError
from stepwell.runtime.invokers.lambda_shapes import (
    function_error,
    invoke_response,
    lambda_target,
    require_lambda,
    response_payload,
)

# lambda:invoke parameters passed on to Invoke as they are (FunctionName and Payload are handled apart)
PASSED_PARAMETERS = ("InvocationType", "Qualifier", "ClientContext", "LogType")
RAW_HEADERS = "StepwellRawHeaders"


class RemoteLambda:
    """An Invoker calling Lambda's Invoke API at ``endpoint_url`` (None: AWS itself).

    Without credentials in the environment, a custom endpoint gets placeholder ones (local stand-ins
    accept any). ``read_timeout`` outlasts Lambda's longest function timeout (900 s); botocore does not
    retry: Retry in the state machine decides that, as it does on AWS. ``client`` replaces the boto3
    client (tests, custom sessions)."""

    def __init__(
        self,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        *,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        read_timeout: float = 905.0,
        connect_timeout: float = 10.0,
        client: Any = None,
    ):
        self.endpoint_url = endpoint_url
        self.region = region
        self._credentials = (aws_access_key_id, aws_secret_access_key)
        self._config = Config(
            read_timeout=read_timeout,
            connect_timeout=connect_timeout,
            retries={"total_max_attempts": 1},
            max_pool_connections=64,
        )
        self._client = client
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
            return self._client

    def _make_client(self) -> Any:
        key, secret = self._credentials
        session = boto3.session.Session()
        if key is None and self.endpoint_url and session.get_credentials() is None:
            key, secret = "stepwell", "stepwell"
        client = session.client(
            "lambda",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=self._config,
        )
        client.meta.events.register("after-call.lambda.Invoke", _keep_raw_headers)
        return client

    def invoke(self, call: TaskCall) -> Any:
        resource = call.resource
        require_lambda(resource, "RemoteLambda")
        target = lambda_target(resource.base, call.payload)
        request: dict[str, Any] = {"FunctionName": target.target, "Payload": _request_payload(target, call)}
        request |= {name: target.parameters[name] for name in PASSED_PARAMETERS if name in target.parameters}
        try:
            response = self.client.invoke(**request)
            body = response["Payload"].read()
        except ClientError as error:
            raise _service_error(error.response) from None
        except BotoCoreError as error:
            raise TaskError("Lambda.SdkClientException", f"Unable to execute HTTP request: {error}") from None
        if response.get("FunctionError"):
            raise function_error(body.decode("utf-8", "replace"), compact=target.wrap)
        result = response_payload(body)
        if not target.wrap:
            return result
        metadata = response.get("ResponseMetadata", {})
        return invoke_response(
            result,
            metadata.get("RequestId", ""),
            status_code=response.get("StatusCode", 200),
            executed_version=response.get("ExecutedVersion"),
            log_result=response.get("LogResult"),
            headers=dict(metadata.get(RAW_HEADERS) or metadata.get("HTTPHeaders", {})),
        )

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def _request_payload(target: Any, call: TaskCall) -> bytes:
    """The event as bytes: lambda:invoke sends a string Payload as it is, anything else as JSON."""
    if target.wrap:
        raw = target.parameters.get("Payload")
        if isinstance(raw, str):
            return raw.encode()
        return json.dumps({} if raw is None else raw).encode()
    return json.dumps(call.payload).encode()


def _service_error(response: dict[str, Any]) -> TaskError:
    """An Invoke API error as the Java SDK words it, which is what Step Functions records."""
    error = response.get("Error", {})
    metadata = response.get("ResponseMetadata", {})
    code = error.get("Code") or "Unknown"
    return TaskError(
        f"Lambda.{code}",
        f"{error.get('Message', '')} (Service: AWSLambda; Status Code: {metadata.get('HTTPStatusCode', 0)}; "
        f"Error Code: {code}; Request ID: {metadata.get('RequestId', '')}; Proxy: null)",
    )


def _keep_raw_headers(http_response: Any, parsed: dict[str, Any], **_: Any) -> None:
    """botocore lowercases header names; Step Functions shows them as the server sent them."""
    parsed.setdefault("ResponseMetadata", {})[RAW_HEADERS] = dict(http_response.headers.items())
