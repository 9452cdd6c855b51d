"""The AWS JSON 1.0 protocol of Step Functions: requests in, replies and errors out.

A request is ``POST /`` with ``X-Amz-Target: AWSStepFunctions.<Operation>`` and a JSON object
body. ``parse_request`` checks it the way AWS does, in this order:

1. size: at most 1 MiB ("Maximum request size: 1 MB per request", Step Functions quotas);
2. the target names an operation of the model, else ``UnknownOperationException`` with no
   message (CloudWatch Logs, another Coral JSON service: HTTP 400 ``{"__type":
   "UnknownOperationException"}``, aws/aws-sdk-net#1536);
3. the body is a JSON object, else ``SerializationException`` with no message, except for a JSON
   array: "Start of list found where not expected" (Athena, measured 2026-09-23);
4. every member has its JSON type (``shapes.py``): ``SerializationException``;
5. every constraint holds (``validation.py``): ``ValidationException``.

Error bodies (``ApiError.body``) carry ``__type`` with the namespace AWS sends — botocore keeps
what follows the ``#``, so boto3 sees the bare code in ``Error.Code``:

- the service's own errors (InvalidArn, ExecutionDoesNotExist, ...):
  ``com.amazonaws.swf.service.v2.model#<Code>`` and ``message`` (recorded against AWS:
  ``{"__type": "com.amazonaws.swf.service.v2.model#InvalidToken", "message": ...}``);
- constraint violations: ``com.amazon.coral.validate#ValidationException``;
- framework errors (SerializationException, UnknownOperationException): the bare code, and
  ``Message`` spelled with a capital M (Athena);
- authentication and authorization refusals (``--auth``: MissingAuthenticationTokenException,
  InvalidSignatureException, AccessDeniedException, ...): ``com.amazon.coral.service#<Code>`` and
  ``message`` (DynamoDB's recorded bodies, reference §1.4), see ``CoralError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stepwell.api.encode import encoder_for
from stepwell.api.labels import escape_labels, may_hold_surrogates
from stepwell.api.shapes import (
    OPERATION_SHAPES,
    SERVICE_ERROR_CODES,
    TARGET_PREFIX,
    TypeMismatch,
    reader_for,
)
from stepwell.api.validation import violations
from stepwell.asl import jsoncodec
from stepwell.asl.jsoncodec import JsonError, JsonLimitError
from stepwell.errors import violations_message

OPERATIONS: frozenset[str] = frozenset(OPERATION_SHAPES)
MAX_REQUEST_BYTES = 1024 * 1024
CONTENT_TYPE = "application/x-amz-json-1.0"

_SERVICE_NAMESPACE = "com.amazonaws.swf.service.v2.model#"
_VALIDATE_NAMESPACE = "com.amazon.coral.validate#"
# JSON 1.1 is what the AWS JSON services share; plain JSON is accepted for hand-written calls.
_JSON_CONTENT_TYPES = frozenset({CONTENT_TYPE, "application/x-amz-json-1.1", "application/json"})


class ApiError(Exception):
    """An AWS error reply: HTTP ``status`` with body ``{"__type": ..., "message": ...}``."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.status = status

    def wire_type(self) -> str:
        if self.code in SERVICE_ERROR_CODES:
            return _SERVICE_NAMESPACE + self.code
        return self.code

    def body(self) -> bytes:
        """The JSON body AWS sends; a framework error without a message has no message key."""
        reply: dict[str, str] = {"__type": self.wire_type()}
        if self.message:
            reply["message" if self.code in SERVICE_ERROR_CODES else "Message"] = self.message
        return jsoncodec.dumps(reply)


class CoralError(ApiError):
    """A refusal of Coral's own, before any operation runs: ``com.amazon.coral.service#<Code>``."""

    NAMESPACE = "com.amazon.coral.service#"

    def wire_type(self) -> str:
        return self.NAMESPACE + self.code

    def body(self) -> bytes:
        return jsoncodec.dumps({"__type": self.wire_type(), "message": self.message})


class _ConstraintViolations(ApiError):
    """Violations of the model's constraints, found by Coral before the service sees them."""

    def __init__(self, errors: list[str]):
        super().__init__("ValidationException", violations_message(errors))

    def wire_type(self) -> str:
        return _VALIDATE_NAMESPACE + self.code


def _unknown_operation() -> ApiError:
    return ApiError("UnknownOperationException", "")


def _serialization_error(message: str | None = None) -> ApiError:
    return ApiError("SerializationException", message or "")


def request_too_large() -> ApiError:
    # No AWS text for this case was found; 413 is HTTP's own answer.
    return ApiError("RequestEntityTooLargeException", "Request entity too large", 413)


def _load_json(body: bytes) -> Any:
    """The request document, read as Java's parser reads it (a byte-order mark, lone surrogate
    escapes and integers beyond 64 bits are JSON). Malformed JSON gets AWS's bare
    SerializationException; a document beyond Jackson's limits (nesting deeper than 1000, a
    number longer than 1000 characters) says which limit, in Jackson's words."""
    try:
        return jsoncodec.loads(body)
    except JsonLimitError as beyond:
        raise _serialization_error(beyond.message) from None
    except JsonError:
        raise _serialization_error() from None


def _operation(target_header: str | None, content_type: str | None) -> str:
    if content_type is not None:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type not in _JSON_CONTENT_TYPES:
            raise _unknown_operation()
    if target_header is None or not target_header.startswith(TARGET_PREFIX):
        raise _unknown_operation()
    operation = target_header[len(TARGET_PREFIX) :]
    if operation not in OPERATION_SHAPES:
        raise _unknown_operation()
    return operation


def parse_request(
    target_header: str | None, body: bytes, content_type: str | None = None
) -> tuple[str, dict[str, Any]]:
    """The operation a request calls and its input: only declared, non-null members, typed as
    the model says (integer, float, bool, str, list, dict). Raises ApiError as AWS answers."""
    if len(body) > MAX_REQUEST_BYTES:
        raise request_too_large()
    operation = _operation(target_header, content_type)
    document = _load_json(body)
    if type(document) is not dict:
        raise _serialization_error(
            "Start of list found where not expected" if isinstance(document, list) else None
        )
    input_shape = OPERATION_SHAPES[operation][0]
    if input_shape is None:
        return operation, {}
    try:
        request = reader_for(input_shape)(document)
    except TypeMismatch as mismatch:
        raise _serialization_error(mismatch.message) from None
    errors = violations(input_shape, request)
    if errors:
        raise _ConstraintViolations(errors)
    if may_hold_surrogates(body):
        request = escape_labels(input_shape, request)
    return operation, request


def encode_response(operation: str, output: Mapping[str, Any]) -> bytes:
    """The JSON body of a successful call: timestamps as epoch seconds, undeclared and None
    members left out."""
    output_shape = OPERATION_SHAPES[operation][1]
    if output_shape is None:
        return b"{}"
    # A reply may carry what a request brought: jsoncodec writes lone surrogates as "\\ud800".
    return jsoncodec.dumps(encoder_for(output_shape)(output))
