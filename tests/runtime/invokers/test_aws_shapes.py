"""Task parameters to botocore parameters, and results back, led by the real service models."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from botocore.response import StreamingBody

from stepwell.runtime.invokers.aws_sdk_names import sdk_service
from stepwell.runtime.invokers.aws_shapes import (
    ParameterError,
    from_response,
    instant_text,
    json_scalar,
    pascal_case,
    to_request,
)


def shapes(sdk_name: str, operation: str) -> tuple[Any, Any]:
    service = sdk_service(sdk_name)
    assert service is not None
    model = service.model.operation_model(operation)
    return model.input_shape, model.output_shape


START = shapes("sfn", "StartExecution")[0]
LIST = shapes("sfn", "ListStateMachines")[0]
PUT_ITEM = shapes("dynamodb", "PutItem")[0]
TAG = shapes("sfn", "TagResource")[0]


def refused(shape: Any, value: Any) -> str:
    with pytest.raises(ParameterError) as raised:
        to_request(shape, value)
    return str(raised.value)


def test_pascal_case_members_become_the_models_names() -> None:
    # "Parameters in Step Functions are expressed in PascalCase, even if the native service API is
    # in camelCase" (developer guide).
    assert to_request(START, {"StateMachineArn": "arn", "Name": "n"}) == {
        "stateMachineArn": "arn",
        "name": "n",
    }
    assert to_request(START, {"stateMachineArn": "arn"}) == {"stateMachineArn": "arn"}


def test_an_object_given_for_a_string_is_sent_as_json_text() -> None:
    assert to_request(START, {"StateMachineArn": "arn", "Input": {"a": [1, "é"]}}) == {
        "stateMachineArn": "arn",
        "input": '{"a":[1,"é"]}',
    }


def test_null_is_an_absent_member() -> None:
    assert to_request(START, {"StateMachineArn": "arn", "Name": None}) == {"stateMachineArn": "arn"}


def test_map_keys_are_data_and_keep_their_case() -> None:
    item = {"pk": {"S": "x"}, "Count": {"N": "1"}}
    assert to_request(PUT_ITEM, {"TableName": "t", "Item": item}) == {"TableName": "t", "Item": item}


@pytest.mark.parametrize(
    ("shape", "value", "message"),
    [
        (START, {"Nope": 1}, "The field \"Nope\" is not supported by the API at '$'."),
        (START, [1], "Expected an object at '$', got an array."),
        (START, {"StateMachineArn": 5}, "Expected a string at 'StateMachineArn', got a number."),
        (START, {"TraceHeader": True}, "Expected a string at 'TraceHeader', got a boolean."),
        (LIST, {"MaxResults": True}, "Expected an integer at 'MaxResults', got a boolean."),
        (LIST, {"MaxResults": 1.5}, "Expected an integer at 'MaxResults', got a number."),
        (
            PUT_ITEM,
            {"TableName": "t", "Item": {"pk": {"S": 1}}},
            "Expected a string at 'Item.pk.S', got a number.",
        ),
        (PUT_ITEM, {"TableName": "t", "Item": [1]}, "Expected an object at 'Item', got an array."),
        (TAG, {"ResourceArn": "a", "Tags": {"k": "v"}}, "Expected an array at 'Tags', got an object."),
        (
            TAG,
            {"ResourceArn": "a", "Tags": [{"Key": 1}]},
            "Expected a string at 'Tags[0].Key', got a number.",
        ),
        (
            TAG,
            {"ResourceArn": "a", "Tags": [{"Key": "k", "Other": 1}]},
            "The field \"Other\" is not supported by the API at 'Tags[0]'.",
        ),
    ],
)
def test_parameters_that_do_not_fit_the_api(shape: Any, value: Any, message: str) -> None:
    assert refused(shape, value) == message


def test_a_string_given_for_a_number_is_named_a_string() -> None:
    assert refused(LIST, {"MaxResults": "3"}) == "Expected an integer at 'MaxResults', got a string."


def test_an_action_without_input() -> None:
    assert to_request(None, {}) == {}
    assert to_request(None, None) == {}
    assert refused(None, {"a": 1}) == "The API action takes no parameters."


def test_timestamps_are_given_as_text_or_epoch_seconds() -> None:
    get_object = shapes("s3", "GetObject")[0]
    assert to_request(get_object, {"Bucket": "b", "Key": "k", "IfModifiedSince": "2024-01-01T00:00:00Z"})[
        "IfModifiedSince"
    ] == ("2024-01-01T00:00:00Z")
    assert (
        to_request(get_object, {"Bucket": "b", "Key": "k", "IfModifiedSince": 1704067200})["IfModifiedSince"]
        == 1704067200
    )


def test_results_get_pascal_case_members_and_json_values() -> None:
    output = shapes("sfn", "DescribeExecution")[1]
    started = datetime.datetime(2024, 5, 23, 19, 11, 31, 120000, tzinfo=datetime.UTC)
    result = from_response(
        output,
        {
            "executionArn": "a",
            "startDate": started,
            "inputDetails": {"included": True},
            "ResponseMetadata": {},
        },
    )
    assert result == {
        "ExecutionArn": "a",
        "StartDate": "2024-05-23T19:11:31.120Z",
        "InputDetails": {"Included": True},
    }


def test_result_map_keys_keep_their_case() -> None:
    output = shapes("dynamodb", "GetItem")[1]
    result = from_response(output, {"Item": {"pk": {"S": "x"}, "list": {"L": [{"N": "1"}]}}})
    assert result == {"Item": {"pk": {"S": "x"}, "list": {"L": [{"N": "1"}]}}}


def test_scalars() -> None:
    assert json_scalar(b"\x00\x01") == "AAE="
    assert json_scalar(bytearray(b"hi")) == "aGk="
    assert json_scalar(StreamingBody(io.BytesIO(b"hello \xff"), 7)) == "hello \ufffd"
    assert json_scalar(5) == 5
    assert from_response(None, [datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)]) == [
        "2024-01-01T00:00:00Z"
    ]


def test_instant_text_of_a_naive_moment_is_read_as_utc() -> None:
    assert instant_text(datetime.datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05Z"
    assert (
        instant_text(datetime.datetime(2024, 1, 2, 3, 4, 5, 1000, tzinfo=datetime.UTC))
        == "2024-01-02T03:04:05.001Z"
    )


def test_pascal_case() -> None:
    assert pascal_case("stateMachineArn") == "StateMachineArn"
    assert pascal_case("") == ""
