"""The optimized integrations for SQS, SNS, DynamoDB and EventBridge (reference §7.3).

    arn:aws:states:::sqs:sendMessage[.waitForTaskToken]
    arn:aws:states:::sns:publish[.waitForTaskToken]
    arn:aws:states:::dynamodb:getItem | putItem | updateItem | deleteItem
    arn:aws:states:::events:putEvents[.waitForTaskToken]

Unlike aws-sdk, these are shaped by Step Functions (facts from runs recorded against AWS, LocalStack's
tests/aws/services/stepfunctions/v2/services/*.snapshot.json):

- sqs ``MessageBody`` and sns ``Message`` given as JSON (object, array, number...) are sent as JSON
  text; events entries' ``Detail`` likewise, and Step Functions adds the state machine's and the
  execution's ARNs to each entry's ``Resources``;
- sqs, sns and dynamodb results are the API's response plus ``SdkHttpMetadata`` (``AllHttpHeaders``,
  ``HttpHeaders``, ``HttpStatusCode``) and ``SdkResponseMetadata`` (``RequestId``), as lambda:invoke's;
  events:putEvents returns ``{Entries, FailedEntryCount}`` only, and fails with
  ``EventBridge.FailedEntry`` (cause: that response as JSON) when an entry failed;
- errors are worded as the AWS SDK for Java 1.x words them (aws_errors.optimized_error).

With ``.waitForTaskToken`` the call is made the same way; waiting for the token is the runtime's.
S3's ``getObject``/``putObject``/``listObjectsV2`` are Distributed Map ItemReader / ResultWriter
resources, not Task resources, so they are not here (``aws-sdk:s3:*`` is the Task form).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from stepwell.runtime.invokers.aws_clients import AwsClients
from stepwell.runtime.invokers.aws_errors import JavaV1Names, optimized_error
from stepwell.runtime.invokers.aws_shapes import from_response
from stepwell.runtime.invokers.base import TaskCall, TaskError

SQS = JavaV1Names("SQS", "AmazonSQS", "AmazonSQSException")
SNS = JavaV1Names("SNS", "AmazonSNS", "AmazonSNSException")
DYNAMODB = JavaV1Names("DynamoDB", "AmazonDynamoDBv2", "AmazonDynamoDBException")
EVENTBRIDGE = JavaV1Names("EventBridge", "AmazonEventBridge", "AmazonEventBridgeException")

REQUEST_RESPONSE = frozenset({""})
WITH_CALLBACK = frozenset({"", "waitForTaskToken"})


def _json_text(value: Any) -> Any:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _with_text_field(field: str) -> Callable[[dict[str, Any], TaskCall], dict[str, Any]]:
    def prepare(params: dict[str, Any], call: TaskCall) -> dict[str, Any]:
        if field in params and params[field] is not None:
            params = {**params, field: _json_text(params[field])}
        return params

    return prepare


def _unchanged(params: dict[str, Any], call: TaskCall) -> dict[str, Any]:
    return params


def _event_entries(params: dict[str, Any], call: TaskCall) -> dict[str, Any]:
    added = _execution_resources(call.execution_arn)
    entries = []
    for entry in params.get("Entries") or []:
        if isinstance(entry, dict):
            entry = dict(entry)
            if entry.get("Detail") is not None:
                entry["Detail"] = _json_text(entry["Detail"])
            if added:
                entry["Resources"] = [*(entry.get("Resources") or []), *added]
        entries.append(entry)
    return {**params, "Entries": entries}


def _execution_resources(execution_arn: str) -> list[str]:
    """``[state machine ARN, execution ARN]`` for an execution ARN, ``[]`` if there is none."""
    parts = execution_arn.split(":")
    if len(parts) < 8 or parts[5] not in ("execution", "express"):
        return []
    state_machine = ":".join([*parts[:5], "stateMachine", parts[6].split("/")[0]])
    return [state_machine, execution_arn]


@dataclass(frozen=True, slots=True)
class OptimizedAction:
    botocore_service: str
    operation: str  # botocore's name: "SendMessage"
    names: JavaV1Names
    patterns: frozenset[str]
    prepare: Callable[[dict[str, Any], TaskCall], dict[str, Any]] = _unchanged
    with_http_metadata: bool = True


OPTIMIZED_ACTIONS: dict[tuple[str, str], OptimizedAction] = {
    ("sqs", "sendMessage"): OptimizedAction(
        "sqs", "SendMessage", SQS, WITH_CALLBACK, _with_text_field("MessageBody")
    ),
    ("sns", "publish"): OptimizedAction("sns", "Publish", SNS, WITH_CALLBACK, _with_text_field("Message")),
    ("dynamodb", "getItem"): OptimizedAction("dynamodb", "GetItem", DYNAMODB, REQUEST_RESPONSE),
    ("dynamodb", "putItem"): OptimizedAction("dynamodb", "PutItem", DYNAMODB, REQUEST_RESPONSE),
    ("dynamodb", "updateItem"): OptimizedAction("dynamodb", "UpdateItem", DYNAMODB, REQUEST_RESPONSE),
    ("dynamodb", "deleteItem"): OptimizedAction("dynamodb", "DeleteItem", DYNAMODB, REQUEST_RESPONSE),
    ("events", "putEvents"): OptimizedAction(
        "events", "PutEvents", EVENTBRIDGE, WITH_CALLBACK, _event_entries, with_http_metadata=False
    ),
}


def optimized_action(service: str, action: str, pattern: str = "") -> OptimizedAction | None:
    """The optimized integration a resource names, if stepwell carries it out with this pattern."""
    found = OPTIMIZED_ACTIONS.get((service, action))
    return found if found is not None and pattern in found.patterns else None


class AwsOptimizedInvoker:
    """Carries out the optimized integrations above through ``clients``."""

    def __init__(self, clients: AwsClients):
        self.clients = clients
        self._responses = _LastHttpResponse()

    def invoke(self, call: TaskCall) -> Any:
        resource = call.resource
        spec = optimized_action(resource.service, resource.action, resource.pattern)
        if spec is None:
            raise TaskError("States.Runtime", f"stepwell does not support the resource '{resource.arn}'.")
        payload = call.payload if isinstance(call.payload, dict) else {}
        params = {key: value for key, value in spec.prepare(payload, call).items() if value is not None}
        client = self.clients.client(spec.botocore_service)
        self._responses.watch(client)
        operation = client.meta.service_model.operation_model(spec.operation)
        try:
            result = getattr(client, xform_name(spec.operation))(**params)
        except (ClientError, BotoCoreError) as error:
            raise optimized_error(spec.names, error) from None
        output = from_response(operation.output_shape, result)
        if spec.operation == "PutEvents" and output.get("FailedEntryCount"):
            raise TaskError("EventBridge.FailedEntry", json.dumps(output, separators=(",", ":")))
        if spec.with_http_metadata:
            output.update(self._responses.metadata(result))
        return output


class _LastHttpResponse:
    """The HTTP response of the calling thread's last call, for ``SdkHttpMetadata``: botocore's
    ``ResponseMetadata`` lower-cases header names, AWS shows them as the service sent them."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._watched: set[int] = set()
        self._lock = threading.Lock()

    def watch(self, client: Any) -> None:
        with self._lock:
            if id(client) in self._watched:
                return
            self._watched.add(id(client))
        client.meta.events.register("after-call", self._record)

    def _record(self, http_response: Any = None, **_: Any) -> None:
        self._local.response = http_response

    def metadata(self, result: dict[str, Any]) -> dict[str, Any]:
        meta = result.get("ResponseMetadata") or {}
        response = getattr(self._local, "response", None)
        raw = getattr(getattr(response, "raw", None), "headers", None)
        pairs: list[tuple[str, str]] = (
            list(raw.items()) if raw is not None else list((meta.get("HTTPHeaders") or {}).items())
        )
        all_headers: dict[str, list[str]] = {}
        for name, value in pairs:
            all_headers.setdefault(name, []).append(value)
        return {
            "SdkHttpMetadata": {
                "AllHttpHeaders": all_headers,
                "HttpHeaders": {name: ",".join(values) for name, values in all_headers.items()},
                "HttpStatusCode": meta.get("HTTPStatusCode", 200),
            },
            "SdkResponseMetadata": {"RequestId": meta.get("RequestId", "")},
        }
