"""Round trips through a real botocore client: its serializer writes the requests we parse, its
parser reads the replies we encode. Every operation of the model, every member filled in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError

from stepwell.api.protocol import OPERATIONS, ApiError, encode_response, parse_request
from stepwell.api.shapes import OPERATION_SHAPES, SHAPES

MOMENT = datetime(2024, 5, 6, 7, 8, 9, 123_000, tzinfo=UTC)
SM_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:HelloWorld"

# Values a model pattern accepts, by shape.
PATTERNED = {"CharacterRestrictedName": "live-alias", "ClientToken": "token-1", "TraceHeader": "Root=1-abc"}

Handler = Callable[[str, dict[str, Any]], dict[str, Any]]


class _Raw:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def _text(header: str | bytes | None) -> str | None:
    return header.decode() if isinstance(header, bytes) else header


class Server:
    """What the stepwell app does with a request, minus the sockets."""

    def __init__(self) -> None:
        self.handler: Handler = lambda operation, request: {}
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        headers = {"x-amzn-RequestId": "req-1", "Content-Type": "application/x-amz-json-1.0"}
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        target, content_type = (_text(request.headers.get(name)) for name in ("X-Amz-Target", "Content-Type"))
        try:
            operation, parsed = parse_request(target, body, content_type)
            self.seen.append((operation, parsed))
            reply = encode_response(operation, self.handler(operation, parsed))
            return AWSResponse(request.url, 200, headers, _Raw(reply))
        except ApiError as error:
            return AWSResponse(request.url, error.status, headers, _Raw(error.body()))


@pytest.fixture
def server() -> Server:
    return Server()


def make_client(server: Server, validate: bool = True) -> Any:
    session = botocore.session.get_session()
    client = session.create_client(
        "stepfunctions",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:8083",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        # botocore's default retries, as a user has them: a refused request is not retried, and
        # its message is AWS's own (with retries turned off botocore appends "reached max retries").
        config=Config(inject_host_prefix=False, parameter_validation=validate),
    )
    client.meta.events.register("before-send.stepfunctions", server)
    return client


@pytest.fixture
def client(server: Server) -> Any:
    return make_client(server)


def sample(shape_name: str, member: str = "value") -> Any:
    """A value of the shape that meets its constraints, recognisable by the member's name."""
    shape = SHAPES[shape_name]
    kind = shape["type"]
    if kind == "structure":
        return {name: sample(m["shape"], name) for name, m in shape["members"].items()}
    if kind == "list":
        return [sample(shape["member"]["shape"], member)]
    if kind == "map":
        return {"key-1": sample(shape["value"]["shape"], member)}
    if kind == "timestamp":
        return MOMENT
    if kind == "boolean":
        return True
    if kind in ("integer", "long"):
        return min(shape.get("max", 7), max(shape.get("min", 0), 7))
    if kind in ("float", "double"):
        return 42.5
    if "enum" in shape:
        return shape["enum"][-1]
    if shape_name in PATTERNED:
        return PATTERNED[shape_name]
    text = f"{member}-é"
    return text[: shape.get("max", len(text))]


def snake(operation: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_operation_round_trips_every_member(server: Server, client: Any, operation: str) -> None:
    input_shape, output_shape = OPERATION_SHAPES[operation]
    params = sample(input_shape) if input_shape else {}
    output = sample(output_shape) if output_shape else {}
    server.handler = lambda name, request: output

    response = getattr(client, snake(operation))(**params)

    assert server.seen == [(operation, params)]
    response.pop("ResponseMetadata")
    assert response == output


def test_timestamps_reach_boto3_as_datetimes_to_the_millisecond(server: Server, client: Any) -> None:
    started = datetime(2024, 5, 6, 7, 8, 9, 123_456, tzinfo=UTC)
    server.handler = lambda name, request: {"executionArn": "e", "startDate": started, "debug": "dropped"}
    response = client.start_execution(stateMachineArn=SM_ARN, input="{}")
    assert response["startDate"] == datetime(2024, 5, 6, 7, 8, 9, 123_000, tzinfo=UTC)
    assert set(response) == {"executionArn", "startDate", "ResponseMetadata"}
    assert response["ResponseMetadata"]["RequestId"] == "req-1"


def test_a_service_error_is_a_client_error_with_the_bare_code(server: Server, client: Any) -> None:
    def refuse(name: str, request: dict[str, Any]) -> dict[str, Any]:
        raise ApiError(
            "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{request['stateMachineArn']}'"
        )

    server.handler = refuse
    with pytest.raises(ClientError) as caught:
        client.start_execution(stateMachineArn=SM_ARN)
    error = caught.value.response
    assert error["Error"] == {
        "Code": "StateMachineDoesNotExist",
        "Message": f"State Machine Does Not Exist: '{SM_ARN}'",
    }
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    # the modelled exception class, as with AWS
    assert type(caught.value) is client.exceptions.StateMachineDoesNotExist


def test_a_constraint_violation_reaches_boto3_in_aws_words(server: Server) -> None:
    client = make_client(server, validate=False)
    with pytest.raises(ClientError) as caught:
        client.list_state_machines(maxResults=1001)
    assert caught.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": (
            "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
            "Member must have value less than or equal to 1000"
        ),
    }
    assert type(caught.value) is client.exceptions.ValidationException
    assert str(caught.value) == (
        "An error occurred (ValidationException) when calling the ListStateMachines operation: "
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000"
    )


def test_a_type_error_reaches_boto3_as_a_serialization_exception(server: Server) -> None:
    client = make_client(server, validate=False)
    with pytest.raises(ClientError) as caught:
        client.list_state_machines(maxResults="10")
    assert caught.value.response["Error"] == {
        "Code": "SerializationException",
        "Message": "STRING_VALUE can not be converted to an Integer",
    }


def test_an_unknown_operation_reaches_boto3_with_an_empty_message(server: Server, client: Any) -> None:
    def rename(request: AWSPreparedRequest, **_: Any) -> None:
        request.headers["X-Amz-Target"] = "AWSStepFunctions.NoSuchThing"

    client.meta.events.register_first("before-send.stepfunctions", rename)
    with pytest.raises(ClientError) as caught:
        client.list_state_machines()
    assert caught.value.response["Error"] == {"Code": "UnknownOperationException", "Message": ""}


def test_a_paginator_sends_the_next_token_back(server: Server, client: Any) -> None:
    pages: dict[str | None, dict[str, Any]] = {
        None: {
            "stateMachines": [
                {"stateMachineArn": SM_ARN, "name": "a", "type": "STANDARD", "creationDate": MOMENT}
            ],
            "nextToken": "t1",
        },
        "t1": {"stateMachines": [], "nextToken": None},
    }
    server.handler = lambda name, request: pages[request.get("nextToken")]
    results = list(client.get_paginator("list_state_machines").paginate())
    assert [len(page["stateMachines"]) for page in results] == [1, 0]
    assert results[0]["stateMachines"][0]["creationDate"] == MOMENT
    assert [request for _, request in server.seen] == [{}, {"nextToken": "t1"}]
